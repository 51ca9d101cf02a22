import type { Client } from './client'
import { validateClientMetadata } from './client-registration'
import type { RegistrationConfig } from './config'
import type { ServerContext } from './context'
import { saveClient, withCredentials } from './create-client'
import { sha256, timingSafeEqual } from './crypto'
import { OAuthError } from './errors'
import type { Endpoint } from './plugin'
import type { RequestLike } from './request'
import { methodNotAllowed, parseRequest } from './request'
import { type EndpointResponse, jsonResponse, TextResponse } from './response'
import { verifySoftwareStatement } from './software-statement'

// RFC 6750 2.1: credentials = "Bearer" 1*SP b64token
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i

function bearerToken(request: RequestLike): string | undefined {
  const header = request.headers.get('authorization')
  return header ? BEARER.exec(header)?.[1] : undefined
}

/** RFC 6750 3.1: no error attribute when the request carried no token at all. */
function invalidToken(description: string, presented: boolean): OAuthError {
  return new OAuthError('invalid_token', description, {
    headers: { 'www-authenticate': presented ? 'Bearer error="invalid_token"' : 'Bearer' },
  })
}

function jsonObject(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new OAuthError('invalid_request', 'the request body must be a JSON object')
  }
  return value as Record<string, unknown>
}

// Hashes of the configured initial access tokens, computed once per token list.
const initialTokenHashes = new WeakMap<readonly string[], Promise<string[]>>()

/** RFC 7591 3: the initial access token, compared in constant time against every one. */
async function checkInitialAccessToken(request: RequestLike, tokens: readonly string[]) {
  const token = bearerToken(request)
  if (!token) throw invalidToken('an initial access token is required', false)
  let hashes = initialTokenHashes.get(tokens)
  if (!hashes) {
    hashes = Promise.all(tokens.map(sha256))
    initialTokenHashes.set(tokens, hashes)
  }
  // Hashing first makes every comparison the same length; no early exit on a match.
  const presented = await sha256(token)
  let valid = false
  for (const hash of await hashes) valid = timingSafeEqual(hash, presented) || valid
  if (!valid) throw invalidToken('the initial access token is not valid', true)
}

/**
 * RFC 7591 2.3 and 3.1.1: a verified software statement's claims take precedence over the
 * plain JSON members; the statement itself is kept as sent. Then the full validation.
 */
async function resolveMetadata(
  server: ServerContext,
  registration: RegistrationConfig,
  body: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  let input = body
  if (body.software_statement !== undefined) {
    const statement = await verifySoftwareStatement(
      body.software_statement,
      registration,
      server.now(),
    )
    input = { ...body, ...statement.metadata, software_statement: body.software_statement }
  } else if (registration.requireSoftwareStatement) {
    throw new OAuthError('invalid_software_statement', 'a software statement is required')
  }
  return validateClientMetadata(server, input)
}

/**
 * RFC 7591 3.2.1 / RFC 7592 3 client information: the metadata, the client_id and the
 * registration_client_uri. Never the secret's hash; the secret itself only once, at creation
 * (client_secret is OPTIONAL in later reads, and only its hash is stored).
 */
function clientInformation(server: ServerContext, client: Client): Record<string, unknown> {
  const info: Record<string, unknown> = { ...client }
  delete info.client_secret_hash
  delete info.client_secret
  info.registration_client_uri = `${server.endpointUrl('registration')}/${encodeURIComponent(client.client_id)}`
  return info
}

/** RFC 7591 3: POST /register. */
async function register(
  request: RequestLike,
  server: ServerContext,
  registration: RegistrationConfig,
): Promise<EndpointResponse> {
  const { policy } = registration
  // Authenticate before reading the body, so unauthorized callers cost nothing.
  if (policy.type === 'initial-access-token') await checkInitialAccessToken(request, policy.tokens)
  const req = await parseRequest(request, {
    methods: ['POST'],
    body: 'json',
    maxBodySize: server.settings.maxBodySize,
  })
  const metadata = await resolveMetadata(server, registration, jsonObject(req.json))
  // The custom policy sees validated metadata, so it can decide on redirect hosts and the like.
  if (policy.type === 'custom' && !(await policy.authorize(req, metadata))) {
    throw new OAuthError('access_denied', 'the registration request was refused', { status: 403 })
  }
  const created = await saveClient(server, metadata, { registrationAccessToken: true })
  server.requestClients.set(request, created.client)
  const body = clientInformation(server, created.client)
  if (created.clientSecret !== undefined) body.client_secret = created.clientSecret
  body.registration_access_token = created.registrationAccessToken
  return jsonResponse(body, { status: 201 })
}

// RFC 7592 2.2: the client MUST NOT send these; they are the server's to set.
const NOT_UPDATABLE = [
  'registration_access_token',
  'registration_client_uri',
  'client_secret_expires_at',
  'client_id_issued_at',
]

/** RFC 7592 2.2: PUT replaces the metadata (omitted members are dropped or defaulted). */
async function update(
  request: RequestLike,
  server: ServerContext,
  registration: RegistrationConfig,
  client: Client,
  token: string,
): Promise<EndpointResponse> {
  const req = await parseRequest(request, {
    methods: ['PUT'],
    body: 'json',
    maxBodySize: server.settings.maxBodySize,
  })
  const body = jsonObject(req.json)
  for (const name of NOT_UPDATABLE) {
    if (name in body)
      throw new OAuthError('invalid_request', `"${name}" must not be sent (RFC 7592 2.2)`)
  }
  if (body.client_id !== client.client_id) {
    throw new OAuthError('invalid_request', '"client_id" must be the identifier of this client')
  }
  if (body.client_secret !== undefined) {
    const matches =
      typeof body.client_secret === 'string' &&
      client.client_secret_hash !== undefined &&
      timingSafeEqual(await sha256(body.client_secret), client.client_secret_hash)
    if (!matches) throw new OAuthError('invalid_request', '"client_secret" does not match')
  }
  const metadata = await resolveMetadata(server, registration, body)
  const { client: updated, clientSecret } = await withCredentials(server, metadata, {
    previous: client,
  })
  await server.storage.clients.save(updated)
  server.requestClients.set(request, updated)
  const info = clientInformation(server, updated)
  // A new secret is issued only when the new auth method needs one the server cannot reuse.
  if (clientSecret !== undefined) info.client_secret = clientSecret
  info.registration_access_token = token
  return jsonResponse(info)
}

/** RFC 7592 2: GET, PUT and DELETE /register/{client_id} with the registration access token. */
async function manage(
  request: RequestLike,
  server: ServerContext,
  registration: RegistrationConfig,
  clientId: string,
): Promise<EndpointResponse> {
  const method = request.method.toUpperCase()
  if (method !== 'GET' && method !== 'PUT' && method !== 'DELETE') {
    throw methodNotAllowed(method, ['GET', 'PUT', 'DELETE'])
  }
  const token = bearerToken(request)
  if (!token) throw invalidToken('a registration access token is required', false)
  const { storage } = server
  // A token of another client gets the same answer as a wrong one, revealing nothing.
  if ((await storage.registrationTokens.getClientId(await sha256(token))) !== clientId) {
    throw invalidToken('the registration access token is not valid for this client', true)
  }
  const client = await storage.clients.get(clientId)
  if (!client) {
    // RFC 7592 2.1: 401 for a client that no longer exists; its token SHOULD be revoked.
    await storage.registrationTokens.deleteForClient(clientId)
    throw invalidToken('the registration access token is not valid for this client', true)
  }
  server.requestClients.set(request, client)
  if (method === 'GET') {
    // RFC 7592 3: the response carries the token; it is echoed since only its hash is stored.
    return jsonResponse({ ...clientInformation(server, client), registration_access_token: token })
  }
  if (method === 'PUT') return update(request, server, registration, client, token)
  // RFC 7592 2.3: the client's grants and tokens SHOULD be invalidated at once. Revoked first, so
  // that a failure midway leaves a client that can retry the DELETE, never live tokens of a
  // client that is gone. Then the client: a leftover registration token of a deleted client is
  // refused (and revoked) above.
  await storage.grants.revokeForClient(clientId, server.now())
  await storage.clients.delete(clientId)
  await storage.registrationTokens.deleteForClient(clientId)
  // RFC 7592 2.3: 204 No Content.
  return new TextResponse(null, {
    status: 204,
    headers: { 'cache-control': 'no-store', pragma: 'no-cache' },
  })
}

const notFound = () =>
  new OAuthError('invalid_request', 'unknown registration resource', { status: 404 })

/**
 * Dynamic client registration (RFC 7591) at `/register` and client configuration (RFC 7592)
 * at `/register/{client_id}`. Enabled by `config.registration`.
 *
 * @example
 * ```ts
 * const server = createAuthorizationServer({ ...config, registration: { policy: { type: 'open' } } })
 * await server.handle(new Request(`${issuer}/register`, { method: 'POST', body, headers }))
 * ```
 */
export const registrationEndpoint: Endpoint = {
  name: 'registration',
  path: '/register',
  methods: ['POST', 'GET', 'PUT', 'DELETE'],
  prefix: true,
  // Browser clients may register; a response is readable from the client's own origins.
  cors: true,
  async handle(request, server) {
    const registration = server.config.registration
    if (!registration) throw notFound()
    const base = server.endpointPath('registration')
    const { pathname } = new URL(request.url)
    if (!pathname.startsWith(`${base}/`)) {
      const method = request.method.toUpperCase()
      if (method !== 'POST') throw methodNotAllowed(method, ['POST'])
      return register(request, server, registration)
    }
    const rest = pathname.slice(base.length + 1)
    if (rest === '' || rest.includes('/')) throw notFound()
    let clientId: string
    try {
      clientId = decodeURIComponent(rest)
    } catch {
      throw notFound()
    }
    return manage(request, server, registration, clientId)
  },
}
