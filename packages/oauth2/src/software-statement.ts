import { verifyJwt } from '@oidkit/jose'
import type { RegistrationConfig } from './config'
import { OAuthError } from './errors'

// JWT claims that describe the statement itself rather than the client (RFC 7519 4.1); they
// must not leak into the client's metadata when the statement's claims are merged.
const JWT_CLAIMS = new Set(['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti'])

/** A verified software statement: all of its claims, and those that are client metadata. */
export interface VerifiedSoftwareStatement {
  /** Every claim, including `iss` (what `approveSoftwareStatement` sees). */
  readonly claims: Record<string, unknown>
  /** The claims that are client metadata values (RFC 7591 2.3), without the JWT claims. */
  readonly metadata: Record<string, unknown>
}

/**
 * Verifies a `software_statement` (RFC 7591 2.3, 3.1.1) with the registration's
 * `softwareStatementKeys` and runs `approveSoftwareStatement`. A statement that cannot be
 * verified (no keys, malformed, bad signature, expired, no `iss`) is `invalid_software_statement`;
 * one the server does not approve is `unapproved_software_statement`.
 *
 * @example
 * ```ts
 * const { metadata } = await verifySoftwareStatement(body.software_statement, config.registration, now)
 * const merged = { ...body, ...metadata } // the statement wins (RFC 7591 2.3)
 * ```
 */
export async function verifySoftwareStatement(
  statement: unknown,
  registration: RegistrationConfig,
  now: number,
): Promise<VerifiedSoftwareStatement> {
  if (typeof statement !== 'string' || statement === '') {
    throw new OAuthError('invalid_software_statement', 'software_statement must be a JWT string')
  }
  const keys = registration.softwareStatementKeys
  if (!keys) {
    throw new OAuthError(
      'invalid_software_statement',
      'this server does not accept software statements',
    )
  }
  let claims: Record<string, unknown>
  try {
    // The server clock (not the host's) decides expiry, so `now` from the config applies.
    ;({ payload: claims } = await verifyJwt(statement, { keys, currentDate: new Date(now * 1000) }))
  } catch (cause) {
    throw new OAuthError('invalid_software_statement', 'the software statement is not valid', {
      cause,
    })
  }
  // RFC 7591 2.3: the statement MUST contain an `iss` claim naming who attests to it.
  if (typeof claims.iss !== 'string' || claims.iss === '') {
    throw new OAuthError('invalid_software_statement', 'the software statement has no "iss" claim')
  }
  if (
    registration.approveSoftwareStatement &&
    !(await registration.approveSoftwareStatement(claims))
  ) {
    throw new OAuthError(
      'unapproved_software_statement',
      'the software statement is not approved by this server',
    )
  }
  const metadata: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(claims)) {
    if (!JWT_CLAIMS.has(name) && name !== 'software_statement') metadata[name] = value
  }
  return { claims, metadata }
}
