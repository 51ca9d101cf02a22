import type { ClientMetadata } from './client-metadata'

/**
 * A registered client: its metadata (RFC 7591 2) and the credentials the server issued.
 * The secret is stored as a SHA-256 hash unless the client authenticates with
 * `client_secret_jwt`, which needs the secret itself as its HMAC key.
 */
export interface Client extends ClientMetadata {
  client_id: string
  /** SHA-256 (base64url) of the client secret. */
  client_secret_hash?: string
  /** The plain secret, kept only where the flow needs it (HMAC-signed assertions). */
  client_secret?: string
  client_id_issued_at?: number
  /** 0 for a secret that never expires (RFC 7591 3.2.1). */
  client_secret_expires_at?: number
}

/** The token endpoint authentication method a client uses (RFC 7591 2, default basic). */
export function authMethodOf(client: Client): string {
  return client.token_endpoint_auth_method ?? 'client_secret_basic'
}

/** True for a client without credentials (RFC 6749 2.1 public client). */
export function isPublicClient(client: Client): boolean {
  return authMethodOf(client) === 'none'
}

/** The grant types of a client (RFC 7591 2 default: authorization_code). */
export function grantTypesOf(client: Client): readonly string[] {
  return client.grant_types ?? ['authorization_code']
}

/** The response types of a client (RFC 7591 2 default: code). */
export function responseTypesOf(client: Client): readonly string[] {
  return client.response_types ?? ['code']
}

// RFC 8252 7.3: the port of a loopback IP literal redirect URI is chosen by the native app at run time.
const LOOPBACK = /^(http:\/\/(?:127\.0\.0\.1|\[::1\]))(?::\d+)?(?=[/?#]|$)/

/**
 * Exact string matching of redirect URIs (RFC 9700 2.1, RFC 6749 3.1.2.3), except that the port
 * of a loopback IP redirect URI may vary (RFC 8252 7.3). `localhost` gets no such exception.
 *
 * @example
 * ```ts
 * matchRedirectUri(['http://127.0.0.1/cb'], 'http://127.0.0.1:51234/cb') // true
 * ```
 */
export function matchRedirectUri(
  registered: readonly string[] | undefined,
  requested: string,
): boolean {
  if (!registered) return false
  if (registered.includes(requested)) return true
  if (!LOOPBACK.test(requested)) return false
  const portless = requested.replace(LOOPBACK, '$1')
  return registered.some(
    (candidate) => LOOPBACK.test(candidate) && candidate.replace(LOOPBACK, '$1') === portless,
  )
}
