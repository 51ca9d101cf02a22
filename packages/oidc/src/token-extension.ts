import type { TokenResponseContext } from '@oidkit/oauth2'
import type { OpenIDOptions } from './config'
import { issueIdToken } from './id-token-issuer'

/**
 * The plugin's `extendTokenResponse`: adds an `id_token` to token responses whose scopes include
 * `openid` and whose grant has an end-user (Authlib's OpenIDToken / OpenIDCode).
 * - `authorization_code` (OIDC Core 3.1.3.3, 3.1.3.6): the nonce bound to the code, if one was
 *   sent, and `at_hash` of the access token;
 * - `refresh_token` (12.2): the same iss, sub and aud, `auth_time` of the original
 *   authentication, a new `iat`, and no nonce;
 * - any other grant with an end-user (password, custom grants): like refresh, no nonce.
 * Without `openid` in the scopes of this token response there is no ID token, so a refresh
 * request that narrows the scope to drop `openid` gets none either (12.2 "might not contain").
 *
 * @example
 * ```ts
 * const plugin: ServerPlugin = { name: 'oidc', extendTokenResponse: openidTokenExtension(options) }
 * ```
 */
export function openidTokenExtension(
  options: OpenIDOptions,
): (ctx: TokenResponseContext) => Promise<void> {
  return async (ctx) => {
    if (ctx.grant.accountId === undefined || !ctx.scopes.includes('openid')) return
    const code = ctx.grantType === 'authorization_code' ? ctx.code : undefined
    const nonce = code?.nonce
    ctx.response.id_token = await issueIdToken(ctx.server, options, {
      client: ctx.client,
      grant: ctx.grant,
      profile: code ? 'code' : 'token',
      ...(nonce !== undefined ? { nonce } : {}),
      accessToken: ctx.response.access_token,
      accessTokenIssued: true,
    })
  }
}
