// Test support for the claim tests of @oidkit/jose: what an ERR_CLAIM_INVALID names. Never
// exported from the package entry and never imported by non-test source.
import { type ClaimFailureReason, isJoseError } from '../errors'

/** The claim an ERR_CLAIM_INVALID error names, and why. */
export interface ClaimFailure {
  claim: string | undefined
  reason: ClaimFailureReason | undefined
}

const failureOf = (error: unknown): ClaimFailure => {
  if (!isJoseError(error, 'ERR_CLAIM_INVALID')) throw error
  return { claim: error.claim, reason: error.reason }
}

/**
 * Runs `run`; returns the claim and reason of the ERR_CLAIM_INVALID it throws, or undefined when
 * it passes. Any other error is rethrown.
 *
 * @example
 * ```ts
 * expect(claimFailure(() => parseClaimsRequest('[1]'))).toEqual({ claim: 'claims', reason: 'invalid' })
 * ```
 */
export function claimFailure(run: () => unknown): ClaimFailure | undefined {
  try {
    run()
  } catch (error) {
    return failureOf(error)
  }
  return undefined
}

/**
 * {@link claimFailure} for an asynchronous `run`.
 *
 * @example
 * ```ts
 * expect(await asyncClaimFailure(() => IDToken.validate(claims, options))).toBeUndefined()
 * ```
 */
export async function asyncClaimFailure(
  run: () => Promise<unknown>,
): Promise<ClaimFailure | undefined> {
  try {
    await run()
  } catch (error) {
    return failureOf(error)
  }
  return undefined
}
