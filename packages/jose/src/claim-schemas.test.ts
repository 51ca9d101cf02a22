import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import {
  ClaimsRequestSchema,
  IDTokenClaimsSchema,
  parseClaimSet,
  UserInfoClaimsSchema,
} from './claim-schemas'
import { claimFailure } from './test-support/claim-failure'

const failure = claimFailure

const idToken = { iss: 'https://op.example', sub: 's', aud: 'c', exp: 2, iat: 1 }

describe('claim schemas', () => {
  it('OIDC Core §2: the ID token schema keeps claims it does not define', () => {
    expect(v.parse(IDTokenClaimsSchema, { ...idToken, 'https://example/role': 'admin' })).toEqual({
      ...idToken,
      'https://example/role': 'admin',
    })
  })

  it('OIDC Core §2: aud may be a string or an array of strings', () => {
    expect(v.is(IDTokenClaimsSchema, { ...idToken, aud: ['a', 'b'] })).toBe(true)
    expect(v.is(IDTokenClaimsSchema, { ...idToken, aud: 1 })).toBe(false)
  })

  it('OIDC Core 5.1: typed standard claims (email_verified boolean, updated_at number, address object)', () => {
    const userinfo = {
      sub: 's',
      email_verified: true,
      phone_number_verified: false,
      updated_at: 1311280970,
      address: { street_address: '1234 Hollywood Blvd.', locality: 'Los Angeles', country: 'US' },
    }
    expect(v.is(UserInfoClaimsSchema, userinfo)).toBe(true)
    expect(v.is(UserInfoClaimsSchema, { ...userinfo, email_verified: 'true' })).toBe(false)
    expect(v.is(UserInfoClaimsSchema, { ...userinfo, updated_at: '2011-07-21' })).toBe(false)
    expect(v.is(UserInfoClaimsSchema, { ...userinfo, address: '1234 Hollywood Blvd.' })).toBe(false)
  })

  it('OIDC Core 5.5: the claims request allows null and { essential, value, values } entries', () => {
    expect(
      v.is(ClaimsRequestSchema, {
        userinfo: { given_name: { essential: true }, nickname: null },
        id_token: { acr: { values: ['urn:a', 'urn:b'] }, sub: { value: '248289761001' } },
      }),
    ).toBe(true)
    expect(v.is(ClaimsRequestSchema, { userinfo: { email: { essential: 'yes' } } })).toBe(false)
  })

  it('OIDC Core §2: a shape failure names the first offending claim with reason invalid', () => {
    expect(
      failure(() => parseClaimSet(IDTokenClaimsSchema, { ...idToken, nonce: 1 }, 'x')),
    ).toEqual({ claim: 'nonce', reason: 'invalid' })
  })

  it('OIDC Core §2: an absent REQUIRED claim is reported as missing', () => {
    const { sub: _, ...rest } = idToken
    expect(failure(() => parseClaimSet(IDTokenClaimsSchema, rest, 'x'))).toEqual({
      claim: 'sub',
      reason: 'missing',
    })
  })

  it('OIDC Core 5.1.1: a bad address member is reported on the address claim', () => {
    expect(
      failure(() =>
        parseClaimSet(UserInfoClaimsSchema, { sub: 's', address: { country: 1 } }, 'x'),
      ),
    ).toEqual({ claim: 'address', reason: 'invalid' })
  })

  it('RFC 7519 §7.2: a claims set that is not a JSON object is invalid', () => {
    for (const input of [null, 'text', 1, []]) {
      expect(failure(() => parseClaimSet(UserInfoClaimsSchema, input, 'userinfo'))).toEqual({
        claim: 'userinfo',
        reason: 'invalid',
      })
    }
  })
})
