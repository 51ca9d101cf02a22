import { claimError } from './errors'

/**
 * A per-claim rule for {@link validateClaims}. Rules only apply to claims that are present,
 * except `essential`, which makes the claim required.
 *
 * @example
 * ```ts
 * const acr: ClaimRule = { essential: true, values: ['urn:mace:incommon:iap:silver'] }
 * ```
 */
export interface ClaimRule {
  /** The claim must be present. */
  essential?: boolean
  /** The claim must equal this value (deep JSON equality). */
  value?: unknown
  /** The claim must equal one of these values (deep JSON equality). */
  values?: readonly unknown[]
  /** A custom check; returning `false` fails the claim with reason `check_failed`. */
  validate?: (value: unknown, payload: Readonly<Record<string, unknown>>) => boolean
}

/**
 * Options of {@link validateClaims}; the names follow the `jose` library's `jwtVerify` options.
 *
 * @example
 * ```ts
 * const options: ClaimsValidationOptions = { issuer: 'https://op.example', audience: 'client-1' }
 * ```
 */
export interface ClaimsValidationOptions {
  /** Accepted `iss` values; the claim must equal one. */
  issuer?: string | readonly string[]
  /** Accepted audiences; the `aud` claim (string or array) must contain at least one. */
  audience?: string | readonly string[]
  /** The expected `sub`. */
  subject?: string
  /** Leeway in seconds for the time claims, to absorb clock skew. Defaults to 0. */
  clockTolerance?: number
  /** The instant to validate at. Defaults to now. */
  currentDate?: Date
  /** Maximum age in seconds of the token, measured from `iat` (which becomes required). */
  maxTokenAge?: number
  /** Claims that must be present. */
  requiredClaims?: readonly string[]
  /** Per-claim rules. */
  claims?: Readonly<Record<string, ClaimRule>>
}

/**
 * The JWT NumericDate (whole seconds since the epoch) of a date, as RFC 7519 §2 defines it.
 *
 * @example
 * ```ts
 * const iat = numericDate() // now
 * const exp = numericDate(new Date('2030-01-01T00:00:00Z'))
 * ```
 */
export function numericDate(date: Date = new Date()): number {
  return Math.floor(date.getTime() / 1000)
}

/**
 * Throws a `TypeError` unless `value` is a finite, non-negative number of seconds. A `NaN`
 * tolerance or age would make every comparison false and silently disable the check.
 *
 * @example
 * ```ts
 * assertSeconds(options.clockTolerance ?? 0, 'clockTolerance')
 * ```
 */
export function assertSeconds(value: number, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`${name} must be a finite, non-negative number of seconds`)
  }
  return value
}

/** Own properties only, so that `toString` and friends never count as present claims. */
function own(payload: Readonly<Record<string, unknown>>, name: string): unknown {
  return Object.hasOwn(payload, name) ? payload[name] : undefined
}

function timeClaim(payload: Readonly<Record<string, unknown>>, name: string): number | undefined {
  const value = own(payload, name)
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isFinite(value)) throw claimError(name, 'invalid')
  return value
}

function list(value: string | readonly string[]): readonly string[] {
  return typeof value === 'string' ? [value] : value
}

/** Structural equality over JSON values, which is what claim values are. */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false
    return a.every((item, index) => jsonEqual(item, b[index]))
  }
  const left = a as Record<string, unknown>
  const right = b as Record<string, unknown>
  const keys = Object.keys(left)
  return (
    keys.length === Object.keys(right).length &&
    keys.every((key) => Object.hasOwn(right, key) && jsonEqual(left[key], right[key]))
  )
}

/**
 * Validates a JWT claims set (RFC 7519 §4.1) and throws on the first failure. Checks run in the
 * order of the `jose` library: presence, `iss`/`sub`/`aud`, `exp`, `nbf`, `iat` in the future,
 * `maxTokenAge`, then the per-claim rules. Time claims must be NumericDate numbers.
 *
 * @throws {JoseError} `ERR_CLAIM_INVALID` with `claim` and `reason` (`missing`, `invalid`,
 *   `mismatch`, `expired`, `not_yet_valid`, `in_the_future`, `too_old`, `check_failed`).
 *
 * @example
 * ```ts
 * validateClaims(payload, {
 *   issuer: 'https://op.example',
 *   audience: ['api', 'client-1'],
 *   clockTolerance: 30,
 *   claims: { scope: { validate: (s) => typeof s === 'string' && s.includes('read') } },
 * })
 * ```
 */
export function validateClaims(
  payload: Readonly<Record<string, unknown>>,
  options: ClaimsValidationOptions = {},
): void {
  const tolerance = assertSeconds(options.clockTolerance ?? 0, 'clockTolerance')
  const now = numericDate(options.currentDate)
  const rules = Object.entries(options.claims ?? {})

  const required = new Set(options.requiredClaims)
  if (options.issuer !== undefined) required.add('iss')
  if (options.subject !== undefined) required.add('sub')
  if (options.audience !== undefined) required.add('aud')
  if (options.maxTokenAge !== undefined) required.add('iat')
  for (const [name, rule] of rules) if (rule.essential === true) required.add(name)
  for (const name of required) {
    if (own(payload, name) === undefined) throw claimError(name, 'missing')
  }

  if (options.issuer !== undefined) {
    const iss = own(payload, 'iss')
    if (typeof iss !== 'string') throw claimError('iss', 'invalid')
    if (!list(options.issuer).includes(iss)) throw claimError('iss', 'mismatch')
  }
  if (options.subject !== undefined) {
    const sub = own(payload, 'sub')
    if (typeof sub !== 'string') throw claimError('sub', 'invalid')
    if (sub !== options.subject) throw claimError('sub', 'mismatch')
  }
  if (options.audience !== undefined) {
    const aud = own(payload, 'aud')
    const audiences = typeof aud === 'string' ? [aud] : aud
    if (!Array.isArray(audiences) || !audiences.every((item) => typeof item === 'string')) {
      throw claimError('aud', 'invalid')
    }
    const accepted = list(options.audience)
    if (!audiences.some((item) => accepted.includes(item))) throw claimError('aud', 'mismatch')
  }

  // RFC 7519 §4.1.4: the current time must be strictly before exp.
  const exp = timeClaim(payload, 'exp')
  if (exp !== undefined && exp <= now - tolerance) throw claimError('exp', 'expired')
  const nbf = timeClaim(payload, 'nbf')
  if (nbf !== undefined && nbf > now + tolerance) throw claimError('nbf', 'not_yet_valid')
  const iat = timeClaim(payload, 'iat')
  if (iat !== undefined && iat > now + tolerance) throw claimError('iat', 'in_the_future')
  if (options.maxTokenAge !== undefined && iat !== undefined) {
    const maxTokenAge = assertSeconds(options.maxTokenAge, 'maxTokenAge')
    if (now - iat - tolerance > maxTokenAge) throw claimError('iat', 'too_old')
  }

  for (const [name, rule] of rules) {
    const value = own(payload, name)
    if (value === undefined) continue
    if (rule.value !== undefined && !jsonEqual(value, rule.value)) {
      throw claimError(name, 'mismatch')
    }
    if (
      rule.values !== undefined &&
      !rule.values.some((candidate) => jsonEqual(value, candidate))
    ) {
      throw claimError(name, 'mismatch')
    }
    if (rule.validate !== undefined && !rule.validate(value, payload)) {
      throw claimError(name, 'check_failed')
    }
  }
}
