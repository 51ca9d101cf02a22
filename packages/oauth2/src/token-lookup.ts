import { verifyJwt } from '@oidkit/jose'
import type { JWTPayload } from 'jose'
import type { Client } from './client'
import { authenticateClient } from './client-auth'
import type { ServerContext } from './context'
import { sha256 } from './crypto'
import { OAuthError } from './errors'
import type { RequestLike } from './request'
import { parseRequest } from './request'
import type { GrantRecord, TokenRecord, TokenType } from './storage'

// RFC 7515 7.1: a compact JWS is three base64url segments. Opaque tokens are a single segment.
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/

/**
 * A presented token resolved to its record, with the claims when it was an RFC 9068 JWT.
 *
 * @example
 * ```ts
 * const { record, claims }: ResolvedToken = (await resolveToken(server, value))!
 * ```
 */
export interface ResolvedToken {
  readonly record: TokenRecord
  /** The verified claims of a JWT access token. */
  readonly claims?: JWTPayload
}

/**
 * Resolves a presented token value to its record and, for a JWT access token, its verified
 * claims. Unknown, forged or malformed values resolve to undefined; whether the token is still
 * usable is {@link inactiveReason}'s business.
 *
 * @example
 * ```ts
 * const found = await resolveToken(server, form.get('token')!)
 * if (found?.claims) console.log(found.claims.aud)
 * ```
 */
export async function resolveToken(
  server: ServerContext,
  value: string,
): Promise<ResolvedToken | undefined> {
  if (!JWT_SHAPE.test(value)) {
    const record = await server.storage.tokens.get(await sha256(value))
    // A JWT's record is keyed by its jti; presenting the bare jti must not work as a token.
    return record && record.format !== 'jwt' ? { record } : undefined
  }
  let claims: JWTPayload
  try {
    // RFC 9068 4: check typ, issuer and signature before trusting the jti, on the server's clock
    // so that `exp` and the record's expiry are judged alike.
    const verified = await verifyJwt(value, {
      keys: server.keys,
      issuer: server.issuer,
      typ: 'at+jwt',
      currentDate: new Date(server.now() * 1000),
    })
    claims = verified.payload
  } catch {
    return undefined
  }
  if (typeof claims.jti !== 'string') return undefined
  const record = await server.storage.tokens.get(await sha256(claims.jti))
  return record && record.format === 'jwt' && record.type === 'access_token'
    ? { record, claims }
    : undefined
}

/**
 * Finds the record of a presented access or refresh token. Opaque values are looked up by their
 * SHA-256; an RFC 9068 JWT access token is verified and looked up by the SHA-256 of its `jti`.
 *
 * The hint never narrows the search: both token types share one key space, so a single lookup
 * covers them, which is what RFC 7009 2.1 and RFC 7662 2.1 require when a hint is wrong ("it MUST
 * extend its search across all of its supported token types").
 *
 * @example
 * ```ts
 * const record = await findToken(server, token, 'refresh_token')
 * if (record && (await isActive(server, record))) revoke(record)
 * ```
 */
export async function findToken(
  server: ServerContext,
  value: string,
  _hint?: TokenType,
): Promise<TokenRecord | undefined> {
  return (await resolveToken(server, value))?.record
}

/**
 * Why a token is no longer usable, or undefined when it is active: expired, revoked, consumed (a
 * rotated refresh token), its grant gone, revoked or expired, or its account deactivated. The
 * record's own state is checked first so an inactive token costs no further round trip.
 *
 * @example
 * ```ts
 * const reason = await inactiveReason(server, record)
 * if (reason) throw new OAuthError('invalid_token', `the access token ${reason}`)
 * ```
 */
export async function inactiveReason(
  server: ServerContext,
  record: TokenRecord,
): Promise<string | undefined> {
  return (await tokenState(server, record)).reason
}

/**
 * {@link inactiveReason}, with the grant it loaded on the way (always, for an active token), so
 * that a caller that needs the grant too spares the store a second read.
 *
 * @example
 * ```ts
 * const { reason, grant } = await tokenState(server, record)
 * ```
 */
export async function tokenState(
  server: ServerContext,
  record: TokenRecord,
): Promise<{ reason?: string; grant?: GrantRecord }> {
  const now = server.now()
  if (record.expiresAt <= now) return { reason: 'has expired' }
  if (record.revokedAt !== undefined) return { reason: 'has been revoked' }
  // RFC 9700 4.14.2: a rotated refresh token is dead; its successor carries the grant.
  if (record.consumedAt !== undefined) return { reason: 'has been used' }
  const grant = await server.storage.grants.get(record.grantId)
  if (!grant || grant.revokedAt !== undefined || grant.expiresAt <= now) {
    return { reason: 'belongs to a revoked authorization' }
  }
  const accountActive = server.config.accounts?.isActive
  if (record.accountId !== undefined && accountActive && !(await accountActive(record.accountId))) {
    return { reason: 'belongs to an inactive account', grant }
  }
  return { grant }
}

/**
 * True when the token may still be used (see {@link inactiveReason}).
 *
 * @example
 * ```ts
 * const active = record !== undefined && (await isActive(server, record))
 * ```
 */
export async function isActive(server: ServerContext, record: TokenRecord): Promise<boolean> {
  return (await inactiveReason(server, record)) === undefined
}

/**
 * Reads a token-management request (RFC 7009 2.1, RFC 7662 2.1): a form POST from an
 * authenticated client carrying `token`. The `token_type_hint` is not read: one lookup covers
 * both token types, as both RFCs require when a hint is wrong.
 *
 * @example
 * ```ts
 * const { client, token } = await readTokenRequest(server, request, 'revocation')
 * ```
 */
export async function readTokenRequest(
  server: ServerContext,
  request: RequestLike,
  endpoint: 'revocation' | 'introspection',
): Promise<{ client: Client; token: string }> {
  const req = await parseRequest(request, {
    methods: ['POST'],
    body: 'form',
    maxBodySize: server.settings.maxBodySize,
  })
  const { client } = await authenticateClient(server, req, endpoint)
  const token = req.form.get('token')
  if (token === undefined)
    throw new OAuthError('invalid_request', 'the "token" parameter is missing')
  return { client, token }
}
