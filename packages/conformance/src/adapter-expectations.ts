/**
 * Test support for the unit tests of the framework adapters: the checks every adapter must pass
 * the same way, with their assertions, against a provider served by `listen` from
 * ./adapter-test-support. Import it as a namespace (`import * as expectAdapter from ...`). Not
 * exported from the conformance entry; only tests import it.
 *
 * @module
 */
import { expect } from 'vitest'
import {
  CONFIDENTIAL,
  clientCredentials,
  codeAuthorizeUrl,
  REDIRECT_URI,
  register,
} from './adapter-test-support'
import { browserFetch, CookieJar } from './browser'

/**
 * OIDC Core 3.1.2.3: a login route mounted after the adapter gets its form body unread, and a
 * path that is no endpoint gets the framework's own 404, not the provider's JSON error.
 *
 * @example
 * ```ts
 * await expectAdapter.loginRoutePassedOn(origin)
 * ```
 */
export async function loginRoutePassedOn(origin: string): Promise<void> {
  const login = await fetch(`${origin}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'username=alice&password=wonderland',
  })
  expect(await login.json()).toEqual({ username: 'alice', password: 'wonderland' })
  const unknown = await fetch(`${origin}/nowhere`)
  expect(unknown.status).toBe(404)
  expect(unknown.headers.get('content-type')).not.toContain('application/json')
}

/**
 * RFC 7591 3 / RFC 6749 4.4: registration (JSON) and a client_credentials request (form) both
 * reach the provider and succeed.
 *
 * @example
 * ```ts
 * await expectAdapter.bodiesReachProvider(issuer)
 * ```
 */
export async function bodiesReachProvider(issuer: string): Promise<void> {
  const client = await register(issuer, CONFIDENTIAL)
  const token = await clientCredentials(issuer, client)
  expect(token.status).toBe(200)
  expect(await token.json()).toMatchObject({ token_type: 'Bearer' })
}

/**
 * RFC 6265 4.1: the authorization endpoint sets the one pending-interaction cookie, and the
 * interaction page (POST `/interaction/{id}` with `account`) both the session cookie and the
 * removal of the interaction cookie, before the redirect with a code.
 *
 * @example
 * ```ts
 * await expectAdapter.everySetCookieWritten(issuer)
 * ```
 */
export async function everySetCookieWritten(issuer: string): Promise<void> {
  const client = await register(issuer, {
    redirect_uris: [REDIRECT_URI],
    token_endpoint_auth_method: 'none',
  })
  const jar = new CookieJar()
  const start = await browserFetch(codeAuthorizeUrl(issuer, client.client_id), jar)
  expect(start.status).toBe(303)
  const pending = start.headers.getSetCookie()
  expect(pending).toHaveLength(1)
  // The jar now holds that one pending cookie, and sends only it.
  const finish = await browserFetch(new URL(start.headers.get('location')!, issuer), jar, {
    method: 'POST',
    body: new URLSearchParams({ account: 'alice' }),
  })
  expect(finish.headers.get('location')).toMatch(/^https:\/\/rp\.example\/cb\?code=/)
  // The new session and the removal of the finished interaction: two distinct cookies.
  const names = finish.headers.getSetCookie().map((cookie) => cookie.split('=')[0])
  expect(names.sort()).toEqual(['oidkit.interaction', 'oidkit.session'])
}

/**
 * OIDC Discovery 1.0 3: with `X-Forwarded-*` headers from an attacker the discovery document
 * still names the configured issuer; with `trustProxy` they only shape the request URL the
 * provider saw (`seen`, from {@link spy}).
 *
 * @example
 * ```ts
 * await expectAdapter.configuredIssuer(origin, issuer, seen, trustProxy)
 * ```
 */
export async function configuredIssuer(
  origin: string,
  issuer: string,
  seen: readonly string[],
  trustProxy: boolean,
): Promise<void> {
  const response = await fetch(`${origin}/.well-known/openid-configuration`, {
    headers: { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' },
  })
  const metadata = (await response.json()) as { issuer: string; token_endpoint: string }
  expect(metadata.issuer).toBe(issuer)
  expect(metadata.token_endpoint).toBe(`${issuer}/token`)
  // The forwarded headers only shape the request URL the provider routes on.
  expect(new URL(seen[0]!).origin).toBe(trustProxy ? 'https://evil.example' : origin)
}

/**
 * OIDC Discovery 1.0 4.1: an issuer with a path serves discovery and the token endpoint under
 * it.
 *
 * @example
 * ```ts
 * await expectAdapter.servedUnderPath(origin, `${origin}/oidc`)
 * ```
 */
export async function servedUnderPath(origin: string, issuer: string): Promise<void> {
  const metadata = await fetch(`${issuer}/.well-known/openid-configuration`)
  expect(await metadata.json()).toMatchObject({
    issuer,
    token_endpoint: `${origin}/oidc/token`,
  })
  const client = await register(issuer, CONFIDENTIAL)
  expect((await clientCredentials(issuer, client)).status).toBe(200)
}

/**
 * RFC 9112 8: the server lives on after what came before (e.g. a client that went away): the
 * discovery document is still served.
 *
 * @example
 * ```ts
 * await expectAdapter.stillServing(issuer)
 * ```
 */
export async function stillServing(issuer: string): Promise<void> {
  const metadata = await fetch(`${issuer}/.well-known/openid-configuration`)
  expect(metadata.status).toBe(200)
}
