import { base64urlEncode } from './base64url'

/**
 * SHA-256 (FIPS 180-4) in plain JavaScript, synchronous. The server hashes every code, token,
 * session cookie and client secret it sees, all a few dozen bytes long; `crypto.subtle.digest`
 * is asynchronous and, on Node, a round trip through the thread pool per call, which profiling
 * showed to be the largest single cost of a token request. For inputs this short the plain
 * version is many times cheaper, and it runs the same on every runtime. Where the runtime has a
 * synchronous native hash, {@link sha256Base64url} prefers that.
 */

// Words are kept signed (Int32Array): V8 holds them as small integers rather than heap numbers,
// and sums wrapped with `| 0` are the same bits as unsigned arithmetic modulo 2^32.

// FIPS 180-4 4.2.2: the first 32 bits of the fractional parts of the cube roots of the first
// 64 primes.
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
])

// FIPS 180-4 5.3.3: the initial hash value.
const H0 = new Int32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
])

// The message schedule, reused: the function is synchronous, so no two calls share it at once.
const W = new Int32Array(64)

/**
 * The SHA-256 digest of `data` (32 bytes).
 *
 * @example
 * ```ts
 * sha256Digest(new TextEncoder().encode('abc')) // ba7816bf 8f01cfea ...
 * ```
 */
export function sha256Digest(data: Uint8Array): Uint8Array {
  const state = Int32Array.from(H0)
  // Whole blocks straight from the input; the tail and the FIPS 180-4 5.1.1 padding (0x80,
  // zeros, the bit length as a 64-bit big-endian integer) in a block or two of their own.
  const whole = data.length - (data.length % 64)
  for (let offset = 0; offset < whole; offset += 64) compress(state, data, offset)
  const rest = data.length - whole
  const tail = new Uint8Array(rest < 56 ? 64 : 128)
  tail.set(data.subarray(whole))
  tail[rest] = 0x80
  const bits = data.length * 8
  const end = tail.length
  const high = Math.floor(bits / 0x100000000)
  tail[end - 8] = high >>> 24
  tail[end - 7] = high >>> 16
  tail[end - 6] = high >>> 8
  tail[end - 5] = high
  tail[end - 4] = bits >>> 24
  tail[end - 3] = bits >>> 16
  tail[end - 2] = bits >>> 8
  tail[end - 1] = bits
  for (let offset = 0; offset < end; offset += 64) compress(state, tail, offset)
  const out = new Uint8Array(32)
  for (let i = 0; i < 8; i++) {
    const word = state[i]!
    out[i * 4] = word >>> 24
    out[i * 4 + 1] = word >>> 16
    out[i * 4 + 2] = word >>> 8
    out[i * 4 + 3] = word
  }
  return out
}

/** FIPS 180-4 6.2.2: one 64-byte block of `bytes` at `offset` into `state`. */
function compress(state: Int32Array, bytes: Uint8Array, offset: number): void {
  // Step 1: the message schedule.
  for (let t = 0; t < 16; t++) {
    const at = offset + t * 4
    W[t] = (bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!
  }
  for (let t = 16; t < 64; t++) {
    const w15 = W[t - 15]!
    const w2 = W[t - 2]!
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3)
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10)
    W[t] = (s1 + W[t - 7]! + s0 + W[t - 16]!) | 0
  }
  // Steps 2 and 3: the compression rounds.
  let a = state[0]!
  let b = state[1]!
  let c = state[2]!
  let d = state[3]!
  let e = state[4]!
  let f = state[5]!
  let g = state[6]!
  let h = state[7]!
  for (let t = 0; t < 64; t++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))
    const ch = (e & f) ^ (~e & g)
    const t1 = (h + S1 + ch + K[t]! + W[t]!) | 0
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))
    const maj = (a & b) ^ (a & c) ^ (b & c)
    const t2 = (S0 + maj) | 0
    h = g
    g = f
    f = e
    e = (d + t1) | 0
    d = c
    c = b
    b = a
    a = (t1 + t2) | 0
  }
  // Step 4: the intermediate hash value.
  state[0] = (state[0]! + a) | 0
  state[1] = (state[1]! + b) | 0
  state[2] = (state[2]! + c) | 0
  state[3] = (state[3]! + d) | 0
  state[4] = (state[4]! + e) | 0
  state[5] = (state[5]! + f) | 0
  state[6] = (state[6]! + g) | 0
  state[7] = (state[7]! + h) | 0
}

/** Node's one-shot `crypto.hash`, as far as it is used here. */
type OneShotHash = (algorithm: 'sha256', data: string, outputEncoding: 'base64url') => string

// undefined until the first call looks; null when the runtime has no usable native hash.
let native: OneShotHash | null | undefined

/**
 * The runtime's own synchronous SHA-256, where there is one: Node (20.16+, 22.3+) and Bun hand
 * out `node:crypto` through `process.getBuiltinModule` without an import, so the package keeps
 * importing nothing of Node and still runs unchanged on edge runtimes. Its `hash` is checked
 * against the FIPS 180-2 B.1 vector once before it is trusted.
 */
function nativeHash(): OneShotHash | null {
  if (native !== undefined) return native
  native = null
  try {
    const runtime = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } })
      .process
    const hash = (runtime?.getBuiltinModule?.('node:crypto') as { hash?: unknown } | undefined)
      ?.hash
    if (
      typeof hash === 'function' &&
      hash('sha256', 'abc', 'base64url') === 'ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0'
    ) {
      native = hash as OneShotHash
    }
  } catch {
    // A runtime that names the function but cannot run it: the plain version below serves.
  }
  return native
}

const encoder = new TextEncoder()

/**
 * The SHA-256 digest of the UTF-8 bytes of `value`, base64url without padding: how oidkit
 * stores codes, tokens and secrets. Synchronous on every runtime. Where the runtime has a
 * native one-shot hash (Node's `crypto.hash`, found without importing `node:`), it is used:
 * for a 43-character token it costs about a quarter of encoding, hashing and encoding again in
 * JavaScript; elsewhere {@link sha256Digest} does the work.
 *
 * @example
 * ```ts
 * sha256Base64url('abc') // 'ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0'
 * ```
 */
export function sha256Base64url(value: string): string {
  const hash = native === undefined ? nativeHash() : native
  return hash
    ? hash('sha256', value, 'base64url')
    : base64urlEncode(sha256Digest(encoder.encode(value)))
}
