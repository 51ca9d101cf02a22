import { OAuthError } from './errors'

// RFC 6749 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/

/**
 * Splits a `scope` parameter into its distinct tokens (RFC 6749 3.3), `invalid_scope` on
 * characters the grammar forbids.
 *
 * @example
 * ```ts
 * parseScope('openid  profile') // ['openid', 'profile']
 * ```
 */
export function parseScope(scope: string | undefined): string[] {
  if (scope === undefined) return []
  const tokens = scope.split(' ').filter(Boolean)
  for (const token of tokens) {
    if (!SCOPE_TOKEN.test(token))
      throw new OAuthError('invalid_scope', 'the scope has an illegal character')
  }
  return [...new Set(tokens)]
}

/**
 * Joins scope tokens into a `scope` value.
 *
 * @example
 * ```ts
 * formatScope(['openid', 'email']) // 'openid email'
 * ```
 */
export function formatScope(scopes: readonly string[]): string {
  return scopes.join(' ')
}

/** True when two scope lists hold the same tokens in any order. */
export function sameScopes(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((s) => b.includes(s))
}

/**
 * The scopes a request gets: the requested ones, which must all be known to the server
 * (`scopes`) and allowed for the client (its registered `scope`), or, when none were requested,
 * the client's registered scope as the pre-defined default (RFC 6749 3.3).
 *
 * @example
 * ```ts
 * const scopes = resolveScopes(form.get('scope'), client.scope, server.config.scopes)
 * ```
 */
export function resolveScopes(
  requested: string | undefined,
  clientScope: string | undefined,
  serverScopes: readonly string[] | undefined,
): string[] {
  const allowed = clientScope === undefined ? undefined : parseScope(clientScope)
  if (requested === undefined) return allowed ?? []
  const scopes = parseScope(requested)
  for (const scope of scopes) {
    if (serverScopes && !serverScopes.includes(scope)) {
      throw new OAuthError('invalid_scope', `the scope "${scope}" is not supported`)
    }
    if (allowed && !allowed.includes(scope)) {
      throw new OAuthError('invalid_scope', `the client may not request "${scope}"`)
    }
  }
  return scopes
}
