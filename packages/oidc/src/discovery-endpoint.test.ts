import { KeySet } from '@oidkit/jose'
import {
  type AuthorizationServerConfig,
  createAuthorizationServer,
  type Endpoint,
  MemoryStore,
  type ServerPlugin,
} from '@oidkit/oauth2'
import { beforeAll, describe, expect, it } from 'vitest'
import { STANDARD_CLAIMS } from './account-claims'
import type { OpenIDOptions } from './config'
import { discoveryEndpoint, openidMetadata } from './discovery-endpoint'
import { oidcResponseTypes } from './response-types'
import { userinfoEndpoint } from './userinfo-endpoint'

const ISSUER = 'https://op.example'
const DISCOVERY = `${ISSUER}/.well-known/openid-configuration`

const baseOptions: OpenIDOptions = { claims: () => ({}) }

// Stands in for the RP-Initiated Logout endpoint, which another module provides.
const endSession: Endpoint = {
  name: 'end_session',
  path: '/session/end',
  methods: ['GET', 'POST'],
  handle: async () => new Response('logged out'),
}

let keys: KeySet
let es256Only: KeySet

beforeAll(async () => {
  keys = await KeySet.generate(['RS256', 'ES256'])
  es256Only = await KeySet.generate('ES256')
})

function plugin(options: OpenIDOptions, extra: Endpoint[] = []): ServerPlugin {
  return {
    name: 'openid',
    responseTypes: oidcResponseTypes(options),
    endpoints: [userinfoEndpoint(options), discoveryEndpoint(options), ...extra],
    extendMetadata: openidMetadata(options),
  }
}

function serverWith(
  config: Partial<AuthorizationServerConfig> = {},
  options: OpenIDOptions = baseOptions,
  extra: Endpoint[] = [endSession],
) {
  return createAuthorizationServer({
    issuer: ISSUER,
    keys,
    storage: new MemoryStore(),
    registration: { policy: { type: 'open' } },
    plugins: [plugin(options, extra)],
    ...config,
  })
}

async function discover(
  server: ReturnType<typeof serverWith>,
  url = DISCOVERY,
): Promise<Record<string, unknown>> {
  const response = await server.handle(new Request(url))
  expect(response.status).toBe(200)
  return (await response.json()) as Record<string, unknown>
}

describe('discoveryEndpoint: the document (OIDC Discovery 1.0 3, 4)', () => {
  it('OIDC Discovery 1.0 4.2: 200 application/json, publicly cacheable', async () => {
    const response = await serverWith().handle(new Request(DISCOVERY))
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^application\/json/)
    expect(response.headers.get('cache-control')).toBe('public, max-age=300')
  })

  it('OIDC Discovery 1.0 4.3: issuer is exactly the configured issuer', async () => {
    const metadata = await discover(serverWith())
    expect(metadata.issuer).toBe(ISSUER)
  })

  it('OIDC Discovery 1.0 3: every endpoint URL is absolute under the issuer', async () => {
    const metadata = await discover(serverWith())
    expect(metadata).toMatchObject({
      authorization_endpoint: `${ISSUER}/authorize`,
      token_endpoint: `${ISSUER}/token`,
      userinfo_endpoint: `${ISSUER}/userinfo`,
      jwks_uri: `${ISSUER}/jwks`,
      registration_endpoint: `${ISSUER}/register`,
      revocation_endpoint: `${ISSUER}/revoke`,
      introspection_endpoint: `${ISSUER}/introspect`,
      end_session_endpoint: `${ISSUER}/session/end`,
    })
  })

  it('RP-Initiated Logout 1.0 3: end_session_endpoint only when that endpoint is registered', async () => {
    const metadata = await discover(serverWith({}, baseOptions, []))
    expect(metadata).not.toHaveProperty('end_session_endpoint')
  })

  it('OIDC Discovery 1.0 3: RS256 is among the ID token and UserInfo signing algorithms', async () => {
    const metadata = await discover(serverWith())
    expect(metadata.id_token_signing_alg_values_supported).toEqual(['RS256', 'ES256'])
    expect(metadata.userinfo_signing_alg_values_supported).toEqual(['RS256', 'ES256'])
  })

  it('OIDC Discovery 1.0 3: a key set without RS256 lists what it signs with', async () => {
    const metadata = await discover(serverWith({ keys: es256Only }))
    expect(metadata.id_token_signing_alg_values_supported).toEqual(['ES256'])
  })

  it('OIDC Discovery 1.0 3: claims parameter supported; request objects are not', async () => {
    const metadata = await discover(serverWith())
    expect(metadata.claims_parameter_supported).toBe(true)
    expect(metadata.request_parameter_supported).toBe(false)
    // Its default is true, so it must be stated.
    expect(metadata.request_uri_parameter_supported).toBe(false)
    expect(metadata).not.toHaveProperty('request_object_signing_alg_values_supported')
  })

  it('OIDC Discovery 1.0 3: subject types, claim types and display values', async () => {
    const metadata = await discover(serverWith())
    expect(metadata.subject_types_supported).toEqual(['public'])
    expect(metadata.claim_types_supported).toEqual(['normal'])
    expect(metadata.display_values_supported).toEqual(['page'])
    const pairwise = await discover(
      serverWith({}, { ...baseOptions, registration: { subjectTypes: ['public', 'pairwise'] } }),
    )
    expect(pairwise.subject_types_supported).toEqual(['public', 'pairwise'])
  })

  it('OIDC Discovery 1.0 3: claims_supported lists the standard and the ID token claims', async () => {
    const metadata = await discover(serverWith())
    const claims = metadata.claims_supported as string[]
    for (const claim of [...STANDARD_CLAIMS, 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce']) {
      expect(claims).toContain(claim)
    }
    expect(new Set(claims).size).toBe(claims.length)
  })

  it('OIDC Discovery 1.0 3: claimsSupported replaces the account claims, sub and ID token claims stay', async () => {
    const metadata = await discover(
      serverWith({}, { ...baseOptions, claimsSupported: ['email', 'email_verified'] }),
    )
    const claims = metadata.claims_supported as string[]
    expect(claims).toEqual(expect.arrayContaining(['sub', 'email', 'email_verified', 'nonce']))
    expect(claims).not.toContain('phone_number')
  })

  it('OIDC Discovery 1.0 3: acr_values_supported only when acr values are configured', async () => {
    expect(await discover(serverWith())).not.toHaveProperty('acr_values_supported')
    const metadata = await discover(serverWith({}, { ...baseOptions, acrValues: ['urn:acr:1'] }))
    expect(metadata.acr_values_supported).toEqual(['urn:acr:1'])
  })

  it('OIDC Discovery 1.0 3: scopes_supported includes openid; the configured scopes win', async () => {
    const defaults = await discover(serverWith())
    expect(defaults.scopes_supported).toEqual([
      'openid',
      'profile',
      'email',
      'address',
      'phone',
      'offline_access',
    ])
    const configured = await discover(serverWith({ scopes: ['openid', 'email', 'api'] }))
    expect(configured.scopes_supported).toEqual(['openid', 'email', 'api'])
  })

  it('OIDC Discovery 1.0 3: response types follow the enabled grants (no implicit: code only)', async () => {
    const metadata = await discover(serverWith({ grantTypes: ['authorization_code'] }))
    expect(metadata.response_types_supported).toEqual(['code'])
    expect(metadata.response_modes_supported).toEqual(['query', 'fragment', 'form_post'])
  })

  it('OIDC Discovery 1.0 3: implicit and hybrid response types appear when implicit is enabled', async () => {
    const metadata = await discover(
      serverWith({ grantTypes: ['authorization_code', 'refresh_token', 'implicit'] }),
    )
    const types = metadata.response_types_supported as string[]
    expect(types).toEqual(
      expect.arrayContaining(['code', 'id_token', 'id_token token', 'code id_token']),
    )
    expect(metadata.grant_types_supported).toEqual(expect.arrayContaining(['implicit']))
  })

  it('RFC 8414 2 / RFC 9207 3 / RFC 7636 4.3: the OAuth members come from the core', async () => {
    const metadata = await discover(serverWith())
    expect(metadata.code_challenge_methods_supported).toEqual(['S256'])
    expect(metadata.authorization_response_iss_parameter_supported).toBe(true)
    expect(metadata.token_endpoint_auth_methods_supported).toEqual(
      expect.arrayContaining(['client_secret_basic', 'client_secret_post', 'none']),
    )
    expect(metadata.grant_types_supported).toEqual(
      expect.arrayContaining(['authorization_code', 'refresh_token']),
    )
  })

  it('RFC 8414 7.2: the RFC 8414 and OpenID documents are the same live document', async () => {
    const server = serverWith()
    const oidc = await discover(server)
    const oauth = await server.handle(
      new Request(`${ISSUER}/.well-known/oauth-authorization-server`),
    )
    expect(await oauth.json()).toEqual(oidc)
  })

  it('OIDC Discovery 1.0 3: the OpenID members are added even without the extendMetadata hook', async () => {
    const server = createAuthorizationServer({
      issuer: ISSUER,
      keys,
      storage: new MemoryStore(),
      plugins: [{ name: 'discovery-only', endpoints: [discoveryEndpoint(baseOptions)] }],
    })
    const metadata = await discover(server)
    expect(metadata.subject_types_supported).toEqual(['public'])
    expect(metadata.id_token_signing_alg_values_supported).toContain('RS256')
    expect(metadata).not.toHaveProperty('userinfo_endpoint')
  })
})

describe('discoveryEndpoint: location and serving (OIDC Discovery 1.0 4)', () => {
  it('OIDC Discovery 1.0 4.1: an issuer with a path gets the well-known segment appended', async () => {
    const issuer = 'https://op.example/tenant'
    const server = serverWith({ issuer })
    const metadata = await discover(server, `${issuer}/.well-known/openid-configuration`)
    expect(metadata.issuer).toBe(issuer)
    expect(metadata.userinfo_endpoint).toBe(`${issuer}/userinfo`)
    expect(metadata.token_endpoint).toBe(`${issuer}/token`)
    expect(server.context.endpointUrl('discovery')).toBe(
      'https://op.example/tenant/.well-known/openid-configuration',
    )
    const root = await server.handle(new Request(`${ISSUER}/.well-known/openid-configuration`))
    expect(root.status).toBe(404)
  })

  it('OIDC Discovery 1.0 4.1: an issuer with a trailing slash does not double it', async () => {
    const issuer = 'https://op.example/tenant/'
    const server = serverWith({ issuer })
    const metadata = await discover(
      server,
      'https://op.example/tenant/.well-known/openid-configuration',
    )
    expect(metadata.issuer).toBe(issuer)
  })

  it('OIDC Discovery 1.0 3: every advertised endpoint is served (no 404)', async () => {
    const server = serverWith({ grantTypes: ['authorization_code', 'refresh_token', 'implicit'] })
    const metadata = await discover(server)
    const urls = Object.entries(metadata)
      .filter(([name]) => name.endsWith('_endpoint') || name === 'jwks_uri')
      .map(([, url]) => url as string)
    expect(urls.length).toBeGreaterThanOrEqual(8)
    for (const url of urls) {
      const response = await server.handle(new Request(url))
      expect(response.status, url).not.toBe(404)
    }
  })

  it('OIDC Discovery 1.0 4.1: only GET is served', async () => {
    const response = await serverWith().handle(new Request(DISCOVERY, { method: 'POST' }))
    expect(response.status).toBe(405)
    expect(response.headers.get('allow')).toBe('GET')
  })

  it('Fetch CORS: any origin may read the discovery document', async () => {
    const response = await serverWith().handle(
      new Request(DISCOVERY, { headers: { origin: 'https://any.example' } }),
    )
    expect(response.headers.get('access-control-allow-origin')).toBe('https://any.example')
  })
})
