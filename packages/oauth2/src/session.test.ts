import { KeySet } from '@oidkit/jose'
import { beforeAll, describe, expect, it } from 'vitest'
import { createContext, type ServerContext } from './context'
import { sha256 } from './crypto'
import { MemoryStore } from './memory-store'
import {
  createSession,
  endSession,
  interactionCookie,
  pendingInteractions,
  readCookie,
  readSession,
} from './session'

let keys: KeySet
beforeAll(async () => {
  keys = await KeySet.generate('RS256')
})

function context(issuer: string, sessionTtl?: number) {
  const storage = new MemoryStore()
  let clock = 1_700_000_000
  const server: ServerContext = createContext(
    { issuer, keys, storage, now: () => clock, ...(sessionTtl ? { sessionTtl } : {}) },
    { endpoints: [], grantTypes: [], responseTypes: [], checks: [] },
  )
  return { server, storage, tick: (seconds: number) => (clock += seconds) }
}

const withCookie = (cookie: string) =>
  new Request('https://op.example/authorize', { headers: { cookie: cookie.split(';')[0]! } })

describe('session cookies', () => {
  it('RFC 6265 4.1: the session cookie is HttpOnly, SameSite=Lax, Path=/ and Secure on https', async () => {
    const { server } = context('https://op.example', 600)
    const { cookie } = await createSession(server, new Request('https://op.example/'), {
      accountId: 'alice',
    })
    expect(cookie).toMatch(/^oidkit\.session=[\w-]{43}; /)
    expect(cookie).toContain('; HttpOnly')
    expect(cookie).toContain('; SameSite=Lax')
    expect(cookie).toContain('; Path=/')
    expect(cookie).toContain('; Secure')
    expect(cookie).toContain('; Max-Age=600')
  })

  it('RFC 6265 4.1.2.5: no Secure attribute for an http issuer (local development)', async () => {
    const { server } = context('http://localhost:3000')
    const { cookie } = await createSession(server, new Request('http://localhost:3000/'), {
      accountId: 'alice',
    })
    expect(cookie).not.toContain('Secure')
  })

  it('RFC 6265 4.1.2.2: remember=false makes a browser-session cookie (no Max-Age)', async () => {
    const { server } = context('https://op.example')
    const { cookie } = await createSession(server, new Request('https://op.example/'), {
      accountId: 'alice',
      remember: false,
    })
    expect(cookie).not.toContain('Max-Age')
  })

  it('OIDC Core 2: the stored session id is not the cookie value, and reads back with auth_time', async () => {
    const { server, storage } = context('https://op.example')
    const { cookie, session } = await createSession(server, new Request('https://op.example/'), {
      accountId: 'alice',
      acr: 'urn:mace:incommon:iap:silver',
      amr: ['pwd'],
    })
    const secret = readCookie(withCookie(cookie), 'oidkit.session')!
    expect(session.id).not.toBe(secret)
    expect(session.id).toBe(await sha256(secret))
    expect(await storage.sessions.get(session.id)).toEqual(session)
    const read = await readSession(server, withCookie(cookie))
    expect(read).toMatchObject({ accountId: 'alice', authTime: 1_700_000_000, amr: ['pwd'] })
  })

  it('ASVS V3.2.1: a new login always gets a new session id and kills the previous one', async () => {
    const { server } = context('https://op.example')
    const first = await createSession(server, new Request('https://op.example/'), {
      accountId: 'alice',
    })
    const second = await createSession(server, withCookie(first.cookie), { accountId: 'alice' })
    expect(second.session.id).not.toBe(first.session.id)
    expect(await readSession(server, withCookie(first.cookie))).toBeUndefined()
    expect(await readSession(server, withCookie(second.cookie))).toBeDefined()
  })

  it('OIDC Core 3.1.2.3: an expired or unknown session counts as none', async () => {
    const { server, tick } = context('https://op.example', 60)
    const { cookie } = await createSession(server, new Request('https://op.example/'), {
      accountId: 'a',
    })
    expect(await readSession(server, withCookie('oidkit.session=unknown'))).toBeUndefined()
    tick(61)
    expect(await readSession(server, withCookie(cookie))).toBeUndefined()
  })

  it('OIDC RP-Initiated Logout 2: endSession deletes the session and clears the cookie', async () => {
    const { server } = context('https://op.example')
    const { cookie } = await createSession(server, new Request('https://op.example/'), {
      accountId: 'a',
    })
    const cookies = await endSession(server, withCookie(cookie))
    expect(cookies).toHaveLength(1)
    expect(cookies[0]).toMatch(
      /^oidkit\.session=; Path=\/; HttpOnly; SameSite=Lax; Secure; Max-Age=0$/,
    )
    expect(await readSession(server, withCookie(cookie))).toBeUndefined()
  })
})

describe('interaction cookie', () => {
  it('RFC 6265 4.1.2.2: pending interactions of several tabs share one cookie living as long as they do', () => {
    const { server } = context('https://op.example')
    const first = interactionCookie(server, new Request('https://op.example/'), { add: 'one' })
    expect(first).toContain(`Max-Age=${server.settings.interactionTtl}`)
    const second = interactionCookie(server, withCookie(first), { add: 'two' })
    expect(pendingInteractions(withCookie(second))).toEqual(['two', 'one'])
    const removed = interactionCookie(server, withCookie(second), { remove: 'two' })
    expect(pendingInteractions(withCookie(removed))).toEqual(['one'])
    const cleared = interactionCookie(server, withCookie(removed), { remove: 'one' })
    expect(cleared).toContain('Max-Age=0')
  })
})
