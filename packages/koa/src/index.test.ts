import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http'
import { bodyParser } from '@koa/bodyparser'
import { toWebRequest, writeWebResponse } from '@oidkit/oauth2/node'
import type { OpenIDProvider } from '@oidkit/oidc'
import Koa3 from 'koa'
import Koa2 from 'koa2'
import { describe, expect, it } from 'vitest'
import * as expectAdapter from '../../conformance/src/adapter-expectations'
import { abortMidBody, listen, watch } from '../../conformance/src/adapter-test-support'
import { oidkit } from './index'

/** The members of a Koa 2 or 3 context these tests use. */
interface Context {
  method: string
  path: string
  body: unknown
  req: IncomingMessage
  res: ServerResponse
  respond?: boolean
  request: { body?: unknown }
}
type Middleware = (ctx: Context, next: () => Promise<unknown>) => unknown
interface App {
  use(middleware: Middleware): unknown
  on(event: 'error', listener: (error: Error & { code?: string }) => void): unknown
  callback(): RequestListener
}
type KoaClass = new () => App

interface Running {
  origin: string
  issuer: string
  /** The `code` of every error the Koa application emitted. */
  errors: Array<string | undefined>
}

/** Serves the provider through a Koa application, set up by `build`. */
async function serve(
  basePath: string,
  Koa: KoaClass,
  build: (app: App, provider: OpenIDProvider) => void,
): Promise<Running> {
  const { http, origin, issuer, provider } = await listen(basePath)
  const app = new Koa()
  // Koa reports socket errors here (and logs them unless someone listens).
  const errors: Array<string | undefined> = []
  app.on('error', (error) => errors.push(error.code))
  build(app, provider)
  http.on('request', app.callback())
  return { origin, issuer, errors }
}

/** The interaction page of these tests: a form post that logs in and consents at once. */
function interactionRoute(provider: OpenIDProvider, basePath = ''): Middleware {
  const pattern = new RegExp(`^${basePath}/interaction/([^/]+)$`)
  return async (ctx, next) => {
    const id = pattern.exec(ctx.path)?.[1]
    if (ctx.method !== 'POST' || id === undefined) {
      await next()
      return
    }
    const body = ctx.request.body as { account: string }
    const request = toWebRequest(ctx.req, { body })
    const finished = await provider.interactions.finish(request, id, {
      login: { accountId: body.account },
      consent: {},
    })
    ctx.respond = false
    await writeWebResponse(ctx.res, finished)
  }
}

const versions: Array<[string, KoaClass]> = [
  ['Koa 2', Koa2 as KoaClass],
  ['Koa 3', Koa3 as KoaClass],
]

describe.each(versions)('%s', (_name, Koa) => {
  it('OIDC Core 3.1.2.3: the login route after the adapter gets await next() and its form body unread', async () => {
    const { origin } = await serve('', Koa, (app, provider) => {
      app.use(oidkit(provider))
      app.use(bodyParser() as Middleware)
      app.use((ctx) => {
        if (ctx.path === '/login') ctx.body = ctx.request.body
      })
    })
    // /login gets its form body; /nowhere gets Koa's own 404, not the provider's JSON error.
    await expectAdapter.loginRoutePassedOn(origin)
  })

  it.each([
    ['bodyParser()', ['json', 'form'] as const],
    ['bodyParser({ enableTypes: [json] })', ['json'] as const],
    ['bodyParser({ enableTypes: [form] })', ['form'] as const],
  ])(
    'RFC 7591 3 / RFC 6749 4.4: a body parsed by %s before the adapter still reaches the provider',
    async (_parser, enableTypes) => {
      const { issuer } = await serve('', Koa, (app, provider) => {
        app.use(bodyParser({ enableTypes: [...enableTypes] }) as Middleware)
        app.use(oidkit(provider))
      })
      await expectAdapter.bodiesReachProvider(issuer)
    },
  )

  it('RFC 6265 4.1: every Set-Cookie of the authorization endpoint and of the interaction is written', async () => {
    const { issuer } = await serve('', Koa, (app, provider) => {
      app.use(oidkit(provider))
      app.use(bodyParser() as Middleware)
      app.use(interactionRoute(provider))
    })
    await expectAdapter.everySetCookieWritten(issuer)
  })

  it('RFC 9112 8: a client that goes away mid-body gets a 400 into the void; the server lives on', async () => {
    const seen = watch()
    const { origin, issuer, errors } = await serve('', Koa, (app, provider) => {
      app.use(oidkit(seen.around(provider)))
    })
    await abortMidBody(origin)
    expect(await seen.firstStatus).toBe(400)
    // Only Node's HTTP parser reporting the truncated message; nothing thrown by the adapter.
    expect(errors.every((code) => code?.startsWith('HPE_'))).toBe(true)
    await expectAdapter.stillServing(issuer)
  })

  it.each([false, true])(
    'OIDC Discovery 1.0 3: with trustProxy %s the issuer stays the configured one',
    async (trustProxy) => {
      const seen = watch()
      const { origin, issuer } = await serve('', Koa, (app, provider) => {
        app.use(oidkit(seen.around(provider), { trustProxy }))
      })
      await expectAdapter.configuredIssuer(origin, issuer, seen.urls, trustProxy)
    },
  )

  it('OIDC Discovery 1.0 4.1: an issuer with a path is served under it; the rest is passed on', async () => {
    const { origin, issuer } = await serve('/oidc', Koa, (app, provider) => {
      app.use(bodyParser() as Middleware)
      app.use(oidkit(provider))
      app.use(interactionRoute(provider, '/oidc'))
    })
    await expectAdapter.servedUnderPath(origin, issuer)
    // Outside the issuer path, and paths under it that are not endpoints, are not the provider's.
    const outside = await fetch(`${origin}/token`, { method: 'POST' })
    expect(outside.status).toBe(404)
    expect(outside.headers.get('content-type')).not.toContain('json')
    expect((await fetch(`${issuer}/elsewhere`)).status).toBe(404)
  })
})
