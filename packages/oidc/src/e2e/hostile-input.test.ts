import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registerClient } from '../../../oauth2/src/e2e/harness'
import { type Hostile, hostileRequests, specErrorFailures } from '../../../oauth2/src/e2e/hostile'
import { type OidcHarness, startOidcHarness } from './harness'

const registered = 'https://rp.example/cb'

/** OpenID Connect request parameters an attacker (or a broken RP) may send. */
function oidcQueries(clientId: string): Hostile[] {
  const base = `client_id=${clientId}&redirect_uri=${encodeURIComponent(registered)}&scope=openid&state=s`
  const cases: Array<[string, string]> = [
    ['prompt none with login', 'response_type=code&prompt=none%20login'],
    ['prompt unknown', 'response_type=code&prompt=evil'],
    ['prompt empty words', 'response_type=code&prompt=%20%20'],
    ['prompt none alone, no session', 'response_type=code&prompt=none'],
    ['claims not JSON', 'response_type=code&claims=%7Bnot'],
    ['claims wrong shape', 'response_type=code&claims=%7B%22id_token%22%3A5%7D'],
    ['claims array', 'response_type=code&claims=%5B1%5D'],
    [
      'claims proto',
      `response_type=code&claims=${encodeURIComponent('{"__proto__":{"x":1},"userinfo":{"email":{"essential":"yes"}}}')}`,
    ],
    ['huge nonce', `response_type=code&nonce=${'n'.repeat(10000)}`],
    ['huge nonce implicit', `response_type=id_token&nonce=${'n'.repeat(10000)}`],
    ['implicit without nonce', 'response_type=id_token'],
    ['hybrid without nonce', 'response_type=code%20id_token'],
    ['unknown response_mode', 'response_type=code&response_mode=jwt'],
    ['query mode for tokens', 'response_type=id_token%20token&nonce=n&response_mode=query'],
    ['bad max_age', 'response_type=code&max_age=abc'],
    ['negative max_age', 'response_type=code&max_age=-1'],
    ['huge max_age', `response_type=code&max_age=${'9'.repeat(400)}`],
    ['garbage id_token_hint', 'response_type=code&id_token_hint=a.b.c'],
    [
      'unsigned id_token_hint',
      `response_type=code&id_token_hint=${btoa('{"alg":"none"}')}.${btoa('{"sub":"alice"}')}.`,
    ],
    ['request object', 'response_type=code&request=eyJhbGciOiJub25lIn0.e30.'],
    ['request_uri', 'response_type=code&request_uri=https%3A%2F%2Fevil.example%2Fr'],
    ['openid without redirect_uri', 'response_type=code&redirect_uri='],
    ['duplicated nonce', 'response_type=code&nonce=a&nonce=b'],
    [
      'acr_values and ui_locales junk',
      `response_type=code&acr_values=${'<x>'.repeat(100)}&ui_locales=%00%01`,
    ],
  ]
  return cases.map(([name, query]) => ({ name: `oidc ${name}`, query: `${base}&${query}` }))
}

describe('hostile input against every OpenID Connect endpoint and parameter', () => {
  let h: OidcHarness
  let clientId: string

  beforeAll(async () => {
    h = await startOidcHarness()
    const client = await registerClient(h.issuer, {
      redirect_uris: [registered],
      post_logout_redirect_uris: ['https://rp.example/bye'],
      grant_types: ['authorization_code', 'implicit'],
      response_types: ['code', 'id_token', 'id_token token', 'code id_token'],
    })
    clientId = client.client_id
  })
  afterAll(() => h.close())

  const paths = [
    '/authorize',
    '/userinfo',
    '/.well-known/openid-configuration',
    '/session/end',
    '/token',
    '/register',
  ]

  it.each(paths)(
    'OIDC Core 3.1.2.6 / RFC 6750 3.1: %s answers every hostile request with a spec error',
    async (path) => {
      const cases = [...hostileRequests(clientId, registered), ...oidcQueries(clientId)]
      expect(cases.length).toBeGreaterThanOrEqual(70)
      expect(await specErrorFailures(`${h.issuer}${path}`, cases, [registered, h.issuer])).toEqual(
        [],
      )
    },
  )

  it('OIDC Core 3.1.2.6: the OpenID parameter errors are redirected with state and iss, never shown as 5xx', async () => {
    for (const c of oidcQueries(clientId)) {
      const response = await fetch(`${h.issuer}/authorize?${c.query}`, { redirect: 'manual' })
      expect(response.status, c.name).toBeLessThan(500)
      const location = response.headers.get('location')
      if (!location?.startsWith(registered)) continue
      const url = new URL(location)
      const params = url.hash ? new URLSearchParams(url.hash.slice(1)) : url.searchParams
      if (!params.has('error')) continue
      expect(params.get('state'), c.name).toBe('s')
      expect(params.get('iss'), c.name).toBe(h.issuer)
    }
  })
})
