import { describe, expect, it } from 'vitest'
import type { AuthorizationServerConfig } from './config'
import { introspectionEndpoint } from './introspection-endpoint'
import type { GrantRecord } from './storage'
import {
  basic,
  TEST_ISSUER as issuer,
  jsonOf,
  secretClient,
  testGrant,
  testServer,
} from './test-support/test-server'
import { issueAccessToken, issueRefreshToken } from './token-issuer'

async function setup(config: Partial<AuthorizationServerConfig> = {}) {
  const { server, storage, clock, clients, post } = await testServer({
    config,
    endpoints: [introspectionEndpoint],
    clients: [await secretClient('app'), await secretClient('api')],
  })
  const app = clients.app!
  const grant = testGrant(clock.now, { scopes: ['read', 'write'] })
  const machine: GrantRecord = { ...grant, id: 'g2', accountId: undefined, scopes: ['read'] }
  await storage.grants.save(grant)
  await storage.grants.save(machine)
  const introspect = async (
    params: Record<string, string>,
    authorization = basic('app', 'app-secret'),
  ) => jsonOf(await post('/introspect', params, { authorization }))
  return { server, storage, clock, app, grant, machine, introspect }
}

describe('introspection endpoint', () => {
  it('RFC 7662 2.2: an active access token with its members', async () => {
    const { server, app, grant, clock, introspect } = await setup()
    const { value } = await issueAccessToken(server, { client: app, grant, scopes: ['read'] })
    const { status, headers, body } = await introspect({ token: value })
    expect(status).toBe(200)
    expect(headers.get('cache-control')).toBe('no-store')
    expect(body).toEqual({
      active: true,
      scope: 'read',
      client_id: 'app',
      sub: 'alice',
      exp: clock.now + server.settings.accessTokenTtl,
      iat: clock.now,
      token_type: 'Bearer',
      iss: issuer,
    })
  })

  it('RFC 7662 2.2: a refresh token is active without an RFC 6749 5.1 token_type', async () => {
    const { server, app, grant, introspect } = await setup()
    const { value } = await issueRefreshToken(server, { client: app, grant, scopes: grant.scopes })
    const { body } = await introspect({ token: value, token_type_hint: 'refresh_token' })
    expect(body).toMatchObject({
      active: true,
      scope: 'read write',
      client_id: 'app',
      sub: 'alice',
    })
    expect(body).not.toHaveProperty('token_type')
  })

  it('RFC 9068 2.2: a client_credentials token has the client as its subject', async () => {
    const { server, app, machine, introspect } = await setup()
    const { value } = await issueAccessToken(server, {
      client: app,
      grant: machine,
      scopes: ['read'],
    })
    expect((await introspect({ token: value })).body).toMatchObject({ active: true, sub: 'app' })
  })

  it('RFC 9068 / RFC 7662 2.2: a JWT access token is introspected with its aud', async () => {
    const { server, app, grant, introspect } = await setup({
      tokens: { accessTokenFormat: 'jwt', accessTokenAudience: 'https://api.example' },
    })
    const { value } = await issueAccessToken(server, { client: app, grant, scopes: ['read'] })
    const { body } = await introspect({ token: value })
    expect(body).toMatchObject({
      active: true,
      client_id: 'app',
      sub: 'alice',
      token_type: 'Bearer',
      aud: 'https://api.example',
      iss: issuer,
    })
  })

  it('RFC 7662 2.2: an unknown token is { active: false }', async () => {
    const { introspect } = await setup()
    const { status, body } = await introspect({ token: 'unknown' })
    expect(status).toBe(200)
    expect(body).toEqual({ active: false })
  })

  it('RFC 7662 2.2: an expired token is inactive', async () => {
    const { server, app, grant, clock, introspect } = await setup()
    const { value } = await issueAccessToken(server, { client: app, grant, scopes: ['read'] })
    clock.now += server.settings.accessTokenTtl
    expect((await introspect({ token: value })).body).toEqual({ active: false })
  })

  it('RFC 7662 2.2: a revoked token, and a token of a revoked grant, are inactive', async () => {
    const { server, storage, app, grant, clock, introspect } = await setup()
    const a = await issueAccessToken(server, { client: app, grant, scopes: ['read'] })
    const b = await issueAccessToken(server, { client: app, grant, scopes: ['read'] })
    await storage.tokens.revoke(a.record.hash, clock.now)
    expect((await introspect({ token: a.value })).body).toEqual({ active: false })
    expect((await introspect({ token: b.value })).body).toMatchObject({ active: true })
    await storage.grants.revoke(grant.id, clock.now)
    expect((await introspect({ token: b.value })).body).toEqual({ active: false })
  })

  it('RFC 9700 4.14.2: a rotated refresh token is inactive', async () => {
    const { server, storage, app, grant, clock, introspect } = await setup()
    const { value, record } = await issueRefreshToken(server, {
      client: app,
      grant,
      scopes: ['read'],
    })
    await storage.tokens.consume(record.hash, clock.now)
    expect((await introspect({ token: value })).body).toEqual({ active: false })
  })

  it('RFC 7662 4: another client cannot introspect the token by default', async () => {
    const { server, app, grant, introspect } = await setup()
    const { value } = await issueAccessToken(server, { client: app, grant, scopes: ['read'] })
    const { body } = await introspect({ token: value }, basic('api', 'api-secret'))
    expect(body).toEqual({ active: false })
  })

  it('RFC 7662 4: introspection.allow lets a resource server introspect, and can deny', async () => {
    const { server, app, grant, introspect } = await setup({
      introspection: {
        allow: (client, token) => client.client_id === 'api' && token.scopes.includes('read'),
      },
    })
    const { value } = await issueAccessToken(server, { client: app, grant, scopes: ['read'] })
    expect((await introspect({ token: value }, basic('api', 'api-secret'))).body).toMatchObject({
      active: true,
      client_id: 'app',
    })
    // The hook decides alone: here even the owning client is refused.
    expect((await introspect({ token: value })).body).toEqual({ active: false })
  })

  it('RFC 7662 2.1: token_type_hint is only a hint, unknown values included', async () => {
    const { server, app, grant, introspect } = await setup()
    const { value } = await issueAccessToken(server, { client: app, grant, scopes: ['read'] })
    for (const hint of ['refresh_token', 'access_token', 'unsupported_token_type']) {
      expect((await introspect({ token: value, token_type_hint: hint })).body.active).toBe(true)
    }
  })

  it('RFC 7662 2.1: the token parameter is required (invalid_request)', async () => {
    const { introspect } = await setup()
    const { status, body } = await introspect({ token_type_hint: 'access_token' })
    expect(status).toBe(400)
    expect(body).toMatchObject({ error: 'invalid_request' })
  })

  it('RFC 7662 2.1: the caller must authenticate (invalid_client)', async () => {
    const { introspect } = await setup()
    for (const authorization of ['', basic('app', 'wrong'), basic('nobody', 'x')]) {
      const { status, body } = await introspect({ token: 'x' }, authorization)
      // RFC 6749 5.2: 401 with a challenge when Basic was tried, else 400.
      expect(status).toBe(authorization ? 401 : 400)
      expect(body).toMatchObject({ error: 'invalid_client' })
    }
  })
})
