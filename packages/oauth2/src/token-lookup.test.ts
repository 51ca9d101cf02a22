import { KeySet, signJwt } from '@oidkit/jose'
import { decodeJwt } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Client } from './client'
import type { AuthorizationServerConfig } from './config'
import { sha256 } from './crypto'
import { TEST_ISSUER as issuer, testGrant, testKeys, testServer } from './test-support/test-server'
import { issueAccessToken, issueRefreshToken } from './token-issuer'
import { findToken, inactiveReason, isActive, resolveToken } from './token-lookup'

let keys: KeySet

beforeAll(async () => {
  keys = await testKeys()
})

async function setup(config: Partial<AuthorizationServerConfig> = {}) {
  const { server, storage, clock } = await testServer({ config })
  const client: Client = { client_id: 'app', grant_types: ['authorization_code', 'refresh_token'] }
  const grant = testGrant(clock.now)
  await storage.grants.save(grant)
  return { server, storage, clock, client, grant }
}

describe('findToken', () => {
  it('RFC 6749 1.4: finds an opaque access token by its SHA-256, whatever the hint', async () => {
    const { server, client, grant } = await setup()
    const { value, record } = await issueAccessToken(server, { client, grant, scopes: ['read'] })
    expect(await findToken(server, value)).toEqual(record)
    // RFC 7009 2.1 / RFC 7662 2.1: a wrong hint must not hide the token.
    expect(await findToken(server, value, 'refresh_token')).toEqual(record)
    expect(await findToken(server, `${value}x`)).toBeUndefined()
  })

  it('RFC 6749 1.5: finds a refresh token', async () => {
    const { server, client, grant } = await setup()
    const { value, record } = await issueRefreshToken(server, { client, grant, scopes: ['read'] })
    expect(await findToken(server, value, 'access_token')).toEqual(record)
  })

  it('RFC 9068 4: verifies a JWT access token and finds it by its jti', async () => {
    const { server, client, grant } = await setup({ tokens: { accessTokenFormat: 'jwt' } })
    const { value, record } = await issueAccessToken(server, { client, grant, scopes: ['read'] })
    const found = await resolveToken(server, value)
    expect(found?.record).toEqual(record)
    expect(found?.claims?.aud).toBe(issuer)
    expect(record.hash).toBe(await sha256(decodeJwt(value).jti as string))
  })

  it('RFC 9068 4: a JWT signed by another key, or with another typ or issuer, is not found', async () => {
    const { server, client, grant } = await setup({ tokens: { accessTokenFormat: 'jwt' } })
    const { value } = await issueAccessToken(server, { client, grant, scopes: ['read'] })
    const { jti } = decodeJwt(value)
    const claims = { iss: issuer, sub: 'alice', aud: issuer, client_id: 'app', jti }
    const other = await KeySet.generate('RS256')
    const forged = await signJwt(claims, { key: other, alg: 'RS256', typ: 'at+jwt' })
    const wrongTyp = await signJwt(claims, { key: keys, alg: 'RS256', typ: 'JWT' })
    const wrongIss = await signJwt(
      { ...claims, iss: 'https://evil.example' },
      { key: keys, alg: 'RS256', typ: 'at+jwt' },
    )
    for (const token of [forged, wrongTyp, wrongIss]) {
      expect(await findToken(server, token)).toBeUndefined()
    }
  })

  it('RFC 9068 2.2: the bare jti of a JWT access token is not a token', async () => {
    const { server, client, grant } = await setup({ tokens: { accessTokenFormat: 'jwt' } })
    const { value } = await issueAccessToken(server, { client, grant, scopes: ['read'] })
    expect(await findToken(server, decodeJwt(value).jti as string)).toBeUndefined()
  })
})

describe('isActive', () => {
  it('RFC 7662 2.2: a fresh token of a live grant is active', async () => {
    const { server, client, grant } = await setup()
    const { record } = await issueAccessToken(server, { client, grant, scopes: ['read'] })
    expect(await isActive(server, record)).toBe(true)
  })

  it('RFC 7662 2.2: an expired token is inactive', async () => {
    const { server, clock, client, grant } = await setup()
    const { record } = await issueAccessToken(server, { client, grant, scopes: ['read'] })
    clock.now += server.settings.accessTokenTtl
    expect(await inactiveReason(server, record)).toBe('has expired')
  })

  it('RFC 7009 2.1: a revoked token, and every token of a revoked grant, is inactive', async () => {
    const { server, storage, clock, client, grant } = await setup()
    const a = await issueAccessToken(server, { client, grant, scopes: ['read'] })
    const b = await issueAccessToken(server, { client, grant, scopes: ['read'] })
    await storage.tokens.revoke(a.record.hash, clock.now)
    expect(await isActive(server, (await storage.tokens.get(a.record.hash))!)).toBe(false)
    // A stale copy of the record still fails through its grant.
    await storage.grants.revoke(grant.id, clock.now)
    expect(await inactiveReason(server, b.record)).toBe('belongs to a revoked authorization')
  })

  it('RFC 9700 4.14.2: a rotated (consumed) refresh token is inactive', async () => {
    const { server, storage, clock, client, grant } = await setup()
    const { record } = await issueRefreshToken(server, { client, grant, scopes: ['read'] })
    await storage.tokens.consume(record.hash, clock.now)
    expect(await inactiveReason(server, (await storage.tokens.get(record.hash))!)).toBe(
      'has been used',
    )
  })

  it('RFC 7662 2.2: a token whose grant is gone or expired is inactive', async () => {
    const { server, storage, clock, client, grant } = await setup()
    const { record } = await issueAccessToken(server, { client, grant, scopes: ['read'] })
    expect(await isActive(server, { ...record, grantId: 'missing' })).toBe(false)
    await storage.grants.save({ ...grant, expiresAt: clock.now })
    expect(await isActive(server, record)).toBe(false)
  })

  it('RFC 7662 2.2: a token of a deactivated account is inactive', async () => {
    const { server, client, grant } = await setup({
      accounts: { isActive: async (id) => id !== 'alice' },
    })
    const { record } = await issueAccessToken(server, { client, grant, scopes: ['read'] })
    expect(await inactiveReason(server, record)).toBe('belongs to an inactive account')
  })
})
