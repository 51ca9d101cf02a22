import type { Client } from './client'
import { ExpiryIndex } from './expiry-index'
import type {
  AuthorizationCodeRecord,
  ConsentRecord,
  ConsumeResult,
  GrantRecord,
  InteractionRecord,
  SessionRecord,
  Storage,
  TokenRecord,
} from './storage'
import { withFields } from './with-fields'

const nowSeconds = () => Math.floor(Date.now() / 1000)

// The kinds of record that expire, as they are noted in the expiry index.
const GRANT = 0
const CODE = 1
const TOKEN = 2
const JTI = 3
const SESSION = 4
const INTERACTION = 5
type Expiring =
  | typeof GRANT
  | typeof CODE
  | typeof TOKEN
  | typeof JTI
  | typeof SESSION
  | typeof INTERACTION

/** Deletes `key` from `records` if its record has expired by `now`, and returns that record. */
function dropExpired<T extends { readonly expiresAt: number }>(
  records: Map<string, T>,
  key: string,
  now: number,
): T | undefined {
  const record = records.get(key)
  if (record === undefined || !(record.expiresAt <= now)) return undefined
  records.delete(key)
  return record
}

/**
 * An in-memory {@link Storage} for tests and development. Everything is lost on restart.
 * Expired records are swept lazily while writing, so memory stays bounded under load.
 *
 * @example
 * ```ts
 * const server = createAuthorizationServer({ issuer, keys, storage: new MemoryStore() })
 * ```
 */
export class MemoryStore implements Storage {
  readonly #clients = new Map<string, Client>()
  readonly #grants = new Map<string, GrantRecord>()
  readonly #codes = new Map<string, AuthorizationCodeRecord>()
  readonly #tokens = new Map<string, TokenRecord>()
  readonly #byGrant = new Map<string, Set<string>>()
  readonly #jtis = new Map<string, number>()
  readonly #sessions = new Map<string, SessionRecord>()
  readonly #interactions = new Map<string, InteractionRecord>()
  readonly #consents = new Map<string, ConsentRecord>()
  readonly #registrationTokens = new Map<string, string>()
  // A sweep visits only what has expired, not every record held. An entry may be stale (the
  // record was saved again with a later expiry, or deleted): the sweep checks the record itself.
  readonly #expiry = new ExpiryIndex<Expiring>()
  readonly #sweepInterval: number
  #writes = 0
  #lastSweep = nowSeconds()

  /** @param options.sweepInterval seconds between lazy sweeps (default 30). */
  constructor(options: { sweepInterval?: number } = {}) {
    this.#sweepInterval = options.sweepInterval ?? 30
  }

  #expires(kind: Expiring, key: string, expiresAt: number): void {
    this.#expiry.add(kind, key, expiresAt)
    this.#wrote()
  }

  #wrote(): void {
    // Checking the clock on every write is cheap; sweeping is done at most once per interval.
    if (++this.#writes % 256 !== 0) return
    const now = nowSeconds()
    if (now - this.#lastSweep >= this.#sweepInterval) void this.sweep(now)
  }

  #index(grantId: string, hash: string): void {
    const set = this.#byGrant.get(grantId)
    if (set) set.add(hash)
    else this.#byGrant.set(grantId, new Set([hash]))
  }

  clients = {
    get: async (id: string) => this.#clients.get(id),
    save: async (client: Client) => {
      this.#clients.set(client.client_id, structuredClone(client))
    },
    delete: async (id: string) => {
      this.#clients.delete(id)
    },
  }

  grants = {
    save: async (grant: GrantRecord) => {
      this.#grants.set(grant.id, grant)
      this.#expires(GRANT, grant.id, grant.expiresAt)
    },
    get: async (id: string) => this.#grants.get(id),
    revoke: async (id: string, at: number) => this.#revokeGrant(id, at),
    // A scan rather than an index by client: deleting a client is rare, and an index would cost
    // every grant saved on the token endpoint's hot path.
    revokeForClient: async (clientId: string, at: number) => {
      for (const [id, grant] of this.#grants) {
        if (grant.clientId === clientId) this.#revokeGrant(id, at)
      }
    },
  }

  #revokeGrant(id: string, at: number): void {
    const grant = this.#grants.get(id)
    if (grant) this.#grants.set(id, withFields(grant, { revokedAt: grant.revokedAt ?? at }))
    for (const hash of this.#byGrant.get(id) ?? []) {
      const token = this.#tokens.get(hash)
      if (token && token.revokedAt === undefined)
        this.#tokens.set(hash, withFields(token, { revokedAt: at }))
      const code = this.#codes.get(hash)
      if (code && code.consumedAt === undefined)
        this.#codes.set(hash, withFields(code, { consumedAt: at }))
    }
  }

  codes = {
    save: async (code: AuthorizationCodeRecord) => {
      this.#codes.set(code.hash, code)
      this.#index(code.grantId, code.hash)
      this.#expires(CODE, code.hash, code.expiresAt)
    },
    // Synchronous between lookup and write, so concurrent callers can never both win.
    consume: async (hash: string, at: number): Promise<ConsumeResult<AuthorizationCodeRecord>> => {
      const code = this.#codes.get(hash)
      if (!code) return { status: 'not_found' }
      if (code.consumedAt !== undefined) return { status: 'replayed', record: code }
      const consumed = withFields(code, { consumedAt: at })
      this.#codes.set(hash, consumed)
      return { status: 'consumed', record: consumed }
    },
  }

  tokens = {
    save: async (token: TokenRecord) => {
      this.#tokens.set(token.hash, token)
      this.#index(token.grantId, token.hash)
      this.#expires(TOKEN, token.hash, token.expiresAt)
    },
    get: async (hash: string) => this.#tokens.get(hash),
    consume: async (hash: string, at: number): Promise<ConsumeResult<TokenRecord>> => {
      const token = this.#tokens.get(hash)
      if (!token) return { status: 'not_found' }
      if (token.consumedAt !== undefined) return { status: 'replayed', record: token }
      const consumed = withFields(token, { consumedAt: at })
      this.#tokens.set(hash, consumed)
      return { status: 'consumed', record: consumed }
    },
    revoke: async (hash: string, at: number) => {
      const token = this.#tokens.get(hash)
      if (token && token.revokedAt === undefined)
        this.#tokens.set(hash, withFields(token, { revokedAt: at }))
    },
  }

  jtis = {
    use: async (key: string, expiresAt: number) => {
      const existing = this.#jtis.get(key)
      if (existing !== undefined && existing > nowSeconds()) return false
      this.#jtis.set(key, expiresAt)
      this.#expires(JTI, key, expiresAt)
      return true
    },
  }

  sessions = {
    save: async (session: SessionRecord) => {
      this.#sessions.set(session.id, session)
      this.#expires(SESSION, session.id, session.expiresAt)
    },
    get: async (id: string) => this.#sessions.get(id),
    delete: async (id: string) => {
      this.#sessions.delete(id)
    },
  }

  interactions = {
    save: async (interaction: InteractionRecord) => {
      this.#interactions.set(interaction.id, interaction)
      this.#expires(INTERACTION, interaction.id, interaction.expiresAt)
    },
    get: async (id: string) => this.#interactions.get(id),
    delete: async (id: string) => {
      this.#interactions.delete(id)
    },
  }

  consents = {
    get: async (accountId: string, clientId: string) =>
      this.#consents.get(JSON.stringify([accountId, clientId])),
    save: async (consent: ConsentRecord) => {
      this.#consents.set(JSON.stringify([consent.accountId, consent.clientId]), consent)
    },
    delete: async (accountId: string, clientId: string) => {
      this.#consents.delete(JSON.stringify([accountId, clientId]))
    },
  }

  registrationTokens = {
    save: async (hash: string, clientId: string) => {
      this.#registrationTokens.set(hash, clientId)
    },
    getClientId: async (hash: string) => this.#registrationTokens.get(hash),
    deleteForClient: async (clientId: string) => {
      for (const [hash, id] of this.#registrationTokens) {
        if (id === clientId) this.#registrationTokens.delete(hash)
      }
    },
  }

  /**
   * Drops every expired record. Its cost is that of the records due since the last sweep, not of
   * every record held, so a store with many live tokens (or long-lived ones) sweeps as quickly as
   * an empty one.
   */
  async sweep(now: number = nowSeconds()): Promise<void> {
    this.#lastSweep = now
    this.#expiry.drain(now, (kind, key) => this.#expire(kind, key, now))
  }

  // The pair may be stale: the record is dropped only if it is (still) expired.
  #expire(kind: Expiring, key: string, now: number): void {
    switch (kind) {
      case GRANT:
        if (dropExpired(this.#grants, key, now)) this.#byGrant.delete(key)
        return
      case CODE: {
        const code = dropExpired(this.#codes, key, now)
        if (code) this.#unindex(code.grantId, key)
        return
      }
      case TOKEN: {
        const token = dropExpired(this.#tokens, key, now)
        if (token) this.#unindex(token.grantId, key)
        return
      }
      case JTI: {
        const expiresAt = this.#jtis.get(key)
        if (expiresAt !== undefined && expiresAt <= now) this.#jtis.delete(key)
        return
      }
      case SESSION:
        dropExpired(this.#sessions, key, now)
        return
      case INTERACTION:
        dropExpired(this.#interactions, key, now)
        return
    }
  }

  #unindex(grantId: string, hash: string): void {
    const hashes = this.#byGrant.get(grantId)
    if (!hashes) return
    hashes.delete(hash)
    if (hashes.size === 0) this.#byGrant.delete(grantId)
  }

  /** How many records of each kind are held (for tests and memory reports). */
  size(): Record<string, number> {
    return {
      clients: this.#clients.size,
      grants: this.#grants.size,
      codes: this.#codes.size,
      tokens: this.#tokens.size,
      jtis: this.#jtis.size,
      sessions: this.#sessions.size,
      interactions: this.#interactions.size,
      grantIndex: this.#byGrant.size,
    }
  }
}
