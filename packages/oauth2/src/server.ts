import { authorizationCodeGrant, codeResponseType } from './authorization-code-grant'
import { authorizationEndpoint } from './authorization-endpoint'
import { type BearerVerifier, createBearerVerifier } from './bearer'
import { clientCredentialsGrant } from './client-credentials-grant'
import type { AuthorizationServerConfig, EndpointName } from './config'
import { createContext, type ServerContext } from './context'
import { corsHeaders, preflightResponse } from './cors'
import { isOAuthError, OAuthError } from './errors'
import { implicitResponseType } from './implicit-grant'
import { createInteractionApi, defaultChecks, type InteractionApi } from './interactions'
import { introspectionEndpoint } from './introspection-endpoint'
import { jwksEndpoint, metadataEndpoint } from './metadata-endpoint'
import { passwordGrant } from './password-grant'
import type { Endpoint } from './plugin'
import { refreshTokenGrant } from './refresh-token-grant'
import { registrationEndpoint } from './registration-endpoint'
import { headerOf, type RequestLike, targetOf } from './request'
import { type EndpointResponse, isPromise, TextResponse, toWebResponse } from './response'
import { revocationEndpoint } from './revocation-endpoint'
import { tokenEndpoint } from './token-endpoint'

/** A running authorization server. */
export interface AuthorizationServer {
  /** Routes a request to the endpoint its path names; unknown paths get 404. */
  handle(request: RequestLike): Promise<Response>
  /**
   * Routes like `handle`, but may answer with a {@link TextResponse} instead of building a Web
   * `Response`: for adapters that write the answer themselves (the Node bridge does).
   */
  dispatch(request: RequestLike): EndpointResponse | Promise<EndpointResponse>
  /**
   * True when `pathname` is one of the server's endpoints, so that framework adapters can pass
   * every other path on (to the integrator's login pages, for instance) without touching it.
   */
  matches(pathname: string): boolean
  /** Runs one endpoint directly, for integrators who route themselves. */
  endpoint(name: EndpointName, request: RequestLike): Promise<Response>
  /** RFC 6749 3.1 authorization endpoint. */
  authorization(request: RequestLike): Promise<Response>
  /** RFC 6749 3.2 token endpoint. */
  token(request: RequestLike): Promise<Response>
  /** RFC 7009 revocation endpoint. */
  revocation(request: RequestLike): Promise<Response>
  /** RFC 7662 introspection endpoint. */
  introspection(request: RequestLike): Promise<Response>
  /** RFC 8414 metadata document. */
  metadata(request: RequestLike): Promise<Response>
  /** The public JWKS. */
  jwks(request: RequestLike): Promise<Response>
  /** Pending authorization requests: what the login and consent pages read and finish. */
  readonly interactions: InteractionApi
  /** RFC 6750 bearer token verification for resource endpoints. */
  readonly bearer: BearerVerifier
  /** Configuration, storage and registries, for extensions. */
  readonly context: ServerContext
}

const notFound = () =>
  new TextResponse(
    JSON.stringify({ error: 'invalid_request', error_description: 'unknown endpoint' }),
    {
      status: 404,
      headers: { 'content-type': 'application/json;charset=UTF-8', 'cache-control': 'no-store' },
    },
  )

// A path the URL parser would leave as it is: no percent-encoding to normalize, no character
// it would escape, no dot segment.
const PLAIN_PATH = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@/]*$/
const DOT_SEGMENT = /\/\.\.?(?:\/|$)/
// No character that would end the authority earlier, or that a parser reads as a slash.
const PLAIN_AUTHORITY = /^[^\\?#%\s]*$/

/**
 * The pathname of an absolute URL, as `new URL(url).pathname` gives it. Routing runs for every
 * request: the common plain path is cut out of the string, anything else goes to the parser.
 * A path `known` to be plain (an endpoint's own) is taken without the checks.
 */
export function pathnameOf(url: string, known?: ReadonlySet<string>): string {
  const authority = url.indexOf('//')
  const start = authority === -1 ? -1 : url.indexOf('/', authority + 2)
  if (start !== -1 && PLAIN_AUTHORITY.test(url.slice(authority + 2, start))) {
    const query = url.indexOf('?', start)
    const fragment = url.indexOf('#', start)
    const end = Math.min(query === -1 ? url.length : query, fragment === -1 ? url.length : fragment)
    const path = url.slice(start, end)
    if (known?.has(path) || (PLAIN_PATH.test(path) && !DOT_SEGMENT.test(path))) return path
  }
  return new URL(url).pathname
}

/**
 * Creates an OAuth 2.0 authorization server that speaks Web `Request` → `Response`.
 *
 * @example
 * ```ts
 * const server = createAuthorizationServer({
 *   issuer: 'https://auth.example.com',
 *   keys: await KeySet.generate('RS256'),
 *   storage: new MemoryStore(),
 * })
 * Bun.serve({ fetch: (request) => server.handle(request) })
 * ```
 */
export function createAuthorizationServer(config: AuthorizationServerConfig): AuthorizationServer {
  const context = createContext(config, {
    endpoints: [
      authorizationEndpoint,
      tokenEndpoint,
      revocationEndpoint,
      introspectionEndpoint,
      metadataEndpoint,
      jwksEndpoint,
      registrationEndpoint,
    ],
    grantTypes: [authorizationCodeGrant, refreshTokenGrant, clientCredentialsGrant, passwordGrant],
    responseTypes: [codeResponseType, implicitResponseType],
    checks: defaultChecks,
  })

  const exact = new Map<string, Endpoint>()
  const prefixed: Array<[string, Endpoint]> = []
  // The endpoint paths the URL parser would leave as they are: a request for one is routed
  // without checking its path character by character.
  const plain = new Set<string>()
  for (const endpoint of context.endpoints) {
    const path = context.endpointPath(endpoint.name)
    exact.set(path, endpoint)
    if (PLAIN_PATH.test(path) && !DOT_SEGMENT.test(path)) plain.add(path)
    if (endpoint.prefix) prefixed.push([`${path}/`, endpoint])
  }

  // What a thrown or rejected error answers.
  function failure(error: unknown, request: RequestLike): TextResponse {
    if (isOAuthError(error)) return error.toTextResponse()
    // Unexpected failures become server_error without a stack trace (RFC 6749 5.2).
    config.onError?.(error, request)
    return new OAuthError(
      'server_error',
      'the server could not complete the request',
    ).toTextResponse()
  }

  function withCors(
    endpoint: Endpoint,
    request: RequestLike,
    response: EndpointResponse,
  ): EndpointResponse | Promise<EndpointResponse> {
    // Most requests carry no Origin: no CORS work, not even a promise.
    if (!endpoint.cors || headerOf(request, 'origin') === null) return response
    return corsHeaders(request, endpoint, context).then((headers) => {
      if (headers)
        for (const [name, value] of Object.entries(headers)) response.headers.set(name, value)
      return response
    })
  }

  // Synchronous as long as the endpoint is: a document request then costs no promise, and the
  // Node bridge writes it before the request event returns.
  function run(
    endpoint: Endpoint,
    request: RequestLike,
  ): EndpointResponse | Promise<EndpointResponse> {
    if (request.method === 'OPTIONS') {
      return endpoint.cors
        ? preflightResponse(request, endpoint)
        : new TextResponse(null, { status: 204, headers: { allow: endpoint.methods.join(', ') } })
    }
    let answer: EndpointResponse | Promise<EndpointResponse>
    try {
      answer = endpoint.handle(request, context)
    } catch (error) {
      return withCors(endpoint, request, failure(error, request))
    }
    if (!isPromise(answer)) return withCors(endpoint, request, answer)
    return Promise.resolve(answer).then(
      (response) => withCors(endpoint, request, response),
      (error: unknown) => withCors(endpoint, request, failure(error, request)),
    )
  }

  const route = (pathname: string) =>
    exact.get(pathname) ?? prefixed.find(([prefix]) => pathname.startsWith(prefix))?.[1]

  function find(name: EndpointName): Endpoint {
    const endpoint = context.endpoints.find((e) => e.name === name)
    if (!endpoint) throw new TypeError(`the "${name}" endpoint is not enabled`)
    return endpoint
  }

  // The path to route on. A request that carries its target (the Node bridge's) and names an
  // endpoint's plain path there is routed without building and parsing its absolute URL.
  function pathOf(request: RequestLike): string {
    const target = targetOf(request)
    if (target !== undefined) {
      const query = target.indexOf('?')
      const path = query === -1 ? target : target.slice(0, query)
      if (plain.has(path)) return path
    }
    return pathnameOf(request.url, plain)
  }

  function dispatch(request: RequestLike): EndpointResponse | Promise<EndpointResponse> {
    const endpoint = route(pathOf(request))
    return endpoint ? run(endpoint, request) : notFound()
  }
  const web = async (answer: EndpointResponse | Promise<EndpointResponse>) =>
    toWebResponse(await answer)

  return {
    context,
    handle: (request) => web(dispatch(request)),
    dispatch,
    matches: (pathname) => route(pathname) !== undefined,
    endpoint: (name, request) => web(run(find(name), request)),
    authorization: (request) => web(run(find('authorization'), request)),
    token: (request) => web(run(find('token'), request)),
    revocation: (request) => web(run(find('revocation'), request)),
    introspection: (request) => web(run(find('introspection'), request)),
    metadata: (request) => web(run(find('metadata'), request)),
    jwks: (request) => web(run(find('jwks'), request)),
    interactions: createInteractionApi(context),
    bearer: createBearerVerifier(context),
  }
}
