import type {
  AuthorizationCodeRecord,
  Client,
  ConsentRecord,
  ConsumeResult,
  GrantRecord,
  InteractionRecord,
  SessionRecord,
  Storage,
  TokenRecord,
} from '@oidkit/oauth2'
import Database from 'better-sqlite3'
import { BACKSTOP_PAGES, type Checkpointer, startCheckpointer } from './checkpointer'
import {
  codeData,
  grantData,
  parseCode,
  parseData,
  parseGrant,
  parseToken,
  tokenData,
} from './rows'
import { migrate } from './schema'
import { prepareStatements, type Statements } from './statements'

/** Options of {@link SqliteStore}. */
export interface SqliteStoreOptions {
  /** Path of the database file, created if missing; `':memory:'` for a private in-memory one. */
  filename: string
  /** Seconds between sweeps of expired records (default 60); 0 turns the timer off. */
  sweepInterval?: number
  /** Milliseconds a write waits for another connection's lock before failing (default 5000). */
  busyTimeout?: number
  /**
   * Where WAL checkpoints run (a file database only). `'background'` (default): in a worker
   * thread with its own connection, so that copying pages back into the database file and the
   * fsyncs never block the event loop; the writing connection checkpoints by itself only every
   * 16,000 pages (the WAL file grows to about 64 MB), to restart the WAL. `'inline'`: SQLite's
   * automatic checkpoint on the writing connection every 1000 pages (4 MB), which blocks the
   * event loop while the disk syncs.
   */
  checkpoint?: 'background' | 'inline'
}

// setInterval fires at once for delays beyond a signed 32-bit millisecond count.
const MAX_TIMER_DELAY = 2_147_483_647

const nowSeconds = () => Math.floor(Date.now() / 1000)

/**
 * A {@link Storage} on SQLite (better-sqlite3): durable across restarts, shared by every process
 * that opens the same file. Opening applies the schema migrations it lacks; expired records are
 * swept on an unref'd timer.
 *
 * @example
 * ```ts
 * const storage = SqliteStore.open('oidkit.db')
 * const server = createAuthorizationServer({ issuer, keys, storage })
 * process.on('SIGTERM', () => storage.close())
 * ```
 */
export class SqliteStore implements Storage {
  readonly #db: Database.Database
  readonly #sql: Statements
  readonly #timer: NodeJS.Timeout | undefined
  readonly #checkpointer: Checkpointer | undefined
  readonly #revokeGrant: (id: string, at: number) => void
  readonly #revokeClientGrants: (clientId: string, at: number) => void
  readonly #sweep: (now: number) => void

  constructor(options: SqliteStoreOptions) {
    const sweepInterval = options.sweepInterval ?? 60
    const busyTimeout = options.busyTimeout ?? 5000
    if (!(sweepInterval >= 0)) throw new RangeError('sweepInterval must be a number >= 0')
    if (!(busyTimeout >= 0)) throw new RangeError('busyTimeout must be a number >= 0')

    const db = new Database(options.filename, { timeout: busyTimeout })
    try {
      db.pragma(`busy_timeout = ${Math.floor(busyTimeout)}`)
      // WAL lets readers run beside the writer; NORMAL is durable across crashes of the process
      // (a power loss may lose the last commits, never corrupt the file).
      db.pragma('journal_mode = WAL')
      db.pragma('synchronous = NORMAL')
      db.pragma('foreign_keys = ON')
      migrate(db)
      this.#sql = prepareStatements(db)
    } catch (error) {
      db.close()
      throw error
    }
    this.#db = db

    const sql = this.#sql
    this.#revokeGrant = db.transaction((id: string, at: number) => {
      sql.revokeGrant.run(at, id)
      sql.revokeGrantTokens.run(at, id)
      sql.burnGrantCodes.run(at, id)
    })
    this.#revokeClientGrants = db.transaction((clientId: string, at: number) => {
      sql.revokeClientGrants.run(at, clientId)
      sql.revokeClientTokens.run(at, clientId)
      sql.burnClientCodes.run(at, clientId)
    })
    this.#sweep = db.transaction((now: number) => {
      for (const statement of sql.sweep) statement.run(now)
    })

    const wal = db.pragma('journal_mode', { simple: true }) === 'wal'
    if (options.checkpoint !== 'inline' && wal) {
      // Raise the threshold only once a worker is there to do the copying.
      this.#checkpointer = startCheckpointer(options.filename, () => {
        // The worker died (it could not load the driver, say): checkpoint inline again.
        if (db.open) db.pragma('wal_autocheckpoint = 1000')
      })
      if (this.#checkpointer) db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`)
    }

    if (sweepInterval > 0) {
      const delay = Math.min(sweepInterval * 1000, MAX_TIMER_DELAY)
      this.#timer = setInterval(() => {
        // A sweep that fails (e.g. the lock stayed busy) is retried on the next tick; throwing
        // from a timer would bring the whole process down.
        try {
          this.#sweep(nowSeconds())
        } catch {}
      }, delay)
      // Sweeping alone must never keep the process alive.
      this.#timer.unref()
    }
  }

  /**
   * Opens (or creates) the database at `filename`.
   *
   * @example
   * ```ts
   * const storage = SqliteStore.open('/var/lib/oidkit/oidkit.db', { sweepInterval: 300 })
   * ```
   */
  static open(filename: string, options: Omit<SqliteStoreOptions, 'filename'> = {}): SqliteStore {
    return new SqliteStore({ ...options, filename })
  }

  clients = {
    get: async (clientId: string) => parseData<Client>(this.#sql.getClient.get(clientId)),
    save: async (client: Client) => {
      this.#sql.saveClient.run(client.client_id, JSON.stringify(client))
    },
    delete: async (clientId: string) => {
      this.#sql.deleteClient.run(clientId)
    },
  }

  grants = {
    save: async (grant: GrantRecord) => {
      this.#sql.saveGrant.run({
        id: grant.id,
        client_id: grant.clientId,
        account_id: grant.accountId ?? null,
        expires_at: grant.expiresAt,
        revoked_at: grant.revokedAt ?? null,
        data: grantData(grant),
      })
    },
    get: async (id: string) => {
      const row = this.#sql.getGrant.get(id)
      return row && parseGrant(row)
    },
    revoke: async (id: string, at: number) => {
      this.#revokeGrant(id, at)
    },
    revokeForClient: async (clientId: string, at: number) => {
      this.#revokeClientGrants(clientId, at)
    },
  }

  codes = {
    save: async (code: AuthorizationCodeRecord) => {
      this.#sql.saveCode.run({
        hash: code.hash,
        grant_id: code.grantId,
        expires_at: code.expiresAt,
        consumed_at: code.consumedAt ?? null,
        data: codeData(code),
      })
    },
    // One conditional UPDATE decides the winner: SQLite serialises writers, so of any number
    // of connections exactly one sees the row with consumed_at still NULL.
    consume: async (hash: string, at: number): Promise<ConsumeResult<AuthorizationCodeRecord>> => {
      const won = this.#sql.consumeCode.get(at, hash)
      if (won) return { status: 'consumed', record: parseCode(won) }
      const row = this.#sql.getCode.get(hash)
      return row ? { status: 'replayed', record: parseCode(row) } : { status: 'not_found' }
    },
  }

  tokens = {
    save: async (token: TokenRecord) => {
      this.#sql.saveToken.run({
        hash: token.hash,
        type: token.type,
        grant_id: token.grantId,
        client_id: token.clientId,
        expires_at: token.expiresAt,
        revoked_at: token.revokedAt ?? null,
        consumed_at: token.consumedAt ?? null,
        data: tokenData(token),
      })
    },
    get: async (hash: string) => {
      const row = this.#sql.getToken.get(hash)
      return row && parseToken(row)
    },
    consume: async (hash: string, at: number): Promise<ConsumeResult<TokenRecord>> => {
      const won = this.#sql.consumeToken.get(at, hash)
      if (won) return { status: 'consumed', record: parseToken(won) }
      const row = this.#sql.getToken.get(hash)
      return row ? { status: 'replayed', record: parseToken(row) } : { status: 'not_found' }
    },
    revoke: async (hash: string, at: number) => {
      this.#sql.revokeToken.run(at, hash)
    },
  }

  jtis = {
    // The upsert only overwrites a key whose previous use has expired, so `changes` is 0
    // exactly when the key is still in use.
    use: async (key: string, expiresAt: number) =>
      this.#sql.useJti.run(key, expiresAt, nowSeconds()).changes === 1,
  }

  sessions = {
    save: async (session: SessionRecord) => {
      this.#sql.saveSession.run(
        session.id,
        session.accountId,
        session.expiresAt,
        JSON.stringify(session),
      )
    },
    get: async (id: string) => parseData<SessionRecord>(this.#sql.getSession.get(id)),
    delete: async (id: string) => {
      this.#sql.deleteSession.run(id)
    },
  }

  interactions = {
    save: async (interaction: InteractionRecord) => {
      this.#sql.saveInteraction.run(
        interaction.id,
        interaction.expiresAt,
        JSON.stringify(interaction),
      )
    },
    get: async (id: string) => parseData<InteractionRecord>(this.#sql.getInteraction.get(id)),
    delete: async (id: string) => {
      this.#sql.deleteInteraction.run(id)
    },
  }

  consents = {
    get: async (accountId: string, clientId: string) =>
      parseData<ConsentRecord>(this.#sql.getConsent.get(accountId, clientId)),
    save: async (consent: ConsentRecord) => {
      this.#sql.saveConsent.run(consent.accountId, consent.clientId, JSON.stringify(consent))
    },
    delete: async (accountId: string, clientId: string) => {
      this.#sql.deleteConsent.run(accountId, clientId)
    },
  }

  registrationTokens = {
    save: async (hash: string, clientId: string) => {
      this.#sql.saveRegistrationToken.run(hash, clientId)
    },
    getClientId: async (hash: string) => this.#sql.getRegistrationToken.get(hash)?.client_id,
    deleteForClient: async (clientId: string) => {
      this.#sql.deleteRegistrationTokens.run(clientId)
    },
  }

  /** Deletes every record that expired at or before `now` (seconds), in one transaction. */
  async sweep(now: number = nowSeconds()): Promise<void> {
    this.#sweep(now)
  }

  /**
   * Copies the live database to `destination` with SQLite's online backup, safe while the
   * server keeps writing.
   *
   * @example
   * ```ts
   * await storage.backup(`/backups/oidkit-${Date.now()}.db`)
   * ```
   */
  async backup(destination: string): Promise<void> {
    await this.#db.backup(destination)
  }

  /**
   * Stops the sweep timer and the background checkpointer and closes the connection; calling it
   * again does nothing.
   */
  close(): void {
    clearInterval(this.#timer)
    this.#checkpointer?.stop()
    if (this.#db.open) this.#db.close()
  }
}
