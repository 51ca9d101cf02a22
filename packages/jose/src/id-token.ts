import { type IDTokenClaims, IDTokenClaimsSchema, isAscii, parseClaimSet } from './claim-schemas'
import { assertSeconds, type ClaimRule, numericDate, validateClaims } from './claims'
import { claimError } from './errors'
import { tokenHash } from './hashes'

/** Default ID token lifetime in seconds. */
const DEFAULT_LIFETIME = 3600

// Extra claims may never set a claim the protocol defines: a caller-supplied `nonce` or
// `at_hash` would defeat the very binding those claims exist for.
const PROTOCOL_CLAIMS: ReadonlySet<string> = new Set(Object.keys(IDTokenClaimsSchema.entries))

/**
 * Input of `build` on an ID token profile.
 *
 * @example
 * ```ts
 * const input: IDTokenBuildInput = {
 *   issuer: 'https://op.example', subject: '24400320', audience: 's6BhdRkqt3', alg: 'RS256',
 * }
 * ```
 */
export interface IDTokenBuildInput {
  issuer: string
  subject: string
  /** Must contain `clientId` when that is given (OIDC Core §2). */
  audience: string | readonly string[]
  /** The client the token is issued to; becomes `azp` when there are several audiences. */
  clientId?: string
  /** Seconds until `exp`. Defaults to 3600. */
  lifetime?: number
  currentDate?: Date
  /** NumericDate of the End-User authentication. */
  authTime?: number
  nonce?: string
  acr?: string
  amr?: readonly string[]
  sid?: string
  /** The access token issued alongside; adds `at_hash`. */
  accessToken?: string
  /** The authorization code issued alongside; adds `c_hash`. */
  code?: string
  /** The `state` of the request; adds `s_hash` (FAPI 1.0 Advanced 5.2.2.1). */
  state?: string
  /** The JWS algorithm the token will be signed with, which selects the hash. */
  alg: string
  /** Further claims. They never override a claim the ID token profile defines. */
  claims?: Readonly<Record<string, unknown>>
}

/**
 * Options of `validate` on an ID token profile.
 *
 * @example
 * ```ts
 * const options: IDTokenValidationOptions = {
 *   issuer: 'https://op.example', audience: 's6BhdRkqt3', alg: header.alg, nonce: session.nonce,
 * }
 * ```
 */
export interface IDTokenValidationOptions {
  /** The expected issuer, compared exactly. */
  issuer: string
  /** The client's `client_id`. */
  audience: string
  /** The `alg` of the ID token's JOSE header, which selects the hash for `*_hash` checks. */
  alg: string
  clockTolerance?: number
  currentDate?: Date
  /** The nonce sent in the request. Without it, a token carrying a nonce is rejected. */
  nonce?: string
  /** The `max_age` sent in the request, in seconds; makes `auth_time` required. */
  maxAge?: number
  /** Require `auth_time`, as when it was requested as an essential claim. */
  requireAuthTime?: boolean
  /** The access token received with the ID token, checked against `at_hash`. */
  accessToken?: string
  /** The authorization code received with the ID token, checked against `c_hash`. */
  code?: string
  /** The `state` received with the ID token, checked against `s_hash` when present. */
  state?: string
  /** Maximum age of the token in seconds, measured from `iat`. */
  maxTokenAge?: number
  /** Further per-claim rules, for example on `acr`. */
  claims?: Readonly<Record<string, ClaimRule>>
}

/**
 * What a profile requires beyond the base ID token of OIDC Core §2.
 *
 * @example
 * ```ts
 * if (HybridIDToken.requires.cHash) console.log('c_hash is required with a code')
 * ```
 */
export interface IDTokenRequirements {
  /** `nonce` is required, at build and at validation. */
  readonly nonce: boolean
  /** `at_hash` is required whenever an access token is issued with the ID token. */
  readonly atHash: boolean
  /** `c_hash` is required whenever a code is issued with the ID token. */
  readonly cHash: boolean
}

/**
 * An ID token claim set profile: builds claims on the server, validates them on the client.
 *
 * @example
 * ```ts
 * const profile: IDTokenProfile = implicit ? ImplicitIDToken : CodeIDToken
 * ```
 */
export interface IDTokenProfile {
  readonly name: 'id_token' | 'code' | 'implicit' | 'hybrid'
  readonly requires: IDTokenRequirements
  /** Builds the claims to sign; computes `iat`, `exp` and the token hashes. */
  build(input: IDTokenBuildInput): Promise<IDTokenClaims>
  /** Validates claims whose signature has already been verified. */
  validate(claims: unknown, options: IDTokenValidationOptions): Promise<IDTokenClaims>
}

async function build(
  requires: IDTokenRequirements,
  input: IDTokenBuildInput,
): Promise<IDTokenClaims> {
  const lifetime = assertSeconds(input.lifetime ?? DEFAULT_LIFETIME, 'lifetime')
  const audiences = typeof input.audience === 'string' ? [input.audience] : [...input.audience]
  if (audiences.length === 0) throw claimError('aud', 'missing')
  if (input.clientId !== undefined && !audiences.includes(input.clientId)) {
    throw claimError('aud', 'mismatch', 'the audience must contain the client_id (OIDC Core §2)')
  }
  // Clients reject multi-audience tokens without azp (OIDC Core 3.1.3.7 step 4), so fail here.
  if (audiences.length > 1 && input.clientId === undefined) {
    throw claimError('azp', 'missing', 'a token with several audiences needs a clientId for azp')
  }
  if (requires.nonce && input.nonce === undefined) throw claimError('nonce', 'missing')
  // From the authorization endpoint a hybrid ID token always comes with a code (3.3.2.11).
  if (requires.cHash && input.code === undefined) throw claimError('c_hash', 'missing')

  const iat = numericDate(input.currentDate)
  const atHash =
    input.accessToken === undefined ? undefined : await tokenHash(input.accessToken, input.alg)
  const cHash = input.code === undefined ? undefined : await tokenHash(input.code, input.alg)
  const sHash = input.state === undefined ? undefined : await tokenHash(input.state, input.alg)

  // In the order of IDTokenClaimsSchema's entries, which is the order the claims had when every
  // build went through that schema; absent claims are left out, not set to undefined.
  const claims: Record<string, unknown> = {
    iss: input.issuer,
    sub: input.subject,
    aud: typeof input.audience === 'string' ? input.audience : audiences,
    exp: iat + lifetime,
    iat,
  }
  if (input.authTime !== undefined) claims.auth_time = input.authTime
  if (input.nonce !== undefined) claims.nonce = input.nonce
  if (input.acr !== undefined) claims.acr = input.acr
  if (input.amr !== undefined) claims.amr = [...input.amr]
  if (audiences.length > 1 && input.clientId !== undefined) claims.azp = input.clientId
  if (atHash !== undefined) claims.at_hash = atHash
  if (cHash !== undefined) claims.c_hash = cHash
  if (sHash !== undefined) claims.s_hash = sHash
  if (input.sid !== undefined) claims.sid = input.sid
  checkBuiltClaims(claims)
  for (const [name, value] of Object.entries(input.claims ?? {})) {
    if (value !== undefined && !PROTOCOL_CLAIMS.has(name) && !UNSAFE_NAMES.has(name)) {
      claims[name] = value
    }
  }
  return claims as IDTokenClaims
}

// The schema parse that builds used to run dropped these names (as valibot does for every
// object); they stay out so that tokens keep the claims they always had.
const UNSAFE_NAMES: ReadonlySet<string> = new Set(['__proto__', 'prototype', 'constructor'])

const isString = (value: unknown) => typeof value === 'string'
const isOptionalString = (value: unknown) => value === undefined || typeof value === 'string'
const isNumericDate = (value: unknown) => typeof value === 'number' && Number.isFinite(value)
const isStringArray = (value: unknown) => Array.isArray(value) && value.every(isString)

// What IDTokenClaimsSchema requires of the protocol claims, checked on the build input without
// re-parsing the whole claim set: the hashes are computed here and extra claims never replace a
// protocol claim, so these are all that can go wrong, and only when a caller bypasses the types.
const BUILT_CLAIM_CHECKS: ReadonlyArray<readonly [string, (value: unknown) => boolean]> = [
  ['iss', isString],
  // OIDC Core §2: at most 255 ASCII characters.
  ['sub', (value) => isString(value) && value !== '' && value.length <= 255 && isAscii(value)],
  ['aud', (value) => isString(value) || isStringArray(value)],
  ['exp', isNumericDate],
  ['iat', isNumericDate],
  ['auth_time', (value) => value === undefined || isNumericDate(value)],
  ['nonce', isOptionalString],
  ['acr', isOptionalString],
  ['amr', (value) => value === undefined || isStringArray(value)],
  ['azp', isOptionalString],
  ['sid', isOptionalString],
]

/** Rejects a built claim set its own clients would reject, naming the first claim at fault. */
function checkBuiltClaims(claims: Readonly<Record<string, unknown>>): void {
  for (const [name, isValid] of BUILT_CLAIM_CHECKS) {
    const value = claims[name]
    if (!isValid(value)) {
      throw claimError(name, value === undefined ? 'missing' : 'invalid')
    }
  }
}

async function checkHash(
  claims: IDTokenClaims,
  claim: 'at_hash' | 'c_hash' | 's_hash',
  value: string | undefined,
  alg: string,
  required: boolean,
): Promise<void> {
  // Without the value the hash binds to there is nothing to verify against.
  if (value === undefined) return
  const actual = claims[claim]
  if (actual === undefined) {
    if (required) throw claimError(claim, 'missing')
    return
  }
  if (actual !== (await tokenHash(value, alg))) throw claimError(claim, 'mismatch')
}

async function validate(
  requires: IDTokenRequirements,
  input: unknown,
  options: IDTokenValidationOptions,
): Promise<IDTokenClaims> {
  const claims = parseClaimSet(IDTokenClaimsSchema, input, 'id_token')
  const tolerance = assertSeconds(options.clockTolerance ?? 0, 'clockTolerance')
  const now = numericDate(options.currentDate)
  validateClaims(claims, {
    issuer: options.issuer,
    audience: options.audience,
    clockTolerance: tolerance,
    currentDate: options.currentDate,
    maxTokenAge: options.maxTokenAge,
    claims: options.claims,
  })

  // OIDC Core 3.1.3.7 steps 4 and 5.
  if (Array.isArray(claims.aud) && claims.aud.length > 1 && claims.azp === undefined) {
    throw claimError('azp', 'missing')
  }
  if (claims.azp !== undefined && claims.azp !== options.audience) {
    throw claimError('azp', 'mismatch')
  }

  // OIDC Core 3.1.3.7 step 11, 3.2.2.11 and 3.3.2.12: a nonce nobody sent is a replay signal.
  if (claims.nonce === undefined) {
    if (options.nonce !== undefined || requires.nonce) throw claimError('nonce', 'missing')
  } else if (claims.nonce !== options.nonce) {
    throw claimError('nonce', 'mismatch')
  }

  // OIDC Core 3.1.3.7 step 13.
  if (options.maxAge !== undefined || options.requireAuthTime === true) {
    if (claims.auth_time === undefined) throw claimError('auth_time', 'missing')
  }
  if (claims.auth_time !== undefined) {
    if (claims.auth_time > now + tolerance) throw claimError('auth_time', 'in_the_future')
    if (options.maxAge !== undefined) {
      const maxAge = assertSeconds(options.maxAge, 'maxAge')
      if (now - claims.auth_time > maxAge + tolerance) throw claimError('auth_time', 'too_old')
    }
  }

  await checkHash(claims, 'at_hash', options.accessToken, options.alg, requires.atHash)
  await checkHash(claims, 'c_hash', options.code, options.alg, requires.cHash)
  await checkHash(claims, 's_hash', options.state, options.alg, false)
  return claims
}

function defineProfile(
  name: IDTokenProfile['name'],
  requires: IDTokenRequirements,
): IDTokenProfile {
  const frozen = Object.freeze({ ...requires })
  return Object.freeze({
    name,
    requires: frozen,
    build: (input: IDTokenBuildInput) => build(frozen, input),
    validate: (claims: unknown, options: IDTokenValidationOptions) =>
      validate(frozen, claims, options),
  })
}

/**
 * The ID token of OIDC Core §2 with the checks of 3.1.3.7 and no flow-specific requirement.
 * Hashes are verified when present and the bound value is given.
 *
 * @example
 * ```ts
 * const claims = await IDToken.validate(payload, { issuer, audience: clientId, alg: 'RS256' })
 * ```
 */
export const IDToken: IDTokenProfile = defineProfile('id_token', {
  nonce: false,
  atHash: false,
  cHash: false,
})

/**
 * The ID token of the authorization code flow, from the token endpoint (OIDC Core 3.1.3.6,
 * 3.1.3.7): `at_hash` is optional and verified when present and `accessToken` is given.
 *
 * @example
 * ```ts
 * const claims = await CodeIDToken.build({ issuer, subject, audience: clientId, alg: 'ES256' })
 * const idToken = await signJwt(claims, { key })
 * ```
 */
export const CodeIDToken: IDTokenProfile = defineProfile('code', {
  nonce: false,
  atHash: false,
  cHash: false,
})

/**
 * The ID token of the implicit flow (OIDC Core 3.2.2.10, 3.2.2.11): `nonce` is required, and
 * `at_hash` is required when an access token was issued with it (`id_token token`).
 *
 * @example
 * ```ts
 * await ImplicitIDToken.validate(payload, { issuer, audience, alg, nonce, accessToken })
 * ```
 */
export const ImplicitIDToken: IDTokenProfile = defineProfile('implicit', {
  nonce: true,
  atHash: true,
  cHash: false,
})

/**
 * The ID token of the hybrid flow from the authorization endpoint (OIDC Core 3.3.2.11,
 * 3.3.2.12): `nonce` is required, `c_hash` is required with a code (and `build` insists on the
 * code), `at_hash` is required when an access token was issued with it.
 *
 * @example
 * ```ts
 * await HybridIDToken.validate(payload, { issuer, audience, alg, nonce, code })
 * ```
 */
export const HybridIDToken: IDTokenProfile = defineProfile('hybrid', {
  nonce: true,
  atHash: true,
  cHash: true,
})
