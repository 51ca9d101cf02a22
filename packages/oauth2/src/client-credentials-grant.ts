import { isPublicClient } from './client'
import { randomToken } from './crypto'
import { OAuthError } from './errors'
import type { TokenGrantHandler } from './plugin'
import { resolveScopes } from './scope'
import type { GrantRecord } from './storage'
import { issueTokens } from './token-issuer'

/**
 * The `client_credentials` grant (RFC 6749 4.4): a confidential client acting on its own behalf.
 * No end-user, so the grant has no account, and no refresh token is issued (4.4.3).
 *
 * @example
 * ```ts
 * createContext(config, { grantTypes: [clientCredentialsGrant], ... })
 * ```
 */
export const clientCredentialsGrant: TokenGrantHandler = {
  grantType: 'client_credentials',
  async handle({ server, request, client }) {
    // RFC 6749 4.4: "The client credentials grant type MUST only be used by confidential clients."
    if (isPublicClient(client)) {
      throw new OAuthError('unauthorized_client', 'public clients may not use client_credentials')
    }
    const scopes = resolveScopes(request.form.get('scope'), client.scope, server.config.scopes)
    const now = server.now()
    const grant: GrantRecord = {
      id: randomToken(16),
      clientId: client.client_id,
      scopes,
      createdAt: now,
      // Lives as long as its access token; revoking it revokes the token.
      expiresAt: now + server.settings.accessTokenTtl,
    }
    await server.storage.grants.save(grant)
    return issueTokens(server, {
      client,
      grant,
      grantType: 'client_credentials',
      scopes,
      refreshToken: false,
    })
  },
}
