import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { decodeProtectedHeader, errors, SignJWT, UnsecuredJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signJwt, verifyJwt } from './jwt'
import { KeySet } from './key-set'
import { ASYMMETRIC_ALGORITHMS, generateSigningKey, SYMMETRIC_ALGORITHMS } from './keys'

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
