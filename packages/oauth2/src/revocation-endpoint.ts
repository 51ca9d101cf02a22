import type { ServerContext } from './context'
import type { Endpoint } from './plugin'
import type { RequestLike } from './request'
import { type EndpointResponse, TextResponse } from './response'
import { findToken, readTokenRequest } from './token-lookup'

const METHODS = ['POST'] as const

// RFC 7009 2.2: the body is ignored by the client; the status says it all. Never cached.
const done = () =>
  new TextResponse(null, {
    status: 200,
    headers: { 'cache-control': 'no-store', pragma: 'no-cache' },
  })

async function handle(request: RequestLike, server: ServerContext): Promise<EndpointResponse> {
  // RFC 7009 2.1: the server first validates the client credentials.
  const { client, token } = await readTokenRequest(server, request, 'revocation')
  // RFC 7009 2.1: "An invalid token type hint value is ignored by the authorization server and
  // does not influence the revocation response." A valid hint is not needed either: one lookup
  // searches both token types (see findToken).
  const record = await findToken(server, token)

  // RFC 7009 2.2: an invalid token is answered with 200. A token of another client is treated
  // the same way and left untouched: refusing it with an error would tell the caller that the
  // value is a live token of someone else, the token scanning RFC 7009 5 warns about.
  if (!record || record.clientId !== client.client_id || record.revokedAt !== undefined) {
    return done()
  }
  const now = server.now()
  if (record.type === 'refresh_token') {
    // RFC 7009 2.1: revoking a refresh token SHOULD also invalidate the access tokens of the same
    // grant; grants.revoke does both (and kills the rotated successors, RFC 9700 4.14.2).
    await server.storage.grants.revoke(record.grantId, now)
    server.emit('tokenRevoked', { token: record, client })
    server.emit('grantRevoked', { grantId: record.grantId, reason: 'refresh_token_revoked' })
  } else if (record.expiresAt > now) {
    // RFC 7009 2.1: revoking an access token MAY leave the refresh token alone; we do, so the
    // client can drop one access token without losing its authorization.
    await server.storage.tokens.revoke(record.hash, now)
    server.emit('tokenRevoked', { token: record, client })
  }
  return done()
}

/**
 * The RFC 7009 token revocation endpoint (`POST /revoke`): client authentication, then the token
 * is revoked when it belongs to that client; a refresh token takes its whole grant with it.
 * Always `200` with an empty body, also for unknown tokens.
 *
 * @example
 * ```ts
 * // POST /revoke  Authorization: Basic ...  token=<refresh_token>&token_type_hint=refresh_token
 * const response = await server.revocation(request) // 200
 * ```
 */
export const revocationEndpoint: Endpoint = {
  name: 'revocation',
  path: '/revoke',
  methods: METHODS,
  cors: true,
  handle,
}
