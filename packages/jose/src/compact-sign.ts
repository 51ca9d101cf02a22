// Signs a JWT straight on WebCrypto, in the JWS Compact Serialization (RFC 7515 §7.1), with the
// very header and payload segments jose's SignJWT produces (and so the very token wherever the
// algorithm's signatures are deterministic). The token endpoint signs on every request, and
// SignJWT spends most of its JavaScript time on work that is the same from one call to the next:
// it clones the claims, serializes, re-parses and checks the header, looks up the algorithm and
// checks the key. Here the key checks run once per key and the encoded header once per
// (key, alg, typ).
//
// Every function returns undefined, before doing any asynchronous work, for an input it does not
// handle exactly as jose would (an unknown alg, a key jose would refuse, claims that are not plain
// JSON data); the caller then signs with jose, which signs or fails as it always has.

import { base64urlEncode, base64urlText } from './base64url'
import type { SigningKey } from './keys'

const encoder = new TextEncoder()

type SignParams = Algorithm | RsaPssParams | EcdsaParams

/** A JWS `alg` on WebCrypto: what the key must be (as jose checks it) and how to sign with it. */
interface JwsAlgorithm {
  readonly keyName: string
  readonly hash?: string
  readonly namedCurve?: string
  readonly minRsaBits?: number
  readonly params: SignParams
}

// RFC 7518 §3.1 with RFC 8037 §3.1 for EdDSA (Ed25519 only, as jose and WebCrypto have it).
const hmac = (bits: number): JwsAlgorithm => ({
  keyName: 'HMAC',
  hash: `SHA-${bits}`,
  params: { name: 'HMAC' },
})
const rsaPkcs1 = (bits: number): JwsAlgorithm => ({
  keyName: 'RSASSA-PKCS1-v1_5',
  hash: `SHA-${bits}`,
  minRsaBits: 2048,
  params: { name: 'RSASSA-PKCS1-v1_5' },
})
// RFC 7518 §3.5: the salt is as long as the hash output.
const rsaPss = (bits: number): JwsAlgorithm => ({
  keyName: 'RSA-PSS',
  hash: `SHA-${bits}`,
  minRsaBits: 2048,
  params: { name: 'RSA-PSS', saltLength: bits / 8 },
})
// RFC 7518 §3.4 wants the signature as R || S, which is what WebCrypto's ECDSA returns.
const ecdsa = (namedCurve: string, bits: number): JwsAlgorithm => ({
  keyName: 'ECDSA',
  namedCurve,
  params: { name: 'ECDSA', hash: `SHA-${bits}` } as EcdsaParams,
})

const ALGORITHMS: ReadonlyMap<string, JwsAlgorithm> = new Map([
  ['HS256', hmac(256)],
  ['HS384', hmac(384)],
  ['HS512', hmac(512)],
  ['RS256', rsaPkcs1(256)],
  ['RS384', rsaPkcs1(384)],
  ['RS512', rsaPkcs1(512)],
  ['PS256', rsaPss(256)],
  ['PS384', rsaPss(384)],
  ['PS512', rsaPss(512)],
  ['ES256', ecdsa('P-256', 256)],
  ['ES384', ecdsa('P-384', 384)],
  ['ES512', ecdsa('P-521', 512)],
  ['EdDSA', { keyName: 'Ed25519', params: { name: 'Ed25519' } }],
])

type KeyAlgorithmDetails = KeyAlgorithm & {
  hash?: KeyAlgorithm
  namedCurve?: string
  modulusLength?: number
}

/** The checks jose makes of a private key before it signs; a key that fails them goes to jose. */
function canSign(key: unknown, spec: JwsAlgorithm): key is CryptoKey {
  if (typeof CryptoKey === 'undefined' || !(key instanceof CryptoKey)) return false
  const algorithm = key.algorithm as KeyAlgorithmDetails
  return (
    key.type === 'private' &&
    algorithm.name === spec.keyName &&
    (spec.hash === undefined || algorithm.hash?.name === spec.hash) &&
    (spec.namedCurve === undefined || algorithm.namedCurve === spec.namedCurve) &&
    (spec.minRsaBits === undefined ||
      (typeof algorithm.modulusLength === 'number' &&
        algorithm.modulusLength >= spec.minRsaBits)) &&
    key.usages.includes('sign')
  )
}

// Callers pass a handful of distinct `typ` values at most; the bound only stops a caller that
// passes a new one each time from growing the cache without end.
const MAX_HEADERS = 16

/** What one signing key needs on every call, worked out on its first. */
interface Signer {
  readonly kid: string
  readonly alg: string
  readonly privateKey: CryptoKey
  readonly params: SignParams
  /** The encoded protected header per `typ`. */
  readonly headers: Map<string | undefined, string>
}

const signers = new WeakMap<SigningKey, Signer>()

function signerFor(key: SigningKey): Signer | undefined {
  const cached = signers.get(key)
  // SigningKey is readonly by type only: a key object changed in place gets a fresh signer.
  if (
    cached !== undefined &&
    cached.kid === key.kid &&
    cached.alg === key.alg &&
    cached.privateKey === key.privateKey
  ) {
    return cached
  }
  const spec = ALGORITHMS.get(key.alg)
  if (spec === undefined || !canSign(key.privateKey, spec)) return undefined
  const signer: Signer = {
    kid: key.kid,
    alg: key.alg,
    privateKey: key.privateKey,
    params: spec.params,
    headers: new Map(),
  }
  signers.set(key, signer)
  return signer
}

const secretHeaders = new Map<string | undefined, string>()

function cachedHeader(
  cache: Map<string | undefined, string>,
  cacheKey: string | undefined,
  alg: string,
  kid: string | undefined,
  typ: string | undefined,
): string {
  let encoded = cache.get(cacheKey)
  if (encoded === undefined) {
    // Members in the order signJwt has always set them (alg, kid, typ), as SignJWT serializes
    // them, so the tokens are byte-identical to jose's.
    const header: Record<string, unknown> = { alg }
    if (kid !== undefined) header.kid = kid
    if (typ !== undefined) header.typ = typ
    encoded = base64urlText(JSON.stringify(header))
    if (cache.size >= MAX_HEADERS) cache.clear()
    cache.set(cacheKey, encoded)
  }
  return encoded
}

// Deeper claims than this are left to jose, which also turns a cycle into its usual error.
const MAX_DEPTH = 32

/**
 * True for data that structuredClone and JSON.stringify treat alike: primitives, arrays and
 * plain objects. jose clones the claims before it serializes them, which changes class instances
 * (a toJSON is lost) and throws on functions; such claims are left to jose.
 */
function isPlainJson(value: unknown, depth: number): boolean {
  if (value === null) return true
  const type = typeof value
  if (type === 'string' || type === 'number' || type === 'boolean' || type === 'undefined') {
    return true
  }
  if (type !== 'object' || depth > MAX_DEPTH) return false
  if (Array.isArray(value)) {
    for (const item of value) if (!isPlainJson(item, depth + 1)) return false
    return true
  }
  const prototype = Object.getPrototypeOf(value)
  if (prototype !== Object.prototype && prototype !== null) return false
  for (const name in value) {
    if (!isPlainJson((value as Record<string, unknown>)[name], depth + 1)) return false
  }
  return true
}

const TIME_CLAIMS = ['iat', 'nbf', 'exp'] as const

/** The JSON of the claims, or undefined where jose would serialize them differently or throw. */
function claimsJson(payload: unknown): string | undefined {
  // jose refuses anything but a plain object as the claims set (RFC 7519 §7.1 step 10: a JSON
  // object), and a non-finite time claim.
  if (
    typeof payload !== 'object' ||
    payload === null ||
    Object.prototype.toString.call(payload) !== '[object Object]'
  ) {
    return undefined
  }
  for (const claim of TIME_CLAIMS) {
    const value = (payload as Record<string, unknown>)[claim]
    if (typeof value === 'number' && !Number.isFinite(value)) return undefined
  }
  return isPlainJson(payload, 0) ? JSON.stringify(payload) : undefined
}

async function signCompact(
  encodedHeader: string,
  json: string,
  params: SignParams,
  key: CryptoKey,
): Promise<string> {
  // RFC 7515 §5.1: the signing input is the ASCII of header "." payload, both base64url.
  const signingInput = `${encodedHeader}.${base64urlText(json)}`
  const signature = await globalThis.crypto.subtle.sign(params, key, encoder.encode(signingInput))
  return `${signingInput}.${base64urlEncode(new Uint8Array(signature))}`
}

/**
 * Signs `payload` with an asymmetric {@link SigningKey}, header `{ alg, kid, typ? }`, or returns
 * undefined (synchronously) when jose must do it.
 *
 * @example
 * ```ts
 * const jwt = await (signWithKey(claims, key, 'at+jwt') ?? joseSign(claims, key))
 * ```
 */
export function signWithKey(
  payload: unknown,
  key: SigningKey,
  typ: string | undefined,
): Promise<string> | undefined {
  if (typ !== undefined && typeof typ !== 'string') return undefined
  const signer = signerFor(key)
  if (signer === undefined) return undefined
  const json = claimsJson(payload)
  if (json === undefined) return undefined
  const header = cachedHeader(signer.headers, typ, signer.alg, signer.kid, typ)
  return signCompact(header, json, signer.params, signer.privateKey)
}

/**
 * Signs `payload` with an HMAC secret (RFC 7518 §3.2), header `{ alg, typ? }`, or returns
 * undefined (synchronously) when jose must do it.
 *
 * @example
 * ```ts
 * const jwt = await (signWithSecret(claims, 'HS256', bytes, undefined) ?? joseSign(claims, bytes))
 * ```
 */
export function signWithSecret(
  payload: unknown,
  alg: string,
  secret: Uint8Array,
  typ: string | undefined,
): Promise<string> | undefined {
  if (typ !== undefined && typeof typ !== 'string') return undefined
  const spec = ALGORITHMS.get(alg)
  if (spec === undefined || spec.keyName !== 'HMAC' || !(secret instanceof Uint8Array)) {
    return undefined
  }
  const json = claimsJson(payload)
  if (json === undefined) return undefined
  const header = cachedHeader(
    secretHeaders,
    typ === undefined ? alg : `${alg}.${typ}`,
    alg,
    undefined,
    typ,
  )
  return signHmac(header, json, spec, secret)
}

async function signHmac(
  encodedHeader: string,
  json: string,
  spec: JwsAlgorithm,
  secret: Uint8Array,
): Promise<string> {
  // The same import jose makes for a Uint8Array secret, so a secret WebCrypto refuses (an empty
  // one) fails the same way.
  const key = await globalThis.crypto.subtle.importKey(
    'raw',
    secret as Uint8Array<ArrayBuffer>,
    { name: 'HMAC', hash: spec.hash! },
    false,
    ['sign'],
  )
  return signCompact(encodedHeader, json, spec.params, key)
}
