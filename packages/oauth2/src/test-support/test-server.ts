// Test support for the unit tests of @oidkit/oauth2: the fixture they all rebuilt by hand (a
// ServerContext over a MemoryStore with a mutable clock, saved clients, form posts to an
// endpoint). Never exported from a package entry and never imported by non-test source.
import { KeySet } from '@oidkit/jose'
import type { Client } from '../client'
import type { AuthorizationServerConfig } from '../config'
import { createContext, type ServerContext } from '../context'
import { sha256 } from '../crypto'
import { isOAuthError } from '../errors'
import { MemoryStore } from '../memory-store'
import type {
  AuthorizationCheck,
  Endpoint,
  ResponseTypeHandler,
  TokenGrantHandler,
} from '../plugin'
import { toWebResponse } from '../response'
import type { GrantRecord } from '../storage'

/**
 * The issuer of the unit tests.
 *
 * @example
 * ```ts
 * new Request(`${TEST_ISSUER}/token`, { method: 'POST' })
 * ```
 */
export const TEST_ISSUER = 'https://as.example'

let sharedKeys: Promise<KeySet> | undefined

/**
 * One RS256 key set, generated once per test file (key generation is the slow part of a setup).
 *
 * @example
 * ```ts
 * const keys = await testKeys()
 * ```
 */
export function testKeys(): Promise<KeySet> {
  sharedKeys ??= KeySet.generate('RS256')
  return sharedKeys
}

/**
 * An RFC 6749 2.3.1 client_secret_basic `Authorization` header (plain ids and secrets only).
 *
 * @example
 * ```ts
 * headers: { authorization: basic('app', 'app-secret') }
 * ```
 */
export const basic = (id: string, secret: string): string => `Basic ${btoa(`${id}:${secret}`)}`

/**
 * A confidential client whose secret is `${id}-secret`, stored hashed as the server expects.
 *
 * @example
 * ```ts
 * await secretClient('app', { grant_types: ['client_credentials'] })
 * ```
 */
export async function secretClient(id: string, metadata: Partial<Client> = {}): Promise<Client> {
  return { client_id: id, client_secret_hash: await sha256(`${id}-secret`), ...metadata }
}

/**
 * Alice's grant `g1` to the client `app` for `read`, valid for a day from `now`; `extra` overrides.
 *
 * @example
 * ```ts
 * await storage.grants.save(testGrant(clock.now, { scopes: ['read', 'write'] }))
 * ```
 */
export function testGrant(now: number, extra: Partial<GrantRecord> = {}): GrantRecord {
  return {
    id: 'g1',
    clientId: 'app',
    accountId: 'alice',
    scopes: ['read'],
    createdAt: now,
    expiresAt: now + 86400,
    ...extra,
  }
}

/**
 * A grant handler that only has to exist: for registries whose tests never call it.
 *
 * @example
 * ```ts
 * grantTypes: ['authorization_code', 'refresh_token'].map(stubGrant)
 * ```
 */
export const stubGrant = (grantType: string): TokenGrantHandler => ({
  grantType,
  handle: () => Promise.reject(new Error('token requests are not part of these tests')),
})

/**
 * A response type handler that only has to exist (fragment by default, unless it is `code`).
 *
 * @example
 * ```ts
 * responseTypes: [stubResponseType('code', 'authorization_code')]
 * ```
 */
export const stubResponseType = (type: string, grantType: string): ResponseTypeHandler => ({
  responseType: type,
  grantType,
  defaultResponseMode: type === 'code' ? 'query' : 'fragment',
  returnsTokens: type !== 'code',
  respond: async () => ({}),
})

/** What a test server is built from; everything is optional. */
export interface TestServerOptions {
  /**
   * Spread last over issuer, keys, storage, the clock and the `grantRevoked` recorder, so a test
   * may replace any of them.
   */
  config?: Partial<AuthorizationServerConfig>
  /** Saved in the store before the test runs; also returned by id. */
  clients?: readonly Client[]
  endpoints?: readonly Endpoint[]
  grantTypes?: readonly TokenGrantHandler[]
  responseTypes?: readonly ResponseTypeHandler[]
  checks?: readonly AuthorizationCheck[]
  /** Seconds since the epoch the clock starts at (default: now). */
  start?: number
}

/** A ServerContext ready for a test, with the store, the clock and request helpers. */
export interface TestServer {
  server: ServerContext
  storage: MemoryStore
  /** The server's clock (seconds); tests move it with {@link TestServer.advance}. */
  clock: { now: number }
  advance(seconds: number): void
  clients: Record<string, Client>
  /** The id of every grant revoked (RFC 9700 4.14.2 reuse detection, RFC 7009 2.1), in order. */
  revokedGrants: string[]
  /** Sends a request to the endpoint serving its path; an OAuthError becomes its response, as in server.ts. */
  call(request: Request): Promise<Response>
  /** POSTs an application/x-www-form-urlencoded body to a path below the issuer. */
  post(path: string, form: Record<string, string>, headers?: HeadersInit): Promise<Response>
}

/**
 * Builds a {@link TestServer}: a ServerContext over a fresh MemoryStore, the shared keys and a
 * clock the test controls, with the given registries and clients.
 *
 * @example
 * ```ts
 * const { post } = await testServer({ endpoints: [tokenEndpoint], clients: [await secretClient('app')] })
 * const response = await post('/token', { grant_type: 'client_credentials' }, { authorization: basic('app', 'app-secret') })
 * ```
 */
export async function testServer(options: TestServerOptions = {}): Promise<TestServer> {
  const clock = { now: options.start ?? Math.floor(Date.now() / 1000) }
  const storage = new MemoryStore()
  const revokedGrants: string[] = []
  const server = createContext(
    {
      issuer: TEST_ISSUER,
      keys: await testKeys(),
      storage,
      now: () => clock.now,
      events: { grantRevoked: ({ grantId }) => void revokedGrants.push(grantId) },
      ...options.config,
    },
    {
      endpoints: options.endpoints ?? [],
      grantTypes: options.grantTypes ?? [],
      responseTypes: options.responseTypes ?? [],
      checks: options.checks ?? [],
    },
  )
  const clients: Record<string, Client> = {}
  for (const client of options.clients ?? []) {
    clients[client.client_id] = client
    await storage.clients.save(client)
  }
  const endpointFor = (pathname: string) =>
    server.endpoints.find((endpoint) => {
      const path = server.endpointPath(endpoint.name)
      return pathname === path || (endpoint.prefix === true && pathname.startsWith(`${path}/`))
    })
  const call = async (request: Request) => {
    const endpoint = endpointFor(new URL(request.url).pathname)
    if (!endpoint) throw new Error(`no endpoint serves ${request.url}`)
    try {
      return toWebResponse(await endpoint.handle(request, server))
    } catch (error) {
      if (isOAuthError(error)) return error.toResponse()
      throw error
    }
  }
  return {
    server,
    storage,
    clock,
    advance: (seconds) => {
      clock.now += seconds
    },
    clients,
    revokedGrants,
    call,
    post: (path, form, headers = {}) =>
      call(
        new Request(`${server.issuer}${path}`, {
          method: 'POST',
          headers,
          body: new URLSearchParams(form),
        }),
      ),
  }
}

/**
 * The parts of a JSON response the tests look at.
 *
 * @example
 * ```ts
 * const { status, body } = await jsonOf(await post('/token', form))
 * ```
 */
export async function jsonOf(response: Response) {
  return { status: response.status, headers: response.headers, body: await response.json() }
}
