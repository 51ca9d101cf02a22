import type { KeySet } from '@oidkit/jose'
import { verifyJwt } from '@oidkit/jose'
import { beforeAll, describe, expect, it } from 'vitest'
import { authorizationCodeGrant, codeResponseType } from './authorization-code-grant'
import type { Client } from './client'
import { clientCredentialsGrant } from './client-credentials-grant'
import type { AuthorizationServerConfig } from './config'
import { passwordGrant } from './password-grant'
import { refreshTokenGrant } from './refresh-token-grant'
import type { GrantRecord } from './storage'
import {
  basic,
  TEST_ISSUER as issuer,
  secretClient,
  testKeys,
  testServer,
} from './test-support/test-server'
import { tokenEndpoint } from './token-endpoint'

let keys: KeySet

beforeAll(async () => {
  keys = await testKeys()
})

async function setup(config: Partial<AuthorizationServerConfig> = {}) {
  const clients: Client[] = [
    await secretClient('service', {
      grant_types: ['client_credentials', 'authorization_code'],
      redirect_uris: ['https://service.example/cb'],
      scope: 'read write',
    }),
    await secretClient('web'),
  ]
  const { server, storage, clock, call } = await testServer({
    config: { scopes: ['read', 'write'], ...config },
    endpoints: [tokenEndpoint],
    grantTypes: [authorizationCodeGrant, refreshTokenGrant, clientCredentialsGrant, passwordGrant],
    responseTypes: [codeResponseType],
    clients,
  })

  const send = (init: RequestInit & { path?: string } = {}) =>
    call(new Request(`${issuer}${init.path ?? '/token'}`, init))
  const post = (form: Record<string, string>, authorization = basic('service', 'service-secret')) =>
    send({ method: 'POST', headers: { authorization }, body: new URLSearchParams(form) })
  return { server, storage, clients, now: clock.now, send, post }
}

describe('tokenEndpoint (RFC 6749 3.2)', () => {
  it('RFC 6749 3.2: GET is refused with 405 and an Allow header', async () => {
    const { send } = await setup()
    const response = await send({ method: 'GET', path: '/token?grant_type=client_credentials' })
    expect(response.status).toBe(405)
    expect(response.headers.get('allow')).toBe('POST')
    expect((await response.json()).error).toBe('invalid_request')
  })

  it('RFC 6749 3.2: a body that is not application/x-www-form-urlencoded is invalid_request', async () => {
    const { send } = await setup()
    const response = await send({
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: basic('service', 'service-secret'),
      },
      body: JSON.stringify({ grant_type: 'client_credentials' }),
    })
    expect(response.status).toBe(415)
    expect((await response.json()).error).toBe('invalid_request')
  })

  it('RFC 6749 5.2: a missing grant_type is invalid_request', async () => {
    const { post } = await setup()
    const response = await post({ scope: 'read' })
    expect(response.status).toBe(400)
    expect((await response.json()).error).toBe('invalid_request')
  })

  it('RFC 6749 3.1: a parameter sent twice is invalid_request', async () => {
    const { send } = await setup()
    const response = await send({
      method: 'POST',
      headers: {
        authorization: basic('service', 'service-secret'),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials&grant_type=client_credentials',
    })
    expect((await response.json()).error).toBe('invalid_request')
  })

  it('RFC 6749 5.2: an unknown grant_type is unsupported_grant_type', async () => {
    const { post } = await setup()
    const response = await post({ grant_type: 'urn:example:unknown' })
    expect([response.status, (await response.json()).error]).toEqual([
      400,
      'unsupported_grant_type',
    ])
  })

  it('RFC 9700 2.4: the password grant is unsupported_grant_type unless enabled', async () => {
    const { post } = await setup()
    const response = await post({ grant_type: 'password', username: 'alice', password: 'pw' })
    expect((await response.json()).error).toBe('unsupported_grant_type')
  })

  it('RFC 6749 5.2: a client not registered for the grant type is unauthorized_client', async () => {
    const { post } = await setup()
    const response = await post({ grant_type: 'client_credentials' }, basic('web', 'web-secret'))
    expect([response.status, (await response.json()).error]).toEqual([400, 'unauthorized_client'])
  })

  it('RFC 6749 5.2: failed client authentication is 401 invalid_client with a Basic challenge', async () => {
    const { post } = await setup()
    const response = await post({ grant_type: 'client_credentials' }, basic('service', 'wrong'))
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe(
      `Basic realm="${issuer}", error="invalid_client"`,
    )
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect((await response.json()).error).toBe('invalid_client')
  })

  it('RFC 6749 5.1: a token response is JSON with token_type Bearer, expires_in, scope and no-store', async () => {
    const { post } = await setup()
    const response = await post({ grant_type: 'client_credentials', scope: 'read' })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^application\/json/)
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(response.headers.get('pragma')).toBe('no-cache')
    const body = await response.json()
    expect(body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'read',
    })
  })

  it('RFC 9068 2.1, 2.2: JWT access tokens are typ at+jwt, signed with the server keys, with the required claims', async () => {
    const { post, now } = await setup({ tokens: { accessTokenFormat: 'jwt' } })
    const body = await (
      await post({ grant_type: 'client_credentials', scope: 'read write' })
    ).json()
    const { payload, protectedHeader } = await verifyJwt(body.access_token, {
      keys,
      typ: 'at+jwt',
      issuer,
      audience: issuer,
      currentDate: new Date(now * 1000),
    })
    expect(protectedHeader).toMatchObject({ alg: 'RS256', typ: 'at+jwt' })
    expect(payload).toMatchObject({
      iss: issuer,
      aud: issuer,
      // RFC 9068 2.2: with no resource owner, sub is the client's own identifier.
      sub: 'service',
      client_id: 'service',
      iat: now,
      exp: now + 3600,
      scope: 'read write',
    })
    expect(payload.jti).toEqual(expect.any(String))
  })

  it('RFC 9068 2.2: a JWT access token from a code names the end-user and auth_time', async () => {
    const { server, storage, clients, post, now } = await setup({
      tokens: { accessTokenFormat: 'jwt' },
    })
    const grant: GrantRecord = {
      id: 'g1',
      clientId: 'service',
      accountId: 'alice',
      scopes: ['read'],
      authTime: now - 5,
      createdAt: now,
      expiresAt: now + 3600,
    }
    await storage.grants.save(grant)
    const { code } = await codeResponseType.respond({
      server,
      grant,
      request: {
        client: clients[0]!,
        redirectUri: 'https://service.example/cb',
        responseType: 'code',
        responseMode: 'query',
        scopes: ['read'],
        params: {},
      },
      session: {
        id: 's',
        accountId: 'alice',
        authTime: now - 5,
        createdAt: now,
        expiresAt: now + 60,
      },
    })
    const body = await (await post({ grant_type: 'authorization_code', code: code! })).json()
    const { payload } = await verifyJwt(body.access_token, {
      keys,
      typ: 'at+jwt',
      currentDate: new Date(now * 1000),
    })
    expect(payload).toMatchObject({ sub: 'alice', client_id: 'service', auth_time: now - 5 })
  })
})
