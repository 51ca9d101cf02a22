import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  base64url,
  compactVerify,
  decodeProtectedHeader,
  errors,
  type JWTPayload,
  jwtVerify,
  SignJWT,
  UnsecuredJWT,
} from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signJwt, verifyJwt } from './jwt'
import { KeySet } from './key-set'
import {
  ASYMMETRIC_ALGORITHMS,
  type AsymmetricAlgorithm,
  generateSigningKey,
  type SigningKey,
  SYMMETRIC_ALGORITHMS,
} from './keys'

const iss = 'https://op.example.com'

describe('signJwt / verifyJwt', () => {
  let keys: KeySet
  beforeAll(async () => {
    keys = await KeySet.generate(ASYMMETRIC_ALGORITHMS)
  })

  it.each(ASYMMETRIC_ALGORITHMS)('RFC 7515 / RFC 7518 3: %s round trip with kid', async (alg) => {
    const jwt = await signJwt({ iss, sub: 'alice' }, { key: keys, alg })
    const header = decodeProtectedHeader(jwt)
    expect(header).toMatchObject({ alg, kid: keys.signingKey(alg).kid })
    const { payload } = await verifyJwt(jwt, { keys, issuer: iss })
    expect(payload.sub).toBe('alice')
    // The published JWKS verifies it too, as a relying party would.
    await expect(verifyJwt(jwt, { keys: keys.jwks() })).resolves.toBeTruthy()
  })

  it.each(SYMMETRIC_ALGORITHMS)('RFC 7518 3.2: %s with a shared secret', async (alg) => {
    const secret = 'a-client-secret-of-at-least-32-bytes-length-for-hs512-use-aaaaaaaaaaa'
    const jwt = await signJwt({ iss }, { key: { secret }, alg })
    await expect(verifyJwt(jwt, { keys: { secret } })).resolves.toBeTruthy()
    await expect(verifyJwt(jwt, { keys: { secret: `${secret}x` } })).rejects.toBeInstanceOf(
      errors.JWSSignatureVerificationFailed,
    )
  })

  it('RFC 9068 2.1: sets the typ header and checks it', async () => {
    const jwt = await signJwt({ iss }, { key: keys, alg: 'RS256', typ: 'at+jwt' })
    expect(decodeProtectedHeader(jwt).typ).toBe('at+jwt')
    await expect(verifyJwt(jwt, { keys, typ: 'at+jwt' })).resolves.toBeTruthy()
    await expect(verifyJwt(jwt, { keys, typ: 'JWT' })).rejects.toBeInstanceOf(
      errors.JWTClaimValidationFailed,
    )
  })

  it('RFC 7518 3.6: refuses alg none unless explicitly allowed', async () => {
    const unsigned = new UnsecuredJWT({ iss }).encode()
    await expect(verifyJwt(unsigned, { keys })).rejects.toMatchObject({
      code: 'ERR_ALG_NOT_ALLOWED',
    })
    await expect(verifyJwt(unsigned, { keys, allowNone: true })).resolves.toMatchObject({
      payload: { iss },
    })
    await expect(signJwt({ iss }, { key: keys, alg: 'none' })).rejects.toMatchObject({
      code: 'ERR_ALG_NOT_ALLOWED',
    })
    const allowed = await signJwt({ iss }, { key: keys, alg: 'none', allowNone: true })
    expect(decodeProtectedHeader(allowed).alg).toBe('none')
  })

  it('RFC 7519 7.2: passes jose claim errors through (expired, wrong issuer, wrong audience)', async () => {
    const now = Math.floor(Date.now() / 1000)
    const expired = await signJwt({ iss, aud: 'c1', exp: now - 120 }, { key: keys, alg: 'ES256' })
    await expect(verifyJwt(expired, { keys })).rejects.toBeInstanceOf(errors.JWTExpired)
    await expect(verifyJwt(expired, { keys, clockTolerance: 300 })).resolves.toBeTruthy()
    const jwt = await signJwt({ iss, aud: 'c1' }, { key: keys, alg: 'ES256' })
    await expect(verifyJwt(jwt, { keys, issuer: 'https://other' })).rejects.toBeInstanceOf(
      errors.JWTClaimValidationFailed,
    )
    await expect(verifyJwt(jwt, { keys, audience: 'c2' })).rejects.toBeInstanceOf(
      errors.JWTClaimValidationFailed,
    )
  })

  it('rejects a token signed by a key outside the set, and an alg outside the allow-list', async () => {
    const stranger = await generateSigningKey('ES256')
    const jwt = await new SignJWT({ iss })
      .setProtectedHeader({ alg: 'ES256', kid: keys.signingKey('ES256').kid })
      .sign(stranger.privateKey)
    await expect(verifyJwt(jwt, { keys })).rejects.toBeInstanceOf(
      errors.JWSSignatureVerificationFailed,
    )
    const rs = await signJwt({ iss }, { key: keys, alg: 'RS256' })
    await expect(verifyJwt(rs, { keys, algorithms: ['ES256'] })).rejects.toBeInstanceOf(
      errors.JOSEAlgNotAllowed,
    )
  })

  it('rejects a secret-signed token where asymmetric keys are expected (alg confusion)', async () => {
    const jwt = await signJwt({ iss }, { key: { secret: 'x'.repeat(32) }, alg: 'HS256' })
    await expect(verifyJwt(jwt, { keys })).rejects.toBeInstanceOf(errors.JOSEAlgNotAllowed)
  })

  it('rejects garbage as ERR_JWT_INVALID', async () => {
    await expect(verifyJwt('not.a.jwt', { keys })).rejects.toMatchObject({
      code: 'ERR_JWT_INVALID',
    })
  })

  it('refuses to sign with a key of another alg', async () => {
    const key = keys.signingKey('ES256')
    await expect(signJwt({}, { key, alg: 'RS256' })).rejects.toMatchObject({
      code: 'ERR_KEY_UNSUITABLE',
    })
    await expect(signJwt({}, { key: { secret: 's' }, alg: 'RS256' })).rejects.toMatchObject({
      code: 'ERR_KEY_UNSUITABLE',
    })
  })

  it('verifies after rotation with the retired key (rotation keeps old tokens valid)', async () => {
    const set = await KeySet.generate('ES256')
    const before = await signJwt({ iss }, { key: set, alg: 'ES256' })
    await set.rotate('ES256')
    const after = await signJwt({ iss }, { key: set, alg: 'ES256' })
    expect(decodeProtectedHeader(before).kid).not.toBe(decodeProtectedHeader(after).kid)
    await expect(verifyJwt(before, { keys: set })).resolves.toBeTruthy()
    await expect(verifyJwt(after, { keys: set.jwks() })).resolves.toBeTruthy()
  })
})

// signJwt signs most tokens on WebCrypto itself; these hold it to jose's SignJWT, which is what
// it replaced, and to jose's verification, which is what relying parties run.
describe('signJwt against jose', () => {
  let keys: KeySet
  beforeAll(async () => {
    keys = await KeySet.generate(ASYMMETRIC_ALGORITHMS)
  })

  const now = Math.floor(Date.now() / 1000)
  const claims: JWTPayload = {
    iss,
    sub: '248289761001',
    aud: ['s6BhdRkqt3', 'https://api.example.com'],
    iat: now,
    exp: now + 600,
    scope: 'openid profile',
    name: 'Zoë Ångström 日本 😀',
    address: { locality: 'Anytown', country: 'US' },
    amr: ['pwd', 'otp'],
    empty: null,
    skipped: undefined,
  }
  const segments = (jwt: string) => jwt.split('.')
  const decode = (segment: string): unknown =>
    JSON.parse(new TextDecoder().decode(base64url.decode(segment)))
  const reference = (payload: JWTPayload, key: SigningKey, typ?: string) =>
    new SignJWT(payload)
      .setProtectedHeader({ alg: key.alg, kid: key.kid, ...(typ === undefined ? {} : { typ }) })
      .sign(key.privateKey)
  // PKCS#1 v1.5 and Ed25519 signatures are deterministic, so those tokens must be identical.
  const deterministic = (alg: string) => alg.startsWith('RS') || alg === 'EdDSA'

  it.each(ASYMMETRIC_ALGORITHMS)(
    "RFC 7515 §7.1 / RFC 7518 §3.1: %s token has SignJWT's header and payload and verifies with jose",
    async (alg) => {
      const key = keys.signingKey(alg)
      const jwt = await signJwt(claims, { key: keys, alg, typ: 'at+jwt' })
      const expected = await reference(claims, key, 'at+jwt')
      const [header, payload, signature] = segments(jwt)
      expect(segments(expected).slice(0, 2)).toEqual([header, payload])
      expect(decode(header!)).toEqual({ alg, kid: key.kid, typ: 'at+jwt' })
      expect(Object.keys(decode(header!) as object)).toEqual(['alg', 'kid', 'typ'])
      expect(decode(payload!)).toEqual(JSON.parse(JSON.stringify(claims)))
      expect(signature).toMatch(/^[A-Za-z0-9_-]+$/)
      if (deterministic(alg)) expect(jwt).toBe(expected)

      const verified = await jwtVerify(jwt, key.publicKey, { algorithms: [alg], typ: 'at+jwt' })
      expect(verified.payload).toEqual(JSON.parse(JSON.stringify(claims)))
      expect(verified.protectedHeader).toEqual({ alg, kid: key.kid, typ: 'at+jwt' })
      await expect(compactVerify(jwt, key.publicKey)).resolves.toBeTruthy()
    },
  )

  it.each(SYMMETRIC_ALGORITHMS)(
    'RFC 7518 §3.2: %s with a shared secret is identical to SignJWT and verifies with jose',
    async (alg) => {
      const secret = 'a-client-secret-of-at-least-64-bytes-for-hs512-aaaaaaaaaaaaaaaaaaaaaaaaa'
      const bytes = new TextEncoder().encode(secret)
      for (const typ of [undefined, 'JWT']) {
        const jwt = await signJwt(claims, { key: { secret }, alg, ...(typ ? { typ } : {}) })
        const expected = await new SignJWT(claims)
          .setProtectedHeader({ alg, ...(typ ? { typ } : {}) })
          .sign(bytes)
        expect(jwt).toBe(expected)
        expect(Object.keys(decodeProtectedHeader(jwt))).toEqual(typ ? ['alg', 'typ'] : ['alg'])
        await expect(jwtVerify(jwt, bytes, { algorithms: [alg] })).resolves.toBeTruthy()
        // A Uint8Array secret signs the same token as its string.
        await expect(signJwt(claims, { key: { secret: bytes }, alg, typ })).resolves.toBe(jwt)
      }
    },
  )

  it('RFC 7518 §3.4: ECDSA signatures are R || S, twice the coordinate size', async () => {
    const sizes: Partial<Record<AsymmetricAlgorithm, number>> = { ES256: 64, ES384: 96, ES512: 132 }
    for (const [alg, size] of Object.entries(sizes)) {
      const jwt = await signJwt(claims, { key: keys, alg: alg as AsymmetricAlgorithm })
      expect(base64url.decode(segments(jwt)[2]!)).toHaveLength(size)
    }
  })

  it('RFC 7518 §3.5: RSASSA-PSS uses a salt as long as the hash output', async () => {
    for (const [alg, bytes] of [
      ['PS256', 32],
      ['PS384', 48],
      ['PS512', 64],
    ] as const) {
      const jwt = await signJwt(claims, { key: keys, alg })
      const [header, payload, signature] = segments(jwt)
      const data = new TextEncoder().encode(`${header}.${payload}`)
      const check = (saltLength: number) =>
        crypto.subtle.verify(
          { name: 'RSA-PSS', saltLength },
          keys.signingKey(alg).publicKey,
          base64url.decode(signature!) as Uint8Array<ArrayBuffer>,
          data,
        )
      await expect(check(bytes)).resolves.toBe(true)
      await expect(check(0)).resolves.toBe(false)
    }
  })

  it('RFC 8037 §3.1: EdDSA signatures are 64 bytes of Ed25519', async () => {
    const jwt = await signJwt(claims, { key: keys, alg: 'EdDSA' })
    expect(base64url.decode(segments(jwt)[2]!)).toHaveLength(64)
  })

  it('RFC 7515 §4.1.9: each typ gets its own header, whatever was signed before', async () => {
    const key = keys.signingKey('ES256')
    for (const typ of ['at+jwt', undefined, 'JWT', '', 'at+jwt']) {
      const jwt = await signJwt({ iss }, { key, ...(typ === undefined ? {} : { typ }) })
      expect(decodeProtectedHeader(jwt)).toEqual({
        alg: 'ES256',
        kid: key.kid,
        ...(typ === undefined ? {} : { typ }),
      })
    }
  })

  it('RFC 7515 §4.1.4: a key object whose kid changes in place signs with the new kid', async () => {
    const key = { ...(await generateSigningKey('ES256', { kid: 'before' })) }
    expect(decodeProtectedHeader(await signJwt({ iss }, { key })).kid).toBe('before')
    ;(key as { kid: string }).kid = 'after'
    const jwt = await signJwt({ iss }, { key })
    expect(decodeProtectedHeader(jwt).kid).toBe('after')
    await expect(jwtVerify(jwt, key.publicKey)).resolves.toBeTruthy()
  })

  it('RFC 7519 §7.1: the claims are serialized when signJwt is called, as SignJWT does', async () => {
    const payload: JWTPayload = { iss, n: 1 }
    const pending = signJwt(payload, { key: keys, alg: 'ES256' })
    payload.n = 2
    expect(decode(segments(await pending)[1]!)).toEqual({ iss, n: 1 })
  })

  it('RFC 7519 §7.1: claims that are not plain JSON data serialize or fail exactly as with SignJWT', async () => {
    const key = keys.signingKey('RS256')
    class Money {
      constructor(readonly cents: number) {}
      toJSON() {
        return `${this.cents / 100} EUR`
      }
    }
    for (const payload of [
      { iss, at: new Date(0) },
      { iss, price: new Money(150) },
      { iss, nested: Object.assign(Object.create(null), { a: 1 }) },
      Object.assign(Object.create(null), { iss }),
    ] as JWTPayload[]) {
      await expect(signJwt(payload, { key })).resolves.toBe(await reference(payload, key))
    }
    for (const payload of [
      { iss, callback: () => 1 },
      { iss, exp: Number.POSITIVE_INFINITY },
      { iss, nbf: Number.NaN },
      ['not', 'an', 'object'],
      new Date(),
    ] as unknown as JWTPayload[]) {
      // SignJWT's constructor throws for some of these, so it runs inside the promise chain.
      const expected = await Promise.resolve()
        .then(() => reference(payload, key))
        .catch((error: unknown) => error)
      expect(expected).toBeInstanceOf(Error)
      await expect(signJwt(payload, { key })).rejects.toThrow((expected as Error).message)
    }
  })

  it('RFC 7518 §3.3: refuses, as jose does, a key jose would not sign with', async () => {
    const template = keys.signingKey('RS256')
    const weak = await crypto.subtle.generateKey(
      {
        name: 'RSASSA-PKCS1-v1_5',
        modulusLength: 1024,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: 'SHA-256',
      },
      false,
      ['sign', 'verify'],
    )
    const p384 = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, false, [
      'sign',
    ])
    for (const key of [
      { ...template, kid: 'weak', privateKey: weak.privateKey },
      { ...keys.signingKey('ES256'), kid: 'p384', privateKey: p384.privateKey },
      { ...template, kid: 'public', privateKey: template.publicKey },
    ]) {
      const expected = await reference({ iss }, key).catch((error: unknown) => error)
      expect(expected).toBeInstanceOf(TypeError)
      await expect(signJwt({ iss }, { key })).rejects.toThrow((expected as Error).message)
    }
  })
})

describe('remote JWKS (jwks_uri)', () => {
  let keys: KeySet
  let url: URL
  let hits = 0
  const server = createServer((_req, res) => {
    hits++
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify(keys.jwks()))
  })
  beforeAll(async () => {
    keys = await KeySet.generate('ES256')
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`)
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  it('OIDC Core 10.1.1: verifies against a jwks_uri and caches the document', async () => {
    const a = await signJwt({ iss }, { key: keys })
    const b = await signJwt({ iss, n: 2 }, { key: keys })
    await verifyJwt(a, { keys: url })
    await verifyJwt(b, { keys: new URL(url.href) })
    expect(hits).toBe(1)
  })
})
