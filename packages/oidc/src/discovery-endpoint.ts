import {
  buildMetadata,
  type Endpoint,
  methodNotAllowed,
  type ServerContext,
  textResponse,
} from '@oidkit/oauth2'
import { STANDARD_CLAIMS } from './account-claims'
import type { OpenIDOptions } from './config'

const METHODS = ['GET'] as const

// Same policy as the RFC 8414 document: public, and changes only with the configuration.
const PUBLIC_CACHE = 'public, max-age=300'

/** The scopes advertised when the server configuration names none (OIDC Core 5.4, 11). */
const DEFAULT_SCOPES = ['openid', 'profile', 'email', 'address', 'phone', 'offline_access']

/** Claims of the ID token itself (OIDC Core 2, 3.1.3.6, 3.3.2.11), always supported. */
const PROTOCOL_CLAIMS = [
  'iss',
  'aud',
  'exp',
  'iat',
  'auth_time',
  'nonce',
  'acr',
  'amr',
  'azp',
  'at_hash',
  'c_hash',
  'sid',
]

// The serialized discovery document of each server, built on its first request.
const bodies = new WeakMap<ServerContext, string>()

function has(server: ServerContext, name: string): boolean {
  return server.endpoints.some((endpoint) => endpoint.name === name)
}

/**
 * The plugin's `extendMetadata`: adds the OpenID Connect Discovery 1.0 3 members to the RFC 8414
 * metadata that `buildMetadata(server)` generates. oidkit publishes ONE document: the RFC 8414
 * `/.well-known/oauth-authorization-server` and the OIDC `/.well-known/openid-configuration`
 * serve the same live metadata, so the two can never disagree (RFC 8414 7.2 lets one document
 * serve both; OIDC Discovery members are ignored by pure OAuth clients). Endpoints, grant types,
 * response types and modes, client authentication and PKCE come from the core; this adds
 * UserInfo, logout, subject types, signing algorithms, claims and the request-parameter flags.
 *
 * @example
 * ```ts
 * const plugin: ServerPlugin = { name: 'openid', extendMetadata: openidMetadata(options) }
 * ```
 */
export function openidMetadata(
  options: OpenIDOptions,
): (metadata: Record<string, unknown>, server: ServerContext) => void {
  // Account claims the integrator releases, plus the ID token's own claims.
  const claimsSupported = [
    ...new Set(['sub', ...(options.claimsSupported ?? STANDARD_CLAIMS), ...PROTOCOL_CLAIMS]),
  ]
  const subjectTypes = [...(options.registration?.subjectTypes ?? ['public'])]

  return (m, server) => {
    if (has(server, 'userinfo')) m.userinfo_endpoint = server.endpointUrl('userinfo')
    // RP-Initiated Logout 1.0 3.
    if (has(server, 'end_session')) m.end_session_endpoint = server.endpointUrl('end_session')
    // OIDC Discovery 1.0 3: scopes_supported SHOULD be listed and MUST include openid.
    if (m.scopes_supported === undefined) m.scopes_supported = [...DEFAULT_SCOPES]
    m.subject_types_supported = subjectTypes
    // The key set signs ID tokens and UserInfo alike; the provider guarantees an RS256 key
    // (Discovery 1.0 3 requires RS256 here), and a bare server lists what its keys sign.
    const algorithms = server.keys.algorithms()
    m.id_token_signing_alg_values_supported = algorithms
    m.userinfo_signing_alg_values_supported = [...algorithms]
    if (options.acrValues) m.acr_values_supported = [...options.acrValues]
    m.claims_supported = claimsSupported
    m.claim_types_supported = ['normal']
    m.claims_parameter_supported = true
    m.display_values_supported = ['page']
    // Request objects (OIDC Core 6) are not supported; request_uri defaults to true, so both
    // flags are explicit. request_object_signing_alg_values_supported is left out accordingly.
    m.request_parameter_supported = false
    m.request_uri_parameter_supported = false
  }
}

/**
 * The discovery document of `server`: the live metadata, with the OpenID members added here
 * when the plugin did not register {@link openidMetadata} as its `extendMetadata`.
 */
function documentOf(server: ServerContext, options: OpenIDOptions): string {
  let body = bodies.get(server)
  if (body === undefined) {
    let metadata = buildMetadata(server)
    if (metadata.subject_types_supported === undefined) {
      // buildMetadata's document is frozen: extend a copy.
      metadata = structuredClone(metadata)
      openidMetadata(options)(metadata, server)
    }
    body = JSON.stringify(metadata)
    bodies.set(server, body)
  }
  return body
}

/**
 * The OpenID Connect Discovery 1.0 4 endpoint: `GET {issuer}/.well-known/openid-configuration`,
 * the path appended to the issuer's (`https://op.example/tenant` →
 * `/tenant/.well-known/openid-configuration`). It serves the same document as the RFC 8414
 * metadata endpoint (see {@link openidMetadata}), readable from any origin.
 *
 * @example
 * ```ts
 * const plugin: ServerPlugin = {
 *   name: 'openid',
 *   endpoints: [discoveryEndpoint(options)],
 *   extendMetadata: openidMetadata(options),
 * }
 * ```
 */
export function discoveryEndpoint(options: OpenIDOptions): Endpoint {
  return {
    name: 'discovery',
    path: '/.well-known/openid-configuration',
    methods: METHODS,
    cors: 'public',
    // Synchronous (see Endpoint.handle): the document is built once per server.
    handle(request, server) {
      if (request.method !== 'GET') {
        return Promise.reject(methodNotAllowed(request.method, METHODS))
      }
      return textResponse(documentOf(server, options), {
        status: 200,
        headers: {
          'content-type': 'application/json;charset=UTF-8',
          'cache-control': PUBLIC_CACHE,
        },
      })
    },
  }
}
