import { describe, expect, it, vi } from 'vitest'
import { sha256Base64url, sha256Digest } from './sha256'

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex')
const utf8 = (value: string) => new TextEncoder().encode(value)

describe('sha256Digest', () => {
  it('FIPS 180-2 Appendix B.1: the one-block message "abc"', () => {
    expect(hex(sha256Digest(utf8('abc')))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    )
  })

  it('FIPS 180-2 Appendix B.2: the two-block message of 448 bits', () => {
    const message = 'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'
    expect(hex(sha256Digest(utf8(message)))).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    )
  })

  it('FIPS 180-2 Appendix B.3: one million repetitions of "a"', () => {
    expect(hex(sha256Digest(new Uint8Array(1_000_000).fill(0x61)))).toBe(
      'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0',
    )
  })

  it('FIPS 180-4 5.1.1: the empty message is padded into one block', () => {
    expect(hex(sha256Digest(new Uint8Array()))).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    )
  })

  it('FIPS 180-4 5.1.1: agrees with WebCrypto on every length around the block boundaries', async () => {
    for (let length = 0; length <= 200; length++) {
      const data = crypto.getRandomValues(new Uint8Array(length))
      const expected = new Uint8Array(await crypto.subtle.digest('SHA-256', data))
      expect(hex(sha256Digest(data)), `length ${length}`).toBe(hex(expected))
    }
  })
})

describe('sha256Base64url', () => {
  // Lengths around the block boundaries, non-ASCII text and a lone surrogate (which both UTF-8
  // encoders replace by U+FFFD).
  const inputs = [
    '',
    'abc',
    ...Array.from({ length: 130 }, (_, n) => 'x'.repeat(n)),
    'grüße, 世界, 🙂',
    'lone \ud800 surrogate',
  ]
  const expected = (value: string) => Buffer.from(sha256Digest(utf8(value))).toString('base64url')

  it('FIPS 180-2 B.1: "abc"', () => {
    expect(sha256Base64url('abc')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0')
  })

  it("agrees with the plain version on the runtime's native hash (Node's crypto.hash)", () => {
    for (const value of inputs) expect(sha256Base64url(value), value).toBe(expected(value))
  })

  it('falls back to the plain version on a runtime without process.getBuiltinModule (edge)', async () => {
    vi.resetModules()
    vi.stubGlobal('process', { ...process, getBuiltinModule: undefined })
    try {
      const fresh = await import('./sha256')
      for (const value of inputs) expect(fresh.sha256Base64url(value), value).toBe(expected(value))
    } finally {
      vi.unstubAllGlobals()
    }
  })

  it('does not trust a native hash that gives a wrong answer', async () => {
    vi.resetModules()
    const wrong = () => 'not a digest'
    vi.stubGlobal('process', { ...process, getBuiltinModule: () => ({ hash: wrong }) })
    try {
      const fresh = await import('./sha256')
      expect(fresh.sha256Base64url('abc')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0')
    } finally {
      vi.unstubAllGlobals()
    }
  })
})
