import { ASYMMETRIC_ALGORITHMS, SYMMETRIC_ALGORITHMS } from '@oidkit/jose'
import * as v from 'valibot'
import { type ClientMetadata, OAuthClientMetadataEntries } from './client-metadata'
import type { ServerContext } from './context'
import { OAuthError } from './errors'
import { parseScope } from './scope'
import { parseWithSchema } from './validation'

/**
 * One rule of client metadata validation, run after the schema: cross-field and
 * server-dependent checks that throw an OAuthError and may fill defaults. Like Authlib's claims
 * classes, the rules compose: RFC 7591's first, then each plugin's `clientMetadata.check`.
 */
export type ClientMetadataCheck = (
  metadata: ClientMetadata,
  server: ServerContext,
) => void | Promise<void>

/** What a server supports, worked out once per server rather than per registration. */
interface Prepared {
  readonly schema: v.GenericSchema<unknown, Record<string, unknown>>
  readonly entries: Readonly<Record<string, v.GenericSchema>>
  readonly grantTypes: ReadonlySet<string>
  readonly responseTypes: ReadonlyMap<string, string>
  readonly authMethods: ReadonlySet<string>
  readonly scopes: ReadonlySet<string> | undefined
}

const prepared = new WeakMap<ServerContext, Prepared>()

function prepare(server: ServerContext): Prepared {
  let found = prepared.get(server)
  if (found) return found
  const entries: Record<string, v.GenericSchema> = { ...OAuthClientMetadataEntries }
  for (const extension of server.clientMetadata) Object.assign(entries, extension.entries)
  // Grant types reachable only through the authorization endpoint (implicit) have no token
  // endpoint handler, so the response type handlers contribute theirs.
  const grantTypes = new Set(server.grantTypes.keys())
  const responseTypes = new Map<string, string>()
  for (const [responseType, handler] of server.responseTypes) {
    grantTypes.add(handler.grantType)
    responseTypes.set(canonicalResponseType(responseType), handler.grantType)
  }
  found = {
    schema: v.looseObject(entries),
    entries,
    grantTypes,
    responseTypes,
    authMethods: new Set(server.settings.clientAuthMethods),
    scopes: server.config.scopes ? new Set(server.config.scopes) : undefined,
  }
  prepared.set(server, found)
  return found
}

/**
 * The composed client metadata schema of a server: RFC 7591 2 plus every plugin's entries,
 * built once per server.
 *
 * @example
 * ```ts
 * const result = v.safeParse(clientMetadataSchema(server), body)
 * ```
 */
export function clientMetadataSchema(
  server: ServerContext,
): v.GenericSchema<unknown, Record<string, unknown>> {
  return prepare(server).schema
}

const canonicalResponseType = (value: string) =>
  [...new Set(value.split(' ').filter(Boolean))].sort().join(' ')

const invalid = (field: string, problem: string) =>
  new OAuthError('invalid_client_metadata', `"${field}" ${problem}`)

// Members the server sets; a client never chooses them (RFC 7591 3.2.1, RFC 7592 3).
const SERVER_MANAGED = [
  'client_id',
  'client_secret',
  'client_secret_hash',
  'client_id_issued_at',
  'client_secret_expires_at',
  'registration_access_token',
  'registration_client_uri',
]

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

function redirectUriProblem(uri: string): string | undefined {
  // RFC 3986 2: a URI is printable ASCII. The URL parser would silently trim or re-encode
  // anything else, and exact redirect URI matching would then compare different strings.
  if (/[^\x21-\x7e]/.test(uri))
    return 'must not contain whitespace, control or non-ASCII characters'
  // RFC 6749 3.1.2, RFC 7591 2: the redirection endpoint URI MUST NOT include a fragment.
  if (uri.includes('#')) return 'must not contain a fragment'
  let url: URL
  try {
    url = new URL(uri)
  } catch {
    // RFC 6749 3.1.2: the redirection endpoint URI MUST be an absolute URI.
    return 'must be an absolute URI'
  }
  if (url.username || url.password) return 'must not contain user information'
  if (url.protocol === 'https:') return undefined
  // RFC 9700 2.1, RFC 8252 7.3 and 8.3: plain http only for loopback redirects of native apps.
  if (url.protocol === 'http:') {
    return LOOPBACK_HOSTS.has(url.hostname) ? undefined : 'must use https unless it is loopback'
  }
  // RFC 8252 7.1: private-use schemes are reverse domain names; this also keeps out
  // javascript:, data: and other schemes that are no redirection endpoint.
  if (!url.protocol.slice(0, -1).includes('.')) {
    return 'must use https, loopback http or a reverse-domain private-use scheme'
  }
  return undefined
}

/** RFC 7591 2 redirect_uris: absolute, no fragment, no userinfo, https or native-app forms. */
const checkRedirectUris: ClientMetadataCheck = (metadata) => {
  for (const uri of metadata.redirect_uris ?? []) {
    const problem = redirectUriProblem(uri)
    if (problem) throw new OAuthError('invalid_redirect_uri', `"redirect_uris" ${problem}: ${uri}`)
  }
}

/**
 * RFC 7591 2 and 2.1: supported grant and response types, their defaults, their consistency,
 * and redirect URIs for the redirect-based grants.
 */
const checkGrantAndResponseTypes: ClientMetadataCheck = (metadata, server) => {
  const { grantTypes, responseTypes } = prepare(server)
  const grants = [...new Set(metadata.grant_types ?? ['authorization_code'])]
  for (const grant of grants) {
    if (!grantTypes.has(grant)) throw invalid('grant_types', `"${grant}" is not supported`)
  }
  // RFC 7591 2 defaults response_types to ["code"]; a client without the authorization code
  // grant (client_credentials only) would be inconsistent with that, so it gets none.
  const requested =
    metadata.response_types ?? (grants.includes('authorization_code') ? ['code'] : [])
  const types = [...new Set(requested.map(canonicalResponseType))]
  const implicitSupported = grantTypes.has('implicit')
  for (const type of types) {
    const handlerGrant = responseTypes.get(type)
    if (handlerGrant === undefined) throw invalid('response_types', `"${type}" is not supported`)
    // RFC 7591 2.1 table: code → authorization_code, token (and OIDC id_token) → implicit.
    const words = type.split(' ')
    const needed = new Set([handlerGrant])
    if (words.includes('code')) needed.add('authorization_code')
    if (implicitSupported && (words.includes('token') || words.includes('id_token'))) {
      needed.add('implicit')
    }
    for (const grant of needed) {
      if (!grants.includes(grant)) {
        throw invalid('response_types', `"${type}" needs "${grant}" in grant_types (RFC 7591 2.1)`)
      }
    }
  }
  if (grants.includes('authorization_code') && !types.some((t) => t.split(' ').includes('code'))) {
    throw invalid(
      'grant_types',
      '"authorization_code" needs a response type with "code" (RFC 7591 2.1)',
    )
  }
  const returnsToken = (type: string) =>
    type.split(' ').some((word) => word === 'token' || word === 'id_token')
  if (grants.includes('implicit') && !types.some(returnsToken)) {
    throw invalid(
      'grant_types',
      '"implicit" needs a response type that returns a token (RFC 7591 2.1)',
    )
  }
  if (types.length > 0 && (metadata.redirect_uris ?? []).length === 0) {
    throw new OAuthError(
      'invalid_redirect_uri',
      '"redirect_uris" is required for redirect-based grants',
    )
  }
  metadata.grant_types = grants
  metadata.response_types = types
}

/** RFC 7591 2 token_endpoint_auth_method (default client_secret_basic) and its companions. */
const checkAuthMethod: ClientMetadataCheck = (metadata, server) => {
  const method = metadata.token_endpoint_auth_method ?? 'client_secret_basic'
  if (!prepare(server).authMethods.has(method)) {
    throw invalid('token_endpoint_auth_method', `"${method}" is not supported`)
  }
  metadata.token_endpoint_auth_method = method
  const alg = metadata.token_endpoint_auth_signing_alg
  if (alg !== undefined) {
    // OIDC Registration 2: "none" MUST NOT be used; RFC 7523 assertions are signed.
    const allowed: readonly string[] =
      method === 'client_secret_jwt'
        ? SYMMETRIC_ALGORITHMS
        : method === 'private_key_jwt'
          ? ASYMMETRIC_ALGORITHMS
          : [...SYMMETRIC_ALGORITHMS, ...ASYMMETRIC_ALGORITHMS]
    if (!allowed.includes(alg)) {
      throw invalid('token_endpoint_auth_signing_alg', `"${alg}" is not allowed with ${method}`)
    }
  }
  if (method === 'private_key_jwt' && !metadata.jwks && !metadata.jwks_uri) {
    throw invalid('token_endpoint_auth_method', 'private_key_jwt needs "jwks" or "jwks_uri"')
  }
  // RFC 6749 4.4: the client credentials grant is for confidential clients only.
  if (method === 'none' && metadata.grant_types?.includes('client_credentials')) {
    throw invalid('grant_types', '"client_credentials" needs an authenticating client')
  }
}

// Private members of RFC 7518 6.2.2 / 6.3.2 keys: a client publishes public keys only.
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth']

/** RFC 7591 2: jwks and jwks_uri MUST NOT both be present; a key set holds public keys. */
const checkJwks: ClientMetadataCheck = (metadata) => {
  const jwks = metadata.jwks
  if (jwks === undefined) return
  if (metadata.jwks_uri !== undefined) {
    throw invalid('jwks', 'and "jwks_uri" must not both be present (RFC 7591 2)')
  }
  if (jwks.keys.length === 0) throw invalid('jwks', 'has no keys')
  if (jwks.keys.some((key) => PRIVATE_JWK_MEMBERS.some((member) => member in key))) {
    throw invalid('jwks', 'must hold public keys only')
  }
}

/** RFC 7591 2 scope: well-formed (RFC 6749 3.3) and known to the server when it lists scopes. */
const checkScope: ClientMetadataCheck = (metadata, server) => {
  if (metadata.scope === undefined) return
  let scopes: string[]
  try {
    scopes = parseScope(metadata.scope)
  } catch {
    throw invalid('scope', 'has an illegal character')
  }
  const known = prepare(server).scopes
  const unknown = known && scopes.find((scope) => !known.has(scope))
  if (unknown) throw invalid('scope', `"${unknown}" is not supported`)
}

const WEB_URIS = ['client_uri', 'logo_uri', 'tos_uri', 'policy_uri', 'jwks_uri']

/**
 * RFC 7591 2 URL members are web pages or documents: http(s) only, so that no `javascript:`
 * link reaches a consent page (RFC 7591 5). RFC 7591 2.2 localized variants (`client_name#ja`)
 * are kept and validated with the schema of their base member.
 */
const checkUrisAndLocalized: ClientMetadataCheck = (metadata, server) => {
  const { entries } = prepare(server)
  for (const [name, value] of Object.entries(metadata)) {
    const hash = name.indexOf('#')
    const base = hash === -1 ? name : name.slice(0, hash)
    if (hash !== -1) {
      const schema = entries[base]
      if (schema === undefined) continue
      if (!/^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$/.test(name.slice(hash + 1))) {
        throw invalid(name, 'has an invalid language tag (RFC 7591 2.2)')
      }
      if (!v.safeParse(schema, value).success) throw invalid(name, `is not a valid "${base}"`)
    }
    if (WEB_URIS.includes(base) && typeof value === 'string') {
      const url = URL.canParse(value) ? new URL(value) : undefined
      if (url?.protocol !== 'https:' && url?.protocol !== 'http:') {
        throw invalid(name, 'must be an http(s) URL')
      }
      if (url.username || url.password) throw invalid(name, 'must not contain user information')
    }
  }
}

/**
 * The RFC 7591 rules, in order. Plugin rules (`clientMetadata.check`) run after these.
 *
 * @example
 * ```ts
 * for (const check of oauthClientMetadataChecks) await check(metadata, server)
 * ```
 */
export const oauthClientMetadataChecks: readonly ClientMetadataCheck[] = [
  checkRedirectUris,
  checkGrantAndResponseTypes,
  checkAuthMethod,
  checkJwks,
  checkScope,
  checkUrisAndLocalized,
]

/**
 * Validates client metadata as registration does: the composed schema (RFC 7591 2 + plugin
 * entries), then the RFC 7591 rules, then each plugin's check. Returns the metadata with
 * defaults filled (grant_types, response_types, token_endpoint_auth_method); members the server
 * manages (client_id, secrets, registration_*) are dropped; unknown members are kept.
 *
 * @example
 * ```ts
 * const metadata = await validateClientMetadata(server, {
 *   redirect_uris: ['https://app.example/cb'],
 *   client_name: 'Example',
 * })
 * ```
 */
export async function validateClientMetadata(
  server: ServerContext,
  input: unknown,
): Promise<Record<string, unknown>> {
  const { schema } = prepare(server)
  const metadata = parseWithSchema(schema, input, {
    codes: { redirect_uris: 'invalid_redirect_uri' },
    fallback: 'invalid_client_metadata',
  }) as ClientMetadata
  for (const name of SERVER_MANAGED) delete metadata[name]
  for (const check of oauthClientMetadataChecks) await check(metadata, server)
  for (const extension of server.clientMetadata) await extension.check?.(metadata, server)
  return metadata
}
