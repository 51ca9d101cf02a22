import { KeySet } from '@oidkit/jose'
import { beforeAll, describe, expect, it } from 'vitest'
import type { AuthorizationServerConfig } from './config'
import { isOAuthError } from './errors'
import { MemoryStore } from './memory-store'
import type { AuthorizationCheckContext, ServerPlugin } from './plugin'
import { createAuthorizationServer } from './server'

const ISSUER = 'https://op.example'
const CB = 'https://client.example/cb'
// RFC 7636 Appendix B (the brief's challenge was mistyped; this is the RFC's, and SHA-256's).
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'

let keys: KeySet
beforeAll(async () => {
  keys = await KeySet.generate('RS256')
})

/** What a browser does with cookies, by hand. */
class Jar {
  readonly cookies = new Map<string, string>()
  store(response: Response): void {
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';')
      const [name, value] = [
        pair!.slice(0, pair!.indexOf('=')),
        pair!.slice(pair!.indexOf('=') + 1),
      ]
      if (/Max-Age=0/.test(cookie)) this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
  }
  request(url: string, init: RequestInit = {}): Request {
    const cookie = [...this.cookies].map(([n, v]) => `${n}=${v}`).join('; ')
    return new Request(url, { ...init, headers: { ...(cookie ? { cookie } : {}) } })
  }
}

async function setup(config: Partial<AuthorizationServerConfig> = {}) {
  const storage = new MemoryStore()
  const server = createAuthorizationServer({
    issuer: ISSUER,
    keys,
    storage,
    scopes: ['profile', 'email'],
    ...config,
  })
  await storage.clients.save({
    client_id: 'app',
    client_name: 'The App',
    logo_uri: 'https://client.example/logo.png',
    redirect_uris: [CB],
    token_endpoint_auth_method: 'none',
    scope: 'profile email',
  })
  const jar = new Jar()
  const params = {
    client_id: 'app',
    response_type: 'code',
    redirect_uri: CB,
    scope: 'profile email',
    state: 'st-123',
    code_challenge: CHALLENGE,
    code_challenge_method: 'S256',
  }
  /** Starts an authorization request in the jar's browser; returns the response. */
  const start = async (extra: Record<string, string> = {}) => {
    const response = await server.authorization(
      jar.request(`${ISSUER}/authorize?${new URLSearchParams({ ...params, ...extra })}`),
    )
    jar.store(response)
    return response
  }
  const interactionId = (response: Response) => {
    const location = response.headers.get('location')!
    expect(location.startsWith(`${ISSUER}/interaction/`)).toBe(true)
    return location.slice(`${ISSUER}/interaction/`.length)
  }
  const page = (id: string) => jar.request(`${ISSUER}/interaction/${id}`, { method: 'POST' })
  const finish = async (id: string, result: Parameters<typeof server.interactions.finish>[2]) => {
    const response = await server.interactions.finish(page(id), id, result)
    jar.store(response)
    return response
  }
  return { server, storage, jar, start, interactionId, page, finish }
}

async function rejection(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(isOAuthError(error)).toBe(true)
  return error as { error: string; error_description?: string }
}

describe('interactions: login and consent', () => {
  it('RFC 6749 4.1 / OIDC Core 3.1.2.3-3.1.2.5: login → consent → code → token, state kept by cookies alone', async () => {
    const { server, storage, jar, start, interactionId, page, finish } = await setup()
    const first = await start()
    const id = interactionId(first)

    const login = await server.interactions.get(page(id), id)
    expect(login).toMatchObject({
      id,
      prompt: 'login',
      client: {
        client_id: 'app',
        client_name: 'The App',
        logo_uri: 'https://client.example/logo.png',
      },
      scopes: ['profile', 'email'],
      params: { state: 'st-123', scope: 'profile email' },
    })
    expect(login.session).toBeUndefined()

    const afterLogin = await finish(id, { login: { accountId: 'alice', amr: ['pwd'] } })
    expect(afterLogin.status).toBe(303)
    expect(interactionId(afterLogin)).toBe(id)
    expect(jar.cookies.has('oidkit.session')).toBe(true)

    const consent = await server.interactions.get(page(id), id)
    expect(consent.prompt).toBe('consent')
    expect(consent.session).toMatchObject({ accountId: 'alice' })

    const done = await finish(id, { consent: {} })
    expect(done.status).toBe(303)
    const callback = new URL(done.headers.get('location')!)
    expect(callback.origin + callback.pathname).toBe(CB)
    expect(callback.searchParams.get('state')).toBe('st-123')
    expect(callback.searchParams.get('iss')).toBe(ISSUER)
    expect(jar.cookies.has('oidkit.interaction')).toBe(false)
    expect(await storage.interactions.get(id)).toBeUndefined()

    const token = await server.token(
      new Request(`${ISSUER}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: callback.searchParams.get('code')!,
          redirect_uri: CB,
          client_id: 'app',
          code_verifier: VERIFIER,
        }),
      }),
    )
    expect(token.status).toBe(200)
    expect(await token.json()).toMatchObject({ token_type: 'Bearer', scope: 'profile email' })
  })

  it('OIDC Core 3.1.2.4: remembered consent covering every requested scope skips the consent step', async () => {
    const { start, interactionId, finish } = await setup()
    const id = interactionId(await start())
    await finish(id, { login: { accountId: 'alice' }, consent: {} })
    const again = await start({ state: 'second', scope: 'email' })
    const url = new URL(again.headers.get('location')!)
    expect(url.origin + url.pathname).toBe(CB)
    expect(url.searchParams.get('state')).toBe('second')
    expect(url.searchParams.get('code')).toBeTruthy()
  })

  it('RFC 6749 3.3: consent to fewer scopes narrows the grant, and a later request for more asks again', async () => {
    const { storage, start, interactionId, finish } = await setup()
    const id = interactionId(await start())
    const done = await finish(id, {
      login: { accountId: 'alice' },
      consent: { scopes: ['email', 'admin'] },
    })
    expect(new URL(done.headers.get('location')!).searchParams.get('code')).toBeTruthy()
    expect((await storage.consents.get('alice', 'app'))?.scopes).toEqual(['email'])
    const again = await start()
    expect(again.headers.get('location')).toMatch(/\/interaction\//)
  })

  it('OIDC Core 3.1.2.4: interactions.skipConsent lets first-party clients skip consent', async () => {
    const { start, interactionId, finish } = await setup({
      interactions: { skipConsent: (client) => client.client_id === 'app' },
    })
    const id = interactionId(await start())
    const done = await finish(id, { login: { accountId: 'alice' } })
    expect(new URL(done.headers.get('location')!).searchParams.get('code')).toBeTruthy()
  })

  it('OIDC Core 3.1.2.3: a session of an account that is no longer active asks for login again', async () => {
    let active = true
    const { start, interactionId, finish } = await setup({
      accounts: { isActive: async () => active },
    })
    await finish(interactionId(await start()), { login: { accountId: 'alice' }, consent: {} })
    active = false
    const again = await start()
    expect(again.headers.get('location')).toMatch(/\/interaction\//)
  })

  it('OIDC Core 3.1.2.6: checks see a login made during this interaction (result.login.at) for prompt=login / max_age', async () => {
    const seen: Array<number | undefined> = []
    const plugin: ServerPlugin = {
      name: 'spy',
      authorizationChecks: [
        (ctx: AuthorizationCheckContext) => {
          const login = ctx.interaction?.result?.login as { at: number } | undefined
          seen.push(login?.at)
          return undefined
        },
      ],
    }
    const { start, interactionId, finish } = await setup({
      plugins: [plugin],
      now: () => 1_800_000_000,
    })
    const id = interactionId(await start())
    await finish(id, { login: { accountId: 'alice' }, consent: {} })
    expect(seen).toEqual([undefined, 1_800_000_000])
  })

  it('ASVS V3.2.1: each login during an interaction gets a new session id and ends the old one', async () => {
    // Stands in for OIDC prompt=login: ask for a login unless one happened in this interaction.
    const plugin: ServerPlugin = {
      name: 'force-login',
      authorizationChecks: [
        ({ request, interaction }) =>
          request.params.prompt === 'login' && !interaction?.result?.login
            ? { prompt: 'login' }
            : undefined,
      ],
    }
    const { storage, jar, start, interactionId, finish } = await setup({ plugins: [plugin] })
    await finish(interactionId(await start()), { login: { accountId: 'alice' }, consent: {} })
    const first = jar.cookies.get('oidkit.session')!
    const id = interactionId(await start({ prompt: 'login' }))
    const done = await finish(id, { login: { accountId: 'alice', remember: false } })
    expect(new URL(done.headers.get('location')!).searchParams.get('code')).toBeTruthy()
    const cookie = done.headers.getSetCookie().find((c) => c.startsWith('oidkit.session='))!
    // remember=false: a browser-session cookie.
    expect(cookie).not.toContain('Max-Age')
    const second = jar.cookies.get('oidkit.session')!
    expect(second).not.toBe(first)
    expect(storage.size().sessions).toBe(1)
  })
})

describe('interactions: errors', () => {
  it('RFC 6749 4.1.2.1: access_denied is redirected with state and iss and ends the interaction', async () => {
    const { storage, jar, start, interactionId, finish } = await setup()
    const id = interactionId(await start())
    const response = await finish(id, { error: 'access_denied', description: 'the user said no' })
    const url = new URL(response.headers.get('location')!)
    expect(url.origin + url.pathname).toBe(CB)
    expect(url.searchParams.get('error')).toBe('access_denied')
    expect(url.searchParams.get('error_description')).toBe('the user said no')
    expect(url.searchParams.get('state')).toBe('st-123')
    expect(url.searchParams.get('iss')).toBe(ISSUER)
    expect(await storage.interactions.get(id)).toBeUndefined()
    expect(jar.cookies.has('oidkit.interaction')).toBe(false)
  })

  it('Form Post Response Mode 2: access_denied honours the requested response mode', async () => {
    const { start, interactionId, finish } = await setup()
    const id = interactionId(await start({ response_mode: 'form_post' }))
    const response = await finish(id, { error: 'access_denied' })
    expect(response.status).toBe(200)
    const html = await response.text()
    expect(html).toContain('name="error" value="access_denied"')
    expect(html).toContain('name="state" value="st-123"')
  })

  it('RFC 6749 10.12: an interaction finished from another browser (no cookie) is refused', async () => {
    const { server, start, interactionId } = await setup()
    const id = interactionId(await start())
    const stranger = new Request(`${ISSUER}/interaction/${id}`, {
      headers: { cookie: 'oidkit.interaction=other' },
    })
    expect((await rejection(server.interactions.get(stranger, id))).error).toBe('invalid_request')
    const finished = rejection(
      server.interactions.finish(stranger, id, { login: { accountId: 'mallory' } }),
    )
    expect((await finished).error).toBe('invalid_request')
  })

  it('RFC 6749 4.1.2.1: an unknown or expired interaction is invalid_request for the integrator to render', async () => {
    let now = 1_800_000_000
    const { server, start, interactionId, page } = await setup({ now: () => now })
    const id = interactionId(await start())
    now += 3601
    expect((await rejection(server.interactions.get(page(id), id))).error).toBe('invalid_request')
    const unknown = page('nope')
    expect((await rejection(server.interactions.get(unknown, 'nope'))).error).toBe(
      'invalid_request',
    )
  })

  it('RFC 6749 4.1.2.1: a client deleted during the interaction is never redirected to', async () => {
    const { server, storage, start, interactionId, page } = await setup()
    const id = interactionId(await start())
    await storage.clients.delete('app')
    const error = await rejection(
      server.interactions.finish(page(id), id, { login: { accountId: 'alice' } }),
    )
    expect(error.error).toBe('invalid_client')
  })
})
