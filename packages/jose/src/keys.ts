import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  importPKCS8,
  importSPKI,
  type JWK,
} from 'jose'
import { JoseError } from './errors'

/** The asymmetric JWS algorithms oidkit signs with (RFC 7518 3.3-3.5, RFC 8037). */
export type AsymmetricAlgorithm =
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'PS256'
  | 'PS384'
  | 'PS512'
  | 'ES256'
  | 'ES384'
  | 'ES512'
  | 'EdDSA'

/** HMAC algorithms, used with client secrets (`client_secret_jwt`, HS-signed ID tokens). */
export type SymmetricAlgorithm = 'HS256' | 'HS384' | 'HS512'

/** Every JWS algorithm `@oidkit/jose` signs or verifies with. */
export type SigningAlgorithm = AsymmetricAlgorithm | SymmetricAlgorithm

/** The asymmetric algorithms in the order discovery documents list them. */
export const ASYMMETRIC_ALGORITHMS: readonly AsymmetricAlgorithm[] = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
]

/** The HMAC algorithms. */
export const SYMMETRIC_ALGORITHMS: readonly SymmetricAlgorithm[] = ['HS256', 'HS384', 'HS512']

/** Where a key is in its life: published before it signs, signing, then published only to verify. */
export type KeyState = 'next' | 'current' | 'retired'

/**
 * One asymmetric signing key: the private key signs, the public JWK is what `jwks_uri` publishes.
 * `CryptoKey`s are imported once, so signing and verifying never re-import key material.
 */
export interface SigningKey {
  readonly kid: string
  readonly alg: AsymmetricAlgorithm
  /** Public members only, with `kid`, `alg` and `use: "sig"`. */
  readonly publicJwk: Readonly<JWK>
  /** The full private JWK, for persistence. Never publish it. */
  readonly privateJwk: Readonly<JWK>
  readonly privateKey: CryptoKey
  readonly publicKey: CryptoKey
}

// RFC 7517 4 / RFC 7518 6: every member that is secret for RSA, EC, OKP and oct keys.
const PRIVATE_MEMBERS = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'])
// Members that belong to a published JWK; anything else (app data, private members) stays out.
const PUBLIC_MEMBERS = new Set(['kty', 'crv', 'x', 'y', 'n', 'e', 'kid', 'alg', 'use', 'key_ops'])

/**
 * The public view of a JWK: only the members RFC 7517/7518 define as public. Symmetric keys have
 * no public view and are refused.
 *
 * @example
 * ```ts
 * const published = publicJwk(privateJwk) // no d, p, q, dp, dq, qi
 * ```
 */
export function publicJwk(jwk: JWK): JWK {
  if (jwk.kty === 'oct')
    throw new JoseError('ERR_KEY_UNSUITABLE', 'symmetric keys are never published')
  const out: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(jwk)) {
    if (PUBLIC_MEMBERS.has(name) && !PRIVATE_MEMBERS.has(name)) out[name] = value
  }
  return out as JWK
}

/** The algorithm a key's type and curve imply, where there is only one. */
function impliedAlgorithm(jwk: JWK): AsymmetricAlgorithm | undefined {
  if (jwk.kty === 'EC') {
    return ({ 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' } as const)[
      jwk.crv as 'P-256' | 'P-384' | 'P-521'
    ]
  }
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA'
  return undefined
}

function assertAsymmetric(alg: string): asserts alg is AsymmetricAlgorithm {
  if (!(ASYMMETRIC_ALGORITHMS as readonly string[]).includes(alg)) {
    throw new JoseError('ERR_ALG_NOT_ALLOWED', `"${alg}" is not a supported signing algorithm`)
  }
}

function keyMatchesAlgorithm(jwk: JWK, alg: AsymmetricAlgorithm): boolean {
  if (alg.startsWith('RS') || alg.startsWith('PS')) return jwk.kty === 'RSA'
  return impliedAlgorithm(jwk) === alg
}

/**
 * Computes the RFC 7638 JWK thumbprint (SHA-256, base64url), oidkit's default `kid`.
 *
 * @example
 * ```ts
 * const kid = await thumbprint(jwk)
 * ```
 */
export function thumbprint(jwk: JWK): Promise<string> {
  return calculateJwkThumbprint(jwk, 'sha256')
}

/**
 * Builds a {@link SigningKey} from a private JWK.
 *
 * @example
 * ```ts
 * const key = await importSigningKey({ kty: 'EC', crv: 'P-256', x, y, d })
 * ```
 */
export async function importSigningKey(
  jwk: JWK,
  options: { alg?: AsymmetricAlgorithm; kid?: string } = {},
): Promise<SigningKey> {
  if (jwk.kty === 'oct') {
    throw new JoseError('ERR_KEY_UNSUITABLE', 'a signing key set holds asymmetric keys only')
  }
  if (typeof jwk.d !== 'string') {
    throw new JoseError('ERR_KEY_INVALID', 'a signing key needs its private part ("d")')
  }
  const alg = options.alg ?? (jwk.alg as AsymmetricAlgorithm | undefined) ?? impliedAlgorithm(jwk)
  if (alg === undefined) {
    throw new JoseError('ERR_KEY_INVALID', 'the key does not say which algorithm it is for ("alg")')
  }
  assertAsymmetric(alg)
  if (!keyMatchesAlgorithm(jwk, alg)) {
    throw new JoseError('ERR_KEY_UNSUITABLE', `a ${jwk.kty} key cannot sign with ${alg}`)
  }
  const { key_ops: _ops, ext: _ext, ...material } = jwk
  let privateKey: CryptoKey
  let publicKey: CryptoKey
  try {
    privateKey = (await importJWK({ ...material, alg }, alg, { extractable: false })) as CryptoKey
    publicKey = (await importJWK({ ...publicJwk(material), alg }, alg)) as CryptoKey
  } catch (cause) {
    throw new JoseError('ERR_KEY_INVALID', `the ${alg} key material is malformed`, { cause })
  }
  const pub = publicJwk(material)
  const kid = options.kid ?? jwk.kid ?? (await thumbprint(pub))
  return {
    kid,
    alg,
    publicJwk: Object.freeze({ ...pub, kid, alg, use: 'sig' }),
    privateJwk: Object.freeze({ ...material, kid, alg }),
    privateKey,
    publicKey,
  }
}

/**
 * Imports a PKCS#8 PEM private key (`-----BEGIN PRIVATE KEY-----`).
 *
 * @example
 * ```ts
 * const key = await importSigningKeyPem(readFileSync('key.pem', 'utf8'), { alg: 'RS256' })
 * ```
 */
export async function importSigningKeyPem(
  pem: string,
  options: { alg: AsymmetricAlgorithm; kid?: string },
): Promise<SigningKey> {
  assertAsymmetric(options.alg)
  let jwk: JWK
  try {
    jwk = await exportJWK(await importPKCS8(pem, options.alg, { extractable: true }))
  } catch (cause) {
    throw new JoseError('ERR_KEY_INVALID', 'not a PKCS#8 PEM private key for this algorithm', {
      cause,
    })
  }
  return importSigningKey(jwk, options)
}

/**
 * Imports a public key for verification only, from a JWK or an SPKI PEM.
 *
 * @example
 * ```ts
 * const key = await importVerificationKey(clientJwk, 'ES256')
 * ```
 */
export async function importVerificationKey(
  input: JWK | string,
  alg: AsymmetricAlgorithm,
): Promise<CryptoKey> {
  assertAsymmetric(alg)
  try {
    if (typeof input === 'string') return await importSPKI(input, alg)
    return (await importJWK({ ...publicJwk(input), alg }, alg)) as CryptoKey
  } catch (cause) {
    if (cause instanceof JoseError) throw cause
    throw new JoseError('ERR_KEY_INVALID', `not a public ${alg} key`, { cause })
  }
}

/**
 * Generates a new signing key (RSA keys are 2048 bits unless `modulusLength` says otherwise).
 *
 * @example
 * ```ts
 * const key = await generateSigningKey('ES256')
 * ```
 */
export async function generateSigningKey(
  alg: AsymmetricAlgorithm,
  options: { modulusLength?: number; kid?: string } = {},
): Promise<SigningKey> {
  assertAsymmetric(alg)
  const { privateKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(options.modulusLength ? { modulusLength: options.modulusLength } : {}),
    ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}),
  })
  const jwk = await exportJWK(privateKey)
  return importSigningKey(jwk, { alg, ...(options.kid ? { kid: options.kid } : {}) })
}
