/**
 * The end-to-end conformance flows every oidkit deployment must pass (each adapter, the demo
 * app): certified relying-party libraries (openid-client 6, oauth4webapi 3) against a real
 * listening server, plus hand-made checks where no library speaks the flow (implicit, hybrid,
 * form_post). Hashes and signatures are checked independently of oidkit (node:crypto, jose).
 *
 * @module
 */
import { createHash } from 'node:crypto'
import { createLocalJWKSet, jwtVerify } from 'jose'
import * as oauth from 'oauth4webapi'
import * as client from 'openid-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CookieJar, locationOf, navigate, parseForm, submitForm } from './browser'

/**
 * The two end-users every target knows.
 *
 * @example
 * ```ts
 * const account: Account = 'bob'
 * ```
 */
export type Account = 'alice' | 'bob'

/**
 * A running OpenID Provider, as the suite drives it.
 *
 * @example
 * ```ts
 * // A target whose login page is a real HTML form (username/password), then a consent form.
 * const target: ConformanceTarget = {
 *   issuer,
 *   accounts: { alice: aliceClaims, bob: bobClaims },
 *   async login(authorizeUrl, jar, account) {
 *     let page = await navigate(authorizeUrl, jar)
 *     page = await follow(
 *       await submitForm(await page.text(), jar, {
 *         url: page.url,
 *         fill: { username: account, password: passwords[account] },
 *       }),
 *       jar,
 *     )
 *     // The consent page, unless the client is already trusted; its first button approves.
 *     if (page.status === 200 && new URL(page.url).origin === new URL(issuer).origin) {
 *       const html = await page.clone().text()
 *       if (html.includes('name="consent"'))
 *         page = await follow(await submitForm(html, jar, { url: page.url }), jar)
 *     }
 *     return page
 *   },
 *   close: () => app.close(),
 * }
 * ```
 */
export interface ConformanceTarget {
  /** The issuer identifier (OIDC Discovery 1.0 3). */
  issuer: string
  /** The claims the OP holds for each account (`sub` excluded): what UserInfo may release. */
  accounts: Record<Account, Record<string, unknown>>
  /**
   * Plays the end-user from an authorization request to its answer: navigate to
   * `authorizeUrl` carrying `jar`, log in as `account`, approve the consent, and return the
   * OP's last response: the redirect to the client's redirect_uri, or the `form_post` page
   * (200 HTML). Consent must be remembered: a second request of the same browser may not ask.
   */
  login(authorizeUrl: URL, jar: CookieJar, account: Account): Promise<Response>
  /**
   * Confirms RP-Initiated Logout at `endSessionUrl` and returns the OP's last response (the
   * redirect to the post_logout_redirect_uri). Default: submit the first form of the page.
   */
  confirmLogout?(endSessionUrl: URL, jar: CookieJar): Promise<Response>
  close(): Promise<void>
}

const REDIRECT_URI = 'https://rp.example/cb'
const POST_LOGOUT_URI = 'https://rp.example/logged-out'
const insecure = { execute: [client.allowInsecureRequests] }

/** OIDC Core 5.4: the claims each scope requests. */
const SCOPE_CLAIMS: Record<string, readonly string[]> = {
  profile: [
    'name',
    'family_name',
    'given_name',
    'middle_name',
    'nickname',
    'preferred_username',
    'profile',
    'picture',
    'website',
    'gender',
    'birthdate',
    'zoneinfo',
    'locale',
    'updated_at',
  ],
  email: ['email', 'email_verified'],
  address: ['address'],
  phone: ['phone_number', 'phone_number_verified'],
}

/** The claims of `account` that `scopes` release (OIDC Core 5.4), computed by the suite. */
function released(account: Record<string, unknown>, scopes: readonly string[]) {
  const names = new Set(scopes.flatMap((scope) => SCOPE_CLAIMS[scope] ?? []))
  return Object.fromEntries(Object.entries(account).filter(([name]) => names.has(name)))
}

/**
 * OIDC Core 3.1.3.6 / 3.3.2.11: base64url of the left half of the hash of the JWS `alg`,
 * computed with node:crypto rather than oidkit's code.
 */
function leftHalfHash(value: string, alg: string): string {
  const bits = /(256|384|512)/.exec(alg)?.[1] ?? (alg === 'EdDSA' ? '512' : '256')
  const digest = createHash(`sha${bits}`).update(value, 'ascii').digest()
  return digest.subarray(0, digest.length / 2).toString('base64url')
}

/** The redirect to the client's redirect_uri that ends an authorization request. */
function callbackOf(response: Response): URL {
  expect(response.status, 'the OP answers with a redirect').toBeGreaterThanOrEqual(300)
  expect(response.status).toBeLessThan(400)
  const callback = locationOf(response)
  expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI)
  return callback
}

/** RFC 6749 5.2: a JSON error object, never cached. */
async function expectOAuthError(response: Response, status: number, error: string) {
  expect(response.status).toBe(status)
  expect(response.headers.get('content-type')).toMatch(/^application\/json/)
  expect(response.headers.get('cache-control')).toContain('no-store')
  const body = (await response.json()) as Record<string, unknown>
  expect(body.error).toBe(error)
  if (body.error_description !== undefined) expect(body.error_description).toBeTypeOf('string')
  expect(JSON.stringify(body)).not.toMatch(/\bat .+:\d+:\d+/)
}

/**
 * Registers a vitest suite that runs every conformance flow against the target `start`
 * creates (once, before the flows; closed after).
 *
 * @example
 * ```ts
 * runConformance('Express 5', () => startExpressTarget(express))
 * ```
 */
export function runConformance(
  name: string,
  start: () => Promise<ConformanceTarget>,
  options: { startTimeout?: number } = {},
): void {
  describe(`${name}: OpenID Connect conformance over real HTTP`, () => {
    let target: ConformanceTarget
    let issuer: URL
    let config: client.Configuration
    let registered: client.ClientMetadata & {
      client_secret: string
      registration_access_token: string
      registration_client_uri: string
    }
    let jwks: ReturnType<typeof createLocalJWKSet>

    beforeAll(async () => {
      target = await start()
      issuer = new URL(target.issuer)
      config = await client.dynamicClientRegistration(
        issuer,
        {
          redirect_uris: [REDIRECT_URI],
          post_logout_redirect_uris: [POST_LOGOUT_URI],
          grant_types: ['authorization_code', 'refresh_token', 'implicit'],
          response_types: ['code', 'id_token token', 'code id_token'],
          token_endpoint_auth_method: 'client_secret_post',
          client_name: 'Conformance RP',
        },
        undefined,
        insecure,
      )
      registered = config.clientMetadata() as typeof registered
      const keys = await fetch(config.serverMetadata().jwks_uri!)
      jwks = createLocalJWKSet(await keys.json())
    }, options.startTimeout)
    afterAll(() => target?.close())

    const metadata = () => config.serverMetadata()

    /** An authorization request of the registered client, with PKCE, state and nonce. */
    async function request(params: Record<string, string>) {
      const verifier = client.randomPKCECodeVerifier()
      const state = params.state ?? client.randomState()
      const nonce = client.randomNonce()
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: REDIRECT_URI,
        scope: 'openid',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        nonce,
        ...params,
        state,
      })
      return { url, verifier, state, nonce }
    }

    /** OIDC Core 3.1: the authorization code flow, through the target's login step. */
    async function codeFlow(
      scope: string,
      options: { account?: Account; jar?: CookieJar; params?: Record<string, string> } = {},
    ) {
      const jar = options.jar ?? new CookieJar()
      const { url, verifier, state, nonce } = await request({ scope, ...options.params })
      const callback = callbackOf(await target.login(url, jar, options.account ?? 'alice'))
      const tokens = await client.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
        idTokenExpected: true,
      })
      return { tokens, claims: tokens.claims()!, nonce, jar }
    }

    /** Front-channel parameters (implicit and hybrid flows) from the fragment. */
    async function fragmentFlow(responseType: string, scope: string) {
      const flow = await request({ response_type: responseType, scope })
      const callback = callbackOf(await target.login(flow.url, new CookieJar(), 'alice'))
      // OAuth 2.0 Multiple Response Types 5: these response types default to the fragment.
      expect(callback.search).toBe('')
      return { ...flow, params: new URLSearchParams(callback.hash.slice(1)) }
    }

    /** RFC 9207 2: the iss parameter, when the OP says it sends one. */
    function expectIss(params: URLSearchParams) {
      if (metadata().authorization_response_iss_parameter_supported) {
        expect(params.get('iss')).toBe(target.issuer)
      }
    }

    it('OIDC Discovery 1.0 4.2 / 3: openid-client discovers the provider under its issuer', async () => {
      const found = await client.discovery(
        issuer,
        registered.client_id,
        registered.client_secret,
        undefined,
        insecure,
      )
      const document = found.serverMetadata()
      // OIDC Discovery 1.0 4.3: the issuer must be exactly the one discovery started from.
      expect(document.issuer).toBe(target.issuer)
      for (const endpoint of [
        'authorization_endpoint',
        'token_endpoint',
        'userinfo_endpoint',
        'jwks_uri',
        'registration_endpoint',
        'end_session_endpoint',
        'revocation_endpoint',
        'introspection_endpoint',
      ] as const) {
        expect(new URL(document[endpoint]!).origin, endpoint).toBe(issuer.origin)
      }
      expect(document.response_types_supported).toEqual(
        expect.arrayContaining(['code', 'id_token token', 'code id_token']),
      )
      expect(document.subject_types_supported).toEqual(expect.arrayContaining(['public']))
      expect(document.id_token_signing_alg_values_supported).toContain('RS256')
      expect(document.code_challenge_methods_supported).toContain('S256')
    })

    it('RFC 7591 3.2.1 / RFC 7592 2.1: the registered client reads its configuration back', async () => {
      expect(registered.client_id).toBeTypeOf('string')
      expect(registered.client_secret).toBeTypeOf('string')
      expect(registered.redirect_uris).toEqual([REDIRECT_URI])
      const read = await fetch(registered.registration_client_uri, {
        headers: { authorization: `Bearer ${registered.registration_access_token}` },
      })
      expect(read.status).toBe(200)
      expect(read.headers.get('cache-control')).toContain('no-store')
      expect(await read.json()).toMatchObject({
        client_id: registered.client_id,
        redirect_uris: [REDIRECT_URI],
        post_logout_redirect_uris: [POST_LOGOUT_URI],
        token_endpoint_auth_method: 'client_secret_post',
        client_name: 'Conformance RP',
      })
      // RFC 7592 2.1 / RFC 6750 3.1: another token reads nothing.
      const wrong = await fetch(registered.registration_client_uri, {
        headers: { authorization: 'Bearer not-the-token' },
      })
      expect(wrong.status).toBe(401)
    })

    it('OIDC Core 3.1.3.7 / RFC 7636 4.6: code flow with PKCE and client_secret_post yields a valid ID token', async () => {
      const { tokens, claims, nonce } = await codeFlow('openid profile email', {
        params: { max_age: '600' },
      })
      expect(tokens.token_type.toLowerCase()).toBe('bearer')
      expect(claims).toMatchObject({ iss: target.issuer, aud: registered.client_id, nonce })
      expect(claims.sub).toBeTypeOf('string')
      // OIDC Core 2: auth_time is required when max_age was requested.
      expect(claims.auth_time).toBeTypeOf('number')
      expect(claims.exp).toBeGreaterThan(Date.now() / 1000)
      expect(claims.iat).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 5)
      // Signature checked again, independently of openid-client.
      const { protectedHeader } = await jwtVerify(tokens.id_token!, jwks, {
        issuer: target.issuer,
        audience: registered.client_id,
      })
      expect(claims.at_hash).toBe(leftHalfHash(tokens.access_token, protectedHeader.alg))
    })

    it('RFC 6749 4.1.2 / RFC 7636 4.6: a code is single-use and bound to its code_verifier', async () => {
      const { url, verifier } = await request({ scope: 'openid' })
      const code = callbackOf(await target.login(url, new CookieJar(), 'alice')).searchParams.get(
        'code',
      )!
      const redeem = (codeVerifier: string) =>
        fetch(metadata().token_endpoint!, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'authorization_code',
            code,
            redirect_uri: REDIRECT_URI,
            code_verifier: codeVerifier,
            client_id: registered.client_id,
            client_secret: registered.client_secret,
          }),
        })
      await expectOAuthError(await redeem(client.randomPKCECodeVerifier()), 400, 'invalid_grant')
      // A failed attempt may already burn the code (RFC 6749 4.1.2: at most once); either way
      // the right verifier cannot use it twice.
      const first = await redeem(verifier)
      if (first.status === 200) await first.body?.cancel()
      else await expectOAuthError(first, 400, 'invalid_grant')
      await expectOAuthError(await redeem(verifier), 400, 'invalid_grant')
    })

    it('OIDC Core 5.3.2 / 5.4: UserInfo returns the claims of the granted scopes for each account', async () => {
      const alice = await codeFlow('openid profile', { account: 'alice' })
      const bob = await codeFlow('openid email', { account: 'bob' })
      expect(bob.claims.sub).not.toBe(alice.claims.sub)
      const aliceInfo = await client.fetchUserInfo(
        config,
        alice.tokens.access_token,
        alice.claims.sub,
      )
      expect(aliceInfo).toEqual({
        sub: alice.claims.sub,
        ...released(target.accounts.alice, ['profile']),
      })
      const bobInfo = await client.fetchUserInfo(config, bob.tokens.access_token, bob.claims.sub)
      expect(bobInfo).toEqual({ sub: bob.claims.sub, ...released(target.accounts.bob, ['email']) })
    })

    it('OIDC Core 3.2.2.5 / 3.2.2.10: id_token token comes in the fragment with a matching at_hash', async () => {
      const { params, state, nonce } = await fragmentFlow('id_token token', 'openid profile')
      expect(params.get('state')).toBe(state)
      expect(params.get('token_type')?.toLowerCase()).toBe('bearer')
      expect(Number(params.get('expires_in'))).toBeGreaterThan(0)
      expectIss(params)
      const accessToken = params.get('access_token')!
      const { payload, protectedHeader } = await jwtVerify(params.get('id_token')!, jwks, {
        issuer: target.issuer,
        audience: registered.client_id,
      })
      expect(payload.nonce).toBe(nonce)
      expect(payload.at_hash).toBe(leftHalfHash(accessToken, protectedHeader.alg))
      // The front-channel access token works at UserInfo for the same end-user.
      const info = await client.fetchUserInfo(config, accessToken, payload.sub!)
      expect(info.sub).toBe(payload.sub)
    })

    it('OIDC Core 3.3.2.11 / 3.3.3.6: code id_token carries a c_hash; the code redeems for the same sub', async () => {
      const { params, state, nonce, verifier } = await fragmentFlow('code id_token', 'openid')
      expect(params.get('state')).toBe(state)
      expect(params.has('access_token')).toBe(false)
      expectIss(params)
      const code = params.get('code')!
      const { payload, protectedHeader } = await jwtVerify(params.get('id_token')!, jwks, {
        issuer: target.issuer,
        audience: registered.client_id,
      })
      expect(payload.nonce).toBe(nonce)
      expect(payload.c_hash).toBe(leftHalfHash(code, protectedHeader.alg))
      const token = await fetch(metadata().token_endpoint!, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: REDIRECT_URI,
          code_verifier: verifier,
          client_id: registered.client_id,
          client_secret: registered.client_secret,
        }),
      })
      expect(token.status).toBe(200)
      const body = (await token.json()) as { id_token: string }
      const { payload: fromToken } = await jwtVerify(body.id_token, jwks, {
        issuer: target.issuer,
        audience: registered.client_id,
      })
      // OIDC Core 3.3.3.6: both ID tokens name the same end-user.
      expect(fromToken.sub).toBe(payload.sub)
    })

    it('OAuth 2.0 Form Post Response Mode 2: the response is an auto-submitting form with escaped values', async () => {
      const state = `s"<&>'${client.randomState()}`
      const { url, verifier, nonce } = await request({ response_mode: 'form_post', state })
      const page = await target.login(url, new CookieJar(), 'alice')
      expect(page.status).toBe(200)
      expect(page.headers.get('content-type')).toMatch(/^text\/html/)
      expect(page.headers.get('cache-control')).toContain('no-store')
      const html = await page.text()
      // The state's markup characters are escaped, never injected.
      expect(html).not.toContain(state)
      const inputs = [...html.matchAll(/<input\b[^>]*>/gi)].map(([tag]) => tag)
      expect(inputs.length).toBeGreaterThan(0)
      for (const input of inputs) expect(input).toMatch(/\stype="hidden"/i)
      const form = parseForm(html, page.url)
      expect(form.method).toBe('POST')
      expect(String(form.action)).toBe(REDIRECT_URI)
      const fields = new URLSearchParams(form.fields)
      expect(fields.get('state')).toBe(state)
      expectIss(fields)
      // What the browser posts to the client; openid-client reads it from the request body.
      const posted = new Request(form.action, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: fields,
      })
      const tokens = await client.authorizationCodeGrant(config, posted, {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
        idTokenExpected: true,
      })
      expect(tokens.claims()?.nonce).toBe(nonce)
    })

    it('RFC 6749 6 / RFC 9700 4.14.2 / OIDC Core 12.2: refresh rotates the token; reuse revokes the grant', async () => {
      const { tokens, claims } = await codeFlow('openid offline_access', {
        params: { prompt: 'consent' },
      })
      expect(tokens.refresh_token).toBeTypeOf('string')
      const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!)
      expect(refreshed.refresh_token).toBeTypeOf('string')
      expect(refreshed.refresh_token).not.toBe(tokens.refresh_token)
      expect(refreshed.access_token).not.toBe(tokens.access_token)
      // OIDC Core 12.2: same iss, sub and aud; auth_time of the original authentication.
      expect(refreshed.claims()).toMatchObject({
        iss: claims.iss,
        sub: claims.sub,
        aud: claims.aud,
        auth_time: claims.auth_time,
      })
      await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({
        error: 'invalid_grant',
      })
      // RFC 9700 4.14.2: the replay revoked the grant, so the new refresh token is dead too.
      await expect(
        client.refreshTokenGrant(config, refreshed.refresh_token!),
      ).rejects.toMatchObject({ error: 'invalid_grant' })
    })

    it('RFC 7662 2.2: introspection describes an active token and calls an unknown one inactive', async () => {
      const { tokens, claims } = await codeFlow('openid email')
      const info = await client.tokenIntrospection(config, tokens.access_token)
      expect(info).toMatchObject({ active: true, client_id: registered.client_id, sub: claims.sub })
      expect(info.scope?.split(' ')).toEqual(expect.arrayContaining(['openid', 'email']))
      expect(info.exp).toBeGreaterThan(Date.now() / 1000)
      expect(await client.tokenIntrospection(config, 'not-a-token')).toMatchObject({
        active: false,
      })
    })

    it('RFC 7009 2.1 / 2.2: oauth4webapi revokes an access token; it is then inactive and refused', async () => {
      const { tokens } = await codeFlow('openid')
      const options = { [oauth.allowInsecureRequests]: true }
      const as = await oauth.processDiscoveryResponse(
        issuer,
        await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...options }),
      )
      const rp: oauth.Client = { client_id: registered.client_id }
      const auth = oauth.ClientSecretPost(registered.client_secret)
      const revoke = (token: string) => oauth.revocationRequest(as, rp, auth, token, options)
      await expect(
        oauth.processRevocationResponse(await revoke(tokens.access_token)),
      ).resolves.toBeUndefined()
      expect((await client.tokenIntrospection(config, tokens.access_token)).active).toBe(false)
      const userinfo = await fetch(metadata().userinfo_endpoint!, {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      })
      expect(userinfo.status).toBe(401)
      expect(userinfo.headers.get('www-authenticate')).toMatch(/^Bearer .*invalid_token/)
      // RFC 7009 2.2: revoking an already invalid token is still a success.
      await expect(
        oauth.processRevocationResponse(await revoke(tokens.access_token)),
      ).resolves.toBeUndefined()
    })

    it('RP-Initiated Logout 1.0 2 / 3: the end_session URL ends the session; prompt=none then gets login_required', async () => {
      const { tokens, jar } = await codeFlow('openid')
      const url = client.buildEndSessionUrl(config, {
        id_token_hint: tokens.id_token!,
        post_logout_redirect_uri: POST_LOGOUT_URI,
        state: 'bye',
      })
      const done = await (target.confirmLogout ?? confirmBuiltInLogout)(url, jar)
      const back = locationOf(done)
      expect(`${back.origin}${back.pathname}`).toBe(POST_LOGOUT_URI)
      expect(back.searchParams.get('state')).toBe('bye')

      // OIDC Core 3.1.2.6: without a session, prompt=none cannot log in silently.
      const again = await request({ scope: 'openid', prompt: 'none', state: 'after' })
      const error = callbackOf(await navigate(again.url, jar))
      expect(error.searchParams.get('error')).toBe('login_required')
      expect(error.searchParams.get('state')).toBe('after')
      expectIss(error.searchParams)
    })

    it('OIDC Core 3.1.2.3 / 3.1.2.1: the session cookie lets a second request skip login; prompt=none passes', async () => {
      const first = await codeFlow('openid')
      // The same browser: straight back to the client, no login page.
      const second = await request({ scope: 'openid' })
      const callback = callbackOf(await navigate(second.url, first.jar))
      const tokens = await client.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: second.verifier,
        expectedState: second.state,
        expectedNonce: second.nonce,
        idTokenExpected: true,
      })
      const claims = tokens.claims()!
      expect(claims.sub).toBe(first.claims.sub)
      // One authentication for both requests.
      expect(claims.auth_time).toBe(first.claims.auth_time)
      const silent = await request({ scope: 'openid', prompt: 'none' })
      const silentCallback = callbackOf(await navigate(silent.url, first.jar))
      expect(silentCallback.searchParams.get('code')).toBeTypeOf('string')
      // Another browser, without the cookie, is not let through.
      const stranger = await navigate(second.url, new CookieJar())
      const leftForClient =
        stranger.headers.has('location') && locationOf(stranger).origin !== issuer.origin
      expect(leftForClient).toBe(false)
      await stranger.body?.cancel()
    })

    it('RFC 6749 5.2: token endpoint errors are JSON objects, never cached; failed Basic auth is 401', async () => {
      const token = (body: Record<string, string>, headers: Record<string, string> = {}) =>
        fetch(metadata().token_endpoint!, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
          body: new URLSearchParams(body),
        })
      const credentials = {
        client_id: registered.client_id,
        client_secret: registered.client_secret,
      }
      const wrongSecret = { ...credentials, client_secret: 'wrong' }
      await expectOAuthError(
        await token({ grant_type: 'authorization_code', code: 'x', ...wrongSecret }),
        400,
        'invalid_client',
      )
      // RFC 6749 5.2: a failed Authorization header gets 401 and the scheme to use.
      const basic = await token(
        { grant_type: 'authorization_code', code: 'x' },
        { authorization: `Basic ${btoa(`${registered.client_id}:wrong`)}` },
      )
      expect(basic.headers.get('www-authenticate')).toMatch(/^Basic\b/)
      await expectOAuthError(basic, 401, 'invalid_client')
      await expectOAuthError(
        await token({
          grant_type: 'authorization_code',
          code: 'not-a-code',
          redirect_uri: REDIRECT_URI,
          ...credentials,
        }),
        400,
        'invalid_grant',
      )
      await expectOAuthError(
        await token({ grant_type: 'urn:example:unknown', ...credentials }),
        400,
        'unsupported_grant_type',
      )
      await expectOAuthError(await token({ ...credentials }), 400, 'invalid_request')
    })

    it('RFC 6750 3 / 3.1: UserInfo without a valid bearer token is 401 with WWW-Authenticate', async () => {
      const none = await fetch(metadata().userinfo_endpoint!)
      expect(none.status).toBe(401)
      expect(none.headers.get('www-authenticate')).toMatch(/^Bearer\b/)
      const bogus = await fetch(metadata().userinfo_endpoint!, {
        headers: { authorization: 'Bearer not-a-token' },
      })
      expect(bogus.status).toBe(401)
      expect(bogus.headers.get('www-authenticate')).toMatch(/error="invalid_token"/)
    })

    it('RFC 6749 3.1.2.4 / 4.1.2.1: an unregistered redirect_uri is never redirected to', async () => {
      const jar = new CookieJar()
      await codeFlow('openid', { jar })
      for (const redirectUri of ['https://evil.example/cb', `${REDIRECT_URI}/extra`]) {
        const { url } = await request({ scope: 'openid', redirect_uri: redirectUri })
        // Even for a browser with a session, which would otherwise go straight back.
        const answer = await navigate(url, jar)
        expect(answer.status).toBe(400)
        expect(answer.headers.get('location')).toBeNull()
        expect(await answer.text()).not.toContain('evil.example/cb?')
      }
    })

    it('RFC 7636 4.4.1 / RFC 6749 4.1.2.1: other request errors go to the registered redirect_uri with state', async () => {
      const { url } = await request({ scope: 'openid', code_challenge_method: 'S512', state: 'st' })
      const callback = callbackOf(await navigate(url, new CookieJar()))
      expect(callback.searchParams.get('error')).toBe('invalid_request')
      expect(callback.searchParams.get('state')).toBe('st')
      expectIss(callback.searchParams)
    })
  })
}

/** The built-in confirmation page: one form, one button (RP-Initiated Logout 1.0 2). */
async function confirmBuiltInLogout(endSessionUrl: URL, jar: CookieJar): Promise<Response> {
  const page = await navigate(endSessionUrl, jar)
  expect(page.status).toBe(200)
  return submitForm(await page.text(), jar, { url: page.url })
}
