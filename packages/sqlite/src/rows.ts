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

export function parseGrant(row: GrantRow): GrantRecord {
  const grant = JSON.parse(row.data) as GrantRecord
  return row.revoked_at === null ? grant : { ...grant, revokedAt: row.revoked_at }
}

export function parseCode(row: CodeRow): AuthorizationCodeRecord {
  const code = JSON.parse(row.data) as AuthorizationCodeRecord
  return row.consumed_at === null ? code : { ...code, consumedAt: row.consumed_at }
}

export function parseToken(row: TokenRow): TokenRecord {
  const token = JSON.parse(row.data) as TokenRecord
  if (row.revoked_at === null && row.consumed_at === null) return token
  return {
    ...token,
    ...(row.revoked_at === null ? {} : { revokedAt: row.revoked_at }),
    ...(row.consumed_at === null ? {} : { consumedAt: row.consumed_at }),
  }
}

/** Parses the `data` of a row, or undefined when there was no row. */
export function parseData<T>(row: DataRow | undefined): T | undefined {
  return row === undefined ? undefined : (JSON.parse(row.data) as T)
}
