import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors,
  type JSONWebKeySet,
  type JWTHeaderParameters,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
  jwtVerify,
  SignJWT,
  UnsecuredJWT,
} from 'jose'
import { signWithKey, signWithSecret } from './compact-sign'
import { JoseError } from './errors'
import { KeySet } from './key-set'
import {
  ASYMMETRIC_ALGORITHMS,
  type SigningAlgorithm,
  type SigningKey,
  SYMMETRIC_ALGORITHMS,
} from './keys'

/** A shared secret for the HS* algorithms (a client secret, as RFC 7523 and OIDC Core 10.1 use). */
export interface SharedSecret {
  readonly secret: string | Uint8Array
}

/** What signs: the provider's key set (its current key for `alg`), one key, or a shared secret. */
export type SigningInput = KeySet | SigningKey | SharedSecret

/** Options of {@link signJwt}. */
export interface SignJwtOptions {
  /** The key set, key or secret that signs. */
  key: SigningInput
  /** The JWS `alg`; defaults to the key's own, or HS256 for a secret. */
  alg?: SigningAlgorithm | 'none'
  /** The `typ` header, e.g. `at+jwt` (RFC 9068 2.1) or `JWT`. */
  typ?: string
  /** Allows `alg: none`, which is refused otherwise. */
  allowNone?: boolean
}

const encoder = new TextEncoder()
const secretBytes = (secret: string | Uint8Array) =>
  typeof secret === 'string' ? encoder.encode(secret) : secret
const isSecret = (input: unknown): input is SharedSecret =>
  typeof input === 'object' && input !== null && 'secret' in input
const isSymmetric = (alg: string) => (SYMMETRIC_ALGORITHMS as readonly string[]).includes(alg)

/**
 * Signs a JWT. With a {@link KeySet} it uses the current key for `alg` and sets its `kid`.
 * The token is the one jose's `SignJWT` would make, header members in the order `alg`, `kid`,
 * `typ`; the common cases are signed directly on WebCrypto, the rest through jose.
 *
 * @example
 * ```ts
 * const jwt = await signJwt({ sub: 'alice', iss }, { key: keys, alg: 'ES256', typ: 'at+jwt' })
 * ```
 */
export async function signJwt(payload: JWTPayload, options: SignJwtOptions): Promise<string> {
  const { key, typ } = options
  if (options.alg === 'none') {
    if (!options.allowNone) throw new JoseError('ERR_ALG_NOT_ALLOWED', 'alg "none" is not allowed')
    const jwt = new UnsecuredJWT(payload)
    return jwt.encode()
  }
  let header: JWTHeaderParameters
  let signingKey: CryptoKey | Uint8Array
  let signed: Promise<string> | undefined
  if (isSecret(key)) {
    const alg = options.alg ?? 'HS256'
    if (!isSymmetric(alg)) {
      throw new JoseError('ERR_KEY_UNSUITABLE', `a shared secret cannot sign with ${alg}`)
    }
    header = { alg }
    signingKey = secretBytes(key.secret)
    signed = signWithSecret(payload, alg, signingKey, typ)
  } else {
    const chosen = key instanceof KeySet ? key.signingKey(options.alg) : key
    if (options.alg !== undefined && chosen.alg !== options.alg) {
      throw new JoseError(
        'ERR_KEY_UNSUITABLE',
        `key "${chosen.kid}" does not sign with ${options.alg}`,
      )
    }
    header = { alg: chosen.alg, kid: chosen.kid }
    signingKey = chosen.privateKey
    signed = signWithKey(payload, chosen, typ)
  }
  if (signed !== undefined) return signed
  if (typ !== undefined) header.typ = typ
  return new SignJWT(payload).setProtectedHeader(header).sign(signingKey)
}

/** What verifies: a key set, a JWKS document, a remote `jwks_uri`, one key, or a shared secret. */
export type VerificationInput = KeySet | JSONWebKeySet | URL | SigningKey | CryptoKey | SharedSecret

/** Options of {@link verifyJwt}; the claim options are jose's own names. */
export interface VerifyJwtOptions {
  keys: VerificationInput
  /** Accepted `alg` values; defaults to the asymmetric algorithms, or HS* for a secret. */
  algorithms?: readonly string[]
  /** Accepts unsigned `alg: none` tokens. Off unless explicitly enabled. */
  allowNone?: boolean
  issuer?: string | string[]
  audience?: string | string[]
  subject?: string
  clockTolerance?: number | string
  currentDate?: Date
  maxTokenAge?: number | string
  requiredClaims?: string[]
  /** Expected `typ` header, e.g. `at+jwt`. */
  typ?: string
}

/** A verified token. */
export interface VerifiedJwt<T extends JWTPayload = JWTPayload> {
  payload: T
  protectedHeader: JWTHeaderParameters
}

// Remote key sets are cached per URL so that jose's own cache and cooldown work across calls.
const remoteSets = new Map<string, JWTVerifyGetKey>()
const localSets = new WeakMap<JSONWebKeySet, JWTVerifyGetKey>()
const MAX_REMOTE_SETS = 1000

function remoteSet(url: URL): JWTVerifyGetKey {
  let set = remoteSets.get(url.href)
  if (!set) {
    if (remoteSets.size >= MAX_REMOTE_SETS) remoteSets.delete(remoteSets.keys().next().value!)
    set = createRemoteJWKSet(url)
    remoteSets.set(url.href, set)
  }
  return set
}

/** The public key of the set that the token's header names, checked against its `alg`. */
function keyFromSet(set: KeySet, header: JWTHeaderParameters): CryptoKey {
  const key = header.kid
    ? set.get(header.kid)
    : set.entries().find((entry) => entry.key.alg === header.alg)?.key
  if (!key || key.alg !== header.alg) {
    throw new JoseError('ERR_KEY_NOT_FOUND', 'no key in the set matches the token header')
  }
  return key.publicKey
}

function resolver(
  keys: VerificationInput,
  header: JWTHeaderParameters,
): JWTVerifyGetKey | CryptoKey | Uint8Array {
  // The header is already decoded, so the key set's key is picked here: a resolver function
  // would send jose down its slower function-key path on every call.
  if (keys instanceof KeySet) return keyFromSet(keys, header)
  if (keys instanceof URL) return remoteSet(keys)
  if (isSecret(keys)) return secretBytes(keys.secret)
  if (typeof CryptoKey !== 'undefined' && keys instanceof CryptoKey) return keys
  if ('keys' in keys && Array.isArray(keys.keys)) {
    let set = localSets.get(keys)
    if (!set) {
      set = createLocalJWKSet(keys)
      localSets.set(keys, set)
    }
    return set
  }
  return (keys as SigningKey).publicKey
}

const CLAIM_OPTIONS = [
  'issuer',
  'audience',
  'subject',
  'clockTolerance',
  'currentDate',
  'maxTokenAge',
  'requiredClaims',
  'typ',
] as const
// Built once: verification is on every request's hot path.
const ASYMMETRIC_LIST: string[] = [...ASYMMETRIC_ALGORITHMS]
const SYMMETRIC_LIST: string[] = [...SYMMETRIC_ALGORITHMS]

// Every token one key signs carries the same encoded header, so it is decoded once rather than on
// every call (jose decodes it again to verify). Bounded: a flood of distinct headers only clears it.
const decodedHeaders = new Map<string, Readonly<JWTHeaderParameters>>()
const MAX_DECODED_HEADERS = 256
const MAX_CACHED_HEADER_LENGTH = 1024

function protectedHeader(token: string): Readonly<JWTHeaderParameters> {
  const encoded = typeof token === 'string' ? token.slice(0, token.indexOf('.')) : ''
  const cached = encoded ? decodedHeaders.get(encoded) : undefined
  if (cached) return cached
  let header: JWTHeaderParameters
  try {
    header = Object.freeze(decodeProtectedHeader(token)) as JWTHeaderParameters
  } catch (cause) {
    throw new JoseError('ERR_JWT_INVALID', 'not a compact JWS', { cause })
  }
  if (encoded.length <= MAX_CACHED_HEADER_LENGTH) {
    if (decodedHeaders.size >= MAX_DECODED_HEADERS) decodedHeaders.clear()
    decodedHeaders.set(encoded, header)
  }
  return header
}

/**
 * Verifies a JWT's signature and its registered claims. jose's own errors (expired, claim
 * mismatch, bad signature) pass through unchanged.
 *
 * @example
 * ```ts
 * const { payload } = await verifyJwt(token, { keys: new URL(jwksUri), issuer, audience: clientId })
 * ```
 */
export async function verifyJwt<T extends JWTPayload = JWTPayload>(
  token: string,
  options: VerifyJwtOptions,
): Promise<VerifiedJwt<T>> {
  const header = protectedHeader(token)
  const claimOptions: JWTVerifyOptions = {}
  for (const name of CLAIM_OPTIONS) {
    if (options[name] !== undefined) (claimOptions as Record<string, unknown>)[name] = options[name]
  }
  if (header.alg === 'none') {
    if (!options.allowNone) throw new JoseError('ERR_ALG_NOT_ALLOWED', 'alg "none" is not allowed')
    const { payload, header: unsecured } = UnsecuredJWT.decode(token, claimOptions)
    return { payload: payload as T, protectedHeader: unsecured as JWTHeaderParameters }
  }
  claimOptions.algorithms = options.algorithms
    ? [...options.algorithms]
    : isSecret(options.keys)
      ? SYMMETRIC_LIST
      : ASYMMETRIC_LIST
  // Refuse a foreign alg before looking for a key, exactly as jose would (alg confusion).
  if (!claimOptions.algorithms.includes(header.alg as string)) {
    throw new errors.JOSEAlgNotAllowed('"alg" (Algorithm) Header Parameter value not allowed')
  }
  const key = resolver(options.keys, header)
  const result =
    typeof key === 'function'
      ? await jwtVerify(token, key, claimOptions)
      : await jwtVerify(token, key, claimOptions)
  return result as VerifiedJwt<T>
}
