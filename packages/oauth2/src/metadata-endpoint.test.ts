import { KeySet } from '@oidkit/jose'
import { beforeAll, describe, expect, it } from 'vitest'
import type { AuthorizationServerConfig } from './config'
import { createContext } from './context'
import { introspectionEndpoint } from './introspection-endpoint'
import { MemoryStore } from './memory-store'
import { buildMetadata, jwksEndpoint, metadataEndpoint } from './metadata-endpoint'
import type { Endpoint } from './plugin'
import { revocationEndpoint } from './revocation-endpoint'
import { stubGrant, stubResponseType } from './test-support/test-server'

let keys: KeySet

beforeAll(async () => {
  keys = await KeySet.generate(['RS256', 'ES256'])
})

// Stand-ins for endpoints and grants written elsewhere: metadata only looks at names and types.
const stubEndpoint = (name: string, path: string): Endpoint => ({
  name,
  path,
  methods: ['POST'],
  handle: async () => new Response(null, { status: 204 }),
})

function context(config: Partial<AuthorizationServerConfig> = {}) {
  return createContext(
    { issuer: 'https://as.example', keys, storage: new MemoryStore(), ...config },
    {
      endpoints: [
        stubEndpoint('authorization', '/authorize'),
        stubEndpoint('token', '/token'),
        revocationEndpoint,
        introspectionEndpoint,
        metadataEndpoint,
        jwksEndpoint,
        stubEndpoint('registration', '/register'),
      ],
      grantTypes: ['authorization_code', 'refresh_token', 'client_credentials', 'password'].map(
        stubGrant,
      ),
      responseTypes: [
        stubResponseType('code', 'authorization_code'),
        stubResponseType('token', 'implicit'),
      ],
      checks: [],
    },
  )
}

describe('buildMetadata', () => {
  it('RFC 8414 2: the default configuration advertises exactly what is enabled', () => {
    const m = buildMetadata(context())
    expect(m).toEqual({
      issuer: 'https://as.example',
      authorization_endpoint: 'https://as.example/authorize',
      token_endpoint: 'https://as.example/token',
      jwks_uri: 'https://as.example/jwks',
      response_types_supported: ['code'],
      response_modes_supported: ['query', 'fragment', 'form_post'],
      grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
      token_endpoint_auth_methods_supported: [
        'client_secret_basic',
        'client_secret_post',
        'client_secret_jwt',
        'private_key_jwt',
        'none',
      ],
      token_endpoint_auth_signing_alg_values_supported: expect.arrayContaining([
        'RS256',
        'ES256',
        'EdDSA',
        'HS256',
      ]),
      revocation_endpoint: 'https://as.example/revoke',
      revocation_endpoint_auth_methods_supported: expect.any(Array),
      revocation_endpoint_auth_signing_alg_values_supported: expect.any(Array),
      introspection_endpoint: 'https://as.example/introspect',
      introspection_endpoint_auth_methods_supported: expect.any(Array),
      introspection_endpoint_auth_signing_alg_values_supported: expect.any(Array),
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
    })
    // RFC 8414 2: "none" is never a signing algorithm of client authentication.
    expect(m.token_endpoint_auth_signing_alg_values_supported).not.toContain('none')
  })

  it('RFC 8414 2 / RFC 7591: registration_endpoint appears only when registration is enabled', () => {
    expect(buildMetadata(context())).not.toHaveProperty('registration_endpoint')
    const m = buildMetadata(context({ registration: { policy: { type: 'open' } } }))
    expect(m.registration_endpoint).toBe('https://as.example/register')
  })

  it('RFC 9700 2.1.2: implicit is absent by default and advertised only when enabled', () => {
    const m = buildMetadata(context({ grantTypes: ['authorization_code', 'implicit'] }))
    expect(m.response_types_supported).toEqual(['code', 'token'])
    expect(m.grant_types_supported).toEqual(['authorization_code', 'implicit'])
  })

  it('RFC 8414 2: scopes, client authentication methods and PKCE methods follow the configuration', () => {
    const m = buildMetadata(
      context({
        scopes: ['openid', 'read'],
        clientAuthMethods: ['client_secret_basic', 'none'],
        pkce: { allowPlain: true },
      }),
    )
    expect(m.scopes_supported).toEqual(['openid', 'read'])
    expect(m.token_endpoint_auth_methods_supported).toEqual(['client_secret_basic', 'none'])
    expect(m.revocation_endpoint_auth_methods_supported).toEqual(['client_secret_basic', 'none'])
    expect(m).not.toHaveProperty('token_endpoint_auth_signing_alg_values_supported')
    expect(m.code_challenge_methods_supported).toEqual(['S256', 'plain'])
  })

  it('RFC 8414 2: only HS* algorithms are advertised when client_secret_jwt is the JWT method', () => {
    const m = buildMetadata(context({ clientAuthMethods: ['client_secret_jwt'] }))
    expect(m.token_endpoint_auth_signing_alg_values_supported).toEqual(['HS256', 'HS384', 'HS512'])
  })

  it('RFC 8414 2: without an authorization endpoint grant, no authorization members', () => {
    const m = buildMetadata(context({ grantTypes: ['client_credentials'] }))
    expect(m.response_types_supported).toEqual([])
    for (const member of [
      'authorization_endpoint',
      'response_modes_supported',
      'code_challenge_methods_supported',
      'authorization_response_iss_parameter_supported',
    ]) {
      expect(m).not.toHaveProperty(member)
    }
    expect(m.grant_types_supported).toEqual(['client_credentials'])
  })

  it('RFC 8414 2: plugins extend the document', () => {
    const m = buildMetadata(
      context({
        plugins: [
          {
            name: 'x',
            extendMetadata: (doc) => {
              doc.require_pushed_authorization_requests = false
            },
          },
        ],
      }),
    )
    expect(m.require_pushed_authorization_requests).toBe(false)
  })

  it('RFC 8414 3: an issuer with a path keeps it exactly, and the well-known segment goes first', async () => {
    const server = context({ issuer: 'https://as.example/tenant' })
    const m = buildMetadata(server)
    expect(m.issuer).toBe('https://as.example/tenant')
    expect(m.token_endpoint).toBe('https://as.example/tenant/token')
    expect(server.endpointUrl('metadata')).toBe(
      'https://as.example/.well-known/oauth-authorization-server/tenant',
    )
  })

  it('RFC 8414 2: the document is built once per server (hot path) and frozen', () => {
    const server = context()
    const m = buildMetadata(server)
    expect(buildMetadata(server)).toBe(m)
    expect(Object.isFrozen(m)).toBe(true)
    expect(Object.isFrozen(m.grant_types_supported)).toBe(true)
  })
})

describe('metadata endpoint', () => {
  it('RFC 8414 3.2: 200 application/json with the metadata, cacheable', async () => {
    const server = context()
    const response = await metadataEndpoint.handle(
      new Request('https://as.example/.well-known/oauth-authorization-server'),
      server,
    )
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^application\/json/)
    expect(response.headers.get('cache-control')).toBe('public, max-age=300')
    // RFC 8414 3.3: the issuer in the document is identical to the configured issuer.
    expect(await response.json()).toEqual(buildMetadata(server))
  })

  it('RFC 8414 3.1: only GET', async () => {
    const request = new Request('https://as.example/.well-known/oauth-authorization-server', {
      method: 'POST',
    })
    await expect(metadataEndpoint.handle(request, context())).rejects.toMatchObject({ status: 405 })
  })
})

describe('jwks endpoint', () => {
  const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']

  it('RFC 7517 5 / RFC 8414 2: publishes the public keys only, as application/jwk-set+json', async () => {
    const response = await jwksEndpoint.handle(new Request('https://as.example/jwks'), context())
    expect(response.headers.get('content-type')).toBe('application/jwk-set+json')
    expect(response.headers.get('cache-control')).toBe('public, max-age=300')
    const { keys: published } = (await response.json()) as { keys: Record<string, unknown>[] }
    expect(published.map((key) => key.kid).sort()).toEqual(
      keys
        .entries()
        .map((entry) => entry.key.kid)
        .sort(),
    )
    for (const key of published) {
      for (const member of PRIVATE_MEMBERS) expect(key).not.toHaveProperty(member)
    }
  })

  it('RFC 7517 5: a rotation is published at once (the next key before it signs)', async () => {
    const own = await KeySet.generate('RS256')
    const server = context({ keys: own })
    const read = async () =>
      (
        (await (
          await jwksEndpoint.handle(new Request('https://as.example/jwks'), server)
        ).json()) as {
          keys: unknown[]
        }
      ).keys.length
    expect(await read()).toBe(1)
    await own.rotate('RS256')
    // The previous key (retired), the promoted one (current) and a fresh next key.
    expect(await read()).toBe(3)
  })
})
