import {
  type Client,
  type Endpoint,
  type EndpointResponse,
  endSession,
  isOAuthError,
  OAuthError,
  type Params,
  parseRequest,
  type RequestLike,
  readSession,
  redirectResponse,
  type ServerContext,
} from '@oidkit/oauth2'
import type { OpenIDOptions } from './config'
import { audiences, decodeUnverified, type IdTokenHint, verifyIdTokenHint } from './id-token-hint'
import {
  createPendingLogout,
  finishLogout,
  loadPendingLogout,
  respondAfterLogout,
} from './logout-api'
import { confirmationPage, logoutErrorPage } from './logout-pages'

export type { LogoutApi, LogoutDetails, LogoutResult } from './logout-api'
export { logoutApi } from './logout-api'

// Generous for URIs, state and locales; anything longer is not a real RP's request.
const MAX_PARAM_LENGTH = 4096

/** The RP-Initiated Logout 1.0 2 parameters, with length limits. */
function readParams(params: Params) {
  const read = (name: string) => {
    const value = params.get(name)
    if (value !== undefined && name !== 'id_token_hint' && value.length > MAX_PARAM_LENGTH) {
      throw new OAuthError('invalid_request', `${name} is too long`)
    }
    return value
  }
  return {
    idTokenHint: read('id_token_hint'),
    clientId: read('client_id'),
    postLogoutRedirectUri: read('post_logout_redirect_uri'),
    state: read('state'),
    logoutHint: read('logout_hint'),
    uiLocales: read('ui_locales'),
  }
}

/** The client the logout names: `client_id`, else the hint's single audience or its `azp`. */
async function resolveClient(
  server: ServerContext,
  clientId: string | undefined,
  hint: string | undefined,
): Promise<Client | undefined> {
  if (clientId !== undefined) {
    const client = await server.storage.clients.get(clientId)
    if (!client) throw new OAuthError('invalid_request', 'client_id is unknown')
    return client
  }
  const payload = hint === undefined ? undefined : decodeUnverified(hint)?.payload
  if (!payload) return undefined
  const aud = audiences(payload)
  const azp = typeof payload.azp === 'string' && aud.includes(payload.azp) ? payload.azp : undefined
  // With several audiences and no azp the client is ambiguous: no client, so no redirect.
  const id = aud.length === 1 ? aud[0] : azp
  return id === undefined ? undefined : server.storage.clients.get(id)
}

/** A logout request from an RP (RP-Initiated Logout 1.0 2): validate, then ask the end-user. */
async function startLogout(
  server: ServerContext,
  options: OpenIDOptions,
  request: RequestLike,
  params: Params,
): Promise<EndpointResponse> {
  const input = readParams(params)
  const client = await resolveClient(server, input.clientId, input.idTokenHint)
  let hint: IdTokenHint | undefined
  if (input.idTokenHint !== undefined) {
    // RP-Initiated Logout 1.0 2: expired ID tokens are fine as hints; forged ones are not.
    hint = await verifyIdTokenHint(server, input.idTokenHint)
    if (client && !hint.aud.includes(client.client_id)) {
      throw new OAuthError('invalid_request', 'client_id does not match the aud of id_token_hint')
    }
  }
  // RP-Initiated Logout 1.0 2 / 3: redirect only to a URI registered for the client, by exact
  // match, and only with an id_token_hint confirming the client asked; otherwise no redirect.
  const registered = client?.post_logout_redirect_uris
  const target =
    hint &&
    client &&
    input.postLogoutRedirectUri !== undefined &&
    Array.isArray(registered) &&
    registered.includes(input.postLogoutRedirectUri)
      ? input.postLogoutRedirectUri
      : undefined
  const session = await readSession(server, request)
  if (!session) {
    // Nobody to log out, so nothing to confirm: clear a stale cookie and answer.
    const answer = {
      ...(target !== undefined ? { post_logout_redirect_uri: target } : {}),
      ...(target !== undefined && input.state !== undefined ? { state: input.state } : {}),
    }
    return respondAfterLogout(
      server,
      options,
      request,
      { confirmed: true },
      answer,
      await endSession(server, request),
    )
  }
  const { record, xsrf, cookie } = await createPendingLogout(server, {
    ...(client ? { client } : {}),
    ...(target !== undefined ? { postLogoutRedirectUri: target } : {}),
    ...(input.state !== undefined ? { state: input.state } : {}),
    ...(input.logoutHint !== undefined ? { logoutHint: input.logoutHint } : {}),
    ...(input.uiLocales !== undefined ? { uiLocales: input.uiLocales } : {}),
  })
  const custom = options.logout?.url?.(record.id)
  const response =
    custom !== undefined
      ? redirectResponse(custom)
      : confirmationPage(server, {
          action: server.endpointUrl('end_session'),
          logoutId: record.id,
          xsrf,
          ...(client?.client_name ? { clientName: client.client_name } : {}),
          ...(target !== undefined ? { postLogoutRedirectUri: target } : {}),
        })
  response.headers.append('set-cookie', cookie)
  return response
}

/**
 * The OpenID Connect RP-Initiated Logout 1.0 end_session_endpoint (`/session/end`, GET or form
 * POST; no CORS: browsers navigate to it). An RP's request is validated (an `id_token_hint`,
 * even expired, must be ours; `client_id` must match its `aud`) and the end-user is asked to
 * confirm on a built-in page, or the integrator's (`openid.logout.url`, see `logoutApi`). The
 * confirmed POST, bound to the browser by a CSRF cookie, ends the OP session and redirects to a
 * registered post_logout_redirect_uri with `state`, or shows the logged-out page. Errors are
 * never redirected.
 *
 * @example
 * ```ts
 * const plugin: ServerPlugin = { name: 'openid', endpoints: [endSessionEndpoint(options)] }
 * ```
 */
export function endSessionEndpoint(options: OpenIDOptions): Endpoint {
  return {
    name: 'end_session',
    path: '/session/end',
    methods: ['GET', 'POST'],
    cors: false,
    async handle(request, server) {
      try {
        const parsed = await parseRequest(request, {
          methods: ['GET', 'POST'],
          body: 'form',
          maxBodySize: server.settings.maxBodySize,
        })
        const params = parsed.method === 'POST' ? parsed.form : parsed.query
        const logoutId = parsed.method === 'POST' ? params.get('logout_id') : undefined
        if (logoutId === undefined) return await startLogout(server, options, request, params)
        // The built-in confirmation form: its token must match this browser's cookie.
        const xsrf = params.get('xsrf')
        if (xsrf === undefined) throw new OAuthError('invalid_request', 'xsrf is required')
        const record = await loadPendingLogout(server, request, logoutId, xsrf)
        return await finishLogout(server, options, request, record, { confirmed: true })
      } catch (error) {
        if (isOAuthError(error)) return logoutErrorPage(server, request, error)
        throw error
      }
    },
  }
}
