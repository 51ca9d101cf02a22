import { base64urlEncode } from './base64url'
import { JoseError } from './errors'
import { sha256Base64url } from './sha256'

type DigestName = 'SHA-256' | 'SHA-384' | 'SHA-512'

// OIDC Core 3.1.3.6 ties the hash to the JWS `alg` of the ID token. `EdDSA` and `Ed25519` use
// SHA-512 per the OIDC Core errata for Ed25519; Ed448 would need SHAKE256, which WebCrypto lacks,
// so it is deliberately absent and rejected like any other unknown algorithm.
const DIGEST_BY_ALG: Readonly<Record<string, DigestName>> = {
  HS256: 'SHA-256',
  RS256: 'SHA-256',
  PS256: 'SHA-256',
  ES256: 'SHA-256',
  ES256K: 'SHA-256',
  HS384: 'SHA-384',
  RS384: 'SHA-384',
  PS384: 'SHA-384',
  ES384: 'SHA-384',
  HS512: 'SHA-512',
  RS512: 'SHA-512',
  PS512: 'SHA-512',
  ES512: 'SHA-512',
  EdDSA: 'SHA-512',
  Ed25519: 'SHA-512',
}

const encoder = new TextEncoder()

/**
 * Computes an OpenID Connect token hash (`at_hash`, `c_hash`, `s_hash`): the base64url encoding,
 * without padding, of the left-most half of the hash of `value`, the hash being chosen by the
 * ID token's JWS `alg` (OIDC Core 3.1.3.6, 3.3.2.11). SHA-256 runs in plain JavaScript (a
 * WebCrypto digest is a thread-pool round trip on Node, dearer than hashing a token), the others
 * on WebCrypto: it works on edge runtimes as well as Node.
 *
 * @throws {JoseError} `ERR_ALG_NOT_ALLOWED` when `alg` has no defined hash (for example `none`).
 *
 * @example
 * ```ts
 * const atHash = await tokenHash(accessToken, 'RS256')
 * const cHash = await tokenHash(code, 'ES384')
 * ```
 */
export async function tokenHash(value: string, alg: string): Promise<string> {
  const digestName = Object.hasOwn(DIGEST_BY_ALG, alg) ? DIGEST_BY_ALG[alg] : undefined
  if (digestName === undefined) {
    throw new JoseError(
      'ERR_ALG_NOT_ALLOWED',
      `no token hash is defined for the "${alg}" algorithm`,
    )
  }
  // The spec says "ASCII octets": tokens, codes and states are ASCII, for which UTF-8 is
  // identical, and UTF-8 is what other implementations use for anything beyond it.
  if (digestName === 'SHA-256') return leftHalf(sha256Base64url(value))
  const digest = new Uint8Array(
    await globalThis.crypto.subtle.digest(digestName, encoder.encode(value)),
  )
  return base64urlEncode(digest.subarray(0, digest.length / 2))
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

/**
 * The base64url of the first 16 bytes of a SHA-256 digest, from the base64url of all 32: its
 * first 21 characters carry the first 126 bits as they are; the 22nd carries the last 2 bits of
 * byte 15 and, after them, 4 bits of byte 16, which the half's encoding pads with zeros instead.
 */
function leftHalf(digest: string): string {
  return digest.slice(0, 21) + ALPHABET[ALPHABET.indexOf(digest[21]!) & 0b110000]
}
