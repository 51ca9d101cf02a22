import type { GenericSchema } from 'valibot'
import type { Client } from './client'
import type { EndpointName } from './config'
import type { ServerContext } from './context'
import type { OAuthErrorCode } from './errors'
import type { OAuthRequest, RequestLike } from './request'
import type { EndpointResponse } from './response'
import type {
  AuthorizationCodeRecord,
  ConsentRecord,
  GrantRecord,
  InteractionRecord,
  SessionRecord,
} from './storage'

/** A validated authorization request (RFC 6749 4.1.1, 4.2.1). */
export interface AuthorizationRequest {
  readonly client: Client
  readonly redirectUri: string
  /** Space-separated response type values in a canonical (sorted) order. */
  readonly responseType: string
  readonly responseMode: string
  readonly scopes: readonly string[]
  readonly state?: string
  /** Every request parameter, for extensions (nonce, prompt, max_age, claims, ...). */
  readonly params: Readonly<Record<string, string>>
}

/**
 * Handles one `response_type` at the authorization endpoint (Authlib's authorization grants).
 *
 * @example
 * ```ts
 * const handler: ResponseTypeHandler = { responseType: 'code', grantType: 'authorization_code', ... }
 * ```
 */
export interface ResponseTypeHandler {
  /** Canonical response type, values sorted: `code`, `token`, `code id_token`, ... */
  readonly responseType: string
  /** The grant type the client must be registered for. */
  readonly grantType: string
  readonly defaultResponseMode: 'query' | 'fragment'
  /** True when the response carries tokens, so `response_mode=query` is refused. */
  readonly returnsTokens: boolean
  /** Extra validation of the request; throw an OAuthError to redirect it to the client. */
  validate?(request: AuthorizationRequest, server: ServerContext): void | Promise<void>
  /** The parameters to deliver to the redirect URI once the end-user granted access. */
  respond(ctx: AuthorizationResponseContext): Promise<Record<string, string>>
}

/** What a response type handler gets once access is granted. */
export interface AuthorizationResponseContext {
  readonly server: ServerContext
  readonly request: AuthorizationRequest
  readonly grant: GrantRecord
  readonly session: SessionRecord
}

/** Handles one `grant_type` at the token endpoint (RFC 6749 4.1.3, 4.3.2, 4.4.2, 6). */
export interface TokenGrantHandler {
  readonly grantType: string
  handle(ctx: TokenRequestContext): Promise<TokenResponseBody>
}

/** An authenticated token request. */
export interface TokenRequestContext {
  readonly server: ServerContext
  readonly request: OAuthRequest
  readonly client: Client
  /** The client authentication method that succeeded. */
  readonly authMethod: string
}

/** A successful token response (RFC 6749 5.1), plus extension members such as `id_token`. */
export interface TokenResponseBody {
  access_token: string
  token_type: 'Bearer'
  expires_in: number
  refresh_token?: string
  scope?: string
  [member: string]: unknown
}

/** What a token response extension sees (e.g. to add an OpenID Connect `id_token`). */
export interface TokenResponseContext {
  readonly server: ServerContext
  readonly client: Client
  readonly grant: GrantRecord
  readonly grantType: string
  readonly scopes: readonly string[]
  readonly response: TokenResponseBody
  /** The redeemed code, for authorization_code. */
  readonly code?: AuthorizationCodeRecord
}

/** What an authorization check sees when deciding whether the end-user must act. */
export interface AuthorizationCheckContext {
  readonly server: ServerContext
  readonly request: AuthorizationRequest
  readonly session: SessionRecord | undefined
  readonly consent: ConsentRecord | undefined
  /** The pending request when it resumes after an interaction step. */
  readonly interaction: InteractionRecord | undefined
}

/**
 * The outcome of a check: nothing to do, an interaction the end-user must go through
 * (`login`, `consent`, `select_account`, ...), or an error to redirect to the client.
 */
export type AuthorizationCheckResult =
  | undefined
  | { readonly prompt: string; readonly reason?: string }
  | { readonly error: OAuthErrorCode; readonly description?: string }

/** One step of the authorization decision; the first that returns a result wins. */
export type AuthorizationCheck = (
  ctx: AuthorizationCheckContext,
) => AuthorizationCheckResult | Promise<AuthorizationCheckResult>

/** An endpoint served by `handle()` (Authlib's register_endpoint). */
export interface Endpoint {
  readonly name: EndpointName
  /** Default path relative to the issuer; `routes` in the config overrides it. */
  readonly path: string
  readonly methods: readonly string[]
  /** Also serves every path below `path` (e.g. RFC 7592 `/register/{client_id}`). */
  readonly prefix?: boolean
  /** Browser clients may call it cross-origin: `'public'` for documents anyone may read (any origin), `true` for origins of the calling client's redirect URIs. */
  readonly cors?: boolean | 'public'
  /**
   * Answers a request. An endpoint that needs nothing asynchronous (a cached document) may answer
   * synchronously: the server then makes no promise for it, and the Node bridge writes the answer
   * within the request event. An error may be thrown or rejected.
   */
  handle(request: RequestLike, server: ServerContext): EndpointResponse | Promise<EndpointResponse>
}

/** Client metadata added by an extension, composed with RFC 7591's. */
export interface ClientMetadataExtension {
  readonly entries: Readonly<Record<string, GenericSchema>>
  /** Cross-field and server-dependent checks; throw an OAuthError. May fill defaults. */
  check?(metadata: Record<string, unknown>, server: ServerContext): void | Promise<void>
}

/**
 * An extension of the authorization server: grants, response types, endpoints, checks, metadata.
 *
 * @example
 * ```ts
 * const plugin: ServerPlugin = { name: 'jwt-bearer', grantTypes: [jwtBearerGrant] }
 * createAuthorizationServer({ ...config, plugins: [plugin] })
 * ```
 */
export interface ServerPlugin {
  readonly name: string
  readonly responseTypes?: readonly ResponseTypeHandler[]
  readonly grantTypes?: readonly TokenGrantHandler[]
  readonly endpoints?: readonly Endpoint[]
  /** Run before the built-in login and consent checks. */
  readonly authorizationChecks?: readonly AuthorizationCheck[]
  readonly clientMetadata?: ClientMetadataExtension
  /** Adds members to the token response (e.g. `id_token`). */
  extendTokenResponse?(ctx: TokenResponseContext): void | Promise<void>
  /** Adds members to the server metadata documents (RFC 8414, OIDC Discovery). */
  extendMetadata?(metadata: Record<string, unknown>, server: ServerContext): void
}

/** A registered client after metadata validation. */
export type { Client }
