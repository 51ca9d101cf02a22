import { verifyJwt } from '@oidkit/jose'
import { OAuthError, type ServerContext } from '@oidkit/oauth2'

/** What oidkit reads from a verified `id_token_hint`. */
export interface IdTokenHint {
  readonly sub: string
  /** `aud` as a list, whatever its form in the token. */
  readonly aud: readonly string[]
  readonly azp?: string
  readonly sid?: string
  readonly iat: number
  /** Every claim of the token. */
  readonly claims: Readonly<Record<string, unknown>>
}

/** The longest `id_token_hint` accepted; ID tokens are a few KiB at most. */
export const MAX_ID_TOKEN_HINT_LENGTH = 16 * 1024

const utf8 = new TextDecoder('utf-8', { fatal: true })
const BASE64URL = /^[A-Za-z0-9_-]*$/

function decodeSegment(segment: string): unknown {
  if (!BASE64URL.test(segment)) throw new TypeError('not base64url')
  const base64 = segment.replace(/-/g, '+').replace(/_/g, '/')
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4))
  return JSON.parse(utf8.decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))))
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * The header and payload of a compact JWS, NOT verified; undefined when it is not one.
 *
 * @example
 * ```ts
 * const aud = decodeUnverified(hint)?.payload.aud
 * ```
 */
export function decodeUnverified(
  token: string,
): { header: Record<string, unknown>; payload: Record<string, unknown> } | undefined {
  const parts = token.split('.')
  if (parts.length !== 3) return undefined
  try {
    const header = decodeSegment(parts[0]!)
    const payload = decodeSegment(parts[1]!)
    return isObject(header) && isObject(payload) ? { header, payload } : undefined
  } catch {
    return undefined
  }
}

/**
 * The audiences of an unverified token as a list (empty when `aud` is malformed).
 *
 * @example
 * ```ts
 * audiences({ aud: 'app' }) // ['app']
 * ```
 */
export function audiences(payload: Record<string, unknown>): string[] {
  const { aud } = payload
  if (typeof aud === 'string') return [aud]
  return Array.isArray(aud) && aud.every((a) => typeof a === 'string') ? aud : []
}

const invalidHint = (why: string) =>
  new OAuthError('invalid_request', `id_token_hint is not a valid ID token of this server: ${why}`)

// RFC 8725 3.11: JWTs of other kinds signed with the same keys (RFC 9068 access tokens
// `at+jwt`, logout tokens `logout+jwt`) must not pass for ID tokens.
function isIdTokenType(typ: unknown): boolean {
  if (typ === undefined) return true
  if (typeof typ !== 'string') return false
  const value = typ.toLowerCase()
  return value === 'jwt' || value === 'application/jwt'
}

/**
 * Verifies an `id_token_hint` (OIDC Core 3.1.2.1, RP-Initiated Logout 1.0 2): an ID token this
 * server issued, signed with one of its keys (ID tokens are never HS*-signed here). Expiry is
 * ignored, since RPs legitimately send expired ID tokens as hints: the token is checked as of
 * its own `iat` (so `nbf` after `iat` still fails). Throws `invalid_request` otherwise.
 *
 * @example
 * ```ts
 * const hint = await verifyIdTokenHint(server, params.id_token_hint)
 * if (hint.sub !== session.accountId) return { prompt: 'login', reason: 'id_token_hint' }
 * ```
 */
export async function verifyIdTokenHint(
  server: ServerContext,
  token: string,
): Promise<IdTokenHint> {
  if (token.length > MAX_ID_TOKEN_HINT_LENGTH) throw invalidHint('too long')
  const decoded = decodeUnverified(token)
  if (!decoded) throw invalidHint('not a signed JWT')
  const { header, payload } = decoded
  if (!isIdTokenType(header.typ)) throw invalidHint('not an ID token')
  const iat = payload.iat
  if (typeof iat !== 'number' || !Number.isFinite(iat)) throw invalidHint('iat is missing')
  try {
    // Only the server keys: asymmetric algorithms, never HS* or `none` (RFC 8725 3.1).
    await verifyJwt(token, {
      keys: server.keys,
      issuer: server.issuer,
      currentDate: new Date(iat * 1000),
    })
  } catch {
    // Signature, algorithm, issuer or nbf: the details are not the RP's business.
    throw invalidHint('the signature or claims do not verify')
  }
  const aud = audiences(payload)
  if (typeof payload.sub !== 'string' || payload.sub === '' || aud.length === 0) {
    throw invalidHint('sub or aud is missing')
  }
  return {
    sub: payload.sub,
    aud,
    ...(typeof payload.azp === 'string' ? { azp: payload.azp } : {}),
    ...(typeof payload.sid === 'string' ? { sid: payload.sid } : {}),
    iat,
    claims: payload,
  }
}
