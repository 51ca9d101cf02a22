import { HybridIDToken, ImplicitIDToken } from '@oidkit/jose'
import { canonicalResponseType } from '@oidkit/oauth2'
import { describe, expect, it } from 'vitest'
import {
  CB,
  type GrantsServer,
  ISSUER,
  responseParams,
  startGrantsServer,
} from './e2e/grants-fixture'
import { MAX_NONCE_LENGTH, oidcResponseTypes } from './response-types'
import { leftHalfSha256, relyingParty, verifyIdToken } from './test-support/id-token-checks'

/** Asserts a redirect to the registered redirect URI with the parameters in the fragment. */
function fragmentOf(url: URL): Record<string, string> {
  expect(`${url.origin}${url.pathname}`).toBe(CB)
  expect(url.search).toBe('')
  expect(url.hash.length).toBeGreaterThan(1)
  return responseParams(url)
}

/** Sends `request(responseType, extra)` through the browser; returns the fragment parameters. */
const respond = async (
  fixture: GrantsServer,
  responseType: string,
  extra: Record<string, string> = {},
) => fragmentOf(await fixture.authorize(request(responseType, extra)))

const request = (responseType: string, extra: Record<string, string> = {}) => ({
  client_id: 'web',
  response_type: responseType,
  scope: 'openid profile',
  state: 'st-1',
  nonce: 'n-0S6_WzA2Mj',
  ...extra,
})

describe('oidcResponseTypes: registry', () => {
  it('OAuth 2.0 Multiple Response Types 2 / OIDC Core 3.2, 3.3: five canonical response types, implicit grant, fragment by default, never query', () => {
    const handlers = oidcResponseTypes({ claims: () => ({}) })
    expect(handlers.map((h) => h.responseType).sort()).toEqual(
      ['code id_token', 'code id_token token', 'code token', 'id_token', 'id_token token'].sort(),
    )
    for (const handler of handlers) {
      expect(handler.responseType).toBe(canonicalResponseType(handler.responseType))
      expect(handler).toMatchObject({
        grantType: 'implicit',
        defaultResponseMode: 'fragment',
        returnsTokens: true,
      })
    }
  })

  it('RFC 9700 2.1.2: without the implicit grant enabled they do not exist (unsupported_response_type)', async () => {
    const fixture = await startGrantsServer({ grantTypes: ['authorization_code', 'refresh_token'] })
    for (const responseType of ['id_token', 'code id_token', 'id_token token']) {
      const params = await respond(fixture, responseType)
      expect(params.error).toBe('unsupported_response_type')
      expect(params.state).toBe('st-1')
      expect(params).not.toHaveProperty('id_token')
    }
  })
})

describe('oidcResponseTypes: implicit flow (OIDC Core 3.2)', () => {
  it('OIDC Core 3.2.2.5 / 5.4: id_token alone comes in the fragment with state and iss, carries the nonce and the profile claims, and no access token', async () => {
    const fixture = await startGrantsServer()
    const params = await respond(fixture, 'id_token')
    expect(params).toMatchObject({ state: 'st-1', iss: ISSUER })
    expect(params).not.toHaveProperty('access_token')
    expect(params).not.toHaveProperty('code')
    const { payload } = await verifyIdToken(fixture, params.id_token)
    expect(payload).toMatchObject({
      iss: ISSUER,
      sub: 'alice',
      aud: 'web',
      nonce: 'n-0S6_WzA2Mj',
      auth_time: fixture.clock.now,
      // 5.4: no access token is issued, so the profile scope's claims are in the ID token.
      name: 'Alice Liddell',
    })
    expect(payload).not.toHaveProperty('at_hash')
    expect(payload).not.toHaveProperty('email')
    await ImplicitIDToken.validate(payload, relyingParty(fixture, { nonce: 'n-0S6_WzA2Mj' }))
  })

  it('OIDC Core 3.2.2.5 / 3.2.2.10: id_token token returns the access token and an ID token whose at_hash matches it', async () => {
    const fixture = await startGrantsServer()
    const params = await respond(fixture, 'token id_token')
    expect(params).toMatchObject({
      token_type: 'Bearer',
      expires_in: '3600',
      scope: 'openid profile',
      state: 'st-1',
      iss: ISSUER,
    })
    expect(params.access_token).toBeTypeOf('string')
    const { payload } = await verifyIdToken(fixture, params.id_token)
    expect(payload.at_hash).toBe(leftHalfSha256(params.access_token!))
    expect(payload.nonce).toBe('n-0S6_WzA2Mj')
    // 5.4: with an access token the profile claims are for UserInfo.
    expect(payload).not.toHaveProperty('name')
    await ImplicitIDToken.validate(
      payload,
      relyingParty(fixture, { nonce: 'n-0S6_WzA2Mj', accessToken: params.access_token! }),
    )
  })

  it('OIDC Registration 1.0 2: the implicit ID token uses the client id_token_signed_response_alg (ES256)', async () => {
    const fixture = await startGrantsServer()
    const params = await respond(fixture, 'id_token token', { client_id: 'es' })
    const { payload, protectedHeader } = await verifyIdToken(fixture, params.id_token, 'es')
    expect(protectedHeader).toMatchObject({
      alg: 'ES256',
      kid: fixture.keys.signingKey('ES256').kid,
    })
    expect(payload.at_hash).toBe(leftHalfSha256(params.access_token!))
  })
})

describe('oidcResponseTypes: hybrid flow (OIDC Core 3.3)', () => {
  it('OIDC Core 3.3.2.5 / 3.3.2.11: code id_token returns a code and an ID token with c_hash; the code redeems to an ID token for the same sub and nonce', async () => {
    const fixture = await startGrantsServer()
    const params = await respond(fixture, 'id_token code')
    expect(params).toMatchObject({ state: 'st-1', iss: ISSUER })
    expect(params).not.toHaveProperty('access_token')
    const { payload } = await verifyIdToken(fixture, params.id_token)
    expect(payload.c_hash).toBe(leftHalfSha256(params.code!))
    expect(payload).not.toHaveProperty('at_hash')
    // 5.4: an access token will be issued at the token endpoint, so no profile claims here.
    expect(payload).not.toHaveProperty('name')
    await HybridIDToken.validate(
      payload,
      relyingParty(fixture, { nonce: 'n-0S6_WzA2Mj', code: params.code!, state: 'st-1' }),
    )

    const redeemed = await fixture.redeem(params.code!)
    expect(redeemed.status).toBe(200)
    const fromToken = await verifyIdToken(fixture, redeemed.body.id_token)
    // 3.3.3.6: sub (and iss, aud) as in the authorization endpoint's ID token; nonce kept.
    expect(fromToken.payload).toMatchObject({
      sub: payload.sub,
      iss: payload.iss,
      aud: payload.aud,
      nonce: 'n-0S6_WzA2Mj',
      at_hash: leftHalfSha256(redeemed.body.access_token as string),
    })
  })

  it('OIDC Core 3.3.2.5 / 3.3.2.11: code id_token token returns all three; the ID token has c_hash and at_hash; the code redeems once', async () => {
    const fixture = await startGrantsServer()
    const params = await respond(fixture, 'code id_token token')
    expect(params).toMatchObject({ token_type: 'Bearer', state: 'st-1', iss: ISSUER })
    const { payload } = await verifyIdToken(fixture, params.id_token)
    expect(payload.c_hash).toBe(leftHalfSha256(params.code!))
    expect(payload.at_hash).toBe(leftHalfSha256(params.access_token!))
    await HybridIDToken.validate(
      payload,
      relyingParty(fixture, {
        nonce: 'n-0S6_WzA2Mj',
        code: params.code!,
        accessToken: params.access_token!,
      }),
    )
    const redeemed = await fixture.redeem(params.code!)
    expect(redeemed.status).toBe(200)
    const fromToken = await verifyIdToken(fixture, redeemed.body.id_token)
    expect(fromToken.payload.sub).toBe(payload.sub)
    // RFC 6749 4.1.2: single use.
    expect((await fixture.redeem(params.code!)).body.error).toBe('invalid_grant')
  })

  it('OIDC Core 3.3.2.5 / conformance oidcc-ensure-request-without-nonce-succeeds-for-code-flow: code token needs no nonce and returns no ID token; its code redeems to one', async () => {
    const fixture = await startGrantsServer()
    const { nonce: _omitted, ...withoutNonce } = request('code token')
    const params = fragmentOf(await fixture.authorize(withoutNonce))
    expect(params.code).toBeTypeOf('string')
    expect(params.access_token).toBeTypeOf('string')
    expect(params).not.toHaveProperty('id_token')
    const redeemed = await fixture.redeem(params.code!)
    expect(redeemed.status).toBe(200)
    const { payload } = await verifyIdToken(fixture, redeemed.body.id_token)
    expect(payload.sub).toBe('alice')
    expect('nonce' in payload).toBe(false)
  })

  it('OIDC Core 3.3.2.2 / RFC 7636 4.4.1: the PKCE rules of the code apply to hybrid (public client without code_challenge → invalid_request)', async () => {
    const fixture = await startGrantsServer()
    const params = await respond(fixture, 'code id_token', { client_id: 'spa' })
    expect(params).toMatchObject({ error: 'invalid_request', state: 'st-1', iss: ISSUER })
    expect(params).not.toHaveProperty('code')
  })

  it('OIDC Registration 1.0 2 grant_types: a hybrid client not registered for authorization_code is unauthorized_client', async () => {
    const fixture = await startGrantsServer()
    const params = await respond(fixture, 'code id_token', { client_id: 'no-code' })
    expect(params).toMatchObject({ error: 'unauthorized_client', state: 'st-1', iss: ISSUER })
    // The same client may use id_token alone.
    const implicit = await respond(fixture, 'id_token', { client_id: 'no-code' })
    expect(implicit.id_token).toBeTypeOf('string')
  })
})

describe('oidcResponseTypes: request validation', () => {
  it('OIDC Core 3.2.2.1 / 3.3.2.11: without nonce every response type returning an ID token is invalid_request in the fragment, with state and iss', async () => {
    const fixture = await startGrantsServer()
    for (const responseType of [
      'id_token',
      'id_token token',
      'code id_token',
      'code id_token token',
    ]) {
      const { nonce: _omitted, ...withoutNonce } = request(responseType)
      const params = fragmentOf(await fixture.authorize(withoutNonce))
      expect(params).toMatchObject({ error: 'invalid_request', state: 'st-1', iss: ISSUER })
      expect(params.error_description).toContain('nonce')
      expect(params).not.toHaveProperty('id_token')
      expect(params).not.toHaveProperty('code')
    }
  })

  it('OIDC Core 3.1.2.1 nonce: a nonce longer than the bound is invalid_request; one at the bound is accepted', async () => {
    const fixture = await startGrantsServer()
    const long = await respond(fixture, 'id_token', { nonce: 'n'.repeat(MAX_NONCE_LENGTH + 1) })
    expect(long).toMatchObject({ error: 'invalid_request', state: 'st-1' })
    const bounded = 'n'.repeat(MAX_NONCE_LENGTH)
    const ok = await respond(fixture, 'id_token', { nonce: bounded })
    const { payload } = await verifyIdToken(fixture, ok.id_token)
    expect(payload.nonce).toBe(bounded)
  })

  it('OIDC Core 3.1.2.1 / RFC 6749 4.2.2.1: an ID token response type without the openid scope is invalid_scope in the fragment', async () => {
    const fixture = await startGrantsServer()
    for (const responseType of ['id_token', 'id_token token', 'code id_token']) {
      const params = await respond(fixture, responseType, { scope: 'profile' })
      expect(params).toMatchObject({ error: 'invalid_scope', state: 'st-1', iss: ISSUER })
      expect(params).not.toHaveProperty('id_token')
    }
  })

  it('OAuth 2.0 Multiple Response Types 3: code token without openid is a plain OAuth 2.0 response (no ID token anywhere)', async () => {
    const fixture = await startGrantsServer()
    const params = await respond(fixture, 'code token', { scope: 'profile' })
    expect(params.access_token).toBeTypeOf('string')
    expect(params).not.toHaveProperty('id_token')
    const redeemed = await fixture.redeem(params.code!)
    expect(redeemed.status).toBe(200)
    expect(redeemed.body).not.toHaveProperty('id_token')
  })

  it('OAuth 2.0 Multiple Response Types 5: response_mode=query is refused for ID token responses (invalid_request, in the fragment)', async () => {
    const fixture = await startGrantsServer()
    const params = await respond(fixture, 'code id_token', { response_mode: 'query' })
    expect(params).toMatchObject({ error: 'invalid_request', state: 'st-1', iss: ISSUER })
  })

  it('OIDC Registration 1.0 2: a client whose id_token_signed_response_alg has no key is refused before login (invalid_client)', async () => {
    const fixture = await startGrantsServer()
    const params = await respond(fixture, 'id_token', { client_id: 'ps' })
    expect(params).toMatchObject({ error: 'invalid_client', state: 'st-1', iss: ISSUER })
  })
})
