import { exportJWK, generateKeyPair } from 'jose'
import * as oauth from 'oauth4webapi'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { browserAuthorize, CookieJar, type Harness, startHarness } from './harness'

const insecure = { [oauth.allowInsecureRequests]: true } as const
const redirectUri = 'https://client.example/cb'
const RESOURCE_SERVER = 'resource server'

describe('end to end with oauth4webapi (a certified RP library) over real HTTP', () => {
  let h: Harness
  let as: oauth.AuthorizationServer

  beforeAll(async () => {
    h = await startHarness({
      grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
      // RFC 7662 2.1: a resource server may introspect every client's tokens.
      introspection: {
        allow: (caller, token) =>
          caller.client_name === RESOURCE_SERVER || token.clientId === caller.client_id,
      },
    })
    const issuer = new URL(h.issuer)
    as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }),
    )
  })
  afterAll(() => h.close())

  async function register(metadata: Partial<oauth.Client> & Record<string, unknown>) {
    const response = await oauth.dynamicClientRegistrationRequest(as, metadata, insecure)
    return oauth.processDynamicClientRegistrationResponse(response)
  }

  /** A confidential client of the code flow with refresh tokens (RFC 6749 4.1, 6). */
  const codeClient = (method: string) =>
    register({
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: method,
    })

  /** The authorization endpoint URL with these query parameters. */
  function authorizationUrl(params: Record<string, string>): URL {
    const url = new URL(as.authorization_endpoint!)
    url.search = new URLSearchParams(params).toString()
    return url
  }

  /** RFC 7662: introspects `token` as `client`. */
  const introspect = async (client: oauth.Client, auth: oauth.ClientAuth, token: string) =>
    oauth.processIntrospectionResponse(
      as,
      client,
      await oauth.introspectionRequest(as, client, auth, token, insecure),
    )

  /** RFC 6749 4.1.3: the token request for the code in `params`, with the PKCE verifier. */
  const redeem = (
    client: oauth.Client,
    auth: oauth.ClientAuth,
    params: URLSearchParams,
    verifier: string,
  ) =>
    oauth.authorizationCodeGrantRequest(as, client, auth, params, redirectUri, verifier, insecure)

  async function codeFlow(
    client: oauth.Client,
    auth: oauth.ClientAuth,
    scope = 'offline_access',
  ): Promise<oauth.TokenEndpointResponse> {
    const verifier = oauth.generateRandomCodeVerifier()
    const state = oauth.generateRandomState()
    const url = authorizationUrl({
      client_id: client.client_id,
      redirect_uri: redirectUri,
      response_type: 'code',
      scope,
      state,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    })
    const callback = await browserAuthorize(url, new CookieJar())
    const params = oauth.validateAuthResponse(as, client, callback, state)
    const response = await redeem(client, auth, params, verifier)
    return oauth.processAuthorizationCodeResponse(as, client, response)
  }

  it('RFC 8414 3: discovery document matches the issuer and advertises PKCE S256', () => {
    expect(as.issuer).toBe(h.issuer)
    expect(as.code_challenge_methods_supported).toContain('S256')
    expect(as.authorization_response_iss_parameter_supported).toBe(true)
  })

  it('RFC 6749 4.1 + RFC 7636: code flow with PKCE, refresh with rotation, revocation, introspection', async () => {
    const client = await codeClient('client_secret_basic')
    const auth = oauth.ClientSecretBasic(client.client_secret as string)
    const tokens = await codeFlow(client, auth)
    expect(tokens.token_type).toBe('bearer')
    expect(tokens.refresh_token).toBeTypeOf('string')

    // RFC 7662 2.2: the token is active.
    const active = await introspect(client, auth, tokens.access_token)
    expect(active).toMatchObject({ active: true, client_id: client.client_id, sub: 'alice' })

    // RFC 6749 6 / RFC 9700 4.14.2: rotation issues a new refresh token.
    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, auth, tokens.refresh_token!, insecure),
    )
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token)

    // Reusing the rotated refresh token revokes the whole grant.
    const reuse = await oauth.refreshTokenGrantRequest(
      as,
      client,
      auth,
      tokens.refresh_token!,
      insecure,
    )
    expect(reuse.status).toBe(400)
    expect(await reuse.json()).toMatchObject({ error: 'invalid_grant' })
    const afterReuse = await introspect(client, auth, refreshed.access_token)
    expect(afterReuse.active).toBe(false)
  })

  it('RFC 7009 2.1: revoking a refresh token ends its grant; introspection says inactive', async () => {
    const client = await codeClient('client_secret_post')
    const auth = oauth.ClientSecretPost(client.client_secret as string)
    const tokens = await codeFlow(client, auth)
    await oauth.processRevocationResponse(
      await oauth.revocationRequest(as, client, auth, tokens.refresh_token!, insecure),
    )
    const result = await introspect(client, auth, tokens.access_token)
    expect(result.active).toBe(false)
  })

  it('RFC 6749 4.4: client credentials with every confidential client authentication method', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256')
    const cases: Array<[string, Record<string, unknown>, (c: oauth.Client) => oauth.ClientAuth]> = [
      ['client_secret_basic', {}, (c) => oauth.ClientSecretBasic(c.client_secret as string)],
      ['client_secret_post', {}, (c) => oauth.ClientSecretPost(c.client_secret as string)],
      ['client_secret_jwt', {}, (c) => oauth.ClientSecretJwt(c.client_secret as string)],
      [
        'private_key_jwt',
        { jwks: { keys: [{ ...(await exportJWK(publicKey)), alg: 'ES256' }] } },
        () => oauth.PrivateKeyJwt(privateKey),
      ],
    ]
    for (const [method, extra, auth] of cases) {
      const client = await register({
        grant_types: ['client_credentials'],
        response_types: [],
        token_endpoint_auth_method: method,
        ...extra,
      })
      const response = await oauth.clientCredentialsGrantRequest(
        as,
        client,
        auth(client),
        {},
        insecure,
      )
      const tokens = await oauth.processClientCredentialsResponse(as, client, response)
      expect(tokens.access_token, method).toBeTypeOf('string')
    }
  })

  it('RFC 6749 2.1 / RFC 7636: a public client (none) with PKCE', async () => {
    const client = await register({
      redirect_uris: [redirectUri],
      token_endpoint_auth_method: 'none',
    })
    expect(client.client_secret).toBeUndefined()
    const tokens = await codeFlow(client, oauth.None(), '')
    expect(tokens.access_token).toBeTypeOf('string')
  })

  it('RFC 6749 10.5: of 20 concurrent redemptions of one code over HTTP exactly one succeeds', async () => {
    const client = await register({ redirect_uris: [redirectUri] })
    const auth = oauth.ClientSecretBasic(client.client_secret as string)
    const verifier = oauth.generateRandomCodeVerifier()
    const url = authorizationUrl({
      client_id: client.client_id,
      redirect_uri: redirectUri,
      response_type: 'code',
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    })
    const callback = await browserAuthorize(url, new CookieJar())
    const params = oauth.validateAuthResponse(as, client, callback, oauth.expectNoState)
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => redeem(client, auth, params, verifier)),
    )
    expect(responses.filter((r) => r.status === 200)).toHaveLength(1)
    expect(responses.filter((r) => r.status === 400)).toHaveLength(19)
  })

  it('RFC 7592: read, update and delete a registration with the registration access token', async () => {
    const client = await register({ redirect_uris: [redirectUri], client_name: 'first' })
    const uri = client.registration_client_uri as string
    const headers = { authorization: `Bearer ${client.registration_access_token}` }
    const read = await fetch(uri, { headers })
    expect(read.status).toBe(200)
    expect(await read.json()).toMatchObject({ client_id: client.client_id, client_name: 'first' })
    const update = await fetch(uri, {
      method: 'PUT',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({
        client_id: client.client_id,
        redirect_uris: [redirectUri],
        client_name: 'second',
      }),
    })
    expect(update.status).toBe(200)
    expect(await update.json()).toMatchObject({ client_name: 'second' })
    expect((await fetch(uri, { method: 'DELETE', headers })).status).toBe(204)
    expect((await fetch(uri, { headers })).status).toBe(401)
  })

  it("RFC 7592 2.3: deleting a client invalidates its tokens at once, as a resource server's introspection shows", async () => {
    const client = await codeClient('client_secret_basic')
    const tokens = await codeFlow(client, oauth.ClientSecretBasic(client.client_secret as string))
    const rs = await register({
      client_name: RESOURCE_SERVER,
      grant_types: ['client_credentials'],
      response_types: [],
    })
    const rsAuth = oauth.ClientSecretBasic(rs.client_secret as string)
    const before = await introspect(rs, rsAuth, tokens.access_token)
    expect(before).toMatchObject({ active: true, client_id: client.client_id })
    const deleted = await fetch(client.registration_client_uri as string, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${client.registration_access_token}` },
    })
    expect(deleted.status).toBe(204)
    for (const token of [tokens.access_token, tokens.refresh_token!]) {
      expect(await introspect(rs, rsAuth, token)).toEqual({ active: false })
    }
  })

  it('RFC 6749 4.1.2.1: access_denied is redirected with state and iss (RFC 9207)', async () => {
    const client = await register({ redirect_uris: [redirectUri] })
    const url = authorizationUrl({
      client_id: client.client_id,
      redirect_uri: redirectUri,
      response_type: 'code',
      state: 'xyz',
      code_challenge: await oauth.calculatePKCECodeChallenge(oauth.generateRandomCodeVerifier()),
      code_challenge_method: 'S256',
    })
    const callback = await browserAuthorize(url, new CookieJar(), { deny: '1' })
    expect(Object.fromEntries(callback.searchParams)).toEqual({
      error: 'access_denied',
      state: 'xyz',
      iss: h.issuer,
      ...(callback.searchParams.has('error_description')
        ? { error_description: callback.searchParams.get('error_description') }
        : {}),
    })
    expect(() => oauth.validateAuthResponse(as, client, callback, 'xyz')).toThrow()
  })
})
