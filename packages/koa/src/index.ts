/**
 * Koa 2 and 3 adapter for oidkit. It answers the provider's endpoints and passes every other
 * path on (`await next()`).
 *
 * @example
 * ```ts
 * const app = new Koa()
 * app.use(oidkit(provider))
 * app.use(router.routes()) // your login and consent pages
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
export interface KoaAdapterOptions {
  /**
   * Rebuild the request origin from `X-Forwarded-*` headers: only behind a proxy you trust. It
   * affects routing only; the issuer always comes from the provider's configuration.
   */
  trustProxy?: boolean
}

/** The context members the adapter uses; a Koa `Context` has them all. */
interface KoaContext {
  req: IncomingMessage
  res: ServerResponse
  path: string
  respond?: boolean
  request: { body?: unknown }
}

/**
 * Koa middleware that serves every endpoint of an oidkit provider. A body already parsed by
 * koa-bodyparser is re-encoded for the provider.
 *
 * @example
 * ```ts
 * app.use(oidkit(createOpenIDProvider(config)))
 * ```
 */
export function oidkit(
  provider: Provider,
  options: KoaAdapterOptions = {},
): (ctx: KoaContext, next: () => Promise<unknown>) => Promise<void> {
  return async (ctx, next) => {
    if (!provider.matches(ctx.path)) {
      await next()
      return
    }
    // Koa must not write its own response over ours.
    ctx.respond = false
    // Both fields always, in one order: one V8 hidden class for every request's options.
    await respond(ctx.req, ctx.res, provider, {
      trustProxy: options.trustProxy === true,
      body: ctx.request.body,
    })
  }
}
