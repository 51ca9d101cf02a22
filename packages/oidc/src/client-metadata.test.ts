import { KeySet } from '@oidkit/jose'
import * as v from 'valibot'
import { beforeAll, describe, expect, it } from 'vitest'
// Until @oidkit/oauth2's index exports these, tests import them from the source files.
import { OAuthClientMetadataEntries } from '../../oauth2/src/client-metadata'
import type { ServerContext } from '../../oauth2/src/context'
import { parseWithSchema } from '../../oauth2/src/validation'
import {
  OIDCClientMetadataEntries,
  type OIDCClientMetadataOptions,
  oidcClientMetadata,
} from './client-metadata'

// The registration endpoint's composition: RFC 7591 entries, then the extension's.
const schema = v.looseObject({ ...OAuthClientMetadataEntries, ...OIDCClientMetadataEntries })

let server: ServerContext
let es256Server: ServerContext

beforeAll(async () => {
  server = { keys: await KeySet.generate(['RS256', 'ES256']) } as unknown as ServerContext
  es256Server = { keys: await KeySet.generate('ES256') } as unknown as ServerContext
})

function parse(input: Record<string, unknown>): Record<string, unknown> {
  return parseWithSchema(schema, input, {
    codes: { redirect_uris: 'invalid_redirect_uri' },
    fallback: 'invalid_client_metadata',
  })
}

/** Parses with the composed schema, then runs the extension's check, like registration does. */
async function register(
  input: Record<string, unknown>,
  options?: OIDCClientMetadataOptions,
  on: ServerContext = server,
): Promise<Record<string, unknown>> {
  const metadata = parse(input)
  await oidcClientMetadata(options).check(metadata, on)
  return metadata
}

function refusal(field: string, error = 'invalid_client_metadata') {
  return { error, error_description: expect.stringContaining(field) }
}

const web = { redirect_uris: ['https://client.example.org/cb'] }

/** A fetch that serves one sector identifier document and records what was asked. */
function sectorFetch(body: string, status = 200) {
  const calls: { url: string; init?: RequestInit }[] = []
  const fetcher: typeof fetch = async (input, init) => {
    calls.push({ url: String(input), init })
    return new Response(body, { status, headers: { 'content-type': 'application/json' } })
  }
  return { calls, fetcher }
}

describe('OIDCClientMetadataEntries composed with RFC 7591', () => {
  it('OIDC Registration 1.0 2: a full registration parses, extension members pass through', () => {
    const input = {
      ...web,
      client_name: 'Example',
      application_type: 'web',
      subject_type: 'public',
      id_token_signed_response_alg: 'ES256',
      userinfo_signed_response_alg: 'RS256',
      token_endpoint_auth_signing_alg: 'ES256',
      request_object_signing_alg: 'RS256',
      sector_identifier_uri: 'https://client.example.org/sector.json',
      default_max_age: 3600,
      require_auth_time: true,
      default_acr_values: ['urn:example:silver'],
      initiate_login_uri: 'https://client.example.org/login',
      post_logout_redirect_uris: ['https://client.example.org/bye?x=1'],
      'client_name#ja': 'サンプル',
    }
    expect(parse(input)).toEqual(input)
  })

  it('OIDC Registration 1.0 2: application_type defaults to web', () => {
    expect(parse(web).application_type).toBe('web')
    expect(parse({ ...web, application_type: 'native' }).application_type).toBe('native')
  })

  it('OIDC Registration 1.0 2: application_type other than web or native is refused', () => {
    expect(() => parse({ application_type: 'desktop' })).toThrow(
      expect.objectContaining(refusal('application_type')),
    )
  })

  it.each([
    ['default_max_age', -1],
    ['default_max_age', 1.5],
    ['default_max_age', '3600'],
    ['require_auth_time', 'true'],
    ['default_acr_values', 'urn:example:silver'],
    ['subject_type', 'private'],
    ['initiate_login_uri', 'http://client.example.org/login'],
    ['sector_identifier_uri', 'http://client.example.org/sector.json'],
    ['request_uris', ['http://client.example.org/request']],
    ['post_logout_redirect_uris', ['https://client.example.org/bye#top']],
    ['post_logout_redirect_uris', ['/bye']],
    ['token_endpoint_auth_signing_alg', 'none'],
    ['token_endpoint_auth_signing_alg', 'RS257'],
    ['request_object_signing_alg', 'none'],
  ])('OIDC Registration 1.0 2 / RP-Initiated Logout 3.1: %s = %j is refused', (field, value) => {
    expect(() => parse({ [field]: value })).toThrow(expect.objectContaining(refusal(field)))
  })

  it('OIDC Registration 1.0 2: default_max_age 0 and JWS algorithms of the client are accepted', () => {
    const input = {
      default_max_age: 0,
      token_endpoint_auth_signing_alg: 'HS256',
      request_object_signing_alg: 'EdDSA',
    }
    expect(parse(input)).toMatchObject(input)
  })

  it.each([
    'id_token_encrypted_response_alg',
    'id_token_encrypted_response_enc',
    'userinfo_encrypted_response_alg',
    'userinfo_encrypted_response_enc',
    'request_object_encryption_alg',
    'request_object_encryption_enc',
  ])('OIDC Registration 1.0 2: %s is refused (encryption is not supported)', (field) => {
    expect(() => parse({ ...web, [field]: 'RSA-OAEP' })).toThrow(
      expect.objectContaining({
        error: 'invalid_client_metadata',
        error_description: expect.stringMatching(new RegExp(`${field}.*not supported`)),
      }),
    )
  })
})

describe('oidcClientMetadata().check: application_type and redirect URIs', () => {
  it('OIDC Registration 1.0 2: check fills application_type web when it is missing', async () => {
    const metadata: Record<string, unknown> = { ...web }
    await oidcClientMetadata().check(metadata, server)
    expect(metadata.application_type).toBe('web')
  })

  it('OIDC Registration 1.0 2: a web client may register https redirect URIs', async () => {
    await expect(register(web)).resolves.toMatchObject(web)
  })

  it.each([
    'http://client.example.org/cb',
    'https://localhost/cb',
    'https://app.localhost/cb',
    'https://127.0.0.1/cb',
    'http://[::1]:8080/cb',
    'com.example.app:/cb',
  ])('OIDC Registration 1.0 2: a web client may not register %s', async (uri) => {
    await expect(register({ redirect_uris: [uri] })).rejects.toMatchObject(
      refusal('redirect_uris', 'invalid_redirect_uri'),
    )
  })

  it('OIDC Registration 1.0 2: allowInsecureWebRedirects admits localhost and loopback for web', async () => {
    const dev = { allowInsecureWebRedirects: true }
    const local = ['http://localhost:3000/cb', 'http://127.0.0.1/cb', 'https://[::1]/cb']
    await expect(register({ redirect_uris: local }, dev)).resolves.toMatchObject({
      redirect_uris: local,
    })
    await expect(
      register({ redirect_uris: ['http://client.example.org/cb'] }, dev),
    ).rejects.toMatchObject(refusal('redirect_uris', 'invalid_redirect_uri'))
  })

  it('OIDC Registration 1.0 2 / RFC 8252 7: a native client may use private-use schemes, http loopback and claimed https', async () => {
    const uris = [
      'com.example.app:/oauth2redirect',
      'http://127.0.0.1:51004/cb',
      'http://[::1]/cb',
      'http://localhost/cb',
      'https://app.example.com/oauth2redirect',
    ]
    await expect(
      register({ application_type: 'native', redirect_uris: uris }),
    ).resolves.toMatchObject({ redirect_uris: uris })
  })

  it.each(['http://client.example.org/cb', 'javascript:alert(1)', 'data:text/html,hi'])(
    'OIDC Registration 1.0 2: a native client may not register %s',
    async (uri) => {
      await expect(
        register({ application_type: 'native', redirect_uris: [uri] }),
      ).rejects.toMatchObject(refusal('redirect_uris', 'invalid_redirect_uri'))
    },
  )

  it('RP-Initiated Logout 1.0 3.1: post_logout_redirect_uris follow the application type', async () => {
    const bye = ['https://client.example.org/bye']
    await expect(register({ ...web, post_logout_redirect_uris: bye })).resolves.toMatchObject({
      post_logout_redirect_uris: bye,
    })
    await expect(
      register({ ...web, post_logout_redirect_uris: ['http://client.example.org/bye'] }),
    ).rejects.toMatchObject(refusal('post_logout_redirect_uris'))
    await expect(
      register(
        { ...web, post_logout_redirect_uris: ['http://localhost:3000/bye'] },
        { allowInsecureWebRedirects: true },
      ),
    ).resolves.toBeDefined()
    await expect(
      register({ application_type: 'native', post_logout_redirect_uris: ['com.example.app:/bye'] }),
    ).resolves.toBeDefined()
  })
})

describe('oidcClientMetadata().check: signing algorithms', () => {
  it('OIDC Registration 1.0 2: id_token_signed_response_alg defaults to RS256', async () => {
    expect((await register(web)).id_token_signed_response_alg).toBe('RS256')
  })

  it('OIDC Registration 1.0 2 / RFC 7591 3.2.1: without an RS256 key the default is the alg the server signs with', async () => {
    expect((await register(web, {}, es256Server)).id_token_signed_response_alg).toBe('ES256')
  })

  it('OIDC Registration 1.0 2: id_token_signed_response_alg must be an alg of the key set', async () => {
    const metadata = await register({ ...web, id_token_signed_response_alg: 'ES256' })
    expect(metadata.id_token_signed_response_alg).toBe('ES256')
    for (const alg of ['RS512', 'HS256']) {
      await expect(register({ ...web, id_token_signed_response_alg: alg })).rejects.toMatchObject(
        refusal('id_token_signed_response_alg'),
      )
    }
  })

  it('OIDC Registration 1.0 2 (Authlib quirk 13 fixed): none is refused whatever the response types', async () => {
    for (const input of [
      { response_types: ['code'] },
      { response_types: ['code id_token'], grant_types: ['authorization_code', 'implicit'] },
      { response_type: 'code' },
    ]) {
      await expect(
        register({ ...web, ...input, id_token_signed_response_alg: 'none' }),
      ).rejects.toMatchObject({
        error: 'invalid_client_metadata',
        error_description: expect.stringMatching(/id_token_signed_response_alg.*unsigned/),
      })
    }
  })

  it('OIDC Registration 1.0 2: userinfo_signed_response_alg must be an alg of the key set, not none', async () => {
    expect(await register(web)).not.toHaveProperty('userinfo_signed_response_alg')
    await expect(
      register({ ...web, userinfo_signed_response_alg: 'ES256' }),
    ).resolves.toMatchObject({ userinfo_signed_response_alg: 'ES256' })
    for (const alg of ['none', 'PS256']) {
      await expect(register({ ...web, userinfo_signed_response_alg: alg })).rejects.toMatchObject(
        refusal('userinfo_signed_response_alg'),
      )
    }
  })

  it('OIDC Registration 1.0 2 / OIDC Core 9: token_endpoint_auth_signing_alg fits the auth method', async () => {
    await expect(
      register({
        ...web,
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: 'ES256',
      }),
    ).resolves.toMatchObject({ token_endpoint_auth_signing_alg: 'ES256' })
    await expect(
      register({
        ...web,
        token_endpoint_auth_method: 'client_secret_jwt',
        token_endpoint_auth_signing_alg: 'HS256',
      }),
    ).resolves.toMatchObject({ token_endpoint_auth_signing_alg: 'HS256' })
    for (const [method, alg] of [
      ['private_key_jwt', 'HS256'],
      ['client_secret_jwt', 'RS256'],
    ]) {
      await expect(
        register({
          ...web,
          token_endpoint_auth_method: method,
          token_endpoint_auth_signing_alg: alg,
        }),
      ).rejects.toMatchObject(refusal('token_endpoint_auth_signing_alg'))
    }
  })
})

describe('oidcClientMetadata().check: response types and grant types', () => {
  it.each([
    ['id_token', ['implicit']],
    ['id_token token', ['implicit']],
    ['token id_token', ['implicit']],
    ['code id_token', ['authorization_code', 'implicit']],
    ['code token', ['authorization_code', 'implicit']],
    ['code id_token token', ['authorization_code', 'implicit', 'refresh_token']],
  ])(
    'OIDC Registration 1.0 2: response type "%s" with grant_types %j is accepted',
    async (responseType, grantTypes) => {
      await expect(
        register({ ...web, response_types: [responseType], grant_types: grantTypes }),
      ).resolves.toBeDefined()
    },
  )

  it.each([
    ['id_token', ['authorization_code'], 'implicit'],
    ['id_token token', ['authorization_code'], 'implicit'],
    ['code id_token', ['authorization_code'], 'implicit'],
    ['code id_token', ['implicit'], 'authorization_code'],
    ['code token', ['implicit'], 'authorization_code'],
    ['code id_token token', ['authorization_code'], 'implicit'],
    ['code id_token', undefined, 'implicit'],
  ])(
    'OIDC Registration 1.0 2: response type "%s" with grant_types %j lacks %s',
    async (responseType, grantTypes, missing) => {
      await expect(
        register({ ...web, response_types: [responseType], grant_types: grantTypes }),
      ).rejects.toMatchObject({
        error: 'invalid_client_metadata',
        error_description: expect.stringMatching(new RegExp(`response_types.*${missing}`)),
      })
    },
  )
})

describe('oidcClientMetadata().check: acr, request_uris, subject types', () => {
  const acr = { acrValues: ['urn:example:silver', 'urn:example:bronze'] }

  it('OIDC Registration 1.0 2: default_acr_values must be supported acr values when configured', async () => {
    await expect(
      register({ ...web, default_acr_values: ['urn:example:silver'] }, acr),
    ).resolves.toMatchObject({ default_acr_values: ['urn:example:silver'] })
    await expect(
      register({ ...web, default_acr_values: ['urn:example:silver', 'urn:example:gold'] }, acr),
    ).rejects.toMatchObject(refusal('default_acr_values'))
    // Without acrValues the server states no list to hold the client to.
    await expect(
      register({ ...web, default_acr_values: ['urn:example:gold'] }),
    ).resolves.toBeDefined()
  })

  it('OIDC Registration 1.0 2: request_uris are refused, request_uri is not supported', async () => {
    await expect(
      register({ ...web, request_uris: ['https://client.example.org/request.jwt'] }),
    ).rejects.toMatchObject({
      error: 'invalid_client_metadata',
      error_description: expect.stringMatching(/request_uris.*not supported/),
    })
  })

  it('OIDC Registration 1.0 2: subject_type public is accepted, pairwise refused by default', async () => {
    await expect(register({ ...web, subject_type: 'public' })).resolves.toMatchObject({
      subject_type: 'public',
    })
    await expect(register({ ...web, subject_type: 'pairwise' })).rejects.toMatchObject(
      refusal('subject_type'),
    )
    await expect(
      register({ ...web, subject_type: 'public' }, { subjectTypes: ['pairwise'] }),
    ).rejects.toMatchObject(refusal('subject_type'))
  })

  it('OIDC Core 8.1: pairwise, when enabled, needs a sector_identifier_uri for several hosts', async () => {
    const pairwise = { subjectTypes: ['public', 'pairwise'] } as const
    await expect(register({ ...web, subject_type: 'pairwise' }, pairwise)).resolves.toBeDefined()
    const twoHosts = ['https://a.example.org/cb', 'https://b.example.org/cb']
    await expect(
      register({ redirect_uris: twoHosts, subject_type: 'pairwise' }, pairwise),
    ).rejects.toMatchObject(refusal('sector_identifier_uri'))
    // The server's only subject type applies to a client that omits subject_type.
    await expect(
      register({ redirect_uris: twoHosts }, { subjectTypes: ['pairwise'] }),
    ).rejects.toMatchObject(refusal('sector_identifier_uri'))
  })
})

describe('oidcClientMetadata().check: sector_identifier_uri (OIDC Registration 1.0 5)', () => {
  const sector = 'https://client.example.org/sector.json'
  const twoHosts = ['https://a.example.org/cb', 'https://b.example.org/cb']
  const pairwise = { subjectTypes: ['public', 'pairwise'] } as const

  it('OIDC Registration 1.0 5: a document listing every redirect URI is accepted', async () => {
    const { calls, fetcher } = sectorFetch(JSON.stringify([...twoHosts, 'https://c.example.org']))
    const input = {
      redirect_uris: twoHosts,
      subject_type: 'pairwise',
      sector_identifier_uri: sector,
    }
    await expect(register(input, { ...pairwise, fetch: fetcher })).resolves.toMatchObject(input)
    expect(calls).toHaveLength(1)
    expect(calls[0]?.url).toBe(sector)
    expect(calls[0]?.init?.redirect).toBe('error')
  })

  it('OIDC Registration 1.0 5: the document is verified for public subjects too', async () => {
    const { fetcher } = sectorFetch(JSON.stringify(['https://a.example.org/cb']))
    const input = { redirect_uris: twoHosts, sector_identifier_uri: sector }
    await expect(register(input, { fetch: fetcher })).rejects.toMatchObject({
      error: 'invalid_client_metadata',
      error_description: expect.stringMatching(/sector_identifier_uri.*b\.example\.org/),
    })
  })

  it.each([
    ['an object', JSON.stringify({ redirect_uris: twoHosts }), 200],
    ['not JSON', 'https://a.example.org/cb', 200],
    ['an error status', JSON.stringify(twoHosts), 404],
    ['too large', JSON.stringify([...twoHosts, 'x'.repeat(70_000)]), 200],
  ])('OIDC Registration 1.0 5: a document that is %s is refused', async (_, body, status) => {
    const { fetcher } = sectorFetch(body, status)
    const input = { redirect_uris: twoHosts, sector_identifier_uri: sector }
    await expect(register(input, { fetch: fetcher })).rejects.toMatchObject(
      refusal('sector_identifier_uri'),
    )
  })

  it('OIDC Registration 1.0 5: an unreachable document is refused as client metadata', async () => {
    const fetcher: typeof fetch = async () => {
      throw new TypeError('fetch failed')
    }
    const input = { ...web, sector_identifier_uri: sector }
    await expect(register(input, { fetch: fetcher })).rejects.toMatchObject(
      refusal('sector_identifier_uri'),
    )
  })
})
