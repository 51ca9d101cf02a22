import * as v from 'valibot'

const uri = v.pipe(v.string(), v.url())
const stringList = v.array(v.string())

/**
 * The valibot entries of the RFC 7591 2 client metadata. `@oidkit/oidc` spreads these together
 * with the OpenID Connect Registration 1.0 2 entries, the way Authlib composes claims classes.
 */
export const OAuthClientMetadataEntries = {
  redirect_uris: v.optional(v.array(v.string())),
  token_endpoint_auth_method: v.optional(v.string()),
  grant_types: v.optional(stringList),
  response_types: v.optional(stringList),
  client_name: v.optional(v.string()),
  client_uri: v.optional(uri),
  logo_uri: v.optional(uri),
  scope: v.optional(v.string()),
  contacts: v.optional(stringList),
  tos_uri: v.optional(uri),
  policy_uri: v.optional(uri),
  jwks_uri: v.optional(uri),
  jwks: v.optional(v.looseObject({ keys: v.array(v.looseObject({ kty: v.string() })) })),
  software_id: v.optional(v.string()),
  software_version: v.optional(v.string()),
  /** RFC 7523 / OIDC Registration 2: alg for client_secret_jwt and private_key_jwt assertions. */
  token_endpoint_auth_signing_alg: v.optional(v.string()),
} as const

/**
 * The RFC 7591 client metadata schema. Unknown members pass through (RFC 7591 2: the server
 * ignores what it does not understand, but keeps extension metadata such as localized names).
 */
export const OAuthClientMetadataSchema = v.looseObject(OAuthClientMetadataEntries)

/** Client metadata as registered (RFC 7591 2), plus any extension members. */
export type ClientMetadata = v.InferOutput<typeof OAuthClientMetadataSchema>
