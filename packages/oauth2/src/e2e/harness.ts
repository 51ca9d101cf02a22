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
 * Starts an authorization server on 127.0.0.1 with a test login page: `POST
 * /interaction/{id}` with `account` (and optional `deny`) finishes login and consent at once.
 */
export async function startHarness(
  config: Partial<AuthorizationServerConfig> = {},
): Promise<Harness> {
  sharedKeys ??= KeySet.generate(['RS256', 'ES256'])
  const keys = await sharedKeys
  const store = new MemoryStore()
  let server: AuthorizationServer | undefined
  const http = createServer(
    nodeHandler(async (request) => {
      const url = new URL(request.url)
      const match = /^\/interaction\/([^/]+)$/.exec(url.pathname)
      if (match && server) {
        const id = match[1]!
        if (request.method === 'GET') {
          const details = await server.interactions.get(request, id)
          return Response.json(details)
        }
        const form = new URLSearchParams(await request.text())
        if (form.has('deny'))
          return server.interactions.finish(request, id, { error: 'access_denied' })
        return server.interactions.finish(request, id, {
          login: { accountId: form.get('account') ?? 'alice', amr: ['pwd'] },
          consent: {},
        })
      }
      return server!.handle(request)
    }),
  )
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const issuer = `http://127.0.0.1:${(http.address() as AddressInfo).port}`
  server = createAuthorizationServer({
    issuer,
    keys,
    storage: store,
    registration: { policy: { type: 'open' } },
    ...config,
  })
  return {
    issuer,
    server,
    store,
    keys,
    http,
    close: () => new Promise((resolve) => http.close(() => resolve())),
  }
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
