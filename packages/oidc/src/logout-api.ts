import {
  type Client,
  type EndpointResponse,
  endSession,
  type InteractionRecord,
  OAuthError,
  type RequestLike,
  randomToken,
  readSession,
  redirectResponse,
  type ServerContext,
  sha256,
  TextResponse,
  timingSafeEqual,
  toWebResponse,
} from '@oidkit/oauth2'
import type { OpenIDOptions } from './config'
import { loggedOutPage } from './logout-pages'

/** The cookie that binds a pending logout to the browser that asked for it (CSRF). */
export const LOGOUT_COOKIE = 'oidkit.logout'
/** The `prompt` of the interaction records that hold pending logouts. */
export const LOGOUT_PROMPT = 'logout'
// Longer ids are not ours; refusing them spares a store round trip.
const MAX_ID_LENGTH = 128

/** A logout request the end-user has not confirmed yet. */
export interface PendingLogoutInput {
  /** The client identified by `client_id` or the `id_token_hint`'s `aud`. */
  client?: Client
  /** A post_logout_redirect_uri already checked against the client's registration. */
  postLogoutRedirectUri?: string
  state?: string
  logoutHint?: string
  uiLocales?: string
}

/** What an integrator's logout confirmation page needs to know. */
export interface LogoutDetails {
  id: string
  client?: Pick<
    Client,
    'client_id' | 'client_name' | 'logo_uri' | 'client_uri' | 'policy_uri' | 'tos_uri'
  >
  /** Where the end-user goes afterwards; absent: the logged-out page. */
  postLogoutRedirectUri?: string
  logoutHint?: string
  uiLocales?: string
  /** The end-user currently logged in, if any. */
  session?: { accountId: string; authTime: number }
}

/** The end-user's answer on the confirmation page. */
export interface LogoutResult {
  /** True to end the session at the OP; false keeps it (the RP is redirected back either way). */
  confirmed: boolean
}

/** Pending logouts, for integrators who render their own confirmation page. */
export interface LogoutApi {
  /** The details of a pending logout; `invalid_request` when unknown, expired or from another browser. */
  get(request: RequestLike, id: string): Promise<LogoutDetails>
  /** Ends (or keeps) the session and answers with the redirect to the RP or the logged-out page. */
  finish(request: RequestLike, id: string, result: LogoutResult): Promise<Response>
}

function readCookie(request: RequestLike, name: string): string | undefined {
  for (const part of request.headers.get('cookie')?.split(';') ?? []) {
    const eq = part.indexOf('=')
    if (eq !== -1 && part.slice(0, eq).trim() === name)
      return part.slice(eq + 1).trim() || undefined
  }
  return undefined
}

function logoutCookie(server: ServerContext, value: string, maxAge: number): string {
  const secure = server.settings.secureCookies ? '; Secure' : ''
  return `${LOGOUT_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Lax${secure}; Max-Age=${maxAge}`
}

/**
 * Stores a pending logout as an interaction record (`prompt: 'logout'`, so no new storage
 * contract) holding the hash of a random CSRF token; the token goes in a cookie and the form.
 *
 * @example
 * ```ts
 * const { record, xsrf, cookie } = await createPendingLogout(server, { client, state })
 * ```
 */
export async function createPendingLogout(
  server: ServerContext,
  input: PendingLogoutInput,
): Promise<{ record: InteractionRecord; xsrf: string; cookie: string }> {
  const xsrf = randomToken()
  const now = server.now()
  const ttl = server.settings.interactionTtl
  const params: Record<string, string> = { xsrf_hash: await sha256(xsrf) }
  if (input.client) params.client_id = input.client.client_id
  if (input.postLogoutRedirectUri !== undefined) {
    params.post_logout_redirect_uri = input.postLogoutRedirectUri
    if (input.state !== undefined) params.state = input.state
  }
  if (input.logoutHint !== undefined) params.logout_hint = input.logoutHint
  if (input.uiLocales !== undefined) params.ui_locales = input.uiLocales
  const record: InteractionRecord = {
    id: randomToken(),
    prompt: LOGOUT_PROMPT,
    params,
    clientId: input.client?.client_id ?? '',
    createdAt: now,
    expiresAt: now + ttl,
  }
  await server.storage.interactions.save(record)
  return { record, xsrf, cookie: logoutCookie(server, xsrf, ttl) }
}

const unknownLogout = () =>
  new OAuthError('invalid_request', 'the logout request has expired or does not exist')

/**
 * The pending logout `id`, if this browser holds its CSRF cookie (and, for the built-in form,
 * the posted `xsrf` equals it). Throws `invalid_request` otherwise.
 *
 * @example
 * ```ts
 * const record = await loadPendingLogout(server, request, form.get('logout_id'), form.get('xsrf'))
 * ```
 */
export async function loadPendingLogout(
  server: ServerContext,
  request: RequestLike,
  id: string,
  posted?: string,
): Promise<InteractionRecord> {
  if (id.length > MAX_ID_LENGTH) throw unknownLogout()
  const record = await server.storage.interactions.get(id)
  // Authorization interactions live in the same store; they are not logouts.
  if (!record || record.prompt !== LOGOUT_PROMPT || record.expiresAt <= server.now()) {
    throw unknownLogout()
  }
  const cookie = readCookie(request, LOGOUT_COOKIE)
  const expected = record.params.xsrf_hash
  if (
    cookie === undefined ||
    expected === undefined ||
    !timingSafeEqual(await sha256(cookie), expected) ||
    (posted !== undefined && !timingSafeEqual(posted, cookie))
  ) {
    throw new OAuthError('invalid_request', 'the logout request does not belong to this browser')
  }
  return record
}

/**
 * Where a logout ends: a 303 to the registered post_logout_redirect_uri with `state`
 * (RP-Initiated Logout 1.0 3), else the integrator's or the built-in logged-out page.
 *
 * @example
 * ```ts
 * return respondAfterLogout(server, options, request, { confirmed: true }, record.params, cookies)
 * ```
 */
export async function respondAfterLogout(
  server: ServerContext,
  options: OpenIDOptions,
  request: RequestLike,
  result: LogoutResult,
  target: { post_logout_redirect_uri?: string; state?: string },
  cookies: readonly string[],
): Promise<EndpointResponse> {
  let response: EndpointResponse
  const uri = target.post_logout_redirect_uri
  if (uri !== undefined) {
    // Appended as text: the registered URI (no fragment) is kept byte for byte.
    const state = target.state
    const location =
      state === undefined
        ? uri
        : `${uri}${uri.includes('?') ? '&' : '?'}state=${encodeURIComponent(state)}`
    response = redirectResponse(location)
  } else {
    const custom = result.confirmed ? await options.logout?.renderLoggedOut?.(request) : undefined
    // A copy, since a Response's headers may be immutable.
    response = !custom
      ? loggedOutPage(server, result.confirmed)
      : custom instanceof TextResponse
        ? custom
        : new Response(custom.body, custom)
  }
  for (const cookie of cookies) response.headers.append('set-cookie', cookie)
  return response
}

/**
 * Ends a logout request: deletes the pending record, ends the OP session when confirmed
 * (`endSession` deletes the record and clears the cookie) and answers.
 *
 * @example
 * ```ts
 * return finishLogout(server, options, request, record, { confirmed: true })
 * ```
 */
export async function finishLogout(
  server: ServerContext,
  options: OpenIDOptions,
  request: RequestLike,
  record: InteractionRecord,
  result: LogoutResult,
): Promise<EndpointResponse> {
  await server.storage.interactions.delete(record.id)
  const cookies = [logoutCookie(server, '', 0)]
  if (result.confirmed) cookies.push(...(await endSession(server, request)))
  return respondAfterLogout(server, options, request, result, record.params, cookies)
}

/**
 * The logout API: what an integrator's own confirmation page (`openid.logout.url`) reads and
 * finishes. Its form must post to the integrator's route on the issuer's site, which calls
 * `finish`; the logout cookie (SameSite=Lax) binds the request to the browser.
 *
 * @example
 * ```ts
 * const details = await provider.logout.get(request, id)
 * return provider.logout.finish(request, id, { confirmed: true })
 * ```
 */
export function logoutApi(server: ServerContext, options: OpenIDOptions): LogoutApi {
  return {
    async get(request, id) {
      const record = await loadPendingLogout(server, request, id)
      const { params } = record
      const client = params.client_id
        ? await server.storage.clients.get(params.client_id)
        : undefined
      const session = await readSession(server, request)
      return {
        id: record.id,
        ...(client
          ? {
              client: {
                client_id: client.client_id,
                client_name: client.client_name,
                logo_uri: client.logo_uri,
                client_uri: client.client_uri,
                policy_uri: client.policy_uri,
                tos_uri: client.tos_uri,
              },
            }
          : {}),
        ...(params.post_logout_redirect_uri !== undefined
          ? { postLogoutRedirectUri: params.post_logout_redirect_uri }
          : {}),
        ...(params.logout_hint !== undefined ? { logoutHint: params.logout_hint } : {}),
        ...(params.ui_locales !== undefined ? { uiLocales: params.ui_locales } : {}),
        ...(session
          ? { session: { accountId: session.accountId, authTime: session.authTime } }
          : {}),
      }
    },

    async finish(request, id, result) {
      const record = await loadPendingLogout(server, request, id)
      return toWebResponse(await finishLogout(server, options, request, record, result))
    },
  }
}
