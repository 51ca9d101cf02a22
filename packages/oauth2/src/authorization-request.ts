import { type Client, grantTypesOf, matchRedirectUri, responseTypesOf } from './client'
import type { ServerContext } from './context'
import { OAuthError } from './errors'
import type { AuthorizationRequest, ResponseTypeHandler } from './plugin'
import type { Params, RequestLike } from './request'
import { type EndpointResponse, escapeHtml, TextResponse } from './response'
import { deliverAuthorizationResponse, RESPONSE_MODES, type ResponseMode } from './response-mode'
import { resolveScopes } from './scope'
import { withFields } from './with-fields'

/**
 * A `response_type` with its values sorted: their order does not matter (OAuth 2.0 Multiple
 * Response Types 2).
 *
 * @example
 * ```ts
 * canonicalResponseType('token id_token') // 'id_token token'
 * ```
 */
export function canonicalResponseType(value: string): string {
  return value.split(' ').filter(Boolean).sort().join(' ')
}

/**
 * Validates `client_id` and `redirect_uri`. Until both are valid an error must not be redirected
 * (RFC 6749 4.1.2.1, RFC 9700 4.1): the OAuthError this throws is shown to the end-user.
 *
 * @example
 * ```ts
 * const { client, redirectUri } = await resolveClient(server, params)
 * ```
 */
export async function resolveClient(
  server: ServerContext,
  params: Params,
): Promise<{ client: Client; redirectUri: string }> {
  const clientId = params.get('client_id')
  if (clientId === undefined) throw new OAuthError('invalid_request', 'client_id is required')
  const client = await server.storage.clients.get(clientId)
  if (!client) throw new OAuthError('invalid_client', 'the client is unknown', { status: 400 })
  const requested = params.get('redirect_uri')
  if (requested === undefined) {
    // RFC 6749 3.1.2.3: it may be omitted when the client registered exactly one.
    const only = client.redirect_uris?.length === 1 ? client.redirect_uris[0] : undefined
    if (only === undefined) throw new OAuthError('invalid_request', 'redirect_uri is required')
    return { client, redirectUri: only }
  }
  // RFC 9700 2.1 / 4.1.3: exact string matching (loopback ports excepted, RFC 8252 7.3).
  if (!matchRedirectUri(client.redirect_uris, requested)) {
    throw new OAuthError('invalid_request', 'redirect_uri is not registered for this client')
  }
  return { client, redirectUri: requested }
}

/**
 * Validates the rest of an authorization request once the client and redirect URI are known;
 * the OAuthError it throws is redirected to the client (RFC 6749 4.1.2.1, 4.2.2.1).
 *
 * @example
 * ```ts
 * const { request, handler } = await validateAuthorizationRequest(server, client, redirectUri, params)
 * ```
 */
export async function validateAuthorizationRequest(
  server: ServerContext,
  client: Client,
  redirectUri: string,
  params: Params,
): Promise<{ request: AuthorizationRequest; handler: ResponseTypeHandler }> {
  // RFC 6749 3.1: a parameter sent twice is invalid_request.
  const raw = params.toObject()
  if (raw.response_type === undefined) {
    throw new OAuthError('invalid_request', 'response_type is required')
  }
  const responseType = canonicalResponseType(raw.response_type)
  const handler = server.responseTypes.get(responseType)
  if (!handler) {
    throw new OAuthError('unsupported_response_type', 'this response_type is not supported')
  }
  if (
    !responseTypesOf(client).some((value) => canonicalResponseType(value) === responseType) ||
    !grantTypesOf(client).includes(handler.grantType)
  ) {
    throw new OAuthError('unauthorized_client', 'the client may not use this response_type')
  }
  const mode = raw.response_mode
  if (mode !== undefined && !RESPONSE_MODES.has(mode)) {
    throw new OAuthError('invalid_request', 'response_mode must be query, fragment or form_post')
  }
  if (mode === 'query' && handler.returnsTokens) {
    // OAuth 2.0 Multiple Response Types 5: tokens never go in the query.
    throw new OAuthError(
      'invalid_request',
      'response_mode=query is not allowed for this response_type',
    )
  }
  const request: AuthorizationRequest = {
    client,
    redirectUri,
    responseType,
    responseMode: mode ?? handler.defaultResponseMode,
    scopes: resolveScopes(raw.scope, client.scope, server.config.scopes),
    ...(raw.state !== undefined ? { state: raw.state } : {}),
    params: raw,
  }
  await handler.validate?.(request, server)
  return { request, handler }
}

/** Where and how an authorization error is redirected. */
export interface ErrorTarget {
  redirectUri: string
  mode: ResponseMode
  state?: string
}

function lenient(params: Params, name: string): string | undefined {
  try {
    return params.get(name)
  } catch {
    return undefined
  }
}

/**
 * How to redirect an error for a request that may itself be invalid: the requested response
 * mode when it is usable, else the default of the response type (fragment when it looks like it
 * returns tokens).
 *
 * @example
 * ```ts
 * return redirectError(server, errorTarget(server, redirectUri, params), error)
 * ```
 */
export function errorTarget(
  server: ServerContext,
  redirectUri: string,
  params: Params,
): ErrorTarget {
  const responseType = lenient(params, 'response_type')
  const handler = responseType
    ? server.responseTypes.get(canonicalResponseType(responseType))
    : undefined
  const tokens = handler ? handler.returnsTokens : /(^| )(id_)?token( |$)/.test(responseType ?? '')
  const requested = lenient(params, 'response_mode')
  const mode: ResponseMode =
    requested === 'fragment' || requested === 'form_post' || (requested === 'query' && !tokens)
      ? requested
      : (handler?.defaultResponseMode ?? (tokens ? 'fragment' : 'query'))
  const state = lenient(params, 'state')
  return { redirectUri, mode, ...(state !== undefined ? { state } : {}) }
}

/**
 * Redirects an error to the client with `state` and `iss` (RFC 6749 4.1.2.1, RFC 9207 2) in the
 * response mode in force.
 *
 * @example
 * ```ts
 * return redirectError(server, target, new OAuthError('access_denied'))
 * ```
 */
export async function redirectError(
  server: ServerContext,
  target: ErrorTarget,
  error: OAuthError,
  cookies: readonly string[] = [],
): Promise<EndpointResponse> {
  const params: Record<string, string> = withFields(error.toJSON(), {})
  if (target.state !== undefined) params.state = target.state
  params.iss = server.issuer
  const response = await deliverAuthorizationResponse(withFields(target, { params }))
  for (const cookie of cookies) response.headers.append('set-cookie', cookie)
  return response
}

/**
 * Shows an error that must not be redirected: the integrator's `interactions.renderError`, else
 * an HTML page for browsers and the RFC 6749 5.2 JSON for others.
 *
 * @example
 * ```ts
 * return renderError(server, request, new OAuthError('invalid_request', 'redirect_uri is required'))
 * ```
 */
export async function renderError(
  server: ServerContext,
  request: RequestLike,
  error: OAuthError,
  title = 'Authorization error',
): Promise<EndpointResponse> {
  const custom = server.config.interactions?.renderError
  if (custom) return custom(error, request)
  if (!request.headers.get('accept')?.includes('text/html')) return error.toTextResponse()
  const description = error.error_description ? `<p>${escapeHtml(error.error_description)}</p>` : ''
  const html =
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${escapeHtml(title)}</title><style>body{font-family:system-ui,sans-serif;` +
    'max-width:40rem;margin:4rem auto;padding:0 1rem}</style></head><body>' +
    `<h1>${escapeHtml(title)}</h1><p><code>${escapeHtml(error.error)}</code></p>${description}` +
    '</body></html>'
  return new TextResponse(html, {
    status: error.status,
    headers: {
      ...error.headers,
      'content-type': 'text/html;charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy':
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
      'x-content-type-options': 'nosniff',
    },
  })
}
