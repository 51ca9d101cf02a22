import type { KeySet } from '@oidkit/jose'
import type { Client } from './client'
import type { OAuthError } from './errors'
import type { ServerPlugin } from './plugin'
import type { OAuthRequest, RequestLike } from './request'
import type { EndpointResponse } from './response'
import type { GrantRecord, InteractionRecord, SessionRecord, Storage, TokenRecord } from './storage'

/** The endpoints the server can route, by name. */
export type EndpointName =
  | 'authorization'
  | 'token'
  | 'revocation'
  | 'introspection'
  | 'registration'
  | 'metadata'
  | 'jwks'
  | (string & {})

/** Who may register clients at the registration endpoint (RFC 7591 3). */
export type RegistrationPolicy =
  | { type: 'open' }
  | { type: 'initial-access-token'; tokens: readonly string[] }
  | {
      type: 'custom'
      /** Accept (true) or refuse (false → `access_denied`) the registration request. */
      authorize(
        request: OAuthRequest,
        metadata: Record<string, unknown>,
      ): Promise<boolean> | boolean
    }

/** Registration settings (RFC 7591, RFC 7592). */
export interface RegistrationConfig {
  policy: RegistrationPolicy
  /** Keys that sign accepted `software_statement`s (RFC 7591 2.3); omit to refuse statements. */
  softwareStatementKeys?: import('@oidkit/jose').VerificationInput
  /** Require a software statement on every registration. */
  requireSoftwareStatement?: boolean
  /** Decide whether a verified statement is approved (false → `unapproved_software_statement`). */
  approveSoftwareStatement?(claims: Record<string, unknown>): boolean | Promise<boolean>
  /** Seconds until an issued client secret expires; 0 (default) never. */
  secretLifetime?: number
}

/** CORS for browser clients on the JSON endpoints. */
export interface CorsConfig {
  /**
   * `'clients'` (default) allows the origins of registered redirect URIs; an array is a fixed
   * allow-list; a function decides per origin.
   */
  origins?:
    | 'clients'
    | readonly string[]
    | ((origin: string, client?: Client) => boolean | Promise<boolean>)
}

/** Audit hooks. They run after the fact and their errors are swallowed. */
export interface ServerEvents {
  clientAuthenticated?(event: {
    client: Client
    method: string
    endpoint: string
  }): void | Promise<void>
  tokenIssued?(event: {
    client: Client
    grant: GrantRecord
    token: TokenRecord
    grantType: string
  }): void | Promise<void>
  tokenRevoked?(event: { token: TokenRecord; client?: Client }): void | Promise<void>
  grantRevoked?(event: { grantId: string; reason: string }): void | Promise<void>
}

/** The integrator's account database; oidkit never owns users. */
export interface AccountHooks {
  /** Resource owner password credentials (RFC 6749 4.3), only used when that grant is enabled. */
  authenticate?(username: string, password: string, client: Client): Promise<string | undefined>
  /** True when the account still exists and may use the service; defaults to true. */
  isActive?(accountId: string): Promise<boolean>
}

/** Settings of the pending-request interactions (login, consent). */
export interface InteractionConfig {
  /** Where the integrator's page for an interaction lives; default `${issuer}/interaction/${id}`. */
  url?(interaction: InteractionRecord): string
  /** Seconds a pending request waits for the end-user (default 3600). */
  ttl?: number
  /** Skip consent for this client (first-party clients). */
  skipConsent?(client: Client, session: SessionRecord): boolean | Promise<boolean>
  /**
   * Renders the errors of the authorization endpoint that must not be redirected (unknown
   * client, unregistered redirect_uri; RFC 6749 4.1.2.1); default an HTML page or JSON.
   */
  renderError?(
    error: OAuthError,
    request: RequestLike,
  ): EndpointResponse | Promise<EndpointResponse>
}

/** Token formats and lifetimes. */
export interface TokenConfig {
  /** Access tokens are opaque (looked up in the store) or RFC 9068 JWTs. Default opaque. */
  accessTokenFormat?: 'opaque' | 'jwt' | ((client: Client) => 'opaque' | 'jwt')
  /** Signing alg of JWT access tokens (default RS256). */
  accessTokenSigningAlg?: string
  /** `aud` of JWT access tokens (RFC 9068 2.2); default the issuer. */
  accessTokenAudience?: string
  /** Seconds (default 3600). */
  accessTokenTtl?: number
  /** Seconds (default 14 days). */
  refreshTokenTtl?: number
  /** Seconds (default 60, RFC 6749 4.1.2 recommends at most 10 minutes). */
  authorizationCodeTtl?: number
  /** Rotate refresh tokens on use with reuse detection (default true; RFC 9700 4.14.2). */
  rotateRefreshTokens?: boolean
  /** Issue refresh tokens from the authorization code grant only when this returns true. */
  issueRefreshToken?(client: Client, scopes: readonly string[]): boolean
}

/** Who may introspect which tokens (RFC 7662 2.1, 4). */
export interface IntrospectionConfig {
  /**
   * Decides whether the authenticated `client` may learn about `token`; when omitted a client may
   * introspect only the tokens issued to it. Denied requests get `{ "active": false }`.
   *
   * @example
   * ```ts
   * allow: (client, token) => token.clientId === client.client_id || client.client_id === 'api'
   * ```
   */
  allow?(client: Client, token: TokenRecord): boolean | Promise<boolean>
}

/** PKCE policy (RFC 7636, RFC 9700 2.1.1). */
export interface PkceConfig {
  /** Who must send a code challenge: public clients (default) or all clients. */
  required?: 'public' | 'all'
  /** Allow the `plain` method (off by default). */
  allowPlain?: boolean
}

/**
 * Everything `createAuthorizationServer` needs.
 *
 * @example
 * ```ts
 * const config: AuthorizationServerConfig = {
 *   issuer: 'https://auth.example.com',
 *   keys: await KeySet.generate('RS256'),
 *   storage: new MemoryStore(),
 * }
 * ```
 */
export interface AuthorizationServerConfig {
  /** The issuer identifier (RFC 8414 2), used exactly as given; never taken from request headers. */
  issuer: string
  keys: KeySet
  storage: Storage
  /** Endpoint paths, relative to the issuer's path. */
  routes?: Partial<Record<EndpointName, string>>
  /** Grant types to enable. Default: authorization_code, refresh_token, client_credentials. */
  grantTypes?: readonly string[]
  /** Scopes the server knows (scopes_supported); requests for others get `invalid_scope`. */
  scopes?: readonly string[]
  /** Client authentication methods accepted (RFC 6749 2.3, RFC 7523); default all five. */
  clientAuthMethods?: readonly string[]
  tokens?: TokenConfig
  pkce?: PkceConfig
  /** Introspection policy (RFC 7662); by default a client may introspect its own tokens. */
  introspection?: IntrospectionConfig
  /** Dynamic registration; omitted or false disables the endpoint. */
  registration?: RegistrationConfig | false
  cors?: CorsConfig
  interactions?: InteractionConfig
  /** Session lifetime in seconds (default 14 days). */
  sessionTtl?: number
  accounts?: AccountHooks
  events?: ServerEvents
  /** Largest request body in bytes (default 64 KiB). */
  maxBodySize?: number
  /** Extensions: custom grants, response types, endpoints, metadata (e.g. OpenID Connect). */
  plugins?: readonly ServerPlugin[]
  /** Called with unexpected errors (the client only sees `server_error`). */
  onError?(error: unknown, request: RequestLike): void
  /** The clock, in seconds; for tests. */
  now?: () => number
}
