import {
  CodeIDToken,
  HybridIDToken,
  IDToken,
  type IDTokenProfile,
  ImplicitIDToken,
  isJoseError,
  type SigningKey,
  signJwt,
} from '@oidkit/jose'
import { type Client, type GrantRecord, OAuthError, type ServerContext } from '@oidkit/oauth2'
import { accountClaims } from './account-claims'
import type { OpenIDOptions } from './config'

/**
 * Where an ID token is issued: the token endpoint after a code (`code`), the authorization
 * endpoint of the implicit (`implicit`) or hybrid (`hybrid`) flow, or the token endpoint for any
 * other grant with an end-user, such as refresh_token or password (`token`).
 */
export type IdTokenFlow = 'code' | 'implicit' | 'hybrid' | 'token'

/**
 * What {@link issueIdToken} needs.
 *
 * @example
 * ```ts
 * const input: IssueIdTokenInput = { client, grant, profile: 'code', accessTokenIssued: true }
 * ```
 */
export interface IssueIdTokenInput {
  readonly client: Client
  /** The grant; its `accountId` becomes `sub`, `authTime`/`acr`/`amr`/`sessionId` their claims. */
  readonly grant: GrantRecord
  readonly profile: IdTokenFlow
  /** The `nonce` of the authentication request, only when one was sent (OIDC Core 3.1.2.1). */
  readonly nonce?: string
  /** The access token issued with the ID token: adds `at_hash` (3.2.2.10, 3.3.2.11). */
  readonly accessToken?: string
  /** The code issued with the ID token: adds `c_hash` (3.3.2.11). */
  readonly code?: string
  /** The `state` of a hybrid request: adds `s_hash` (FAPI 1.0 Advanced 5.2.2.1). */
  readonly state?: string
  /** False for `response_type=id_token`: scope claims then go in the ID token (OIDC Core 5.4). */
  readonly accessTokenIssued: boolean
}

const PROFILES: Readonly<Record<IdTokenFlow, IDTokenProfile>> = {
  code: CodeIDToken,
  implicit: ImplicitIDToken,
  hybrid: HybridIDToken,
  token: IDToken,
}

/**
 * The key that signs a client's ID tokens: the current key for its registered
 * `id_token_signed_response_alg`, RS256 when it registered none (OIDC Registration 1.0 2).
 * Never `none`. When the key set has no current key for that algorithm (the client registered it
 * before the provider's keys changed) the client's registration no longer fits the provider:
 * `invalid_client` (status 400, it is no authentication failure) telling it to update it.
 *
 * @example
 * ```ts
 * const key = idTokenSigningKey(server, client) // key.alg, key.kid
 * ```
 */
export function idTokenSigningKey(server: ServerContext, client: Client): SigningKey {
  const registered = client.id_token_signed_response_alg
  const alg = typeof registered === 'string' ? registered : 'RS256'
  try {
    return server.keys.signingKey(alg)
  } catch (error) {
    if (!isJoseError(error)) throw error
    throw new OAuthError(
      'invalid_client',
      `the provider has no key for the registered id_token_signed_response_alg ${alg}; update the client registration`,
      { status: 400 },
    )
  }
}

// The account is gone between the grant and now: at the authorization endpoint the end-user can
// no longer authorize (access_denied), at the token endpoint the grant is void (invalid_grant).
const accountGone = (profile: IdTokenFlow) =>
  profile === 'implicit' || profile === 'hybrid'
    ? new OAuthError('access_denied', 'the end-user account no longer exists')
    : new OAuthError('invalid_grant', 'the end-user account no longer exists')

/**
 * Issues a signed ID token (OIDC Core 2, 3.1.3.6, 3.2.2.10, 3.3.2.11, 12.2): `iss`, `sub` (the
 * account id), `aud` (the client_id, a single string), `exp`, `iat`, `auth_time` whenever the
 * grant knows it, `nonce` only when one was sent, `acr`/`amr`/`sid` when known, `at_hash`,
 * `c_hash` and `s_hash` for what it goes with, then the account claims released for `id_token`
 * (which never override those). One signature; the account hook is called only when some claim
 * is released into the ID token.
 *
 * @example
 * ```ts
 * const idToken = await issueIdToken(server, options, {
 *   client, grant, profile: 'code', nonce: code.nonce, accessToken, accessTokenIssued: true,
 * })
 * ```
 */
export async function issueIdToken(
  server: ServerContext,
  options: OpenIDOptions,
  input: IssueIdTokenInput,
): Promise<string> {
  const { client, grant, profile } = input
  const subject = grant.accountId
  if (subject === undefined) throw new TypeError('an ID token needs a grant with an end-user')
  const key = idTokenSigningKey(server, client)
  const released = await accountClaims(options, {
    grant,
    client,
    use: 'id_token',
    accessTokenIssued: input.accessTokenIssued,
  })
  if (released === undefined) throw accountGone(profile)
  const claims = await PROFILES[profile].build({
    issuer: server.issuer,
    subject,
    audience: client.client_id,
    lifetime: options.idTokenTtl ?? 3600,
    currentDate: new Date(server.now() * 1000),
    authTime: grant.authTime,
    nonce: input.nonce,
    acr: grant.acr,
    amr: grant.amr,
    sid: grant.sessionId,
    accessToken: input.accessToken,
    code: input.code,
    state: input.state,
    // The hashes use the digest of the signing algorithm (OIDC Core 3.1.3.6).
    alg: key.alg,
    claims: released,
  })
  return signJwt(claims, { key })
}
