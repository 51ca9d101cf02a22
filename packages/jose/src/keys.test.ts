import { exportPKCS8, generateKeyPair } from 'jose'
import { describe, expect, it } from 'vitest'
import { JoseError } from './errors'
import { KeySet } from './key-set'
import {
  ASYMMETRIC_ALGORITHMS,
  generateSigningKey,
  importSigningKey,
  importSigningKeyPem,
  importVerificationKey,
  publicJwk,
  thumbprint,
} from './keys'

// RFC 7638 3.1: the example RSA key and its SHA-256 thumbprint.
const RFC7638_KEY = {
  kty: 'RSA',
  n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
  e: 'AQAB',
  alg: 'RS256',
  kid: '2011-04-29',
}
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth']

describe('keys', () => {
  it('RFC 7638 3.1: computes the example thumbprint', async () => {
    expect(await thumbprint(RFC7638_KEY)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs')
  })

  it.each(ASYMMETRIC_ALGORITHMS)(
    'RFC 7517 4 / RFC 7518 6: a %s key publishes no private member and a thumbprint kid',
    async (alg) => {
      const key = await generateSigningKey(alg)
      expect(key.alg).toBe(alg)
      expect(typeof key.privateJwk.d).toBe('string')
      for (const member of PRIVATE_MEMBERS) expect(key.publicJwk).not.toHaveProperty(member)
      expect(key.publicJwk).toMatchObject({ alg, use: 'sig', kid: key.kid })
      expect(key.kid).toBe(await thumbprint(publicJwk(key.privateJwk as never)))
    },
  )

  it('RFC 8037 2: EdDSA keys are Ed25519 OKP keys', async () => {
    const key = await generateSigningKey('EdDSA')
    expect(key.publicJwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519' })
  })

  it('RFC 7518 6.4: symmetric keys are never published nor held by a key set', async () => {
    expect(() => publicJwk({ kty: 'oct', k: 'c2VjcmV0' })).toThrow(JoseError)
    await expect(importSigningKey({ kty: 'oct', k: 'c2VjcmV0' })).rejects.toMatchObject({
      code: 'ERR_KEY_UNSUITABLE',
    })
  })

  it('RFC 7518 3.4: refuses a key whose type does not fit the algorithm', async () => {
    const ec = await generateSigningKey('ES256')
    await expect(importSigningKey({ ...ec.privateJwk }, { alg: 'RS256' })).rejects.toMatchObject({
      code: 'ERR_KEY_UNSUITABLE',
    })
    await expect(importSigningKey({ ...ec.privateJwk }, { alg: 'ES384' })).rejects.toMatchObject({
      code: 'ERR_KEY_UNSUITABLE',
    })
  })

  it('refuses a public key where a signing key is needed', async () => {
    const key = await generateSigningKey('ES256')
    await expect(importSigningKey({ ...key.publicJwk })).rejects.toMatchObject({
      code: 'ERR_KEY_INVALID',
    })
  })

  it('RFC 5208 (PKCS#8): imports a PEM private key with the same thumbprint as its JWK', async () => {
    const { privateKey } = await generateKeyPair('PS256', { extractable: true })
    const pem = await exportPKCS8(privateKey)
    const key = await importSigningKeyPem(pem, { alg: 'PS256' })
    expect(key.alg).toBe('PS256')
    expect(key.publicJwk.kty).toBe('RSA')
    await expect(importSigningKeyPem('not a pem', { alg: 'RS256' })).rejects.toMatchObject({
      code: 'ERR_KEY_INVALID',
    })
  })

  it('imports verification keys from a JWK, ignoring private members', async () => {
    const key = await generateSigningKey('ES384')
    const verifier = await importVerificationKey({ ...key.privateJwk }, 'ES384')
    expect(verifier.type).toBe('public')
  })
})

describe('KeySet', () => {
  it('RFC 7517 5: the JWKS carries every published key and no private member', async () => {
    const keys = await KeySet.generate(['RS256', 'ES256', 'EdDSA'])
    const jwks = keys.jwks()
    expect(jwks.keys.map((k) => k.alg)).toEqual(['RS256', 'ES256', 'EdDSA'])
    for (const jwk of jwks.keys) {
      for (const member of PRIVATE_MEMBERS) expect(jwk).not.toHaveProperty(member)
    }
    expect(keys.algorithms()).toEqual(['RS256', 'ES256', 'EdDSA'])
  })

  it('rotation: publishes the next key before it signs, then keeps the retired key published', async () => {
    const keys = await KeySet.generate('ES256')
    const first = keys.signingKey('ES256')
    const next = await keys.generate('ES256', { state: 'next' })
    // A key in state next is published but never signs.
    expect(keys.jwks().keys.map((k) => k.kid)).toContain(next.kid)
    expect(keys.signingKey('ES256').kid).toBe(first.kid)

    const promoted = await keys.rotate('ES256')
    expect(promoted.kid).toBe(next.kid)
    expect(keys.signingKey('ES256').kid).toBe(next.kid)
    const states = Object.fromEntries(keys.entries().map((e) => [e.key.kid, e.state]))
    expect(states[first.kid]).toBe('retired')
    expect(states[next.kid]).toBe('current')
    // rotate() publishes a fresh next key for the following rotation.
    expect(Object.values(states).filter((s) => s === 'next')).toHaveLength(1)
    expect(keys.jwks().keys.map((k) => k.kid)).toContain(first.kid)
    expect(keys.get(first.kid)?.kid).toBe(first.kid)
  })

  it('never signs with a next or retired key', async () => {
    const keys = new KeySet()
    await keys.generate('RS256', { state: 'next' })
    expect(() => keys.signingKey('RS256')).toThrow(
      expect.objectContaining({ code: 'ERR_KEY_NOT_FOUND' }),
    )
    expect(() => keys.signingKey()).toThrow(JoseError)
  })

  it('serializes and loads the whole set with states and kids', async () => {
    const keys = await KeySet.generate(['RS256', 'EdDSA'])
    await keys.rotate('RS256')
    const copy = await KeySet.fromJSON(JSON.stringify(keys))
    expect(copy.jwks()).toEqual(keys.jwks())
    expect(copy.entries().map((e) => e.state)).toEqual(keys.entries().map((e) => e.state))
    expect(copy.signingKey('RS256').kid).toBe(keys.signingKey('RS256').kid)
  })

  it('refuses malformed serialized sets and duplicate kids', async () => {
    await expect(KeySet.fromJSON('{')).rejects.toMatchObject({ code: 'ERR_KEY_INVALID' })
    await expect(KeySet.fromJSON({ keys: 'x' } as never)).rejects.toMatchObject({
      code: 'ERR_KEY_INVALID',
    })
    const keys = await KeySet.generate('ES256')
    expect(() => keys.add(keys.signingKey())).toThrow(
      expect.objectContaining({ code: 'ERR_KEY_INVALID' }),
    )
  })

  it('removes a retired key from the published set', async () => {
    const keys = await KeySet.generate('ES256')
    const old = keys.signingKey()
    await keys.rotate('ES256')
    expect(keys.remove(old.kid)).toBe(true)
    expect(keys.jwks().keys.map((k) => k.kid)).not.toContain(old.kid)
  })
})
