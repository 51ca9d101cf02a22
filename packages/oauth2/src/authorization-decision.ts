import { type ErrorTarget, redirectError } from './authorization-request'
import type { ServerContext } from './context'
import { randomToken } from './crypto'
import { isOAuthError, OAuthError, type OAuthErrorCode } from './errors'
import type { AuthorizationCheckResult, AuthorizationRequest, ResponseTypeHandler } from './plugin'
import type { RequestLike } from './request'
import { type EndpointResponse, redirectResponse } from './response'
import { deliverAuthorizationResponse, type ResponseMode } from './response-mode'
import { interactionCookie } from './session'
import type { GrantRecord, InteractionRecord, SessionRecord } from './storage'
import { withFields } from './with-fields'

/** What finished interaction steps recorded on a pending request. */
export interface InteractionResults {
  /** A login during this interaction; `at` lets checks tell a fresh login (OIDC prompt=login, max_age). */
  login?: { accountId: string; at: number; acr?: string; amr?: readonly string[] }
  /** The consent given during this interaction. */
  consent?: { scopes: readonly string[]; claims?: readonly string[] }
}

/**
 * The results recorded on an interaction (empty when there is none).
 *
 * @example
 * ```ts
 * const fresh = interactionResults(ctx.interaction).login?.at
 * ```
 */
export function interactionResults(interaction: InteractionRecord | undefined): InteractionResults {
  return (interaction?.result ?? {}) as InteractionResults
}

/** A validated request ready for the authorization decision. */
export interface AuthorizeInput {
  request: AuthorizationRequest
  handler: ResponseTypeHandler
  /** The end-user's session, if any. */
  session: SessionRecord | undefined
  /** The pending request being resumed after an interaction step. */
  interaction?: InteractionRecord
  /** `Set-Cookie` values to send with the response (a new session). */
  cookies?: readonly string[]
}

const PROMPT_NONE_ERRORS: Readonly<Record<string, OAuthErrorCode>> = {
  login: 'login_required',
  consent: 'consent_required',
  select_account: 'account_selection_required',
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The OIDC `claims` request kept on the grant, narrowed to the claims the end-user consented to. */
function grantedClaims(
  requested: string | undefined,
  names: readonly string[] | undefined,
): Record<string, unknown> | undefined {
  if (requested === undefined) return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(requested)
  } catch {
    return undefined
  }
  if (!isObject(parsed) || !names) return isObject(parsed) ? parsed : undefined
  const out: Record<string, unknown> = {}
  for (const [member, claims] of Object.entries(parsed)) {
    out[member] = isObject(claims)
      ? Object.fromEntries(Object.entries(claims).filter(([name]) => names.includes(name)))
      : claims
  }
  return out
}

async function startInteraction(
  server: ServerContext,
  input: AuthorizeInput,
  httpRequest: RequestLike,
  outcome: { prompt: string; reason?: string },
): Promise<EndpointResponse> {
  const { request, interaction } = input
  const now = server.now()
  const record: InteractionRecord = {
    id: interaction?.id ?? randomToken(),
    prompt: outcome.prompt,
    ...(outcome.reason !== undefined ? { reason: outcome.reason } : {}),
    params: request.params,
    clientId: request.client.client_id,
    ...(interaction?.result ? { result: interaction.result } : {}),
    createdAt: interaction?.createdAt ?? now,
    expiresAt: now + server.settings.interactionTtl,
  }
  await server.storage.interactions.save(record)
  const url =
    server.config.interactions?.url?.(record) ??
    `${server.issuer.replace(/\/$/, '')}/interaction/${encodeURIComponent(record.id)}`
  const response = redirectResponse(url)
  for (const cookie of input.cookies ?? []) response.headers.append('set-cookie', cookie)
  response.headers.append('set-cookie', interactionCookie(server, httpRequest, { add: record.id }))
  return response
}

/**
 * Decides a validated authorization request: runs the checks (login, consent, extensions), then
 * either sends the end-user to an interaction, redirects an error, or records the grant and
 * delivers the response. The interaction API calls it to finish a pending request.
 *
 * @example
 * ```ts
 * return authorize(server, httpRequest, { request, handler, session: await readSession(server, httpRequest) })
 * ```
 */
export async function authorize(
  server: ServerContext,
  httpRequest: RequestLike,
  input: AuthorizeInput,
): Promise<EndpointResponse> {
  const { request, handler, session, interaction } = input
  const cookies = [...(input.cookies ?? [])]
  // Once the request is decided, the browser no longer holds it pending.
  if (interaction) cookies.push(interactionCookie(server, httpRequest, { remove: interaction.id }))
  const target: ErrorTarget = {
    redirectUri: request.redirectUri,
    mode: request.responseMode as ResponseMode,
    ...(request.state !== undefined ? { state: request.state } : {}),
  }
  try {
    const clientId = request.client.client_id
    const consent = session
      ? await server.storage.consents.get(session.accountId, clientId)
      : undefined
    let outcome: AuthorizationCheckResult
    for (const check of server.checks) {
      outcome = await check({ server, request, session, consent, interaction })
      if (outcome) break
    }
    // Whatever the checks say, a grant needs an authenticated end-user.
    if (!outcome && !session) outcome = { prompt: 'login' }
    // OIDC Core 3.1.2.1: with prompt=none no page may be shown; what would need the end-user is
    // an error for the client instead (3.1.2.6).
    if (outcome && 'prompt' in outcome && request.params.prompt?.split(' ').includes('none')) {
      outcome = {
        error: PROMPT_NONE_ERRORS[outcome.prompt] ?? 'interaction_required',
        description: `prompt=none, but the end-user must ${outcome.prompt.replace('_', ' ')}`,
      }
    }
    if (outcome && 'prompt' in outcome)
      return await startInteraction(server, input, httpRequest, outcome)
    if (outcome) throw new OAuthError(outcome.error, outcome.description)
    const live = session!
    const consented = interactionResults(interaction).consent
    const now = server.now()
    const claims = grantedClaims(request.params.claims, consented?.claims ?? consent?.claims)
    const grant: GrantRecord = {
      id: randomToken(),
      clientId,
      accountId: live.accountId,
      scopes: consented
        ? request.scopes.filter((s) => consented.scopes.includes(s))
        : request.scopes,
      ...(claims ? { claims } : {}),
      authTime: live.authTime,
      ...(live.acr !== undefined ? { acr: live.acr } : {}),
      ...(live.amr !== undefined ? { amr: live.amr } : {}),
      sessionId: live.id,
      createdAt: now,
      expiresAt: now + server.settings.refreshTokenTtl,
    }
    await server.storage.grants.save(grant)
    const params = withFields(await handler.respond({ server, request, grant, session: live }), {})
    if (request.state !== undefined) params.state = request.state
    // RFC 9207 2: iss in every authorization response, in the same component as the rest.
    params.iss = server.issuer
    if (interaction) await server.storage.interactions.delete(interaction.id)
    const response = await deliverAuthorizationResponse(withFields(target, { params }))
    for (const cookie of cookies) response.headers.append('set-cookie', cookie)
    return response
  } catch (error) {
    if (!isOAuthError(error)) throw error
    if (interaction) await server.storage.interactions.delete(interaction.id)
    return redirectError(server, target, error, cookies)
  }
}
