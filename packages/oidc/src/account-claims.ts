import { type ClaimsRequest, requestedClaims, SCOPE_CLAIMS } from '@oidkit/jose'
import type { Client, GrantRecord } from '@oidkit/oauth2'
import type { ClaimsUse, OpenIDOptions } from './config'

/** `sub` plus the standard claims of OIDC Core 5.1. */
export const STANDARD_CLAIMS: readonly string[] = [
  'sub',
  ...new Set(Object.values(SCOPE_CLAIMS).flat()),
]

/** The parsed `claims` request kept on the grant (OIDC Core 5.5), if any. */
export function grantClaimsRequest(grant: GrantRecord): ClaimsRequest | undefined {
  return grant.claims as ClaimsRequest | undefined
}

/**
 * The claims released to `use` for a grant: the account's claims filtered by the granted scopes
 * and the `claims` request (OIDC Core 5.4, 5.5), with `sub` always set to the account id.
 * Returns undefined when the account no longer exists.
 *
 * @example
 * ```ts
 * const claims = await accountClaims(options, { grant, client, use: 'userinfo' })
 * ```
 */
export async function accountClaims(
  options: OpenIDOptions,
  input: {
    grant: GrantRecord
    client: Client
    use: ClaimsUse
    /** False when no access token goes with the ID token: scope claims then go in it (5.4). */
    accessTokenIssued?: boolean
  },
): Promise<Record<string, unknown> | undefined> {
  const { grant, client, use } = input
  const accountId = grant.accountId
  if (accountId === undefined) return undefined
  const claimsRequest = grantClaimsRequest(grant)
  const names = requestedClaims({
    scopes: grant.scopes,
    target: use,
    accessTokenIssued: input.accessTokenIssued ?? true,
    ...(claimsRequest ? { claimsRequest } : {}),
  })
  names.delete('sub')
  const base = { sub: accountId }
  if (names.size === 0) return base
  const all = await options.claims(accountId, { use, client, scopes: grant.scopes, claims: names })
  if (all === undefined) return undefined
  const released: Record<string, unknown> = {}
  for (const name of names) {
    const value = Object.hasOwn(all, name) ? all[name] : undefined
    // OIDC Core 5.3.2: claims without a value are omitted, not sent as null or "".
    if (value !== undefined && value !== null && value !== '') released[name] = value
  }
  // Appended rather than spread together: one hidden class for every such set of claims (V8
  // gives each object made by a spread and then given a new property a class of its own).
  released.sub = accountId
  return released
}
