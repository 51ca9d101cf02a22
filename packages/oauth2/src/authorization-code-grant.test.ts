import { describe, expect, it } from 'vitest'
import { authorizationCodeGrant, codeResponseType } from './authorization-code-grant'
import type { AuthorizationServerConfig } from './config'
import { randomToken, sha256 } from './crypto'
import { OAuthError } from './errors'
import type { AuthorizationRequest } from './plugin'
import { refreshTokenGrant } from './refresh-token-grant'
import type { GrantRecord, SessionRecord } from './storage'
import { basic, jsonOf, secretClient, testServer } from './test-support/test-server'
import { tokenEndpoint } from './token-endpoint'

const REDIRECT = 'https://app.example/cb'
// RFC 7636 Appendix B (the challenge is BASE64URL(SHA256(verifier)), as printed in the RFC).
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'

async function setup(config: Partial<AuthorizationServerConfig> = {}) {
  const { server, storage, clock, clients, advance, post, revokedGrants } = await testServer({
    config,
    endpoints: [tokenEndpoint],
    grantTypes: [authorizationCodeGrant, refreshTokenGrant],
    responseTypes: [codeResponseType],
    clients: [
      await secretClient('app', {
        redirect_uris: [REDIRECT],
        grant_types: ['authorization_code', 'refresh_token'],
      }),
      await secretClient('other', { redirect_uris: [REDIRECT] }),
      { client_id: 'spa', token_endpoint_auth_method: 'none', redirect_uris: [REDIRECT] },
    ],
  })
  const credentials: Record<string, Record<string, string>> = {
    app: { authorization: basic('app', 'app-secret') },
    other: { authorization: basic('other', 'other-secret') },
    spa: {},
  }

  /** Runs the authorization request part: validate, then issue a code as the endpoint would. */
  async function authorize(clientId: string, params: Record<string, string> = {}) {
    const client = clients[clientId]!
    const now = clock.now
    const grant: GrantRecord = {
      id: randomToken(16),
      clientId,
      accountId: 'alice',
      scopes: ['read', 'write'],
      authTime: now,
      createdAt: now,
      expiresAt: now + 86400,
    }
    await storage.grants.save(grant)
    const session: SessionRecord = {
      id: 's1',
      accountId: 'alice',
      authTime: now,
      createdAt: now,
      expiresAt: now + 86400,
    }
    const request: AuthorizationRequest = {
      client,
      redirectUri: params.redirect_uri ?? REDIRECT,
      responseType: 'code',
      responseMode: 'query',
      scopes: grant.scopes,
      params: { response_type: 'code', client_id: clientId, ...params },
    }
    await codeResponseType.validate?.(request, server)
    const { code } = await codeResponseType.respond({ server, request, grant, session })
    return { code: code!, grant }
  }

  async function token(clientId: string, form: Record<string, string>) {
    const { authorization, ...extra } = credentials[clientId]!
    const body = {
      grant_type: 'authorization_code',
      ...(authorization ? {} : { client_id: clientId }),
      ...extra,
      ...form,
    }
    return jsonOf(await post('/token', body, authorization ? { authorization } : {}))
  }
  const tokenRecord = async (value: string) => storage.tokens.get(await sha256(value))
  return { server, storage, clients, authorize, token, tokenRecord, advance, revokedGrants }
}

async function rejection(promise: Promise<unknown>): Promise<OAuthError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!(error instanceof OAuthError)) throw new Error(`expected an OAuthError, got ${error}`)
  return error
}

describe('codeResponseType (RFC 6749 4.1.1, 4.1.2)', () => {
  it('RFC 6749 4.1.2: the code is random, stored by hash and bound to client, redirect URI, scopes, PKCE and nonce', async () => {
    const { authorize, storage, server } = await setup()
    const { code, grant } = await authorize('app', {
      redirect_uri: REDIRECT,
      nonce: 'n-0S6_WzA2Mj',
      code_challenge: CHALLENGE,
      code_challenge_method: 'S256',
    })
    // RFC 6749 10.10: 256 bits of entropy, base64url.
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const result = await storage.codes.consume(await sha256(code), server.now())
    expect(result.status).toBe('consumed')
    if (result.status !== 'consumed') return
    expect(result.record).toMatchObject({
      grantId: grant.id,
      clientId: 'app',
      redirectUri: REDIRECT,
      redirectUriProvided: true,
      scopes: ['read', 'write'],
      codeChallenge: CHALLENGE,
      codeChallengeMethod: 'S256',
      nonce: 'n-0S6_WzA2Mj',
      expiresAt: server.now() + 60,
    })
  })

  it('RFC 6749 4.1.2: the code lifetime follows tokens.authorizationCodeTtl', async () => {
    const { authorize, storage, server } = await setup({ tokens: { authorizationCodeTtl: 300 } })
    const { code } = await authorize('app')
    const result = await storage.codes.consume(await sha256(code), server.now())
    expect(result.status === 'consumed' && result.record.expiresAt).toBe(server.now() + 300)
  })

  it('RFC 9700 2.1.1: a public client must send a code_challenge (invalid_request)', async () => {
    const { authorize } = await setup()
    const error = await rejection(authorize('spa'))
    expect(error.error).toBe('invalid_request')
  })

  it('RFC 9700 2.1.1: with pkce.required "all" confidential clients must send one too', async () => {
    const { authorize } = await setup({ pkce: { required: 'all' } })
    expect((await rejection(authorize('app'))).error).toBe('invalid_request')
    const { code } = await authorize('app', {
      code_challenge: CHALLENGE,
      code_challenge_method: 'S256',
    })
    expect(code).toBeTruthy()
  })

  it('RFC 7636 4.3 / RFC 9700 2.1.1: the plain method is refused unless allowed', async () => {
    const { authorize } = await setup()
    const error = await rejection(authorize('spa', { code_challenge: VERIFIER }))
    expect(error.error).toBe('invalid_request')
    const allowed = await setup({ pkce: { allowPlain: true } })
    const { code } = await allowed.authorize('spa', { code_challenge: VERIFIER })
    const { status } = await allowed.token('spa', {
      code,
      redirect_uri: REDIRECT,
      code_verifier: VERIFIER,
    })
    expect(status).toBe(200)
  })
})

describe('authorizationCodeGrant (RFC 6749 4.1.3)', () => {
  it('RFC 6749 4.1.3, 5.1: a code is exchanged for a Bearer access token and a refresh token', async () => {
    const { authorize, token, tokenRecord } = await setup()
    const { code, grant } = await authorize('app', { redirect_uri: REDIRECT })
    const { status, headers, body } = await token('app', { code, redirect_uri: REDIRECT })
    expect(status).toBe(200)
    expect(headers.get('cache-control')).toBe('no-store')
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'read write' })
    expect(typeof body.access_token).toBe('string')
    expect(typeof body.refresh_token).toBe('string')
    expect(await tokenRecord(body.access_token)).toMatchObject({
      type: 'access_token',
      grantId: grant.id,
      clientId: 'app',
      accountId: 'alice',
    })
  })

  it('RFC 7636 Appendix B: the S256 test vector verifies', async () => {
    const { authorize, token } = await setup()
    const { code } = await authorize('spa', {
      code_challenge: CHALLENGE,
      code_challenge_method: 'S256',
    })
    const { status, body } = await token('spa', { code, code_verifier: VERIFIER })
    expect(status).toBe(200)
    // RFC 7591 2: a client registered for authorization_code only gets no refresh token.
    expect(body.refresh_token).toBeUndefined()
  })

  it('RFC 7636 4.6: a missing code_verifier is invalid_grant', async () => {
    const { authorize, token } = await setup()
    const { code } = await authorize('spa', {
      code_challenge: CHALLENGE,
      code_challenge_method: 'S256',
    })
    const { status, body } = await token('spa', { code })
    expect([status, body.error]).toEqual([400, 'invalid_grant'])
  })

  it('RFC 7636 4.6: a wrong code_verifier is invalid_grant', async () => {
    const { authorize, token } = await setup()
    const { code } = await authorize('spa', {
      code_challenge: CHALLENGE,
      code_challenge_method: 'S256',
    })
    const { body } = await token('spa', { code, code_verifier: VERIFIER.replace('d', 'e') })
    expect(body.error).toBe('invalid_grant')
  })

  it('RFC 9700 2.1.1: a code_verifier for a code issued without PKCE is invalid_grant (downgrade)', async () => {
    const { authorize, token } = await setup()
    const { code } = await authorize('app')
    const { body } = await token('app', { code, code_verifier: VERIFIER })
    expect(body.error).toBe('invalid_grant')
  })

  it('RFC 6749 4.1.3: a missing code is invalid_request, an unknown one invalid_grant', async () => {
    const { token } = await setup()
    expect((await token('app', {})).body.error).toBe('invalid_request')
    expect((await token('app', { code: 'nope' })).body.error).toBe('invalid_grant')
  })

  it('RFC 6749 4.1.2: a code is single-use; a replay revokes the tokens issued from it', async () => {
    const { authorize, token, tokenRecord, storage, revokedGrants } = await setup()
    const { code, grant } = await authorize('app')
    const first = await token('app', { code })
    expect(first.status).toBe(200)
    expect((await tokenRecord(first.body.access_token))?.revokedAt).toBeUndefined()
    const replay = await token('app', { code })
    expect([replay.status, replay.body.error]).toEqual([400, 'invalid_grant'])
    expect((await tokenRecord(first.body.access_token))?.revokedAt).toBeDefined()
    expect((await tokenRecord(first.body.refresh_token))?.revokedAt).toBeDefined()
    expect((await storage.grants.get(grant.id))?.revokedAt).toBeDefined()
    expect(revokedGrants).toEqual([grant.id])
  })

  it('RFC 6749 4.1.2: an expired code is invalid_grant', async () => {
    const { authorize, token, advance } = await setup()
    const { code } = await authorize('app')
    advance(61)
    const { body } = await token('app', { code })
    expect(body.error).toBe('invalid_grant')
  })

  it('RFC 6749 4.1.3: a code issued to another client is invalid_grant', async () => {
    const { authorize, token } = await setup()
    const { code } = await authorize('app')
    const { body } = await token('other', { code })
    expect(body.error).toBe('invalid_grant')
  })

  it('RFC 6749 4.1.3: redirect_uri is required and identical when the authorization request had it', async () => {
    const { authorize, token } = await setup()
    const missing = await authorize('app', { redirect_uri: REDIRECT })
    expect((await token('app', { code: missing.code })).body.error).toBe('invalid_grant')
    const different = await authorize('app', { redirect_uri: REDIRECT })
    const other = await token('app', { code: different.code, redirect_uri: `${REDIRECT}/x` })
    expect(other.body.error).toBe('invalid_grant')
  })

  it('RFC 6749 4.1.3: without redirect_uri in the authorization request it may be omitted, but if sent must match', async () => {
    const { authorize, token } = await setup()
    const omitted = await authorize('app')
    expect((await token('app', { code: omitted.code })).status).toBe(200)
    const matching = await authorize('app')
    expect((await token('app', { code: matching.code, redirect_uri: REDIRECT })).status).toBe(200)
    const wrong = await authorize('app')
    const { body } = await token('app', {
      code: wrong.code,
      redirect_uri: 'https://evil.example/cb',
    })
    expect(body.error).toBe('invalid_grant')
  })

  it('RFC 6749 4.1.2: a code of a revoked grant is invalid_grant', async () => {
    const { authorize, token, storage, server } = await setup()
    const { code, grant } = await authorize('app')
    await storage.grants.revoke(grant.id, server.now())
    expect((await token('app', { code })).body.error).toBe('invalid_grant')
  })

  it('RFC 6749 4.1.2: of 20 concurrent redemptions of one code exactly one succeeds', async () => {
    const { authorize, token, tokenRecord } = await setup()
    const { code } = await authorize('app')
    const results = await Promise.all(Array.from({ length: 20 }, () => token('app', { code })))
    const ok = results.filter((r) => r.status === 200)
    expect(ok).toHaveLength(1)
    expect(results.filter((r) => r.body.error === 'invalid_grant')).toHaveLength(19)
    // The 19 replays revoked the grant, so even the winner's tokens must not survive.
    expect((await tokenRecord(ok[0]!.body.access_token))?.revokedAt).toBeDefined()
  })

  it('RFC 6749 4.1.4: no refresh token when the server has the refresh_token grant disabled', async () => {
    const { authorize, token } = await setup({ grantTypes: ['authorization_code'] })
    const { code } = await authorize('app')
    const { status, body } = await token('app', { code })
    expect(status).toBe(200)
    expect(body.refresh_token).toBeUndefined()
  })

  it('RFC 6749 4.1.4: the issueRefreshToken hook can withhold the refresh token', async () => {
    const seen: string[][] = []
    const { authorize, token } = await setup({
      tokens: {
        issueRefreshToken: (_client, scopes) => {
          seen.push([...scopes])
          return false
        },
      },
    })
    const { code } = await authorize('app')
    const { body } = await token('app', { code })
    expect(body.refresh_token).toBeUndefined()
    expect(seen).toEqual([['read', 'write']])
  })
})
