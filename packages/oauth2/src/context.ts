import type { KeySet } from '@oidkit/jose'
import type { Client } from './client'
import type { AuthorizationServerConfig, EndpointName, ServerEvents } from './config'
import type {
  AuthorizationCheck,
  ClientMetadataExtension,
  Endpoint,
  ResponseTypeHandler,
  ServerPlugin,
  TokenGrantHandler,
} from './plugin'
import type { RequestLike } from './request'
import type { Storage } from './storage'

/** Defaults of every optional setting, so that the hot path never checks for undefined. */
export interface ResolvedSettings {
  accessTokenTtl: number
  refreshTokenTtl: number
  authorizationCodeTtl: number
  rotateRefreshTokens: boolean
  accessTokenSigningAlg: string
  interactionTtl: number
  sessionTtl: number
  maxBodySize: number
  pkceRequired: 'public' | 'all'
  pkceMethods: readonly ('S256' | 'plain')[]
  clientAuthMethods: readonly string[]
  /** True when the issuer is https: cookies get `Secure`. */
  secureCookies: boolean
}

/**
 * The running server as extensions see it: configuration with defaults, storage, keys and the
 * registries of grants, response types, endpoints and checks.
 */
export interface ServerContext {
  readonly config: AuthorizationServerConfig
  readonly issuer: string
  readonly storage: Storage
  readonly keys: KeySet
  readonly settings: ResolvedSettings
  readonly grantTypes: ReadonlyMap<string, TokenGrantHandler>
  readonly responseTypes: ReadonlyMap<string, ResponseTypeHandler>
  readonly endpoints: readonly Endpoint[]
  readonly checks: readonly AuthorizationCheck[]
  readonly clientMetadata: readonly ClientMetadataExtension[]
  readonly plugins: readonly ServerPlugin[]
  /** The client each request authenticated as, for CORS and audit (set by client auth). */
  readonly requestClients: WeakMap<RequestLike, Client>
  /** Seconds since the epoch. */
  now(): number
  /** The absolute URL of an endpoint. */
  endpointUrl(name: EndpointName): string
  /** The path of an endpoint, relative to the host. */
  endpointPath(name: EndpointName): string
  /** Runs an audit hook; its failure never affects the response. */
  emit<K extends keyof ServerEvents>(
    name: K,
    event: Parameters<NonNullable<ServerEvents[K]>>[0],
  ): void
}

export const DEFAULT_GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials']
export const ALL_CLIENT_AUTH_METHODS = [
  'client_secret_basic',
  'client_secret_post',
  'client_secret_jwt',
  'private_key_jwt',
  'none',
]

/**
 * Builds the {@link ServerContext} from the configuration and the endpoint, grant and response
 * type registries (built-ins first, then plugins, so a plugin can replace a built-in).
 */
export function createContext(
  config: AuthorizationServerConfig,
  builtins: {
    endpoints: readonly Endpoint[]
    grantTypes: readonly TokenGrantHandler[]
    responseTypes: readonly ResponseTypeHandler[]
    checks: readonly AuthorizationCheck[]
  },
): ServerContext {
  let issuerUrl: URL
  try {
    issuerUrl = new URL(config.issuer)
  } catch {
    throw new TypeError('issuer must be an absolute URL')
  }
  if (issuerUrl.search || issuerUrl.hash) {
    // RFC 8414 2: the issuer has no query or fragment.
    throw new TypeError('issuer must not have a query or fragment')
  }
  const issuer = config.issuer
  const basePath = issuerUrl.pathname.replace(/\/$/, '')
  const plugins = config.plugins ?? []
  const enabledGrants = new Set(config.grantTypes ?? DEFAULT_GRANT_TYPES)

  const grantTypes = new Map<string, TokenGrantHandler>()
  for (const grant of [...builtins.grantTypes, ...plugins.flatMap((p) => p.grantTypes ?? [])]) {
    if (enabledGrants.has(grant.grantType)) grantTypes.set(grant.grantType, grant)
  }
  const responseTypes = new Map<string, ResponseTypeHandler>()
  for (const handler of [
    ...builtins.responseTypes,
    ...plugins.flatMap((p) => p.responseTypes ?? []),
  ]) {
    if (enabledGrants.has(handler.grantType)) responseTypes.set(handler.responseType, handler)
  }
  const endpointsByName = new Map<string, Endpoint>()
  for (const endpoint of [...builtins.endpoints, ...plugins.flatMap((p) => p.endpoints ?? [])]) {
    endpointsByName.set(endpoint.name, endpoint)
  }
  if (!config.registration) endpointsByName.delete('registration')
  const routes = config.routes ?? {}
  const endpointPath = (name: EndpointName) => {
    const endpoint = endpointsByName.get(name)
    const path = routes[name] ?? endpoint?.path
    if (path === undefined) throw new TypeError(`unknown endpoint "${name}"`)
    // RFC 8414 3: the authorization server metadata well-known segment goes before the issuer path.
    return path === '/.well-known/oauth-authorization-server'
      ? `${path}${basePath}`
      : `${basePath}${path}`
  }
  const tokens = config.tokens ?? {}
  const settings: ResolvedSettings = {
    accessTokenTtl: tokens.accessTokenTtl ?? 3600,
    refreshTokenTtl: tokens.refreshTokenTtl ?? 14 * 24 * 3600,
    authorizationCodeTtl: tokens.authorizationCodeTtl ?? 60,
    rotateRefreshTokens: tokens.rotateRefreshTokens ?? true,
    accessTokenSigningAlg: tokens.accessTokenSigningAlg ?? 'RS256',
    interactionTtl: config.interactions?.ttl ?? 3600,
    sessionTtl: config.sessionTtl ?? 14 * 24 * 3600,
    maxBodySize: config.maxBodySize ?? 64 * 1024,
    pkceRequired: config.pkce?.required ?? 'public',
    pkceMethods: config.pkce?.allowPlain ? ['S256', 'plain'] : ['S256'],
    clientAuthMethods: config.clientAuthMethods ?? ALL_CLIENT_AUTH_METHODS,
    secureCookies: issuerUrl.protocol === 'https:',
  }
  const now = config.now ?? (() => Math.floor(Date.now() / 1000))
  const events = config.events ?? {}

  return {
    config,
    issuer,
    storage: config.storage,
    keys: config.keys,
    settings,
    grantTypes,
    responseTypes,
    endpoints: [...endpointsByName.values()],
    checks: [...plugins.flatMap((p) => p.authorizationChecks ?? []), ...builtins.checks],
    clientMetadata: plugins.flatMap((p) => (p.clientMetadata ? [p.clientMetadata] : [])),
    plugins,
    requestClients: new WeakMap(),
    now,
    endpointPath,
    endpointUrl: (name) => `${issuerUrl.origin}${endpointPath(name)}`,
    emit(name, event) {
      const hook = events[name] as ((e: unknown) => unknown) | undefined
      if (!hook) return
      try {
        Promise.resolve(hook(event)).catch(() => {})
      } catch {
        // Audit hooks never break a response.
      }
    },
  }
}
