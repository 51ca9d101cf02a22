const ALPHABET = new TextEncoder().encode(
  'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_',
)
// The output is ASCII, which UTF-8 decodes as is, into a flat string, in native code.
const ascii = new TextDecoder()

/**
 * RFC 4648 5 base64url of `bytes`, without padding. A table lookup into ASCII bytes, decoded to
 * a string at once: several times cheaper than `btoa` over a binary string plus the replacements that
 * turn base64 into base64url, and a flat string (appending character by character would build a
 * rope, which every later `Map` lookup with it as key must flatten first, at about 2 µs).
 *
 * @example
 * ```ts
 * base64urlEncode(new Uint8Array([0xfb, 0xff])) // '-_8'
 * ```
 */
export function base64urlEncode(bytes: Uint8Array): string {
  const out = new Uint8Array(Math.ceil((bytes.length * 4) / 3))
  let o = 0
  let i = 0
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!
    out[o++] = ALPHABET[n >>> 18]!
    out[o++] = ALPHABET[(n >>> 12) & 63]!
    out[o++] = ALPHABET[(n >>> 6) & 63]!
    out[o++] = ALPHABET[n & 63]!
  }
  if (i < bytes.length) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8)
    out[o++] = ALPHABET[n >>> 18]!
    out[o++] = ALPHABET[(n >>> 12) & 63]!
    if (i + 1 < bytes.length) out[o++] = ALPHABET[(n >>> 6) & 63]!
  }
  return ascii.decode(out)
}
