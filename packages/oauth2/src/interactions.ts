import { authorize, type InteractionResults, interactionResults } from './authorization-decision'
import {
  errorTarget,
  redirectError,
  resolveClient,
  validateAuthorizationRequest,
} from './authorization-request'
import type { Client } from './client'
import type { ServerContext } from './context'
import { isOAuthError, OAuthError, type OAuthErrorCode } from './errors'
import type { AuthorizationCheck } from './plugin'
import type { RequestLike } from './request'
import { Params } from './request'
import { type EndpointResponse, toWebResponse } from './response'
import {
  createSession,
  interactionCookie,
  type LoginInput,
  pendingInteractions,
  readSession,
} from './session'
import type { InteractionRecord } from './storage'
import { withFields } from './with-fields'

/** What the login or consent page needs to know about a pending request. */
export interface InteractionDetails {
  id: string
  /** What the end-user has to do: `login`, `consent`, or an extension's prompt. */
  prompt: string
  reason?: string
  client: Pick<
    Client,
    'client_id' | 'client_name' | 'logo_uri' | 'client_uri' | 'policy_uri' | 'tos_uri'
  >
  /** The scopes the client asks for. */
  scopes: readonly string[]
  /** The authorization request parameters (login_hint, ui_locales, acr_values, claims, ...). */
  params: Readonly<Record<string, string>>
  /** The end-user currently logged in, if any. */
  session?: { accountId: string; authTime: number }
}

/** How the integrator's page finishes a step (any combination of login and consent, or an error). */
export interface InteractionResult {
  login?: LoginInput
  consent?: {
    /** The scopes granted; default every requested scope. Never more than requested. */
    scopes?: readonly string[]
    /** Claim names the end-user agreed to release (OpenID Connect). */
    claims?: readonly string[]
    /** Remember the consent for later requests (default true). */
    remember?: boolean
  }
  /** End the request with this error, redirected to the client (e.g. `access_denied`). */
  error?: OAuthErrorCode
  description?: string
}

/** The pending authorization requests, as the integrator's login and consent pages see them. */
export interface InteractionApi {
  /** The details of a pending request; `invalid_request` when unknown, expired or from another browser. */
  get(request: RequestLike, id: string): Promise<InteractionDetails>
  /** Records a step and answers with the next interaction or the final authorization response. */
  finish(request: RequestLike, id: string, result: InteractionResult): Promise<Response>
}

const unknownInteraction = () =>
  new OAuthError('invalid_request', 'the interaction has expired or does not exist')

/** The interaction, bound to this browser, and its still-valid client and redirect URI. */
async function load(server: ServerContext, request: RequestLike, id: string) {
  // The cookie binds the pending request to the browser that started it, so a link to someone
  // else's interaction is useless (login CSRF, session swapping).
  if (!pendingInteractions(request).includes(id)) {
    throw new OAuthError('invalid_request', 'the interaction does not belong to this browser')
  }
  const record = await server.storage.interactions.get(id)
  if (!record || record.expiresAt <= server.now()) throw unknownInteraction()
  const params = new Params(Object.entries(record.params))
  // The client may have been deleted or changed its redirect URIs since the request started.
  const { client, redirectUri } = await resolveClient(server, params)
  return { record, params, client, redirectUri }
}

const union = (a: readonly string[] = [], b: readonly string[] = []) => [...new Set([...a, ...b])]

/**
 * Creates the interaction API: what the integrator's login and consent pages call to read a
 * pending authorization request and to finish it.
 *
 * @example
 * ```ts
 * const details = await server.interactions.get(request, id)
 * return server.interactions.finish(request, id, { login: { accountId: 'alice' } })
 * ```
 */
export function createInteractionApi(server: ServerContext): InteractionApi {
  return {
    async get(request, id) {
      const { record, params, client, redirectUri } = await load(server, request, id)
      const validated = await validateAuthorizationRequest(server, client, redirectUri, params)
      const session = await readSession(server, request)
      return {
        id: record.id,
        prompt: record.prompt,
        ...(record.reason !== undefined ? { reason: record.reason } : {}),
        client: {
          client_id: client.client_id,
          client_name: client.client_name,
          logo_uri: client.logo_uri,
          client_uri: client.client_uri,
          policy_uri: client.policy_uri,
          tos_uri: client.tos_uri,
        },
        scopes: validated.request.scopes,
        params: record.params,
        ...(session
          ? { session: { accountId: session.accountId, authTime: session.authTime } }
          : {}),
      }
    },

    finish: async (request, id, result) => toWebResponse(await finish(request, id, result)),
  }

  async function finish(
    request: RequestLike,
    id: string,
    result: InteractionResult,
  ): Promise<EndpointResponse> {
    const { record, params, client, redirectUri } = await load(server, request, id)
    const fail = async (error: OAuthError) => {
      await server.storage.interactions.delete(record.id)
      const cleared = interactionCookie(server, request, { remove: record.id })
      return redirectError(server, errorTarget(server, redirectUri, params), error, [cleared])
    }
    if (result.error) return fail(new OAuthError(result.error, result.description))
    let validated: Awaited<ReturnType<typeof validateAuthorizationRequest>>
    try {
      validated = await validateAuthorizationRequest(server, client, redirectUri, params)
    } catch (error) {
      if (isOAuthError(error)) return fail(error)
      throw error
    }
    const cookies: string[] = []
    const results: InteractionResults = withFields(interactionResults(record), {})
    let session = await readSession(server, request)
    if (result.login) {
      const { accountId } = result.login
      if (typeof accountId !== 'string' || accountId === '') {
        throw new TypeError('login.accountId must be a non-empty string')
      }
      const created = await createSession(server, request, result.login)
      session = created.session
      cookies.push(created.cookie)
      results.login = {
        accountId,
        at: session.authTime,
        ...(session.acr !== undefined ? { acr: session.acr } : {}),
        ...(session.amr !== undefined ? { amr: session.amr } : {}),
      }
      // A consent given before this login may have been another account's.
      delete results.consent
    }
    if (result.consent) {
      if (!session) {
        throw new TypeError('consent needs a logged-in end-user: finish the login first')
      }
      const requested = validated.request.scopes
      const granted = result.consent.scopes
      const scopes = granted ? requested.filter((s) => granted.includes(s)) : [...requested]
      const claims = result.consent.claims ? [...result.consent.claims] : undefined
      results.consent = { scopes, ...(claims ? { claims } : {}) }
      if (result.consent.remember !== false) {
        const known = await server.storage.consents.get(session.accountId, client.client_id)
        const allClaims = claims || known?.claims ? union(known?.claims, claims) : undefined
        await server.storage.consents.save({
          accountId: session.accountId,
          clientId: client.client_id,
          scopes: union(known?.scopes, scopes),
          ...(allClaims ? { claims: allClaims } : {}),
          updatedAt: server.now(),
        })
      }
    }
    const interaction: InteractionRecord = withFields(record, { result: withFields(results, {}) })
    return authorize(server, request, withFields(validated, { session, interaction, cookies }))
  }
}

/** OpenID Connect Core 3.1.2.3: the end-user must be authenticated (and still active). */
const loginCheck: AuthorizationCheck = async ({ server, session }) => {
  if (!session) return { prompt: 'login', reason: 'no_session' }
  const isActive = server.config.accounts?.isActive
  if (isActive && !(await isActive(session.accountId))) {
    return { prompt: 'login', reason: 'account_inactive' }
  }
  return undefined
}

/** RFC 6749 4.1.1 / OpenID Connect Core 3.1.2.4: the end-user authorizes the client. */
const consentCheck: AuthorizationCheck = async ({
  server,
  request,
  session,
  consent,
  interaction,
}) => {
  if (!session) return undefined
  if (interactionResults(interaction).consent) return undefined
  if (await server.config.interactions?.skipConsent?.(request.client, session)) return undefined
  if (consent && request.scopes.every((scope) => consent.scopes.includes(scope))) return undefined
  return { prompt: 'consent', reason: consent ? 'scopes_missing' : 'consent_missing' }
}

/**
 * The built-in checks of the authorization endpoint, after those of plugins: log in, then
 * consent unless it is skipped or remembered for every requested scope.
 *
 * @example
 * ```ts
 * createContext(config, { checks: defaultChecks, ... })
 * ```
 */
export const defaultChecks: readonly AuthorizationCheck[] = [loginCheck, consentCheck]
