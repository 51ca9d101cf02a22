import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { generateSigningKey, type SigningInput, type SigningKey, signJwt } from '@oidkit/jose'
import { base64url } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Client } from './client'
import { authenticateClient, JWT_BEARER_ASSERTION_TYPE } from './client-auth'
import type { AuthorizationServerConfig } from './config'
import { randomToken, sha256 } from './crypto'
import { OAuthError } from './errors'
import type { Endpoint } from './plugin'
import { parseRequest } from './request'
import { TEST_ISSUER as issuer, testServer } from './test-support/test-server'
import { tokenEndpoint } from './token-endpoint'

const tokenUrl = `${issuer}/token`
const HMAC_SECRET = 'a-shared-secret-long-enough-for-hs512-0123456789-abcdefghijklmnop'
let clientKey: SigningKey
let strangerKey: SigningKey

beforeAll(async () => {
  clientKey = await generateSigningKey('ES256')
  strangerKey = await generateSigningKey('ES256')
})

const introspection: Endpoint = {
  name: 'introspection',
  path: '/introspect',
  methods: ['POST'],
  handle: async () => new Response(null),
}

// RFC 6749 2.3.1 / Appendix B: the id and secret are form-urlencoded before base64.
const formEncode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+')
const basic = (id: string, secret: string) =>
  `Basic ${btoa(`${formEncode(id)}:${formEncode(secret)}`)}`

async function setup(config: Partial<AuthorizationServerConfig> = {}) {
  const now = Math.floor(Date.now() / 1000)
  const events: Array<{ client: Client; method: string; endpoint: string }> = []
  const clients: Client[] = [
    { client_id: 'basic-client', client_secret_hash: await sha256('s3cret') },
    {
      client_id: 'post-client',
      token_endpoint_auth_method: 'client_secret_post',
      client_secret_hash: await sha256('post-secret'),
    },
    {
      client_id: 'weird id:+&é',
      client_secret_hash: await sha256('p@ss:w%rd +/=é'),
    },
    { client_id: 'public-client', token_endpoint_auth_method: 'none' },
    {
      client_id: 'hmac-client',
      token_endpoint_auth_method: 'client_secret_jwt',
      client_secret: HMAC_SECRET,
    },
    {
      client_id: 'hash-only-jwt',
      token_endpoint_auth_method: 'client_secret_jwt',
      client_secret_hash: await sha256(HMAC_SECRET),
    },
    {
      client_id: 'key-client',
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [{ ...clientKey.publicJwk, kty: clientKey.publicJwk.kty! }] },
    },
    {
      client_id: 'pinned-client',
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: 'ES384',
      jwks: { keys: [{ ...clientKey.publicJwk, kty: clientKey.publicJwk.kty! }] },
    },
    {
      client_id: 'expired-client',
      client_secret_hash: await sha256('old-secret'),
      client_secret_expires_at: now - 1,
    },
  ]
  const { server, storage } = await testServer({
    config: { events: { clientAuthenticated: (event) => void events.push(event) }, ...config },
    endpoints: [tokenEndpoint, introspection],
    clients,
    start: now,
  })

  async function authenticate(
    form: Record<string, string>,
    headers: Record<string, string> = {},
    endpoint = 'token',
  ) {
    const request = new Request(`${issuer}/${endpoint}`, {
      method: 'POST',
      headers,
      body: new URLSearchParams(form),
    })
    const req = await parseRequest(request, { methods: ['POST'], body: 'form', maxBodySize: 65536 })
    const result = await authenticateClient(server, req, endpoint)
    return { ...result, request }
  }
  async function failure(...args: Parameters<typeof authenticate>): Promise<OAuthError> {
    const error = await authenticate(...args).then(
      () => undefined,
      (e: unknown) => e,
    )
    if (!(error instanceof OAuthError)) throw new Error(`expected an OAuthError, got ${error}`)
    return error
  }
  async function assertion(
    clientId: string,
    key: SigningInput,
    claims: Record<string, unknown> = {},
    alg?: 'HS256' | 'HS512' | 'ES256',
  ) {
    const payload = {
      iss: clientId,
      sub: clientId,
      aud: tokenUrl,
      iat: now,
      exp: now + 60,
      jti: randomToken(16),
      ...claims,
    }
    for (const [name, value] of Object.entries(payload)) {
      if (value === undefined) delete payload[name as keyof typeof payload]
    }
    return signJwt(payload, { key, ...(alg ? { alg } : {}) })
  }
  const assertionForm = (jwt: string, extra: Record<string, string> = {}) => ({
    grant_type: 'client_credentials',
    client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
    client_assertion: jwt,
    ...extra,
  })
  return { server, storage, now, events, authenticate, failure, assertion, assertionForm }
}

describe('client_secret_basic and client_secret_post (RFC 6749 2.3.1)', () => {
  it('RFC 6749 2.3.1: client_secret_basic authenticates, records the client and emits the event', async () => {
    const { authenticate, server, events } = await setup()
    const { client, method, request } = await authenticate(
      { grant_type: 'client_credentials' },
      { authorization: basic('basic-client', 's3cret') },
    )
    expect(client.client_id).toBe('basic-client')
    expect(method).toBe('client_secret_basic')
    expect(server.requestClients.get(request)?.client_id).toBe('basic-client')
    expect(events).toEqual([{ client, method: 'client_secret_basic', endpoint: 'token' }])
  })

  it('RFC 6749 2.3.1: the Basic id and secret are form-urldecoded after base64 (special characters)', async () => {
    const { authenticate } = await setup()
    const { client } = await authenticate(
      {},
      { authorization: basic('weird id:+&é', 'p@ss:w%rd +/=é') },
    )
    expect(client.client_id).toBe('weird id:+&é')
  })

  it('RFC 9110 11.1: the Basic scheme name is case-insensitive', async () => {
    const { authenticate } = await setup()
    const header = basic('basic-client', 's3cret').replace('Basic', 'bAsIc')
    const { method } = await authenticate({}, { authorization: header })
    expect(method).toBe('client_secret_basic')
  })

  it('RFC 6749 2.3.1: client_secret_post authenticates with client_id and client_secret in the body', async () => {
    const { authenticate } = await setup()
    const { client, method } = await authenticate({
      client_id: 'post-client',
      client_secret: 'post-secret',
    })
    expect([client.client_id, method]).toEqual(['post-client', 'client_secret_post'])
  })

  it('RFC 6749 2.3.1: basic and post are interchangeable for clients registered with either', async () => {
    const { authenticate } = await setup()
    const viaPost = await authenticate({ client_id: 'basic-client', client_secret: 's3cret' })
    expect(viaPost.method).toBe('client_secret_post')
    const viaBasic = await authenticate({}, { authorization: basic('post-client', 'post-secret') })
    expect(viaBasic.method).toBe('client_secret_basic')
  })

  it('RFC 6749 5.2: a wrong Basic secret is 401 invalid_client with a Basic challenge', async () => {
    const { failure } = await setup()
    const error = await failure({}, { authorization: basic('basic-client', 'wrong') })
    expect(error.error).toBe('invalid_client')
    expect(error.status).toBe(401)
    expect(error.headers['www-authenticate']).toBe(
      `Basic realm="${issuer}", error="invalid_client"`,
    )
  })

  it('RFC 6749 5.2: an unknown client and a wrong secret are indistinguishable', async () => {
    const { failure } = await setup()
    const wrongSecret = await failure({}, { authorization: basic('basic-client', 'wrong') })
    const unknown = await failure({}, { authorization: basic('nobody', 's3cret') })
    expect(unknown.toJSON()).toEqual(wrongSecret.toJSON())
    expect(unknown.status).toBe(wrongSecret.status)
    const unknownPost = await failure({ client_id: 'nobody', client_secret: 'x' })
    const wrongPost = await failure({ client_id: 'post-client', client_secret: 'x' })
    expect(unknownPost.toJSON()).toEqual(wrongPost.toJSON())
    expect([unknownPost.status, unknownPost.headers['www-authenticate']]).toEqual([400, undefined])
  })

  it('RFC 6749 5.2: malformed Basic credentials are invalid_client with a challenge', async () => {
    const { failure } = await setup()
    for (const authorization of [
      'Basic !!!not-base64',
      `Basic ${btoa('no-colon')}`,
      `Basic ${btoa(':x')}`,
    ]) {
      const error = await failure({}, { authorization })
      expect([error.error, error.status]).toEqual(['invalid_client', 401])
      expect(error.headers['www-authenticate']).toMatch(/^Basic realm=/)
    }
    const badEscape = await failure({}, { authorization: `Basic ${btoa('basic-client:%zz')}` })
    expect(badEscape.error).toBe('invalid_client')
  })

  it('RFC 6749 2.3.1: a client_id in the body must name the Basic client', async () => {
    const { failure, authenticate } = await setup()
    const ok = await authenticate(
      { client_id: 'basic-client' },
      { authorization: basic('basic-client', 's3cret') },
    )
    expect(ok.client.client_id).toBe('basic-client')
    const error = await failure(
      { client_id: 'post-client' },
      { authorization: basic('basic-client', 's3cret') },
    )
    expect(error.error).toBe('invalid_client')
  })

  it('RFC 7591 3.2.1: an expired client secret no longer authenticates', async () => {
    const { failure } = await setup()
    const error = await failure({}, { authorization: basic('expired-client', 'old-secret') })
    expect(error.error).toBe('invalid_client')
  })

  it('RFC 8414 2: a method the server does not allow is refused', async () => {
    const { failure } = await setup({ clientAuthMethods: ['client_secret_basic'] })
    const error = await failure({ client_id: 'post-client', client_secret: 'post-secret' })
    expect([error.error, error.status]).toEqual(['invalid_client', 400])
  })
})

describe('method selection (RFC 6749 2.3)', () => {
  it('RFC 6749 2.3: more than one method in one request is invalid_request', async () => {
    const { failure, assertion, assertionForm } = await setup()
    const both = await failure(
      { client_secret: 's3cret' },
      { authorization: basic('basic-client', 's3cret') },
    )
    expect(both.error).toBe('invalid_request')
    const jwt = await assertion('hmac-client', { secret: HMAC_SECRET })
    const secretAndAssertion = await failure(
      assertionForm(jwt, { client_id: 'hmac-client', client_secret: HMAC_SECRET }),
    )
    expect(secretAndAssertion.error).toBe('invalid_request')
    const basicAndAssertion = await failure(assertionForm(jwt), {
      authorization: basic('basic-client', 's3cret'),
    })
    expect(basicAndAssertion.error).toBe('invalid_request')
  })

  it('RFC 6749 2.3: no credentials at all is invalid_client', async () => {
    const { failure } = await setup()
    const error = await failure({ grant_type: 'client_credentials' })
    expect([error.error, error.status]).toEqual(['invalid_client', 400])
  })

  it('RFC 6749 2.3.1: client_secret without client_id is invalid_client', async () => {
    const { failure } = await setup()
    expect((await failure({ client_secret: 's3cret' })).error).toBe('invalid_client')
  })

  it('RFC 6749 2.1: a public client identifies itself with client_id only (method none)', async () => {
    const { authenticate } = await setup()
    const { client, method } = await authenticate({ client_id: 'public-client' })
    expect([client.client_id, method]).toEqual(['public-client', 'none'])
  })

  it('RFC 6749 2.3: a confidential client cannot skip authentication, nor a public one send a secret', async () => {
    const { failure } = await setup()
    expect((await failure({ client_id: 'basic-client' })).error).toBe('invalid_client')
    const publicWithSecret = await failure({ client_id: 'public-client', client_secret: 'x' })
    expect(publicWithSecret.error).toBe('invalid_client')
  })

  it('RFC 7591 2: a method other than the registered one is refused', async () => {
    const { failure, assertion, assertionForm } = await setup()
    // A client_secret_jwt client holds a plain secret, but may not send it as a password.
    const asPost = await failure({ client_id: 'hmac-client', client_secret: HMAC_SECRET })
    expect(asPost.error).toBe('invalid_client')
    // A private_key_jwt client may not switch to an HMAC assertion.
    const hmac = await assertion('key-client', { secret: HMAC_SECRET })
    expect((await failure(assertionForm(hmac))).error).toBe('invalid_client')
  })
})

describe('JWT client assertions (RFC 7523 2.2, 3; OIDC Core 9)', () => {
  it('RFC 7523 2.2: client_secret_jwt with an HS256 assertion authenticates', async () => {
    const { authenticate, assertion, assertionForm } = await setup()
    const jwt = await assertion('hmac-client', { secret: HMAC_SECRET })
    const { client, method } = await authenticate(assertionForm(jwt))
    expect([client.client_id, method]).toEqual(['hmac-client', 'client_secret_jwt'])
  })

  it('RFC 7523 2.2: client_secret_jwt accepts HS512 and a matching client_id parameter', async () => {
    const { authenticate, assertion, assertionForm } = await setup()
    const jwt = await assertion('hmac-client', { secret: HMAC_SECRET }, {}, 'HS512')
    const { method } = await authenticate(assertionForm(jwt, { client_id: 'hmac-client' }))
    expect(method).toBe('client_secret_jwt')
  })

  it('RFC 7523 3: private_key_jwt verifies with the client jwks', async () => {
    const { authenticate, assertion, assertionForm } = await setup()
    const jwt = await assertion('key-client', clientKey)
    const { client, method } = await authenticate(assertionForm(jwt))
    expect([client.client_id, method]).toEqual(['key-client', 'private_key_jwt'])
  })

  it('RFC 7523 3: private_key_jwt verifies with keys fetched from the client jwks_uri', async () => {
    const http = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ keys: [clientKey.publicJwk] }))
    })
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
    try {
      const { authenticate, assertion, assertionForm, storage } = await setup()
      const { port } = http.address() as AddressInfo
      await storage.clients.save({
        client_id: 'remote-keys',
        token_endpoint_auth_method: 'private_key_jwt',
        jwks_uri: `http://127.0.0.1:${port}/jwks`,
      })
      const jwt = await assertion('remote-keys', clientKey)
      const { method } = await authenticate(assertionForm(jwt))
      expect(method).toBe('private_key_jwt')
    } finally {
      await new Promise((resolve) => http.close(resolve))
    }
  })

  it('RFC 7523 3: an assertion signed with another key is invalid_client', async () => {
    const { failure, assertion, assertionForm } = await setup()
    const forged = await assertion('key-client', strangerKey)
    expect((await failure(assertionForm(forged))).error).toBe('invalid_client')
    const wrongSecret = await assertion('hmac-client', { secret: `${HMAC_SECRET}x` })
    expect((await failure(assertionForm(wrongSecret))).error).toBe('invalid_client')
  })

  it('RFC 7591 2 token_endpoint_auth_signing_alg: another alg than the registered one is refused', async () => {
    const { failure, assertion, assertionForm } = await setup()
    const jwt = await assertion('pinned-client', clientKey)
    expect((await failure(assertionForm(jwt))).error).toBe('invalid_client')
  })

  it('RFC 7518 3.6: an unsecured (alg none) assertion is refused', async () => {
    const { failure, assertionForm, now } = await setup()
    const header = base64url.encode(JSON.stringify({ alg: 'none' }))
    const body = base64url.encode(
      JSON.stringify({
        iss: 'key-client',
        sub: 'key-client',
        aud: tokenUrl,
        exp: now + 60,
        jti: 'j',
      }),
    )
    const error = await failure(assertionForm(`${header}.${body}.`))
    expect(error.error).toBe('invalid_client')
  })

  it('RFC 7523 3 item 3: aud must be the issuer, the token endpoint or the endpoint called', async () => {
    const { authenticate, failure, assertion, assertionForm } = await setup()
    const wrong = await assertion('key-client', clientKey, {
      aud: 'https://elsewhere.example/token',
    })
    const error = await failure(assertionForm(wrong))
    expect(error.error).toBe('invalid_client')
    expect(error.error_description).toContain('aud')
    const toIssuer = await assertion('key-client', clientKey, { aud: issuer })
    expect((await authenticate(assertionForm(toIssuer))).method).toBe('private_key_jwt')
    const toIntrospection = await assertion('key-client', clientKey, {
      aud: [`${issuer}/introspect`],
    })
    const atIntrospection = await authenticate(assertionForm(toIntrospection), {}, 'introspection')
    expect(atIntrospection.method).toBe('private_key_jwt')
    // ...but an assertion meant for the introspection endpoint is not good at the token endpoint.
    const again = await assertion('key-client', clientKey, { aud: `${issuer}/introspect` })
    expect((await failure(assertionForm(again))).error).toBe('invalid_client')
  })

  it('RFC 7523 3 item 4: an expired assertion is invalid_client', async () => {
    const { failure, assertion, assertionForm, now } = await setup()
    const jwt = await assertion('key-client', clientKey, { iat: now - 600, exp: now - 120 })
    const error = await failure(assertionForm(jwt))
    expect(error.error).toBe('invalid_client')
    expect(error.error_description).toContain('expired')
  })

  it('RFC 7523 3 item 4: an assertion without exp is invalid_client', async () => {
    const { failure, assertion, assertionForm } = await setup()
    const jwt = await assertion('key-client', clientKey, { exp: undefined })
    expect((await failure(assertionForm(jwt))).error).toBe('invalid_client')
  })

  it('RFC 7523 3 item 4: an assertion valid for more than an hour is refused', async () => {
    const { failure, assertion, assertionForm, now } = await setup()
    const jwt = await assertion('key-client', clientKey, { exp: now + 2 * 3600 })
    const error = await failure(assertionForm(jwt))
    expect(error.error).toBe('invalid_client')
    expect(error.error_description).toContain('too far')
  })

  it('RFC 7523 3 item 7: an assertion without jti is invalid_client', async () => {
    const { failure, assertion, assertionForm } = await setup()
    const jwt = await assertion('key-client', clientKey, { jti: undefined })
    const error = await failure(assertionForm(jwt))
    expect(error.error).toBe('invalid_client')
    expect(error.error_description).toContain('jti')
  })

  it('RFC 7523 3 item 7: a replayed jti is invalid_client', async () => {
    const { authenticate, failure, assertion, assertionForm } = await setup()
    const jwt = await assertion('key-client', clientKey, { jti: 'once' })
    await authenticate(assertionForm(jwt))
    const error = await failure(assertionForm(jwt))
    expect(error.error).toBe('invalid_client')
    expect(error.error_description).toContain('already used')
  })

  it('RFC 7523 3 items 1-2: iss must equal sub (the client_id)', async () => {
    const { failure, assertion, assertionForm } = await setup()
    const jwt = await assertion('key-client', clientKey, { iss: 'someone-else' })
    const error = await failure(assertionForm(jwt))
    expect(error.error).toBe('invalid_client')
    expect(error.error_description).toContain('iss')
  })

  it('RFC 7521 4.2: a client_id parameter must match the assertion subject', async () => {
    const { failure, assertion, assertionForm } = await setup()
    const jwt = await assertion('key-client', clientKey)
    const error = await failure(assertionForm(jwt, { client_id: 'hmac-client' }))
    expect(error.error).toBe('invalid_client')
  })

  it('RFC 7523 2.2: client_secret_jwt needs the plain secret; a client stored with a hash only fails', async () => {
    const { failure, assertion, assertionForm } = await setup()
    const jwt = await assertion('hash-only-jwt', { secret: HMAC_SECRET })
    expect((await failure(assertionForm(jwt))).error).toBe('invalid_client')
  })

  it('RFC 7521 4.2: an unknown client_assertion_type, a missing assertion or a non-JWT are invalid_client', async () => {
    const { failure, assertion } = await setup()
    const jwt = await assertion('key-client', clientKey)
    const wrongType = await failure({
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer',
      client_assertion: jwt,
    })
    expect(wrongType.error).toBe('invalid_client')
    const missing = await failure({ client_assertion_type: JWT_BEARER_ASSERTION_TYPE })
    expect(missing.error).toBe('invalid_client')
    const garbage = await failure({
      client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
      client_assertion: 'not-a-jwt',
    })
    expect(garbage.error).toBe('invalid_client')
  })
})
