import * as v from 'valibot'
import { claimError } from './errors'

// Every object schema is loose: OIDC Core 5.1 and 5.5 let issuers add claims and members, and
// say that members a recipient does not understand must be ignored, not rejected.

const NumericDateSchema = v.pipe(v.number(), v.finite())

/**
 * The `sub` claim: a string of at most 255 ASCII characters (OIDC Core §2).
 *
 * @example
 * ```ts
 * v.parse(SubjectSchema, '24400320')
 * ```
 */
export const SubjectSchema = v.pipe(
  v.string(),
  v.minLength(1),
  v.maxLength(255),
  v.check(isAscii, 'sub must be ASCII'),
)

/**
 * True for a string of ASCII characters only (OIDC Core §2 asks that of `sub`).
 *
 * @example
 * ```ts
 * isAscii('248289761001') // true
 * ```
 */
export function isAscii(value: string): boolean {
  for (let index = 0; index < value.length; index++) {
    if (value.charCodeAt(index) > 0x7f) return false
  }
  return true
}

/**
 * The claims of an ID token (OIDC Core §2, 3.1.3.6, 3.3.2.11) plus any other claim.
 *
 * @example
 * ```ts
 * const result = v.safeParse(IDTokenClaimsSchema, payload)
 * ```
 */
export const IDTokenClaimsSchema = v.looseObject({
  iss: v.string(),
  sub: SubjectSchema,
  aud: v.union([v.string(), v.array(v.string())]),
  exp: NumericDateSchema,
  iat: NumericDateSchema,
  auth_time: v.optional(NumericDateSchema),
  nonce: v.optional(v.string()),
  acr: v.optional(v.string()),
  amr: v.optional(v.array(v.string())),
  azp: v.optional(v.string()),
  at_hash: v.optional(v.string()),
  c_hash: v.optional(v.string()),
  s_hash: v.optional(v.string()),
  sid: v.optional(v.string()),
})

/**
 * The `address` claim (OIDC Core 5.1.1).
 *
 * @example
 * ```ts
 * v.parse(AddressSchema, { locality: 'Anytown', country: 'US' })
 * ```
 */
export const AddressSchema = v.looseObject({
  formatted: v.optional(v.string()),
  street_address: v.optional(v.string()),
  locality: v.optional(v.string()),
  region: v.optional(v.string()),
  postal_code: v.optional(v.string()),
  country: v.optional(v.string()),
})

/**
 * The standard claims of OIDC Core 5.1 as returned by the UserInfo endpoint, where `sub` is
 * mandatory (5.3.2), plus any other claim.
 *
 * @example
 * ```ts
 * const userinfo = v.parse(UserInfoClaimsSchema, await response.json())
 * ```
 */
export const UserInfoClaimsSchema = v.looseObject({
  sub: SubjectSchema,
  name: v.optional(v.string()),
  given_name: v.optional(v.string()),
  family_name: v.optional(v.string()),
  middle_name: v.optional(v.string()),
  nickname: v.optional(v.string()),
  preferred_username: v.optional(v.string()),
  profile: v.optional(v.string()),
  picture: v.optional(v.string()),
  website: v.optional(v.string()),
  email: v.optional(v.string()),
  email_verified: v.optional(v.boolean()),
  gender: v.optional(v.string()),
  // Formats (YYYY-MM-DD, 0000-MM-DD, YYYY, BCP 47, IANA zones) are not enforced: real accounts
  // carry sloppy values and a UserInfo response should not fail because of them.
  birthdate: v.optional(v.string()),
  zoneinfo: v.optional(v.string()),
  locale: v.optional(v.string()),
  phone_number: v.optional(v.string()),
  phone_number_verified: v.optional(v.boolean()),
  address: v.optional(AddressSchema),
  updated_at: v.optional(NumericDateSchema),
})

/**
 * One entry of a `claims` request parameter: `null` or `{ essential, value, values }`
 * (OIDC Core 5.5.1).
 *
 * @example
 * ```ts
 * v.parse(IndividualClaimRequestSchema, { essential: true })
 * ```
 */
export const IndividualClaimRequestSchema = v.nullable(
  v.looseObject({
    essential: v.optional(v.boolean()),
    value: v.optional(v.unknown()),
    values: v.optional(v.array(v.unknown())),
  }),
)

const ClaimRequestMapSchema = v.record(v.string(), IndividualClaimRequestSchema)

/**
 * The `claims` request parameter (OIDC Core 5.5).
 *
 * @example
 * ```ts
 * v.parse(ClaimsRequestSchema, { userinfo: { email: { essential: true }, picture: null } })
 * ```
 */
export const ClaimsRequestSchema = v.looseObject({
  userinfo: v.optional(ClaimRequestMapSchema),
  id_token: v.optional(ClaimRequestMapSchema),
})

/**
 * The claims of an ID token.
 *
 * @example
 * ```ts
 * const claims: IDTokenClaims = await CodeIDToken.validate(payload, options)
 * ```
 */
export type IDTokenClaims = v.InferOutput<typeof IDTokenClaimsSchema>

/**
 * The `address` claim.
 *
 * @example
 * ```ts
 * const address: Address = { locality: 'Anytown', country: 'US' }
 * ```
 */
export type Address = v.InferOutput<typeof AddressSchema>

/**
 * The standard claims of a UserInfo response.
 *
 * @example
 * ```ts
 * const userinfo: UserInfoClaims = { sub: '248289761001', email: 'jane@example.com' }
 * ```
 */
export type UserInfoClaims = v.InferOutput<typeof UserInfoClaimsSchema>

/**
 * One entry of a `claims` request parameter.
 *
 * @example
 * ```ts
 * const acr: IndividualClaimRequest = { essential: true, values: ['urn:example:silver'] }
 * ```
 */
export type IndividualClaimRequest = v.InferOutput<typeof IndividualClaimRequestSchema>

/**
 * The `claims` request parameter.
 *
 * @example
 * ```ts
 * const request: ClaimsRequest = { id_token: { auth_time: { essential: true } } }
 * ```
 */
export type ClaimsRequest = v.InferOutput<typeof ClaimsRequestSchema>

/**
 * Parses `input` with a claims schema and maps the first shape failure to a claim error: the
 * claim named by the first path key (or `claim` when the input itself is not an object), reason
 * `missing` for an absent member and `invalid` otherwise.
 *
 * @throws {JoseError} `ERR_CLAIM_INVALID`.
 *
 * @example
 * ```ts
 * const claims = parseClaimSet(IDTokenClaimsSchema, payload, 'id_token')
 * ```
 */
export function parseClaimSet<TSchema extends v.GenericSchema>(
  schema: TSchema,
  input: unknown,
  claim: string,
): v.InferOutput<TSchema> {
  // Loose object schemas accept arrays, which are never a claims set.
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw claimError(claim, 'invalid', `${claim} must be a JSON object`)
  }
  const result = v.safeParse(schema, input)
  if (result.success) return result.output
  const issue = result.issues[0]
  const key = issue.path?.[0]?.key
  const name = typeof key === 'string' ? key : claim
  const reason = issue.input === undefined && issue.path?.length === 1 ? 'missing' : 'invalid'
  throw claimError(name, reason, `"${name}" claim ${reason}: ${issue.message}`)
}
