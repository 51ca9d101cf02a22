import * as v from 'valibot'
import { OAuthError, type OAuthErrorCode } from './errors'

/**
 * Parses `input` with a valibot schema; the first issue becomes an OAuthError whose code is
 * chosen by the field it concerns (`codes[field]`, else `fallback`), so that one schema is the
 * single source of truth for both the shape and the error a client sees.
 *
 * @example
 * ```ts
 * const metadata = parseWithSchema(ClientMetadataSchema, body, {
 *   codes: { redirect_uris: 'invalid_redirect_uri' },
 *   fallback: 'invalid_client_metadata',
 * })
 * ```
 */
export function parseWithSchema<S extends v.GenericSchema>(
  schema: S,
  input: unknown,
  options: { codes?: Readonly<Record<string, OAuthErrorCode>>; fallback?: OAuthErrorCode } = {},
): v.InferOutput<S> {
  const result = v.safeParse(schema, input)
  if (result.success) return result.output
  const issue = result.issues[0]
  const field = issue.path?.[0]?.key
  const name = typeof field === 'string' ? field : undefined
  const code = (name && options.codes?.[name]) || options.fallback || 'invalid_request'
  const description = name ? `invalid "${name}": ${issue.message}` : issue.message
  throw new OAuthError(code, description)
}
