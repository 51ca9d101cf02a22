import { setFlagsFromString } from 'node:v8'
import type { AuthorizationCodeRecord, GrantRecord, TokenRecord } from '@oidkit/oauth2'
import { describe, expect, it } from 'vitest'
import { codeData, grantData, parseCode, parseGrant, parseToken, tokenData } from './rows'

// V8's own check of two objects' hidden class; natives syntax is read when the function is made.
setFlagsFromString('--allow-natives-syntax')
const sameClass = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (
  a: object,
  b: object,
) => boolean

const t = 1_800_000_000
const grant = (i: number): GrantRecord => ({
  id: `g${i}`,
  clientId: 'client',
  accountId: 'alice',
  scopes: ['openid'],
  createdAt: t,
  expiresAt: t + 60,
})
const code = (i: number): AuthorizationCodeRecord => ({
  hash: `c${i}`,
  grantId: `g${i}`,
  clientId: 'client',
  redirectUri: 'https://rp.example/cb',
  redirectUriProvided: true,
  scopes: ['openid'],
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

describe('rows', () => {
  it('reads the column-held fields back into the record', () => {
    expect(parseGrant({ data: grantData(grant(1)), revoked_at: t })).toEqual({
      ...grant(1),
      revokedAt: t,
    })
    expect(parseCode({ data: codeData(code(1)), consumed_at: null })).toEqual(code(1))
    expect(parseToken({ data: tokenData(token(1)), revoked_at: t, consumed_at: t + 1 })).toEqual({
      ...token(1),
      revokedAt: t,
      consumedAt: t + 1,
    })
  })

  // Every token request reads these records field by field: a class per record (what a spread
  // copy given a new field gets in V8) would send each read to V8's runtime.
  it('gives records read with a revoked or consumed column one hidden class', () => {
    const read = Array.from({ length: 2_000 }, (_, i) => ({
      grant: parseGrant({ data: grantData(grant(i)), revoked_at: t }),
      code: parseCode({ data: codeData(code(i)), consumed_at: t }),
      token: parseToken({ data: tokenData(token(i)), revoked_at: t, consumed_at: t }),
    }))
    const [a, b] = [read.at(-1)!, read.at(-2)!]
    expect(sameClass(a.grant, b.grant)).toBe(true)
    expect(sameClass(a.code, b.code)).toBe(true)
    expect(sameClass(a.token, b.token)).toBe(true)
  })
})
