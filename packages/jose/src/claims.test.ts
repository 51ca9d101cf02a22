import { describe, expect, it } from 'vitest'
import { type ClaimsValidationOptions, numericDate, validateClaims } from './claims'
import { claimFailure } from './test-support/claim-failure'

const NOW = new Date('2026-01-01T00:00:00Z')
const now = numericDate(NOW)

const payload = {
  iss: 'https://op.example',
  sub: 'user-1',
  aud: ['api', 'client-1'],
  iat: now - 10,
  exp: now + 600,
}

const failure = (claims: Record<string, unknown>, options: ClaimsValidationOptions) =>
  claimFailure(() => validateClaims(claims, { currentDate: NOW, ...options }))

describe('validateClaims', () => {
  it('RFC 7519 §4.1: accepts a valid claims set', () => {
    expect(
      failure(payload, { issuer: payload.iss, audience: 'client-1', subject: 'user-1' }),
    ).toBeUndefined()
  })

  it('RFC 7519 §4.1.1: accepts an iss that is one of several accepted issuers', () => {
    expect(failure(payload, { issuer: ['https://other', payload.iss] })).toBeUndefined()
  })

  it('RFC 7519 §4.1.1: rejects an iss outside the accepted issuers', () => {
    expect(failure(payload, { issuer: ['https://a', 'https://b'] })).toEqual({
      claim: 'iss',
      reason: 'mismatch',
    })
  })

  it('RFC 7519 §4.1.1: rejects a non-string iss as invalid', () => {
    expect(failure({ ...payload, iss: 7 }, { issuer: 'x' })).toEqual({
      claim: 'iss',
      reason: 'invalid',
    })
  })

  it('RFC 7519 §4.1.2: rejects a sub that differs from the expected subject', () => {
    expect(failure(payload, { subject: 'user-2' })).toEqual({ claim: 'sub', reason: 'mismatch' })
  })

  it('RFC 7519 §4.1.3: accepts when an accepted audience overlaps an aud array', () => {
    expect(failure(payload, { audience: ['nope', 'api'] })).toBeUndefined()
  })

  it('RFC 7519 §4.1.3: accepts a string aud equal to the audience', () => {
    expect(failure({ ...payload, aud: 'client-1' }, { audience: 'client-1' })).toBeUndefined()
  })

  it('RFC 7519 §4.1.3: rejects an aud that does not identify the recipient', () => {
    expect(failure(payload, { audience: ['other', 'another'] })).toEqual({
      claim: 'aud',
      reason: 'mismatch',
    })
  })

  it('RFC 7519 §4.1.3: rejects an aud that is neither a string nor an array of strings', () => {
    expect(failure({ ...payload, aud: ['api', 1] }, { audience: 'api' })).toEqual({
      claim: 'aud',
      reason: 'invalid',
    })
  })

  it('RFC 7519 §4.1: reports a missing expected claim before checking values', () => {
    const { iss: _, ...withoutIss } = payload
    expect(failure(withoutIss, { issuer: 'https://op.example', audience: 'nope' })).toEqual({
      claim: 'iss',
      reason: 'missing',
    })
  })

  it('RFC 7519 §4.1: requiredClaims makes claims mandatory', () => {
    expect(failure(payload, { requiredClaims: ['sub', 'jti'] })).toEqual({
      claim: 'jti',
      reason: 'missing',
    })
  })

  it('RFC 7519 §4.1: inherited properties never count as present claims', () => {
    expect(failure(payload, { requiredClaims: ['toString'] })).toEqual({
      claim: 'toString',
      reason: 'missing',
    })
  })

  it('RFC 7519 §4.1.4: rejects an expired token', () => {
    expect(failure({ ...payload, exp: now - 1 }, {})).toEqual({ claim: 'exp', reason: 'expired' })
  })

  it('RFC 7519 §4.1.4: the current time must be before exp, so exp equal to now is expired', () => {
    expect(failure({ ...payload, exp: now }, {})).toEqual({ claim: 'exp', reason: 'expired' })
  })

  it('RFC 7519 §4.1.4: clockTolerance allows a small leeway after exp', () => {
    expect(failure({ ...payload, exp: now - 20 }, { clockTolerance: 30 })).toBeUndefined()
    expect(failure({ ...payload, exp: now - 30 }, { clockTolerance: 30 })).toEqual({
      claim: 'exp',
      reason: 'expired',
    })
  })

  it('RFC 7519 §2: rejects a time claim that is not a NumericDate', () => {
    expect(failure({ ...payload, exp: '2030-01-01' }, {})).toEqual({
      claim: 'exp',
      reason: 'invalid',
    })
    expect(failure({ ...payload, iat: null }, {})).toEqual({ claim: 'iat', reason: 'invalid' })
  })

  it('RFC 7519 §4.1.5: rejects a token used before nbf, beyond the tolerance', () => {
    expect(failure({ ...payload, nbf: now + 60 }, { clockTolerance: 30 })).toEqual({
      claim: 'nbf',
      reason: 'not_yet_valid',
    })
    expect(failure({ ...payload, nbf: now + 20 }, { clockTolerance: 30 })).toBeUndefined()
  })

  it('RFC 7519 §4.1.6: rejects an iat in the future beyond the tolerance', () => {
    expect(failure({ ...payload, iat: now + 60 }, { clockTolerance: 30 })).toEqual({
      claim: 'iat',
      reason: 'in_the_future',
    })
    expect(failure({ ...payload, iat: now + 20 }, { clockTolerance: 30 })).toBeUndefined()
  })

  it('RFC 7519 §4.1.6: maxTokenAge rejects a token issued too long ago', () => {
    expect(failure({ ...payload, iat: now - 120 }, { maxTokenAge: 60 })).toEqual({
      claim: 'iat',
      reason: 'too_old',
    })
    expect(failure({ ...payload, iat: now - 60 }, { maxTokenAge: 60 })).toBeUndefined()
    expect(
      failure({ ...payload, iat: now - 80 }, { maxTokenAge: 60, clockTolerance: 30 }),
    ).toBeUndefined()
  })

  it('RFC 7519 §4.1.6: maxTokenAge makes iat required', () => {
    const { iat: _, ...withoutIat } = payload
    expect(failure(withoutIat, { maxTokenAge: 60 })).toEqual({ claim: 'iat', reason: 'missing' })
  })

  it('RFC 7519 §4.1: checks exp before nbf and iat', () => {
    expect(failure({ ...payload, exp: now - 1, nbf: now + 100, iat: now + 100 }, {})).toEqual({
      claim: 'exp',
      reason: 'expired',
    })
  })

  it('RFC 7519 §4.1: rejects a NaN or negative clockTolerance instead of disabling checks', () => {
    expect(() => validateClaims(payload, { clockTolerance: Number.NaN })).toThrow(TypeError)
    expect(() => validateClaims(payload, { clockTolerance: -1 })).toThrow(TypeError)
  })

  it('OIDC Core 5.5.1: an essential claim rule makes the claim required', () => {
    expect(failure(payload, { claims: { acr: { essential: true } } })).toEqual({
      claim: 'acr',
      reason: 'missing',
    })
  })

  it('OIDC Core 5.5.1: a non-essential rule on an absent claim passes', () => {
    expect(failure(payload, { claims: { acr: { value: 'gold' } } })).toBeUndefined()
  })

  it('OIDC Core 5.5.1: a value rule requires deep equality', () => {
    const claims = { ...payload, acr: 'gold', amr: ['pwd', 'otp'] }
    expect(failure(claims, { claims: { amr: { value: ['pwd', 'otp'] } } })).toBeUndefined()
    expect(failure(claims, { claims: { amr: { value: ['pwd'] } } })).toEqual({
      claim: 'amr',
      reason: 'mismatch',
    })
    expect(failure(claims, { claims: { acr: { value: 'silver' } } })).toEqual({
      claim: 'acr',
      reason: 'mismatch',
    })
  })

  it('OIDC Core 5.5.1: a values rule accepts any one of the listed values', () => {
    const claims = { ...payload, acr: 'gold', cnf: { jkt: 'abc' } }
    expect(failure(claims, { claims: { acr: { values: ['silver', 'gold'] } } })).toBeUndefined()
    expect(failure(claims, { claims: { cnf: { values: [{ jkt: 'abc' }] } } })).toBeUndefined()
    expect(failure(claims, { claims: { acr: { values: ['silver', 'bronze'] } } })).toEqual({
      claim: 'acr',
      reason: 'mismatch',
    })
    expect(failure(claims, { claims: { cnf: { values: [{ jkt: 'abc', x: 1 }] } } })).toEqual({
      claim: 'cnf',
      reason: 'mismatch',
    })
  })

  it('RFC 7519 §4.3: a custom validate rule receives the value and the whole payload', () => {
    const claims = { ...payload, scope: 'openid read' }
    const rule = {
      validate: (value: unknown, all: Readonly<Record<string, unknown>>) =>
        typeof value === 'string' && value.split(' ').includes('read') && all.sub === 'user-1',
    }
    expect(failure(claims, { claims: { scope: rule } })).toBeUndefined()
    expect(failure({ ...claims, scope: 'openid' }, { claims: { scope: rule } })).toEqual({
      claim: 'scope',
      reason: 'check_failed',
    })
  })

  it('RFC 7519 §4.1: rules run after the registered claim checks', () => {
    expect(
      failure({ ...payload, exp: now - 1 }, { claims: { sub: { validate: () => false } } }),
    ).toEqual({ claim: 'exp', reason: 'expired' })
  })
})
