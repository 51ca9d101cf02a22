import { describe, expect, it, vi } from 'vitest'
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

// The reference: btoa over the binary string of the bytes, turned into base64url (RFC 4648 5).
function reference(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

const sizes = [0, 1, 2, 3, 31, 32, 33, 63, 64, 65, 66, 256, 257, 1000]
const texts = [
  '',
  'abc',
  JSON.stringify({ iss: 'https://op.example', sub: 'alice', aud: 'rp', exp: 1_800_000_000 }),
  JSON.stringify({ name: 'Zoë Ångström', emoji: '🔑', note: 'x'.repeat(80) }),
  'é'.repeat(70),
  // A lone surrogate: UTF-8 encoders write U+FFFD for it (WHATWG Encoding 4.3).
  `\ud800${'y'.repeat(70)}`,
]

describe('base64url: native and table encoders agree', () => {
  async function check(module: typeof import('./base64url')) {
    for (const size of sizes) {
      const bytes = crypto.getRandomValues(new Uint8Array(size + 3)).subarray(3)
      expect(module.base64urlEncode(bytes), `${size} bytes`).toBe(reference(bytes))
    }
    for (const text of texts) {
      expect(module.base64urlText(text), text).toBe(reference(new TextEncoder().encode(text)))
    }
  }

  it('RFC 4648 5: bytes and UTF-8 text of every length, with the runtime Buffer (Node)', async () => {
    await check(await import('./base64url'))
  })

  it('RFC 4648 5: the same answers without a global Buffer (edge runtimes, browsers)', async () => {
    vi.resetModules()
    vi.stubGlobal('Buffer', undefined)
    try {
      await check(await import('./base64url'))
    } finally {
      vi.unstubAllGlobals()
    }
  })

  it('does not trust a Buffer that gives wrong answers', async () => {
    vi.resetModules()
    vi.stubGlobal('Buffer', { from: () => ({ toString: () => 'wrong' }) })
    try {
      await check(await import('./base64url'))
    } finally {
      vi.unstubAllGlobals()
    }
  })
})
