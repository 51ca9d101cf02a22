/**
 * Conformance targets for the framework adapters: a real `node:http` server on 127.0.0.1 with
 * an OpenID Provider mounted through Express, Koa or the Next.js route handlers, and a tiny
 * interaction page (mounted after the adapter, as an integrator would) that logs in and
 * consents at once.
 *
 * @module
 */
import { once } from 'node:events'
import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type ServerResponse,
} from 'node:http'
import type { AddressInfo } from 'node:net'
import { bodyParser } from '@koa/bodyparser'
import { oidkit as expressAdapter } from '@oidkit/express'
import { KeySet } from '@oidkit/jose'
import { oidkit as koaAdapter } from '@oidkit/koa'
import { type OidkitRouteHandlers, oidkitHandlers } from '@oidkit/next'
import { escapeHtml, MemoryStore } from '@oidkit/oauth2'
import { toWebRequest, writeWebResponse } from '@oidkit/oauth2/node'
import { createOpenIDProvider, type OpenIDProvider } from '@oidkit/oidc'
import { type CookieJar, follow, navigate, submitForm } from './browser'
import type { Account, ConformanceTarget } from './suite'

/**
 * The accounts of the adapter targets, with OIDC Core 5.1 claims.
 *
 * @example
 * ```ts
 * ACCOUNTS.alice.email // 'alice@example.com'
 * ```
 */
export const ACCOUNTS: Record<Account, Record<string, unknown>> = {
  alice: {
    name: 'Alice Liddell',
    given_name: 'Alice',
    family_name: 'Liddell',
    email: 'alice@example.com',
    email_verified: true,
    phone_number: '+44 1865 000000',
  },
  bob: { name: 'Bob Builder', email: 'bob@example.com', email_verified: false },
}

let sharedKeys: Promise<KeySet> | undefined

/** The members of an Express 4 or 5 module the targets use. */
export interface ExpressModule {
  (): ExpressApp
  json(): unknown
  urlencoded(options: { extended: boolean }): unknown
}
interface ExpressApp extends RequestListener {
  use(...handlers: unknown[]): unknown
  get(path: string, ...handlers: unknown[]): unknown
  post(path: string, ...handlers: unknown[]): unknown
}
type ExpressRequest = IncomingMessage & { params: { id: string } }

/** The members of a Koa 2 or 3 context and application the targets use. */
interface KoaContext {
  path: string
  req: IncomingMessage
  res: ServerResponse
  respond?: boolean
  request: { body?: unknown }
}
type KoaMiddleware = (ctx: KoaContext, next: () => Promise<unknown>) => unknown
/** A Koa 2 or 3 application class. */
export type KoaClass = new () => {
  use(middleware: KoaMiddleware): unknown
  callback(): RequestListener
}

/**
 * The test interaction page: GET shows a form (which account, one button), POST logs in and
 * consents at once. A Web handler, so every framework mounts the same page.
 */
async function interactionPage(
  provider: OpenIDProvider,
  request: Request,
  id: string,
): Promise<Response> {
  if (request.method === 'GET') {
    const details = await provider.interactions.get(request, id)
    const html =
      `<!DOCTYPE html><title>Sign in</title><h1>Sign in to ${escapeHtml(details.client.client_name ?? details.client.client_id)}</h1>` +
      '<form method="post"><input name="account" value="">' +
      '<button type="submit" name="action" value="login">Sign in</button></form>'
    return new Response(html, { headers: { 'content-type': 'text/html;charset=utf-8' } })
  }
  const form = await request.formData()
  return provider.interactions.finish(request, id, {
    login: { accountId: String(form.get('account')), amr: ['pwd'] },
    consent: {},
  })
}

/** The login step of the adapter targets: the test page, filled with the account. */
async function login(authorizeUrl: URL, jar: CookieJar, account: Account): Promise<Response> {
  const response = await navigate(authorizeUrl, jar)
  if (response.status !== 200 || !/\/interaction\/[^/]+$/.test(new URL(response.url).pathname)) {
    return response
  }
  const html = await response.text()
  return follow(await submitForm(html, jar, { url: response.url, fill: { account } }), jar)
}

/**
 * Listens on 127.0.0.1 first (the issuer needs the port), then creates the provider and the
 * request listener around it.
 */
async function serve(
  listener: (provider: OpenIDProvider) => RequestListener,
): Promise<ConformanceTarget> {
  sharedKeys ??= KeySet.generate('RS256')
  const http = createServer()
  http.listen(0, '127.0.0.1')
  await once(http, 'listening')
  const issuer = `http://127.0.0.1:${(http.address() as AddressInfo).port}`
  const provider = createOpenIDProvider({
    issuer,
    keys: await sharedKeys,
    storage: new MemoryStore(),
    grantTypes: ['authorization_code', 'refresh_token', 'client_credentials', 'implicit'],
    registration: { policy: { type: 'open' } },
    openid: {
      claims: (accountId) => ACCOUNTS[accountId as Account],
      registration: { allowInsecureWebRedirects: true },
    },
  })
  http.on('request', listener(provider))
  return {
    issuer,
    accounts: ACCOUNTS,
    login,
    close: () =>
      new Promise((resolve) => {
        http.closeAllConnections()
        http.close(() => resolve())
      }),
  }
}

/**
 * Express 4 or 5. `parsersFirst` mounts express.json()/urlencoded() before the adapter (the
 * adapter re-encodes the parsed body); otherwise they come after it, for the interaction page.
 *
 * @example
 * ```ts
 * runConformance('Express 5', () => expressTarget(express, { parsersFirst: false }))
 * ```
 */
export function expressTarget(
  express: ExpressModule,
  options: { parsersFirst: boolean },
): Promise<ConformanceTarget> {
  return serve((provider) => {
    const app = express()
    const parsers = [express.urlencoded({ extended: false }), express.json()]
    if (options.parsersFirst) app.use(...parsers)
    app.use(expressAdapter(provider))
    if (!options.parsersFirst) app.use(...parsers)
    const page = (req: ExpressRequest, res: ServerResponse, next: (error: unknown) => void) => {
      interactionPage(provider, toWebRequest(req), req.params.id)
        .then((response) => writeWebResponse(res, response))
        .catch(next)
    }
    app.get('/interaction/:id', page)
    app.post('/interaction/:id', page)
    return app
  })
}

/**
 * Koa 2 or 3, with @koa/bodyparser before the adapter (`parserFirst`) or after it.
 *
 * @example
 * ```ts
 * runConformance('Koa 3', () => koaTarget(Koa, { parserFirst: true }))
 * ```
 */
export function koaTarget(
  Koa: KoaClass,
  options: { parserFirst: boolean },
): Promise<ConformanceTarget> {
  return serve((provider) => {
    const app = new Koa()
    const parser = bodyParser() as KoaMiddleware
    if (options.parserFirst) app.use(parser)
    app.use(koaAdapter(provider))
    if (!options.parserFirst) app.use(parser)
    app.use(async (ctx, next) => {
      const id = /^\/interaction\/([^/]+)$/.exec(ctx.path)?.[1]
      if (id === undefined) {
        await next()
        return
      }
      const request = toWebRequest(ctx.req, { body: ctx.request.body })
      const response = await interactionPage(provider, request, id)
      ctx.respond = false
      await writeWebResponse(ctx.res, response)
    })
    return app.callback()
  })
}

/**
 * The Next.js App Router handlers behind a minimal `node:http` server that does what Next does:
 * turn the request into a Web `Request` and call the handler exported for its method.
 *
 * @example
 * ```ts
 * runConformance('Next', nextTarget)
 * ```
 */
export function nextTarget(): Promise<ConformanceTarget> {
  return serve((provider) => {
    const handlers = oidkitHandlers(provider)
    return (req, res) => {
      const request = toWebRequest(req)
      const id = /^\/interaction\/([^/]+)$/.exec(new URL(request.url).pathname)?.[1]
      const handler = handlers[request.method as keyof OidkitRouteHandlers]
      const answer = id
        ? interactionPage(provider, request, id)
        : handler
          ? handler(request)
          : Promise.resolve(new Response(null, { status: 405 }))
      answer
        .then((response) => writeWebResponse(res, response))
        .catch(() => {
          res.statusCode = 500
          res.end()
        })
    }
  })
}
