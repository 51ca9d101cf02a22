import { KeySet } from '@oidkit/jose'
import { beforeAll, describe, expect, it } from 'vitest'
import { type BearerVerifyOptions, createBearerVerifier } from './bearer'
import type { Client } from './client'
import type { AuthorizationServerConfig } from './config'
import { createContext } from './context'
import { isOAuthError } from './errors'
import { MemoryStore } from './memory-store'
import type { GrantRecord } from './storage'
import { issueAccessToken, issueRefreshToken } from './token-issuer'

const issuer = 'https://as.example'
const realm = `Bearer realm="${issuer}"`
let keys: KeySet

beforeAll(async () => {
  keys = await KeySet.generate('RS256')
})

async function setup(config: Partial<AuthorizationServerConfig> = {}) {
  const clock = { now: Math.floor(Date.now() / 1000) }
  const storage = new MemoryStore()
  const server = createContext(
    { issuer, keys, storage, now: () => clock.now, ...config },
    { endpoints: [], grantTypes: [], responseTypes: [], checks: [] },
  )
  const client: Client = { client_id: 'app', redirect_uris: ['https://app.example/cb'] }
  await storage.clients.save(client)
  const grant: GrantRecord = {
    id: 'g1',
    clientId: 'app',
    accountId: 'alice',
    scopes: ['profile', 'email'],
    createdAt: clock.now,
    expiresAt: clock.now + 86400,
  }
  await storage.grants.save(grant)
  const { value: token, record } = await issueAccessToken(server, {
    client,
    grant,
    scopes: ['profile'],
  })
  const bearer = createBearerVerifier(server)
  /** Verifies and returns the outcome as a response, as protect() would. */
  const check = async (request: Request, options?: BearerVerifyOptions) => {
    try {
      const result = await bearer.verify(request, options)
      return { ok: true as const, result, request }
    } catch (error) {
      if (!isOAuthError(error)) throw error
      return { ok: false as const, response: error.toResponse(), error }
    }
  }
  const get = (headers: Record<string, string> = {}) =>
    new Request('https://api.example/me', { headers })
  return { server, storage, clock, client, grant, token, record, bearer, check, get }
}

describe('bearer verifier', () => {
  it('RFC 6750 2.1: accepts "Authorization: Bearer <token>" with any scheme case', async () => {
    const { check, get, token, record, grant } = await setup()
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      const outcome = await check(get({ authorization: `${scheme} ${token}` }))
      // The grant read while checking the token comes along, so resources need not read it again.
      expect(outcome.ok && outcome.result).toEqual({
        token: record,
        grant,
        clientId: 'app',
        accountId: 'alice',
        scopes: ['profile'],
      })
    }
  })

  it('RFC 9068: accepts a JWT access token in the header', async () => {
    const { check, get, server, client, grant } = await setup({
      tokens: { accessTokenFormat: 'jwt' },
    })
    const { value } = await issueAccessToken(server, { client, grant, scopes: ['profile'] })
    const outcome = await check(get({ authorization: `Bearer ${value}` }))
    expect(outcome.ok && outcome.result.accountId).toBe('alice')
  })

  it('RFC 6750 3.1: a request without a token gets the bare challenge, no error code', async () => {
    const { check, get } = await setup()
    const outcome = await check(get())
    expect(outcome.ok).toBe(false)
    if (outcome.ok) return
    expect(outcome.response.status).toBe(401)
    expect(outcome.response.headers.get('www-authenticate')).toBe(realm)
    expect(await outcome.response.text()).toBe('')
  })

  it('RFC 6750 3.1: another authentication scheme counts as no token at all', async () => {
    const { check, get } = await setup()
    const outcome = await check(get({ authorization: `Basic ${btoa('app:secret')}` }))
    expect(!outcome.ok && outcome.response.headers.get('www-authenticate')).toBe(realm)
  })

  it('RFC 6750 2.3 / RFC 9700 2.4: a token in the query is not accepted', async () => {
    const { check, token } = await setup()
    const outcome = await check(new Request(`https://api.example/me?access_token=${token}`))
    expect(!outcome.ok && outcome.response.status).toBe(401)
    expect(!outcome.ok && outcome.response.headers.get('www-authenticate')).toBe(realm)
  })

  it('RFC 6750 3.1: an unknown token is 401 invalid_token with the challenge', async () => {
    const { check, get } = await setup()
    const outcome = await check(get({ authorization: 'Bearer invalid' }))
    expect(outcome.ok).toBe(false)
    if (outcome.ok) return
    expect(outcome.response.status).toBe(401)
    expect(outcome.response.headers.get('www-authenticate')).toBe(
      `${realm}, error="invalid_token", error_description="the access token is invalid"`,
    )
    expect(await outcome.response.json()).toMatchObject({ error: 'invalid_token' })
  })

  it('RFC 6750 3.1: an expired token is invalid_token', async () => {
    const { check, get, token, clock, server } = await setup()
    clock.now += server.settings.accessTokenTtl
    const outcome = await check(get({ authorization: `Bearer ${token}` }))
    expect(!outcome.ok && outcome.response.status).toBe(401)
    expect(!outcome.ok && outcome.response.headers.get('www-authenticate')).toContain(
      'error="invalid_token", error_description="the access token has expired"',
    )
  })

  it('RFC 7009 2.1 / RFC 6750 3.1: a revoked token, or one of a revoked grant, is invalid_token', async () => {
    const { check, get, token, record, storage, clock, server, client, grant } = await setup()
    await storage.tokens.revoke(record.hash, clock.now)
    const revoked = await check(get({ authorization: `Bearer ${token}` }))
    expect(!revoked.ok && revoked.error.error).toBe('invalid_token')
    const other = await issueAccessToken(server, { client, grant, scopes: ['profile'] })
    await storage.grants.revoke(grant.id, clock.now)
    const ofRevokedGrant = await check(get({ authorization: `Bearer ${other.value}` }))
    expect(!ofRevokedGrant.ok && ofRevokedGrant.error.error).toBe('invalid_token')
  })

  it('RFC 6749 1.5: a refresh token does not open a resource', async () => {
    const { check, get, server, client, grant } = await setup()
    const refresh = await issueRefreshToken(server, { client, grant, scopes: ['profile'] })
    const outcome = await check(get({ authorization: `Bearer ${refresh.value}` }))
    expect(!outcome.ok && outcome.error.error).toBe('invalid_token')
  })

  it('RFC 6750 3.1: a token without a required scope is 403 insufficient_scope with scope=', async () => {
    const { check, get, token } = await setup()
    const outcome = await check(get({ authorization: `Bearer ${token}` }), {
      scopes: ['profile', 'email'],
    })
    expect(outcome.ok).toBe(false)
    if (outcome.ok) return
    expect(outcome.response.status).toBe(403)
    expect(outcome.response.headers.get('www-authenticate')).toBe(
      `${realm}, error="insufficient_scope", error_description="the access token lacks a required scope", scope="profile email"`,
    )
    const enough = await check(get({ authorization: `Bearer ${token}` }), { scopes: ['profile'] })
    expect(enough.ok).toBe(true)
  })

  it('RFC 6750 2.1: a malformed bearer credential is 400 invalid_request', async () => {
    const { check, get, token } = await setup()
    for (const authorization of ['Bearer', 'Bearer ', `Bearer ${token} extra`, 'Bearer a"b']) {
      const outcome = await check(get({ authorization }))
      expect(!outcome.ok && outcome.response.status).toBe(400)
      expect(!outcome.ok && outcome.error.error).toBe('invalid_request')
    }
  })

  it('RFC 6750 2.2: the form body access_token is accepted when enabled, and the body stays readable', async () => {
    const { check, token } = await setup()
    const post = () =>
      new Request('https://api.example/me', {
        method: 'POST',
        body: new URLSearchParams({ access_token: token, other: '1' }),
      })
    const disabled = await check(post())
    expect(!disabled.ok && disabled.response.status).toBe(401)
    const enabled = await check(post(), { allowFormBody: true })
    expect(enabled.ok && enabled.result.clientId).toBe('app')
    expect(enabled.ok && (await enabled.request.formData()).get('other')).toBe('1')
  })

  it('RFC 6750 2.2: GET never carries the token in a body', async () => {
    const { check } = await setup()
    const outcome = await check(new Request('https://api.example/me', { method: 'GET' }), {
      allowFormBody: true,
    })
    expect(!outcome.ok && outcome.response.status).toBe(401)
  })

  it('RFC 6750 3.1: a token in both the header and the body is invalid_request', async () => {
    const { check, token } = await setup()
    const request = new Request('https://api.example/me', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: new URLSearchParams({ access_token: token }),
    })
    const outcome = await check(request, { allowFormBody: true })
    expect(!outcome.ok && outcome.response.status).toBe(400)
    expect(!outcome.ok && outcome.error.error).toBe('invalid_request')
  })

  it('RFC 6749 3.1: a repeated access_token body parameter is invalid_request', async () => {
    const { check, token } = await setup()
    const request = new Request('https://api.example/me', {
      method: 'POST',
      body: `access_token=${token}&access_token=${token}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
    const outcome = await check(request, { allowFormBody: true })
    expect(!outcome.ok && outcome.error.error).toBe('invalid_request')
  })

  it('Fetch CORS: remembers the client of a cross-origin request for CORS, and nothing on failure', async () => {
    const { bearer, server, get, token } = await setup()
    const ok = get({ authorization: `Bearer ${token}`, origin: 'https://app.example' })
    await bearer.verify(ok)
    expect(server.requestClients.get(ok)?.client_id).toBe('app')
    const bad = get({ authorization: 'Bearer nope', origin: 'https://app.example' })
    await expect(bearer.verify(bad)).rejects.toMatchObject({ error: 'invalid_token' })
    expect(server.requestClients.has(bad)).toBe(false)
  })

  it('RFC 6750 3: protect() answers failures with the error response and runs the handler otherwise', async () => {
    const { bearer, get, token } = await setup()
    const handler = bearer.protect(
      async (_request, verified) => Response.json({ sub: verified.accountId }),
      {
        scopes: ['profile'],
      },
    )
    const denied = await handler(get())
    expect(denied.status).toBe(401)
    expect(denied.headers.get('www-authenticate')).toBe(realm)
    const allowed = await handler(get({ authorization: `Bearer ${token}` }))
    expect(await allowed.json()).toEqual({ sub: 'alice' })
  })
})
