import {
  type AuthorizationServer,
  createAuthorizationServer,
  type ServerPlugin,
} from '@oidkit/oauth2'
import { oidcChecks } from './authorization-checks'
import { oidcClientMetadata } from './client-metadata'
import type { OpenIDOptions, OpenIDProviderConfig } from './config'
import { discoveryEndpoint, openidMetadata } from './discovery-endpoint'
import { endSessionEndpoint, type LogoutApi, logoutApi } from './end-session-endpoint'
import { oidcResponseTypes } from './response-types'
import { openidTokenExtension } from './token-extension'
import { userinfoEndpoint } from './userinfo-endpoint'

/**
 * The OpenID Connect plugin for an `@oidkit/oauth2` server: ID tokens at the token endpoint,
 * the implicit and hybrid response types, the OIDC request parameters (prompt, max_age,
 * id_token_hint, claims), UserInfo, discovery, registration metadata and RP-Initiated Logout.
 *
 * @example
 * ```ts
 * createAuthorizationServer({ issuer, keys, storage, plugins: [openid({ claims })] })
 * ```
 */
export function openid(options: OpenIDOptions): ServerPlugin {
  return {
    name: 'openid',
    responseTypes: oidcResponseTypes(options),
    endpoints: [userinfoEndpoint(options), discoveryEndpoint(options), endSessionEndpoint(options)],
    authorizationChecks: oidcChecks(options),
    clientMetadata: oidcClientMetadata(options.registration),
    extendTokenResponse: openidTokenExtension(options),
    extendMetadata: openidMetadata(options),
  }
}

/** An OpenID Provider: the OAuth 2.0 server plus the logout API. */
export interface OpenIDProvider extends AuthorizationServer {
  /** RP-Initiated Logout: what an integrator's own logout confirmation page reads and finishes. */
  readonly logout: LogoutApi
}

/** The scopes an OpenID Provider knows by default (OIDC Core 5.4, 11). */
export const DEFAULT_OPENID_SCOPES = [
  'openid',
  'profile',
  'email',
  'address',
  'phone',
  'offline_access',
]

/**
 * Creates an OpenID Provider.
 *
 * @example
 * ```ts
 * const provider = createOpenIDProvider({
 *   issuer: 'https://id.example.com',
 *   keys: await KeySet.generate('RS256'),
 *   storage: new MemoryStore(),
 *   openid: { claims: async (accountId) => users.get(accountId)?.claims },
 * })
 * ```
 */
export function createOpenIDProvider(config: OpenIDProviderConfig): OpenIDProvider {
  const { openid: options, plugins = [], ...rest } = config
  // OIDC Discovery 1.0 3: RS256 must be among the ID token signing algorithms.
  if (!config.keys.algorithms().includes('RS256')) {
    throw new TypeError('an OpenID Provider needs a current RS256 key (OIDC Discovery 1.0 3)')
  }
  const server = createAuthorizationServer({
    ...rest,
    scopes: rest.scopes ?? DEFAULT_OPENID_SCOPES,
    tokens: {
      ...rest.tokens,
      // OIDC Core 11: for OpenID requests a refresh token needs offline_access.
      issueRefreshToken:
        rest.tokens?.issueRefreshToken ??
        ((_client, scopes) => !scopes.includes('openid') || scopes.includes('offline_access')),
    },
    plugins: [openid(options), ...plugins],
  })
  return { ...server, logout: logoutApi(server.context, options) }
}
