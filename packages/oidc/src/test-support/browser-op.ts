// Test support for the unit tests of @oidkit/oidc that drive an OpenID Provider as a browser
// would: the server, the `app` client, a cookie jar and ID token hints. Never exported from the
// package entry and never imported by non-test source.
import { KeySet, signJwt } from '@oidkit/jose'
import {
  type AuthorizationServer,
  type Client,
  createAuthorizationServer,
  type InteractionResult,
  MemoryStore,
  type ServerPlugin,
} from '@oidkit/oauth2'
import { CookieJar } from '../../../oauth2/src/e2e/harness'
import { testKeys } from '../../../oauth2/src/test-support/test-server'

export { testKeys }

/** The issuer of these tests. */
export const ISSUER = 'https://op.example'
/** The redirect URI of the `app` client. */
export const CB = 'https://rp.example/cb'
/** The time (seconds) the clock of {@link browserOp} starts at. */
export const START = 1_700_000_000
/** RFC 7636 Appendix B: the code_challenge of its example verifier. */
export const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'

/**
 * The authorization request URL of `app`: an OpenID code request with state `st` and PKCE
 * (RFC 7636 4.3); `params` override, and an `undefined` value removes a parameter.
 *
 * @example
 * ```ts
 * op.browser(authorizeUrl({ prompt: 'none', redirect_uri: undefined }))
 * ```
 */
export function authorizeUrl(params: Record<string, string | undefined> = {}): string {
  const query = Object.entries({
    client_id: 'app',
    response_type: 'code',
    redirect_uri: CB,
    scope: 'openid profile',
    state: 'st',
    code_challenge: CHALLENGE,
    code_challenge_method: 'S256',
    ...params,
  }).filter((entry): entry is [string, string] => entry[1] !== undefined)
  return `${ISSUER}/authorize?${new URLSearchParams(query)}`
}

let stranger: Promise<KeySet> | undefined

/**
 * An RS256 key set the provider does not know, for signatures it must refuse.
 *
 * @example
 * ```ts
 * const forged = await idTokenHint({}, await strangerKeys())
 * ```
 */
export function strangerKeys(): Promise<KeySet> {
  stranger ??= KeySet.generate('RS256')
  return stranger
}

/**
 * An ID token for alice, issued to `app` at {@link START} for an hour, to send as
 * id_token_hint (OIDC Core 3.1.2.1); `claims` override, `signer` defaults to the provider's keys.
 *
 * @example
 * ```ts
 * await idTokenHint({ sub: 'bob' })
 * ```
 */
export async function idTokenHint(
  claims: Record<string, unknown> = {},
  signer?: KeySet,
  typ?: string,
): Promise<string> {
  return signJwt(
    { iss: ISSUER, sub: 'alice', aud: 'app', iat: START, exp: START + 3600, ...claims },
    { key: signer ?? (await testKeys()), ...(typ ? { typ } : {}) },
  )
}

/** What {@link browserOp} builds: the provider, its store and clock, and one browser. */
export interface BrowserOp {
  server: AuthorizationServer
  storage: MemoryStore
  clock: { now: number }
  /** The cookies of the current browser. */
  jar(): CookieJar
  /** Another browser: no cookies. */
  newBrowser(): void
  /** A request from the browser, with its cookies (and an Accept header when given). */
  browser(url: string, init?: RequestInit, accept?: string): Request
  /** Sends a browser request through the whole server, keeping the cookies it sets. */
  send(request: Request): Promise<Response>
  /** Finishes a pending interaction as the login / consent page would; keeps the cookies. */
  finishInteraction(id: string, result: InteractionResult): Promise<Response>
}

/**
 * An authorization server at {@link ISSUER} (scopes `openid profile`, clock at {@link START})
 * with `plugins`, the public client `app` (redirect URI {@link CB}; `client` overrides) and a
 * browser with an empty cookie jar.
 *
 * @example
 * ```ts
 * const op = await browserOp({ plugins: [plugin], client: { client_name: 'The App' } })
 * await op.send(op.browser(`${ISSUER}/authorize?${params}`))
 * ```
 */
export async function browserOp(options: {
  plugins: ServerPlugin[]
  client?: Partial<Client>
}): Promise<BrowserOp> {
  const storage = new MemoryStore()
  const clock = { now: START }
  const server = createAuthorizationServer({
    issuer: ISSUER,
    keys: await testKeys(),
    storage,
    scopes: ['openid', 'profile'],
    now: () => clock.now,
    plugins: options.plugins,
  })
  await storage.clients.save({
    client_id: 'app',
    redirect_uris: [CB],
    token_endpoint_auth_method: 'none',
    scope: 'openid profile',
    ...options.client,
  })
  let jar = new CookieJar()
  const browser = (url: string, init: RequestInit = {}, accept?: string) =>
    new Request(url, {
      ...init,
      headers: { ...init.headers, cookie: jar.header(), ...(accept ? { accept } : {}) },
    })
  const keep = (response: Response) => {
    jar.store(response)
    return response
  }
  return {
    server,
    storage,
    clock,
    jar: () => jar,
    newBrowser: () => {
      jar = new CookieJar()
    },
    browser,
    send: async (request) => keep(await server.handle(request)),
    finishInteraction: async (id, result) =>
      keep(
        await server.interactions.finish(
          browser(`${ISSUER}/interaction/${id}`, { method: 'POST' }),
          id,
          result,
        ),
      ),
  }
}
