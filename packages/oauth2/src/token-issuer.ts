import { signJwt } from '@oidkit/jose'
import type { Client } from './client'
import type { ServerContext } from './context'
import { randomToken, sha256 } from './crypto'
import type { TokenResponseBody } from './plugin'
import { formatScope } from './scope'
import type { AuthorizationCodeRecord, GrantRecord, TokenRecord } from './storage'

/** What to issue. */
export interface IssueTokensInput {
  client: Client
  grant: GrantRecord
  grantType: string
  /** Scopes of this access token (may be narrower than the grant's). */
  scopes: readonly string[]
  /** Issue a refresh token too. */
  refreshToken: boolean
  /** The redeemed code, passed on to token response extensions. */
  code?: AuthorizationCodeRecord
  /** Run token response extensions (id_token); off for the implicit grant's own handling. */
  extend?: boolean
}

/** The access token format for a client. */
function formatFor(server: ServerContext, client: Client): 'opaque' | 'jwt' {
  const setting = server.config.tokens?.accessTokenFormat ?? 'opaque'
  return typeof setting === 'function' ? setting(client) : setting
}

/**
 * Mints one access token, opaque or an RFC 9068 JWT, and stores its record.
 *
 * @example
 * ```ts
 * const { value, record } = await issueAccessToken(server, { client, grant, scopes })
 * ```
 */
export async function issueAccessToken(
  server: ServerContext,
  input: { client: Client; grant: GrantRecord; scopes: readonly string[] },
): Promise<{ value: string; record: TokenRecord }> {
  const { client, grant, scopes } = input
  const now = server.now()
  const ttl = server.settings.accessTokenTtl
  const format = formatFor(server, client)
  let value: string
  let hash: string
  if (format === 'jwt') {
    const jti = randomToken(16)
    hash = await sha256(jti)
    // RFC 9068 2.2: the claims of a JWT access token.
    value = await signJwt(
      {
        iss: server.issuer,
        sub: grant.accountId ?? client.client_id,
        aud: server.config.tokens?.accessTokenAudience ?? server.issuer,
        client_id: client.client_id,
        iat: now,
        exp: now + ttl,
        jti,
        ...(scopes.length ? { scope: formatScope(scopes) } : {}),
        ...(grant.authTime !== undefined ? { auth_time: grant.authTime } : {}),
        ...(grant.acr !== undefined ? { acr: grant.acr } : {}),
        ...(grant.amr !== undefined ? { amr: [...grant.amr] } : {}),
      },
      { key: server.keys, alg: server.settings.accessTokenSigningAlg as 'RS256', typ: 'at+jwt' },
    )
  } else {
    value = randomToken()
    hash = await sha256(value)
  }
  const record: TokenRecord = {
    hash,
    type: 'access_token',
    grantId: grant.id,
    clientId: client.client_id,
    ...(grant.accountId !== undefined ? { accountId: grant.accountId } : {}),
    scopes: [...scopes],
    format,
    createdAt: now,
    expiresAt: now + ttl,
  }
  await server.storage.tokens.save(record)
  return { value, record }
}

/**
 * Mints an opaque refresh token bound to the grant and the client.
 *
 * @example
 * ```ts
 * const refresh = await issueRefreshToken(server, { client, grant, scopes })
 * ```
 */
export async function issueRefreshToken(
  server: ServerContext,
  input: { client: Client; grant: GrantRecord; scopes: readonly string[]; expiresAt?: number },
): Promise<{ value: string; record: TokenRecord }> {
  const now = server.now()
  const value = randomToken()
  const record: TokenRecord = {
    hash: await sha256(value),
    type: 'refresh_token',
    grantId: input.grant.id,
    clientId: input.client.client_id,
    ...(input.grant.accountId !== undefined ? { accountId: input.grant.accountId } : {}),
    scopes: [...input.scopes],
    format: 'opaque',
    createdAt: now,
    expiresAt: input.expiresAt ?? now + server.settings.refreshTokenTtl,
  }
  await server.storage.tokens.save(record)
  return { value, record }
}

/**
 * Issues the tokens of a successful token request and builds the RFC 6749 5.1 response, then
 * lets extensions add members (an OpenID Connect `id_token`).
 *
 * @example
 * ```ts
 * return issueTokens(server, { client, grant, grantType: 'client_credentials', scopes, refreshToken: false })
 * ```
 */
export async function issueTokens(
  server: ServerContext,
  input: IssueTokensInput,
): Promise<TokenResponseBody> {
  const { client, grant, scopes } = input
  const access = await issueAccessToken(server, { client, grant, scopes })
  const response: TokenResponseBody = {
    access_token: access.value,
    token_type: 'Bearer',
    expires_in: server.settings.accessTokenTtl,
  }
  if (input.refreshToken) {
    const refresh = await issueRefreshToken(server, { client, grant, scopes: grant.scopes })
    response.refresh_token = refresh.value
  }
  // RFC 6749 5.1: scope is required when it differs from the request; we send it whenever there
  // is one, which every client accepts and which spares it guessing.
  if (scopes.length) response.scope = formatScope(scopes)
  if (input.extend !== false) {
    for (const plugin of server.plugins) {
      await plugin.extendTokenResponse?.({
        server,
        client,
        grant,
        grantType: input.grantType,
        scopes,
        response,
        ...(input.code ? { code: input.code } : {}),
      })
    }
  }
  server.emit('tokenIssued', { client, grant, token: access.record, grantType: input.grantType })
  return response
}
