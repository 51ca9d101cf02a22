/**
 * Express 4 and 5 adapter for oidkit. Mount it before your own routes; it answers the
 * provider's endpoints and passes every other path on untouched.
 *
 * @example
 * ```ts
 * const app = express()
 * app.use(oidkit(provider)) // before express.json()/urlencoded is fine too
 * app.get('/interaction/:id', loginPage)
 * ```
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AuthorizationServer } from '@oidkit/oauth2'
import { respond } from '@oidkit/oauth2/node'

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
export type Provider = Pick<AuthorizationServer, 'dispatch' | 'matches'>

/** Options of {@link oidkit}. */
export interface ExpressAdapterOptions {
  /**
   * Rebuild the request origin from `X-Forwarded-Proto`/`X-Forwarded-Host`: only behind a proxy
   * you trust. It affects routing only; the issuer always comes from the provider's configuration.
   */
  trustProxy?: boolean
}

/** The request members the adapter reads; an Express `Request` has them all. */
type ExpressRequest = IncomingMessage & { originalUrl?: string; body?: unknown }

/**
 * Express middleware that serves every endpoint of an oidkit provider.
 *
 * @example
 * ```ts
 * app.use(oidkit(createOpenIDProvider(config), { trustProxy: true }))
 * ```
 */
export function oidkit(
  provider: Provider,
  options: ExpressAdapterOptions = {},
): (req: ExpressRequest, res: ServerResponse, next: (error?: unknown) => void) => void {
  return (req, res, next) => {
    // Decide on the path alone, so the body of a request for another route is never read.
    const path = (req.originalUrl ?? req.url ?? '/').split('?', 1)[0]!
    if (!provider.matches(path)) return next()
    respond(req, res, provider, {
      ...(options.trustProxy ? { trustProxy: true } : {}),
    }).catch(next)
  }
}
