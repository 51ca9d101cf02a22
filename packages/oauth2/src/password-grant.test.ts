import { describe, expect, it } from 'vitest'
import type { AuthorizationServerConfig } from './config'
import { sha256 } from './crypto'
import { passwordGrant } from './password-grant'
import { refreshTokenGrant } from './refresh-token-grant'
import { basic, jsonOf, secretClient, testServer } from './test-support/test-server'
import { tokenEndpoint } from './token-endpoint'

const ENABLED = ['authorization_code', 'refresh_token', 'password']

async function setup(config: Partial<AuthorizationServerConfig> = {}) {
  const calls: Array<{ username: string; clientId: string }> = []
  const { server, storage, clock, post } = await testServer({
    config: {
      scopes: ['read', 'write'],
      accounts: {
        authenticate: async (username, password, client) => {
          calls.push({ username, clientId: client.client_id })
          return username === 'alice' && password === 'correct horse' ? 'account-1' : undefined
        },
      },
      ...config,
    },
    endpoints: [tokenEndpoint],
    grantTypes: [passwordGrant, refreshTokenGrant],
    clients: [
      await secretClient('legacy', {
        grant_types: ['password', 'refresh_token'],
        scope: 'read write',
      }),
      await secretClient('no-refresh', { grant_types: ['password'] }),
    ],
  })

  async function token(form: Record<string, string>, clientId = 'legacy') {
    const authorization = basic(clientId, `${clientId}-secret`)
    return jsonOf(await post('/token', { grant_type: 'password', ...form }, { authorization }))
  }
  return { server, storage, now: clock.now, calls, token }
}

const credentials = { username: 'alice', password: 'correct horse' }

describe('passwordGrant (RFC 6749 4.3)', () => {
  it('RFC 9700 2.4: the password grant is off by default (unsupported_grant_type)', async () => {
    const { token, calls } = await setup()
    const { status, body } = await token(credentials)
    expect([status, body.error]).toEqual([400, 'unsupported_grant_type'])
    expect(calls).toEqual([])
  })

  it('RFC 6749 4.3.3: when enabled, valid credentials get an access and a refresh token', async () => {
    const { token, storage, calls, now } = await setup({ grantTypes: ENABLED })
    const { status, body } = await token({ ...credentials, scope: 'read' })
    expect(status).toBe(200)
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'read' })
    expect(body.refresh_token).toEqual(expect.any(String))
    expect(calls).toEqual([{ username: 'alice', clientId: 'legacy' }])
    const record = await storage.tokens.get(await sha256(body.access_token))
    expect(record?.accountId).toBe('account-1')
    const grant = await storage.grants.get(record!.grantId)
    expect(grant).toMatchObject({ accountId: 'account-1', authTime: now, scopes: ['read'] })
  })

  it('RFC 6749 4.3.3: no refresh token for a client not registered for refresh_token', async () => {
    const { token } = await setup({ grantTypes: ENABLED })
    const { status, body } = await token(credentials, 'no-refresh')
    expect(status).toBe(200)
    expect(body.refresh_token).toBeUndefined()
  })

  it('RFC 6749 5.2: wrong resource owner credentials are invalid_grant (not invalid_request)', async () => {
    const { token } = await setup({ grantTypes: ENABLED })
    const { status, body } = await token({ username: 'alice', password: 'wrong' })
    expect([status, body.error]).toEqual([400, 'invalid_grant'])
  })

  it('RFC 6749 4.3.2: a missing username or password is invalid_request', async () => {
    const { token, calls } = await setup({ grantTypes: ENABLED })
    expect((await token({ password: 'correct horse' })).body.error).toBe('invalid_request')
    expect((await token({ username: 'alice' })).body.error).toBe('invalid_request')
    expect(calls).toEqual([])
  })

  it('RFC 6749 3.3: a scope outside the client registration is invalid_scope', async () => {
    const { token, calls } = await setup({
      grantTypes: ENABLED,
      scopes: ['read', 'write', 'admin'],
    })
    const { body } = await token({ ...credentials, scope: 'admin' })
    expect(body.error).toBe('invalid_scope')
    expect(calls).toEqual([])
  })

  it('RFC 6749 4.3: enabled without accounts.authenticate it is unsupported_grant_type', async () => {
    const { token } = await setup({ grantTypes: ENABLED, accounts: {} })
    expect((await token(credentials)).body.error).toBe('unsupported_grant_type')
  })

  it('RFC 6749 5.2: a client not registered for password is unauthorized_client', async () => {
    const { token, storage } = await setup({ grantTypes: ENABLED })
    await storage.clients.save({
      client_id: 'web',
      client_secret_hash: await sha256('web-secret'),
    })
    expect((await token(credentials, 'web')).body.error).toBe('unauthorized_client')
  })
})
