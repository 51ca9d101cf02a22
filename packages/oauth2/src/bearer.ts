import type { ServerContext } from './context'
import { isOAuthError, OAuthError, type OAuthErrorCode, sanitizeDescription } from './errors'
import type { RequestLike } from './request'
import { headerOf, mediaType, parseRequest } from './request'
import { TextResponse } from './response'
import type { GrantRecord, TokenRecord } from './storage'
import { resolveToken, tokenState } from './token-lookup'

/**
 * Options of {@link BearerVerifier.verify}.
 *
 * @example
 * ```ts
 * const options: BearerVerifyOptions = { scopes: ['profile', 'email'], allowFormBody: true }
 * ```
 */
export interface BearerVerifyOptions {
  /** Scopes the token must all have; otherwise `insufficient_scope` (RFC 6750 3.1). */
  scopes?: readonly string[]
  /**
   * Also accept the token as a form body parameter `access_token` (RFC 6750 2.2). The body is read
   * from a clone, so the handler can still read the request; a body already read is skipped.
   */
  allowFormBody?: boolean
}

/**
 * A verified access token.
 *
 * @example
 * ```ts
 * const { accountId, scopes } = await bearer.verify(request)
 * ```
 */
export interface VerifiedBearer {
  readonly token: TokenRecord
  /** The token's grant, read while verifying: a resource that needs it spares a store read. */
  readonly grant?: GrantRecord
  readonly clientId: string
  /** The end-user; absent for client_credentials tokens. */
  readonly accountId?: string
  readonly scopes: readonly string[]
}

/**
 * RFC 6750 protection for resource endpoints served next to the authorization server.
 *
 * @example
 * ```ts
 * const userinfo = server.bearer.protect(async (request, token) => json(token.accountId))
 * ```
 */
export interface BearerVerifier {
  /** Verifies the request's access token; throws an OAuthError carrying the challenge. */
  verify(request: RequestLike, options?: BearerVerifyOptions): Promise<VerifiedBearer>
  /** Wraps a handler: failed verification becomes the RFC 6750 3 error response. */
  protect(
    handler: (request: RequestLike, token: VerifiedBearer) => Promise<Response>,
    options?: BearerVerifyOptions,
  ): (request: RequestLike) => Promise<Response>
}

// RFC 6750 2.1: credentials = "Bearer" 1*SP b64token; the scheme is case-insensitive
// (RFC 9110 11.1).
const BEARER = /^bearer +([A-Za-z0-9\-._~+/]+=*)$/i
const BEARER_SCHEME = /^bearer(?: |$)/i

/**
 * The challenge of a request that carried no token at all: RFC 6750 3.1 says it SHOULD NOT hold
 * an error code, so the response is the bare `WWW-Authenticate` with an empty body. `error` on
 * the object is for logs only.
 */
class MissingBearerToken extends OAuthError {
  override toTextResponse(): TextResponse {
    return new TextResponse(null, {
      status: this.status,
      headers: { 'cache-control': 'no-store', pragma: 'no-cache', ...this.headers },
    })
  }
}

/**
 * Creates the RFC 6750 bearer token verifier of a server: the token comes from the
 * `Authorization: Bearer` header, or from a form body when allowed; query parameters are not
 * accepted (RFC 6750 2.3 "SHOULD NOT", RFC 9700 2.4).
 *
 * @example
 * ```ts
 * const bearer = createBearerVerifier(server.context)
 * const me = bearer.protect(async (request, token) => Response.json({ sub: token.accountId }), {
 *   scopes: ['profile'],
 * })
 * ```
 */
export function createBearerVerifier(server: ServerContext): BearerVerifier {
  // RFC 6750 3: the realm is the issuer; built once, the issuer never changes.
  const realm = `Bearer realm="${server.issuer}"`

  // RFC 6750 3: the error attributes; sanitizeDescription keeps the quoted-string free of " and \.
  const fail = (error: OAuthErrorCode, description: string, extra = ''): OAuthError =>
    new OAuthError(error, description, {
      headers: {
        'www-authenticate': `${realm}, error="${error}", error_description="${sanitizeDescription(description)}"${extra}`,
      },
    })

  const missing = () =>
    new MissingBearerToken('invalid_token', 'the request has no access token', {
      headers: { 'www-authenticate': realm },
    })

  /** The token from the Authorization header, undefined when there is no bearer credential. */
  function fromHeader(request: RequestLike): string | undefined {
    const header = headerOf(request, 'authorization')
    // RFC 6750 3.1: a request without authentication information, or one that "attempted using
    // an unsupported authentication method", gets the bare challenge.
    if (header === null || !BEARER_SCHEME.test(header)) return undefined
    const match = BEARER.exec(header)
    // Several Authorization headers are joined with ", " and fail this match as well.
    if (!match)
      throw fail('invalid_request', 'the Authorization header is not a valid bearer credential')
    return match[1]!
  }

  /** RFC 6750 2.2: the `access_token` form parameter of a single-part urlencoded POST body. */
  async function fromBody(request: RequestLike): Promise<string | undefined> {
    const method = request.method.toUpperCase()
    if (method === 'GET' || method === 'HEAD' || request.bodyUsed) return undefined
    if (mediaType(request) !== 'application/x-www-form-urlencoded') return undefined
    const parsed = await parseRequest(request.clone(), {
      methods: [method],
      body: 'form',
      maxBodySize: server.settings.maxBodySize,
    })
    return parsed.form.get('access_token')
  }

  async function verify(
    request: RequestLike,
    options: BearerVerifyOptions = {},
  ): Promise<VerifiedBearer> {
    let value = fromHeader(request)
    if (options.allowFormBody) {
      const bodyValue = await fromBody(request)
      if (bodyValue !== undefined) {
        // RFC 6750 3.1 invalid_request: "uses more than one method for including an access token".
        if (value !== undefined) throw fail('invalid_request', 'the access token was sent twice')
        value = bodyValue
      }
    }
    if (value === undefined) throw missing()

    const found = await resolveToken(server, value)
    // A refresh token is no access token (RFC 6749 1.5): it never opens a resource.
    if (found?.record.type !== 'access_token') {
      throw fail('invalid_token', 'the access token is invalid')
    }
    const token = found.record
    // The client is only wanted for CORS, and only a cross-origin browser request sends Origin;
    // fetch it alongside the grant so it costs no extra latency.
    const clientLookup =
      headerOf(request, 'origin') !== null ? server.storage.clients.get(token.clientId) : undefined
    const [state, client] = await Promise.all([tokenState(server, token), clientLookup])
    if (state.reason !== undefined) throw fail('invalid_token', `the access token ${state.reason}`)

    const required = options.scopes ?? []
    const missingScopes = required.filter((scope) => !token.scopes.includes(scope))
    if (missingScopes.length) {
      // RFC 6750 3: the scope attribute names the scopes needed to access the resource.
      throw fail(
        'insufficient_scope',
        'the access token lacks a required scope',
        `, scope="${required.join(' ')}"`,
      )
    }
    if (client) server.requestClients.set(request, client)
    return {
      token,
      ...(state.grant ? { grant: state.grant } : {}),
      clientId: token.clientId,
      ...(token.accountId !== undefined ? { accountId: token.accountId } : {}),
      scopes: token.scopes,
    }
  }

  return {
    verify,
    protect(handler, options) {
      return async (request) => {
        let token: VerifiedBearer
        try {
          token = await verify(request, options)
        } catch (error) {
          if (isOAuthError(error)) return error.toResponse()
          throw error
        }
        return handler(request, token)
      }
    },
  }
}
