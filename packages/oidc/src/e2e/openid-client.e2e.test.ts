import { CodeIDToken, HybridIDToken, ImplicitIDToken } from '@oidkit/jose'
import { decodeJwt, decodeProtectedHeader } from 'jose'
import * as client from 'openid-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { browserAuthorize, CookieJar, registerClient } from '../../../oauth2/src/e2e/harness'
import { leftHalfSha256 } from '../test-support/id-token-checks'
import { type OidcHarness, startOidcHarness } from './harness'

const redirectUri = 'https://rp.example/cb'
const postLogout = 'https://rp.example/logged-out'

describe('end to end with openid-client 6 (a certified RP) over real HTTP', () => {
  let h: OidcHarness
  let config: client.Configuration
  let registered: { client_id: string; client_secret?: string }

  beforeAll(async () => {
    h = await startOidcHarness()
    const issuer = new URL(h.issuer)
    config = await client.dynamicClientRegistration(
      issuer,
      {
        redirect_uris: [redirectUri],
        post_logout_redirect_uris: [postLogout],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      },
      undefined,
      { execute: [client.allowInsecureRequests] },
    )
    registered = config.clientMetadata() as typeof registered
  })
  afterAll(() => h.close())

  async function login(scope: string, extra: Record<string, string> = {}, jar = new CookieJar()) {
    const verifier = client.randomPKCECodeVerifier()
    const state = client.randomState()
    const nonce = client.randomNonce()
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope,
      state,
      nonce,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      ...extra,
    })
    const callback = await browserAuthorize(url, jar)
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    })
    return { tokens, jar, nonce }
  }

  it('OIDC Discovery 1.0 4: openid-client discovers the provider', async () => {
    const fresh = await client.discovery(
      new URL(h.issuer),
      registered.client_id,
      registered.client_secret,
      undefined,
      { execute: [client.allowInsecureRequests] },
    )
    const metadata = fresh.serverMetadata()
    expect(metadata.issuer).toBe(h.issuer)
    expect(metadata.id_token_signing_alg_values_supported).toContain('RS256')
    expect(metadata.userinfo_endpoint).toBe(`${h.issuer}/userinfo`)
    expect(metadata.end_session_endpoint).toBeTypeOf('string')
  })

  it('OIDC Core 3.1: code flow with PKCE (client_secret_post, openid-client default), UserInfo, refresh', async () => {
    const { tokens, nonce } = await login('openid profile email offline_access')
    const claims = tokens.claims()!
    expect(claims).toMatchObject({ iss: h.issuer, sub: 'alice', aud: registered.client_id, nonce })
    expect(claims.auth_time).toBeTypeOf('number')
    // OIDC Core 3.1.3.6: at_hash, checked independently of oidkit.
    expect(claims.at_hash).toBe(leftHalfSha256(tokens.access_token))
    await expect(
      CodeIDToken.validate(decodeJwt(tokens.id_token!), {
        issuer: h.issuer,
        audience: registered.client_id,
        nonce,
        alg: 'RS256',
        accessToken: tokens.access_token,
      }),
    ).resolves.toBeTruthy()

    // OIDC Core 5.3 / 5.4: UserInfo filtered by the granted scopes; sub equals the ID token's.
    const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub)
    expect(userinfo).toMatchObject({
      sub: 'alice',
      name: 'Alice Liddell',
      email: 'alice@example.com',
    })
    expect(userinfo).not.toHaveProperty('address')
    expect(userinfo).not.toHaveProperty('phone_number')

    // OIDC Core 12.2: a refresh returns a new ID token for the same sub, without nonce.
    expect(tokens.refresh_token).toBeTypeOf('string')
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!)
    const refreshedClaims = refreshed.claims()!
    expect(refreshedClaims.sub).toBe('alice')
    expect(refreshedClaims).not.toHaveProperty('nonce')
    expect(refreshedClaims.auth_time).toBe(claims.auth_time)
  })

  it('OIDC Core 11: no refresh token without offline_access', async () => {
    const { tokens } = await login('openid email')
    expect(tokens.refresh_token).toBeUndefined()
  })

  it('OIDC Core 5.5: the claims parameter releases individual claims to the ID token', async () => {
    const { tokens } = await login('openid', {
      claims: JSON.stringify({
        id_token: { email: { essential: true } },
        userinfo: { name: null },
      }),
    })
    expect(tokens.claims()).toMatchObject({ sub: 'alice', email: 'alice@example.com' })
    const userinfo = await client.fetchUserInfo(config, tokens.access_token, 'alice')
    expect(userinfo).toEqual({ sub: 'alice', name: 'Alice Liddell' })
  })

  it('RP-Initiated Logout 1.0 2: the logout URL ends the session; prompt=none then gets login_required', async () => {
    const { tokens, jar } = await login('openid')
    const url = client.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: postLogout,
      state: 'bye',
    })
    // The confirmation page is a form with one submit button; submitting it logs out.
    const page = await fetch(url, { headers: { cookie: jar.header() } })
    jar.store(page)
    const html = await page.text()
    expect(page.status).toBe(200)
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, '&')
    const fields = [
      ...html.matchAll(/<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g),
    ]
    const form = new URLSearchParams(fields.map((m) => [m[1]!, m[2]!.replace(/&amp;/g, '&')]))
    const done = await fetch(new URL(action ?? url.pathname, h.issuer), {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    })
    jar.store(done)
    const location = new URL(done.headers.get('location')!)
    expect(`${location.origin}${location.pathname}`).toBe(postLogout)
    expect(location.searchParams.get('state')).toBe('bye')

    const again = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid',
      prompt: 'none',
      state: 's',
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    })
    const answer = await fetch(again, { redirect: 'manual', headers: { cookie: jar.header() } })
    const error = new URL(answer.headers.get('location')!)
    expect(error.searchParams.get('error')).toBe('login_required')
  })
})

describe('implicit and hybrid responses, hand-checked (OIDC Core 3.2, 3.3)', () => {
  let h: OidcHarness
  let clientId: string
  let secret: string

  beforeAll(async () => {
    h = await startOidcHarness()
    const body = await registerClient(h.issuer, {
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code', 'implicit'],
      response_types: [
        'id_token',
        'id_token token',
        'code id_token',
        'code token',
        'code id_token token',
      ],
    })
    clientId = body.client_id
    secret = body.client_secret
  })
  afterAll(() => h.close())

  async function authorize(responseType: string, nonce = 'n-0S6_WzA2Mj') {
    const url = new URL(`${h.issuer}/authorize`)
    url.search = new URLSearchParams({
      client_id: clientId,
      redirect_uri: redirectUri,
      response_type: responseType,
      scope: 'openid profile',
      state: 'af0ifjsldkj',
      nonce,
    }).toString()
    const callback = await browserAuthorize(url, new CookieJar())
    return new URLSearchParams(callback.hash.slice(1))
  }

  it('OIDC Core 3.2.2.5: id_token token in the fragment, at_hash over the access token', async () => {
    const params = await authorize('id_token token')
    const idToken = params.get('id_token')!
    const claims = decodeJwt(idToken)
    expect(params.get('state')).toBe('af0ifjsldkj')
    expect(params.get('iss')).toBe(h.issuer)
    expect(claims.at_hash).toBe(leftHalfSha256(params.get('access_token')!))
    await expect(
      ImplicitIDToken.validate(claims, {
        issuer: h.issuer,
        audience: clientId,
        nonce: 'n-0S6_WzA2Mj',
        alg: decodeProtectedHeader(idToken).alg!,
        accessToken: params.get('access_token')!,
      }),
    ).resolves.toBeTruthy()
  })

  it('OIDC Core 3.2.2.10 / 5.4: id_token alone carries the scope claims', async () => {
    const params = await authorize('id_token')
    expect(params.has('access_token')).toBe(false)
    expect(decodeJwt(params.get('id_token')!)).toMatchObject({
      sub: 'alice',
      name: 'Alice Liddell',
    })
  })

  it.each(['code id_token', 'code token', 'code id_token token'])(
    'OIDC Core 3.3.2.11: %s carries c_hash/at_hash and a code redeemable for the same sub',
    async (responseType) => {
      const params = await authorize(responseType)
      const code = params.get('code')!
      expect(code).toBeTypeOf('string')
      let sub: unknown
      if (params.has('id_token')) {
        const idToken = params.get('id_token')!
        const claims = decodeJwt(idToken)
        sub = claims.sub
        expect(claims.c_hash).toBe(leftHalfSha256(code))
        if (params.has('access_token'))
          expect(claims.at_hash).toBe(leftHalfSha256(params.get('access_token')!))
        await expect(
          HybridIDToken.validate(claims, {
            issuer: h.issuer,
            audience: clientId,
            nonce: 'n-0S6_WzA2Mj',
            alg: decodeProtectedHeader(idToken).alg!,
            code,
            ...(params.has('access_token') ? { accessToken: params.get('access_token')! } : {}),
          }),
        ).resolves.toBeTruthy()
      }
      const token = await fetch(`${h.issuer}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${btoa(`${clientId}:${secret}`)}`,
        },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: redirectUri,
        }),
      })
      expect(token.status).toBe(200)
      const body = (await token.json()) as { id_token: string }
      const fromToken = decodeJwt(body.id_token)
      expect(fromToken.sub).toBe('alice')
      if (sub !== undefined) expect(fromToken.sub).toBe(sub)
    },
  )

  it('OIDC Core 3.2.2.1: a missing nonce is invalid_request in the fragment with state and iss', async () => {
    const url = new URL(`${h.issuer}/authorize`)
    url.search = new URLSearchParams({
      client_id: clientId,
      redirect_uri: redirectUri,
      response_type: 'id_token',
      scope: 'openid',
      state: 'st',
    }).toString()
    const callback = await browserAuthorize(url, new CookieJar())
    const params = new URLSearchParams(callback.hash.slice(1))
    expect(params.get('error')).toBe('invalid_request')
    expect(params.get('state')).toBe('st')
    expect(params.get('iss')).toBe(h.issuer)
  })
})
