import {
  type AuthorizationCodeRecord,
  type GrantRecord,
  MemoryStore,
  type Storage,
  type TokenRecord,
} from '@oidkit/oauth2'
import { runStorageContract } from '@oidkit/oauth2/testing'
import { describe, expect, it } from 'vitest'
import { SqliteStore } from './sqlite-store'

runStorageContract('SqliteStore', () => new SqliteStore({ filename: ':memory:' }))

const now = () => Math.floor(Date.now() / 1000)

function records(t: number) {
  const grant: GrantRecord = {
    id: 'g1',
    clientId: 'c1',
    accountId: 'alice',
    scopes: ['openid', 'offline_access'],
    claims: { userinfo: { email: { essential: true } } },
    authTime: t - 5,
    acr: 'urn:mace:incommon:iap:silver',
    amr: ['pwd', 'otp'],
    sessionId: 's1',
    createdAt: t,
    expiresAt: t + 3600,
  }
  const code: AuthorizationCodeRecord = {
    hash: 'code-1',
    grantId: 'g1',
    clientId: 'c1',
    redirectUri: 'https://client.example/cb',
    redirectUriProvided: false,
    scopes: ['openid'],
    codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    codeChallengeMethod: 'S256',
    nonce: 'n-0S6_WzA2Mj',
    extra: { claims: { id_token: { acr: null } } },
    createdAt: t,
    expiresAt: t + 60,
  }
  const access: TokenRecord = {
    hash: 'at-1',
    type: 'access_token',
    grantId: 'g1',
    clientId: 'c1',
    accountId: 'alice',
    scopes: ['openid'],
    format: 'jwt',
    createdAt: t,
    expiresAt: t + 600,
    extra: { cnf: { jkt: 'thumbprint' } },
  }
  const refresh: TokenRecord = { ...access, hash: 'rt-1', type: 'refresh_token', format: 'opaque' }
  return { grant, code, access, refresh }
}

// Runs one script of calls against a store and returns every answer, for a side-by-side diff.
// Both stores get the same `t`: read apart, the clock may tick between the two runs.
async function script(store: Storage, t: number): Promise<unknown[]> {
  const { grant, code, access, refresh } = records(t)
  const out: unknown[] = []
  await store.clients.save({ client_id: 'c1', redirect_uris: ['https://client.example/cb'] })
  out.push(await store.clients.get('c1'), await store.clients.get('missing'))
  await store.grants.save(grant)
  await store.codes.save(code)
  await store.codes.save({ ...code, hash: 'code-2' })
  await store.codes.save({ ...code, hash: 'code-saved-consumed', consumedAt: t - 1 })
  await store.tokens.save(access)
  await store.tokens.save(refresh)
  await store.tokens.save({ ...access, hash: 'at-saved-revoked', revokedAt: t - 2 })
  out.push(await store.grants.get('g1'), await store.grants.get('missing'))
  out.push(await store.codes.consume('code-1', t + 1), await store.codes.consume('code-1', t + 2))
  out.push(await store.codes.consume('code-saved-consumed', t + 3))
  out.push(await store.codes.consume('missing', t))
  out.push(await store.tokens.get('at-1'), await store.tokens.get('at-saved-revoked'))
  out.push(await store.tokens.consume('rt-1', t + 4), await store.tokens.consume('rt-1', t + 5))
  out.push(await store.tokens.consume('missing', t))
  await store.tokens.revoke('at-1', t + 6)
  await store.tokens.revoke('at-1', t + 7)
  out.push(await store.tokens.get('at-1'))
  await store.grants.revoke('g1', t + 8)
  await store.grants.revoke('g1', t + 9)
  out.push(await store.grants.get('g1'), await store.tokens.get('rt-1'))
  out.push(await store.codes.consume('code-2', t + 10))
  await store.grants.revoke('missing', t)
  out.push(await store.jtis.use('k', t + 60), await store.jtis.use('k', t + 60))
  out.push(await store.sessions.get('missing'), await store.interactions.get('missing'))
  out.push(await store.consents.get('alice', 'c1'))
  out.push(await store.registrationTokens.getClientId('missing'))
  return out
}

describe('SqliteStore', () => {
  it('Storage contract: every answer equals MemoryStore’s for the same calls', async () => {
    const t = now()
    const expected = await script(new MemoryStore(), t)
    const store = new SqliteStore({ filename: ':memory:' })
    expect(await script(store, t)).toStrictEqual(expected)
    store.close()
  })

  it('Storage contract: saved and returned records are copies, independent of the store', async () => {
    const store = new SqliteStore({ filename: ':memory:' })
    const { grant } = records(now())
    const saved = structuredClone(grant)
    await store.grants.save(saved)
    ;(saved.scopes as string[]).push('admin')
    const read = await store.grants.get('g1')
    expect(read).toStrictEqual(grant)
    ;(read!.scopes as string[]).push('admin')
    expect(await store.grants.get('g1')).toStrictEqual(grant)
    store.close()
  })

  it('Storage contract: close() is idempotent and later calls reject instead of throwing', async () => {
    const store = new SqliteStore({ filename: ':memory:' })
    store.close()
    store.close()
    await expect(store.clients.get('c1')).rejects.toThrow(/not open/)
  })

  it('options: a negative or NaN sweepInterval or busyTimeout is refused', () => {
    expect(() => new SqliteStore({ filename: ':memory:', sweepInterval: -1 })).toThrow(RangeError)
    expect(() => new SqliteStore({ filename: ':memory:', busyTimeout: Number.NaN })).toThrow(
      RangeError,
    )
  })
})
