import type { RequestListener } from 'node:http'
import { toWebRequest, writeWebResponse } from '@oidkit/oauth2/node'
import type { OpenIDProvider } from '@oidkit/oidc'
import express5 from 'express'
import express4 from 'express4'
import { describe, expect, it } from 'vitest'
import * as expectAdapter from '../../conformance/src/adapter-expectations'
import { abortMidBody, listen, watch } from '../../conformance/src/adapter-test-support'
import { oidkit } from './index'

/** The members of an Express 4 or 5 application these tests use. */
interface App extends RequestListener {
  use(...handlers: unknown[]): unknown
  post(path: string, ...handlers: unknown[]): unknown
}
interface ExpressModule {
  (): App
  json(): unknown
  urlencoded(options: { extended: boolean }): unknown
}

/** Serves the provider through the Express application `build` makes around it. */
async function serve(
  basePath: string,
  build: (provider: OpenIDProvider, issuer: string) => RequestListener,
) {
  const { http, origin, issuer, provider } = await listen(basePath)
  http.on('request', build(provider, issuer))
  return { origin, issuer, provider }
}

/** The interaction page of these tests: a form post that logs in and consents at once. */
function interactionRoute(express: ExpressModule, provider: OpenIDProvider) {
  return [
    express.urlencoded({ extended: false }),
    async (
      req: Parameters<typeof toWebRequest>[0] & {
        params: { id: string }
        body: { account: string }
      },
      res: Parameters<typeof writeWebResponse>[0],
      next: (error: unknown) => void,
    ) => {
      try {
        const finished = await provider.interactions.finish(toWebRequest(req), req.params.id, {
          login: { accountId: req.body.account },
          consent: {},
        })
        await writeWebResponse(res, finished)
      } catch (error) {
        next(error)
      }
    },
  ]
}

const versions: Array<[string, ExpressModule]> = [
  ['Express 4', express4 as ExpressModule],
  ['Express 5', express5 as ExpressModule],
]

describe.each(versions)('%s', (_name, express) => {
  it('OIDC Core 3.1.2.3: the login route after the adapter gets next() and its form body unread', async () => {
    const { origin } = await serve('', (provider) => {
      const app = express()
      app.use(oidkit(provider))
      app.post(
        '/login',
        express.urlencoded({ extended: false }),
        (req: { body: unknown }, res: { json(body: unknown): void }) => res.json(req.body),
      )
      return app
    })
    // /login gets its form body; /nowhere gets Express's own 404, not the provider's JSON error.
    await expectAdapter.loginRoutePassedOn(origin)
  })

  it.each([
    ['express.json() and express.urlencoded()', ['json', 'urlencoded']],
    ['express.json() alone', ['json']],
    ['express.urlencoded() alone', ['urlencoded']],
  ] as const)(
    'RFC 7591 3 / RFC 6749 4.4: a body parsed by %s before the adapter still reaches the provider',
    async (_parsers, parsers) => {
      const { issuer } = await serve('', (provider) => {
        const app = express()
        for (const parser of parsers)
          app.use(parser === 'json' ? express.json() : express.urlencoded({ extended: false }))
        app.use(oidkit(provider))
        return app
      })
      await expectAdapter.bodiesReachProvider(issuer)
    },
  )

  it('RFC 6265 4.1: every Set-Cookie of the authorization endpoint and of the interaction is written', async () => {
    const { issuer } = await serve('', (provider) => {
      const app = express()
      app.use(oidkit(provider))
      app.post('/interaction/:id', ...interactionRoute(express, provider))
      return app
    })
    await expectAdapter.everySetCookieWritten(issuer)
  })

  it('RFC 9112 8: a client that goes away mid-body gets a 400 into the void; the server lives on', async () => {
    const seen = watch()
    const { origin, issuer } = await serve('', (provider) => {
      const app = express()
      app.use(oidkit(seen.around(provider)))
      return app
    })
    await abortMidBody(origin)
    // The provider read the truncated body as a bad request and answered into the void.
    expect(await seen.firstStatus).toBe(400)
    await expectAdapter.stillServing(issuer)
  })

  it.each([false, true])(
    'OIDC Discovery 1.0 3: with trustProxy %s the issuer stays the configured one',
    async (trustProxy) => {
      const seen = watch()
      const { origin, issuer } = await serve('', (provider) => {
        const app = express()
        app.use(oidkit(seen.around(provider), { trustProxy }))
        return app
      })
      await expectAdapter.configuredIssuer(origin, issuer, seen.urls, trustProxy)
    },
  )

  it('OIDC Discovery 1.0 4.1: mounted under a sub-path, the issuer path is served and the rest passed on', async () => {
    const { origin, issuer } = await serve('/oidc', (provider) => {
      const app = express()
      app.use('/oidc', oidkit(provider))
      app.post('/oidc/interaction/:id', ...interactionRoute(express, provider))
      return app
    })
    await expectAdapter.servedUnderPath(origin, issuer)
    // Outside the mount point, and paths under it that are not endpoints, are not the provider's.
    expect(
      (await fetch(`${origin}/token`, { method: 'POST' })).headers.get('content-type'),
    ).not.toContain('json')
    expect((await fetch(`${issuer}/elsewhere`)).status).toBe(404)
  })
})
