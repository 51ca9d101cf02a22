import { verifyJwt } from '@oidkit/jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  authorizeUrl,
  CookieJar,
  expectSecurityHeaders,
  locationOf,
  loginAndConsent,
  open,
  POST_LOGOUT_URI,
  pageOf,
  parseForm,
  REDIRECT_URI,
  type RegisteredClient,
  type RunningDemo,
  registerClient,
  startDemo,
  submit,
  tokenRequest,
} from './test-support'

// scrypt (N=2^17) and key generation are slow by design; parallel test files share the CPU.
const SLOW = 60_000

describe('demo OP: login, consent, tokens and logout through the HTML forms', {
  timeout: SLOW,
}, () => {
  let demo: RunningDemo
  let client: RegisteredClient

  beforeAll(async () => {
    demo = await startDemo()
    // An https redirect URI on a host nobody resolves: the OP never contacts it.
    client = await registerClient(demo.issuer)
  })
  afterAll(() => demo.stop())

  it('OIDC Discovery 1.0 3: discovery advertises every flow, mode, grant and auth method of the contract', async () => {
    const response = await fetch(`${demo.issuer}/.well-known/openid-configuration`)
    const metadata = (await response.json()) as Record<string, unknown>
    expect(metadata.issuer).toBe(demo.issuer)
    expect(metadata.response_types_supported).toEqual(
      expect.arrayContaining([
        'code',
        'id_token',
        'id_token token',
        'code id_token',
        'code token',
        'code id_token token',
      ]),
    )
    expect(metadata.response_modes_supported).toEqual(
      expect.arrayContaining(['query', 'fragment', 'form_post']),
    )
    expect(metadata.grant_types_supported).toEqual(
      expect.arrayContaining([
        'authorization_code',
        'implicit',
        'refresh_token',
        'client_credentials',
      ]),
    )
    expect(metadata.code_challenge_methods_supported).toEqual(['S256'])
    expect(metadata.token_endpoint_auth_methods_supported).toEqual(
      expect.arrayContaining([
        'client_secret_basic',
        'client_secret_post',
        'none',
        'client_secret_jwt',
        'private_key_jwt',
      ]),
    )
    expect(metadata.scopes_supported).toEqual(
      expect.arrayContaining(['openid', 'profile', 'email', 'address', 'phone', 'offline_access']),
    )
    expect(metadata.claims_parameter_supported).toBe(true)
    for (const endpoint of [
      'registration_endpoint',
      'userinfo_endpoint',
      'revocation_endpoint',
      'introspection_endpoint',
      'end_session_endpoint',
    ]) {
      expect(metadata[endpoint], endpoint).toMatch(new RegExp(`^${demo.issuer}/`))
    }
    // The key set holds both algorithms the demo creates.
    expect(metadata.id_token_signing_alg_values_supported).toEqual(
      expect.arrayContaining(['RS256', 'ES256']),
    )
  })

  it('OIDC Core 3.1 / RFC 7636 4.6: code + PKCE login as alice, consent, token, UserInfo has her claims', async () => {
    const jar = new CookieJar()
    const scope = 'openid profile email address phone offline_access'
    const { url, verifier, state, nonce } = authorizeUrl(demo.issuer, client, { scope })

    const login = await open(url, jar)
    expect(login.response.status).toBe(200)
    expectSecurityHeaders(login.response)
    const loginForm = parseForm(login.html, login.url)
    expect(loginForm.method).toBe('POST')
    expect(login.html).toMatch(/<input type="password" id="password" name="password"/)
    expect(login.html).toMatch(/<label for="username">/)
    expect(loginForm.fields.map(([name]) => name)).toEqual(['csrf', 'username', 'password'])

    const consentResponse = await submit(login, jar, {
      fill: { username: 'alice', password: 'wonderland' },
    })
    expect(consentResponse.status).toBe(200)
    expectSecurityHeaders(consentResponse)
    const consent = await pageOf(consentResponse)
    expect(consent.html).toContain('Test RP')
    expect(consent.html).toContain('Your postal address')
    expect(consent.html).toContain('Stay connected')
    // The first button approves; the deny button says so.
    expect(parseForm(consent.html, consent.url).buttons).toEqual([
      { name: 'decision', value: 'approve' },
      { name: 'decision', value: 'deny' },
    ])

    const redirect = await submit(consent, jar)
    expect(redirect.status).toBe(303)
    const callback = locationOf(redirect)
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI)
    expect(callback.searchParams.get('state')).toBe(state)
    // RFC 9207 2: the issuer identifies the OP that answered.
    expect(callback.searchParams.get('iss')).toBe(demo.issuer)
    const code = callback.searchParams.get('code')!

    const token = await tokenRequest(demo.issuer, client, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
    })
    expect(token.status).toBe(200)
    // OIDC Core 11: offline_access after consent yields a refresh token.
    expect(token.body.refresh_token).toBeTypeOf('string')
    const alice = demo.accounts.findByUsername('alice')!
    const { payload } = await verifyJwt(token.body.id_token as string, {
      keys: new URL(`${demo.issuer}/jwks`),
      issuer: demo.issuer,
      audience: client.client_id,
    })
    expect(payload).toMatchObject({ sub: alice.id, nonce })
    // OIDC Core 2: the login used a password.
    expect(payload.amr).toEqual(['pwd'])

    const userinfo = await fetch(`${demo.issuer}/userinfo`, {
      headers: { authorization: `Bearer ${token.body.access_token}` },
    })
    expect(userinfo.status).toBe(200)
    expect(await userinfo.json()).toMatchObject({
      sub: alice.id,
      name: 'Alice Liddell',
      given_name: 'Alice',
      family_name: 'Liddell',
      preferred_username: 'alice',
      birthdate: '1852-05-04',
      email: 'alice@example.com',
      email_verified: true,
      address: { locality: 'Oxford', country: 'GB', postal_code: 'OX1 1DP' },
      phone_number: '+44 1865 276150',
      phone_number_verified: true,
    })
  })

  it('OIDC Core 5.5: the consent page lists claims asked for with the claims parameter; UserInfo releases them', async () => {
    const jar = new CookieJar()
    const claims = JSON.stringify({
      userinfo: { email: { essential: true }, phone_number: null },
    })
    const { url, verifier } = authorizeUrl(demo.issuer, client, { scope: 'openid', claims })
    const login = await open(url, jar)
    const consent = await pageOf(
      await submit(login, jar, { fill: { username: 'bob', password: 'builder' } }),
    )
    expect(consent.html).toContain('Specific details requested')
    expect(consent.html).toMatch(/<code>email<\/code>.*Required by the app/)
    expect(consent.html).toMatch(/<code>phone_number<\/code>.*Optional/)
    const callback = locationOf(await submit(consent, jar))
    const { body } = await tokenRequest(demo.issuer, client, {
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code')!,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
    })
    const userinfo = await fetch(`${demo.issuer}/userinfo`, {
      headers: { authorization: `Bearer ${body.access_token}` },
    })
    // Only what was asked for: no profile scope, so no name.
    expect(await userinfo.json()).toEqual({
      sub: demo.accounts.findByUsername('bob')!.id,
      email: 'bob@example.org',
      phone_number: '+1 555 0100',
    })
  })

  it('RFC 6749 4.1.2.1: the deny button sends access_denied to the client with the state', async () => {
    const fresh = await registerClient(demo.issuer)
    const jar = new CookieJar()
    const { url, state } = authorizeUrl(demo.issuer, fresh, { scope: 'openid profile' })
    const login = await open(url, jar)
    const consent = await pageOf(
      await submit(login, jar, { fill: { username: 'bob', password: 'builder' } }),
    )
    const denied = await submit(consent, jar, { button: { name: 'decision', value: 'deny' } })
    expect(denied.status).toBe(303)
    const callback = locationOf(denied)
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI)
    expect(callback.searchParams.get('error')).toBe('access_denied')
    expect(callback.searchParams.get('state')).toBe(state)
    expect(callback.searchParams.has('code')).toBe(false)
  })

  it('OIDC Core 3.1.2.3: consent is remembered, so the same browser goes straight back to the client', async () => {
    const jar = new CookieJar()
    const first = authorizeUrl(demo.issuer, client, { scope: 'openid email' })
    const callback = await loginAndConsent(first.url, jar, 'alice', 'wonderland')
    expect(callback.searchParams.get('code')).toBeTruthy()
    const second = authorizeUrl(demo.issuer, client, { scope: 'openid email', prompt: 'none' })
    const again = locationOf(await open(second.url, jar).then((page) => page.response))
    expect(again.searchParams.get('code')).toBeTruthy()
  })

  it('OIDC Core 3.3.2.5 / OAuth 2.0 Multiple Response Types 5: code id_token through the forms answers in the fragment', async () => {
    const hybrid = await registerClient(demo.issuer, {
      grant_types: ['authorization_code', 'implicit'],
      response_types: ['code id_token'],
    })
    const { url, nonce } = authorizeUrl(demo.issuer, hybrid, {
      response_type: 'code id_token',
      scope: 'openid email',
    })
    const callback = await loginAndConsent(url, new CookieJar(), 'bob', 'builder')
    expect(callback.search).toBe('')
    const fragment = new URLSearchParams(callback.hash.slice(1))
    expect(fragment.get('code')).toBeTruthy()
    const { payload } = await verifyJwt(fragment.get('id_token')!, {
      keys: new URL(`${demo.issuer}/jwks`),
      issuer: demo.issuer,
      audience: hybrid.client_id,
    })
    expect(payload.nonce).toBe(nonce)
    expect(payload.c_hash).toBeTypeOf('string')
  })

  it('OAuth 2.0 Form Post Response Mode 2: response_mode=form_post answers with a form to the redirect URI', async () => {
    const fresh = await registerClient(demo.issuer)
    const { url, state } = authorizeUrl(demo.issuer, fresh, { response_mode: 'form_post' })
    const jar = new CookieJar()
    const page = await open(url, jar)
    expect(page.response.status).toBe(200)
    const consent = await pageOf(
      await submit(page, jar, { fill: { username: 'alice', password: 'wonderland' } }),
    )
    const posted = await pageOf(await submit(consent, jar))
    expect(posted.response.status).toBe(200)
    const form = parseForm(posted.html, posted.url)
    expect(String(form.action)).toBe(REDIRECT_URI)
    const fields = new URLSearchParams(form.fields)
    expect(fields.get('state')).toBe(state)
    expect(fields.get('code')).toBeTruthy()
  })

  it('RFC 6749 4.4: a client registered for client_credentials gets a token without any page', async () => {
    const service = await registerClient(demo.issuer, {
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      post_logout_redirect_uris: [],
    })
    const token = await tokenRequest(demo.issuer, service, { grant_type: 'client_credentials' })
    expect(token.status).toBe(200)
    expect(token.body.access_token).toBeTypeOf('string')
    expect(token.body.refresh_token).toBeUndefined()
  })

  it('OWASP ASVS V11.1: CSRF token missing, wrong, foreign or without its cookie gets a 403 page', async () => {
    const jar = new CookieJar()
    const { url } = authorizeUrl(demo.issuer, client)
    const login = await open(url, jar)
    const form = parseForm(login.html, login.url)
    const post = (body: Record<string, string>, cookie = jar.header()) =>
      fetch(form.action, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(body),
      })
    const credentials = { username: 'alice', password: 'wonderland' }
    const token = new URLSearchParams(form.fields).get('csrf')!

    const missing = await post(credentials)
    expect(missing.status).toBe(403)
    expectSecurityHeaders(missing)
    expect(await missing.text()).toContain('Request refused')
    expect((await post({ ...credentials, csrf: `${token}x` })).status).toBe(403)
    // The browser's CSRF cookie is what the token is bound to.
    const withoutCsrfCookie = jar
      .header()
      .split('; ')
      .filter((cookie) => !cookie.startsWith('demo.csrf='))
      .join('; ')
    expect((await post({ ...credentials, csrf: token }, withoutCsrfCookie)).status).toBe(403)

    // A token of another interaction of the same browser does not fit this one.
    const other = await open(authorizeUrl(demo.issuer, client).url, jar)
    const otherToken = new URLSearchParams(parseForm(other.html, other.url).fields).get('csrf')!
    expect(otherToken).not.toBe(token)
    expect((await post({ ...credentials, csrf: otherToken })).status).toBe(403)

    // The genuine form still works afterwards.
    const ok = await post({ ...credentials, csrf: token })
    expect(ok.status).toBe(303)
  })

  it('OWASP ASVS V11.1: the consent and logout forms reject a missing CSRF token too', async () => {
    // A client alice never consented to, so the consent step is shown.
    const fresh = await registerClient(demo.issuer)
    const jar = new CookieJar()
    const { url } = authorizeUrl(demo.issuer, fresh, { scope: 'openid phone' })
    const login = await open(url, jar)
    const consent = await pageOf(
      await submit(login, jar, { fill: { username: 'alice', password: 'wonderland' } }),
    )
    const action = parseForm(consent.html, consent.url).action
    const forged = await fetch(action, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ decision: 'approve' }),
    })
    expect(forged.status).toBe(403)

    const logout = await open(`${demo.issuer}/session/end?client_id=${fresh.client_id}`, jar)
    expect(logout.response.status, logout.html).toBe(200)
    const logoutForm = parseForm(logout.html, logout.url)
    const forgedLogout = await fetch(logoutForm.action, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf: 'forged' }),
    })
    expect(forgedLogout.status).toBe(403)
  })

  it('RP-Initiated Logout 1.0 2 / 3: one-button confirmation, redirect with state, then prompt=none gets login_required', async () => {
    const jar = new CookieJar()
    const flow = authorizeUrl(demo.issuer, client, { scope: 'openid' })
    const callback = await loginAndConsent(flow.url, jar, 'alice', 'wonderland')
    const { body } = await tokenRequest(demo.issuer, client, {
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code')!,
      redirect_uri: REDIRECT_URI,
      code_verifier: flow.verifier,
    })

    const endSession = new URL(`${demo.issuer}/session/end`)
    endSession.search = new URLSearchParams({
      id_token_hint: body.id_token as string,
      post_logout_redirect_uri: POST_LOGOUT_URI,
      state: 'bye',
    }).toString()
    const confirmation = await open(endSession, jar)
    expect(confirmation.response.status).toBe(200)
    expectSecurityHeaders(confirmation.response)
    expect(confirmation.html).toContain('Test RP')
    expect(confirmation.html).toContain('Alice Liddell')
    expect(parseForm(confirmation.html, confirmation.url).buttons).toHaveLength(1)

    const done = await submit(confirmation, jar)
    expect(done.status).toBe(303)
    expect(locationOf(done).href).toBe(`${POST_LOGOUT_URI}?state=bye`)

    // OIDC Core 3.1.2.6: without a session, prompt=none cannot log anyone in.
    const silent = authorizeUrl(demo.issuer, client, { prompt: 'none' })
    const answer = await open(silent.url, jar)
    const error = locationOf(answer.response)
    expect(error.searchParams.get('error')).toBe('login_required')
    expect(error.searchParams.get('state')).toBe(silent.state)
  })

  it('RP-Initiated Logout 1.0 3: without a post_logout_redirect_uri the logged-out page is shown', async () => {
    const jar = new CookieJar()
    await loginAndConsent(
      authorizeUrl(demo.issuer, client, { scope: 'openid' }).url,
      jar,
      'bob',
      'builder',
    )
    const confirmation = await open(`${demo.issuer}/session/end`, jar)
    const done = await pageOf(await submit(confirmation, jar))
    expect(done.response.status).toBe(200)
    expectSecurityHeaders(done.response)
    expect(done.html).toContain('You are signed out')
  })

  it('RFC 6749 4.1.2.1: an unknown client gets the styled error page, never a redirect', async () => {
    const url = new URL(`${demo.issuer}/authorize`)
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: 'no-such-client',
      redirect_uri: REDIRECT_URI,
      scope: 'openid',
    }).toString()
    const response = await fetch(url, { redirect: 'manual', headers: { accept: 'text/html' } })
    expect(response.status).toBe(400)
    expect(response.headers.has('location')).toBe(false)
    expectSecurityHeaders(response)
    const html = await response.text()
    expect(html).toContain('Sign-in request refused')
    expect(html).toContain('oidkit demo')
  })

  it('HTML 4.10.21: interpolated client metadata is escaped on the consent page', async () => {
    const hostile = await registerClient(demo.issuer, { client_name: '<script>alert(1)</script>' })
    const jar = new CookieJar()
    const login = await open(authorizeUrl(demo.issuer, hostile).url, jar)
    const consent = await pageOf(
      await submit(login, jar, { fill: { username: 'alice', password: 'wonderland' } }),
    )
    expect(consent.html).not.toContain('<script>')
    expect(consent.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
  })

  it('OWASP Secure Headers: the home page, error pages and 404 carry the security headers', async () => {
    const home = await fetch(`${demo.issuer}/`)
    expect(home.status).toBe(200)
    expectSecurityHeaders(home)
    const html = await home.text()
    expect(html).toContain(`${demo.issuer}/.well-known/openid-configuration`)
    expect(html).not.toMatch(/<script|<link|<img/)
    const missing = await fetch(`${demo.issuer}/nope`)
    expect(missing.status).toBe(404)
    expectSecurityHeaders(missing)
    const expired = await fetch(`${demo.issuer}/interaction/unknown`)
    expect(expired.status).toBe(400)
    expectSecurityHeaders(expired)
  })
})

describe('demo OP: login rate limit', { timeout: SLOW }, () => {
  let demo: RunningDemo
  let client: RegisteredClient

  beforeAll(async () => {
    demo = await startDemo()
    client = await registerClient(demo.issuer)
  })
  afterAll(() => demo.stop())

  it('OWASP ASVS V2.2.1: a wrong password shows an error; the 6th attempt in 15 minutes gets 429', async () => {
    const jar = new CookieJar()
    let page = await open(authorizeUrl(demo.issuer, client).url, jar)
    for (let attempt = 1; attempt <= 5; attempt++) {
      const response = await submit(page, jar, { fill: { username: 'alice', password: 'nope' } })
      expect(response.status, `attempt ${attempt}`).toBe(401)
      expectSecurityHeaders(response)
      page = await pageOf(response)
      expect(page.html).toContain('Incorrect username or password.')
      // The username stays filled in; the password does not.
      expect(page.html).toContain('value="alice"')
    }
    // Even the right password is refused while the account is locked.
    const blocked = await submit(page, jar, {
      fill: { username: 'alice', password: 'wonderland' },
    })
    expect(blocked.status).toBe(429)
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0)
    expectSecurityHeaders(blocked)
    expect(await blocked.text()).toContain('Too many attempts')

    // Another account from the same browser is not locked by alice's failures.
    const bob = await submit(page, jar, { fill: { username: 'bob', password: 'builder' } })
    expect(bob.status).toBe(200)
  })
})
