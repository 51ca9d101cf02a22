import { KeySet, verifyJwt } from '@oidkit/jose'
import {
  type AuthorizationServer,
  type Client,
  createAuthorizationServer,
  type GrantRecord,
  MemoryStore,
  randomToken,
  sha256,
} from '@oidkit/oauth2'
import { beforeAll, describe, expect, it } from 'vitest'
import type { AccountClaimsContext, OpenIDOptions } from './config'
import { userinfoEndpoint } from './userinfo-endpoint'

const ISSUER = 'https://op.example'
const USERINFO = `${ISSUER}/userinfo`
const NOW = 1_700_000_000
const APP_ORIGIN = 'https://app.example'

const ALICE = {
  name: 'Alice Liddell',
  given_name: 'Alice',
  family_name: 'Liddell',
  nickname: 'al',
  birthdate: '1852-05-04',
  email: 'alice@example.com',
  email_verified: true,
  address: { formatted: '1 Rabbit Hole, Oxford', country: 'GB' },
  phone_number: '+44 1865 000000',
  phone_number_verified: false,
}

let keys: KeySet

beforeAll(async () => {
  keys = await KeySet.generate(['RS256', 'ES256'])
})

interface Setup {
  server: AuthorizationServer
  store: MemoryStore
  accounts: Map<string, Record<string, unknown>>
  calls: AccountClaimsContext[]
}

function setup(): Setup {
  const store = new MemoryStore()
  const accounts = new Map<string, Record<string, unknown>>([['alice', { ...ALICE }]])
  const calls: AccountClaimsContext[] = []
  const options: OpenIDOptions = {
    claims: (accountId, context) => {
      calls.push(context)
      return accounts.get(accountId)
    },
  }
  const server = createAuthorizationServer({
    issuer: ISSUER,
    keys,
    storage: store,
    now: () => NOW,
    plugins: [{ name: 'openid', endpoints: [userinfoEndpoint(options)] }],
  })
  return { server, store, accounts, calls }
}

async function saveClient(store: MemoryStore, extra: Partial<Client> = {}): Promise<Client> {
  const client: Client = {
    client_id: 'app',
    redirect_uris: [`${APP_ORIGIN}/cb`],
    token_endpoint_auth_method: 'none',
    ...extra,
  }
  await store.clients.save(client)
  return client
}

interface TokenInput {
  scopes: readonly string[]
  grantScopes?: readonly string[]
  claims?: GrantRecord['claims']
  accountId?: string | undefined
  clientId?: string
  expiresAt?: number
}

/** Stores a grant and an opaque access token under it, as the token endpoint would. */
async function issueToken(store: MemoryStore, input: TokenInput): Promise<string> {
  const clientId = input.clientId ?? 'app'
  const accountId = 'accountId' in input ? input.accountId : 'alice'
  const grant: GrantRecord = {
    id: randomToken(16),
    clientId,
    ...(accountId !== undefined ? { accountId } : {}),
    scopes: input.grantScopes ?? input.scopes,
    ...(input.claims ? { claims: input.claims } : {}),
    createdAt: NOW - 10,
    expiresAt: NOW + 3600,
  }
  await store.grants.save(grant)
  const value = randomToken()
  await store.tokens.save({
    hash: await sha256(value),
    type: 'access_token',
    grantId: grant.id,
    clientId,
    ...(accountId !== undefined ? { accountId } : {}),
    scopes: input.scopes,
    format: 'opaque',
    createdAt: NOW - 10,
    expiresAt: input.expiresAt ?? NOW + 3600,
  })
  return value
}

/** A server with the client `app` (`client` overrides) and an access token for `input`. */
async function setupWithToken(input: TokenInput, client: Partial<Client> = {}) {
  const setupResult = setup()
  await saveClient(setupResult.store, client)
  return { ...setupResult, token: await issueToken(setupResult.store, input) }
}

function get(token: string | undefined, headers: Record<string, string> = {}): Request {
  return new Request(USERINFO, {
    headers: token === undefined ? headers : { authorization: `Bearer ${token}`, ...headers },
  })
}

function postForm(body: string, headers: Record<string, string> = {}): Request {
  return new Request(USERINFO, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  })
}

describe('userinfoEndpoint: token transport (OIDC Core 5.3.1, RFC 6750 2)', () => {
  it('OIDC Core 5.3.1 / RFC 6750 2.1: GET with the Authorization header returns the claims as JSON', async () => {
    const { server, token } = await setupWithToken({ scopes: ['openid', 'email'] })
    const response = await server.handle(get(token))
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^application\/json/)
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(await response.json()).toEqual({
      sub: 'alice',
      email: 'alice@example.com',
      email_verified: true,
    })
  })

  it('OIDC Core 5.3.1 / RFC 6750 2.2: POST with the access_token form parameter', async () => {
    const { server, token } = await setupWithToken({ scopes: ['openid', 'phone'] })
    const response = await server.handle(postForm(`access_token=${token}`))
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({
      sub: 'alice',
      phone_number: '+44 1865 000000',
      phone_number_verified: false,
    })
  })

  it('OIDC Core 5.3.1: POST with the Authorization header and no body works too', async () => {
    const { server, token } = await setupWithToken({ scopes: ['openid'] })
    const response = await server.handle(
      new Request(USERINFO, { method: 'POST', headers: { authorization: `Bearer ${token}` } }),
    )
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ sub: 'alice' })
  })

  it('RFC 6750 3.1: a token in both the header and the body is invalid_request', async () => {
    const { server, token } = await setupWithToken({ scopes: ['openid'] })
    const response = await server.handle(
      postForm(`access_token=${token}`, { authorization: `Bearer ${token}` }),
    )
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ error: 'invalid_request' })
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_request"')
  })

  it('RFC 6750 3.1: no token at all gets the bare challenge without an error code', async () => {
    const { server } = setup()
    const response = await server.handle(get(undefined))
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe(`Bearer realm="${ISSUER}"`)
    expect(await response.text()).toBe('')
  })

  it('RFC 6750 2.3 / RFC 9700 2.4: a token in the query string is not accepted', async () => {
    const { server, token } = await setupWithToken({ scopes: ['openid'] })
    const response = await server.handle(new Request(`${USERINFO}?access_token=${token}`))
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe(`Bearer realm="${ISSUER}"`)
  })

  it('RFC 9110 15.5.6: methods other than GET and POST get 405 with Allow', async () => {
    const { server } = setup()
    const response = await server.handle(new Request(USERINFO, { method: 'PUT' }))
    expect(response.status).toBe(405)
    expect(response.headers.get('allow')).toBe('GET, POST')
  })
})

describe('userinfoEndpoint: token errors (OIDC Core 5.3.3, RFC 6750 3.1)', () => {
  it('RFC 6750 3.1: an unknown token is invalid_token with a challenge', async () => {
    const { server } = setup()
    const response = await server.handle(get('not-a-token'))
    expect(response.status).toBe(401)
    expect(await response.json()).toMatchObject({ error: 'invalid_token' })
    expect(response.headers.get('www-authenticate')).toMatch(
      /^Bearer realm="https:\/\/op\.example", error="invalid_token"/,
    )
  })

  it('RFC 6750 3.1: an expired token is invalid_token', async () => {
    const { server, token } = await setupWithToken({ scopes: ['openid'], expiresAt: NOW - 1 })
    const response = await server.handle(get(token))
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"')
  })

  it('RFC 6750 3.1 / RFC 7009 2: a revoked token is invalid_token', async () => {
    const { server, store, token } = await setupWithToken({ scopes: ['openid'] })
    await store.tokens.revoke(await sha256(token), NOW - 1)
    const response = await server.handle(get(token))
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"')
  })

  it('RFC 6750 3.1: a token of a revoked grant is invalid_token', async () => {
    const { server, store, token } = await setupWithToken({ scopes: ['openid'] })
    const record = await store.tokens.get(await sha256(token))
    await store.grants.revoke(record!.grantId, NOW - 1)
    const response = await server.handle(get(token))
    expect(response.status).toBe(401)
    expect(await response.json()).toMatchObject({ error: 'invalid_token' })
  })

  it('OIDC Core 5.3.1 / RFC 6750 3.1: a token without the openid scope is insufficient_scope', async () => {
    const { server, token } = await setupWithToken({ scopes: ['profile', 'email'] })
    const response = await server.handle(get(token))
    expect(response.status).toBe(403)
    expect(await response.json()).toMatchObject({ error: 'insufficient_scope' })
    const challenge = response.headers.get('www-authenticate')!
    expect(challenge).toMatch(/^Bearer realm="https:\/\/op\.example", error="insufficient_scope"/)
    expect(challenge).toContain('scope="openid"')
  })

  it('OIDC Core 5.3.1: a token narrowed below openid by refresh is insufficient_scope though its grant has openid', async () => {
    const { server, token } = await setupWithToken({
      scopes: ['email'],
      grantScopes: ['openid', 'email'],
    })
    const response = await server.handle(get(token))
    expect(response.status).toBe(403)
  })

  it('OIDC Core 5.3.3: a token whose account no longer exists is invalid_token', async () => {
    const { server, store, accounts } = setup()
    await saveClient(store)
    const token = await issueToken(store, { scopes: ['openid', 'profile'] })
    accounts.delete('alice')
    const response = await server.handle(get(token))
    expect(response.status).toBe(401)
    expect(await response.json()).toMatchObject({ error: 'invalid_token' })
    expect(response.headers.get('www-authenticate')).toMatch(
      /^Bearer realm="https:\/\/op\.example", error="invalid_token", error_description="/,
    )
  })

  it('OIDC Core 5.3: a client_credentials token (no end-user) is invalid_token', async () => {
    const { server, token } = await setupWithToken({ scopes: ['openid'], accountId: undefined })
    const response = await server.handle(get(token))
    expect(response.status).toBe(401)
    expect(await response.json()).toMatchObject({ error: 'invalid_token' })
  })

  it('OIDC Core 5.3.3: a token of a deleted client is invalid_token', async () => {
    const { server, store, token } = await setupWithToken({ scopes: ['openid'] })
    await store.clients.delete('app')
    const response = await server.handle(get(token))
    expect(response.status).toBe(401)
    expect(await response.json()).toMatchObject({ error: 'invalid_token' })
  })
})

describe('userinfoEndpoint: released claims (OIDC Core 5.3.2, 5.4, 5.5)', () => {
  const cases: Array<[string, string[], Record<string, unknown>]> = [
    ['openid only releases sub', ['openid'], { sub: 'alice' }],
    [
      'profile releases the profile claims',
      ['openid', 'profile'],
      {
        sub: 'alice',
        name: ALICE.name,
        given_name: ALICE.given_name,
        family_name: ALICE.family_name,
        nickname: ALICE.nickname,
        birthdate: ALICE.birthdate,
      },
    ],
    [
      'email releases email and email_verified',
      ['openid', 'email'],
      { sub: 'alice', email: ALICE.email, email_verified: true },
    ],
    ['address releases address', ['openid', 'address'], { sub: 'alice', address: ALICE.address }],
    [
      'phone releases phone_number and phone_number_verified',
      ['openid', 'phone'],
      { sub: 'alice', phone_number: ALICE.phone_number, phone_number_verified: false },
    ],
  ]

  for (const [name, scopes, expected] of cases) {
    it(`OIDC Core 5.4: ${name}`, async () => {
      const { server, token } = await setupWithToken({ scopes })
      const response = await server.handle(get(token))
      expect(response.status).toBe(200)
      expect(await response.json()).toEqual(expected)
    })
  }

  it('OIDC Core 5.4: claims follow the access token scope, not a wider grant', async () => {
    const { server, token } = await setupWithToken({
      scopes: ['openid', 'email'],
      grantScopes: ['openid', 'email', 'phone', 'profile'],
    })
    const response = await server.handle(get(token))
    expect(await response.json()).toEqual({
      sub: 'alice',
      email: ALICE.email,
      email_verified: true,
    })
  })

  it('OIDC Core 5.5: the userinfo member of the claims request adds claims; the id_token member does not', async () => {
    const { server, token } = await setupWithToken({
      scopes: ['openid'],
      claims: {
        userinfo: { nickname: { essential: true }, email: null },
        id_token: { birthdate: null },
      },
    })
    const response = await server.handle(get(token))
    expect(await response.json()).toEqual({ sub: 'alice', nickname: 'al', email: ALICE.email })
  })

  it('OIDC Core 5.3.2: sub is always the account id (the ID token sub), whatever the hook returns', async () => {
    const { server, store, accounts } = setup()
    await saveClient(store)
    accounts.set('alice', { ...ALICE, sub: 'mallory' })
    const token = await issueToken(store, { scopes: ['openid', 'profile'] })
    const body = (await (await server.handle(get(token))).json()) as Record<string, unknown>
    expect(body.sub).toBe('alice')
  })

  it('OIDC Core 5.3.2: claims without a value are omitted rather than sent empty', async () => {
    const { server, store, accounts } = setup()
    await saveClient(store)
    accounts.set('alice', { email: '', email_verified: null })
    const token = await issueToken(store, { scopes: ['openid', 'email'] })
    expect(await (await server.handle(get(token))).json()).toEqual({ sub: 'alice' })
  })

  it('OIDC Core 5.3: the claims hook is told the claims go to UserInfo', async () => {
    const { server, store, calls } = setup()
    await saveClient(store)
    const token = await issueToken(store, { scopes: ['openid', 'email'] })
    await server.handle(get(token))
    expect(calls).toHaveLength(1)
    expect(calls[0]!.use).toBe('userinfo')
    expect(calls[0]!.client.client_id).toBe('app')
    expect([...calls[0]!.claims].sort()).toEqual(['email', 'email_verified'])
  })
})

describe('userinfoEndpoint: signed responses (OIDC Core 5.3.2)', () => {
  for (const alg of ['RS256', 'ES256'] as const) {
    it(`OIDC Core 5.3.2: userinfo_signed_response_alg ${alg} gets an application/jwt with iss and aud`, async () => {
      const { server, token } = await setupWithToken(
        { scopes: ['openid', 'email'] },
        { userinfo_signed_response_alg: alg },
      )
      const response = await server.handle(get(token))
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toBe('application/jwt')
      expect(response.headers.get('cache-control')).toBe('no-store')
      const { payload, protectedHeader } = await verifyJwt(await response.text(), {
        keys,
        algorithms: [alg],
        issuer: ISSUER,
        audience: 'app',
        currentDate: new Date(NOW * 1000),
      })
      expect(protectedHeader.alg).toBe(alg)
      expect(payload).toEqual({
        sub: 'alice',
        email: ALICE.email,
        email_verified: true,
        iss: ISSUER,
        aud: 'app',
        iat: NOW,
      })
    })
  }
})

describe('userinfoEndpoint: CORS (Fetch standard, OIDC Core 5.3)', () => {
  it('Fetch CORS: a browser client reads UserInfo from its redirect URI origin', async () => {
    const { server, token } = await setupWithToken({ scopes: ['openid'] })
    const response = await server.handle(get(token, { origin: APP_ORIGIN }))
    expect(response.status).toBe(200)
    expect(response.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN)
    expect(response.headers.get('access-control-expose-headers')).toContain('www-authenticate')
  })

  it('Fetch CORS: another origin gets no Access-Control-Allow-Origin', async () => {
    const { server, token } = await setupWithToken({ scopes: ['openid'] })
    const response = await server.handle(get(token, { origin: 'https://evil.example' }))
    expect(response.status).toBe(200)
    expect(response.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('Fetch CORS: the preflight allows GET and POST with the Authorization header', async () => {
    const { server } = setup()
    const response = await server.handle(
      new Request(USERINFO, {
        method: 'OPTIONS',
        headers: { origin: APP_ORIGIN, 'access-control-request-headers': 'authorization' },
      }),
    )
    expect(response.status).toBe(204)
    expect(response.headers.get('access-control-allow-methods')).toBe('GET, POST')
    expect(response.headers.get('access-control-allow-headers')).toContain('authorization')
  })
})
