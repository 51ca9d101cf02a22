import type { ServerContext } from './context'
import { sha256 } from './crypto'
import { OAuthError } from './errors'
import type { TokenGrantHandler } from './plugin'
import { parseScope } from './scope'
import type { GrantRecord } from './storage'
import { issueTokens } from './token-issuer'

const invalidGrant = (description: string) => new OAuthError('invalid_grant', description)

async function revokeForReuse(server: ServerContext, grantId: string, now: number): Promise<never> {
  // RFC 9700 4.14.2: reuse of a rotated refresh token means it leaked; end the whole grant.
  await server.storage.grants.revoke(grantId, now)
  server.emit('grantRevoked', { grantId, reason: 'refresh token reused' })
  throw invalidGrant('the refresh token was already used')
}

/**
 * The `refresh_token` grant (RFC 6749 6). Refresh tokens are bound to their client and, by
 * default, rotated on every use with reuse detection (RFC 9700 4.14.2): presenting a rotated
 * token again revokes the grant and every token issued under it.
 *
 * @example
 * ```ts
 * createContext(config, { grantTypes: [authorizationCodeGrant, refreshTokenGrant], ... })
 * ```
 */
export const refreshTokenGrant: TokenGrantHandler = {
  grantType: 'refresh_token',
  async handle({ server, request, client }) {
    const { form } = request
    const value = form.get('refresh_token')
    if (value === undefined) throw new OAuthError('invalid_request', 'refresh_token is missing')
    const requested = form.get('scope')
    const requestedScopes = requested === undefined ? undefined : parseScope(requested)
    const { storage, settings } = server
    const rotate = settings.rotateRefreshTokens
    const now = server.now()
    const hash = await sha256(value)
    // A plain read first: the client binding (RFC 6749 6) is checked before anything is
    // consumed, so another client holding the token cannot burn it for its owner.
    const token = await storage.tokens.get(hash)
    if (token?.type !== 'refresh_token' || token.clientId !== client.client_id) {
      throw invalidGrant('the refresh token is invalid')
    }
    if (rotate && token.consumedAt !== undefined) return revokeForReuse(server, token.grantId, now)
    if (token.revokedAt !== undefined) throw invalidGrant('the refresh token was revoked')
    if (token.expiresAt <= now) throw invalidGrant('the refresh token has expired')
    let grant: GrantRecord | undefined = await storage.grants.get(token.grantId)
    if (
      !grant ||
      grant.revokedAt !== undefined ||
      grant.expiresAt <= now ||
      grant.clientId !== client.client_id
    ) {
      throw invalidGrant('the grant is no longer valid')
    }
    const accountId = grant.accountId
    const isActive = server.config.accounts?.isActive
    if (accountId !== undefined && isActive && !(await isActive(accountId))) {
      throw invalidGrant('the account is no longer active')
    }
    // RFC 6749 6: the new access token may narrow the scope, never widen it.
    const granted = grant.scopes
    const outside = requestedScopes?.find((scope) => !granted.includes(scope))
    if (outside !== undefined) {
      throw new OAuthError('invalid_scope', `the scope "${outside}" was not granted`)
    }
    const scopes = requestedScopes ?? granted
    if (rotate) {
      // The new refresh token lives refreshTokenTtl from now; the grant must outlive it. Saved
      // before consuming, so that a reuse of this token (which can only follow our consume) is
      // never undone by this write. Storage has no conditional update, so a revocation landing
      // between our read and this write could still be overwritten.
      const expiresAt = now + settings.refreshTokenTtl
      if (grant.expiresAt < expiresAt) {
        grant = { ...grant, expiresAt }
        await storage.grants.save(grant)
      }
      const result = await storage.tokens.consume(hash, now)
      if (result.status === 'replayed') return revokeForReuse(server, token.grantId, now)
      if (result.status === 'not_found') throw invalidGrant('the refresh token is invalid')
    }
    // RFC 6749 6: without rotation no new refresh token; the client keeps using the old one
    // (only its hash is stored, so it could not be returned anyway).
    const response = await issueTokens(server, {
      client,
      grant,
      grantType: 'refresh_token',
      scopes,
      refreshToken: rotate,
    })
    if (rotate) {
      // A reuse of this token racing us may have revoked the grant before our new tokens were
      // stored, which that revocation then missed; revoke again so that nothing survives it.
      const latest = await storage.grants.get(grant.id)
      if (!latest || latest.revokedAt !== undefined) await storage.grants.revoke(grant.id, now)
    }
    return response
  },
}
