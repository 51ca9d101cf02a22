/**
 * Test support for the unit tests of the framework adapters (@oidkit/express, @oidkit/koa,
 * @oidkit/next): one OpenID Provider configuration, a real `node:http` server on 127.0.0.1
 * closed after each test, and the requests those tests repeat. Not exported from the
 * conformance entry; only tests import it.
 *
 * @module
 */
import { once } from 'node:events'
import { createServer, request as httpRequest, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { KeySet } from '@oidkit/jose'
import {
  type AuthorizationServer,
  type EndpointResponse,
  MemoryStore,
  type RequestLike,
} from '@oidkit/oauth2'
import { createOpenIDProvider, type OpenIDProvider } from '@oidkit/oidc'
import { expect, onTestFinished } from 'vitest'

/**
 * The redirect URI the adapter tests register.
 *
 * @example
 * ```ts
 * await register(issuer, { redirect_uris: [REDIRECT_URI] })
 * ```
 */
export const REDIRECT_URI = 'https://rp.example/cb'

let sharedKeys: Promise<KeySet> | undefined

/**
 * The provider of the adapter tests at `issuer`: code, refresh and client_credentials grants,
 * open registration, and alice's name as the only claim. Its RS256 keys are made once per file.
 *
 * @example
 * ```ts
 * const provider = await testProvider('https://op.example')
 * ```
 */
export async function testProvider(issuer: string): Promise<OpenIDProvider> {
  sharedKeys ??= KeySet.generate('RS256')
  return createOpenIDProvider({
    issuer,
    keys: await sharedKeys,
    storage: new MemoryStore(),
    grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
    registration: { policy: { type: 'open' } },
    openid: { claims: () => ({ name: 'Alice' }) },
  })
}

/** What the adapters mount: the part of the provider they call. */
export type Provider = Pick<AuthorizationServer, 'handle' | 'dispatch' | 'matches'>

/** A listening server and the provider whose issuer carries its port. */
export interface Listening {
  http: Server
  origin: string
  issuer: string
  provider: OpenIDProvider
}

/**
 * Listens on 127.0.0.1 first, so that the provider's issuer (`origin` + `basePath`) can carry
 * the port; the server is closed when the current test finishes. Attach the framework with
 * `http.on('request', listener)`.
 *
 * @example
 * ```ts
 * const { http, issuer, provider } = await listen('/oidc')
 * ```
 */
export async function listen(basePath: string): Promise<Listening> {
  const http = createServer()
  http.listen(0, '127.0.0.1')
  await once(http, 'listening')
  onTestFinished(() => {
    http.closeAllConnections()
    http.close()
  })
  const origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`
  const issuer = `${origin}${basePath}`
  return { http, origin, issuer, provider: await testProvider(issuer) }
}

/**
 * RFC 7591 3: registers a client and expects 201 Created.
 *
 * @example
 * ```ts
 * const client = await register(issuer, { redirect_uris: [REDIRECT_URI] })
 * ```
 */
export async function register(issuer: string, body: Record<string, unknown>) {
  const response = await fetch(`${issuer}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  expect(response.status).toBe(201)
  return (await response.json()) as { client_id: string; client_secret: string }
}

/**
 * The metadata of a confidential client_credentials client (client_secret_post).
 *
 * @example
 * ```ts
 * const client = await register(issuer, CONFIDENTIAL)
 * ```
 */
export const CONFIDENTIAL = {
  redirect_uris: [REDIRECT_URI],
  grant_types: ['client_credentials'],
  response_types: [],
  token_endpoint_auth_method: 'client_secret_post',
}

/**
 * RFC 6749 4.4: a client_credentials token request with client_secret_post.
 *
 * @example
 * ```ts
 * const token = await clientCredentials(issuer, client)
 * ```
 */
export function clientCredentials(
  issuer: string,
  client: { client_id: string; client_secret: string },
): Promise<Response> {
  return fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', ...client }),
  })
}

/**
 * An OpenID code request of `clientId` to {@link REDIRECT_URI}, with the RFC 7636 Appendix B
 * S256 code_challenge.
 *
 * @example
 * ```ts
 * const start = await fetch(codeAuthorizeUrl(issuer, client.client_id), { redirect: 'manual' })
 * ```
 */
export function codeAuthorizeUrl(issuer: string, clientId: string): URL {
  const url = new URL(`${issuer}/authorize`)
  url.search = new URLSearchParams({
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
    response_type: 'code',
    scope: 'openid',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
  }).toString()
  return url
}

/**
 * RFC 9112 8: starts a form POST to /token that announces 1000 bytes, sends a few, and goes away;
 * resolves once the socket is closed.
 *
 * @example
 * ```ts
 * await abortMidBody(origin)
 * ```
 */
export async function abortMidBody(origin: string): Promise<void> {
  const aborted = httpRequest({
    host: '127.0.0.1',
    port: new URL(origin).port,
    method: 'POST',
    path: '/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '1000' },
  })
  aborted.on('error', () => {})
  aborted.write('grant_type=client_credentials&client_id=')
  await new Promise((resolve) => setTimeout(resolve, 50))
  const closed = new Promise((resolve) => aborted.once('close', resolve))
  aborted.destroy()
  await closed
}

/**
 * The provider as an adapter sees it, telling `onRequest` what reaches it and `onResponse` what
 * it answers.
 *
 * @example
 * ```ts
 * app.use(oidkit(spy(provider, { onRequest: (request) => seen.push(request.url) })))
 * ```
 */
export function spy(
  provider: Provider,
  hooks: {
    onRequest?(request: RequestLike): void
    onResponse?(response: EndpointResponse): void
  },
): Provider {
  const around = async <R extends EndpointResponse>(
    request: RequestLike,
    answer: (request: RequestLike) => R | Promise<R>,
  ): Promise<R> => {
    hooks.onRequest?.(request)
    const response = await answer(request)
    hooks.onResponse?.(response)
    return response
  }
  return {
    matches: (path) => provider.matches(path),
    handle: (request) => around(request, (r) => provider.handle(r)),
    dispatch: (request) => around(request, (r) => provider.dispatch(r)),
  }
}

/** What {@link watch} learns about the requests that reach the provider. */
export interface Watched {
  /** The URL of every request, in order. */
  urls: string[]
  /** The status of the first response the provider gives (for requests whose client is gone). */
  firstStatus: Promise<number>
  /** The provider as the adapter sees it, reporting here. */
  around(provider: Provider): Provider
}

/**
 * Watches a provider from outside the app that mounts it: what reaches it and what it answers.
 *
 * @example
 * ```ts
 * const seen = watch()
 * app.use(oidkit(seen.around(provider)))
 * expect(await seen.firstStatus).toBe(400)
 * ```
 */
export function watch(): Watched {
  const urls: string[] = []
  let settle: (status: number) => void = () => {}
  const firstStatus = new Promise<number>((resolve) => {
    settle = resolve
  })
  return {
    urls,
    firstStatus,
    around: (provider) =>
      spy(provider, {
        onRequest: (request) => void urls.push(request.url),
        onResponse: (response) => settle(response.status),
      }),
  }
}
