import { setFlagsFromString } from 'node:v8'
import { describe, expect, it } from 'vitest'
import { MemoryStore } from './memory-store'
import type { AuthorizationCodeRecord, TokenRecord } from './storage'
import { withFields } from './with-fields'

// V8's own check of two objects' hidden class; natives syntax is read when the function is made.
setFlagsFromString('--allow-natives-syntax')
const sameClass = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (
  a: object,
  b: object,
) => boolean

// V8 gives such copies a class of their own only once the copying code is warm: compare late ones.
const WARM = 2_000

describe('withFields', () => {
  it('copies with the fields set, leaving the source as it was', () => {
    const base = { a: 1, b: 'x' } as { a: number; b: string; c?: number }
    const copy = withFields(base, { b: 'y', c: 2 })
    expect(copy).toEqual({ a: 1, b: 'y', c: 2 })
    expect(base).toEqual({ a: 1, b: 'x' })
  })

  it('gives every copy of records of one shape one hidden class', () => {
    const copies = Array.from({ length: WARM }, (_, i) => withFields({ a: i, b: 'x' }, { c: i }))
    expect(sameClass(copies.at(-1)!, copies.at(-2)!)).toBe(true)
  })
})

describe('MemoryStore records share hidden classes', () => {
  const t = Math.floor(Date.now() / 1000)
  const code = (i: number): AuthorizationCodeRecord => ({
    hash: `c${i}`,
    grantId: `g${i}`,
    clientId: 'client',
    redirectUri: 'https://rp.example/cb',
    redirectUriProvided: true,
    scopes: ['openid'],
    codeChallenge: 'x'.repeat(43),
    codeChallengeMethod: 'S256',
    createdAt: t,
    expiresAt: t + 60,
  })
  const token = (i: number): TokenRecord => ({
    hash: `t${i}`,
    type: 'refresh_token',
    grantId: `g${i}`,
    clientId: 'client',
    scopes: ['openid'],
    format: 'opaque',
    createdAt: t,
    expiresAt: t + 60,
  })

  // Every token request reads a consumed code or token field by field: a class per record would
  // send each of those reads to V8's runtime.
  it('consumed codes and tokens, and revoked tokens', async () => {
    const store = new MemoryStore()
    const consumedCodes: object[] = []
    const consumedTokens: object[] = []
    for (let i = 0; i < WARM; i++) {
      await store.codes.save(code(i))
      await store.tokens.save(token(i))
      const c = await store.codes.consume(`c${i}`, t)
      const r = await store.tokens.consume(`t${i}`, t)
      if (c.status === 'consumed') consumedCodes.push(c.record)
      if (r.status === 'consumed') consumedTokens.push(r.record)
      await store.grants.revoke(`g${i}`, t)
    }
    expect(consumedCodes).toHaveLength(WARM)
    expect(sameClass(consumedCodes.at(-1)!, consumedCodes.at(-2)!)).toBe(true)
    expect(sameClass(consumedTokens.at(-1)!, consumedTokens.at(-2)!)).toBe(true)
    const revoked = [await store.tokens.get(`t${WARM - 1}`), await store.tokens.get(`t${WARM - 2}`)]
    expect(revoked.map((r) => r?.revokedAt)).toEqual([t, t])
    expect(sameClass(revoked[0]!, revoked[1]!)).toBe(true)
  })
})
