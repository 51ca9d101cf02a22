import type { ResponseTypeHandler } from './plugin'
import { formatScope } from './scope'
import { issueAccessToken } from './token-issuer'

/**
 * The implicit grant (RFC 6749 4.2): `response_type=token` returns an access token in the
 * fragment, never a refresh token (4.2.2). RFC 9700 2.1.2 says not to use it, so it is only
 * active when `grantTypes` includes `implicit`.
 *
 * @example
 * ```ts
 * createAuthorizationServer({ ...config, grantTypes: ['authorization_code', 'implicit'] })
 * ```
 */
export const implicitResponseType: ResponseTypeHandler = {
  responseType: 'token',
  grantType: 'implicit',
  defaultResponseMode: 'fragment',
  returnsTokens: true,
  async respond({ server, request, grant }) {
    const { client } = request
    const { value, record } = await issueAccessToken(server, {
      client,
      grant,
      scopes: grant.scopes,
    })
    server.emit('tokenIssued', { client, grant, token: record, grantType: 'implicit' })
    const params: Record<string, string> = {
      access_token: value,
      token_type: 'Bearer',
      expires_in: String(server.settings.accessTokenTtl),
    }
    // RFC 6749 4.2.2: scope is required when it differs from the request; always sending it is simpler.
    if (grant.scopes.length) params.scope = formatScope(grant.scopes)
    return params
  },
}
