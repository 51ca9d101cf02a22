import { ASYMMETRIC_ALGORITHMS, SYMMETRIC_ALGORITHMS } from '@oidkit/jose'
import { type ClientMetadataExtension, OAuthError, type ServerContext } from '@oidkit/oauth2'
import * as v from 'valibot'

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value)
  } catch {
    return undefined
  }
}

const httpsUrl = v.pipe(
  v.string(),
  v.check((value) => parseUrl(value)?.protocol === 'https:', 'must be an https URL'),
)

// RP-Initiated Logout 1.0 3.1: absolute URIs; like redirect URIs (RFC 6749 3.1.2), no fragment.
const absoluteUri = v.pipe(
  v.string(),
  v.check(
    (value) => parseUrl(value) !== undefined && !value.includes('#'),
    'must be an absolute URI without a fragment',
  ),
)

const JWS_ALGORITHMS = [...ASYMMETRIC_ALGORITHMS, ...SYMMETRIC_ALGORITHMS]
// Algorithms for JWTs the client signs: 'none' would let anyone forge them.
const jwsAlgorithm = v.picklist(
  JWS_ALGORITHMS,
  `must be one of ${JWS_ALGORITHMS.join(', ')} ("none" is refused)`,
)

// oidkit neither encrypts ID tokens or UserInfo responses nor decrypts request objects, so a
// client asking for it is refused rather than silently sent plaintext.
const encryptionUnsupported = v.optional(v.never('encryption is not supported by this server'))

/**
 * The valibot entries of the OpenID Connect Dynamic Client Registration 1.0 2 client metadata
 * (plus `post_logout_redirect_uris`, RP-Initiated Logout 1.0 3.1). The registration endpoint
 * spreads them after RFC 7591's; shape problems become `invalid_client_metadata` naming the field.
 *
 * @example
 * ```ts
 * const schema = v.looseObject({ ...OAuthClientMetadataEntries, ...OIDCClientMetadataEntries })
 * ```
 */
export const OIDCClientMetadataEntries = {
  application_type: v.optional(v.picklist(['web', 'native'], 'must be "web" or "native"'), 'web'),
  id_token_signed_response_alg: v.optional(v.string()),
  userinfo_signed_response_alg: v.optional(v.string()),
  request_object_signing_alg: v.optional(jwsAlgorithm),
  token_endpoint_auth_signing_alg: v.optional(jwsAlgorithm),
  subject_type: v.optional(v.picklist(['public', 'pairwise'], 'must be "public" or "pairwise"')),
  sector_identifier_uri: v.optional(httpsUrl),
  default_max_age: v.optional(
    v.pipe(
      v.number(),
      v.integer('must be a whole number of seconds'),
      v.minValue(0, 'must not be negative'),
    ),
  ),
  require_auth_time: v.optional(v.boolean()),
  default_acr_values: v.optional(v.array(v.string())),
  initiate_login_uri: v.optional(httpsUrl),
  request_uris: v.optional(v.array(httpsUrl)),
  post_logout_redirect_uris: v.optional(v.array(absoluteUri)),
  id_token_encrypted_response_alg: encryptionUnsupported,
  id_token_encrypted_response_enc: encryptionUnsupported,
  userinfo_encrypted_response_alg: encryptionUnsupported,
  userinfo_encrypted_response_enc: encryptionUnsupported,
  request_object_encryption_alg: encryptionUnsupported,
  request_object_encryption_enc: encryptionUnsupported,
} as const

/**
 * OpenID Connect client metadata after parsing (OIDC Registration 1.0 2).
 *
 * @example
 * ```ts
 * const native: OIDCClientMetadata = { application_type: 'native' }
 * ```
 */
export type OIDCClientMetadata = v.InferOutput<
  v.ObjectSchema<typeof OIDCClientMetadataEntries, undefined>
>

/** Options of {@link oidcClientMetadata}. */
export interface OIDCClientMetadataOptions {
  /** Development only: web clients may also use `http` and `https` on localhost / loopback. */
  allowInsecureWebRedirects?: boolean
  /** `acr_values_supported`; `default_acr_values` must be a subset when set. */
  acrValues?: readonly string[]
  /** `subject_types_supported`; default `['public']`. */
  subjectTypes?: readonly ('public' | 'pairwise')[]
  /** Fetches `sector_identifier_uri` documents (default: global `fetch`); restrict egress here. */
  fetch?: typeof fetch
}

/** The extension returned by {@link oidcClientMetadata}; `check` is always present. */
export interface OIDCClientMetadataExtension extends ClientMetadataExtension {
  readonly entries: typeof OIDCClientMetadataEntries
  check(metadata: Record<string, unknown>, server: ServerContext): Promise<void>
}

// What check() reads; the registration endpoint has parsed the metadata with the composed schema.
type ParsedMetadata = Partial<OIDCClientMetadata> & {
  redirect_uris?: string[]
  grant_types?: string[]
  response_types?: string[]
  token_endpoint_auth_method?: string
}

// OIDC Registration 1.0 2 (application_type): the loopback hosts native clients may use with http.
const NATIVE_LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])
// Schemes that run code or read local content in a browser; never a redirect target.
const FORBIDDEN_SCHEMES = new Set(['javascript:', 'data:', 'vbscript:', 'file:', 'blob:', 'about:'])
const SECTOR_TIMEOUT_MS = 5000
const SECTOR_MAX_BYTES = 64 * 1024

function isLocalHost(hostname: string): boolean {
  const host = hostname.replace(/\.$/, '')
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
  )
}

/** Why `uri` is not acceptable for a client of this application type, or undefined. */
function redirectProblem(uri: string, native: boolean, allowInsecure: boolean): string | undefined {
  const url = parseUrl(uri)
  if (!url || uri.includes('#')) return `"${uri}" must be an absolute URI without a fragment`
  if (native) {
    // RFC 8252 7.2: claimed https URIs; 7.3: http only on loopback; 7.1: private-use schemes.
    if (url.protocol === 'https:') return undefined
    if (url.protocol === 'http:') {
      return NATIVE_LOOPBACK_HOSTS.has(url.hostname)
        ? undefined
        : `native clients may use http only on 127.0.0.1, [::1] or localhost, not "${uri}"`
    }
    return FORBIDDEN_SCHEMES.has(url.protocol)
      ? `the ${url.protocol} scheme is not allowed ("${uri}")`
      : undefined
  }
  const local = isLocalHost(url.hostname)
  const web = url.protocol === 'https:' || url.protocol === 'http:'
  if (allowInsecure && local && web) return undefined
  if (url.protocol !== 'https:') return `web clients must use https, not "${uri}"`
  if (local) return `web clients must not use localhost or a loopback address ("${uri}")`
  return undefined
}

function invalid(
  field: string,
  message: string,
  code: 'invalid_client_metadata' | 'invalid_redirect_uri' = 'invalid_client_metadata',
): OAuthError {
  return new OAuthError(code, `invalid "${field}": ${message}`)
}

async function readCapped(response: Response): Promise<string> {
  if (!response.body) return ''
  const reader = response.body.getReader()
  const decoder = new TextDecoder()
  let text = ''
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return text + decoder.decode()
    size += value.byteLength
    if (size > SECTOR_MAX_BYTES) {
      await reader.cancel()
      throw new Error('document too large')
    }
    text += decoder.decode(value, { stream: true })
  }
}

// OIDC Registration 1.0 5: the document at sector_identifier_uri is a JSON array that must list
// every registered redirect URI.
async function verifySectorIdentifier(
  uri: string,
  redirectUris: readonly string[],
  fetcher: typeof fetch,
): Promise<void> {
  let document: unknown
  try {
    const response = await fetcher(uri, {
      headers: { accept: 'application/json' },
      redirect: 'error',
      signal: AbortSignal.timeout(SECTOR_TIMEOUT_MS),
    })
    if (!response.ok) throw new Error(`HTTP ${response.status}`)
    document = JSON.parse(await readCapped(response))
  } catch {
    throw invalid('sector_identifier_uri', 'the document could not be retrieved as JSON')
  }
  if (!Array.isArray(document) || !document.every((item) => typeof item === 'string')) {
    throw invalid('sector_identifier_uri', 'the document must be a JSON array of URIs')
  }
  const missing = redirectUris.find((redirectUri) => !document.includes(redirectUri))
  if (missing) throw invalid('sector_identifier_uri', `the document does not list "${missing}"`)
}

/**
 * The OpenID Connect Dynamic Client Registration 1.0 2 metadata as a client metadata extension
 * of `@oidkit/oauth2`. Its `check` runs after the RFC 7591 checks and:
 * - fills `application_type` (`web`) and `id_token_signed_response_alg` (RS256, or the server's
 *   first signing algorithm when it has no RS256 key);
 * - holds redirect URIs (and `post_logout_redirect_uris`) to the application type: web clients
 *   https and no loopback host, native clients private-use schemes, http loopback or claimed https;
 * - accepts only signing algorithms the server's key set signs with, never `none`;
 * - checks response types against grant types, `subject_type`, `default_acr_values` and the
 *   `sector_identifier_uri` document; refuses `request_uris` (request objects are unsupported).
 *
 * @example
 * ```ts
 * const clientMetadata = oidcClientMetadata({ acrValues: ['urn:mace:incommon:iap:silver'] })
 * const plugin: ServerPlugin = { name: 'oidc', clientMetadata }
 * ```
 */
export function oidcClientMetadata(
  options: OIDCClientMetadataOptions = {},
): OIDCClientMetadataExtension {
  const allowInsecure = options.allowInsecureWebRedirects === true
  const acrValues = options.acrValues ? new Set(options.acrValues) : undefined
  const subjectTypes = options.subjectTypes ?? ['public']
  // A client that omits subject_type gets public when the server offers it.
  const defaultSubjectType = subjectTypes.includes('public') ? 'public' : 'pairwise'
  // Looked up per call, so the runtime's (or a test's) global fetch is the one used.
  const fetcher: typeof fetch = options.fetch ?? ((input, init) => fetch(input, init))

  return {
    entries: OIDCClientMetadataEntries,
    async check(metadata, server) {
      const m = metadata as ParsedMetadata
      const applicationType = m.application_type ?? 'web'
      metadata.application_type = applicationType
      const native = applicationType === 'native'

      // OIDC Registration 1.0 2 application_type: the server MUST verify the redirect URIs.
      for (const uri of m.redirect_uris ?? []) {
        const problem = redirectProblem(uri, native, allowInsecure)
        if (problem) throw invalid('redirect_uris', problem, 'invalid_redirect_uri')
      }
      for (const uri of m.post_logout_redirect_uris ?? []) {
        const problem = redirectProblem(uri, native, allowInsecure)
        if (problem) throw invalid('post_logout_redirect_uris', problem)
      }

      const algorithms: readonly string[] = server.keys.algorithms()
      const idTokenAlg = m.id_token_signed_response_alg
      if (idTokenAlg === undefined) {
        const fallback = algorithms.includes('RS256') ? 'RS256' : algorithms[0]
        if (fallback) metadata.id_token_signed_response_alg = fallback
      } else if (idTokenAlg === 'none') {
        // Registration 2 allows none for code-only clients; oidkit never issues unsigned ID tokens.
        throw invalid('id_token_signed_response_alg', 'unsigned ID tokens are never issued')
      } else if (!algorithms.includes(idTokenAlg)) {
        throw invalid('id_token_signed_response_alg', `must be one of ${algorithms.join(', ')}`)
      }
      const userinfoAlg = m.userinfo_signed_response_alg
      if (userinfoAlg === 'none') {
        // Registration 2: omitting the field already means a plain JSON UserInfo response.
        throw invalid('userinfo_signed_response_alg', 'omit it to receive plain JSON instead')
      }
      if (userinfoAlg !== undefined && !algorithms.includes(userinfoAlg)) {
        throw invalid('userinfo_signed_response_alg', `must be one of ${algorithms.join(', ')}`)
      }

      // RFC 7523 / OIDC Core 9: client_secret_jwt is an HMAC, private_key_jwt a signature.
      const authAlg = m.token_endpoint_auth_signing_alg
      const authMethod = m.token_endpoint_auth_method
      if (authAlg !== undefined) {
        const hmac = authAlg.startsWith('HS')
        if (authMethod === 'client_secret_jwt' && !hmac) {
          throw invalid(
            'token_endpoint_auth_signing_alg',
            'client_secret_jwt needs an HS algorithm',
          )
        }
        if (authMethod === 'private_key_jwt' && hmac) {
          throw invalid('token_endpoint_auth_signing_alg', 'private_key_jwt needs a public-key alg')
        }
      }

      // Registration 2 grant_types: the grant types each OpenID Connect response type uses.
      const grantTypes = new Set(m.grant_types ?? ['authorization_code'])
      for (const responseType of m.response_types ?? ['code']) {
        const words = responseType.split(' ').filter(Boolean)
        // Plain `code` and `token` are RFC 7591 2.1's, checked by the OAuth layer.
        if (!words.includes('id_token') && words.length < 2) continue
        const needed: string[] = []
        if (words.includes('code')) needed.push('authorization_code')
        if (words.includes('token') || words.includes('id_token')) needed.push('implicit')
        const missing = needed.filter((grantType) => !grantTypes.has(grantType))
        if (missing.length > 0) {
          throw invalid(
            'response_types',
            `"${responseType}" requires grant_types to include ${missing.join(' and ')}`,
          )
        }
      }

      if (acrValues && m.default_acr_values) {
        const unknown = m.default_acr_values.find((acr) => !acrValues.has(acr))
        if (unknown !== undefined) {
          throw invalid('default_acr_values', `"${unknown}" is not a supported acr value`)
        }
      }

      if (m.request_uris && m.request_uris.length > 0) {
        throw invalid('request_uris', 'request_uri is not supported by this server')
      }

      const subjectType = m.subject_type ?? defaultSubjectType
      if (!subjectTypes.includes(subjectType)) {
        throw invalid('subject_type', `must be one of ${subjectTypes.join(', ')}`)
      }
      const redirectUris = m.redirect_uris ?? []
      if (subjectType === 'pairwise' && m.sector_identifier_uri === undefined) {
        // OIDC Core 8.1: without it the sector is the redirect URIs' one host.
        const hosts = new Set(redirectUris.map((uri) => parseUrl(uri)?.host))
        if (hosts.size > 1) {
          throw invalid('sector_identifier_uri', 'required when redirect_uris use several hosts')
        }
      }
      if (m.sector_identifier_uri !== undefined) {
        // Last: the only check that goes to the network.
        await verifySectorIdentifier(m.sector_identifier_uri, redirectUris, fetcher)
      }
    },
  }
}
