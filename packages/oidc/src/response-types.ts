import {
  type AuthorizationRequest,
  type AuthorizationResponseContext,
  canonicalResponseType,
  codeResponseType,
  grantTypesOf,
  implicitResponseType,
  OAuthError,
  type ResponseTypeHandler,
  type ServerContext,
} from '@oidkit/oauth2'
import type { OpenIDOptions } from './config'
import { idTokenSigningKey, issueIdToken } from './id-token-issuer'

/**
 * The longest `nonce` accepted. It is copied into the code record and every ID token of the
 * grant; OIDC Core 3.1.2.1 sets no limit, so this one only keeps records and tokens bounded.
 */
export const MAX_NONCE_LENGTH = 512

/**
 * Checks the `nonce` of an authentication request: present when `required`, and at most
 * {@link MAX_NONCE_LENGTH} characters. Throws `invalid_request`, which the authorization
 * endpoint redirects to the client.
 *
 * @example
 * ```ts
 * checkNonce(request.params.nonce, true) // OIDC Core 3.2.2.1: REQUIRED for id_token
 * ```
 */
export function checkNonce(nonce: string | undefined, required: boolean): void {
  if (nonce === undefined) {
    if (required) {
      throw new OAuthError('invalid_request', 'nonce is required when an ID token is returned')
    }
    return
  }
  if (nonce.length > MAX_NONCE_LENGTH) {
    throw new OAuthError('invalid_request', `nonce must be at most ${MAX_NONCE_LENGTH} characters`)
  }
}

interface Parts {
  readonly code: boolean
  readonly idToken: boolean
  readonly token: boolean
}

async function validate(parts: Parts, request: AuthorizationRequest, server: ServerContext) {
  // The code is redeemed at the token endpoint with the authorization_code grant (3.3.3), so the
  // client must be registered for it as well as for implicit (OIDC Registration 1.0 2).
  if (parts.code && !grantTypesOf(request.client).includes('authorization_code')) {
    throw new OAuthError(
      'unauthorized_client',
      'the client may not use the authorization_code grant',
    )
  }
  if (parts.idToken) {
    // OIDC Core 3.1.2.1: without openid this is no OpenID Connect request, and id_token exists
    // only in OpenID Connect. invalid_scope, as RFC 6749 4.2.2.1 defines it ("the requested scope
    // is invalid") and as Authlib answers.
    if (!request.scopes.includes('openid')) {
      throw new OAuthError('invalid_scope', 'this response_type needs the openid scope')
    }
    // Refused now rather than after the end-user logged in.
    idTokenSigningKey(server, request.client)
  }
  // OIDC Core 3.2.2.1, 3.3.2.11: nonce is REQUIRED whenever the authorization endpoint returns an
  // ID token. `code token` returns none; the conformance suite's
  // oidcc-ensure-request-without-nonce-succeeds-for-code-flow requires it to work without nonce.
  checkNonce(request.params.nonce, parts.idToken)
  // PKCE rules of the code response type (RFC 7636 4.4.1, RFC 9700 2.1.1) apply to hybrid.
  if (parts.code) await codeResponseType.validate?.(request, server)
}

async function respond(options: OpenIDOptions, parts: Parts, ctx: AuthorizationResponseContext) {
  const { request, grant, server } = ctx
  // Independent records: store the code and the access token concurrently.
  const [code, token] = await Promise.all([
    parts.code ? codeResponseType.respond(ctx) : undefined,
    parts.token ? implicitResponseType.respond(ctx) : undefined,
  ])
  // Object.assign, not a spread: V8 gives an object made by a spread and then given a new
  // property a hidden class of its own.
  const params: Record<string, string> = Object.assign({}, code, token)
  if (parts.idToken) {
    const nonce = request.params.nonce
    params.id_token = await issueIdToken(server, options, {
      client: request.client,
      grant,
      profile: parts.code ? 'hybrid' : 'implicit',
      ...(nonce !== undefined ? { nonce } : {}),
      // 3.2.2.10, 3.3.2.11: at_hash with an access token, c_hash with a code.
      ...(token?.access_token !== undefined ? { accessToken: token.access_token } : {}),
      ...(code?.code !== undefined ? { code: code.code } : {}),
      // FAPI 1.0 Advanced 5.2.2.1: s_hash binds state in a hybrid ID token.
      ...(parts.code && request.state !== undefined ? { state: request.state } : {}),
      // OIDC Core 5.4: only `id_token` alone issues no access token (not even at the token
      // endpoint), so only then do scope claims go in the ID token.
      accessTokenIssued: parts.code || parts.token,
    })
  }
  return params
}

function handler(options: OpenIDOptions, values: readonly string[]): ResponseTypeHandler {
  const parts: Parts = {
    code: values.includes('code'),
    idToken: values.includes('id_token'),
    token: values.includes('token'),
  }
  return {
    responseType: canonicalResponseType(values.join(' ')),
    // Only offered when the server enables the implicit grant (RFC 9700 2.1.2 discourages it).
    grantType: 'implicit',
    // OAuth 2.0 Multiple Response Types 2.1, 3, 5: fragment by default, never query.
    defaultResponseMode: 'fragment',
    returnsTokens: true,
    validate: (request, server) => validate(parts, request, server),
    respond: (ctx) => respond(options, parts, ctx),
  }
}

/**
 * The response types of OpenID Connect's implicit flow (OIDC Core 3.2: `id_token`,
 * `id_token token`) and hybrid flow (3.3: `code id_token`, `code token`, `code id_token token`),
 * keyed by their canonical (sorted) values. They belong to the `implicit` grant type, so they
 * exist only when the server enables it; hybrid ones also need the client registered for
 * `authorization_code`, whose grant redeems their code at the token endpoint.
 *
 * @example
 * ```ts
 * const plugin: ServerPlugin = { name: 'oidc', responseTypes: oidcResponseTypes(options) }
 * createAuthorizationServer({ ...config, grantTypes: ['authorization_code', 'implicit'], plugins: [plugin] })
 * ```
 */
export function oidcResponseTypes(options: OpenIDOptions): ResponseTypeHandler[] {
  return [
    ['id_token'],
    ['id_token', 'token'],
    ['code', 'id_token'],
    ['code', 'token'],
    ['code', 'id_token', 'token'],
  ].map((values) => handler(options, values))
}
