import type { JWTPayload } from 'jose'
import { describe, expect, it } from 'vitest'
import { IDTokenClaimsSchema, parseClaimSet } from './claim-schemas'
import { numericDate } from './claims'
import { isJoseError } from './errors'
import { tokenHash } from './hashes'
import {
  CodeIDToken,
  HybridIDToken,
  IDToken,
  type IDTokenBuildInput,
  type IDTokenProfile,
  type IDTokenValidationOptions,
  ImplicitIDToken,
} from './id-token'
import { asyncClaimFailure } from './test-support/claim-failure'

const NOW = new Date('2026-01-01T00:00:00Z')
const now = numericDate(NOW)
const ISSUER = 'https://server.example.com'
const CLIENT = 's6BhdRkqt3'
// Access token and code of the OIDC Core Appendix A examples.
const ACCESS_TOKEN = 'jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y'
const AT_HASH = '77QmUPtjPfzWtF2AnpK9RQ'
const CODE = 'Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk'
const C_HASH = 'LDktKdoQak3Pk0cnXxCltA'

const claims = {
  iss: ISSUER,
  sub: '248289761001',
  aud: CLIENT,
  iat: now - 5,
  exp: now + 600,
}

const options: IDTokenValidationOptions = {
  issuer: ISSUER,
  audience: CLIENT,
  alg: 'RS256',
  currentDate: NOW,
}

const failure = (
  profile: IDTokenProfile,
  input: unknown,
  overrides: Partial<IDTokenValidationOptions> = {},
) => asyncClaimFailure(() => profile.validate(input, { ...options, ...overrides }))

const buildFailure = asyncClaimFailure

describe('ID token validation (all profiles)', () => {
  it('OIDC Core 3.1.3.7: accepts a valid ID token and returns its claims', async () => {
    const result = await CodeIDToken.validate({ ...claims, custom: 1 }, options)
    expect(result).toEqual({ ...claims, custom: 1 })
  })

  for (const name of ['iss', 'sub', 'aud', 'exp', 'iat'] as const) {
    it(`OIDC Core §2: rejects an ID token without the REQUIRED ${name} claim`, async () => {
      const { [name]: _, ...rest } = claims
      expect(await failure(IDToken, rest)).toEqual({ claim: name, reason: 'missing' })
    })
  }

  it('OIDC Core §2: rejects claims that are not a JSON object', async () => {
    expect(await failure(IDToken, 'eyJ...')).toEqual({ claim: 'id_token', reason: 'invalid' })
    expect(await failure(IDToken, [claims])).toEqual({ claim: 'id_token', reason: 'invalid' })
  })

  it('OIDC Core §2: rejects an ID token whose claim has the wrong type', async () => {
    expect(await failure(IDToken, { ...claims, exp: String(now + 600) })).toEqual({
      claim: 'exp',
      reason: 'invalid',
    })
    expect(await failure(IDToken, { ...claims, amr: 'pwd' })).toEqual({
      claim: 'amr',
      reason: 'invalid',
    })
  })

  it('OIDC Core §2: rejects a sub longer than 255 ASCII characters', async () => {
    expect(await failure(IDToken, { ...claims, sub: 'a'.repeat(256) })).toEqual({
      claim: 'sub',
      reason: 'invalid',
    })
    expect(await failure(IDToken, { ...claims, sub: 'a'.repeat(255) })).toBeUndefined()
  })

  it('OIDC Core §2: rejects a sub with non-ASCII characters', async () => {
    expect(await failure(IDToken, { ...claims, sub: 'usér' })).toEqual({
      claim: 'sub',
      reason: 'invalid',
    })
  })

  it('OIDC Core 3.1.3.7 step 2: rejects an ID token whose iss does not exactly match', async () => {
    expect(await failure(CodeIDToken, { ...claims, iss: `${ISSUER}/` })).toEqual({
      claim: 'iss',
      reason: 'mismatch',
    })
  })

  it('OIDC Core 3.1.3.7 step 3: rejects an ID token whose aud does not contain the client_id', async () => {
    expect(await failure(CodeIDToken, { ...claims, aud: 'other-client' })).toEqual({
      claim: 'aud',
      reason: 'mismatch',
    })
  })

  it('OIDC Core 3.1.3.7 step 3: accepts an aud array containing the client_id with azp', async () => {
    const multi = { ...claims, aud: ['api', CLIENT], azp: CLIENT }
    expect(await failure(CodeIDToken, multi)).toBeUndefined()
  })

  it('OIDC Core 3.1.3.7 step 4: rejects multiple audiences without azp', async () => {
    expect(await failure(CodeIDToken, { ...claims, aud: ['api', CLIENT] })).toEqual({
      claim: 'azp',
      reason: 'missing',
    })
  })

  it('OIDC Core 3.1.3.7 step 4: a single-element aud array does not need azp', async () => {
    expect(await failure(CodeIDToken, { ...claims, aud: [CLIENT] })).toBeUndefined()
  })

  it('OIDC Core 3.1.3.7 step 5: rejects an azp that is not the client_id', async () => {
    expect(await failure(CodeIDToken, { ...claims, aud: ['api', CLIENT], azp: 'api' })).toEqual({
      claim: 'azp',
      reason: 'mismatch',
    })
    expect(await failure(CodeIDToken, { ...claims, azp: 'api' })).toEqual({
      claim: 'azp',
      reason: 'mismatch',
    })
  })

  it('OIDC Core 3.1.3.7 step 9: rejects an expired ID token', async () => {
    expect(await failure(CodeIDToken, { ...claims, exp: now - 1 })).toEqual({
      claim: 'exp',
      reason: 'expired',
    })
  })

  it('OIDC Core 3.1.3.7 step 9: accepts an exp just past within the clock tolerance', async () => {
    expect(
      await failure(CodeIDToken, { ...claims, exp: now - 10 }, { clockTolerance: 30 }),
    ).toBeUndefined()
  })

  it('OIDC Core 3.1.3.7 step 10: rejects an iat in the future beyond the clock tolerance', async () => {
    expect(
      await failure(CodeIDToken, { ...claims, iat: now + 120 }, { clockTolerance: 30 }),
    ).toEqual({ claim: 'iat', reason: 'in_the_future' })
  })

  it('OIDC Core 3.1.3.7 step 10: accepts an iat in the future within the clock tolerance', async () => {
    expect(
      await failure(CodeIDToken, { ...claims, iat: now + 20 }, { clockTolerance: 30 }),
    ).toBeUndefined()
  })

  it('OIDC Core 3.1.3.7 step 10: maxTokenAge rejects an ID token issued too far in the past', async () => {
    expect(await failure(CodeIDToken, { ...claims, iat: now - 400 }, { maxTokenAge: 300 })).toEqual(
      { claim: 'iat', reason: 'too_old' },
    )
  })

  it('OIDC Core 3.1.3.7 step 11: accepts a nonce equal to the one sent', async () => {
    expect(
      await failure(CodeIDToken, { ...claims, nonce: 'n-0S6_WzA2Mj' }, { nonce: 'n-0S6_WzA2Mj' }),
    ).toBeUndefined()
  })

  it('OIDC Core 3.1.3.7 step 11: rejects a nonce different from the one sent', async () => {
    expect(
      await failure(CodeIDToken, { ...claims, nonce: 'other' }, { nonce: 'n-0S6_WzA2Mj' }),
    ).toEqual({ claim: 'nonce', reason: 'mismatch' })
  })

  it('OIDC Core 3.1.3.7 step 11: rejects a missing nonce when one was sent', async () => {
    expect(await failure(CodeIDToken, claims, { nonce: 'n-0S6_WzA2Mj' })).toEqual({
      claim: 'nonce',
      reason: 'missing',
    })
  })

  it('OIDC Core 3.1.3.7 step 11: rejects a nonce when none was sent', async () => {
    expect(await failure(CodeIDToken, { ...claims, nonce: 'n-0S6_WzA2Mj' })).toEqual({
      claim: 'nonce',
      reason: 'mismatch',
    })
  })

  it('OIDC Core 3.1.3.7 step 12: extra claim rules can check acr', async () => {
    const acrRule = { claims: { acr: { essential: true, values: ['urn:example:gold'] } } }
    expect(await failure(CodeIDToken, claims, acrRule)).toEqual({ claim: 'acr', reason: 'missing' })
    expect(await failure(CodeIDToken, { ...claims, acr: 'urn:example:bronze' }, acrRule)).toEqual({
      claim: 'acr',
      reason: 'mismatch',
    })
    expect(
      await failure(CodeIDToken, { ...claims, acr: 'urn:example:gold' }, acrRule),
    ).toBeUndefined()
  })

  it('OIDC Core 3.1.3.7 step 13: accepts an auth_time within max_age', async () => {
    expect(
      await failure(CodeIDToken, { ...claims, auth_time: now - 100 }, { maxAge: 300 }),
    ).toBeUndefined()
  })

  it('OIDC Core 3.1.3.7 step 13: rejects an auth_time older than max_age', async () => {
    expect(
      await failure(CodeIDToken, { ...claims, auth_time: now - 400 }, { maxAge: 300 }),
    ).toEqual({ claim: 'auth_time', reason: 'too_old' })
  })

  it('OIDC Core 3.1.3.7 step 13: the clock tolerance extends max_age', async () => {
    expect(
      await failure(
        CodeIDToken,
        { ...claims, auth_time: now - 320 },
        { maxAge: 300, clockTolerance: 30 },
      ),
    ).toBeUndefined()
  })

  it('OIDC Core 3.1.2.1 max_age=0: accepts an authentication that just happened', async () => {
    expect(await failure(CodeIDToken, { ...claims, auth_time: now }, { maxAge: 0 })).toBeUndefined()
  })

  it('OIDC Core 3.1.3.7 step 13: rejects a missing auth_time when max_age was sent', async () => {
    expect(await failure(CodeIDToken, claims, { maxAge: 300 })).toEqual({
      claim: 'auth_time',
      reason: 'missing',
    })
  })

  it('OIDC Core §2 auth_time: rejects a missing auth_time when it was requested as essential', async () => {
    expect(await failure(CodeIDToken, claims, { requireAuthTime: true })).toEqual({
      claim: 'auth_time',
      reason: 'missing',
    })
    expect(
      await failure(CodeIDToken, { ...claims, auth_time: now - 5 }, { requireAuthTime: true }),
    ).toBeUndefined()
  })

  it('OIDC Core §2 auth_time: rejects an auth_time in the future beyond the tolerance', async () => {
    expect(await failure(CodeIDToken, { ...claims, auth_time: now + 120 })).toEqual({
      claim: 'auth_time',
      reason: 'in_the_future',
    })
  })

  it('OIDC Core 3.1.3.8: accepts a correct at_hash (Appendix A example)', async () => {
    expect(
      await failure(CodeIDToken, { ...claims, at_hash: AT_HASH }, { accessToken: ACCESS_TOKEN }),
    ).toBeUndefined()
  })

  it('OIDC Core 3.1.3.8: rejects a wrong at_hash', async () => {
    expect(
      await failure(CodeIDToken, { ...claims, at_hash: C_HASH }, { accessToken: ACCESS_TOKEN }),
    ).toEqual({ claim: 'at_hash', reason: 'mismatch' })
  })

  it('OIDC Core 3.1.3.8: at_hash uses the hash of the header alg', async () => {
    expect(
      await failure(
        CodeIDToken,
        { ...claims, at_hash: AT_HASH },
        { accessToken: ACCESS_TOKEN, alg: 'RS512' },
      ),
    ).toEqual({ claim: 'at_hash', reason: 'mismatch' })
  })

  it('OIDC Core 3.1.3.6: at_hash is OPTIONAL in the code flow', async () => {
    expect(await failure(CodeIDToken, claims, { accessToken: ACCESS_TOKEN })).toBeUndefined()
  })

  it('OIDC Core 3.3.2.10: rejects a wrong c_hash', async () => {
    expect(await failure(CodeIDToken, { ...claims, c_hash: AT_HASH }, { code: CODE })).toEqual({
      claim: 'c_hash',
      reason: 'mismatch',
    })
  })

  it('FAPI 1.0 Advanced 5.2.2.1: rejects a wrong s_hash and accepts a right one', async () => {
    const sHash = await tokenHash('af0ifjsldkj', 'RS256')
    expect(
      await failure(CodeIDToken, { ...claims, s_hash: sHash }, { state: 'af0ifjsldkj' }),
    ).toBeUndefined()
    expect(await failure(CodeIDToken, { ...claims, s_hash: sHash }, { state: 'other' })).toEqual({
      claim: 's_hash',
      reason: 'mismatch',
    })
  })
})

describe('ImplicitIDToken', () => {
  const implicit = { ...claims, nonce: 'n-0S6_WzA2Mj' }

  it('OIDC Core 3.2.2.11: rejects an implicit ID token without nonce', async () => {
    expect(await failure(ImplicitIDToken, claims)).toEqual({ claim: 'nonce', reason: 'missing' })
    expect(await failure(ImplicitIDToken, claims, { nonce: 'n-0S6_WzA2Mj' })).toEqual({
      claim: 'nonce',
      reason: 'missing',
    })
  })

  it('OIDC Core 3.2.2.10: rejects a missing at_hash when an access token was issued', async () => {
    expect(
      await failure(ImplicitIDToken, implicit, {
        nonce: implicit.nonce,
        accessToken: ACCESS_TOKEN,
      }),
    ).toEqual({ claim: 'at_hash', reason: 'missing' })
  })

  it('OIDC Core 3.2.2.10: at_hash is not needed when no access token was issued (id_token)', async () => {
    expect(await failure(ImplicitIDToken, implicit, { nonce: implicit.nonce })).toBeUndefined()
  })

  it('OIDC Core 3.2.2.9: accepts the Appendix A at_hash with the access token', async () => {
    expect(
      await failure(
        ImplicitIDToken,
        { ...implicit, at_hash: AT_HASH },
        { nonce: implicit.nonce, accessToken: ACCESS_TOKEN },
      ),
    ).toBeUndefined()
  })

  it('OIDC Core 3.2.2.9: rejects a wrong at_hash', async () => {
    expect(
      await failure(
        ImplicitIDToken,
        { ...implicit, at_hash: 'AAAAAAAAAAAAAAAAAAAAAA' },
        { nonce: implicit.nonce, accessToken: ACCESS_TOKEN },
      ),
    ).toEqual({ claim: 'at_hash', reason: 'mismatch' })
  })
})

describe('HybridIDToken', () => {
  const hybrid = { ...claims, nonce: 'n-0S6_WzA2Mj' }
  const hybridOptions = { nonce: hybrid.nonce, code: CODE }

  it('OIDC Core 3.3.2.12: rejects a hybrid ID token without nonce', async () => {
    expect(await failure(HybridIDToken, { ...claims, c_hash: C_HASH }, { code: CODE })).toEqual({
      claim: 'nonce',
      reason: 'missing',
    })
  })

  it('OIDC Core 3.3.2.11: rejects a missing c_hash when a code was issued', async () => {
    expect(await failure(HybridIDToken, hybrid, hybridOptions)).toEqual({
      claim: 'c_hash',
      reason: 'missing',
    })
  })

  it('OIDC Core 3.3.2.11: accepts the Appendix A.4 c_hash with the code', async () => {
    expect(
      await failure(HybridIDToken, { ...hybrid, c_hash: C_HASH }, hybridOptions),
    ).toBeUndefined()
  })

  it('OIDC Core 3.3.2.10: rejects a wrong c_hash', async () => {
    expect(await failure(HybridIDToken, { ...hybrid, c_hash: AT_HASH }, hybridOptions)).toEqual({
      claim: 'c_hash',
      reason: 'mismatch',
    })
  })

  it('OIDC Core 3.3.2.11: rejects a missing at_hash when an access token was issued (code id_token token)', async () => {
    expect(
      await failure(
        HybridIDToken,
        { ...hybrid, c_hash: C_HASH },
        { ...hybridOptions, accessToken: ACCESS_TOKEN },
      ),
    ).toEqual({ claim: 'at_hash', reason: 'missing' })
  })

  it('OIDC Core 3.3.2.11 / Appendix A.6: accepts c_hash and at_hash for code id_token token', async () => {
    expect(
      await failure(
        HybridIDToken,
        { ...hybrid, c_hash: C_HASH, at_hash: AT_HASH },
        { ...hybridOptions, accessToken: ACCESS_TOKEN },
      ),
    ).toBeUndefined()
  })
})

describe('ID token build', () => {
  const input = {
    issuer: ISSUER,
    subject: '248289761001',
    audience: CLIENT,
    alg: 'RS256',
    currentDate: NOW,
  }

  it('OIDC Core §2: computes iat and exp with a default lifetime of one hour', async () => {
    const built = await IDToken.build(input)
    expect(built).toEqual({
      iss: ISSUER,
      sub: '248289761001',
      aud: CLIENT,
      iat: now,
      exp: now + 3600,
    })
    expect((await IDToken.build({ ...input, lifetime: 300 })).exp).toBe(now + 300)
  })

  it('OIDC Core §2: includes auth_time, nonce, acr, amr and sid when given', async () => {
    const built = await CodeIDToken.build({
      ...input,
      authTime: now - 60,
      nonce: 'n',
      acr: 'urn:example:gold',
      amr: ['pwd', 'otp'],
      sid: 'session-1',
    })
    expect(built).toMatchObject({
      auth_time: now - 60,
      nonce: 'n',
      acr: 'urn:example:gold',
      amr: ['pwd', 'otp'],
      sid: 'session-1',
    })
  })

  it('OIDC Core 3.1.3.6 / 3.3.2.11: computes at_hash, c_hash and s_hash from the alg', async () => {
    const built = await CodeIDToken.build({
      ...input,
      accessToken: ACCESS_TOKEN,
      code: CODE,
      state: 'af0ifjsldkj',
    })
    expect(built.at_hash).toBe(AT_HASH)
    expect(built.c_hash).toBe(C_HASH)
    expect(built.s_hash).toBe(await tokenHash('af0ifjsldkj', 'RS256'))
    const es512 = await CodeIDToken.build({ ...input, alg: 'ES512', accessToken: ACCESS_TOKEN })
    expect(es512.at_hash).toBe(await tokenHash(ACCESS_TOKEN, 'ES512'))
    expect(es512.at_hash).toHaveLength(43)
  })

  it('OIDC Core §2 azp: sets azp to the client_id when there are several audiences', async () => {
    const built = await CodeIDToken.build({ ...input, audience: [CLIENT, 'api'], clientId: CLIENT })
    expect(built.aud).toEqual([CLIENT, 'api'])
    expect(built.azp).toBe(CLIENT)
    const single = await CodeIDToken.build({ ...input, clientId: CLIENT })
    expect(single.azp).toBeUndefined()
  })

  it('OIDC Core 3.1.3.7 step 4: refuses several audiences without a clientId for azp', async () => {
    expect(
      await buildFailure(() => CodeIDToken.build({ ...input, audience: [CLIENT, 'api'] })),
    ).toEqual({ claim: 'azp', reason: 'missing' })
  })

  it('OIDC Core §2 aud: refuses an audience that does not contain the client_id', async () => {
    expect(
      await buildFailure(() => CodeIDToken.build({ ...input, audience: 'api', clientId: CLIENT })),
    ).toEqual({ claim: 'aud', reason: 'mismatch' })
    expect(await buildFailure(() => CodeIDToken.build({ ...input, audience: [] }))).toEqual({
      claim: 'aud',
      reason: 'missing',
    })
  })

  it('OIDC Core §2: extra claims never override the protocol claims', async () => {
    const built = await CodeIDToken.build({
      ...input,
      claims: { iss: 'https://evil', nonce: 'injected', at_hash: 'x', email: 'jane@example.com' },
    })
    expect(built.iss).toBe(ISSUER)
    expect(built.nonce).toBeUndefined()
    expect(built.at_hash).toBeUndefined()
    expect(built.email).toBe('jane@example.com')
  })

  it('OIDC Core §2 sub: refuses to build a sub longer than 255 ASCII characters', async () => {
    expect(await buildFailure(() => IDToken.build({ ...input, subject: 'x'.repeat(256) }))).toEqual(
      { claim: 'sub', reason: 'invalid' },
    )
  })

  it('OIDC Core §2 sub: refuses to build an empty or non-ASCII sub', async () => {
    for (const subject of ['', 'jöhn']) {
      expect(await buildFailure(() => IDToken.build({ ...input, subject }))).toEqual({
        claim: 'sub',
        reason: 'invalid',
      })
    }
  })

  it('OIDC Core §2: refuses to build claims of the wrong type that bypassed the input types', async () => {
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ issuer: 42 }, 'iss', 'invalid'],
      [{ issuer: undefined }, 'iss', 'missing'],
      [{ subject: undefined }, 'sub', 'missing'],
      [{ audience: [CLIENT, 7], clientId: CLIENT }, 'aud', 'invalid'],
      [{ currentDate: new Date(Number.NaN) }, 'exp', 'invalid'],
      [{ authTime: Number.NaN }, 'auth_time', 'invalid'],
      // A store may hand back null for a value it never had.
      [{ authTime: null }, 'auth_time', 'invalid'],
      [{ sid: null }, 'sid', 'invalid'],
      [{ nonce: 5 }, 'nonce', 'invalid'],
      [{ acr: ['x'] }, 'acr', 'invalid'],
      [{ amr: ['pwd', 1] }, 'amr', 'invalid'],
      [{ sid: {} }, 'sid', 'invalid'],
    ]
    for (const [override, claim, reason] of cases) {
      const built = () => CodeIDToken.build({ ...input, ...override } as IDTokenBuildInput)
      expect(await buildFailure(built), claim).toEqual({ claim, reason })
    }
    const withoutExtras = { ...input, claims: null } as unknown as IDTokenBuildInput
    await expect(CodeIDToken.build(withoutExtras)).resolves.toEqual(await CodeIDToken.build(input))
  })

  it('OIDC Core §2: builds a claim set the ID token schema accepts unchanged, in its order', async () => {
    const built = await CodeIDToken.build({
      ...input,
      audience: [CLIENT, 'api'],
      clientId: CLIENT,
      authTime: now - 60,
      nonce: 'n',
      acr: 'urn:example:gold',
      amr: ['pwd'],
      sid: 'session-1',
      accessToken: ACCESS_TOKEN,
      code: CODE,
      state: 'st',
      claims: { email: 'jane@example.com', address: { country: 'US' }, skipped: undefined },
    })
    const parsed = parseClaimSet(IDTokenClaimsSchema, built, 'id_token')
    expect(parsed).toEqual(built)
    expect(Object.keys(built)).toEqual(Object.keys(parsed))
    expect(Object.keys(built)).toEqual([
      'iss',
      'sub',
      'aud',
      'exp',
      'iat',
      'auth_time',
      'nonce',
      'acr',
      'amr',
      'azp',
      'at_hash',
      'c_hash',
      's_hash',
      'sid',
      'email',
      'address',
    ])
  })

  it('OIDC Core §2: extra claims named __proto__, prototype or constructor are left out', async () => {
    const extras = JSON.parse('{"__proto__": {"polluted": true}, "constructor": 1, "prototype": 2}')
    const built = await CodeIDToken.build({ ...input, claims: { ...extras, email: 'e' } })
    expect(Object.keys(built)).toEqual(['iss', 'sub', 'aud', 'exp', 'iat', 'email'])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('OIDC Core 3.2.2.10: the implicit profile refuses to build without nonce', async () => {
    expect(await buildFailure(() => ImplicitIDToken.build(input))).toEqual({
      claim: 'nonce',
      reason: 'missing',
    })
  })

  it('OIDC Core 3.3.2.11: the hybrid profile refuses to build without nonce', async () => {
    expect(await buildFailure(() => HybridIDToken.build({ ...input, code: CODE }))).toEqual({
      claim: 'nonce',
      reason: 'missing',
    })
  })

  it('OIDC Core 3.3.2.11: the hybrid profile refuses to build without the code for c_hash', async () => {
    expect(await buildFailure(() => HybridIDToken.build({ ...input, nonce: 'n' }))).toEqual({
      claim: 'c_hash',
      reason: 'missing',
    })
  })

  it('OIDC Core 3.3.2.11: rejects an unknown signing alg when a hash is needed', async () => {
    const error = await CodeIDToken.build({ ...input, alg: 'none', accessToken: 'x' }).catch(
      (e: unknown) => e,
    )
    expect(isJoseError(error, 'ERR_ALG_NOT_ALLOWED')).toBe(true)
  })
})

describe('ID token build → validate round trips', () => {
  const base = { issuer: ISSUER, subject: 'alice', audience: CLIENT, currentDate: NOW }

  it('OIDC Core §2 / 3.1.3.7: IDToken round trip', async () => {
    const built = await IDToken.build({ ...base, alg: 'EdDSA', authTime: now - 30 })
    const validated = await IDToken.validate(built, { ...options, alg: 'EdDSA', maxAge: 60 })
    expect(validated).toEqual(built)
  })

  it('OIDC Core 3.1.3.6 / 3.1.3.7: CodeIDToken round trip with at_hash', async () => {
    const built = await CodeIDToken.build({
      ...base,
      audience: [CLIENT, 'https://api.example'],
      clientId: CLIENT,
      alg: 'PS384',
      accessToken: ACCESS_TOKEN,
      nonce: 'n-1',
      claims: { email: 'alice@example.com' },
    })
    const validated = await CodeIDToken.validate(built, {
      ...options,
      alg: 'PS384',
      accessToken: ACCESS_TOKEN,
      nonce: 'n-1',
    })
    expect(validated).toEqual(built)
    expect(validated.email).toBe('alice@example.com')
  })

  it('OIDC Core 3.2.2.10 / 3.2.2.11: ImplicitIDToken round trip (id_token token)', async () => {
    const built = await ImplicitIDToken.build({
      ...base,
      alg: 'ES256',
      nonce: 'n-2',
      accessToken: ACCESS_TOKEN,
    })
    await expect(
      ImplicitIDToken.validate(built, {
        ...options,
        alg: 'ES256',
        nonce: 'n-2',
        accessToken: ACCESS_TOKEN,
      }),
    ).resolves.toEqual(built)
  })

  it('OIDC Core 3.3.2.11 / 3.3.2.12: HybridIDToken round trip (code id_token token)', async () => {
    const built = await HybridIDToken.build({
      ...base,
      alg: 'HS512',
      nonce: 'n-3',
      code: CODE,
      accessToken: ACCESS_TOKEN,
      state: 'st',
    })
    await expect(
      HybridIDToken.validate(built, {
        ...options,
        alg: 'HS512',
        nonce: 'n-3',
        code: CODE,
        accessToken: ACCESS_TOKEN,
        state: 'st',
      }),
    ).resolves.toEqual(built)
    // The same token must not validate against a different code.
    expect(
      await failure(HybridIDToken, built, { alg: 'HS512', nonce: 'n-3', code: `${CODE}x` }),
    ).toEqual({ claim: 'c_hash', reason: 'mismatch' })
  })

  it('OIDC Core 3.1.3.7 step 9: a built token expires after its lifetime', async () => {
    const built = await CodeIDToken.build({ ...base, alg: 'RS256', lifetime: 60 })
    const later = new Date(NOW.getTime() + 61_000)
    expect(await failure(CodeIDToken, built, { currentDate: later })).toEqual({
      claim: 'exp',
      reason: 'expired',
    })
  })

  it('OIDC Core §2: profiles are plain frozen objects whose methods work detached', async () => {
    const { build, validate } = CodeIDToken
    // Built claims go straight into a JWT signer that takes jose's JWTPayload.
    const built: JWTPayload = await build({ ...base, alg: 'RS256' })
    await expect(validate(built, options)).resolves.toEqual(built)
    expect(Object.isFrozen(HybridIDToken)).toBe(true)
    expect(HybridIDToken.requires).toEqual({ nonce: true, atHash: true, cHash: true })
  })
})
