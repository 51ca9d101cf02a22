import { describe, expect, it } from 'vitest'
import type { UserInfoClaims } from './claim-schemas'
import { claimFailure } from './test-support/claim-failure'
import {
  claimsForScopes,
  filterUserInfo,
  parseClaimsRequest,
  requestedClaims,
  SCOPE_CLAIMS,
  UserInfo,
} from './userinfo'

const failure = claimFailure

const account: UserInfoClaims = {
  sub: '248289761001',
  name: 'Jane Doe',
  given_name: 'Jane',
  family_name: 'Doe',
  preferred_username: 'j.doe',
  picture: 'http://example.com/janedoe/me.jpg',
  updated_at: 1311280970,
  email: 'janedoe@example.com',
  email_verified: true,
  phone_number: '+1 (425) 555-1212',
  phone_number_verified: false,
  address: { locality: 'Anytown', country: 'US' },
  groups: ['admins'],
}

describe('scope claims', () => {
  it('OIDC Core 5.4: maps profile, email, address and phone to their claims', () => {
    expect(SCOPE_CLAIMS.profile).toHaveLength(14)
    expect(claimsForScopes(['email'])).toEqual(new Set(['email', 'email_verified']))
    expect(claimsForScopes(['address'])).toEqual(new Set(['address']))
    expect(claimsForScopes(['phone'])).toEqual(new Set(['phone_number', 'phone_number_verified']))
    expect(claimsForScopes(['profile'])).toEqual(
      new Set([
        'name',
        'family_name',
        'given_name',
        'middle_name',
        'nickname',
        'preferred_username',
        'profile',
        'picture',
        'website',
        'gender',
        'birthdate',
        'zoneinfo',
        'locale',
        'updated_at',
      ]),
    )
  })

  it('OIDC Core 5.4: openid and unknown scopes request no claims', () => {
    expect(claimsForScopes(['openid', 'offline_access', 'toString', 'constructor'])).toEqual(
      new Set(),
    )
  })

  it('RFC 6749 §3.3: a space-delimited scope string is split, not iterated per character', () => {
    expect(claimsForScopes('openid email')).toEqual(new Set(['email', 'email_verified']))
  })

  it('OIDC Core 5.4: SCOPE_CLAIMS is immutable', () => {
    expect(Object.isFrozen(SCOPE_CLAIMS)).toBe(true)
    expect(Object.isFrozen(SCOPE_CLAIMS.email)).toBe(true)
  })
})

describe('parseClaimsRequest', () => {
  it('OIDC Core 5.5: parses the JSON claims parameter with essential, value and values', () => {
    const request = parseClaimsRequest(
      JSON.stringify({
        userinfo: { given_name: { essential: true }, nickname: null, email: { essential: true } },
        id_token: {
          auth_time: { essential: true },
          acr: { values: ['urn:mace:incommon:iap:silver'] },
          sub: { value: '248289761001' },
        },
      }),
    )
    expect(request.userinfo?.given_name).toEqual({ essential: true })
    expect(request.userinfo?.nickname).toBeNull()
    expect(request.id_token?.acr).toEqual({ values: ['urn:mace:incommon:iap:silver'] })
    expect(request.id_token?.sub).toEqual({ value: '248289761001' })
  })

  it('OIDC Core 5.5: accepts an already-parsed object and ignores unknown members', () => {
    expect(parseClaimsRequest({ userinfo: { email: null }, future: 1 })).toEqual({
      userinfo: { email: null },
      future: 1,
    })
  })

  it('OIDC Core 5.5: rejects a claims parameter that is not valid JSON', () => {
    expect(failure(() => parseClaimsRequest('{"userinfo":'))).toEqual({
      claim: 'claims',
      reason: 'invalid',
    })
  })

  it('OIDC Core 5.5: rejects a claims parameter that is not a JSON object', () => {
    for (const input of ['[]', 'null', '"x"', 42, []]) {
      expect(failure(() => parseClaimsRequest(input))).toEqual({
        claim: 'claims',
        reason: 'invalid',
      })
    }
  })

  it('OIDC Core 5.5.1: rejects a non-boolean essential, non-array values or non-object entry', () => {
    for (const input of [
      { userinfo: { email: { essential: 'true' } } },
      { id_token: { acr: { values: 'urn:a' } } },
      { userinfo: { email: true } },
      { userinfo: ['email'] },
    ]) {
      expect(failure(() => parseClaimsRequest(input))).toEqual({
        claim: 'claims',
        reason: 'invalid',
      })
    }
  })
})

describe('requestedClaims', () => {
  const claimsRequest = parseClaimsRequest({
    userinfo: { groups: null },
    id_token: { email: { essential: true } },
  })

  it('OIDC Core 5.4 / 5.5: UserInfo gets the scope claims and the claims requested for userinfo', () => {
    expect(
      requestedClaims({ scopes: ['openid', 'phone'], claimsRequest, target: 'userinfo' }),
    ).toEqual(new Set(['phone_number', 'phone_number_verified', 'groups']))
  })

  it('OIDC Core 5.4 / 5.5: the ID token gets only the claims requested for id_token', () => {
    expect(
      requestedClaims({ scopes: ['openid', 'phone'], claimsRequest, target: 'id_token' }),
    ).toEqual(new Set(['email']))
  })

  it('OIDC Core 5.4: without an access token (response_type=id_token) scope claims go to the ID token', () => {
    const options = { scopes: ['openid', 'phone'], accessTokenIssued: false }
    expect(requestedClaims({ ...options, target: 'id_token' })).toEqual(
      new Set(['phone_number', 'phone_number_verified']),
    )
    expect(requestedClaims({ ...options, target: 'userinfo' })).toEqual(new Set())
  })
})

describe('UserInfo.filter', () => {
  it('OIDC Core 5.3.2: always returns sub, even with no claim scope', () => {
    expect(UserInfo.filter(account, { scopes: ['openid'] })).toEqual({ sub: account.sub })
  })

  it('OIDC Core 5.4: the email scope returns email and email_verified only', () => {
    expect(filterUserInfo(account, { scopes: ['openid', 'email'] })).toEqual({
      sub: account.sub,
      email: 'janedoe@example.com',
      email_verified: true,
    })
  })

  it('OIDC Core 5.4: the phone and address scopes return their claims', () => {
    expect(filterUserInfo(account, { scopes: 'openid phone address' })).toEqual({
      sub: account.sub,
      phone_number: '+1 (425) 555-1212',
      phone_number_verified: false,
      address: { locality: 'Anytown', country: 'US' },
    })
  })

  it('OIDC Core 5.3.2: the profile scope omits claims the account lacks, or has null or empty', () => {
    // Account stores do hold nulls and empty strings, which the UserInfo types do not allow.
    const stored: UserInfoClaims = JSON.parse(
      JSON.stringify({ ...account, nickname: '', middle_name: null }),
    )
    const result = filterUserInfo(stored, { scopes: ['profile'] })
    expect(result).toEqual({
      sub: account.sub,
      name: 'Jane Doe',
      given_name: 'Jane',
      family_name: 'Doe',
      preferred_username: 'j.doe',
      picture: 'http://example.com/janedoe/me.jpg',
      updated_at: 1311280970,
    })
    expect(result).not.toHaveProperty('nickname')
    expect(result).not.toHaveProperty('middle_name')
    expect(result).not.toHaveProperty('website')
  })

  it('OIDC Core 5.5: the claims parameter adds individual claims, including non-standard ones', () => {
    const claimsRequest = parseClaimsRequest(
      '{"userinfo":{"groups":null,"email":{"essential":true}}}',
    )
    expect(filterUserInfo(account, { scopes: ['openid'], claimsRequest })).toEqual({
      sub: account.sub,
      groups: ['admins'],
      email: 'janedoe@example.com',
    })
  })

  it('OIDC Core 5.5.1: a requested value is a preference; the actual value is returned', () => {
    const claimsRequest = parseClaimsRequest({
      userinfo: { email: { value: 'other@example.com' }, given_name: { values: ['Janet'] } },
    })
    expect(filterUserInfo(account, { scopes: [], claimsRequest })).toEqual({
      sub: account.sub,
      email: 'janedoe@example.com',
      given_name: 'Jane',
    })
  })

  it('OIDC Core 5.5: claims requested for id_token are not returned from UserInfo', () => {
    const claimsRequest = parseClaimsRequest({ id_token: { email: null } })
    expect(filterUserInfo(account, { scopes: ['openid'], claimsRequest })).toEqual({
      sub: account.sub,
    })
    expect(
      filterUserInfo(account, { scopes: ['openid'], claimsRequest, target: 'id_token' }),
    ).toEqual({ sub: account.sub, email: 'janedoe@example.com' })
  })

  it('OIDC Core 5.5: a requested claim named __proto__ cannot pollute the result prototype', () => {
    const claimsRequest = parseClaimsRequest('{"userinfo":{"__proto__":null}}')
    const result = filterUserInfo(JSON.parse('{"sub":"s","__proto__":{"polluted":true}}'), {
      scopes: [],
      claimsRequest,
    })
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype)
    expect((result as Record<string, unknown>).polluted).toBeUndefined()
  })
})

describe('UserInfo.validate', () => {
  it('OIDC Core 5.3.2: accepts a response whose sub equals the ID token sub', () => {
    expect(UserInfo.validate({ ...account, nickname: 'JD' }, { subject: account.sub }).sub).toBe(
      account.sub,
    )
  })

  it('OIDC Core 5.3.2: rejects a response whose sub differs from the ID token sub', () => {
    expect(failure(() => UserInfo.validate(account, { subject: 'someone-else' }))).toEqual({
      claim: 'sub',
      reason: 'mismatch',
    })
  })

  it('OIDC Core 5.3.2: rejects a response without sub', () => {
    expect(failure(() => UserInfo.validate({ name: 'x' }, { subject: 's' }))).toEqual({
      claim: 'sub',
      reason: 'missing',
    })
  })

  it('OIDC Core 5.1: rejects a standard claim of the wrong type', () => {
    expect(
      failure(() => UserInfo.validate({ sub: 's', email_verified: 'true' }, { subject: 's' })),
    ).toEqual({ claim: 'email_verified', reason: 'invalid' })
    expect(
      failure(() => UserInfo.validate({ sub: 's', updated_at: '2020' }, { subject: 's' })),
    ).toEqual({ claim: 'updated_at', reason: 'invalid' })
  })

  it('OIDC Core 5.3.2: a signed response must carry the expected iss and aud', () => {
    const signed = { sub: 's', iss: 'https://op.example', aud: 'client' }
    const expected = { subject: 's', issuer: 'https://op.example', audience: 'client' }
    expect(UserInfo.validate(signed, expected)).toEqual(signed)
    expect(failure(() => UserInfo.validate({ sub: 's', aud: 'client' }, expected))).toEqual({
      claim: 'iss',
      reason: 'missing',
    })
    expect(failure(() => UserInfo.validate({ ...signed, aud: 'other' }, expected))).toEqual({
      claim: 'aud',
      reason: 'mismatch',
    })
  })
})
