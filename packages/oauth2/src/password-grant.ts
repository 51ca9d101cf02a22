import { grantTypesOf } from './client'
import { randomToken } from './crypto'
import { OAuthError } from './errors'
import type { TokenGrantHandler } from './plugin'
import { resolveScopes } from './scope'
import type { GrantRecord } from './storage'
import { issueTokens } from './token-issuer'

/**
 * The resource owner password credentials grant (RFC 6749 4.3). Off unless `grantTypes` lists
 * `password` (RFC 9700 2.4: it MUST NOT be used), and it needs `accounts.authenticate`.
 *
 * @example
 * ```ts
 * createAuthorizationServer({
 *   ...config,
 *   grantTypes: ['authorization_code', 'refresh_token', 'password'],
 *   accounts: { authenticate: async (username, password) => db.check(username, password) },
 * })
 * ```
 */
export const passwordGrant: TokenGrantHandler = {
  grantType: 'password',
  async handle({ server, request, client }) {
    const authenticate = server.config.accounts?.authenticate
    // Enabled but with no account database to check passwords against: not usable.
    if (!authenticate) {
      throw new OAuthError('unsupported_grant_type', 'the password grant is not configured')
    }
    const { form } = request
    const username = form.get('username')
    const password = form.get('password')
    if (username === undefined) throw new OAuthError('invalid_request', 'username is missing')
    if (password === undefined) throw new OAuthError('invalid_request', 'password is missing')
    // Scopes first: a request that would fail anyway never reaches the account database.
    const scopes = resolveScopes(form.get('scope'), client.scope, server.config.scopes)
    const accountId = await authenticate(username, password, client)
    // RFC 6749 5.2: wrong resource owner credentials are invalid_grant (Authlib says
    // invalid_request here).
    if (accountId === undefined) {
      throw new OAuthError('invalid_grant', 'the username or password is wrong')
    }
    const now = server.now()
    const refreshToken =
      grantTypesOf(client).includes('refresh_token') && server.grantTypes.has('refresh_token')
    const grant: GrantRecord = {
      id: randomToken(16),
      clientId: client.client_id,
      accountId,
      scopes,
      authTime: now,
      createdAt: now,
      expiresAt:
        now + (refreshToken ? server.settings.refreshTokenTtl : server.settings.accessTokenTtl),
    }
    await server.storage.grants.save(grant)
    return issueTokens(server, { client, grant, grantType: 'password', scopes, refreshToken })
  },
}
