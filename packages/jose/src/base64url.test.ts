import { describe, expect, it } from 'vitest'
import { base64urlEncode } from './base64url'

describe('base64url', () => {
  it('RFC 4648 10: the test vectors, in the URL-safe alphabet without padding (RFC 4648 5)', () => {
    const encode = (text: string) => base64urlEncode(new TextEncoder().encode(text))
    expect(['', 'f', 'fo', 'foo', 'foob', 'fooba', 'foobar'].map(encode)).toEqual([
      '',
      'Zg',
      'Zm8',
      'Zm9v',
      'Zm9vYg',
      'Zm9vYmE',
      'Zm9vYmFy',
    ])
    // "+/8=" in base64: the two characters that differ, and no padding.
    expect(base64urlEncode(new Uint8Array([0xfb, 0xff]))).toBe('-_8')
    const bytes = crypto.getRandomValues(new Uint8Array(97))
    expect(base64urlEncode(bytes)).toBe(
      btoa(String.fromCharCode(...bytes))
        .replace(/\+/g, '-')
        .replace(/\//g, '_')
        .replace(/=+$/, ''),
    )
  })
})
