import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, startHarness } from './harness'
import { expectSpecErrors, hostileRequests } from './hostile'

const registered = 'https://client.example/cb'
describe('hostile input: no 5xx, no stack trace, no redirect to an unregistered URI', () => {
  let h: Harness
  let clientId: string

  beforeAll(async () => {
    h = await startHarness()
    const response = await fetch(`${h.issuer}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: [registered] }),
    })
    clientId = ((await response.json()) as { client_id: string }).client_id
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
      const failures: string[] = []
      await expectSpecErrors(
        `${h.issuer}${path}`,
        cases,
        [registered, h.issuer],
        (ok, label, detail) => {
          if (!ok) failures.push(`${label}: ${detail}`)
        },
      )
      expect(failures).toEqual([])
    },
  )
})
