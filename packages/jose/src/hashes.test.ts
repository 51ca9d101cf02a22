import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { isJoseError } from './errors'
import { tokenHash } from './hashes'

// Independent reference: node:crypto instead of WebCrypto.
function reference(value: string, hash: string): string {
  const digest = createHash(hash).update(value, 'ascii').digest()
  return digest.subarray(0, digest.length / 2).toString('base64url')
}

describe('tokenHash', () => {
  it('OIDC Core 3.3.2.11 / Appendix A.4: c_hash of the example code with RS256', async () => {
    await expect(
      tokenHash('Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk', 'RS256'),
    ).resolves.toBe('LDktKdoQak3Pk0cnXxCltA')
  })

  it('OIDC Core 3.2.2.10 / Appendix A.3: at_hash of the example access token with RS256', async () => {
    await expect(tokenHash('jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y', 'RS256')).resolves.toBe(
      '77QmUPtjPfzWtF2AnpK9RQ',
    )
  })

  it('OIDC Core 3.1.3.6: hashes with SHA-384 for the *384 algorithms (left-most 192 bits)', async () => {
    for (const alg of ['HS384', 'RS384', 'PS384', 'ES384']) {
      await expect(tokenHash('dNZX1hEZ9wBCzNL40Upu646bdzQA', alg)).resolves.toBe(
        'phZaPQJosyg-qi-OIYyQ3xJB9wsHYEEz',
      )
    }
  })

  it('OIDC Core 3.1.3.6: hashes with SHA-512 for the *512 algorithms (left-most 256 bits)', async () => {
    for (const alg of ['HS512', 'RS512', 'PS512', 'ES512']) {
      await expect(tokenHash('dNZX1hEZ9wBCzNL40Upu646bdzQA', alg)).resolves.toBe(
        '8xltSlOGYrWy8W9yNvRlEth1i_bXW-JROWPLvCv5zog',
      )
    }
  })

  it('OIDC Core 3.1.3.6: hashes with SHA-256 for the *256 algorithms (left-most 128 bits)', async () => {
    for (const alg of ['HS256', 'RS256', 'PS256', 'ES256', 'ES256K']) {
      await expect(tokenHash('dNZX1hEZ9wBCzNL40Upu646bdzQA', alg)).resolves.toBe(
        'wfgvmE9VxjAudsl9lc6TqA',
      )
    }
  })

  it('OIDC Core 1.0 errata (EdDSA with Ed25519): hashes with SHA-512', async () => {
    for (const alg of ['EdDSA', 'Ed25519']) {
      await expect(tokenHash('some-access-token', alg)).resolves.toBe(
        reference('some-access-token', 'sha512'),
      )
    }
  })

  it('OIDC Core 3.1.3.6: matches an independent node:crypto computation, unpadded base64url', async () => {
    const value = 'a-token-with-?~_.chars/0123456789'
    for (const [alg, hash] of [
      ['RS256', 'sha256'],
      ['ES384', 'sha384'],
      ['PS512', 'sha512'],
    ] as const) {
      const result = await tokenHash(value, alg)
      expect(result).toBe(reference(value, hash))
      expect(result).not.toMatch(/[=+/]/)
    }
  })

  it('OIDC Core 3.1.3.6: the left-most 128 bits of SHA-256, whatever the last bits of byte 15', async () => {
    // The half is cut from the base64url of the whole digest; its 22nd character mixes the end
    // of byte 15 with byte 16. Random values cover every combination many times over.
    for (let i = 0; i < 500; i++) {
      const value = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')
      await expect(tokenHash(value, 'RS256')).resolves.toBe(reference(value, 'sha256'))
    }
  })

  it('OIDC Core 3.1.3.6: rejects an algorithm without a defined hash with ERR_ALG_NOT_ALLOWED', async () => {
    for (const alg of ['none', 'Ed448', 'rs256', 'toString', '']) {
      const error = await tokenHash('x', alg).catch((e: unknown) => e)
      expect(isJoseError(error, 'ERR_ALG_NOT_ALLOWED')).toBe(true)
    }
  })
})
