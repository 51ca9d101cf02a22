import { parseClaimsRequest } from '@oidkit/jose'
import type { Client, GrantRecord } from '@oidkit/oauth2'
import { describe, expect, it } from 'vitest'
import { accountClaims } from './account-claims'
import type { OpenIDOptions } from './config'

const client = { client_id: 'app', redirect_uris: ['https://rp.example/cb'] } as Client
const grant = (claims?: unknown): GrantRecord => ({
  id: 'g1',
  clientId: 'app',
  accountId: 'alice',
  scopes: ['openid', 'email'],
  ...(claims ? { claims: claims as GrantRecord['claims'] } : {}),
  createdAt: 0,
  expiresAt: 60,
})
// accountClaims reads only the claims hook of the options.
const withAccount = (account: Record<string, unknown>) =>
  ({ claims: async () => account }) as unknown as OpenIDOptions

describe('accountClaims', () => {
  it('OIDC Core 5.4 / 5.3.2: the scope claims with a value, and sub set to the account id', async () => {
    const released = await accountClaims(
      withAccount({ sub: 'mallory', email: 'a@x', email_verified: '' }),
      {
        grant: grant(),
        client,
        use: 'userinfo',
      },
    )
    expect(released).toEqual({ sub: 'alice', email: 'a@x' })
  })

  // parseClaimsRequest leaves the name out, so released[name] = value never meets it.
  it('OIDC Core 5.5: a claims request naming __proto__ releases nothing by that name and leaves the prototype alone', async () => {
    const account = JSON.parse('{"email":"a@x","__proto__":{"polluted":true}}')
    const released = await accountClaims(withAccount(account), {
      grant: grant(parseClaimsRequest('{"userinfo":{"__proto__":null}}')),
      client,
      use: 'userinfo',
    })
    expect(released).toEqual({ sub: 'alice', email: 'a@x' })
    expect(Object.getPrototypeOf(released)).toBe(Object.prototype)
    expect((released as Record<string, unknown>).polluted).toBeUndefined()
  })
})
