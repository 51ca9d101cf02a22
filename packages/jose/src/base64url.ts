const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

/**
 * RFC 4648 5 base64url of `bytes`, without padding. A table lookup: for the short values of a
 * token request (32-byte tokens and their hashes, signatures) several times cheaper than `btoa`
 * over a binary string plus the replacements that turn base64 into base64url.
 *
 * @example
 * ```ts
 * base64urlEncode(new Uint8Array([0xfb, 0xff])) // '-_8'
 * ```
 */
export function base64urlEncode(bytes: Uint8Array): string {
  let out = ''
  let i = 0
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!
    out +=
      ALPHABET[n >>> 18]! +
      ALPHABET[(n >>> 12) & 63]! +
      ALPHABET[(n >>> 6) & 63]! +
      ALPHABET[n & 63]!
  }
  if (i < bytes.length) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8)
    out += ALPHABET[n >>> 18]! + ALPHABET[(n >>> 12) & 63]!
    if (i + 1 < bytes.length) out += ALPHABET[(n >>> 6) & 63]!
  }
  return out
}
