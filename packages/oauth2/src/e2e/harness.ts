import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { KeySet } from '@oidkit/jose'
import type { AuthorizationServerConfig } from '../config'
import { MemoryStore } from '../memory-store'
import { nodeHandler } from '../node'
import { type AuthorizationServer, createAuthorizationServer } from '../server'

/** A real listening HTTP server around an authorization server, for end-to-end tests. */
export interface Harness {
  issuer: string
  server: AuthorizationServer
  store: MemoryStore
  keys: KeySet
  http: Server
  close(): Promise<void>
}

let sharedKeys: Promise<KeySet> | undefined

/**
 * One RS256 and one ES256 key, generated once per test file.
 *
 * @example
 * ```ts
 * const keys = await harnessKeys()
 * ```
 */
export function harnessKeys(): Promise<KeySet> {
  sharedKeys ??= KeySet.generate(['RS256', 'ES256'])
  return sharedKeys
}

/** A listening HTTP server on 127.0.0.1 around `app`, with its issuer (which carries the port). */
export interface Listening<T> {
  issuer: string
  app: T
  http: Server
  close(): Promise<void>
}

/**
 * Listens on 127.0.0.1, then creates the app with the issuer that carries the port (`create`)
 * and serves it with a test login page: GET `/interaction/{id}` returns the interaction as JSON,
 * POST with `account` (and optional `deny`) finishes login and consent at once.
 *
 * @example
 * ```ts
 * const { issuer, app, close } = await listenWithTestLogin((issuer) => createAuthorizationServer({ issuer, keys, storage }))
 * ```
 */
export async function listenWithTestLogin<
  T extends Pick<AuthorizationServer, 'handle' | 'interactions'>,
>(create: (issuer: string) => T): Promise<Listening<T>> {
  let app: T | undefined
  const http = createServer(
    nodeHandler(async (request) => {
      const match = /^\/interaction\/([^/]+)$/.exec(new URL(request.url).pathname)
      if (match && app) {
        const id = match[1]!
        if (request.method === 'GET') return Response.json(await app.interactions.get(request, id))
        const form = new URLSearchParams(await request.text())
        if (form.has('deny'))
          return app.interactions.finish(request, id, { error: 'access_denied' })
        return app.interactions.finish(request, id, {
          login: { accountId: form.get('account') ?? 'alice', amr: ['pwd'] },
          consent: {},
        })
      }
      return app!.handle(request)
    }),
  )
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const issuer = `http://127.0.0.1:${(http.address() as AddressInfo).port}`
  app = create(issuer)
  return {
    issuer,
    app,
    http,
    close: () => new Promise((resolve) => http.close(() => resolve())),
  }
}

/**
 * Starts an authorization server on 127.0.0.1 with open registration and the test login page of
 * {@link listenWithTestLogin}.
 */
export async function startHarness(
  config: Partial<AuthorizationServerConfig> = {},
): Promise<Harness> {
  const keys = await harnessKeys()
  const store = new MemoryStore()
  const { app: server, ...listening } = await listenWithTestLogin((issuer) =>
    createAuthorizationServer({
      issuer,
      keys,
      storage: store,
      registration: { policy: { type: 'open' } },
      ...config,
    }),
  )
  return { ...listening, server, store, keys }
}

/**
 * RFC 7591 3: registers a client at `issuer` with open registration; returns the response body
 * (the caller checks what it needs).
 *
 * @example
 * ```ts
 * const { client_id } = await registerClient(h.issuer, { redirect_uris: [registered] })
 * ```
 */
export async function registerClient(
  issuer: string,
  metadata: Record<string, unknown>,
): Promise<{ client_id: string; client_secret: string }> {
  const response = await fetch(`${issuer}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(metadata),
  })
  return (await response.json()) as { client_id: string; client_secret: string }
}

/** A tiny cookie jar: what a browser would carry across redirects. */
export class CookieJar {
  readonly #cookies = new Map<string, string>()

  store(response: Response): void {
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';')
      const index = pair!.indexOf('=')
      const name = pair!.slice(0, index).trim()
      const value = pair!.slice(index + 1).trim()
      if (/max-age=0/i.test(cookie) || value === '') this.#cookies.delete(name)
      else this.#cookies.set(name, value)
    }
  }

  header(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  }
}

/**
 * Plays the browser: follows the authorization request through the interaction page (posting
 * `form`) until the redirect to the client, and returns that final URL.
 */
export async function browserAuthorize(
  authorizeUrl: URL | string,
  jar: CookieJar,
  form: Record<string, string> = { account: 'alice' },
): Promise<URL> {
  let url = new URL(authorizeUrl)
  const origin = url.origin
  for (let hop = 0; hop < 10; hop++) {
    const isInteraction = url.origin === origin && url.pathname.startsWith('/interaction/')
    const response = await fetch(url, {
      method: isInteraction ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        cookie: jar.header(),
        ...(isInteraction ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(isInteraction ? { body: new URLSearchParams(form) } : {}),
    })
    jar.store(response)
    const location = response.headers.get('location')
    if (!location)
      throw new Error(`no redirect from ${url} (${response.status}): ${await response.text()}`)
    url = new URL(location, url)
    if (url.origin !== origin) return url
  }
  throw new Error('too many redirects')
}
