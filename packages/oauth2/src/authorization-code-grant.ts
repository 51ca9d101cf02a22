import { type Client, grantTypesOf, isPublicClient } from './client'
import type { ServerContext } from './context'
import { randomToken, sha256 } from './crypto'
import { OAuthError } from './errors'
import { validateCodeChallenge, verifyCodeVerifier } from './pkce'
import type { ResponseTypeHandler, TokenGrantHandler } from './plugin'
import type { AuthorizationCodeRecord } from './storage'
import { issueTokens } from './token-issuer'

function pkcePolicy(server: ServerContext, client: Client) {
  // RFC 9700 2.1.1: PKCE for public clients always, for every client when configured.
  return {
    required: server.settings.pkceRequired === 'all' || isPublicClient(client),
    methods: server.settings.pkceMethods,
  }
}

/**
 * `response_type=code` at the authorization endpoint (RFC 6749 4.1.1, 4.1.2): checks PKCE
 * (RFC 7636 4.4.1) and issues a short-lived, single-use code bound to the client, the redirect
 * URI, the grant, the scopes, the code challenge and the OpenID Connect nonce.
 *
 * @example
 * ```ts
 * const { code } = await codeResponseType.respond({ server, request, grant, session })
 * ```
 */
export const codeResponseType: ResponseTypeHandler = {
  responseType: 'code',
  grantType: 'authorization_code',
  defaultResponseMode: 'query',
  returnsTokens: false,
  validate(request, server) {
    validateCodeChallenge(request.params, pkcePolicy(server, request.client))
  },
  async respond({ server, request, grant }) {
    // Re-derived rather than carried from validate(): a regex test, cheaper than a side channel.
    const pkce = validateCodeChallenge(request.params, pkcePolicy(server, request.client))
    // RFC 6749 10.10: at least 128 bits of entropy; randomToken gives 256.
    const code = randomToken()
    const now = server.now()
    const nonce = request.params.nonce
    const record: AuthorizationCodeRecord = {
      hash: await sha256(code),
      grantId: grant.id,
      clientId: request.client.client_id,
      redirectUri: request.redirectUri,
      // RFC 6749 4.1.3: the token request must repeat redirect_uri only if this request had it.
      redirectUriProvided: request.params.redirect_uri !== undefined,
      scopes: [...grant.scopes],
      ...(pkce ?? {}),
      ...(nonce !== undefined ? { nonce } : {}),
      createdAt: now,
      // RFC 6749 4.1.2: short-lived (default 60 s, the RFC's maximum is 10 minutes).
      expiresAt: now + server.settings.authorizationCodeTtl,
    }
    await server.storage.codes.save(record)
    return { code }
  },
}

const invalidGrant = (description: string) => new OAuthError('invalid_grant', description)

/**
 * Whether a token request may get a refresh token: the client is registered for the
 * refresh_token grant, the server has it enabled, and the `issueRefreshToken` hook agrees.
 *
 * @example
 * ```ts
 * const refreshToken = mayIssueRefreshToken(server, client, record.scopes)
 * ```
 */
export function mayIssueRefreshToken(
  server: ServerContext,
  client: Client,
  scopes: readonly string[],
): boolean {
  return (
    grantTypesOf(client).includes('refresh_token') &&
    server.grantTypes.has('refresh_token') &&
    (server.config.tokens?.issueRefreshToken?.(client, scopes) ?? true)
  )
}

/**
 * The `authorization_code` grant at the token endpoint (RFC 6749 4.1.3, RFC 7636 4.6): redeems a
 * code exactly once; a second redemption revokes the grant and everything issued from it
 * (RFC 6749 4.1.2, RFC 9700 4.5).
 *
 * @example
 * ```ts
 * createContext(config, { grantTypes: [authorizationCodeGrant], responseTypes: [codeResponseType], ... })
 * ```
 */
export const authorizationCodeGrant: TokenGrantHandler = {
  grantType: 'authorization_code',
  async handle({ server, request, client }) {
    const { form } = request
    const code = form.get('code')
    if (code === undefined) throw new OAuthError('invalid_request', 'code is missing')
    const redirectUri = form.get('redirect_uri')
    const verifier = form.get('code_verifier')
    const now = server.now()
    // Atomic: of any number of concurrent redemptions exactly one sees `consumed`.
    const result = await server.storage.codes.consume(await sha256(code), now)
    if (result.status === 'not_found') throw invalidGrant('the code is invalid')
    const record = result.record
    if (result.status === 'replayed') {
      // RFC 6749 4.1.2: deny the replay and revoke the tokens issued from the code.
      await server.storage.grants.revoke(record.grantId, now)
      server.emit('grantRevoked', {
        grantId: record.grantId,
        reason: 'authorization code replayed',
      })
      throw invalidGrant('the code was already used')
    }
    // RFC 6749 4.1.3: the code must have been issued to the authenticated client.
    if (record.clientId !== client.client_id) throw invalidGrant('the code is invalid')
    if (record.expiresAt <= now) throw invalidGrant('the code has expired')
    // RFC 6749 4.1.3: redirect_uri is required and identical when the authorization request had it.
    if (record.redirectUriProvided !== false || redirectUri !== undefined) {
      if (redirectUri !== record.redirectUri) throw invalidGrant('redirect_uri does not match')
    }
    await verifyCodeVerifier(verifier, record)
    const grant = await server.storage.grants.get(record.grantId)
    if (!grant || grant.clientId !== client.client_id || grant.expiresAt <= now) {
      throw invalidGrant('the grant is no longer valid')
    }
    // A revocation dated at or after this redemption comes from a replay of this very code
    // racing us (or a revocation in the same instant); the first redemption still succeeds, as
    // it would had the replay come later, and its tokens are revoked below.
    const consumedAt = record.consumedAt ?? now
    if (grant.revokedAt !== undefined && grant.revokedAt < consumedAt) {
      throw invalidGrant('the grant was revoked')
    }
    const response = await issueTokens(server, {
      client,
      grant,
      grantType: 'authorization_code',
      scopes: record.scopes,
      refreshToken: mayIssueRefreshToken(server, client, record.scopes),
      code: record,
    })
    // A concurrent replay may have revoked the grant before our tokens were stored, which the
    // revocation then missed; revoke again so that nothing issued from a replayed code lives.
    const latest = grant.revokedAt === undefined ? await server.storage.grants.get(grant.id) : grant
    if (!latest || latest.revokedAt !== undefined) await server.storage.grants.revoke(grant.id, now)
    return response
  },
}
