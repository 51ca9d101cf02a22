import { verifyJwt } from '@oidkit/jose'
import { type Client, type GrantRecord, isOAuthError } from '@oidkit/oauth2'
import { describe, expect, it } from 'vitest'
import type { OpenIDOptions } from './config'
import { ISSUER, startGrantsServer } from './e2e/grants-fixture'
import { idTokenSigningKey, issueIdToken } from './id-token-issuer'
import { leftHalfSha256 } from './test-support/id-token-checks'

const CLIENT: Client = { client_id: 'web', redirect_uris: ['https://client.example/cb'] }

function grantOf(now: number, extra: Partial<GrantRecord> = {}): GrantRecord {
  return {
    id: 'g1',
    clientId: 'web',
    accountId: 'alice',
    scopes: ['openid', 'profile'],
    authTime: now - 30,
    sessionId: 'sess-1',
    createdAt: now,
    expiresAt: now + 3600,
    ...extra,
  }
}

async function setup(openid: Partial<OpenIDOptions> = {}) {
  const fixture = await startGrantsServer({ openid })
  const server = fixture.server.context
  const decode = async (jwt: string) =>
    (
      await verifyJwt(jwt, {
        keys: fixture.keys,
        issuer: ISSUER,
        audience: 'web',
        currentDate: new Date(server.now() * 1000),
      })
    ).payload
  return { server, options: fixture.options, now: server.now(), decode }
}

async function rejection(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(isOAuthError(error)).toBe(true)
  return error as { error: string; status: number }
}

describe('issueIdToken', () => {
  it('OIDC Core 2 / 3.1.3.6: protocol claims from the grant; exp = iat + idTokenTtl; no auth_time, sid or nonce the grant and request do not have', async () => {
    const { server, options, now, decode } = await setup({ idTokenTtl: 300 })
    const bare = grantOf(now, { authTime: undefined, sessionId: undefined })
    const payload = await decode(
      await issueIdToken(server, options, {
        client: CLIENT,
        grant: bare,
        profile: 'code',
        accessTokenIssued: true,
      }),
    )
    expect(payload).toEqual({ iss: ISSUER, sub: 'alice', aud: 'web', iat: now, exp: now + 300 })

    const full = await decode(
      await issueIdToken(server, options, {
        client: CLIENT,
        grant: grantOf(now, { acr: '1', amr: ['pwd'] }),
        profile: 'code',
        nonce: 'abc',
        accessToken: 'at-value',
        accessTokenIssued: true,
      }),
    )
    expect(full).toMatchObject({
      auth_time: now - 30,
      sid: 'sess-1',
      acr: '1',
      amr: ['pwd'],
      nonce: 'abc',
      at_hash: leftHalfSha256('at-value'),
    })
  })

  it('OIDC Core 3.3.2.11 / FAPI 1.0 Advanced 5.2.2.1: c_hash and s_hash are the left half of SHA-256 of the code and state', async () => {
    const { server, options, now, decode } = await setup()
    const payload = await decode(
      await issueIdToken(server, options, {
        client: CLIENT,
        grant: grantOf(now),
        profile: 'hybrid',
        nonce: 'n',
        code: 'the-code',
        state: 'the-state',
        accessTokenIssued: true,
      }),
    )
    expect(payload.c_hash).toBe(leftHalfSha256('the-code'))
    expect(payload.s_hash).toBe(leftHalfSha256('the-state'))
    expect(payload).not.toHaveProperty('at_hash')
  })

  it('OIDC Core 5.5 / Authlib quirk 3: released account claims never override iss, aud, sub, exp or nonce', async () => {
    const { server, options, now, decode } = await setup({
      claims: () => ({
        name: 'Alice',
        iss: 'https://evil.example',
        aud: 'evil',
        sub: 'mallory',
        exp: 9_999_999_999,
        nonce: 'forged',
      }),
    })
    // A claims request naming protocol claims, as a hostile client could send (5.5).
    const claims = {
      id_token: { name: null, iss: null, aud: null, sub: null, exp: null, nonce: null },
    }
    const payload = await decode(
      await issueIdToken(server, options, {
        client: CLIENT,
        grant: grantOf(now, { claims }),
        profile: 'code',
        accessTokenIssued: true,
      }),
    )
    expect(payload).toMatchObject({ iss: ISSUER, aud: 'web', sub: 'alice', exp: now + 3600 })
    expect(payload.name).toBe('Alice')
    expect('nonce' in payload).toBe(false)
  })

  it('OIDC Core 5.4: the account hook is not called when no claim goes in the ID token (code flow hot path)', async () => {
    let calls = 0
    const { server, options, now } = await setup({
      claims: () => {
        calls++
        return { name: 'Alice' }
      },
    })
    await issueIdToken(server, options, {
      client: CLIENT,
      grant: grantOf(now),
      profile: 'code',
      accessToken: 'at',
      accessTokenIssued: true,
    })
    expect(calls).toBe(0)
  })

  it('OIDC Core 5.4: without an access token the profile scope claims go in the ID token', async () => {
    const { server, options, now, decode } = await setup()
    const payload = await decode(
      await issueIdToken(server, options, {
        client: CLIENT,
        grant: grantOf(now),
        profile: 'implicit',
        nonce: 'n',
        accessTokenIssued: false,
      }),
    )
    expect(payload.name).toBe('Alice Liddell')
    expect(payload).not.toHaveProperty('email')
  })

  it('RFC 6749 5.2 / 4.2.2.1: an account that no longer exists is invalid_grant at the token endpoint, access_denied at the authorization endpoint', async () => {
    const { server, options, now } = await setup({ claims: () => undefined })
    const input = { client: CLIENT, grant: grantOf(now), nonce: 'n', accessTokenIssued: false }
    const token = await rejection(issueIdToken(server, options, { ...input, profile: 'token' }))
    expect(token.error).toBe('invalid_grant')
    const implicit = await rejection(
      issueIdToken(server, options, { ...input, profile: 'implicit' }),
    )
    expect(implicit.error).toBe('access_denied')
  })

  it('OIDC Registration 1.0 2: RS256 by default, the registered alg otherwise, invalid_client (400) when no current key signs with it, never none', async () => {
    const { server } = await setup()
    expect(idTokenSigningKey(server, CLIENT).alg).toBe('RS256')
    expect(
      idTokenSigningKey(server, { ...CLIENT, id_token_signed_response_alg: 'ES256' }).alg,
    ).toBe('ES256')
    for (const alg of ['PS256', 'none']) {
      let error: unknown
      try {
        idTokenSigningKey(server, { ...CLIENT, id_token_signed_response_alg: alg })
      } catch (e) {
        error = e
      }
      expect(isOAuthError(error)).toBe(true)
      expect(error).toMatchObject({ error: 'invalid_client', status: 400 })
    }
  })
})
