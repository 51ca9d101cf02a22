import { builtinModules, createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  codeAuthorizeUrl,
  REDIRECT_URI as redirectUri,
  testProvider,
} from '../../conformance/src/adapter-test-support'
import { type OidkitRouteHandlers, oidkitHandlers } from './index'

const issuer = 'https://op.example'

describe('App Router route handlers answer the provider’s endpoints with Web Requests', () => {
  let handlers: OidkitRouteHandlers

  beforeAll(async () => {
    handlers = oidkitHandlers(await testProvider(issuer))
  })

  async function register() {
    const response = await handlers.POST(
      new Request(`${issuer}/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          redirect_uris: [redirectUri],
          grant_types: ['client_credentials'],
          response_types: [],
          client_name: 'First',
        }),
      }),
    )
    expect(response.status).toBe(201)
    return (await response.json()) as {
      client_id: string
      client_secret: string
      registration_access_token: string
      registration_client_uri: string
    }
  }

  it('OIDC Discovery 1.0 4: GET serves the configuration with the configured issuer', async () => {
    const response = await handlers.GET(new Request(`${issuer}/.well-known/openid-configuration`))
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ issuer, token_endpoint: `${issuer}/token` })
  })

  it('RFC 6749 4.4: POST to the token endpoint issues a client_credentials token', async () => {
    const client = await register()
    const response = await handlers.POST(
      new Request(`${issuer}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${btoa(`${client.client_id}:${client.client_secret}`)}`,
        },
        body: 'grant_type=client_credentials',
      }),
    )
    expect(response.status).toBe(200)
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(await response.json()).toMatchObject({ token_type: 'Bearer' })
  })

  it('RFC 7592 2.1-2.3: GET, PUT and DELETE manage a registered client', async () => {
    const client = await register()
    const auth = { authorization: `Bearer ${client.registration_access_token}` }
    const read = await handlers.GET(new Request(client.registration_client_uri, { headers: auth }))
    expect(await read.json()).toMatchObject({ client_id: client.client_id, client_name: 'First' })

    const updated = await handlers.PUT(
      new Request(client.registration_client_uri, {
        method: 'PUT',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({
          client_id: client.client_id,
          redirect_uris: [redirectUri],
          grant_types: ['client_credentials'],
          response_types: [],
          client_name: 'Renamed',
        }),
      }),
    )
    expect(updated.status).toBe(200)
    expect(await updated.json()).toMatchObject({ client_name: 'Renamed' })

    const deleted = await handlers.DELETE(
      new Request(client.registration_client_uri, { method: 'DELETE', headers: auth }),
    )
    expect(deleted.status).toBe(204)
    const gone = await handlers.GET(new Request(client.registration_client_uri, { headers: auth }))
    expect(gone.status).toBe(401)
  })

  it('Fetch Standard 3.2 (CORS protocol): OPTIONS answers the CORS preflight of the token endpoint', async () => {
    const response = await handlers.OPTIONS(
      new Request(`${issuer}/token`, {
        method: 'OPTIONS',
        headers: {
          origin: 'https://rp.example',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      }),
    )
    expect(response.status).toBe(204)
    expect(response.headers.get('access-control-allow-origin')).toBe('https://rp.example')
    expect(response.headers.get('access-control-allow-methods')).toContain('POST')
  })

  it('RFC 6749 3.1 / OIDC Core 3.1.2.3: GET on the authorization endpoint sends the end-user to the login page with a cookie', async () => {
    const registration = await handlers.POST(
      new Request(`${issuer}/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ redirect_uris: [redirectUri], token_endpoint_auth_method: 'none' }),
      }),
    )
    const { client_id } = (await registration.json()) as { client_id: string }
    const response = await handlers.GET(new Request(codeAuthorizeUrl(issuer, client_id)))
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toMatch(/^https:\/\/op\.example\/interaction\/[^/]+$/)
    expect(response.headers.getSetCookie().map((cookie) => cookie.split('=')[0])).toEqual([
      'oidkit.interaction',
    ])
  })
})

/** The part of esbuild's API this test uses (esbuild comes with tsup, not as a dependency). */
interface EsbuildPlugin {
  name: string
  setup(build: {
    onResolve(
      options: { filter: RegExp },
      callback: (args: {
        path: string
        importer: string
      }) => { path: string; external?: boolean } | undefined,
    ): void
  }): void
}
interface Esbuild {
  build(options: {
    entryPoints: string[]
    bundle: true
    write: false
    outdir: string
    platform: 'neutral'
    format: 'esm'
    conditions: string[]
    mainFields: string[]
    logLevel: 'silent'
    plugins: EsbuildPlugin[]
  }): Promise<{ outputFiles: Array<{ text: string }> }>
}

describe('the Next adapter and the cores it bundles run on the Edge runtime', () => {
  it('bundles for platform neutral (Edge) without any Node built-in', async () => {
    const esbuild = createRequire(createRequire(import.meta.url).resolve('tsup'))(
      'esbuild',
    ) as Esbuild
    const packages = fileURLToPath(new URL('../../', import.meta.url))
    const nodeOnly = new Set(builtinModules)
    const imported: string[] = []
    const result = await esbuild.build({
      entryPoints: [
        `${packages}next/src/index.ts`,
        `${packages}oauth2/src/index.ts`,
        `${packages}oidc/src/index.ts`,
      ],
      bundle: true,
      write: false,
      outdir: 'bundle',
      platform: 'neutral',
      format: 'esm',
      // What Next.js resolves for the Edge runtime.
      conditions: ['edge-light', 'worker', 'browser'],
      mainFields: ['module', 'main'],
      logLevel: 'silent',
      plugins: [
        {
          name: 'workspace-and-node-guard',
          setup(build) {
            build.onResolve({ filter: /^@oidkit\/[a-z0-9-]+$/ }, (args) => ({
              path: `${packages}${args.path.slice('@oidkit/'.length)}/src/index.ts`,
            }))
            build.onResolve({ filter: /^[a-z_:]+(\/[a-z_]+)*$/ }, (args) => {
              if (args.path.startsWith('node:') || nodeOnly.has(args.path)) {
                imported.push(`${args.path} from ${args.importer}`)
                return { path: args.path, external: true }
              }
              return undefined
            })
          },
        },
      ],
    })
    expect(imported).toEqual([])
    expect(result.outputFiles.length).toBe(3)
    expect(result.outputFiles.every((file) => file.text.includes('export'))).toBe(true)
  })
})
