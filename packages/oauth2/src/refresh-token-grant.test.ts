import { describe, expect, it } from 'vitest'
import type { AuthorizationServerConfig } from './config'
import { sha256 } from './crypto'
import { refreshTokenGrant } from './refresh-token-grant'
import type { GrantRecord } from './storage'
import { basic, jsonOf, secretClient, testServer } from './test-support/test-server'
import { tokenEndpoint } from './token-endpoint'
import { issueTokens } from './token-issuer'

async function setup(config: Partial<AuthorizationServerConfig> = {}) {
  const { server, storage, clock, clients, advance, post, revokedGrants } = await testServer({
    config,
    endpoints: [tokenEndpoint],
    grantTypes: [refreshTokenGrant],
    clients: [
      await secretClient('app', { grant_types: ['authorization_code', 'refresh_token'] }),
      await secretClient('other', { grant_types: ['authorization_code', 'refresh_token'] }),
    ],
  })
  const grant: GrantRecord = {
    id: 'g1',
    clientId: 'app',
    accountId: 'alice',
    scopes: ['read', 'write'],
    authTime: clock.now,
    createdAt: clock.now,
    expiresAt: clock.now + 3600,
  }
  await storage.grants.save(grant)
  // What the authorization code grant would have issued.
  const initial = await issueTokens(server, {
    client: clients.app!,
    grant,
    grantType: 'authorization_code',
    scopes: grant.scopes,
    refreshToken: true,
  })

  async function refresh(form: Record<string, string>, clientId = 'app') {
    const authorization = basic(clientId, `${clientId}-secret`)
    return jsonOf(await post('/token', { grant_type: 'refresh_token', ...form }, { authorization }))
  }
  const record = async (value: string) => storage.tokens.get(await sha256(value))
  return { server, storage, clients, grant, initial, refresh, record, advance, revokedGrants }
}

describe('refreshTokenGrant (RFC 6749 6)', () => {
  it('RFC 6749 6 / RFC 9700 4.14.2: a refresh rotates the refresh token', async () => {
    const { initial, refresh, record } = await setup()
    const { status, body } = await refresh({ refresh_token: initial.refresh_token! })
    expect(status).toBe(200)
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'read write' })
    expect(body.refresh_token).toEqual(expect.any(String))
    expect(body.refresh_token).not.toBe(initial.refresh_token)
    expect((await record(initial.refresh_token!))?.consumedAt).toBeDefined()
    expect(await record(body.refresh_token)).toMatchObject({
      type: 'refresh_token',
      grantId: 'g1',
      clientId: 'app',
      scopes: ['read', 'write'],
    })
    // The rotated token works in turn.
    expect((await refresh({ refresh_token: body.refresh_token })).status).toBe(200)
  })

  it('RFC 9700 4.14.2: reusing a rotated refresh token revokes the grant and every token from it', async () => {
    const { initial, refresh, record, storage, revokedGrants } = await setup()
    const rotated = await refresh({ refresh_token: initial.refresh_token! })
    expect(rotated.status).toBe(200)
    const reuse = await refresh({ refresh_token: initial.refresh_token! })
    expect([reuse.status, reuse.body.error]).toEqual([400, 'invalid_grant'])
    expect((await storage.grants.get('g1'))?.revokedAt).toBeDefined()
    expect((await record(rotated.body.access_token))?.revokedAt).toBeDefined()
    expect((await record(rotated.body.refresh_token))?.revokedAt).toBeDefined()
    expect((await record(initial.access_token))?.revokedAt).toBeDefined()
    expect(revokedGrants).toEqual(['g1'])
    // The legitimate holder of the rotated token is locked out too.
    expect((await refresh({ refresh_token: rotated.body.refresh_token })).body.error).toBe(
      'invalid_grant',
    )
  })

  it('RFC 9700 4.14.2: of 10 concurrent refreshes with one token exactly one succeeds, and nothing survives', async () => {
    const { initial, refresh, record } = await setup()
    const results = await Promise.all(
      Array.from({ length: 10 }, () => refresh({ refresh_token: initial.refresh_token! })),
    )
    const ok = results.filter((r) => r.status === 200)
    expect(ok).toHaveLength(1)
    expect(results.filter((r) => r.body.error === 'invalid_grant')).toHaveLength(9)
    expect((await record(ok[0]!.body.access_token))?.revokedAt).toBeDefined()
    expect((await record(ok[0]!.body.refresh_token))?.revokedAt).toBeDefined()
  })

  it('RFC 6749 6: the scope may be narrowed; the grant keeps its full scope', async () => {
    const { initial, refresh, record } = await setup()
    const narrowed = await refresh({ refresh_token: initial.refresh_token!, scope: 'read' })
    expect([narrowed.status, narrowed.body.scope]).toEqual([200, 'read'])
    expect((await record(narrowed.body.access_token))?.scopes).toEqual(['read'])
    const full = await refresh({ refresh_token: narrowed.body.refresh_token })
    expect(full.body.scope).toBe('read write')
  })

  it('RFC 6749 6: widening the scope is invalid_scope and does not burn the token', async () => {
    const { initial, refresh } = await setup()
    const wider = await refresh({ refresh_token: initial.refresh_token!, scope: 'read admin' })
    expect([wider.status, wider.body.error]).toEqual([400, 'invalid_scope'])
    expect((await refresh({ refresh_token: initial.refresh_token! })).status).toBe(200)
  })

  it('RFC 6749 6: a refresh token of another client is invalid_grant and stays usable by its owner', async () => {
    const { initial, refresh, storage } = await setup()
    const stolen = await refresh({ refresh_token: initial.refresh_token! }, 'other')
    expect([stolen.status, stolen.body.error]).toEqual([400, 'invalid_grant'])
    expect((await storage.grants.get('g1'))?.revokedAt).toBeUndefined()
    expect((await refresh({ refresh_token: initial.refresh_token! })).status).toBe(200)
  })

  it('RFC 6749 6: a missing refresh_token is invalid_request; an unknown one or an access token is invalid_grant', async () => {
    const { initial, refresh } = await setup()
    expect((await refresh({})).body.error).toBe('invalid_request')
    expect((await refresh({ refresh_token: 'nope' })).body.error).toBe('invalid_grant')
    expect((await refresh({ refresh_token: initial.access_token })).body.error).toBe(
      'invalid_grant',
    )
  })

  it('RFC 6749 6: an expired refresh token is invalid_grant', async () => {
    const { initial, refresh, advance } = await setup({ tokens: { refreshTokenTtl: 60 } })
    advance(61)
    expect((await refresh({ refresh_token: initial.refresh_token! })).body.error).toBe(
      'invalid_grant',
    )
  })

  it('RFC 7009 2.1: a refresh token of a revoked grant is invalid_grant', async () => {
    const { initial, refresh, storage, server } = await setup()
    await storage.grants.revoke('g1', server.now())
    expect((await refresh({ refresh_token: initial.refresh_token! })).body.error).toBe(
      'invalid_grant',
    )
  })

  it('RFC 6749 6: a refresh token whose account is no longer active is invalid_grant', async () => {
    const { initial, refresh } = await setup({
      accounts: { isActive: async (accountId) => accountId !== 'alice' },
    })
    expect((await refresh({ refresh_token: initial.refresh_token! })).body.error).toBe(
      'invalid_grant',
    )
  })

  it('RFC 9700 4.14.2: rotation extends the grant so it outlives the new refresh token', async () => {
    const { initial, refresh, storage, server, advance } = await setup()
    advance(600)
    const { body } = await refresh({ refresh_token: initial.refresh_token! })
    const grant = await storage.grants.get('g1')
    const newRefresh = await storage.tokens.get(await sha256(body.refresh_token))
    expect(grant?.expiresAt).toBe(server.now() + server.settings.refreshTokenTtl)
    expect(newRefresh?.expiresAt).toBeLessThanOrEqual(grant!.expiresAt)
  })

  it('RFC 6749 6: without rotation the response has no refresh_token and the old one keeps working', async () => {
    const { initial, refresh, record } = await setup({ tokens: { rotateRefreshTokens: false } })
    const first = await refresh({ refresh_token: initial.refresh_token! })
    expect(first.status).toBe(200)
    expect(first.body.refresh_token).toBeUndefined()
    expect((await record(initial.refresh_token!))?.consumedAt).toBeUndefined()
    expect((await refresh({ refresh_token: initial.refresh_token! })).status).toBe(200)
  })

  it('RFC 6749 5.2: a client not registered for refresh_token is unauthorized_client', async () => {
    const { initial, refresh, storage, clients } = await setup()
    await storage.clients.save({ ...clients.app!, grant_types: ['authorization_code'] })
    expect((await refresh({ refresh_token: initial.refresh_token! })).body.error).toBe(
      'unauthorized_client',
    )
  })
})
