import type { Database } from 'better-sqlite3'

/**
 * One schema change. Migrations are applied in order and never edited once released: a change
 * to the schema is a new entry at the end of {@link migrations}.
 */
export interface Migration {
  /** What the migration does, for error messages. */
  readonly name: string
  readonly sql: string
}

/**
 * The schema, as an ordered list of migrations; the database's `user_version` pragma counts how
 * many of them it has. Records are stored as JSON in `data`; the columns beside it are the ones
 * queries filter or update on. Mutable state (`consumed_at`, `revoked_at`) lives only in its
 * column so that the single-use updates touch one small value, never the JSON.
 *
 * There are no foreign keys between the tables on purpose: the `Storage` contract lets a
 * token outlive its grant's row (sweeping is per table) and saves a registration token before
 * its client.
 */
export const migrations: readonly Migration[] = [
  {
    name: 'initial schema',
    sql: `
      CREATE TABLE clients (
        client_id TEXT PRIMARY KEY NOT NULL,
        data TEXT NOT NULL
      );
      CREATE TABLE grants (
        id TEXT PRIMARY KEY NOT NULL,
        client_id TEXT NOT NULL,
        account_id TEXT,
        expires_at INTEGER NOT NULL,
        revoked_at INTEGER,
        data TEXT NOT NULL
      );
      CREATE INDEX grants_expires_at ON grants (expires_at);
      CREATE TABLE codes (
        hash TEXT PRIMARY KEY NOT NULL,
        grant_id TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        consumed_at INTEGER,
        data TEXT NOT NULL
      );
      CREATE INDEX codes_grant_id ON codes (grant_id);
      CREATE INDEX codes_expires_at ON codes (expires_at);
      CREATE TABLE tokens (
        hash TEXT PRIMARY KEY NOT NULL,
        type TEXT NOT NULL,
        grant_id TEXT NOT NULL,
        client_id TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        revoked_at INTEGER,
        consumed_at INTEGER,
        data TEXT NOT NULL
      );
      CREATE INDEX tokens_grant_id ON tokens (grant_id);
      CREATE INDEX tokens_expires_at ON tokens (expires_at);
      CREATE TABLE jtis (
        key TEXT PRIMARY KEY NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX jtis_expires_at ON jtis (expires_at);
      CREATE TABLE sessions (
        id TEXT PRIMARY KEY NOT NULL,
        account_id TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        data TEXT NOT NULL
      );
      CREATE INDEX sessions_expires_at ON sessions (expires_at);
      CREATE TABLE interactions (
        id TEXT PRIMARY KEY NOT NULL,
        expires_at INTEGER NOT NULL,
        data TEXT NOT NULL
      );
      CREATE INDEX interactions_expires_at ON interactions (expires_at);
      CREATE TABLE consents (
        account_id TEXT NOT NULL,
        client_id TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (account_id, client_id)
      );
      CREATE TABLE registration_tokens (
        hash TEXT PRIMARY KEY NOT NULL,
        client_id TEXT NOT NULL
      );
      CREATE INDEX registration_tokens_client_id ON registration_tokens (client_id);
    `,
  },
  {
    // RFC 7592 2.3: deleting a client revokes its grants, found by client.
    name: 'index grants by client',
    sql: 'CREATE INDEX grants_client_id ON grants (client_id);',
  },
]

/**
 * Brings the database up to the latest schema. Each migration runs in its own `BEGIN IMMEDIATE`
 * transaction that re-reads `user_version` first, so two processes opening a new file at once
 * apply it exactly once, and a failed migration leaves the previous version intact.
 *
 * @example
 * ```ts
 * const applied = migrate(new Database('oidkit.db')) // 1 on a new file, 0 after that
 * ```
 * @returns how many migrations were applied.
 */
export function migrate(db: Database, list: readonly Migration[] = migrations): number {
  const version = () => db.pragma('user_version', { simple: true }) as number
  const current = version()
  if (current > list.length) {
    throw new Error(
      `@oidkit/sqlite: the database schema is at version ${current}, newer than this version ` +
        `of the package knows (${list.length}); upgrade @oidkit/sqlite`,
    )
  }
  let applied = 0
  for (let index = current; index < list.length; index++) {
    const migration = list[index]!
    const apply = db.transaction(() => {
      // Another connection may have applied it while this one waited for the write lock.
      if (version() > index) return
      try {
        db.exec(migration.sql)
      } catch (error) {
        throw new Error(`@oidkit/sqlite: migration ${index + 1} (${migration.name}) failed`, {
          cause: error,
        })
      }
      // user_version is part of the database header, so it commits or rolls back with the DDL.
      db.pragma(`user_version = ${index + 1}`)
      applied++
    })
    apply.immediate()
  }
  return applied
}
