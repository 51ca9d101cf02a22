import { KeySet } from '@oidkit/jose'
import {
  type AuthorizationServerConfig,
  type Client,
  createAuthorizationServer,
  MemoryStore,
  type ServerPlugin,
  sha256,
} from '@oidkit/oauth2'
import type { OpenIDOptions } from '../config'
import { oidcResponseTypes } from '../response-types'
import { openidTokenExtension } from '../token-extension'

// Test fixture of the ID token, token extension and response type tests: an authorization server
// with only those OpenID Connect pieces plugged in, clients of every shape, and a browser.

export const ISSUER = 'https://op.example'
export const CB = 'https://client.example/cb'
export const SECRET = 'web-client-secret'

/** The end-users' claims (OIDC Core 5.1). */
export const ACCOUNTS: Record<string, Record<string, unknown>> = {
  alice: { name: 'Alice Liddell', email: 'alice@example.com', email_verified: true },
}

const ALL_RESPONSE_TYPES = [
  'code',
  'id_token',
  'id_token token',
  'code id_token',
  'code token',
  'code id_token token',
]

let sharedKeys: Promise<KeySet> | undefined
/** One RS256 and one ES256 key, generated once per test file. */
export const testKeys = (): Promise<KeySet> => {
  sharedKeys ??= KeySet.generate(['RS256', 'ES256'])
  return sharedKeys
}

/** What a browser does with cookies, by hand. */
export class Jar {
  readonly cookies = new Map<string, string>()
  store(response: Response): void {
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';')
      const index = pair!.indexOf('=')
      if (/Max-Age=0/i.test(cookie)) this.cookies.delete(pair!.slice(0, index))
      else this.cookies.set(pair!.slice(0, index), pair!.slice(index + 1))
    }
  }
  request(url: string, init: RequestInit = {}): Request {
    const cookie = [...this.cookies].map(([n, v]) => `${n}=${v}`).join('; ')
    return new Request(url, { ...init, headers: cookie ? { cookie } : {} })
  }
}

/** The parameters of an authorization response, from its fragment or query. */
export function responseParams(url: URL): Record<string, string> {
  const source = url.hash ? new URLSearchParams(url.hash.slice(1)) : url.searchParams
  return Object.fromEntries(source)
}

const client = (id: string, extra: Partial<Client> = {}): Client => ({
  client_id: id,
  redirect_uris: [CB],
  token_endpoint_auth_method: 'client_secret_basic',
  grant_types: ['authorization_code', 'refresh_token', 'implicit', 'password'],
  response_types: ALL_RESPONSE_TYPES,
  scope: 'openid profile email',
  ...extra,
})

/**
 * Starts a server with `grantTypes` (default: code, refresh, implicit, password) and these
 * clients (secret {@link SECRET} unless public):
 * `web` (RS256 by default), `es` (ES256), `ps` (PS256, which the key set lacks), `spa` (public),
 * `no-code` (registered for implicit only).
 */
export async function startGrantsServer(
  input: { grantTypes?: string[]; openid?: Partial<OpenIDOptions>; accountId?: string } = {},
) {
  const storage = new MemoryStore()
  const clock = { now: 1_700_000_000 }
  const options: OpenIDOptions = { claims: (accountId) => ACCOUNTS[accountId], ...input.openid }
  const plugin: ServerPlugin = {
    name: 'oidc-grants-test',
    responseTypes: oidcResponseTypes(options),
    extendTokenResponse: openidTokenExtension(options),
  }
  const config: AuthorizationServerConfig = {
    issuer: ISSUER,
    keys: await testKeys(),
    storage,
    grantTypes: input.grantTypes ?? ['authorization_code', 'refresh_token', 'implicit', 'password'],
    scopes: ['openid', 'profile', 'email'],
    plugins: [plugin],
    accounts: {
      authenticate: async (username, password) =>
        password === 'right' && ACCOUNTS[username] ? username : undefined,
    },
    now: () => clock.now,
  }
  const server = createAuthorizationServer(config)
  const secretHash = await sha256(SECRET)
  for (const saved of [
    client('web', { client_secret_hash: secretHash }),
    client('es', { client_secret_hash: secretHash, id_token_signed_response_alg: 'ES256' }),
    client('ps', { client_secret_hash: secretHash, id_token_signed_response_alg: 'PS256' }),
    client('spa', { token_endpoint_auth_method: 'none' }),
    client('no-code', { client_secret_hash: secretHash, grant_types: ['implicit'] }),
  ]) {
    await storage.clients.save(saved)
  }
  const jar = new Jar()
  const login = {
    accountId: input.accountId ?? 'alice',
    acr: 'urn:mace:incommon:iap:silver',
    amr: ['pwd', 'otp'],
  }

  /** Plays the browser through login and consent; returns the redirect to the client. */
  const authorize = async (params: Record<string, string>): Promise<URL> => {
    const query = new URLSearchParams({ redirect_uri: CB, ...params })
    let response = await server.authorization(jar.request(`${ISSUER}/authorize?${query}`))
    jar.store(response)
    let location = response.headers.get('location')
    const prefix = `${ISSUER}/interaction/`
    if (location?.startsWith(prefix)) {
      const id = location.slice(prefix.length)
      const page = jar.request(`${prefix}${id}`, { method: 'POST' })
      response = await server.interactions.finish(page, id, { login, consent: {} })
      jar.store(response)
      location = response.headers.get('location')
    }
    if (!location) throw new Error(`no redirect (${response.status}): ${await response.text()}`)
    return new URL(location)
  }

  /** A token request, authenticated as `clientId` with client_secret_basic (`spa`: public). */
  const token = async (form: Record<string, string>, clientId = 'web') => {
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
    }
    if (clientId === 'spa') form = { ...form, client_id: clientId }
    else headers.authorization = `Basic ${btoa(`${clientId}:${SECRET}`)}`
    const response = await server.token(
      new Request(`${ISSUER}/token`, {
        method: 'POST',
        headers,
        body: new URLSearchParams(form),
      }),
    )
    return { status: response.status, body: (await response.json()) as Record<string, unknown> }
  }

  /** Redeems a code at the token endpoint (RFC 6749 4.1.3). */
  const redeem = (code: string, clientId = 'web', extra: Record<string, string> = {}) =>
    token({ grant_type: 'authorization_code', code, redirect_uri: CB, ...extra }, clientId)

  return { server, storage, clock, options, keys: config.keys, authorize, token, redeem }
}

/** The fixture {@link startGrantsServer} resolves to. */
export type GrantsServer = Awaited<ReturnType<typeof startGrantsServer>>
