import { describe, expect, it } from 'vitest'
import { clientCredentialsGrant } from './client-credentials-grant'
import type { AuthorizationServerConfig } from './config'
import { sha256 } from './crypto'
import { refreshTokenGrant } from './refresh-token-grant'
import { basic, jsonOf, secretClient, testServer } from './test-support/test-server'
import { tokenEndpoint } from './token-endpoint'

async function setup(config: Partial<AuthorizationServerConfig> = {}) {
  const { server, storage, clock, post } = await testServer({
    config: { scopes: ['read', 'write', 'admin'], ...config },
    endpoints: [tokenEndpoint],
    grantTypes: [clientCredentialsGrant, refreshTokenGrant],
    clients: [
      await secretClient('service', {
        // Registered for refresh_token too: client_credentials must still not issue one.
        grant_types: ['client_credentials', 'refresh_token'],
        scope: 'read write',
      }),
      await secretClient('unscoped', { grant_types: ['client_credentials'] }),
      {
        client_id: 'public',
        token_endpoint_auth_method: 'none',
        grant_types: ['client_credentials'],
      },
    ],
  })

  const token = async (form: Record<string, string>, headers: Record<string, string>) =>
    jsonOf(await post('/token', { grant_type: 'client_credentials', ...form }, headers))
  const asService = (form: Record<string, string> = {}) =>
    token(form, { authorization: basic('service', 'service-secret') })
  return { server, storage, now: clock.now, token, asService }
}

describe('clientCredentialsGrant (RFC 6749 4.4)', () => {
  it('RFC 6749 4.4.3: a confidential client gets an access token and no refresh token', async () => {
    const { asService, storage, now } = await setup()
    const { status, body } = await asService({ scope: 'read' })
    expect(status).toBe(200)
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'read' })
    expect(body.refresh_token).toBeUndefined()
    const record = await storage.tokens.get(await sha256(body.access_token))
    expect(record).toMatchObject({ type: 'access_token', clientId: 'service', scopes: ['read'] })
    expect(record?.accountId).toBeUndefined()
    // The grant has no end-user and lives as long as the token.
    const grant = await storage.grants.get(record!.grantId)
    expect(grant).toMatchObject({ clientId: 'service', scopes: ['read'], expiresAt: now + 3600 })
    expect(grant?.accountId).toBeUndefined()
  })

  it('RFC 6749 3.3: without a scope parameter the client gets its registered scope', async () => {
    const { asService } = await setup()
    expect((await asService()).body.scope).toBe('read write')
  })

  it('RFC 6749 3.3: a scope the client is not registered for is invalid_scope', async () => {
    const { asService } = await setup()
    const { status, body } = await asService({ scope: 'read admin' })
    expect([status, body.error]).toEqual([400, 'invalid_scope'])
  })

  it('RFC 6749 3.3: a scope the server does not know is invalid_scope', async () => {
    const { token } = await setup()
    const { body } = await token(
      { scope: 'read launch-missiles' },
      { authorization: basic('unscoped', 'unscoped-secret') },
    )
    expect(body.error).toBe('invalid_scope')
  })

  it('RFC 6749 4.4: a public client is unauthorized_client; no client at all is invalid_client', async () => {
    const { token } = await setup()
    const { status, body } = await token({}, {})
    expect(body.error).toBe('invalid_client')
    // RFC 9110 15.5.2: without an Authorization header there is no challenge, hence 400.
    expect(status).toBe(400)
    const asPublic = await token({ client_id: 'public' }, {})
    expect([asPublic.status, asPublic.body.error]).toEqual([400, 'unauthorized_client'])
  })

  it('RFC 6749 4.4.2: a wrong secret is invalid_client', async () => {
    const { token } = await setup()
    const { status, body } = await token({}, { authorization: basic('service', 'nope') })
    expect([status, body.error]).toEqual([401, 'invalid_client'])
  })
})
