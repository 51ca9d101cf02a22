import { TextResponse } from './response'

/**
 * The OAuth 2.0 error codes oidkit returns, grouped by the section that defines them.
 */
export type OAuthErrorCode =
  // RFC 6749 4.1.2.1, 4.2.2.1 (authorization endpoint) and 5.2 (token endpoint)
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'access_denied'
  | 'server_error'
  | 'temporarily_unavailable'
  // RFC 6750 3.1 (protected resources)
  | 'invalid_token'
  | 'insufficient_scope'
  // RFC 7009 2.2.1 (revocation)
  | 'unsupported_token_type'
  // RFC 7591 3.2.2 (dynamic registration)
  | 'invalid_redirect_uri'
  | 'invalid_client_metadata'
  | 'invalid_software_statement'
  | 'unapproved_software_statement'
  // OpenID Connect Core 1.0 3.1.2.6 (authentication error response)
  | 'interaction_required'
  | 'login_required'
  | 'account_selection_required'
  | 'consent_required'
  | 'invalid_request_uri'
  | 'invalid_request_object'
  | 'request_not_supported'
  | 'request_uri_not_supported'
  | 'registration_not_supported'

const DEFAULT_STATUS: Partial<Record<OAuthErrorCode, number>> = {
  invalid_token: 401,
  insufficient_scope: 403,
  server_error: 500,
  temporarily_unavailable: 503,
}

// RFC 6749 5.2: error_description is limited to %x20-21 / %x23-5B / %x5D-7E.
const DESCRIPTION_CHARSET = /[^\x20\x21\x23-\x5b\x5d-\x7e]/g

/**
 * Makes any text a legal `error_description` (RFC 6749 5.2), replacing `"`, `\` and anything
 * outside printable ASCII.
 *
 * @example
 * ```ts
 * sanitizeDescription('bad "scope"') // "bad 'scope'"
 * ```
 */
export function sanitizeDescription(text: string): string {
  return text.replace(/"/g, "'").replace(DESCRIPTION_CHARSET, '?').slice(0, 500)
}

/** Options of {@link OAuthError}. */
export interface OAuthErrorOptions {
  /** HTTP status; defaults per code (400, 401 for invalid_client/invalid_token, 403, 500, 503). */
  status?: number
  error_uri?: string
  /** Extra response headers, e.g. `WWW-Authenticate`. */
  headers?: Record<string, string>
  cause?: unknown
}

/**
 * The one error of `@oidkit/oauth2`: what the endpoints return as RFC 6749 5.2 JSON, or deliver
 * to the client's redirect URI where the spec says so.
 *
 * @example
 * ```ts
 * throw new OAuthError('invalid_grant', 'the code has expired')
 * ```
 */
export class OAuthError extends Error {
  readonly error: OAuthErrorCode
  readonly error_description: string | undefined
  readonly error_uri: string | undefined
  readonly status: number
  readonly headers: Record<string, string>

  constructor(error: OAuthErrorCode, description?: string, options: OAuthErrorOptions = {}) {
    super(description ? `${error}: ${description}` : error, { cause: options.cause })
    this.name = 'OAuthError'
    this.error = error
    this.error_description =
      description === undefined ? undefined : sanitizeDescription(description)
    this.error_uri = options.error_uri
    this.status = options.status ?? DEFAULT_STATUS[error] ?? 400
    this.headers = options.headers ?? {}
  }

  /** The RFC 6749 5.2 body (also the parameters of a redirected error). */
  toJSON(): { error: OAuthErrorCode; error_description?: string; error_uri?: string } {
    return {
      error: this.error,
      ...(this.error_description ? { error_description: this.error_description } : {}),
      ...(this.error_uri ? { error_uri: this.error_uri } : {}),
    }
  }

  /** The JSON error response, with `Cache-Control: no-store` (RFC 6749 5.1). */
  toResponse(): Response {
    return this.toTextResponse().toResponse()
  }

  /**
   * The same error response as a {@link TextResponse}, what endpoints answer with: cheaper than a
   * Web `Response` where the Node bridge writes it.
   */
  toTextResponse(): TextResponse {
    return new TextResponse(JSON.stringify(this.toJSON()), {
      status: this.status,
      headers: {
        'content-type': 'application/json;charset=UTF-8',
        'cache-control': 'no-store',
        pragma: 'no-cache',
        ...this.headers,
      },
    })
  }
}

/**
 * True for an `OAuthError`, also across duplicate copies of the package where `instanceof` fails.
 *
 * @example
 * ```ts
 * if (isOAuthError(e)) return e.toResponse()
 * ```
 */
export function isOAuthError(value: unknown): value is OAuthError {
  return value instanceof OAuthError || (value instanceof Error && value.name === 'OAuthError')
}
