/**
 * Test helpers: the demo started in-process on a free port with its own data directory, and the
 * relying-party side of the flows (registration, PKCE, token requests).
 *
 * @module
 */
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'vitest'
// The conformance suite's browser (cookie jar, form parsing), by path: a workspace dependency
// on @oidkit/conformance would make `pnpm demo` build every adapter it tests.
import {
  CookieJar,
  follow,
  locationOf,
  navigate,
  parseForm,
  submitForm,
} from '../../../packages/conformance/src/browser'
import { createDemoProvider, type DemoProvider, type DemoProviderOptions } from './provider'

/** A demo OP listening on 127.0.0.1. */
export interface RunningDemo extends DemoProvider {
  issuer: string
  dataDir: string
  port: number
  /** Stops listening and closes the databases. */
  stop(): Promise<void>
}

/**
 * Starts the demo like `main.ts` does, on `port` (default a free one) and `dataDir` (default a
 * new temporary directory).
 *
 * @example
 * ```ts
 * const demo = await startDemo()
 * await demo.stop()
 * ```
 */
export async function startDemo(
  options: { dataDir?: string; port?: number } & Partial<DemoProviderOptions> = {},
): Promise<RunningDemo> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'oidkit-demo-'))
  let handler: DemoProvider['app'] | undefined
  const server: Server = createServer((req, res) => handler?.(req, res))
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', resolve)
  })
  const port = (server.address() as AddressInfo).port
  const issuer = `http://127.0.0.1:${port}`
  const demo = await createDemoProvider({
    issuer,
    dataDir,
    ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
  })
  handler = demo.app
  return {
    ...demo,
    issuer,
    dataDir,
    port,
    async stop() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      demo.close()
      // Lets fetch's connection pool see its keep-alive sockets closed before a restart on the
      // same port reuses them.
      await new Promise((resolve) => setTimeout(resolve, 50))
    },
  }
}

/** The redirect URI of the test clients: an https host the OP never contacts. */
export const REDIRECT_URI = 'https://client.example/cb'
export const POST_LOGOUT_URI = 'https://client.example/logged-out'

/** A client as RFC 7591 3.2.1 returns it. */
export interface RegisteredClient {
  client_id: string
  client_secret: string
  registration_access_token: string
  registration_client_uri: string
  [member: string]: unknown
}

/**
 * Registers a confidential code-flow client with refresh tokens (RFC 7591, open registration).
 *
 * @example
 * ```ts
 * const client = await registerClient(demo.issuer)
 * ```
 */
export async function registerClient(
  issuer: string,
  metadata: Record<string, unknown> = {},
): Promise<RegisteredClient> {
  const response = await fetch(`${issuer}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      client_name: 'Test RP',
      redirect_uris: [REDIRECT_URI],
      post_logout_redirect_uris: [POST_LOGOUT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      ...metadata,
    }),
  })
  expect(response.status).toBe(201)
  return (await response.json()) as RegisteredClient
}

/** RFC 7636 4.1 / 4.2: a verifier and its S256 challenge. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url')
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') }
}

/** An authorization request of the code flow with PKCE. */
export function authorizeUrl(
  issuer: string,
  client: RegisteredClient,
  params: Record<string, string> = {},
): { url: URL; verifier: string; state: string; nonce: string } {
  const { verifier, challenge } = pkcePair()
  const state = randomBytes(12).toString('base64url')
  const nonce = randomBytes(12).toString('base64url')
  const url = new URL(`${issuer}/authorize`)
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: REDIRECT_URI,
    scope: 'openid',
    state,
    nonce,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...params,
  }).toString()
  return { url, verifier, state, nonce }
}

/** A page the OP answered with: its response and its HTML. */
export interface Page {
  response: Response
  url: string
  html: string
}

/** Reads a response that should be a page (not a redirect). */
export async function pageOf(response: Response): Promise<Page> {
  return { response, url: response.url, html: await response.text() }
}

/** Opens a URL in the jar's browser and follows the OP's own redirects. */
export async function open(url: URL | string, jar: CookieJar): Promise<Page> {
  return pageOf(await navigate(url, jar))
}

/**
 * Submits the page's form (filled, with the chosen button) and follows the OP's redirects;
 * returns the last response unread.
 */
export async function submit(
  page: Page,
  jar: CookieJar,
  options: { fill?: Record<string, string>; button?: { name: string; value?: string } } = {},
): Promise<Response> {
  return follow(await submitForm(page.html, jar, { url: page.url, ...options }), jar)
}

/**
 * Plays alice (or bob) through login and consent, and returns the redirect to the client.
 *
 * @example
 * ```ts
 * const callback = await loginAndConsent(url, jar, 'alice', 'wonderland')
 * ```
 */
export async function loginAndConsent(
  url: URL,
  jar: CookieJar,
  username: string,
  password: string,
): Promise<URL> {
  const login = await open(url, jar)
  expect(login.response.status).toBe(200)
  expect(login.html).toContain('name="username"')
  const afterLogin = await submit(login, jar, { fill: { username, password } })
  let last = afterLogin
  if (afterLogin.status === 200) {
    const consent = await pageOf(afterLogin)
    expect(consent.html).toContain('value="deny"')
    last = await submit(consent, jar)
  }
  expect(last.status).toBe(303)
  return locationOf(last)
}

/** Basic client authentication (RFC 6749 2.3.1). */
export function basicAuth(client: RegisteredClient): string {
  const encode = (value: string) => encodeURIComponent(value)
  return `Basic ${btoa(`${encode(client.client_id)}:${encode(client.client_secret)}`)}`
}

/** A token request with client_secret_basic; returns status and JSON body. */
export async function tokenRequest(
  issuer: string,
  client: RegisteredClient,
  params: Record<string, string>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: {
      authorization: basicAuth(client),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams(params),
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

/** The security headers every demo page carries. */
export function expectSecurityHeaders(response: Response): void {
  const csp = response.headers.get('content-security-policy')
  expect(csp).toBe(
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' https: http:; frame-ancestors 'none'; base-uri 'none'",
  )
  expect(response.headers.get('x-frame-options')).toBe('DENY')
  expect(response.headers.get('referrer-policy')).toBe('no-referrer')
  expect(response.headers.get('x-content-type-options')).toBe('nosniff')
  expect(response.headers.get('cache-control')).toBe('no-store')
}

export { CookieJar, locationOf, parseForm }
