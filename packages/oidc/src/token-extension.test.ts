import { CodeIDToken, IDToken } from '@oidkit/jose'
import { describe, expect, it } from 'vitest'
import { type GrantsServer, ISSUER, responseParams, startGrantsServer } from './e2e/grants-fixture'
import { leftHalfSha256, relyingParty, verifyIdToken } from './test-support/id-token-checks'

/** Runs the code flow to the token response. */
async function codeFlow(
  fixture: GrantsServer,
  params: Record<string, string> = {},
  clientId = 'web',
) {
  const url = await fixture.authorize({
    client_id: clientId,
    response_type: 'code',
    scope: 'openid profile',
    state: 'st',
    ...params,
  })
  const { code } = responseParams(url)
  expect(code).toBeTypeOf('string')
  return fixture.redeem(code!, clientId)
}

describe('openidTokenExtension: authorization_code', () => {
  it('OIDC Core 3.1.3.3 / 3.1.3.6 / 2: the token response has an ID token with iss, sub, aud (a string), exp, iat, auth_time, acr, amr, sid and at_hash', async () => {
    const fixture = await startGrantsServer()
    const loginAt = fixture.clock.now
    const url = await fixture.authorize({
      client_id: 'web',
      response_type: 'code',
      scope: 'openid profile',
    })
    fixture.clock.now += 5
    const { status, body } = await fixture.redeem(responseParams(url).code!)
    expect(status).toBe(200)
    const { payload, protectedHeader } = await verifyIdToken(fixture, body.id_token, 'web', loginAt)
    expect(protectedHeader.alg).toBe('RS256')
    expect(protectedHeader.kid).toBe(fixture.keys.signingKey('RS256').kid)
    expect(payload).toMatchObject({
      iss: ISSUER,
      sub: 'alice',
      aud: 'web',
      iat: loginAt + 5,
      exp: loginAt + 5 + 3600,
      auth_time: loginAt,
      acr: 'urn:mace:incommon:iap:silver',
      amr: ['pwd', 'otp'],
    })
    // Authlib quirk 2 fixed: aud is the client_id itself, not a one-element array.
    expect(typeof payload.aud).toBe('string')
    expect(payload.sid).toBeTypeOf('string')
    // 3.1.3.6: at_hash computed here without @oidkit/jose.
    expect(payload.at_hash).toBe(leftHalfSha256(body.access_token as string))
    // 5.4: with an access token the profile claims are for UserInfo, not the ID token.
    expect(payload.name).toBeUndefined()
    // What an RP checks (3.1.3.7), with the access token for at_hash.
    await CodeIDToken.validate(
      payload,
      relyingParty(fixture, { accessToken: body.access_token as string }),
    )
  })

  it('OIDC Core 3.1.2.1 / 3.1.3.7 step 11: no nonce claim when none was sent (Authlib quirk 1: never null)', async () => {
    const fixture = await startGrantsServer()
    const { body } = await codeFlow(fixture)
    const { payload } = await verifyIdToken(fixture, body.id_token)
    expect('nonce' in payload).toBe(false)
  })

  it('OIDC Core 3.1.2.1 / 3.1.3.6: the nonce sent in the authentication request is in the ID token', async () => {
    const fixture = await startGrantsServer()
    const { body } = await codeFlow(fixture, { nonce: 'n-0S6_WzA2Mj' })
    const { payload } = await verifyIdToken(fixture, body.id_token)
    expect(payload.nonce).toBe('n-0S6_WzA2Mj')
    await CodeIDToken.validate(payload, relyingParty(fixture, { nonce: 'n-0S6_WzA2Mj' }))
  })

  it('OIDC Core 3.1.3.3 / Authlib test_pure_code_flow: no id_token without the openid scope', async () => {
    const fixture = await startGrantsServer()
    const { status, body } = await codeFlow(fixture, { scope: 'profile' })
    expect(status).toBe(200)
    expect(body.access_token).toBeTypeOf('string')
    expect(body).not.toHaveProperty('id_token')
  })

  it('OIDC Registration 1.0 2 id_token_signed_response_alg: ES256 is honoured (alg and kid header, SHA-256 at_hash)', async () => {
    const fixture = await startGrantsServer()
    const { body } = await codeFlow(fixture, {}, 'es')
    const { payload, protectedHeader } = await verifyIdToken(fixture, body.id_token, 'es')
    expect(protectedHeader.alg).toBe('ES256')
    expect(protectedHeader.kid).toBe(fixture.keys.signingKey('ES256').kid)
    expect(payload.at_hash).toBe(leftHalfSha256(body.access_token as string))
  })

  it('OIDC Registration 1.0 2: a registered alg the key set cannot sign with is invalid_client, never an unsigned token or a 5xx', async () => {
    const fixture = await startGrantsServer()
    const { status, body } = await codeFlow(fixture, {}, 'ps')
    expect(status).toBe(400)
    expect(body.error).toBe('invalid_client')
    expect(body).not.toHaveProperty('id_token')
  })
})

describe('openidTokenExtension: other grants', () => {
  it('OIDC Core 12.2: a refresh gives an ID token with the same iss, sub and aud, the original auth_time, a new iat and no nonce', async () => {
    const fixture = await startGrantsServer()
    const loginAt = fixture.clock.now
    const first = await codeFlow(fixture, { nonce: 'abc' })
    const original = await verifyIdToken(fixture, first.body.id_token, 'web', loginAt)
    expect(original.payload.nonce).toBe('abc')
    expect(first.body.refresh_token).toBeTypeOf('string')

    fixture.clock.now += 600
    const refreshed = await fixture.token({
      grant_type: 'refresh_token',
      refresh_token: first.body.refresh_token as string,
    })
    expect(refreshed.status).toBe(200)
    const { payload } = await verifyIdToken(fixture, refreshed.body.id_token)
    expect(payload.iss).toBe(original.payload.iss)
    expect(payload.sub).toBe(original.payload.sub)
    expect(payload.aud).toBe(original.payload.aud)
    expect(payload.auth_time).toBe(loginAt)
    expect(payload.iat).toBe(loginAt + 600)
    expect('nonce' in payload).toBe(false)
    expect(payload.at_hash).toBe(leftHalfSha256(refreshed.body.access_token as string))
    await IDToken.validate(
      payload,
      relyingParty(fixture, { accessToken: refreshed.body.access_token as string }),
    )
  })

  it('OIDC Core 12.2: a refresh that narrows the scope to drop openid gets no ID token', async () => {
    const fixture = await startGrantsServer()
    const first = await codeFlow(fixture)
    const refreshed = await fixture.token({
      grant_type: 'refresh_token',
      refresh_token: first.body.refresh_token as string,
      scope: 'profile',
    })
    expect(refreshed.status).toBe(200)
    expect(refreshed.body.access_token).toBeTypeOf('string')
    expect(refreshed.body).not.toHaveProperty('id_token')
  })

  it('RFC 6749 4.3 / Authlib OpenIDToken on the password grant: an ID token when openid is granted, none without it', async () => {
    const fixture = await startGrantsServer()
    const passwordGrant = (scope: string) =>
      fixture.token({ grant_type: 'password', username: 'alice', password: 'right', scope })
    const withOpenid = await passwordGrant('openid profile')
    expect(withOpenid.status).toBe(200)
    const { payload } = await verifyIdToken(fixture, withOpenid.body.id_token)
    expect(payload).toMatchObject({
      iss: ISSUER,
      sub: 'alice',
      aud: 'web',
      auth_time: fixture.clock.now,
    })
    expect('nonce' in payload).toBe(false)

    const without = await passwordGrant('profile')
    expect(without.status).toBe(200)
    expect(without.body).not.toHaveProperty('id_token')
  })
})
