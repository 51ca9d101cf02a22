import { base64url } from 'jose'

const encoder = new TextEncoder()

/**
 * A random URL-safe string with `bytes` bytes of entropy (default 32: 256 bits, well above the
 * 128 bits RFC 6749 10.10 and RFC 9700 4.1.1 ask of codes and tokens).
 *
 * @example
 * ```ts
 * const code = randomToken()
 * ```
 */
export function randomToken(bytes = 32): string {
  return base64url.encode(crypto.getRandomValues(new Uint8Array(bytes)))
}

/**
 * SHA-256 of a string as base64url: how codes, tokens and secrets are stored.
 *
 * @example
 * ```ts
 * await storage.tokens.get(await sha256(accessToken))
 * ```
 */
export async function sha256(value: string): Promise<string> {
  return base64url.encode(
    new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(value))),
  )
}

/**
 * Compares two strings in time that depends only on their length, for secrets and hashes.
 *
 * @example
 * ```ts
 * if (!timingSafeEqual(await sha256(secret), client.client_secret_hash)) throw invalidClient()
 * ```
 */
export function timingSafeEqual(a: string, b: string): boolean {
  const x = encoder.encode(a)
  const y = encoder.encode(b)
  // Compare against itself when lengths differ so the loop still runs; the result stays false.
  const other = x.length === y.length ? y : x
  let diff = x.length ^ y.length
  for (let i = 0; i < x.length; i++) diff |= x[i]! ^ other[i]!
  return diff === 0
}
