import type {
  AuthorizationServerConfig,
  Client,
  EndpointResponse,
  RequestLike,
} from '@oidkit/oauth2'
import type { OIDCClientMetadataOptions } from './client-metadata'

/** Where requested claims go. */
export type ClaimsUse = 'id_token' | 'userinfo'

/** What the account hook is told when oidkit needs an end-user's claims. */
export interface AccountClaimsContext {
  readonly use: ClaimsUse
  readonly client: Client
  /** Granted scopes. */
  readonly scopes: readonly string[]
  /** The claim names that will be released (already filtered by scopes and `claims`). */
  readonly claims: ReadonlySet<string>
}

/** RP-Initiated Logout settings. */
export interface LogoutOptions {
  /**
   * Where the integrator's logout confirmation page lives (it shows a form that posts back to
   * `finish`); default: a built-in confirmation page served by the end_session_endpoint.
   */
  url?(logoutId: string): string
  /** The page shown after logout when there is no (valid) post_logout_redirect_uri. */
  renderLoggedOut?(request: RequestLike): EndpointResponse | Promise<EndpointResponse>
}

/**
 * The OpenID Connect settings (`openid` in the provider configuration).
 *
 * @example
 * ```ts
 * const openid: OpenIDOptions = {
 *   claims: async (accountId) => (await db.users.find(accountId))?.claims,
 * }
 * ```
 */
export interface OpenIDOptions {
  /**
   * The end-user's claims (OIDC Core 5.1), `sub` excluded: oidkit sets it. Return everything
   * you have; oidkit releases only what the granted scopes and `claims` request allow. Return
   * undefined for an account that no longer exists.
   */
  claims(
    accountId: string,
    context: AccountClaimsContext,
  ): Promise<Record<string, unknown> | undefined> | Record<string, unknown> | undefined
  /** ID token lifetime in seconds (default 3600). */
  idTokenTtl?: number
  /** `acr_values_supported`. */
  acrValues?: readonly string[]
  /** `claims_supported` (default: `sub` plus the OIDC Core 5.1 standard claims). */
  claimsSupported?: readonly string[]
  /** Client metadata rules (OIDC Registration 1.0 2), e.g. `allowInsecureWebRedirects` for development. */
  registration?: OIDCClientMetadataOptions
  logout?: LogoutOptions
}

/**
 * An OpenID Provider's configuration: the OAuth 2.0 server's plus `openid`.
 *
 * @example
 * ```ts
 * const provider = createOpenIDProvider({ issuer, keys, storage, openid: { claims } })
 * ```
 */
export interface OpenIDProviderConfig extends AuthorizationServerConfig {
  openid: OpenIDOptions
}
