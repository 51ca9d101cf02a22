import { once } from 'node:events'
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type RequestListener,
  type ServerResponse,
} from 'node:http'
import type { AddressInfo } from 'node:net'
import { bodyParser } from '@koa/bodyparser'
import { KeySet } from '@oidkit/jose'
import { MemoryStore } from '@oidkit/oauth2'
import { toWebRequest, writeWebResponse } from '@oidkit/oauth2/node'
import { createOpenIDProvider, type OpenIDProvider } from '@oidkit/oidc'
import Koa3 from 'koa'
import Koa2 from 'koa2'
import { afterEach, describe, expect, it } from 'vitest'
import { oidkit, type Provider } from './index'

const redirectUri = 'https://rp.example/cb'
const keys = KeySet.generate('RS256')

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

const open: Array<() => void> = []
afterEach(() => {
  for (const close of open.splice(0)) close()
})

/** Listens on 127.0.0.1 first, so that the provider's issuer can carry the port. */
async function serve(
  basePath: string,
  Koa: KoaClass,
  build: (app: App, provider: OpenIDProvider) => void,
): Promise<Running> {
  const http = createServer()
  http.listen(0, '127.0.0.1')
  await once(http, 'listening')
  open.push(() => {
    http.closeAllConnections()
    http.close()
  })
  const origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`
  const issuer = `${origin}${basePath}`
  const provider = createOpenIDProvider({
    issuer,
    keys: await keys,
    storage: new MemoryStore(),
    grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
    registration: { policy: { type: 'open' } },
    openid: { claims: () => ({ name: 'Alice' }) },
  })
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

async function register(issuer: string, body: Record<string, unknown>) {
  const response = await fetch(`${issuer}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  expect(response.status).toBe(201)
  return (await response.json()) as { client_id: string; client_secret: string }
}

async function clientCredentials(
  issuer: string,
  client: { client_id: string; client_secret: string },
) {
  return fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', ...client }),
  })
}

const confidential = {
  redirect_uris: [redirectUri],
  grant_types: ['client_credentials'],
  response_types: [],
  token_endpoint_auth_method: 'client_secret_post',
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
    const login = await fetch(`${origin}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=alice&password=wonderland',
    })
    expect(await login.json()).toEqual({ username: 'alice', password: 'wonderland' })
    // Koa's own 404, not the provider's JSON error.
    const unknown = await fetch(`${origin}/nowhere`)
    expect(unknown.status).toBe(404)
    expect(unknown.headers.get('content-type')).not.toContain('application/json')
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
      const client = await register(issuer, confidential)
      const token = await clientCredentials(issuer, client)
      expect(token.status).toBe(200)
      expect(await token.json()).toMatchObject({ token_type: 'Bearer' })
    },
  )

  it('RFC 6265 4.1: every Set-Cookie of the authorization endpoint and of the interaction is written', async () => {
    const { issuer } = await serve('', Koa, (app, provider) => {
      app.use(oidkit(provider))
      app.use(bodyParser() as Middleware)
      app.use(interactionRoute(provider))
    })
    const client = await register(issuer, {
      redirect_uris: [redirectUri],
      token_endpoint_auth_method: 'none',
    })
    const authorize = new URL(`${issuer}/authorize`)
    authorize.search = new URLSearchParams({
      client_id: client.client_id,
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: 'openid',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    }).toString()
    const start = await fetch(authorize, { redirect: 'manual' })
    expect(start.status).toBe(303)
    const pending = start.headers.getSetCookie()
    expect(pending).toHaveLength(1)
    const finish = await fetch(new URL(start.headers.get('location')!, issuer), {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: pending[0]!.split(';')[0]!,
      },
      body: 'account=alice',
    })
    expect(finish.headers.get('location')).toMatch(/^https:\/\/rp\.example\/cb\?code=/)
    // The new session and the removal of the finished interaction: two distinct cookies.
    const names = finish.headers.getSetCookie().map((cookie) => cookie.split('=')[0])
    expect(names.sort()).toEqual(['oidkit.interaction', 'oidkit.session'])
  })

  it('RFC 9112 8: a client that goes away mid-body gets a 400 into the void; the server lives on', async () => {
    let settled: (status: number) => void
    const answered = new Promise<number>((resolve) => {
      settled = resolve
    })
    const { origin, issuer, errors } = await serve('', Koa, (app, provider) => {
      const spy: Provider = {
        matches: (path) => provider.matches(path),
        handle: async (request) => {
          const response = await provider.handle(request)
          settled(response.status)
          return response
        },
      }
      app.use(oidkit(spy))
    })
    const aborted = httpRequest({
      host: '127.0.0.1',
      port: new URL(origin).port,
      method: 'POST',
      path: '/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '1000' },
    })
    aborted.on('error', () => {})
    aborted.write('grant_type=client_credentials&client_id=')
    await new Promise((resolve) => setTimeout(resolve, 50))
    const closed = new Promise((resolve) => aborted.once('close', resolve))
    aborted.destroy()
    await closed
    expect(await answered).toBe(400)
    // Only Node's HTTP parser reporting the truncated message; nothing thrown by the adapter.
    expect(errors.every((code) => code?.startsWith('HPE_'))).toBe(true)
    const metadata = await fetch(`${issuer}/.well-known/openid-configuration`)
    expect(metadata.status).toBe(200)
  })

  it.each([false, true])(
    'OIDC Discovery 1.0 3: with trustProxy %s the issuer stays the configured one',
    async (trustProxy) => {
      const seen: string[] = []
      const { origin, issuer } = await serve('', Koa, (app, provider) => {
        const spy: Provider = {
          matches: (path) => provider.matches(path),
          handle: (request) => {
            seen.push(request.url)
            return provider.handle(request)
          },
        }
        app.use(oidkit(spy, { trustProxy }))
      })
      const response = await fetch(`${origin}/.well-known/openid-configuration`, {
        headers: { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' },
      })
      const metadata = (await response.json()) as { issuer: string; token_endpoint: string }
      expect(metadata.issuer).toBe(issuer)
      expect(metadata.token_endpoint).toBe(`${issuer}/token`)
      // The forwarded headers only shape the request URL the provider routes on.
      expect(new URL(seen[0]!).origin).toBe(trustProxy ? 'https://evil.example' : origin)
    },
  )

  it('OIDC Discovery 1.0 4.1: an issuer with a path is served under it; the rest is passed on', async () => {
    const { origin, issuer } = await serve('/oidc', Koa, (app, provider) => {
      app.use(bodyParser() as Middleware)
      app.use(oidkit(provider))
      app.use(interactionRoute(provider, '/oidc'))
    })
    const metadata = await fetch(`${issuer}/.well-known/openid-configuration`)
    expect(await metadata.json()).toMatchObject({
      issuer,
      token_endpoint: `${origin}/oidc/token`,
    })
    const client = await register(issuer, confidential)
    expect((await clientCredentials(issuer, client)).status).toBe(200)
    // Outside the issuer path, and paths under it that are not endpoints, are not the provider's.
    const outside = await fetch(`${origin}/token`, { method: 'POST' })
    expect(outside.status).toBe(404)
    expect(outside.headers.get('content-type')).not.toContain('json')
    expect((await fetch(`${issuer}/elsewhere`)).status).toBe(404)
  })
})
