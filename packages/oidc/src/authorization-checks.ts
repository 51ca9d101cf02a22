import { isJoseError, parseClaimsRequest } from '@oidkit/jose'
import {
  type AuthorizationCheck,
  type AuthorizationCheckResult,
  type AuthorizationRequest,
  interactionResults,
  isOAuthError,
} from '@oidkit/oauth2'
import type { OpenIDOptions } from './config'
import { verifyIdTokenHint } from './id-token-hint'
import { MAX_NONCE_LENGTH } from './response-types'

/** The `prompt` values of OIDC Core 3.1.2.1. */
export const PROMPT_VALUES: ReadonlySet<string> = new Set([
  'none',
  'login',
  'consent',
  'select_account',
])

/**
 * The `prompt` values of a request (OIDC Core 3.1.2.1: space-delimited), as a set.
 *
 * @example
 * ```ts
 * promptValues(request).has('login')
 * ```
 */
export function promptValues(request: AuthorizationRequest): Set<string> {
  return new Set(request.params.prompt?.split(' ').filter(Boolean))
}

const invalid = (description: string): AuthorizationCheckResult => ({
  error: 'invalid_request',
  description,
})

// max_age is a number of seconds; more than 15 digits is beyond any meaningful duration.
const MAX_AGE = /^\d{1,15}$/

/** The max_age in force (OIDC Core 3.1.2.1, else the client's `default_max_age`), if any. */
function effectiveMaxAge(request: AuthorizationRequest): number | undefined {
  const param = request.params.max_age
  if (param !== undefined) return Number(param)
  const fallback = request.client.default_max_age
  return typeof fallback === 'number' && Number.isInteger(fallback) && fallback >= 0
    ? fallback
    : undefined
}

/** Runs `check` for OpenID requests only: plain OAuth 2.0 requests are none of OIDC's business. */
const openidOnly =
  (check: AuthorizationCheck): AuthorizationCheck =>
  (ctx) =>
    ctx.request.scopes.includes('openid') ? check(ctx) : undefined

/** The syntax rules of OIDC Core 3.1.2.1 / 5.5 / 6 that need no session. */
const requestSyntax: AuthorizationCheck = ({ request }) => {
  const { params } = request
  // OIDC Core 3.1.2.1: redirect_uri is REQUIRED, even when the client registered only one.
  if (params.redirect_uri === undefined) return invalid('redirect_uri is required')
  // OIDC Core 6.1 / 6.2 and 3.1.2.6: request objects are not supported by this server.
  if (params.request !== undefined) {
    return { error: 'request_not_supported', description: 'request objects are not supported' }
  }
  if (params.request_uri !== undefined) {
    return { error: 'request_uri_not_supported', description: 'request_uri is not supported' }
  }
  const prompts = promptValues(request)
  for (const value of prompts) {
    if (!PROMPT_VALUES.has(value)) return invalid('prompt has an unknown value')
  }
  // OIDC Core 3.1.2.1: none with any other value is an error.
  if (prompts.has('none') && prompts.size > 1) {
    return invalid('prompt=none cannot be combined with other values')
  }
  if (params.max_age !== undefined && !MAX_AGE.test(params.max_age)) {
    return invalid('max_age must be a non-negative integer')
  }
  if (params.nonce !== undefined && params.nonce.length > MAX_NONCE_LENGTH) {
    return invalid(`nonce must not be longer than ${MAX_NONCE_LENGTH} characters`)
  }
  if (params.claims !== undefined) {
    // OIDC Core 5.5: a JSON object with userinfo / id_token members of claim requests.
    try {
      parseClaimsRequest(params.claims)
    } catch (error) {
      if (isJoseError(error)) return invalid(error.message)
      throw error
    }
  }
  return undefined
}

/**
 * OIDC Core 3.1.2.1 id_token_hint: the end-user the RP expects. A session of someone else needs
 * a new login, which prompt=none turns into login_required; a login in this very request as
 * another account is asked again (the page can finish with an error instead).
 */
const idTokenHint: AuthorizationCheck = async ({ server, request, session }) => {
  const token = request.params.id_token_hint
  if (token === undefined) return undefined
  let sub: string
  try {
    const hint = await verifyIdTokenHint(server, token)
    if (!hint.aud.includes(request.client.client_id)) {
      return invalid('id_token_hint was not issued to this client')
    }
    sub = hint.sub
  } catch (error) {
    if (isOAuthError(error)) return { error: error.error, description: error.error_description }
    throw error
  }
  // Without a session the core asks for a login anyway.
  if (session && session.accountId !== sub) return { prompt: 'login', reason: 'id_token_hint' }
  return undefined
}

/** OIDC Core 3.1.2.1 prompt=login: reauthenticate even with a session (Authlib #637). */
const promptLogin: AuthorizationCheck = ({ request, interaction }) => {
  if (!promptValues(request).has('login')) return undefined
  if (interactionResults(interaction).login) return undefined
  return { prompt: 'login', reason: 'login_prompt' }
}

/**
 * OIDC Core 3.1.2.1 max_age (Authlib #741): a session older than that needs a new login;
 * `max_age=0` is equivalent to prompt=login.
 */
const maxAge: AuthorizationCheck = ({ server, request, session, interaction }) => {
  if (!session || interactionResults(interaction).login) return undefined
  const limit = effectiveMaxAge(request)
  if (limit === undefined) return undefined
  if (limit === 0 || server.now() - session.authTime > limit) {
    return { prompt: 'login', reason: 'max_age' }
  }
  return undefined
}

/** OIDC Core 3.1.2.1 prompt=select_account: a login picks the account. */
const promptSelectAccount: AuthorizationCheck = ({ request, session, interaction }) => {
  // Without a session the login the core asks for is the selection.
  if (!session || !promptValues(request).has('select_account')) return undefined
  if (interactionResults(interaction).login) return undefined
  return { prompt: 'select_account', reason: 'select_account_prompt' }
}

/** OIDC Core 3.1.2.1 prompt=consent: ask again even when consent is remembered. */
const promptConsent: AuthorizationCheck = ({ request, session, interaction }) => {
  // Consent comes after the login the core asks for.
  if (!session || !promptValues(request).has('consent')) return undefined
  if (interactionResults(interaction).consent) return undefined
  return { prompt: 'consent', reason: 'consent_prompt' }
}

/**
 * The OpenID Connect checks of the authorization endpoint, run before the core's login and
 * consent checks and only for requests whose scopes include `openid`:
 * - OIDC Core 3.1.2.1: `redirect_uri` required; `prompt` values and combinations; `max_age`
 *   (or the client's `default_max_age`) forcing a new login; `id_token_hint` verified (expired
 *   hints accepted) and a session of another end-user forcing a login; `nonce` length.
 * - OIDC Core 5.5: the `claims` parameter must be a valid claims request (the core keeps it on
 *   the grant). 6.1 / 6.2: `request` and `request_uri` are refused as unsupported.
 * `login_hint`, `acr_values`, `ui_locales`, `display` and `claims_locales` need nothing here:
 * interaction pages read them from the interaction's params. Nor does the client's
 * `require_auth_time`: ID tokens always carry `auth_time`.
 *
 * @example
 * ```ts
 * const plugin: ServerPlugin = { name: 'openid', authorizationChecks: oidcChecks(options) }
 * ```
 */
export function oidcChecks(_options: OpenIDOptions): AuthorizationCheck[] {
  return [requestSyntax, idTokenHint, promptLogin, maxAge, promptSelectAccount, promptConsent].map(
    openidOnly,
  )
}
