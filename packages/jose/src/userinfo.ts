import * as v from 'valibot'
import {
  type ClaimsRequest,
  ClaimsRequestSchema,
  parseClaimSet,
  type UserInfoClaims,
  UserInfoClaimsSchema,
} from './claim-schemas'
import { validateClaims } from './claims'
import { claimError, JoseError } from './errors'

/**
 * The claims each standard scope requests (OIDC Core 5.4).
 *
 * @example
 * ```ts
 * SCOPE_CLAIMS.email // ['email', 'email_verified']
 * ```
 */
export const SCOPE_CLAIMS = Object.freeze({
  profile: Object.freeze([
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
  ] as const),
  email: Object.freeze(['email', 'email_verified'] as const),
  address: Object.freeze(['address'] as const),
  phone: Object.freeze(['phone_number', 'phone_number_verified'] as const),
})

/**
 * Where requested claims are delivered.
 *
 * @example
 * ```ts
 * const target: ClaimsTarget = 'id_token'
 * ```
 */
export type ClaimsTarget = 'userinfo' | 'id_token'

/**
 * Options of {@link requestedClaims}.
 *
 * @example
 * ```ts
 * const options: RequestedClaimsOptions = { scopes: 'openid email', target: 'userinfo' }
 * ```
 */
export interface RequestedClaimsOptions {
  /** Granted scopes, as an iterable or a space-delimited string. */
  scopes: Iterable<string> | string
  /** The parsed `claims` request parameter, if any. */
  claimsRequest?: ClaimsRequest
  target: ClaimsTarget
  /**
   * Whether an access token is issued. When none is (`response_type=id_token`), the scope
   * claims go to the ID token instead of UserInfo (OIDC Core 5.4). Defaults to `true`.
   */
  accessTokenIssued?: boolean
}

/**
 * Options of {@link filterUserInfo}; `target` defaults to `'userinfo'`.
 *
 * @example
 * ```ts
 * const options: FilterUserInfoOptions = { scopes: ['openid', 'profile'] }
 * ```
 */
export type FilterUserInfoOptions = Omit<RequestedClaimsOptions, 'target'> & {
  target?: ClaimsTarget
}

/**
 * Options of `UserInfo.validate`.
 *
 * @example
 * ```ts
 * const options: UserInfoValidationOptions = { subject: idToken.sub }
 * ```
 */
export interface UserInfoValidationOptions {
  /** The `sub` of the ID token; the UserInfo `sub` must equal it (OIDC Core 5.3.2). */
  subject: string
  /** For a signed UserInfo response, the expected `iss` (OIDC Core 5.3.2). */
  issuer?: string
  /** For a signed UserInfo response, the client's `client_id`, expected in `aud`. */
  audience?: string
}

// A string is itself an Iterable<string> of characters, so it must be split, never iterated.
function scopeList(scopes: Iterable<string> | string): Iterable<string> {
  return typeof scopes === 'string' ? scopes.split(' ').filter(Boolean) : scopes
}

/**
 * The claims requested by a set of scopes (OIDC Core 5.4); unknown scopes request nothing.
 *
 * @example
 * ```ts
 * claimsForScopes(['openid', 'email']) // Set { 'email', 'email_verified' }
 * ```
 */
export function claimsForScopes(scopes: Iterable<string> | string): Set<string> {
  const claims = new Set<string>()
  for (const scope of scopeList(scopes)) {
    if (!Object.hasOwn(SCOPE_CLAIMS, scope)) continue
    for (const claim of SCOPE_CLAIMS[scope as keyof typeof SCOPE_CLAIMS]) claims.add(claim)
  }
  return claims
}

/**
 * Parses the `claims` request parameter (OIDC Core 5.5) from its JSON text or an object.
 *
 * @throws {JoseError} `ERR_CLAIM_INVALID` with claim `claims` for bad JSON or a bad shape.
 *
 * @example
 * ```ts
 * const request = parseClaimsRequest(params.get('claims') ?? '{}')
 * ```
 */
export function parseClaimsRequest(input: unknown): ClaimsRequest {
  let value = input
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input)
    } catch (cause) {
      throw new JoseError('ERR_CLAIM_INVALID', 'the claims parameter is not valid JSON', {
        cause,
        claim: 'claims',
        reason: 'invalid',
      })
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw claimError('claims', 'invalid', 'the claims parameter must be a JSON object')
  }
  const result = v.safeParse(ClaimsRequestSchema, value)
  if (!result.success) {
    const issue = result.issues[0]
    throw claimError(
      'claims',
      'invalid',
      `the claims parameter is invalid at ${v.getDotPath(issue) ?? '(root)'}: ${issue.message}`,
    )
  }
  return result.output
}

/**
 * The names of the claims to deliver to `target`: the scope claims (for UserInfo, or for the
 * ID token when no access token is issued; OIDC Core 5.4) and the claims listed for that
 * target in the `claims` request parameter (5.5).
 *
 * @example
 * ```ts
 * requestedClaims({ scopes: ['openid'], claimsRequest: { id_token: { email: null } },
 *   target: 'id_token' }) // Set { 'email' }
 * ```
 */
export function requestedClaims(options: RequestedClaimsOptions): Set<string> {
  const scopesGoHere = (options.target === 'userinfo') === (options.accessTokenIssued ?? true)
  const claims = scopesGoHere ? claimsForScopes(options.scopes) : new Set<string>()
  for (const name of Object.keys(options.claimsRequest?.[options.target] ?? {})) claims.add(name)
  return claims
}

/**
 * Keeps `sub` and the requested claims of an account and drops the rest, as well as claims
 * that are `null` or empty (OIDC Core 5.3.2 says to omit them rather than send them empty).
 *
 * A `value` or `values` in the `claims` request only expresses a preference (OIDC Core 5.5.1):
 * the account's actual value is returned, never the requested one. Checking `essential`
 * claims, or refusing a request whose `value` cannot be met, is the caller's policy.
 *
 * @example
 * ```ts
 * const body = filterUserInfo(account, { scopes: grant.scopes, claimsRequest })
 * ```
 */
export function filterUserInfo(
  claims: UserInfoClaims,
  options: FilterUserInfoOptions,
): UserInfoClaims {
  // Object.assign, not spreads: V8 gives an object made by a spread and then given a new property
  // a hidden class of its own, and these run on every UserInfo request.
  const wanted = requestedClaims(
    Object.assign({}, options, { target: options.target ?? 'userinfo' }),
  )
  const kept = [...wanted]
    .map((name): [string, unknown] => [
      name,
      Object.hasOwn(claims, name) ? claims[name] : undefined,
    ])
    .filter(([, value]) => value !== undefined && value !== null && value !== '')
  // fromEntries defines properties, so a `__proto__` claim name cannot reach the prototype.
  const filtered = Object.fromEntries(kept) as UserInfoClaims
  filtered.sub = claims.sub
  return filtered
}

/**
 * Validates a UserInfo response (OIDC Core 5.3.2): the shape of the standard claims, `sub`
 * equal to the ID token's, and for a signed response `iss` and `aud`.
 *
 * @throws {JoseError} `ERR_CLAIM_INVALID`; a substituted response fails `sub` with `mismatch`.
 *
 * @example
 * ```ts
 * const userinfo = validateUserInfo(await response.json(), { subject: idToken.sub })
 * ```
 */
export function validateUserInfo(
  claims: unknown,
  options: UserInfoValidationOptions,
): UserInfoClaims {
  const userinfo = parseClaimSet(UserInfoClaimsSchema, claims, 'userinfo')
  validateClaims(userinfo, {
    subject: options.subject,
    issuer: options.issuer,
    audience: options.audience,
  })
  return userinfo
}

/**
 * The UserInfo claim set: `filter` on the server, `validate` on the client.
 *
 * @example
 * ```ts
 * const body = UserInfo.filter(account, { scopes, claimsRequest })
 * const userinfo = UserInfo.validate(await response.json(), { subject: idToken.sub })
 * ```
 */
export const UserInfo = Object.freeze({
  filter: filterUserInfo,
  validate: validateUserInfo,
})
