/**
 * Every failure `@oidkit/jose` raises itself. Errors thrown by the underlying `jose` library
 * (for example `ERR_JWS_SIGNATURE_VERIFICATION_FAILED`) pass through unchanged.
 */
export type JoseErrorCode =
  /** A key cannot be used for the requested algorithm, or is missing. */
  | 'ERR_KEY_UNSUITABLE'
  /** No key in the set matches the requested `kid`/`alg`. */
  | 'ERR_KEY_NOT_FOUND'
  /** The key or key set material is malformed. */
  | 'ERR_KEY_INVALID'
  /** The algorithm is not allowed (for example `none` without explicit opt-in). */
  | 'ERR_ALG_NOT_ALLOWED'
  /** A claims set failed validation; `claim` and `reason` say which and why. */
  | 'ERR_CLAIM_INVALID'
  /** The token is not a well-formed JWT. */
  | 'ERR_JWT_INVALID'

/** Why a claim failed validation. */
export type ClaimFailureReason =
  | 'missing'
  | 'invalid'
  | 'mismatch'
  | 'expired'
  | 'not_yet_valid'
  | 'too_old'
  | 'in_the_future'
  | 'check_failed'

/**
 * The one error class of `@oidkit/jose`. Switch on `code`, never on the message.
 *
 * @example
 * ```ts
 * try { await verifyJwt(token, { keys }) } catch (e) {
 *   if (e instanceof JoseError && e.code === 'ERR_CLAIM_INVALID') console.log(e.claim, e.reason)
 * }
 * ```
 */
export class JoseError extends Error {
  readonly code: JoseErrorCode
  /** The claim at fault, for `ERR_CLAIM_INVALID`. */
  readonly claim?: string
  /** Why the claim failed, for `ERR_CLAIM_INVALID`. */
  readonly reason?: ClaimFailureReason

  constructor(
    code: JoseErrorCode,
    message: string,
    options?: { cause?: unknown; claim?: string; reason?: ClaimFailureReason },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'JoseError'
    this.code = code
    if (options?.claim !== undefined) this.claim = options.claim
    if (options?.reason !== undefined) this.reason = options.reason
  }
}

/**
 * Builds the `ERR_CLAIM_INVALID` error for one claim.
 *
 * @example
 * ```ts
 * throw claimError('nonce', 'mismatch', 'nonce does not match the request')
 * ```
 */
export function claimError(claim: string, reason: ClaimFailureReason, message?: string): JoseError {
  return new JoseError(
    'ERR_CLAIM_INVALID',
    message ?? `"${claim}" claim ${reason.replace(/_/g, ' ')}`,
    {
      claim,
      reason,
    },
  )
}

/**
 * True for a `JoseError`, also across duplicate copies of the package where `instanceof` fails.
 *
 * @example
 * ```ts
 * if (isJoseError(e, 'ERR_CLAIM_INVALID')) reject(e.claim)
 * ```
 */
export function isJoseError(value: unknown, code?: JoseErrorCode): value is JoseError {
  if (!(value instanceof Error) || value.name !== 'JoseError') return false
  return code === undefined || (value as JoseError).code === code
}
