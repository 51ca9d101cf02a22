import { describe, expect, it } from 'vitest'
import { randomToken, sha256, timingSafeEqual } from './crypto'

describe('randomToken', () => {
  it('RFC 6749 10.10: 256 bits by default, every value distinct across refills of the pool', () => {
    const tokens = Array.from({ length: 1000 }, () => randomToken())
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(new Set(tokens).size).toBe(tokens.length)
  })

  it('RFC 6749 10.10: any size, including more bytes than the pool holds', () => {
    expect(randomToken(16)).toMatch(/^[A-Za-z0-9_-]{22}$/)
    const large = randomToken(5000)
    expect(large).toHaveLength(Math.ceil((5000 * 4) / 3))
    expect(large).not.toBe(randomToken(5000))
  })
})

describe('sha256', () => {
  it('RFC 7636 Appendix B: the S256 challenge of the example verifier', async () => {
    expect(await sha256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    )
  })
})

describe('timingSafeEqual', () => {
  it('RFC 6749 2.3.1 / RFC 7636 4.6: equal strings only, whatever their length or alphabet', () => {
    expect(timingSafeEqual('s3cr3t', 's3cr3t')).toBe(true)
    expect(timingSafeEqual('', '')).toBe(true)
    expect(timingSafeEqual('s3cr3t', 's3cr3T')).toBe(false)
    expect(timingSafeEqual('s3cr3t', 's3cr3')).toBe(false)
    expect(timingSafeEqual('s3cr3', 's3cr3t')).toBe(false)
    expect(timingSafeEqual('', 'x')).toBe(false)
    expect(timingSafeEqual('zoë', 'zoë')).toBe(true)
    expect(timingSafeEqual('zoë', 'zoe')).toBe(false)
  })
})
