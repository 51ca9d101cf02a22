import type { AuthorizationCodeRecord, GrantRecord, TokenRecord } from '@oidkit/oauth2'

/** A row that holds a record as JSON and nothing mutable. */
export interface DataRow {
  readonly data: string
}

export interface GrantRow extends DataRow {
  readonly revoked_at: number | null
}

export interface CodeRow extends DataRow {
  readonly consumed_at: number | null
}

export interface TokenRow extends DataRow {
  readonly revoked_at: number | null
  readonly consumed_at: number | null
}

/**
 * The JSON kept in `data`: the record without the fields that live in their own column, so the
 * column is the only truth for them. JSON also gives every read a fresh copy, as independent
 * of the store as MemoryStore's `structuredClone`.
 */
export function grantData(grant: GrantRecord): string {
  const { revokedAt: _revokedAt, ...rest } = grant
  return JSON.stringify(rest)
}

export function codeData(code: AuthorizationCodeRecord): string {
  const { consumedAt: _consumedAt, ...rest } = code
  return JSON.stringify(rest)
}

export function tokenData(token: TokenRecord): string {
  const { revokedAt: _revokedAt, consumedAt: _consumedAt, ...rest } = token
  return JSON.stringify(rest)
}

// The fresh parse is completed in place: a copy made by a spread and then given a property its
// source did not have gets a V8 hidden class of its own (see withFields in @oidkit/oauth2).
type Mutable<T> = { -readonly [K in keyof T]: T[K] }

export function parseGrant(row: GrantRow): GrantRecord {
  const grant = JSON.parse(row.data) as Mutable<GrantRecord>
  if (row.revoked_at !== null) grant.revokedAt = row.revoked_at
  return grant
}

export function parseCode(row: CodeRow): AuthorizationCodeRecord {
  const code = JSON.parse(row.data) as Mutable<AuthorizationCodeRecord>
  if (row.consumed_at !== null) code.consumedAt = row.consumed_at
  return code
}

export function parseToken(row: TokenRow): TokenRecord {
  const token = JSON.parse(row.data) as Mutable<TokenRecord>
  if (row.revoked_at !== null) token.revokedAt = row.revoked_at
  if (row.consumed_at !== null) token.consumedAt = row.consumed_at
  return token
}

/** Parses the `data` of a row, or undefined when there was no row. */
export function parseData<T>(row: DataRow | undefined): T | undefined {
  return row === undefined ? undefined : (JSON.parse(row.data) as T)
}
