import type { Database, Statement } from 'better-sqlite3'
import type { CodeRow, DataRow, GrantRow, TokenRow } from './rows'

interface GrantParams {
  id: string
  client_id: string
  account_id: string | null
  expires_at: number
  revoked_at: number | null
  data: string
}

interface CodeParams {
  hash: string
  grant_id: string
  expires_at: number
  consumed_at: number | null
  data: string
}

interface TokenParams {
  hash: string
  type: string
  grant_id: string
  client_id: string
  expires_at: number
  revoked_at: number | null
  consumed_at: number | null
  data: string
}

type Run<P extends unknown[] | object> = Statement<P>
type Get<P extends unknown[], R> = Statement<P, R>

/**
 * The prepared statements of one connection. Spelled out because declaration emit cannot name
 * the type better-sqlite3's `prepare` returns.
 */
export interface Statements {
  getClient: Get<[clientId: string], DataRow>
  saveClient: Run<[clientId: string, data: string]>
  deleteClient: Run<[clientId: string]>
  getGrant: Get<[id: string], GrantRow>
  saveGrant: Run<GrantParams>
  revokeGrant: Run<[at: number, id: string]>
  revokeGrantTokens: Run<[at: number, grantId: string]>
  burnGrantCodes: Run<[at: number, grantId: string]>
  revokeClientGrants: Run<[at: number, clientId: string]>
  revokeClientTokens: Run<[at: number, clientId: string]>
  burnClientCodes: Run<[at: number, clientId: string]>
  getCode: Get<[hash: string], CodeRow>
  saveCode: Run<CodeParams>
  consumeCode: Get<[at: number, hash: string], CodeRow>
  getToken: Get<[hash: string], TokenRow>
  saveToken: Run<TokenParams>
  consumeToken: Get<[at: number, hash: string], TokenRow>
  revokeToken: Run<[at: number, hash: string]>
  useJti: Run<[key: string, expiresAt: number, now: number]>
  getSession: Get<[id: string], DataRow>
  saveSession: Run<[id: string, accountId: string, expiresAt: number, data: string]>
  deleteSession: Run<[id: string]>
  getInteraction: Get<[id: string], DataRow>
  saveInteraction: Run<[id: string, expiresAt: number, data: string]>
  deleteInteraction: Run<[id: string]>
  getConsent: Get<[accountId: string, clientId: string], DataRow>
  saveConsent: Run<[accountId: string, clientId: string, data: string]>
  deleteConsent: Run<[accountId: string, clientId: string]>
  getRegistrationToken: Get<[hash: string], { client_id: string }>
  saveRegistrationToken: Run<[hash: string, clientId: string]>
  deleteRegistrationTokens: Run<[clientId: string]>
  /** One DELETE of expired rows per table, bound to `now`. */
  sweep: Run<[now: number]>[]
}

// Tables whose rows expire, in the order a sweep deletes them.
const EXPIRING = ['codes', 'tokens', 'jtis', 'sessions', 'interactions', 'grants'] as const

/**
 * Every statement the store runs, prepared once when it opens: preparing is the costly part of
 * a query and the token endpoint runs several per request.
 *
 * @example
 * ```ts
 * const sql = prepareStatements(db)
 * const row = sql.getToken.get(hash)
 * ```
 */
export function prepareStatements(db: Database): Statements {
  return {
    getClient: db.prepare('SELECT data FROM clients WHERE client_id = ?'),
    saveClient: db.prepare(
      `INSERT INTO clients (client_id, data) VALUES (?, ?)
       ON CONFLICT (client_id) DO UPDATE SET data = excluded.data`,
    ),
    deleteClient: db.prepare('DELETE FROM clients WHERE client_id = ?'),

    getGrant: db.prepare('SELECT data, revoked_at FROM grants WHERE id = ?'),
    saveGrant: db.prepare(
      `INSERT INTO grants (id, client_id, account_id, expires_at, revoked_at, data)
       VALUES (@id, @client_id, @account_id, @expires_at, @revoked_at, @data)
       ON CONFLICT (id) DO UPDATE SET client_id = excluded.client_id,
         account_id = excluded.account_id, expires_at = excluded.expires_at,
         revoked_at = excluded.revoked_at, data = excluded.data`,
    ),
    // A grant keeps the time it was first revoked.
    revokeGrant: db.prepare('UPDATE grants SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?'),
    revokeGrantTokens: db.prepare(
      'UPDATE tokens SET revoked_at = ? WHERE grant_id = ? AND revoked_at IS NULL',
    ),
    burnGrantCodes: db.prepare(
      'UPDATE codes SET consumed_at = ? WHERE grant_id = ? AND consumed_at IS NULL',
    ),
    // By the client's grants, as MemoryStore does, through the grant_id indexes.
    revokeClientGrants: db.prepare(
      'UPDATE grants SET revoked_at = coalesce(revoked_at, ?) WHERE client_id = ?',
    ),
    revokeClientTokens: db.prepare(
      `UPDATE tokens SET revoked_at = ?
       WHERE grant_id IN (SELECT id FROM grants WHERE client_id = ?) AND revoked_at IS NULL`,
    ),
    burnClientCodes: db.prepare(
      `UPDATE codes SET consumed_at = ?
       WHERE grant_id IN (SELECT id FROM grants WHERE client_id = ?) AND consumed_at IS NULL`,
    ),

    getCode: db.prepare('SELECT data, consumed_at FROM codes WHERE hash = ?'),
    saveCode: db.prepare(
      `INSERT INTO codes (hash, grant_id, expires_at, consumed_at, data)
       VALUES (@hash, @grant_id, @expires_at, @consumed_at, @data)
       ON CONFLICT (hash) DO UPDATE SET grant_id = excluded.grant_id,
         expires_at = excluded.expires_at, consumed_at = excluded.consumed_at,
         data = excluded.data`,
    ),
    // RETURNING hands the winner its record in the same statement as the conditional write.
    consumeCode: db.prepare(
      `UPDATE codes SET consumed_at = ? WHERE hash = ? AND consumed_at IS NULL
       RETURNING data, consumed_at`,
    ),

    getToken: db.prepare('SELECT data, revoked_at, consumed_at FROM tokens WHERE hash = ?'),
    saveToken: db.prepare(
      `INSERT INTO tokens
         (hash, type, grant_id, client_id, expires_at, revoked_at, consumed_at, data)
       VALUES (@hash, @type, @grant_id, @client_id, @expires_at, @revoked_at, @consumed_at, @data)
       ON CONFLICT (hash) DO UPDATE SET type = excluded.type, grant_id = excluded.grant_id,
         client_id = excluded.client_id, expires_at = excluded.expires_at,
         revoked_at = excluded.revoked_at, consumed_at = excluded.consumed_at,
         data = excluded.data`,
    ),
    consumeToken: db.prepare(
      `UPDATE tokens SET consumed_at = ? WHERE hash = ? AND consumed_at IS NULL
       RETURNING data, revoked_at, consumed_at`,
    ),
    revokeToken: db.prepare(
      'UPDATE tokens SET revoked_at = ? WHERE hash = ? AND revoked_at IS NULL',
    ),

    // Parameters: key, expires_at, now.
    useJti: db.prepare(
      `INSERT INTO jtis (key, expires_at) VALUES (?, ?)
       ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at
       WHERE jtis.expires_at <= ?`,
    ),

    getSession: db.prepare('SELECT data FROM sessions WHERE id = ?'),
    saveSession: db.prepare(
      `INSERT INTO sessions (id, account_id, expires_at, data) VALUES (?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET account_id = excluded.account_id,
         expires_at = excluded.expires_at, data = excluded.data`,
    ),
    deleteSession: db.prepare('DELETE FROM sessions WHERE id = ?'),

    getInteraction: db.prepare('SELECT data FROM interactions WHERE id = ?'),
    saveInteraction: db.prepare(
      `INSERT INTO interactions (id, expires_at, data) VALUES (?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at, data = excluded.data`,
    ),
    deleteInteraction: db.prepare('DELETE FROM interactions WHERE id = ?'),

    getConsent: db.prepare('SELECT data FROM consents WHERE account_id = ? AND client_id = ?'),
    saveConsent: db.prepare(
      `INSERT INTO consents (account_id, client_id, data) VALUES (?, ?, ?)
       ON CONFLICT (account_id, client_id) DO UPDATE SET data = excluded.data`,
    ),
    deleteConsent: db.prepare('DELETE FROM consents WHERE account_id = ? AND client_id = ?'),

    getRegistrationToken: db.prepare('SELECT client_id FROM registration_tokens WHERE hash = ?'),
    saveRegistrationToken: db.prepare(
      `INSERT INTO registration_tokens (hash, client_id) VALUES (?, ?)
       ON CONFLICT (hash) DO UPDATE SET client_id = excluded.client_id`,
    ),
    deleteRegistrationTokens: db.prepare('DELETE FROM registration_tokens WHERE client_id = ?'),

    sweep: EXPIRING.map((table) => db.prepare(`DELETE FROM ${table} WHERE expires_at <= ?`)),
  }
}
