// Test support for the ID token tests of @oidkit/oidc: what a relying party checks, computed
// without @oidkit/jose where the spec allows. Never exported from the package entry and never
// imported by non-test source.
import { createHash } from 'node:crypto'
import { type IDTokenValidationOptions, type KeySet, verifyJwt } from '@oidkit/jose'
import { expect } from 'vitest'
import { ISSUER } from '../e2e/grants-fixture'

/**
 * OIDC Core 3.1.3.6 / 3.3.2.11: base64url of the left-most half of the SHA-256 digest (at_hash,
 * c_hash), computed with node:crypto, independent of @oidkit/jose.
 *
 * @example
 * ```ts
 * expect(payload.at_hash).toBe(leftHalfSha256(accessToken))
 * ```
 */
export const leftHalfSha256 = (value: string): string =>
  createHash('sha256').update(value).digest().subarray(0, 16).toString('base64url')

/**
 * Asserts that `idToken` is a string, then verifies it as an ID token of {@link ISSUER} for
 * `audience` with the fixture's keys, at `now` (default: the fixture's clock).
 *
 * @example
 * ```ts
 * const { payload } = await verifyIdToken(fixture, body.id_token, 'es')
 * ```
 */
export async function verifyIdToken(
  fixture: { keys: KeySet; clock: { now: number } },
  idToken: unknown,
  audience = 'web',
  now = fixture.clock.now,
) {
  expect(idToken).toBeTypeOf('string')
  return verifyJwt(idToken as string, {
    keys: fixture.keys,
    issuer: ISSUER,
    audience,
    currentDate: new Date(now * 1000),
  })
}

/**
 * What the relying party `web` expects of an ID token from {@link ISSUER} (OIDC Core 3.1.3.7):
 * RS256, checked at the fixture's clock; `extra` adds nonce, access token, code or state.
 *
 * @example
 * ```ts
 * await ImplicitIDToken.validate(payload, relyingParty(fixture, { nonce: 'n-0S6_WzA2Mj' }))
 * ```
 */
export function relyingParty(
  fixture: { clock: { now: number } },
  extra: Partial<IDTokenValidationOptions> = {},
): IDTokenValidationOptions {
  return {
    issuer: ISSUER,
    audience: 'web',
    alg: 'RS256',
    currentDate: new Date(fixture.clock.now * 1000),
    ...extra,
  }
}
