import { KeySet } from '@oidkit/jose'
import { beforeAll, describe, expect, it } from 'vitest'
import type { AuthorizationServerConfig } from './config'
import { OAuthError } from './errors'
import { MemoryStore } from './memory-store'
import type { Endpoint, ServerPlugin, TokenGrantHandler } from './plugin'
import { jsonResponse } from './response'
import { createAuthorizationServer, pathnameOf } from './server'
import { issueTokens } from './token-issuer'

const issuer = 'https://as.example'
let keys: KeySet
beforeAll(async () => {
  keys = await KeySet.generate('RS256')
})

// A custom grant, the way Authlib's register_grant adds one (e.g. RFC 7523 JWT bearer).
const exampleGrant: TokenGrantHandler = {
  grantType: 'urn:example:params:grant-type:magic',
  async handle({ server, client, request }) {
    const word = request.form.get('word')
    if (word !== 'please') throw new OAuthError('invalid_grant', 'say the magic word')
    const now = server.now()
    const grant = {
      id: `g-${now}`,
      clientId: client.client_id,
      scopes: ['magic'],
      createdAt: now,
      expiresAt: now + 60,
    }
    await server.storage.grants.save(grant)
    return issueTokens(server, {
      client,
      grant,
      grantType: this.grantType,
      scopes: grant.scopes,
      refreshToken: false,
    })
  },
}

const pingEndpoint: Endpoint = {
  name: 'ping',
  path: '/ping',
  methods: ['GET'],
  async handle(_request, server) {
    return jsonResponse({ issuer: server.issuer })
  },
}

const brokenEndpoint: Endpoint = {
  name: 'broken',
  path: '/broken',
  methods: ['GET'],
  async handle() {
    throw new Error('database exploded at /srv/app/db.ts:42')
  },
}

// Endpoint.handle may answer synchronously, and so may fail synchronously.
const syncBrokenEndpoint: Endpoint = {
  name: 'sync-broken',
  path: '/sync-broken',
  methods: ['GET'],
  handle() {
    throw new Error('cache exploded at /srv/app/cache.ts:7')
  },
}

async function setup(config: Partial<AuthorizationServerConfig> = {}) {
  const storage = new MemoryStore()
  const issued: string[] = []
  const errors: unknown[] = []
  const plugin: ServerPlugin = {
    name: 'example',
    grantTypes: [exampleGrant],
    endpoints: [pingEndpoint, brokenEndpoint, syncBrokenEndpoint],
    extendMetadata(doc) {
      doc.example_supported = true
    },
  }
  const server = createAuthorizationServer({
    issuer,
    keys,
    storage,
    grantTypes: ['client_credentials', exampleGrant.grantType],
    plugins: [plugin],
    events: { tokenIssued: ({ grantType }) => void issued.push(grantType) },
    onError: (error) => void errors.push(error),
    ...config,
  })
  await storage.clients.save({
    client_id: 'spa',
    token_endpoint_auth_method: 'client_secret_post',
    client_secret: 'spa-secret',
    grant_types: ['client_credentials', exampleGrant.grantType],
    redirect_uris: ['https://spa.example/cb'],
  })
  const token = (body: Record<string, string>, headers: Record<string, string> = {}) =>
    server.handle(
      new Request(`${issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams({ client_id: 'spa', client_secret: 'spa-secret', ...body }),
      }),
    )
  return { server, storage, issued, errors, token }
}

describe('createAuthorizationServer', () => {
  it('Authlib register_grant: a plugin adds a grant type that the token endpoint serves and metadata advertises', async () => {
    const { server, token, issued } = await setup()
    const ok = await token({ grant_type: exampleGrant.grantType, word: 'please' })
    expect(ok.status).toBe(200)
    expect(await ok.json()).toMatchObject({ token_type: 'Bearer', scope: 'magic' })
    expect(issued).toEqual([exampleGrant.grantType])
    const refused = await token({ grant_type: exampleGrant.grantType, word: 'now' })
    expect(await refused.json()).toMatchObject({ error: 'invalid_grant' })
    const metadata = await (
      await server.handle(new Request(`${issuer}/.well-known/oauth-authorization-server`))
    ).json()
    expect(metadata.grant_types_supported).toContain(exampleGrant.grantType)
    expect(metadata.example_supported).toBe(true)
  })

  it('RFC 6749 5.2: a grant type not enabled in the configuration is unsupported_grant_type', async () => {
    const { token } = await setup()
    const response = await token({ grant_type: 'refresh_token', refresh_token: 'x' })
    expect(await response.json()).toMatchObject({ error: 'unsupported_grant_type' })
  })

  it('Authlib register_endpoint: a plugin endpoint is routed, matches() knows it, routes can move it', async () => {
    const { server } = await setup({ routes: { ping: '/health/ping', token: '/oauth/token' } })
    expect(server.matches('/health/ping')).toBe(true)
    expect(server.matches('/ping')).toBe(false)
    expect(server.matches('/oauth/token')).toBe(true)
    expect(server.matches('/interaction/abc')).toBe(false)
    const response = await server.handle(new Request(`${issuer}/health/ping`))
    expect(await response.json()).toEqual({ issuer })
    const metadata = await (
      await server.metadata(new Request(`${issuer}/.well-known/oauth-authorization-server`))
    ).json()
    expect(metadata.token_endpoint).toBe(`${issuer}/oauth/token`)
  })

  it('RFC 6749 5.2: unexpected exceptions become server_error without a stack trace; onError sees them', async () => {
    const { server, errors } = await setup()
    const response = await server.handle(new Request(`${issuer}/broken`))
    expect(response.status).toBe(500)
    const text = await response.text()
    expect(JSON.parse(text)).toMatchObject({ error: 'server_error' })
    expect(text).not.toContain('db.ts')
    expect(errors).toHaveLength(1)
  })

  it('RFC 8414 3, RFC 7517 5: the documents are answered synchronously; a wrong method is still a 405 with Allow (RFC 9110 15.5.6)', async () => {
    const { server } = await setup()
    for (const path of ['/.well-known/oauth-authorization-server', '/jwks']) {
      const answer = server.dispatch(new Request(`${issuer}${path}`))
      // No promise: the Node bridge writes it before the request event returns.
      expect(answer, path).not.toBeInstanceOf(Promise)
      expect((answer as Awaited<typeof answer>).status, path).toBe(200)
      const posted = await server.dispatch(new Request(`${issuer}${path}`, { method: 'POST' }))
      expect(posted.status, path).toBe(405)
      expect(posted.headers.get('allow'), path).toBe('GET')
      expect(JSON.parse((await posted.text()) || '{}'), path).toMatchObject({
        error: 'invalid_request',
      })
    }
  })

  it('RFC 6749 5.2: an endpoint that throws synchronously also answers server_error without a stack trace', async () => {
    const { server, errors } = await setup()
    const response = await server.handle(new Request(`${issuer}/sync-broken`))
    expect(response.status).toBe(500)
    const text = await response.text()
    expect(JSON.parse(text)).toMatchObject({ error: 'server_error' })
    expect(text).not.toContain('cache.ts')
    expect(errors).toHaveLength(1)
  })

  it('unknown paths get a 404 JSON error', async () => {
    const { server } = await setup()
    const response = await server.handle(new Request(`${issuer}/nope`))
    expect(response.status).toBe(404)
  })

  it('CORS (Fetch Standard 3.2): the token endpoint answers preflights and allows the client origin only', async () => {
    const { server, token } = await setup()
    const preflight = await server.handle(
      new Request(`${issuer}/token`, {
        method: 'OPTIONS',
        headers: { origin: 'https://spa.example', 'access-control-request-method': 'POST' },
      }),
    )
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://spa.example')
    const allowed = await token(
      { grant_type: 'client_credentials' },
      { origin: 'https://spa.example' },
    )
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://spa.example')
    const foreign = await token(
      { grant_type: 'client_credentials' },
      { origin: 'https://evil.example' },
    )
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('CORS: discovery and JWKS are readable from any origin; the authorization endpoint never sends CORS headers', async () => {
    const { server } = await setup()
    const headers = { origin: 'https://anywhere.example' }
    for (const path of ['/.well-known/oauth-authorization-server', '/jwks']) {
      const response = await server.handle(new Request(`${issuer}${path}`, { headers }))
      expect(response.headers.get('access-control-allow-origin'), path).toBe(
        'https://anywhere.example',
      )
    }
    const authorize = await server.handle(
      new Request(`${issuer}/authorize?client_id=spa&response_type=code`, { headers }),
    )
    expect(authorize.headers.get('access-control-allow-origin')).toBeNull()
    const preflight = await server.handle(
      new Request(`${issuer}/authorize`, { method: 'OPTIONS', headers }),
    )
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('RFC 8414 2: the issuer must be an absolute URL without query or fragment', () => {
    expect(() =>
      createAuthorizationServer({ issuer: 'as.example', keys, storage: new MemoryStore() }),
    ).toThrow(TypeError)
    expect(() =>
      createAuthorizationServer({
        issuer: 'https://as.example/?x=1',
        keys,
        storage: new MemoryStore(),
      }),
    ).toThrow(TypeError)
  })
})

describe('pathnameOf', () => {
  it('WHATWG URL: routes on the pathname the URL parser gives, for plain and tricky URLs alike', () => {
    const urls = [
      'https://as.example/token',
      'https://as.example/token?x=/y#z',
      'https://as.example:8443/.well-known/openid-configuration',
      'https://as.example?a=/token',
      'https://as.example#/token',
      'https://as.example',
      'https://as.example/a/../token',
      'https://as.example/a/./token',
      'https://as.example/%74oken',
      'https://as.example/to ken',
      'https://as.example\\evil/token',
      'https://user@as.example/token',
      'https://as.example/tenant/register/abc',
      'https://as.example/ü',
      'https://as.example/a/..',
      'https://as.example/.hidden',
    ]
    for (const url of urls) expect(pathnameOf(url), url).toBe(new URL(url).pathname)
    // Knowing the endpoint paths changes no answer: they are taken as they are only when the URL
    // holds exactly one of them, which the parser would leave alone.
    const known = new Set(['/token', '/.well-known/openid-configuration'])
    for (const url of urls) expect(pathnameOf(url, known), url).toBe(new URL(url).pathname)
  })
})
