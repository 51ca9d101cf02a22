/**
 * Next.js App Router adapter for oidkit (Next 15 and 16, Node and Edge runtimes): route
 * handlers for a catch-all route. App Router already speaks Web `Request`, so nothing is
 * translated; the provider's core has no Node-only import.
 *
 * @example
 * ```ts
 * // app/[...oidc]/route.ts
 * import { oidkitHandlers } from '@oidkit/next'
 * import { provider } from '@/lib/provider'
 * export const { GET, POST, PUT, DELETE, OPTIONS } = oidkitHandlers(provider)
 * ```
 *
 * @module
 */
import type { AuthorizationServer } from '@oidkit/oauth2'

export type {
  AuthorizationServer,
  AuthorizationServerConfig,
  InteractionApi,
  InteractionDetails,
  InteractionResult,
  OAuthErrorCode,
} from '@oidkit/oauth2'
export { isOAuthError, OAuthError } from '@oidkit/oauth2'

/** What the adapter needs of a provider: `createAuthorizationServer` and `createOpenIDProvider` both fit. */
export type Provider = Pick<AuthorizationServer, 'handle'>

/** One App Router route handler. */
export type RouteHandler = (request: Request) => Promise<Response>

/** The route handlers of a catch-all route. */
export interface OidkitRouteHandlers {
  GET: RouteHandler
  POST: RouteHandler
  PUT: RouteHandler
  DELETE: RouteHandler
  OPTIONS: RouteHandler
}

/**
 * Route handlers that serve every endpoint of an oidkit provider (PUT and DELETE are RFC 7592
 * client management, OPTIONS the CORS preflight).
 *
 * @example
 * ```ts
 * export const { GET, POST, PUT, DELETE, OPTIONS } = oidkitHandlers(provider)
 * ```
 */
export function oidkitHandlers(provider: Provider): OidkitRouteHandlers {
  const handler: RouteHandler = (request) => provider.handle(request)
  return { GET: handler, POST: handler, PUT: handler, DELETE: handler, OPTIONS: handler }
}
