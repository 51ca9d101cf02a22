import { sha256 } from './crypto'
import { OAuthError } from './errors'
import type { AuthorizationCodeRecord } from './storage'

// RFC 7636 4.1 / 4.2: 43-128 characters of the unreserved set.
const PKCE_VALUE = /^[A-Za-z0-9\-._~]{43,128}$/

/**
 * Validates `code_challenge` and `code_challenge_method` at the authorization endpoint
 * (RFC 7636 4.3, 4.4.1). Errors are `invalid_request`, redirected to the client.
 *
 * @example
 * ```ts
 * const pkce = validateCodeChallenge(params, { required: true, methods: ['S256'] })
 * ```
 */
export function validateCodeChallenge(
  params: Readonly<Record<string, string>>,
  policy: { required: boolean; methods: readonly ('S256' | 'plain')[] },
): { codeChallenge: string; codeChallengeMethod: 'S256' | 'plain' } | undefined {
  const challenge = params.code_challenge
  const method = params.code_challenge_method
  if (challenge === undefined) {
    if (method !== undefined) throw new OAuthError('invalid_request', 'code_challenge is missing')
    if (policy.required)
      throw new OAuthError('invalid_request', 'code_challenge is required (PKCE)')
    return undefined
  }
  if (!PKCE_VALUE.test(challenge))
    throw new OAuthError('invalid_request', 'code_challenge is malformed')
  // RFC 7636 4.3: the method defaults to plain, which this server may not allow.
  const chosen = (method ?? 'plain') as 'S256' | 'plain'
  if (!policy.methods.includes(chosen)) {
    throw new OAuthError('invalid_request', `code_challenge_method "${chosen}" is not supported`)
  }
  return { codeChallenge: challenge, codeChallengeMethod: chosen }
}

/**
 * Checks `code_verifier` against the challenge bound to a code (RFC 7636 4.6). A verifier with
 * no challenge, or a challenge with no verifier, is `invalid_grant` (RFC 9700 2.1.1: PKCE
 * downgrade protection).
 *
 * @example
 * ```ts
 * await verifyCodeVerifier(form.get('code_verifier'), codeRecord)
 * ```
 */
export async function verifyCodeVerifier(
  verifier: string | undefined,
  code: Pick<AuthorizationCodeRecord, 'codeChallenge' | 'codeChallengeMethod'>,
): Promise<void> {
  if (code.codeChallenge === undefined) {
    if (verifier !== undefined) {
      throw new OAuthError(
        'invalid_grant',
        'a code_verifier was sent for a code issued without PKCE',
      )
    }
    return
  }
  if (verifier === undefined) throw new OAuthError('invalid_grant', 'code_verifier is missing')
  if (!PKCE_VALUE.test(verifier))
    throw new OAuthError('invalid_grant', 'code_verifier is malformed')
  const computed = code.codeChallengeMethod === 'plain' ? verifier : await sha256(verifier)
  if (computed !== code.codeChallenge) {
    throw new OAuthError('invalid_grant', 'code_verifier does not match the code_challenge')
  }
}
