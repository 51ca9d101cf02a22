import type { Client } from './client'
import type { ServerContext } from './context'
import type { Endpoint } from './plugin'
import type { RequestLike } from './request'
import { type EndpointResponse, jsonResponse, textResponse } from './response'
import { formatScope } from './scope'
import type { TokenRecord } from './storage'
import { inactiveReason, readTokenRequest, resolveToken } from './token-lookup'

const METHODS = ['POST'] as const
const INACTIVE = JSON.stringify({ active: false })

// RFC 7662 2.2: an inactive, unknown or hidden token gets nothing but `active: false`. The body
// is the same string every time, so it is serialised once.
const inactive = () =>
  textResponse(INACTIVE, {
    status: 200,
    headers: {
      'content-type': 'application/json;charset=UTF-8',
      'cache-control': 'no-store',
      pragma: 'no-cache',
    },
  })

/** RFC 7662 4: a client may only learn about the tokens it is entitled to. */
async function mayIntrospect(
  server: ServerContext,
  client: Client,
  record: TokenRecord,
): Promise<boolean> {
  const allow = server.config.introspection?.allow
  return allow ? (await allow(client, record)) === true : record.clientId === client.client_id
}

async function handle(request: RequestLike, server: ServerContext): Promise<EndpointResponse> {
  // RFC 7662 2.1: the endpoint MUST require authorization; we require client authentication.
  // token_type_hint is only an optimisation; one lookup covers both token types.
  const { client, token } = await readTokenRequest(server, request, 'introspection')
  const found = await resolveToken(server, token)
  if (!found) return inactive()
  const { record, claims } = found
  // Check the policy before the grant lookup: a denied request costs no further round trip.
  if (!(await mayIntrospect(server, client, record))) return inactive()
  if ((await inactiveReason(server, record)) !== undefined) return inactive()

  const body: Record<string, unknown> = { active: true }
  if (record.scopes.length) body.scope = formatScope(record.scopes)
  body.client_id = record.clientId
  // The same subject an RFC 9068 JWT access token carries: the account, else the client itself.
  body.sub = record.accountId ?? record.clientId
  body.exp = record.expiresAt
  body.iat = record.createdAt
  // RFC 7662 2.2: token_type is an RFC 6749 5.1 access token type. A refresh token has none, so
  // the member is omitted for it rather than inventing a value.
  if (record.type === 'access_token') body.token_type = 'Bearer'
  body.iss = server.issuer
  if (claims?.aud !== undefined) body.aud = claims.aud
  return jsonResponse(body)
}

/**
 * The RFC 7662 token introspection endpoint (`POST /introspect`). The calling client must
 * authenticate and may see its own tokens, or whatever `introspection.allow` permits; anything
 * else, and every unknown, expired, revoked or rotated token, is `{ "active": false }`.
 *
 * @example
 * ```ts
 * // POST /introspect  Authorization: Basic ...  token=<access_token>
 * const info = await (await server.introspection(request)).json()
 * // { active: true, scope: 'read', client_id: 'app', sub: 'alice', exp, iat, token_type: 'Bearer', iss }
 * ```
 */
export const introspectionEndpoint: Endpoint = {
  name: 'introspection',
  path: '/introspect',
  methods: METHODS,
  cors: true,
  handle,
}
