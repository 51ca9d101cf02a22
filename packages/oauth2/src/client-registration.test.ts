import { KeySet } from '@oidkit/jose'
import * as v from 'valibot'
import { beforeAll, describe, expect, it } from 'vitest'
import { clientMetadataSchema, validateClientMetadata } from './client-registration'
import type { AuthorizationServerConfig } from './config'
import { createContext } from './context'
import { OAuthError } from './errors'
import { MemoryStore } from './memory-store'
import type { ServerPlugin } from './plugin'
import { stubGrant as grant, stubResponseType as responseType } from './test-support/test-server'

const REDIRECT = 'https://client.example/cb'
let keys: KeySet

beforeAll(async () => {
  keys = await KeySet.generate('RS256')
})

function server(config: Partial<AuthorizationServerConfig> = {}) {
  return createContext(
    {
      issuer: 'https://as.example',
      keys,
      storage: new MemoryStore(),
      grantTypes: [
        'authorization_code',
        'refresh_token',
        'client_credentials',
        'implicit',
        'password',
      ],
      ...config,
    },
    {
      endpoints: [],
      grantTypes: ['authorization_code', 'refresh_token', 'client_credentials', 'password'].map(
        grant,
      ),
      responseTypes: [
        responseType('code', 'authorization_code'),
        responseType('token', 'implicit'),
        responseType('code id_token', 'authorization_code'),
      ],
      checks: [],
    },
  )
}

/** The OAuth error a validation throws, or undefined when it passes. */
async function failure(input: unknown, config: Partial<AuthorizationServerConfig> = {}) {
  try {
    await validateClientMetadata(server(config), input)
    return undefined
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error
    return { error: error.error, description: error.error_description ?? '' }
  }
}

describe('clientMetadataSchema', () => {
  it('RFC 7591 2: one schema per server, composed with plugin entries', () => {
    const plugin: ServerPlugin = {
      name: 'x',
      clientMetadata: { entries: { require_x: v.optional(v.boolean()) } },
    }
    const s = server({ plugins: [plugin] })
    expect(clientMetadataSchema(s)).toBe(clientMetadataSchema(s))
    expect(v.safeParse(clientMetadataSchema(s), { require_x: 'yes' }).success).toBe(false)
    expect(v.safeParse(clientMetadataSchema(server()), { require_x: 'yes' }).success).toBe(true)
  })
})

describe('validateClientMetadata: redirect_uris', () => {
  it.each([
    ['/relative', 'absolute'],
    ['https://client.example/cb#x', 'fragment'],
    ['https://client.example/cb#', 'fragment'],
    ['https://user:pass@client.example/cb', 'user information'],
    ['http://client.example/cb', 'https'],
    ['javascript:alert(1)', 'scheme'],
    ['myapp:/cb', 'scheme'],
    [' https://client.example/cb', 'whitespace'],
  ])('RFC 6749 3.1.2 / RFC 8252 7 / RFC 9700 2.1: %s is invalid_redirect_uri', async (uri, why) => {
    const result = await failure({ redirect_uris: [uri] })
    expect(result?.error).toBe('invalid_redirect_uri')
    expect(result?.description).toContain('redirect_uris')
    expect(result?.description).toContain(why)
  })

  it.each([
    'https://client.example/cb?x=1',
    'http://127.0.0.1/cb',
    'http://[::1]:8080/cb',
    'http://localhost:3000/cb',
    'com.example.app:/oauth2redirect',
  ])('RFC 8252 7.1 / 7.3: %s is accepted', async (uri) => {
    expect(await failure({ redirect_uris: [uri] })).toBe(undefined)
  })

  it('RFC 7591 2: redirect_uris that is not an array of strings is invalid_redirect_uri', async () => {
    expect((await failure({ redirect_uris: 'https://client.example/cb' }))?.error).toBe(
      'invalid_redirect_uri',
    )
    expect((await failure({ redirect_uris: [1] }))?.error).toBe('invalid_redirect_uri')
  })

  it('RFC 7591 2: redirect-based grants need redirect_uris; client_credentials does not', async () => {
    expect((await failure({}))?.error).toBe('invalid_redirect_uri')
    expect((await failure({ redirect_uris: [] }))?.error).toBe('invalid_redirect_uri')
    const metadata = await validateClientMetadata(server(), { grant_types: ['client_credentials'] })
    expect(metadata).toMatchObject({ grant_types: ['client_credentials'], response_types: [] })
  })
})

describe('validateClientMetadata: grant_types and response_types', () => {
  it('RFC 7591 2: defaults are filled (authorization_code, code, client_secret_basic)', async () => {
    expect(await validateClientMetadata(server(), { redirect_uris: [REDIRECT] })).toEqual({
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    })
  })

  it('RFC 7591 2: response_types are compared order-insensitively and stored canonically', async () => {
    const metadata = await validateClientMetadata(server(), {
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'implicit'],
      response_types: ['id_token code'],
    })
    expect(metadata.response_types).toEqual(['code id_token'])
  })

  it('RFC 7591 3.2.2: unsupported grant and response types are invalid_client_metadata naming the field', async () => {
    const onlyCode = { grantTypes: ['authorization_code'] }
    const refresh = await failure(
      { redirect_uris: [REDIRECT], grant_types: ['authorization_code', 'refresh_token'] },
      onlyCode,
    )
    expect(refresh).toMatchObject({ error: 'invalid_client_metadata' })
    expect(refresh?.description).toContain('grant_types')
    const unknown = await failure({
      redirect_uris: [REDIRECT],
      response_types: ['code', 'code token'],
    })
    expect(unknown).toMatchObject({ error: 'invalid_client_metadata' })
    expect(unknown?.description).toContain('response_types')
    const custom = await failure({ grant_types: ['urn:example:custom'] })
    expect(custom?.description).toContain('grant_types')
  })

  it('RFC 7591 2.1: each response type needs its grant type and vice versa', async () => {
    expect(
      (await failure({ redirect_uris: [REDIRECT], response_types: ['token'] }))?.description,
    ).toContain('implicit')
    expect(
      (
        await failure({
          redirect_uris: [REDIRECT],
          grant_types: ['implicit'],
          response_types: ['code'],
        })
      )?.description,
    ).toContain('authorization_code')
    expect(
      (
        await failure({
          redirect_uris: [REDIRECT],
          grant_types: ['authorization_code'],
          response_types: [],
        })
      )?.description,
    ).toContain('authorization_code')
    expect(
      (
        await failure({
          redirect_uris: [REDIRECT],
          grant_types: ['authorization_code', 'implicit'],
        })
      )?.description,
    ).toContain('implicit')
    expect(
      await failure({
        redirect_uris: [REDIRECT],
        grant_types: ['authorization_code', 'implicit'],
        response_types: ['code', 'token'],
      }),
    ).toBe(undefined)
  })
})

describe('validateClientMetadata: authentication', () => {
  it('RFC 7591 2: token_endpoint_auth_method must be one the server supports', async () => {
    const result = await failure(
      { redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' },
      { clientAuthMethods: ['client_secret_basic'] },
    )
    expect(result).toMatchObject({ error: 'invalid_client_metadata' })
    expect(result?.description).toContain('token_endpoint_auth_method')
  })

  it('RFC 6749 4.4: a public client cannot use client_credentials', async () => {
    const result = await failure({
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'none',
    })
    expect(result?.description).toContain('client_credentials')
  })

  it('RFC 7523 / OIDC Registration 2: token_endpoint_auth_signing_alg is never none and fits the method', async () => {
    const base = { grant_types: ['client_credentials'] }
    expect(
      (await failure({ ...base, token_endpoint_auth_signing_alg: 'none' }))?.description,
    ).toContain('token_endpoint_auth_signing_alg')
    expect(
      await failure({
        ...base,
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: 'HS256',
        jwks_uri: 'https://client.example/jwks',
      }),
    ).toMatchObject({ error: 'invalid_client_metadata' })
    expect(
      await failure({
        ...base,
        token_endpoint_auth_method: 'client_secret_jwt',
        token_endpoint_auth_signing_alg: 'HS512',
      }),
    ).toBe(undefined)
  })

  it('RFC 7523 2.2: private_key_jwt needs jwks or jwks_uri', async () => {
    const result = await failure({
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'private_key_jwt',
    })
    expect(result?.description).toContain('jwks')
  })
})

describe('validateClientMetadata: jwks, scope, URLs and extensions', () => {
  const cc = { grant_types: ['client_credentials'] }
  const oct = { kty: 'oct', k: 'c2VjcmV0' }

  it('RFC 7591 2: jwks must be a JWK Set of public keys, not combined with jwks_uri', async () => {
    expect(await failure({ ...cc, jwks: { keys: [oct] } })).toBe(undefined)
    expect((await failure({ ...cc, jwks: { keys: [] } }))?.description).toContain('jwks')
    expect((await failure({ ...cc, jwks: { keys: 'hello' } }))?.description).toContain('jwks')
    expect(
      (await failure({ ...cc, jwks: { keys: [{ kty: 'EC', d: 'private' }] } }))?.description,
    ).toContain('public keys')
    const both = await failure({
      ...cc,
      jwks: { keys: [oct] },
      jwks_uri: 'https://client.example/jwks',
    })
    expect(both).toMatchObject({ error: 'invalid_client_metadata' })
  })

  it('RFC 7591 2: scope must be known to the server when it lists scopes', async () => {
    const config = { scopes: ['profile', 'email'] }
    expect(await failure({ ...cc, scope: 'profile email' }, config)).toBe(undefined)
    expect(await failure({ ...cc, scope: '' }, config)).toBe(undefined)
    const unknown = await failure({ ...cc, scope: 'profile email address' }, config)
    expect(unknown).toMatchObject({ error: 'invalid_client_metadata' })
    expect(unknown?.description).toContain('address')
    expect((await failure({ ...cc, scope: 'bad"scope' }))?.description).toContain('scope')
  })

  it('RFC 7591 2 / 5: contacts must be an array; web URLs must be http(s)', async () => {
    expect((await failure({ ...cc, contacts: 'invalid' }))?.description).toContain('contacts')
    expect((await failure({ ...cc, logo_uri: 'javascript:alert(1)' }))?.description).toContain(
      'logo_uri',
    )
    expect((await failure({ ...cc, client_uri: 'not a url' }))?.description).toContain('client_uri')
    expect(await failure({ ...cc, policy_uri: 'https://client.example/policy' })).toBe(undefined)
  })

  it('RFC 7591 2.2: localized members are kept and checked like their base member', async () => {
    const metadata = await validateClientMetadata(server(), { ...cc, 'client_name#fr': 'Exemple' })
    expect(metadata['client_name#fr']).toBe('Exemple')
    expect((await failure({ ...cc, 'client_name#ja': 42 }))?.description).toContain(
      'client_name#ja',
    )
    expect((await failure({ ...cc, 'tos_uri#de': 'javascript:x' }))?.description).toContain(
      'tos_uri#de',
    )
    expect((await failure({ ...cc, 'client_name#': 'x' }))?.description).toContain('language tag')
  })

  it('RFC 7591 3.2.1: server-managed members are dropped, unknown ones kept', async () => {
    const metadata = await validateClientMetadata(server(), {
      ...cc,
      client_id: 'chosen',
      client_secret: 's',
      client_secret_hash: 'h',
      client_id_issued_at: 1,
      vendor_extension: true,
    })
    expect(metadata).not.toHaveProperty('client_id')
    expect(metadata).not.toHaveProperty('client_secret')
    expect(metadata).not.toHaveProperty('client_secret_hash')
    expect(metadata).not.toHaveProperty('client_id_issued_at')
    expect(metadata.vendor_extension).toBe(true)
  })

  it('RFC 7591 2: plugin checks run after the RFC 7591 rules, in plugin order', async () => {
    const order: string[] = []
    const plugin = (name: string): ServerPlugin => ({
      name,
      clientMetadata: {
        entries: {},
        check(metadata) {
          // The RFC 7591 defaults are already filled when a plugin runs.
          order.push(`${name}:${metadata.token_endpoint_auth_method}`)
        },
      },
    })
    await validateClientMetadata(server({ plugins: [plugin('a'), plugin('b')] }), cc)
    expect(order).toEqual(['a:client_secret_basic', 'b:client_secret_basic'])
  })
})
