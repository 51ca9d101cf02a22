import type { KeySet } from '@oidkit/jose'
import type { Client } from '@oidkit/oauth2'
import { beforeAll, describe, expect, it } from 'vitest'
import { oidcChecks } from './authorization-checks'
import { MAX_NONCE_LENGTH } from './response-types'
import {
  authorizeUrl,
  browserOp,
  CB,
  ISSUER,
  idTokenHint as idToken,
  START,
  strangerKeys,
  testKeys,
} from './test-support/browser-op'

let keys: KeySet
let otherKeys: KeySet
beforeAll(async () => {
  keys = await testKeys()
  otherKeys = await strangerKeys()
})

async function setup(client: Partial<Client> = {}) {
  const op = await browserOp({
    plugins: [{ name: 'oidc-checks', authorizationChecks: oidcChecks({ claims: () => ({}) }) }],
    client: { client_name: 'The App', ...client },
  })
  const { server, storage, browser } = op
  /** Sends an authorization request (`undefined` removes a base parameter). */
  async function authorize(extra: Record<string, string | undefined> = {}) {
    const response = await server.authorization(browser(authorizeUrl(extra)))
    op.jar().store(response)
    return outcome(response)
  }

  /** Where the response sends the browser: an interaction, or the client with its parameters. */
  async function outcome(response: Response) {
    const location = response.headers.get('location') ?? ''
    if (location.startsWith(`${ISSUER}/interaction/`)) {
      const id = location.slice(`${ISSUER}/interaction/`.length)
      const record = await storage.interactions.get(id)
      return { id, prompt: record?.prompt, reason: record?.reason, params: undefined }
    }
    expect(location.startsWith(`${CB}?`)).toBe(true)
    return {
      id: undefined,
      prompt: undefined,
      reason: undefined,
      params: new URL(location).searchParams,
    }
  }

  /** Finishes a pending interaction as the login / consent page would. */
  async function finish(
    id: string | undefined,
    result: Parameters<typeof server.interactions.finish>[2],
  ) {
    expect(id).toBeTypeOf('string')
    return outcome(await op.finishInteraction(id!, result))
  }

  /** Logs `accountId` in and consents, leaving a session and remembered consent. */
  async function login(accountId = 'alice') {
    const first = await authorize()
    const done = await finish(first.id, { login: { accountId }, consent: {} })
    expect(done.params?.get('code')).toBeTypeOf('string')
  }

  return {
    server,
    storage,
    authorize,
    finish,
    login,
    /** Another browser: no session cookie. */
    newBrowser: op.newBrowser,
    advance: (seconds: number) => {
      op.clock.now += seconds
    },
  }
}

/** A browser in which alice is logged in and has consented. */
async function loggedIn(client: Partial<Client> = {}) {
  const t = await setup(client)
  await t.login()
  return t
}

const errorOf = (result: { params: URLSearchParams | undefined }) => result.params?.get('error')

describe('request syntax (OIDC Core 3.1.2.1, 5.5, 6)', () => {
  it('OIDC Core 3.1.2.1: redirect_uri is required for OpenID requests, even with one registered', async () => {
    const t = await setup()
    const result = await t.authorize({ redirect_uri: undefined })
    expect(errorOf(result)).toBe('invalid_request')
    expect(result.params?.get('state')).toBe('st')
  })

  it('RFC 6749 3.1.2.3: plain OAuth requests keep their rules (no redirect_uri, odd parameters)', async () => {
    const t = await setup()
    const result = await t.authorize({
      scope: 'profile',
      redirect_uri: undefined,
      prompt: 'bogus',
      max_age: 'abc',
      request: 'eyJ.x.y',
      claims: '{not json',
    })
    expect(result.prompt).toBe('login')
  })

  it('OIDC Core 6.1: the request parameter is request_not_supported', async () => {
    const t = await setup()
    expect(errorOf(await t.authorize({ request: 'eyJhbGciOiJub25lIn0.e30.' }))).toBe(
      'request_not_supported',
    )
  })

  it('OIDC Core 6.2: the request_uri parameter is request_uri_not_supported', async () => {
    const t = await setup()
    expect(errorOf(await t.authorize({ request_uri: 'https://rp.example/req.jwt' }))).toBe(
      'request_uri_not_supported',
    )
  })

  it('OIDC Core 3.1.2.1: an unknown prompt value is invalid_request', async () => {
    const t = await setup()
    expect(errorOf(await t.authorize({ prompt: 'login bogus' }))).toBe('invalid_request')
  })

  it('OIDC Core 3.1.2.1: prompt=none with login → invalid_request', async () => {
    const t = await loggedIn()
    expect(errorOf(await t.authorize({ prompt: 'none login' }))).toBe('invalid_request')
  })

  it.each(['-1', 'abc', '1.5', '1e3', ' 10', '9999999999999999'])(
    'OIDC Core 3.1.2.1: max_age=%j is invalid_request',
    async (value) => {
      const t = await setup()
      expect(errorOf(await t.authorize({ max_age: value }))).toBe('invalid_request')
    },
  )

  it('OIDC Core 5.5: a claims parameter that is not JSON is invalid_request', async () => {
    const t = await setup()
    expect(errorOf(await t.authorize({ claims: '{"id_token":' }))).toBe('invalid_request')
  })

  it('OIDC Core 5.5: a claims parameter of the wrong shape is invalid_request', async () => {
    const t = await setup()
    expect(
      errorOf(await t.authorize({ claims: '{"id_token":{"email":{"essential":"yes"}}}' })),
    ).toBe('invalid_request')
    expect(errorOf(await t.authorize({ claims: '[1]' }))).toBe('invalid_request')
  })

  it('OIDC Core 5.5: a valid claims request goes on to the login', async () => {
    const t = await setup()
    const result = await t.authorize({
      claims: JSON.stringify({ id_token: { acr: { essential: true, values: ['urn:x'] } } }),
    })
    expect(result.prompt).toBe('login')
  })

  it('OIDC Core 3.1.2.1: a nonce longer than the cap is invalid_request', async () => {
    const t = await setup()
    expect(errorOf(await t.authorize({ nonce: 'n'.repeat(MAX_NONCE_LENGTH + 1) }))).toBe(
      'invalid_request',
    )
    expect((await t.authorize({ nonce: 'n'.repeat(MAX_NONCE_LENGTH) })).prompt).toBe('login')
  })
})

describe('prompt (OIDC Core 3.1.2.1)', () => {
  it('OIDC Core 3.1.2.1: prompt=none with a session and consent succeeds without UI', async () => {
    const t = await loggedIn()
    expect((await t.authorize({ prompt: 'none' })).params?.get('code')).toBeTypeOf('string')
  })

  it('OIDC Core 3.1.2.1: prompt=login forces a login despite a live session, then succeeds', async () => {
    const t = await loggedIn()
    t.advance(30)
    const result = await t.authorize({ prompt: 'login' })
    expect(result).toMatchObject({ prompt: 'login', reason: 'login_prompt' })
    const done = await t.finish(result.id, { login: { accountId: 'alice' } })
    expect(done.params?.get('code')).toBeTypeOf('string')
  })

  it('OIDC Core 3.1.2.1: prompt=consent asks again although consent is remembered', async () => {
    const t = await loggedIn()
    const result = await t.authorize({ prompt: 'consent' })
    expect(result).toMatchObject({ prompt: 'consent', reason: 'consent_prompt' })
    const done = await t.finish(result.id, { consent: {} })
    expect(done.params?.get('code')).toBeTypeOf('string')
  })

  it('OIDC Core 3.1.2.1: prompt=consent without a session logs in first, then asks consent', async () => {
    const t = await loggedIn()
    t.newBrowser()
    const first = await t.authorize({ prompt: 'consent' })
    expect(first.prompt).toBe('login')
    const next = await t.finish(first.id, { login: { accountId: 'alice' } })
    expect(next.prompt).toBe('consent')
  })

  it('OIDC Core 3.1.2.1: prompt=select_account with a session asks to pick an account', async () => {
    const t = await loggedIn()
    const result = await t.authorize({ prompt: 'select_account' })
    expect(result).toMatchObject({ prompt: 'select_account', reason: 'select_account_prompt' })
    const done = await t.finish(result.id, { login: { accountId: 'bob' }, consent: {} })
    expect(done.params?.get('code')).toBeTypeOf('string')
  })

  it('OIDC Core 3.1.2.6: prompt=none without a session → login_required', async () => {
    const t = await setup()
    expect(errorOf(await t.authorize({ prompt: 'none' }))).toBe('login_required')
  })

  it('OIDC Core 3.1.2.6: prompt=none without consent is consent_required (Authlib #740)', async () => {
    const t = await loggedIn()
    await t.storage.consents.delete('alice', 'app')
    expect(errorOf(await t.authorize({ prompt: 'none' }))).toBe('consent_required')
  })
})

describe('max_age (OIDC Core 3.1.2.1, Authlib #741)', () => {
  it('OIDC Core 3.1.2.1: a session younger than max_age needs no login', async () => {
    const t = await loggedIn()
    t.advance(100)
    expect((await t.authorize({ max_age: '300' })).params?.get('code')).toBeTypeOf('string')
  })

  it('OIDC Core 3.1.2.1: a session older than max_age needs a new login', async () => {
    const t = await loggedIn()
    t.advance(100)
    const result = await t.authorize({ max_age: '60' })
    expect(result).toMatchObject({ prompt: 'login', reason: 'max_age' })
    const done = await t.finish(result.id, { login: { accountId: 'alice' } })
    expect(done.params?.get('code')).toBeTypeOf('string')
  })

  it('OIDC Core 3.1.2.1: max_age expired with prompt=none → login_required', async () => {
    const t = await loggedIn()
    t.advance(100)
    expect(errorOf(await t.authorize({ max_age: '60', prompt: 'none' }))).toBe('login_required')
  })

  it('OIDC Core 3.1.2.1: max_age=0 is equivalent to prompt=login', async () => {
    const t = await loggedIn()
    expect(await t.authorize({ max_age: '0' })).toMatchObject({
      prompt: 'login',
      reason: 'max_age',
    })
  })

  it('OIDC Registration 1.0 2: the client default_max_age applies when max_age is absent', async () => {
    const t = await loggedIn({ default_max_age: 60 })
    t.advance(100)
    expect(await t.authorize()).toMatchObject({ prompt: 'login', reason: 'max_age' })
    // An explicit max_age overrides the default.
    expect((await t.authorize({ max_age: '3600' })).params?.get('code')).toBeTypeOf('string')
  })
})

describe('id_token_hint (OIDC Core 3.1.2.1)', () => {
  it('OIDC Core 3.1.2.1: a hint for the logged-in end-user passes with prompt=none', async () => {
    const t = await setup()
    await t.login('alice')
    const hint = await idToken({ sub: 'alice' })
    const result = await t.authorize({ prompt: 'none', id_token_hint: hint })
    expect(result.params?.get('code')).toBeTypeOf('string')
  })

  it('OIDC Core 3.1.2.1: a hint for another end-user with prompt=none → login_required', async () => {
    const t = await setup()
    await t.login('alice')
    const hint = await idToken({ sub: 'bob' })
    const result = await t.authorize({ prompt: 'none', id_token_hint: hint })
    expect(errorOf(result)).toBe('login_required')
    expect(result.params?.get('state')).toBe('st')
  })

  it('OIDC Core 3.1.2.1: a hint for another end-user asks for a login', async () => {
    const t = await setup()
    await t.login('alice')
    const result = await t.authorize({ id_token_hint: await idToken({ sub: 'bob' }) })
    expect(result).toMatchObject({ prompt: 'login', reason: 'id_token_hint' })
    const done = await t.finish(result.id, { login: { accountId: 'bob' }, consent: {} })
    expect(done.params?.get('code')).toBeTypeOf('string')
  })

  it('OIDC Core 3.1.2.1: an expired hint is accepted', async () => {
    const t = await setup()
    await t.login('alice')
    const hint = await idToken({ iat: START - 7200, exp: START - 3600 })
    expect(
      (await t.authorize({ prompt: 'none', id_token_hint: hint })).params?.get('code'),
    ).toBeTypeOf('string')
  })

  it('OIDC Core 3.1.2.1: a hint signed by another key (forged) → invalid_request', async () => {
    const t = await setup()
    await t.login('alice')
    const forged = await idToken({}, otherKeys)
    expect(errorOf(await t.authorize({ id_token_hint: forged }))).toBe('invalid_request')
  })

  it('OIDC Core 3.1.2.1: a hint with a modified payload or alg=none → invalid_request', async () => {
    const t = await setup()
    const [header, , signature] = (await idToken({ sub: 'alice' })).split('.')
    const payload = btoa(JSON.stringify({ iss: ISSUER, sub: 'bob', aud: 'app', iat: START }))
      .replace(/=+$/, '')
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
    expect(errorOf(await t.authorize({ id_token_hint: `${header}.${payload}.${signature}` }))).toBe(
      'invalid_request',
    )
    const unsigned = `${btoa('{"alg":"none"}').replace(/=+$/, '')}.${payload}.`
    expect(errorOf(await t.authorize({ id_token_hint: unsigned }))).toBe('invalid_request')
    expect(errorOf(await t.authorize({ id_token_hint: 'invalid.jwt.token' }))).toBe(
      'invalid_request',
    )
  })

  it('OIDC Core 3.1.2.1: a hint issued to another client → invalid_request', async () => {
    const t = await setup()
    expect(errorOf(await t.authorize({ id_token_hint: await idToken({ aud: 'other' }) }))).toBe(
      'invalid_request',
    )
  })

  it('RFC 8725 3.11: an RFC 9068 access token (typ at+jwt) is not an ID token hint', async () => {
    const t = await setup()
    const token = await idToken({}, keys, 'at+jwt')
    expect(errorOf(await t.authorize({ id_token_hint: token }))).toBe('invalid_request')
  })

  it('OIDC Core 3.1.2.1: a hint of another issuer → invalid_request', async () => {
    const t = await setup()
    const token = await idToken({ iss: 'https://evil.example' })
    expect(errorOf(await t.authorize({ id_token_hint: token }))).toBe('invalid_request')
  })

  it('OIDC Core 3.1.2.1: without a session a valid hint leads to the usual login', async () => {
    const t = await setup()
    expect(await t.authorize({ id_token_hint: await idToken({}) })).toMatchObject({
      prompt: 'login',
      reason: 'no_session',
    })
  })
})
