import { compactVerify } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import { signWithKey, signWithSecret } from './compact-sign'
import { ASYMMETRIC_ALGORITHMS, generateSigningKey, type SigningKey } from './keys'

// jwt.test.ts holds signJwt's output to jose's whatever path it takes; these pin down which path
// that is, so that those tests really exercise the WebCrypto one.
describe('compact-sign fast path', () => {
  let keys: SigningKey[]
  beforeAll(async () => {
    keys = await Promise.all(ASYMMETRIC_ALGORITHMS.map((alg) => generateSigningKey(alg)))
  })
  const iss = 'https://op.example.com'
  const secret = new TextEncoder().encode('x'.repeat(64))

  it('RFC 7518 §3.1: signs plain JSON claims itself with every asymmetric alg', async () => {
    for (const key of keys) {
      const signed = signWithKey({ iss, aud: ['a', 'b'], nested: { n: [1, null] } }, key, 'JWT')
      expect(signed, key.alg).toBeInstanceOf(Promise)
      await expect(compactVerify((await signed)!, key.publicKey)).resolves.toBeTruthy()
    }
  })

  it('RFC 7518 §3.2: signs plain JSON claims itself with every HMAC alg', async () => {
    for (const alg of ['HS256', 'HS384', 'HS512']) {
      const signed = signWithSecret({ iss }, alg, secret, undefined)
      expect(signed, alg).toBeInstanceOf(Promise)
      await expect(compactVerify((await signed)!, secret)).resolves.toBeTruthy()
    }
  })

  it('leaves to jose the claims that jose would clone, refuse or serialize differently', () => {
    const key = keys[0]!
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    for (const payload of [
      { iss, at: new Date() },
      { iss, fn: () => 1 },
      { iss, big: 1n },
      { iss, exp: Number.NaN },
      { iss, deep: cyclic },
      [iss],
      'claims',
      null,
    ]) {
      expect(signWithKey(payload, key, undefined)).toBeUndefined()
      expect(signWithSecret(payload, 'HS256', secret, undefined)).toBeUndefined()
    }
  })

  it('leaves to jose the keys, algorithms and typ values it does not handle', async () => {
    const rs = keys[0]!
    const es = keys.find((key) => key.alg === 'ES256')!
    expect(signWithKey({ iss }, { ...rs, alg: 'ES256' }, undefined)).toBeUndefined()
    expect(signWithKey({ iss }, { ...es, privateKey: es.publicKey }, undefined)).toBeUndefined()
    expect(
      signWithKey({ iss }, { ...es, alg: 'ES256K' as SigningKey['alg'] }, undefined),
    ).toBeUndefined()
    expect(signWithKey({ iss }, es, 42 as unknown as string)).toBeUndefined()
    expect(signWithSecret({ iss }, 'RS256', secret, undefined)).toBeUndefined()
    expect(signWithSecret({ iss }, 'HS256', 'raw' as unknown as Uint8Array, undefined)).toBe(
      undefined,
    )
  })
})
