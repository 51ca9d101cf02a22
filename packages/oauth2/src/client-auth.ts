import { type VerificationInput, verifyJwt } from '@oidkit/jose'
import { decodeJwt, decodeProtectedHeader, type JSONWebKeySet, type JWTPayload } from 'jose'
import { authMethodOf, type Client } from './client'
import type { ServerContext } from './context'
import { sha256, timingSafeEqual } from './crypto'
import { OAuthError } from './errors'
import { headerOf, type OAuthRequest } from './request'

/**
 * The `client_assertion_type` of JWT client authentication (RFC 7523 2.2).
 *
 * @example
 * ```ts
 * form.get('client_assertion_type') === JWT_BEARER_ASSERTION_TYPE
 * ```
 */
export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

const SECRET_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const
// Seconds of clock skew accepted on assertion `exp`/`nbf`/`iat`.
const CLOCK_TOLERANCE = 30
// RFC 7523 3 lets the server bound how long it tracks jtis; an assertion valid for more than an
// hour serves no client (libraries mint them for 1-5 minutes) and would bloat the jti store.
const MAX_ASSERTION_LIFETIME = 3600
// Same text for unknown client, wrong secret and wrong method, so nothing tells them apart.
const GENERIC_FAILURE = 'client authentication failed'

/**
 * A client that proved its identity, and how.
 *
 * @example
 * ```ts
 * const { client, method }: AuthenticatedClient = await authenticateClient(server, req, 'token')
 * ```
 */
export interface AuthenticatedClient {
  client: Client
  /** The RFC 7591 name of the method used (`client_secret_basic`, `private_key_jwt`, ...). */
  method: string
}

type Presented =
  | { method: 'client_secret_basic' | 'client_secret_post'; clientId: string; secret: string }
  | { method: 'client_secret_jwt' | 'private_key_jwt'; clientId: string; assertion: string }
  | { method: 'none'; clientId: string }

function invalidClient(server: ServerContext, basic: boolean, description = GENERIC_FAILURE) {
  // RFC 6749 5.2: a client that tried the Authorization header gets 401 with a matching
  // challenge; otherwise 400, since RFC 9110 15.5.2 allows no 401 without WWW-Authenticate.
  if (!basic) return new OAuthError('invalid_client', description, { status: 400 })
  const realm = server.issuer.replace(/["\\]/g, '')
  return new OAuthError('invalid_client', description, {
    status: 401,
    headers: { 'www-authenticate': `Basic realm="${realm}", error="invalid_client"` },
  })
}

// RFC 6749 2.3.1: id and secret are form-urlencoded before they go into the Basic credentials.
function formDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '))
  } catch {
    return undefined
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true })
// biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range is the point
const ASCII = /^[\x00-\x7f]*$/

function parseBasic(server: ServerContext, header: string): { clientId: string; secret: string } {
  let decoded: string
  try {
    const binary = atob(header.slice(6).trim())
    // ASCII (every generated id and secret) is already its own UTF-8 decoding.
    decoded = ASCII.test(binary)
      ? binary
      : utf8.decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)))
  } catch {
    throw invalidClient(server, true, 'malformed Basic credentials')
  }
  const colon = decoded.indexOf(':')
  const clientId = colon < 0 ? undefined : formDecode(decoded.slice(0, colon))
  const secret = colon < 0 ? undefined : formDecode(decoded.slice(colon + 1))
  if (!clientId || secret === undefined) {
    throw invalidClient(server, true, 'malformed Basic credentials')
  }
  return { clientId, secret }
}

/** Works out which single method the request presents (RFC 6749 2.3, RFC 7523 2.2). */
function detect(server: ServerContext, request: OAuthRequest): Presented {
  const { form } = request
  const authorization = headerOf(request.request, 'authorization')
  // RFC 9110 11.1: the auth scheme is case-insensitive. Other schemes are not client credentials.
  const basic = authorization !== null && /^basic\s/i.test(authorization)
  const assertionType = form.get('client_assertion_type')
  const assertion = form.get('client_assertion')
  const secret = form.get('client_secret')
  const formClientId = form.get('client_id')
  const usesAssertion = assertionType !== undefined || assertion !== undefined
  // RFC 6749 2.3: "The client MUST NOT use more than one authentication method in each request."
  if (Number(basic) + Number(usesAssertion) + Number(secret !== undefined) > 1) {
    throw new OAuthError('invalid_request', 'the client used more than one authentication method')
  }
  if (basic) {
    const credentials = parseBasic(server, authorization)
    // A client_id in the body beside Basic credentials is tolerated, but must name the same client.
    if (formClientId !== undefined && formClientId !== credentials.clientId) {
      throw invalidClient(server, true)
    }
    return { method: 'client_secret_basic', ...credentials }
  }
  if (usesAssertion) {
    // RFC 7521 4.2: an assertion type the server does not understand is invalid_client.
    if (assertionType !== JWT_BEARER_ASSERTION_TYPE || assertion === undefined) {
      throw invalidClient(server, false, 'client_assertion_type or client_assertion is invalid')
    }
    let alg: unknown
    let sub: unknown
    try {
      alg = decodeProtectedHeader(assertion).alg
      sub = decodeJwt(assertion).sub
    } catch {
      throw invalidClient(server, false, 'client_assertion is not a JWT')
    }
    // RFC 7523 3: sub is the client_id; the signature and iss are checked once the client is known.
    const clientId = formClientId ?? sub
    if (typeof clientId !== 'string' || typeof alg !== 'string') {
      throw invalidClient(server, false, 'client_assertion is not a valid client assertion')
    }
    const method = alg.startsWith('HS') ? 'client_secret_jwt' : 'private_key_jwt'
    return { method, clientId, assertion }
  }
  if (secret !== undefined) {
    if (formClientId === undefined) throw invalidClient(server, false)
    return { method: 'client_secret_post', clientId: formClientId, secret }
  }
  if (formClientId !== undefined) return { method: 'none', clientId: formClientId }
  throw invalidClient(server, false, 'client authentication is required')
}

/**
 * client_secret_basic and client_secret_post prove the same secret, so a client registered with
 * either may use the other: openid-client 6 defaults to post while RFC 7591 2 defaults a
 * registration to basic, and both must work out of the box. Every other method must match.
 */
function methodMatches(registered: string, presented: string): boolean {
  if (registered === presented) return true
  const secretMethods = ['client_secret_basic', 'client_secret_post']
  return secretMethods.includes(registered) && secretMethods.includes(presented)
}

function secretExpired(client: Client, now: number): boolean {
  const expiresAt = client.client_secret_expires_at
  return expiresAt !== undefined && expiresAt > 0 && expiresAt <= now
}

async function secretMatches(client: Client, secret: string): Promise<boolean> {
  if (client.client_secret_hash !== undefined) {
    return timingSafeEqual(await sha256(secret), client.client_secret_hash)
  }
  if (client.client_secret !== undefined) return timingSafeEqual(secret, client.client_secret)
  return false
}

function audiences(server: ServerContext, endpoint: string): string[] {
  // RFC 7523 3 item 3 / OIDC Core 9: the issuer or the token endpoint URL; the URL of the
  // endpoint actually called (revocation, introspection) is accepted as well.
  const out = new Set([server.issuer])
  for (const name of ['token', endpoint]) {
    try {
      out.add(server.endpointUrl(name))
    } catch {
      // An endpoint that is not routed has no URL to accept.
    }
  }
  return [...out]
}

function describeJwtFailure(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code
  const claim = (error as { claim?: unknown } | null)?.claim
  if (code === 'ERR_JWT_EXPIRED') return 'the client assertion has expired'
  // Claim errors come only after a good signature, so naming the claim leaks nothing.
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && typeof claim === 'string') {
    return `the client assertion's "${claim}" claim is missing or invalid`
  }
  return GENERIC_FAILURE
}

/** RFC 7523 3: signature, iss = sub = client_id, aud, exp, single-use jti. */
async function verifyAssertion(
  server: ServerContext,
  client: Client,
  presented: Extract<Presented, { assertion: string }>,
  endpoint: string,
  now: number,
): Promise<void> {
  const fail = (description?: string) => invalidClient(server, false, description)
  let keys: VerificationInput
  let algorithms: readonly string[] | undefined
  if (presented.method === 'client_secret_jwt') {
    // The HMAC key is the secret itself; a client stored with only its hash cannot use this.
    if (client.client_secret === undefined || secretExpired(client, now)) throw fail()
    keys = { secret: client.client_secret }
    algorithms = SECRET_ALGORITHMS
  } else if (client.jwks) {
    keys = client.jwks as unknown as JSONWebKeySet
  } else if (client.jwks_uri) {
    keys = new URL(client.jwks_uri)
  } else {
    throw fail()
  }
  if (client.token_endpoint_auth_signing_alg) algorithms = [client.token_endpoint_auth_signing_alg]
  let payload: JWTPayload
  try {
    const verified = await verifyJwt(presented.assertion, {
      keys,
      ...(algorithms ? { algorithms } : {}),
      issuer: client.client_id,
      subject: client.client_id,
      audience: audiences(server, endpoint),
      requiredClaims: ['exp', 'jti'],
      clockTolerance: CLOCK_TOLERANCE,
      currentDate: new Date(now * 1000),
    })
    payload = verified.payload
  } catch (error) {
    throw fail(describeJwtFailure(error))
  }
  const { exp, jti } = payload
  if (typeof jti !== 'string' || jti === '') throw fail('the client assertion has no "jti"')
  if (typeof exp !== 'number') throw fail('the client assertion has no "exp"')
  if (exp - now > MAX_ASSERTION_LIFETIME + CLOCK_TOLERANCE) {
    throw fail('the client assertion expires too far in the future')
  }
  // RFC 7523 3 item 7: replay protection; kept as long as the assertion could still be accepted.
  if (!(await server.storage.jtis.use(`${client.client_id}:${jti}`, exp + CLOCK_TOLERANCE))) {
    throw fail('the client assertion was already used')
  }
}

/**
 * Authenticates the client of a token, revocation or introspection request (RFC 6749 2.3,
 * RFC 7523 2.2 and 3, OpenID Connect Core 9). Every failure is `invalid_client` (401 with a
 * Basic challenge when the client tried Basic, else 400), except
 * two methods in one request, which is `invalid_request`.
 *
 * @example
 * ```ts
 * const req = await parseRequest(request, { methods: ['POST'], body: 'form', maxBodySize })
 * const { client, method } = await authenticateClient(server, req, 'token')
 * ```
 */
export async function authenticateClient(
  server: ServerContext,
  request: OAuthRequest,
  endpoint: string,
): Promise<AuthenticatedClient> {
  const presented = detect(server, request)
  const basic = presented.method === 'client_secret_basic'
  if (!server.settings.clientAuthMethods.includes(presented.method)) {
    throw invalidClient(server, basic, `${presented.method} is not supported`)
  }
  const client = await server.storage.clients.get(presented.clientId)
  if (!client || !methodMatches(authMethodOf(client), presented.method)) {
    throw invalidClient(server, basic)
  }
  const now = server.now()
  if ('secret' in presented) {
    const ok = (await secretMatches(client, presented.secret)) && !secretExpired(client, now)
    if (!ok) throw invalidClient(server, basic)
  } else if ('assertion' in presented) {
    await verifyAssertion(server, client, presented, endpoint, now)
  }
  server.requestClients.set(request.request, client)
  server.emit('clientAuthenticated', { client, method: presented.method, endpoint })
  return { client, method: presented.method }
}
