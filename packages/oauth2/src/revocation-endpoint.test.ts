import { describe, expect, it } from 'vitest'
import type { AuthorizationServerConfig } from './config'
import { revocationEndpoint } from './revocation-endpoint'
import {
  basic,
  TEST_ISSUER as issuer,
  secretClient,
  testGrant,
  testServer,
} from './test-support/test-server'
import { issueAccessToken, issueRefreshToken } from './token-issuer'
import { findToken, isActive } from './token-lookup'

async function setup(config: Partial<AuthorizationServerConfig> = {}) {
  const events: string[] = []
  const { server, storage, clock, clients, post } = await testServer({
    config: {
      events: {
        tokenRevoked: ({ token }) => void events.push(`token:${token.type}`),
        grantRevoked: ({ grantId }) => void events.push(`grant:${grantId}`),
      },
      ...config,
    },
    endpoints: [revocationEndpoint],
    clients: [await secretClient('app'), await secretClient('other')],
  })
  const grant = testGrant(clock.now)
  await storage.grants.save(grant)
  const client = clients.app!
  const issue = async () => ({
    access: await issueAccessToken(server, { client, grant, scopes: ['read'] }),
    refresh: await issueRefreshToken(server, { client, grant, scopes: ['read'] }),
  })
  const revoke = (params: Record<string, string>, authorization = basic('app', 'app-secret')) =>
    post('/revoke', params, { authorization })
  const active = async (value: string) => {
    const record = await findToken(server, value)
    return record !== undefined && (await isActive(server, record))
  }
  return { server, storage, events, issue, revoke, active }
}

describe('revocation endpoint', () => {
  it('RFC 7009 2.1: revoking an access token revokes that token only', async () => {
    const { issue, revoke, active, events } = await setup()
    const { access, refresh } = await issue()
    const response = await revoke({ token: access.value, token_type_hint: 'access_token' })
    expect(response.status).toBe(200)
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(await response.text()).toBe('')
    expect(await active(access.value)).toBe(false)
    expect(await active(refresh.value)).toBe(true)
    expect(events).toEqual(['token:access_token'])
  })

  it('RFC 7009 2.1: revoking a refresh token invalidates the access tokens of its grant', async () => {
    const { issue, revoke, active, events, storage } = await setup()
    const { access, refresh } = await issue()
    const response = await revoke({ token: refresh.value, token_type_hint: 'refresh_token' })
    expect(response.status).toBe(200)
    expect(await active(refresh.value)).toBe(false)
    expect(await active(access.value)).toBe(false)
    expect((await storage.grants.get('g1'))?.revokedAt).toBeDefined()
    expect(events).toEqual(['token:refresh_token', 'grant:g1'])
  })

  it('RFC 7009 2.2: an unknown token is answered with 200', async () => {
    const { revoke, events } = await setup()
    const response = await revoke({ token: 'not-a-token' })
    expect(response.status).toBe(200)
    expect(events).toEqual([])
  })

  it('RFC 7009 2.1: a wrong hint extends the search to every token type', async () => {
    const { issue, revoke, active } = await setup()
    const { access } = await issue()
    expect((await revoke({ token: access.value, token_type_hint: 'refresh_token' })).status).toBe(
      200,
    )
    expect(await active(access.value)).toBe(false)
  })

  it('RFC 7009 2.1: an unknown token_type_hint is ignored', async () => {
    const { issue, revoke, active } = await setup()
    const { access } = await issue()
    const response = await revoke({ token: access.value, token_type_hint: 'id_token' })
    expect(response.status).toBe(200)
    expect(await active(access.value)).toBe(false)
  })

  it('RFC 7009 2.1: the token of another client is left untouched, and the answer is still 200 (RFC 7009 5)', async () => {
    const { issue, revoke, active, events } = await setup()
    const { access, refresh } = await issue()
    for (const token of [access.value, refresh.value]) {
      expect((await revoke({ token }, basic('other', 'other-secret'))).status).toBe(200)
    }
    expect(await active(access.value)).toBe(true)
    expect(await active(refresh.value)).toBe(true)
    expect(events).toEqual([])
  })

  it('RFC 7009 2.1: revoking an already revoked token is a quiet 200', async () => {
    const { issue, revoke, events } = await setup()
    const { access } = await issue()
    await revoke({ token: access.value })
    expect((await revoke({ token: access.value })).status).toBe(200)
    expect(events).toEqual(['token:access_token'])
  })

  it('RFC 9068: a JWT access token is revoked through its jti record', async () => {
    const { issue, revoke, active } = await setup({ tokens: { accessTokenFormat: 'jwt' } })
    const { access, refresh } = await issue()
    expect((await revoke({ token: access.value })).status).toBe(200)
    expect(await active(access.value)).toBe(false)
    expect(await active(refresh.value)).toBe(true)
  })

  it('RFC 7009 2.1: the token parameter is required (invalid_request)', async () => {
    const { revoke } = await setup()
    const response = await revoke({ token_type_hint: 'access_token' })
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ error: 'invalid_request' })
  })

  it('RFC 7009 2.1: the client must authenticate (invalid_client)', async () => {
    const { issue, revoke, active } = await setup()
    const { access } = await issue()
    for (const authorization of [
      '',
      'invalid token_string',
      basic('app', 'wrong'),
      basic('nobody', 'x'),
    ]) {
      const response = await revoke({ token: access.value }, authorization)
      // RFC 6749 5.2: 401 with a challenge when Basic was tried, else 400.
      expect(response.status).toBe(authorization.startsWith('Basic') ? 401 : 400)
      expect(await response.json()).toMatchObject({ error: 'invalid_client' })
    }
    expect(await active(access.value)).toBe(true)
  })

  it('RFC 7009 2: only POST is accepted', async () => {
    const { server } = await setup()
    const request = new Request(`${issuer}/revoke?token=x`, {
      headers: { authorization: basic('app', 'app-secret') },
    })
    await expect(revocationEndpoint.handle(request, server)).rejects.toMatchObject({ status: 405 })
  })
})
