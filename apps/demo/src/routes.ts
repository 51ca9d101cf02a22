import { type InteractionDetails, isOAuthError } from '@oidkit/oauth2'
import { writeWebResponse } from '@oidkit/oauth2/node'
import type { OpenIDProvider } from '@oidkit/oidc'
import express, { type Request as ExpressRequest, type Response as ExpressResponse } from 'express'
import type { AccountStore } from './accounts'
import { consentPage, errorPage, homePage, loginPage, logoutPage, type PageContext } from './pages'
import type { Csrf, LoginRateLimiter } from './security'

/** What the demo's own routes work with. */
export interface DemoRoutesOptions {
  issuer: string
  provider: OpenIDProvider
  accounts: AccountStore
  csrf: Csrf
  limiter: LoginRateLimiter
}

type Handler = (req: ExpressRequest, res: ExpressResponse) => Promise<void>

/**
 * The individual claims of a `claims` request parameter (OIDC Core 5.5), for the consent page;
 * a claim asked for in both members is essential if either says so.
 *
 * @example
 * ```ts
 * requestedClaimNames('{"userinfo":{"email":{"essential":true}}}') // [{ name: 'email', essential: true }]
 * ```
 */
export function requestedClaimNames(
  claims: string | undefined,
): Array<{ name: string; essential: boolean }> {
  if (claims === undefined) return []
  let parsed: unknown
  try {
    parsed = JSON.parse(claims)
  } catch {
    return []
  }
  const found = new Map<string, boolean>()
  for (const member of ['userinfo', 'id_token']) {
    const entries = (parsed as Record<string, unknown> | null)?.[member]
    if (typeof entries !== 'object' || entries === null) continue
    for (const [name, request] of Object.entries(entries)) {
      const essential = (request as { essential?: unknown } | null)?.essential === true
      found.set(name, (found.get(name) ?? false) || essential)
    }
  }
  return [...found].map(([name, essential]) => ({ name, essential }))
}

/**
 * The Web `Request` the provider's interaction and logout APIs read: they only need the cookies
 * that bind a pending request to this browser, so the body (already parsed) is left out.
 */
function webRequest(issuer: string, req: ExpressRequest): Request {
  const headers = new Headers()
  if (req.headers.cookie) headers.set('cookie', req.headers.cookie)
  if (req.headers['user-agent']) headers.set('user-agent', req.headers['user-agent'])
  return new Request(new URL(req.originalUrl, issuer), { headers })
}

/** The `:id` route parameter (interaction or logout id). */
const idOf = (req: ExpressRequest): string => {
  const id = req.params.id
  return typeof id === 'string' ? id : ''
}

const field = (body: unknown, name: string): string | undefined => {
  const value = (body as Record<string, unknown> | undefined)?.[name]
  return typeof value === 'string' ? value : undefined
}

/**
 * The demo's pages: home, login, consent and logout confirmation. Each form carries a CSRF
 * token bound to the browser and to the pending request; every state change goes through the
 * provider's `interactions` and `logout` APIs, which answer with the next redirect.
 *
 * @example
 * ```ts
 * app.use(oidkit(provider), securityHeaders, express.urlencoded(), demoRoutes(options))
 * ```
 */
export function demoRoutes(options: DemoRoutesOptions): express.Router {
  const { issuer, provider, accounts, csrf, limiter } = options
  const page: PageContext = { issuer }
  const router = express.Router()
  const url = (path: string) => `${issuer}${path}`

  const send = (res: ExpressResponse, status: number, body: string) => {
    res.status(status).type('html').send(body)
  }
  const forbidden = (res: ExpressResponse) =>
    send(
      res,
      403,
      errorPage(page, {
        title: 'Request refused',
        message:
          'The form was not sent from this browser’s own page, or it is too old. Go back to the application and start again.',
        code: 'csrf_token_mismatch',
        detail: 'the CSRF token is missing or does not match this browser',
      }),
    )
  /** The provider's errors (unknown, expired or foreign request) as a page. */
  const guard =
    (handler: Handler): Handler =>
    async (req, res) => {
      try {
        await handler(req, res)
      } catch (error) {
        if (!isOAuthError(error)) throw error
        send(
          res,
          error.status,
          errorPage(page, {
            title: 'This request cannot continue',
            message:
              'The request may have expired or been started in another browser. Go back to the application and try again.',
            code: error.error,
            detail: error.error_description,
          }),
        )
      }
    }
  /** Sets the CSRF cookie if the browser has none and returns the form token. */
  const token = (req: ExpressRequest, res: ExpressResponse, subject: string) => {
    const issued = csrf.issue(req.headers.cookie, subject)
    if (issued.setCookie) res.append('set-cookie', issued.setCookie)
    return issued.token
  }
  const accountView = (accountId: string) => {
    const account = accounts.findById(accountId)
    if (!account) return undefined
    const name = account.claims.name
    return { name: typeof name === 'string' ? name : account.username, username: account.username }
  }

  const renderLogin = (
    req: ExpressRequest,
    res: ExpressResponse,
    details: InteractionDetails,
    extra: { status?: number; username?: string; error?: string } = {},
  ) => {
    const hinted = details.params.login_hint ?? undefined
    const current = details.session ? accounts.findById(details.session.accountId) : undefined
    send(
      res,
      extra.status ?? 200,
      loginPage(page, {
        action: url(`/interaction/${encodeURIComponent(details.id)}/login`),
        csrf: token(req, res, `login:${details.id}`),
        client: details.client,
        username: extra.username ?? hinted ?? current?.username,
        error: extra.error,
      }),
    )
  }

  router.get(
    '/',
    guard(async (_req, res) => {
      const discoveryUrl = url('/.well-known/openid-configuration')
      const response = await provider.handle(new Request(discoveryUrl))
      const metadata = (await response.json()) as Record<string, unknown>
      const endpoints = Object.entries(metadata).filter(
        (entry): entry is [string, string] =>
          (entry[0].endsWith('_endpoint') || entry[0] === 'jwks_uri') &&
          typeof entry[1] === 'string',
      )
      const registrationUrl = metadata.registration_endpoint
      send(
        res,
        200,
        homePage(page, {
          discoveryUrl,
          endpoints,
          registrationUrl: typeof registrationUrl === 'string' ? registrationUrl : undefined,
        }),
      )
    }),
  )

  router.get(
    '/interaction/:id',
    guard(async (req, res) => {
      const details = await provider.interactions.get(webRequest(issuer, req), idOf(req))
      const account = details.session ? accountView(details.session.accountId) : undefined
      if (details.prompt !== 'consent' || !account) return renderLogin(req, res, details)
      send(
        res,
        200,
        consentPage(page, {
          action: url(`/interaction/${encodeURIComponent(details.id)}/consent`),
          csrf: token(req, res, `consent:${details.id}`),
          client: details.client,
          scopes: details.scopes,
          claims: requestedClaimNames(details.params.claims),
          account,
        }),
      )
    }),
  )

  router.post(
    '/interaction/:id/login',
    guard(async (req, res) => {
      const id = idOf(req)
      if (!csrf.verify(req.headers.cookie, `login:${id}`, field(req.body, 'csrf'))) {
        return forbidden(res)
      }
      const request = webRequest(issuer, req)
      const details = await provider.interactions.get(request, id)
      const username = field(req.body, 'username')?.trim() ?? ''
      const password = field(req.body, 'password') ?? ''
      if (username === '' || password === '') {
        return renderLogin(req, res, details, {
          status: 400,
          username,
          error: 'Enter your username and password.',
        })
      }
      const ip = req.socket.remoteAddress ?? 'unknown'
      const decision = limiter.check(username, ip)
      if (!decision.allowed) {
        const minutes = Math.ceil(decision.retryAfter / 60)
        res.setHeader('retry-after', String(decision.retryAfter))
        return send(
          res,
          429,
          errorPage(page, {
            title: 'Too many attempts',
            message: `Sign-in is paused after too many failed attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
            code: 'rate_limited',
          }),
        )
      }
      const account = await accounts.authenticate(username, password)
      if (!account) {
        limiter.fail(username, ip)
        return renderLogin(req, res, details, {
          status: 401,
          username,
          error: 'Incorrect username or password.',
        })
      }
      limiter.succeed(username)
      const response = await provider.interactions.finish(request, id, {
        login: { accountId: account.id, amr: ['pwd'] },
      })
      await writeWebResponse(res, response)
    }),
  )

  router.post(
    '/interaction/:id/consent',
    guard(async (req, res) => {
      const id = idOf(req)
      if (!csrf.verify(req.headers.cookie, `consent:${id}`, field(req.body, 'csrf'))) {
        return forbidden(res)
      }
      const request = webRequest(issuer, req)
      const details = await provider.interactions.get(request, id)
      // Consent only answers a consent step; a login step must be finished by signing in.
      if (details.prompt !== 'consent' || !details.session) {
        res.redirect(303, url(`/interaction/${encodeURIComponent(id)}`))
        return
      }
      const decision = (req.body as Record<string, unknown> | undefined)?.decision
      const denied = decision === 'deny' || (Array.isArray(decision) && decision[0] === 'deny')
      const response = await provider.interactions.finish(
        request,
        id,
        denied
          ? { error: 'access_denied', description: 'the end-user denied the request' }
          : { consent: { scopes: details.scopes } },
      )
      await writeWebResponse(res, response)
    }),
  )

  router.get(
    '/logout/:id',
    guard(async (req, res) => {
      const details = await provider.logout.get(webRequest(issuer, req), idOf(req))
      send(
        res,
        200,
        logoutPage(page, {
          action: url(`/logout/${encodeURIComponent(details.id)}`),
          csrf: token(req, res, `logout:${details.id}`),
          client: details.client,
          account: details.session ? accountView(details.session.accountId) : undefined,
        }),
      )
    }),
  )

  router.post(
    '/logout/:id',
    guard(async (req, res) => {
      const id = idOf(req)
      if (!csrf.verify(req.headers.cookie, `logout:${id}`, field(req.body, 'csrf'))) {
        return forbidden(res)
      }
      const response = await provider.logout.finish(webRequest(issuer, req), id, {
        confirmed: true,
      })
      await writeWebResponse(res, response)
    }),
  )

  return router
}
