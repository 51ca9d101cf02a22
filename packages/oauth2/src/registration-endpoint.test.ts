import { KeySet, signJwt } from '@oidkit/jose'
import { base64url } from 'jose'
import * as v from 'valibot'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Client } from './client'
import type { AuthorizationServerConfig } from './config'
import { createContext, type ServerContext } from './context'
import { sha256 } from './crypto'
import { isOAuthError, OAuthError } from './errors'
import { MemoryStore } from './memory-store'
import type { ServerPlugin } from './plugin'
import { registrationEndpoint } from './registration-endpoint'
import { toWebResponse } from './response'
import { stubGrant as grant, stubResponseType as responseType } from './test-support/test-server'
import { inactiveReason } from './token-lookup'

const NOW = 1_700_000_000
const ISSUER = 'https://as.example'
const REDIRECT = 'https://client.example/cb'

let keys: KeySet
let statementKeys: KeySet
let otherKeys: KeySet

beforeAll(async () => {
  keys = await KeySet.generate('RS256')
  statementKeys = await KeySet.generate('RS256')
  otherKeys = await KeySet.generate('RS256')
})

function setup(config: Partial<AuthorizationServerConfig> = {}) {
  const store = new MemoryStore()
  const server = createContext(
    {
      issuer: ISSUER,
      keys,
      storage: store,
      now: () => NOW,
      registration: { policy: { type: 'open' } },
      grantTypes: ['authorization_code', 'refresh_token', 'client_credentials', 'implicit'],
      ...config,
    },
    {
      endpoints: [registrationEndpoint],
      grantTypes: [
        grant('authorization_code'),
        grant('refresh_token'),
        grant('client_credentials'),
      ],
      responseTypes: [
        responseType('code', 'authorization_code'),
        responseType('token', 'implicit'),
      ],
      checks: [],
    },
  )
  return { server, store }
}

/** What server.ts does around an endpoint: an OAuthError becomes its JSON response. */
async function call(server: ServerContext, request: Request): Promise<Response> {
  try {
    return toWebResponse(await registrationEndpoint.handle(request, server))
  } catch (error) {
    if (isOAuthError(error)) return error.toResponse()
    throw error
  }
}

function post(body: unknown, headers: Record<string, string> = {}, path = '/register') {
  return new Request(`${ISSUER}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
}

function manage(method: string, uri: string, token?: string, body?: unknown) {
  const headers: Record<string, string> = {}
  if (token) headers.authorization = `Bearer ${token}`
  if (body !== undefined) headers['content-type'] = 'application/json'
  return new Request(uri, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
}

type Json = Record<string, unknown>

async function register(server: ServerContext, metadata: Json = { redirect_uris: [REDIRECT] }) {
  const response = await call(server, post(metadata))
  expect(response.status).toBe(201)
  return (await response.json()) as Json & { client_id: string; registration_access_token: string }
}

async function expectError(response: Response, status: number, error: string) {
  const body = (await response.json()) as Json
  expect({ status: response.status, error: body.error }).toEqual({ status, error })
  return body
}

describe('RFC 7591 3: client registration', () => {
  it('RFC 7591 3.2.1: open registration answers 201 with the metadata and new credentials', async () => {
    const { server, store } = setup({
      registration: { policy: { type: 'open' }, secretLifetime: 600 },
    })
    const response = await call(server, post({ redirect_uris: [REDIRECT], client_name: 'Authlib' }))
    expect(response.status).toBe(201)
    expect(response.headers.get('cache-control')).toBe('no-store')
    const body = (await response.json()) as Json
    expect(body).toMatchObject({
      redirect_uris: [REDIRECT],
      client_name: 'Authlib',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      client_id_issued_at: NOW,
      client_secret_expires_at: NOW + 600,
      registration_client_uri: `${ISSUER}/register/${body.client_id}`,
    })
    expect(body.client_id).toMatch(/^[\w-]{22}$/)
    expect(body.client_secret).toMatch(/^[\w-]{43}$/)
    expect(body.registration_access_token).toMatch(/^[\w-]{43}$/)
    expect(body).not.toHaveProperty('client_secret_hash')

    // Only hashes are stored: the secret and the registration token are not recoverable.
    const stored = (await store.clients.get(body.client_id as string))!
    expect(stored.client_secret_hash).toBe(await sha256(body.client_secret as string))
    expect(stored).not.toHaveProperty('client_secret')
    expect(
      await store.registrationTokens.getClientId(
        await sha256(body.registration_access_token as string),
      ),
    ).toBe(body.client_id)
  })

  it('RFC 7591 3 / RFC 6750 3.1: a missing initial access token is 401 with WWW-Authenticate: Bearer', async () => {
    const { server, store } = setup({
      registration: { policy: { type: 'initial-access-token', tokens: ['iat-1', 'iat-2'] } },
    })
    const response = await call(server, post({ redirect_uris: [REDIRECT] }))
    await expectError(response, 401, 'invalid_token')
    expect(response.headers.get('www-authenticate')).toBe('Bearer')
    expect(store.size().clients).toBe(0)
  })

  it('RFC 7591 3 / RFC 6750 3.1: a wrong initial access token is 401 invalid_token', async () => {
    const { server } = setup({
      registration: { policy: { type: 'initial-access-token', tokens: ['iat-1', 'iat-2'] } },
    })
    const response = await call(
      server,
      post({ redirect_uris: [REDIRECT] }, { authorization: 'Bearer iat-3' }),
    )
    await expectError(response, 401, 'invalid_token')
    expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"')
    const ok = await call(
      server,
      post({ redirect_uris: [REDIRECT] }, { authorization: 'Bearer iat-2' }),
    )
    expect(ok.status).toBe(201)
  })

  it('RFC 7591 3: a custom policy sees the validated metadata and may refuse with 403 access_denied', async () => {
    const seen: Json[] = []
    const { server, store } = setup({
      registration: {
        policy: {
          type: 'custom',
          authorize: (_request, metadata) => {
            seen.push(metadata)
            return metadata.client_name !== 'blocked'
          },
        },
      },
    })
    const refused = await call(server, post({ redirect_uris: [REDIRECT], client_name: 'blocked' }))
    await expectError(refused, 403, 'access_denied')
    expect(seen[0]).toMatchObject({ token_endpoint_auth_method: 'client_secret_basic' })
    expect(store.size().clients).toBe(0)
    expect(
      (await call(server, post({ redirect_uris: [REDIRECT], client_name: 'ok' }))).status,
    ).toBe(201)
  })

  it('RFC 7591 3.2.2 / RFC 6749 5.2: a body that is not JSON, or empty, is invalid_request', async () => {
    const { server } = setup()
    await expectError(await call(server, post('{')), 400, 'invalid_request')
    await expectError(await call(server, post('')), 400, 'invalid_request')
    await expectError(await call(server, post('[]')), 400, 'invalid_request')
    await expectError(await call(server, post('null')), 400, 'invalid_request')
    const form = new Request(`${ISSUER}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'client_name=x',
    })
    await expectError(await call(server, form), 415, 'invalid_request')
  })

  it('RFC 7591 3.2.2: a relative redirect URI or one with a fragment is invalid_redirect_uri', async () => {
    const { server, store } = setup()
    for (const uri of ['/cb', 'https://client.example/cb#frag', 'javascript:alert(1)']) {
      const body = await expectError(
        await call(server, post({ redirect_uris: [uri] })),
        400,
        'invalid_redirect_uri',
      )
      expect(body.error_description).toContain('redirect_uris')
    }
    // RFC 7591 2: redirect_uris is required for the (default) authorization code grant.
    await expectError(await call(server, post({ client_name: 'x' })), 400, 'invalid_redirect_uri')
    expect(store.size().clients).toBe(0)
  })

  it('RFC 7591 2: jwks and jwks_uri together are invalid_client_metadata naming jwks', async () => {
    const { server } = setup()
    const body = await expectError(
      await call(
        server,
        post({
          redirect_uris: [REDIRECT],
          jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] },
          jwks_uri: 'https://client.example/jwks',
        }),
      ),
      400,
      'invalid_client_metadata',
    )
    expect(body.error_description).toContain('jwks')
  })

  it('RFC 7591 2.1: inconsistent grant_types and response_types are invalid_client_metadata', async () => {
    const { server } = setup()
    const body = await expectError(
      await call(server, post({ redirect_uris: [REDIRECT], response_types: ['token'] })),
      400,
      'invalid_client_metadata',
    )
    expect(body.error_description).toContain('implicit')
    const ok = await register(server, {
      redirect_uris: [REDIRECT],
      grant_types: ['implicit'],
      response_types: ['token'],
      token_endpoint_auth_method: 'none',
    })
    expect(ok).toMatchObject({ grant_types: ['implicit'], response_types: ['token'] })
  })

  it('RFC 7591 3.2.2: an unsupported grant type or auth method is invalid_client_metadata', async () => {
    const { server } = setup({ clientAuthMethods: ['client_secret_basic', 'none'] })
    const grantError = await expectError(
      await call(
        server,
        post({ redirect_uris: [REDIRECT], grant_types: ['authorization_code', 'password'] }),
      ),
      400,
      'invalid_client_metadata',
    )
    expect(grantError.error_description).toContain('grant_types')
    const methodError = await expectError(
      await call(
        server,
        post({ redirect_uris: [REDIRECT], token_endpoint_auth_method: 'client_secret_post' }),
      ),
      400,
      'invalid_client_metadata',
    )
    expect(methodError.error_description).toContain('token_endpoint_auth_method')
  })

  it('RFC 6749 2.1 / RFC 7591 3.2.1: a public client (none) gets no client_secret', async () => {
    const { server, store } = setup()
    const body = await register(server, {
      redirect_uris: [REDIRECT],
      token_endpoint_auth_method: 'none',
    })
    expect(body).not.toHaveProperty('client_secret')
    expect(body).not.toHaveProperty('client_secret_expires_at')
    const stored = (await store.clients.get(body.client_id))!
    expect(stored).not.toHaveProperty('client_secret_hash')
    expect(stored).not.toHaveProperty('client_secret')
  })

  it('RFC 7523 2.2: a client_secret_jwt client keeps its plain secret as the HMAC key', async () => {
    const { server, store } = setup()
    const body = await register(server, {
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'client_secret_jwt',
    })
    expect(body.response_types).toEqual([])
    expect((await store.clients.get(body.client_id))!.client_secret).toBe(body.client_secret)
  })

  it('RFC 7591 3.2.1: members the server manages cannot be chosen by the client', async () => {
    const { server, store } = setup()
    const body = await register(server, {
      redirect_uris: [REDIRECT],
      client_id: 'chosen',
      client_secret_hash: 'attacker-hash',
      registration_client_uri: 'https://evil.example/',
    })
    expect(body.client_id).not.toBe('chosen')
    expect(body.registration_client_uri).toBe(`${ISSUER}/register/${body.client_id}`)
    expect((await store.clients.get(body.client_id))!.client_secret_hash).not.toBe('attacker-hash')
  })

  it('RFC 7591 2.2: localized and unknown members are kept', async () => {
    const { server } = setup()
    const body = await register(server, {
      redirect_uris: [REDIRECT],
      client_name: 'Example',
      'client_name#ja-Jpan-JP': 'クライアント名',
      extension_member: { any: 'value' },
    })
    expect(body).toMatchObject({
      'client_name#ja-Jpan-JP': 'クライアント名',
      extension_member: { any: 'value' },
    })
  })

  it('RFC 7591 3.2.2: nothing is stored when the store fails half-way (no orphan registration token)', async () => {
    const { server, store } = setup()
    const saved: string[] = []
    const removed: string[] = []
    const tokens = store.registrationTokens
    server.storage.registrationTokens = {
      save: async (hash, clientId) => {
        saved.push(clientId)
        await tokens.save(hash, clientId)
      },
      getClientId: (hash) => tokens.getClientId(hash),
      deleteForClient: async (clientId) => {
        removed.push(clientId)
        await tokens.deleteForClient(clientId)
      },
    }
    server.storage.clients.save = () => Promise.reject(new Error('database down'))
    await expect(
      registrationEndpoint.handle(post({ redirect_uris: [REDIRECT] }), server),
    ).rejects.toThrow('database down')
    expect(saved).toHaveLength(1)
    expect(removed).toEqual(saved)
    expect(store.size().clients).toBe(0)
  })

  it('RFC 7591 3: only POST is allowed on the registration endpoint itself', async () => {
    const { server } = setup()
    const response = await call(server, new Request(`${ISSUER}/register`))
    await expectError(response, 405, 'invalid_request')
    expect(response.headers.get('allow')).toBe('POST')
  })
})

describe('RFC 7591 2.3 / 3.1.1: software statements', () => {
  const statementSetup = (extra: Json = {}) =>
    setup({
      registration: {
        policy: { type: 'open' },
        softwareStatementKeys: statementKeys,
        approveSoftwareStatement: (claims) => claims.software_id !== 'banned',
        ...extra,
      },
    })

  const statement = (claims: Json, signer = statementKeys) =>
    signJwt({ iss: 'https://publisher.example', iat: NOW, ...claims }, { key: signer })

  it('RFC 7591 2.3: a verified statement registers; its claims override the JSON members', async () => {
    const { server, store } = statementSetup()
    const jwt = await statement({
      software_id: 'app-1',
      client_name: 'From statement',
      redirect_uris: [REDIRECT],
    })
    const body = await register(server, {
      software_statement: jwt,
      client_name: 'From JSON',
      redirect_uris: ['https://other.example/cb'],
      logo_uri: 'https://client.example/logo.png',
    })
    expect(body).toMatchObject({
      client_name: 'From statement',
      redirect_uris: [REDIRECT],
      software_id: 'app-1',
      logo_uri: 'https://client.example/logo.png',
      software_statement: jwt,
    })
    // The statement's own JWT claims are not client metadata.
    expect(body).not.toHaveProperty('iss')
    expect((await store.clients.get(body.client_id))!.software_statement).toBe(jwt)
  })

  it('RFC 7591 3.2.2: a statement with a bad signature is invalid_software_statement', async () => {
    const { server, store } = statementSetup()
    const foreign = await statement({ redirect_uris: [REDIRECT] }, otherKeys)
    await expectError(
      await call(server, post({ software_statement: foreign })),
      400,
      'invalid_software_statement',
    )
    const [header, , signature] = (await statement({ redirect_uris: [REDIRECT] })).split('.')
    const forged = base64url.encode(JSON.stringify({ iss: 'x', redirect_uris: [REDIRECT] }))
    const tampered = `${header}.${forged}.${signature}`
    await expectError(
      await call(server, post({ software_statement: tampered })),
      400,
      'invalid_software_statement',
    )
    await expectError(
      await call(server, post({ software_statement: 'a.b.c' })),
      400,
      'invalid_software_statement',
    )
    expect(store.size().clients).toBe(0)
  })

  it('RFC 7591 3.2.2: a statement the server does not approve is unapproved_software_statement', async () => {
    const { server } = statementSetup()
    const jwt = await statement({ software_id: 'banned', redirect_uris: [REDIRECT] })
    await expectError(
      await call(server, post({ software_statement: jwt })),
      400,
      'unapproved_software_statement',
    )
  })

  it('RFC 7591 3.1.1: a required statement that is missing is invalid_software_statement', async () => {
    const { server } = statementSetup({ requireSoftwareStatement: true })
    await expectError(
      await call(server, post({ redirect_uris: [REDIRECT] })),
      400,
      'invalid_software_statement',
    )
  })

  it('RFC 7591 3.1.1: a statement sent to a server without statement keys is invalid_software_statement', async () => {
    const { server } = setup()
    const jwt = await statement({ redirect_uris: [REDIRECT] })
    await expectError(
      await call(server, post({ software_statement: jwt })),
      400,
      'invalid_software_statement',
    )
  })

  it('RFC 7591 2.3: statement claims are validated like any metadata', async () => {
    const { server } = statementSetup()
    const jwt = await statement({ redirect_uris: ['https://client.example/cb#x'] })
    await expectError(
      await call(server, post({ software_statement: jwt })),
      400,
      'invalid_redirect_uri',
    )
  })
})

describe('RFC 7592: client configuration endpoint', () => {
  it('RFC 7592 2.1: GET with the registration access token reads the client information', async () => {
    const { server } = setup()
    const created = await register(server, { redirect_uris: [REDIRECT], client_name: 'Authlib' })
    const response = await call(
      server,
      manage('GET', created.registration_client_uri as string, created.registration_access_token),
    )
    expect(response.status).toBe(200)
    expect(response.headers.get('cache-control')).toBe('no-store')
    const body = (await response.json()) as Json
    expect(body).toMatchObject({
      client_id: created.client_id,
      client_name: 'Authlib',
      client_id_issued_at: NOW,
      client_secret_expires_at: 0,
      registration_client_uri: created.registration_client_uri,
      registration_access_token: created.registration_access_token,
    })
    // Only the hash of the secret is stored, so later reads cannot return it (RFC 7591 3.2.1 OPTIONAL).
    expect(body).not.toHaveProperty('client_secret')
    expect(body).not.toHaveProperty('client_secret_hash')
  })

  it('RFC 7592 2.1 / RFC 6750 3.1: a missing, wrong or foreign token is 401 invalid_token', async () => {
    const { server } = setup()
    const a = await register(server)
    const b = await register(server)
    const uri = a.registration_client_uri as string
    const missing = await call(server, manage('GET', uri))
    await expectError(missing, 401, 'invalid_token')
    expect(missing.headers.get('www-authenticate')).toBe('Bearer')
    const wrong = await call(server, manage('GET', uri, 'not-a-token'))
    await expectError(wrong, 401, 'invalid_token')
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"')
    // Another client's token gets the same answer: nothing about client a is revealed.
    await expectError(
      await call(server, manage('GET', uri, b.registration_access_token)),
      401,
      'invalid_token',
    )
    await expectError(
      await call(server, manage('DELETE', uri, b.registration_access_token)),
      401,
      'invalid_token',
    )
  })

  it('RFC 7592 2.1: a client that no longer exists is 401 and its token is revoked', async () => {
    const { server, store } = setup()
    const created = await register(server)
    await store.clients.delete(created.client_id)
    const uri = created.registration_client_uri as string
    await expectError(
      await call(server, manage('GET', uri, created.registration_access_token)),
      401,
      'invalid_token',
    )
    expect(
      await store.registrationTokens.getClientId(await sha256(created.registration_access_token)),
    ).toBe(undefined)
  })

  it('RFC 7592 2.2: PUT replaces the metadata; omitted members are dropped or defaulted', async () => {
    const { server, store } = setup({ scopes: ['profile', 'email'] })
    const created = await register(server, {
      redirect_uris: [REDIRECT],
      client_name: 'Authlib',
      scope: 'profile',
      token_endpoint_auth_method: 'client_secret_post',
    })
    const before = (await store.clients.get(created.client_id))!
    const response = await call(
      server,
      manage('PUT', created.registration_client_uri as string, created.registration_access_token, {
        client_id: created.client_id,
        client_secret: created.client_secret,
        redirect_uris: [REDIRECT],
        client_name: 'NewAuthlib',
      }),
    )
    expect(response.status).toBe(200)
    const body = (await response.json()) as Json
    expect(body).toMatchObject({
      client_id: created.client_id,
      client_name: 'NewAuthlib',
      token_endpoint_auth_method: 'client_secret_basic',
      client_id_issued_at: NOW,
      registration_access_token: created.registration_access_token,
    })
    expect(body).not.toHaveProperty('scope')
    expect(body).not.toHaveProperty('client_secret')
    const after = (await store.clients.get(created.client_id))!
    expect(after.client_secret_hash).toBe(before.client_secret_hash)
    expect(after).not.toHaveProperty('scope')
  })

  it('RFC 7592 2.2: a client_id in the body that differs from the path is invalid_request', async () => {
    const { server } = setup()
    const created = await register(server)
    const uri = created.registration_client_uri as string
    const token = created.registration_access_token
    const put = (body: Json) => call(server, manage('PUT', uri, token, body))
    await expectError(
      await put({ client_id: 'other', redirect_uris: [REDIRECT] }),
      400,
      'invalid_request',
    )
    await expectError(await put({ redirect_uris: [REDIRECT] }), 400, 'invalid_request')
    await expectError(
      await put({
        client_id: created.client_id,
        client_secret: 'wrong',
        redirect_uris: [REDIRECT],
      }),
      400,
      'invalid_request',
    )
    await expectError(
      await put({
        client_id: created.client_id,
        registration_client_uri: uri,
        redirect_uris: [REDIRECT],
      }),
      400,
      'invalid_request',
    )
  })

  it('RFC 7592 2.2: an update is validated like a registration and changes nothing when invalid', async () => {
    const { server, store } = setup({ clientAuthMethods: ['client_secret_basic'] })
    const created = await register(server, { redirect_uris: [REDIRECT], client_name: 'Authlib' })
    const response = await call(
      server,
      manage('PUT', created.registration_client_uri as string, created.registration_access_token, {
        client_id: created.client_id,
        redirect_uris: [REDIRECT],
        token_endpoint_auth_method: 'invalid_auth_method',
      }),
    )
    await expectError(response, 400, 'invalid_client_metadata')
    expect((await store.clients.get(created.client_id))!.client_name).toBe('Authlib')
  })

  it('RFC 7592 2.2: switching to none drops the secret; back to basic issues a new one', async () => {
    const { server, store } = setup()
    const created = await register(server)
    const uri = created.registration_client_uri as string
    const token = created.registration_access_token
    const toPublic = await call(
      server,
      manage('PUT', uri, token, {
        client_id: created.client_id,
        redirect_uris: [REDIRECT],
        token_endpoint_auth_method: 'none',
      }),
    )
    expect(toPublic.status).toBe(200)
    expect(await store.clients.get(created.client_id)).not.toHaveProperty('client_secret_hash')
    const toConfidential = await call(
      server,
      manage('PUT', uri, token, { client_id: created.client_id, redirect_uris: [REDIRECT] }),
    )
    const body = (await toConfidential.json()) as Json
    expect(body.client_secret).toMatch(/^[\w-]{43}$/)
    expect(body.client_secret).not.toBe(created.client_secret)
    expect((await store.clients.get(created.client_id))!.client_secret_hash).toBe(
      await sha256(body.client_secret as string),
    )
  })

  it('RFC 7592 2.3: DELETE removes the client and its token: 204, then 401', async () => {
    const { server, store } = setup()
    const created = await register(server)
    const uri = created.registration_client_uri as string
    const token = created.registration_access_token
    const response = await call(server, manage('DELETE', uri, token))
    expect(response.status).toBe(204)
    expect(await response.text()).toBe('')
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(await store.clients.get(created.client_id)).toBe(undefined)
    expect(await store.registrationTokens.getClientId(await sha256(token))).toBe(undefined)
    await expectError(await call(server, manage('GET', uri, token)), 401, 'invalid_token')
  })

  it("RFC 7592 2.3: DELETE invalidates the client's grants and tokens at once, no other client's", async () => {
    const { server, store } = setup()
    const created = await register(server)
    const other = await register(server)
    const records = async (clientId: string) => {
      const grantId = `g-${clientId}`
      const times = { createdAt: NOW, expiresAt: NOW + 3600 }
      await store.grants.save({ id: grantId, clientId, accountId: 'alice', scopes: [], ...times })
      const token = {
        hash: `t-${clientId}`,
        type: 'access_token',
        format: 'opaque',
        grantId,
        clientId,
        scopes: [],
        ...times,
      } as const
      await store.tokens.save(token)
      return token
    }
    const mine = await records(created.client_id as string)
    const theirs = await records(other.client_id as string)
    expect(await inactiveReason(server, mine)).toBeUndefined()
    const uri = created.registration_client_uri as string
    const response = await call(server, manage('DELETE', uri, created.registration_access_token))
    expect(response.status).toBe(204)
    const after = (await store.tokens.get(mine.hash))!
    expect(after.revokedAt).toBe(NOW)
    expect(await inactiveReason(server, after)).toBe('has been revoked')
    expect((await store.grants.get(`g-${created.client_id}`))?.revokedAt).toBe(NOW)
    expect(await inactiveReason(server, (await store.tokens.get(theirs.hash))!)).toBeUndefined()
  })

  it('RFC 7592 2: unknown sub-paths are 404; POST on a client is 405', async () => {
    const { server } = setup()
    const created = await register(server)
    const token = created.registration_access_token
    const nested = await call(
      server,
      manage('GET', `${ISSUER}/register/${created.client_id}/x`, token),
    )
    await expectError(nested, 404, 'invalid_request')
    await expectError(
      await call(server, manage('GET', `${ISSUER}/register/`, token)),
      404,
      'invalid_request',
    )
    const postOnClient = await call(server, post({}, {}, `/register/${created.client_id}`))
    await expectError(postOnClient, 405, 'invalid_request')
    expect(postOnClient.headers.get('allow')).toBe('GET, PUT, DELETE')
  })

  it('RFC 8414 2: registration_client_uri follows the configured route and issuer path', async () => {
    const { server } = setup({ issuer: `${ISSUER}/tenant`, routes: { registration: '/clients' } })
    const created = await register(server)
    // The request path matched nothing else, so the handler treated it as the collection.
    expect(created.registration_client_uri).toBe(`${ISSUER}/tenant/clients/${created.client_id}`)
    const read = await call(
      server,
      manage('GET', created.registration_client_uri as string, created.registration_access_token),
    )
    expect(read.status).toBe(200)
  })
})

describe('RFC 7591 2: client metadata extensions (plugin clientMetadata)', () => {
  // An OIDC-Registration-like extension: entries add a member, check fills a default and adds a rule.
  const applicationType: ServerPlugin = {
    name: 'application-type',
    clientMetadata: {
      entries: { application_type: v.optional(v.picklist(['web', 'native'])) },
      check(metadata) {
        metadata.application_type ??= 'web'
        const uris = (metadata as Client).redirect_uris ?? []
        if (metadata.application_type === 'web' && uris.some((uri) => !uri.startsWith('https:'))) {
          throw new OAuthError(
            'invalid_redirect_uri',
            '"redirect_uris" of a web client must be https',
          )
        }
      },
    },
  }

  it('OpenID Connect Registration 2: entries and check compose with RFC 7591', async () => {
    const { server } = setup({ plugins: [applicationType] })
    expect(await register(server)).toMatchObject({ application_type: 'web' })
    const native = await register(server, {
      redirect_uris: ['http://127.0.0.1/cb'],
      application_type: 'native',
    })
    expect(native.application_type).toBe('native')
    const bad = await expectError(
      await call(server, post({ redirect_uris: [REDIRECT], application_type: 'tv' })),
      400,
      'invalid_client_metadata',
    )
    expect(bad.error_description).toContain('application_type')
    await expectError(
      await call(server, post({ redirect_uris: ['http://127.0.0.1/cb'] })),
      400,
      'invalid_redirect_uri',
    )
  })

  it('RFC 7591: the endpoint is only routed when registration is configured', () => {
    const { server } = setup({ registration: false })
    expect(server.endpoints.some((endpoint) => endpoint.name === 'registration')).toBe(false)
  })
})
