import { base64urlEncode, sha256Base64url } from '@oidkit/jose'

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
  return base64urlEncode(randomBytes(bytes))
}

// A call into the runtime's CSPRNG costs about as much for 4 KiB as for 32 bytes, and every
// request mints a token or two: draw them from a pool refilled 4 KiB at a time.
const POOL_SIZE = 4096
let pool = new Uint8Array(0)
let poolOffset = 0

/** `length` bytes from the CSPRNG (through the pool); each byte is handed out once. */
function randomBytes(length: number): Uint8Array {
  if (length > POOL_SIZE) return crypto.getRandomValues(new Uint8Array(length))
  if (poolOffset + length > pool.length) {
    // A fresh array: views handed out earlier keep the bytes they were given.
    pool = crypto.getRandomValues(new Uint8Array(POOL_SIZE))
    poolOffset = 0
  }
  poolOffset += length
  return pool.subarray(poolOffset - length, poolOffset)
}

/**
 * SHA-256 of a string as base64url: how codes, tokens and secrets are stored. Synchronous
 * underneath (`sha256Base64url`: the runtime's native hash, or plain JavaScript), far cheaper for
 * values this short than a WebCrypto job. The signature stays async, so that no caller depends on
 * that choice.
 *
 * @example
 * ```ts
 * await storage.tokens.get(await sha256(accessToken))
 * ```
 */
export async function sha256(value: string): Promise<string> {
  return sha256Base64url(value)
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
  // UTF-16 code units compared directly: no encoding, no allocation, on the hot path of every
  // client authentication. Compare against itself when lengths differ so the loop still runs.
  const other = a.length === b.length ? b : a
  let diff = a.length ^ b.length
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ other.charCodeAt(i)
  return diff === 0
}
