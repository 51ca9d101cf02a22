import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, registerClient, startHarness } from './harness'
import { hostileRequests, specErrorFailures } from './hostile'

const registered = 'https://client.example/cb'
describe('hostile input: no 5xx, no stack trace, no redirect to an unregistered URI', () => {
  let h: Harness
  let clientId: string

  beforeAll(async () => {
    h = await startHarness()
    clientId = (await registerClient(h.issuer, { redirect_uris: [registered] })).client_id
  })
  afterAll(() => h.close())

  const paths = [
    '/authorize',
    '/token',
    '/revoke',
    '/introspect',
    '/register',
    '/register/some-client',
    '/.well-known/oauth-authorization-server',
    '/jwks',
  ]

  it.each(paths)(
    'RFC 6749 5.2 / RFC 9700 4.1: %s answers every hostile request with a spec error',
    async (path) => {
      const cases = hostileRequests(clientId, registered)
      expect(cases.length).toBeGreaterThanOrEqual(50)
      expect(await specErrorFailures(`${h.issuer}${path}`, cases, [registered, h.issuer])).toEqual(
        [],
      )
    },
  )
})
