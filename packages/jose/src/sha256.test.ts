import { describe, expect, it } from 'vitest'
import { sha256Digest } from './sha256'

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
