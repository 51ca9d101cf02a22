import { ASYMMETRIC_ALGORITHMS, SYMMETRIC_ALGORITHMS } from '@oidkit/jose'
import type { JSONWebKeySet } from 'jose'
import type { ServerContext } from './context'
import type { Endpoint } from './plugin'
import { methodNotAllowed, type RequestLike } from './request'
import { textResponse } from './response'

const METHODS = ['GET'] as const

// RFC 8414 3.2 and RFC 7517 5 documents are public and change only with the configuration (or
// a key rotation, whose next key is published before it signs), so a short shared cache is safe.
const PUBLIC_CACHE = 'public, max-age=300'

// Built once per server: the document depends only on the configuration, and it is requested on
// every client start-up.
const documents = new WeakMap<ServerContext, { metadata: Record<string, unknown>; json: string }>()
// KeySet caches its jwks() object until the set changes, so the object identity keys the string.
const jwksBodies = new WeakMap<JSONWebKeySet, string>()

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const member of Object.values(value)) deepFreeze(member)
  }
  return value
}

function has(server: ServerContext, name: string): boolean {
  return server.endpoints.some((endpoint) => endpoint.name === name)
}

function build(server: ServerContext): Record<string, unknown> {
  const { settings } = server
  const url = (name: string) => server.endpointUrl(name)
  const m: Record<string, unknown> = { issuer: server.issuer }
  const authorization = has(server, 'authorization') && server.responseTypes.size > 0
  if (authorization) m.authorization_endpoint = url('authorization')
  if (has(server, 'token')) m.token_endpoint = url('token')
  if (has(server, 'jwks')) m.jwks_uri = url('jwks')
  // createContext drops the registration endpoint unless registration is configured.
  if (has(server, 'registration')) m.registration_endpoint = url('registration')
  if (server.config.scopes) m.scopes_supported = [...server.config.scopes]
  // RFC 8414 2: response_types_supported is REQUIRED, so it is present even when empty.
  m.response_types_supported = [...server.responseTypes.keys()]
  if (authorization) m.response_modes_supported = ['query', 'fragment', 'form_post']
  // RFC 8414 2 uses RFC 7591 grant type values, so grants served only at the authorization
  // endpoint (implicit) count as well as those of the token endpoint.
  const grants = new Set(server.grantTypes.keys())
  for (const handler of server.responseTypes.values()) grants.add(handler.grantType)
  m.grant_types_supported = [...grants]

  // client-auth applies one policy to the token, revocation and introspection endpoints.
  const methods = [...settings.clientAuthMethods]
  const signingAlgs = [
    ...(methods.includes('private_key_jwt') ? ASYMMETRIC_ALGORITHMS : []),
    ...(methods.includes('client_secret_jwt') ? SYMMETRIC_ALGORITHMS : []),
  ]
  // RFC 8414 2: the *_auth_signing_alg_values_supported members are required with a JWT method.
  const authMembers = (prefix: string) => {
    m[`${prefix}_auth_methods_supported`] = methods
    if (signingAlgs.length) m[`${prefix}_auth_signing_alg_values_supported`] = signingAlgs
  }
  if (has(server, 'token')) authMembers('token_endpoint')
  if (has(server, 'revocation')) {
    m.revocation_endpoint = url('revocation')
    authMembers('revocation_endpoint')
  }
  if (has(server, 'introspection')) {
    m.introspection_endpoint = url('introspection')
    authMembers('introspection_endpoint')
  }
  if (authorization && server.grantTypes.has('authorization_code')) {
    m.code_challenge_methods_supported = [...settings.pkceMethods]
  }
  // RFC 9207 3: every authorization response carries iss.
  if (authorization) m.authorization_response_iss_parameter_supported = true
  for (const plugin of server.plugins) plugin.extendMetadata?.(m, server)
  return m
}

function cached(server: ServerContext): { metadata: Record<string, unknown>; json: string } {
  let entry = documents.get(server)
  if (!entry) {
    // A private copy, so that freezing it never freezes arrays a plugin shared from its config.
    const metadata = deepFreeze(structuredClone(build(server)))
    entry = { metadata, json: JSON.stringify(metadata) }
    documents.set(server, entry)
  }
  return entry
}

/**
 * The RFC 8414 2 authorization server metadata of a server, generated from its live
 * configuration: only enabled endpoints, grants, response types and methods are listed, then
 * every plugin's `extendMetadata` adds its members. Built once per server and frozen: spread it
 * to derive another document (OpenID Connect Discovery does).
 *
 * @example
 * ```ts
 * const discovery = { ...buildMetadata(server), userinfo_endpoint: server.endpointUrl('userinfo') }
 * ```
 */
export function buildMetadata(server: ServerContext): Record<string, unknown> {
  return cached(server).metadata
}

// The documents answer synchronously (see Endpoint.handle); a wrong method still fails as a
// rejection, as every other endpoint's does.
const notGet = (request: RequestLike) => Promise.reject(methodNotAllowed(request.method, METHODS))

/**
 * The RFC 8414 3 metadata endpoint. For an issuer with a path its URL inserts the well-known
 * segment before that path (`https://as.example/tenant` →
 * `https://as.example/.well-known/oauth-authorization-server/tenant`).
 *
 * @example
 * ```ts
 * const metadata = await (await server.metadata(request)).json()
 * ```
 */
export const metadataEndpoint: Endpoint = {
  name: 'metadata',
  path: '/.well-known/oauth-authorization-server',
  methods: METHODS,
  cors: 'public',
  handle(request, server) {
    if (request.method !== 'GET') return notGet(request)
    return textResponse(cached(server).json, {
      status: 200,
      headers: { 'content-type': 'application/json;charset=UTF-8', 'cache-control': PUBLIC_CACHE },
    })
  },
}

/**
 * The `jwks_uri` document: the public keys of the key set (next, current and retired), never a
 * private member (RFC 7517 5, RFC 8414 2).
 *
 * @example
 * ```ts
 * const { keys } = await (await server.jwks(request)).json()
 * ```
 */
export const jwksEndpoint: Endpoint = {
  name: 'jwks',
  path: '/jwks',
  methods: METHODS,
  cors: 'public',
  handle(request, server) {
    if (request.method !== 'GET') return notGet(request)
    const jwks = server.keys.jwks()
    let body = jwksBodies.get(jwks)
    if (body === undefined) {
      body = JSON.stringify(jwks)
      jwksBodies.set(jwks, body)
    }
    return textResponse(body, {
      status: 200,
      // RFC 7517 8.5.1: the JWK Set media type.
      headers: { 'content-type': 'application/jwk-set+json', 'cache-control': PUBLIC_CACHE },
    })
  },
}
