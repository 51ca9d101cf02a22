import { randomBytes, randomUUID, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto'
import Database from 'better-sqlite3'

/** An end-user of the demo OP. `id` is the OIDC `sub`: stable, never reassigned. */
export interface Account {
  readonly id: string
  readonly username: string
  /** The OIDC Core 5.1 standard claims, `sub` excluded. */
  readonly claims: Readonly<Record<string, unknown>>
}

/** What {@link AccountStore.create} needs. */
export interface NewAccount {
  username: string
  password: string
  claims: Record<string, unknown>
}

// OWASP Password Storage Cheat Sheet: scrypt with N=2^17, r=8, p=1. The parameters are stored
// with every hash, so raising them later only affects new hashes.
const SCRYPT = { N: 2 ** 17, r: 8, p: 1 } as const
const KEY_LENGTH = 32
const SALT_LENGTH = 16

function deriveKey(
  password: string,
  salt: Buffer,
  params: { N: number; r: number; p: number },
): Promise<Buffer> {
  // 128 * N * r bytes is what scrypt needs; the default 32 MiB cap is below that for N=2^17.
  const options: ScryptOptions = { ...params, maxmem: 256 * params.N * params.r }
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, options, (error, key) =>
      error ? reject(error) : resolve(key),
    )
  })
}

/**
 * Hashes a password with scrypt and a random salt, as `scrypt$N$r$p$salt$hash` (base64url).
 *
 * @example
 * ```ts
 * const stored = await hashPassword('wonderland')
 * await verifyPassword('wonderland', stored) // true
 * ```
 */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_LENGTH)
  const key = await deriveKey(password, salt, SCRYPT)
  const { N, r, p } = SCRYPT
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64url')}$${key.toString('base64url')}`
}

/**
 * Checks a password against a stored hash in constant time; false for malformed hashes.
 *
 * @example
 * ```ts
 * if (!(await verifyPassword(input, account.passwordHash))) throw new Error('denied')
 * ```
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$')
  if (scheme !== 'scrypt' || salt === undefined || hash === undefined) return false
  const params = { N: Number(n), r: Number(r), p: Number(p) }
  if (!Object.values(params).every((value) => Number.isSafeInteger(value) && value > 0)) {
    return false
  }
  const expected = Buffer.from(hash, 'base64url')
  const actual = await deriveKey(password, Buffer.from(salt, 'base64url'), params)
  return expected.length === actual.length && timingSafeEqual(expected, actual)
}

interface AccountRow {
  id: string
  username: string
  password_hash: string
  claims: string
}

const toAccount = (row: AccountRow): Account => ({
  id: row.id,
  username: row.username,
  claims: JSON.parse(row.claims) as Record<string, unknown>,
})

/**
 * The demo's user database: an `accounts` table in the same SQLite file as the OAuth records
 * (oidkit never owns users; the application does).
 *
 * @example
 * ```ts
 * const accounts = new AccountStore('.data/oidkit.db')
 * const alice = await accounts.authenticate('alice', 'wonderland')
 * ```
 */
export class AccountStore {
  readonly #db: Database.Database
  readonly #byUsername: Database.Statement<[string], AccountRow>
  readonly #byId: Database.Statement<[string], AccountRow>
  readonly #insert: Database.Statement<[string, string, string, string, number]>
  // Verified when the username is unknown, so that response times do not reveal which
  // usernames exist.
  #dummyHash: Promise<string> | undefined

  constructor(filename: string) {
    const db = new Database(filename, { timeout: 5000 })
    try {
      db.pragma('journal_mode = WAL')
      db.exec(`
        CREATE TABLE IF NOT EXISTS accounts (
          id TEXT PRIMARY KEY NOT NULL,
          username TEXT NOT NULL UNIQUE COLLATE NOCASE,
          password_hash TEXT NOT NULL,
          claims TEXT NOT NULL,
          created_at INTEGER NOT NULL
        )
      `)
      this.#byUsername = db.prepare('SELECT * FROM accounts WHERE username = ?')
      this.#byId = db.prepare('SELECT * FROM accounts WHERE id = ?')
      this.#insert = db.prepare(
        'INSERT INTO accounts (id, username, password_hash, claims, created_at) VALUES (?, ?, ?, ?, ?)',
      )
    } catch (error) {
      db.close()
      throw error
    }
    this.#db = db
  }

  /** The account with this id (the OIDC `sub`). */
  findById(id: string): Account | undefined {
    const row = this.#byId.get(id)
    return row ? toAccount(row) : undefined
  }

  /** The account with this username, compared case-insensitively. */
  findByUsername(username: string): Account | undefined {
    const row = this.#byUsername.get(username.trim())
    return row ? toAccount(row) : undefined
  }

  /** The account when the password is right; undefined otherwise (unknown user included). */
  async authenticate(username: string, password: string): Promise<Account | undefined> {
    const row = this.#byUsername.get(username.trim())
    if (!row) {
      this.#dummyHash ??= hashPassword(randomUUID())
      await verifyPassword(password, await this.#dummyHash)
      return undefined
    }
    return (await verifyPassword(password, row.password_hash)) ? toAccount(row) : undefined
  }

  /** Adds an account with a freshly hashed password. */
  async create(input: NewAccount): Promise<Account> {
    const id = randomUUID()
    const hash = await hashPassword(input.password)
    const claims = JSON.stringify(input.claims)
    this.#insert.run(id, input.username, hash, claims, Math.floor(Date.now() / 1000))
    return { id, username: input.username, claims: input.claims }
  }

  /** Creates the accounts whose usernames do not exist yet (first start). */
  async seed(accounts: readonly NewAccount[]): Promise<void> {
    for (const account of accounts) {
      if (!this.findByUsername(account.username)) await this.create(account)
    }
  }

  close(): void {
    if (this.#db.open) this.#db.close()
  }
}

/**
 * The demo accounts seeded on first start: `alice` / `wonderland` with every standard claim,
 * `bob` / `builder` with a smaller, different profile.
 *
 * @example
 * ```ts
 * await accounts.seed(demoAccounts(Math.floor(Date.now() / 1000)))
 * ```
 */
export function demoAccounts(updatedAt: number): NewAccount[] {
  return [
    {
      username: 'alice',
      password: 'wonderland',
      claims: {
        name: 'Alice Liddell',
        given_name: 'Alice',
        family_name: 'Liddell',
        middle_name: 'Pleasance',
        nickname: 'Ally',
        preferred_username: 'alice',
        profile: 'https://alice.example/profile',
        picture: 'https://alice.example/alice.png',
        website: 'https://alice.example',
        gender: 'female',
        birthdate: '1852-05-04',
        zoneinfo: 'Europe/London',
        locale: 'en-GB',
        updated_at: updatedAt,
        email: 'alice@example.com',
        email_verified: true,
        address: {
          formatted: 'Christ Church\nSt Aldates\nOxford OX1 1DP\nUnited Kingdom',
          street_address: 'Christ Church\nSt Aldates',
          locality: 'Oxford',
          region: 'Oxfordshire',
          postal_code: 'OX1 1DP',
          country: 'GB',
        },
        phone_number: '+44 1865 276150',
        phone_number_verified: true,
      },
    },
    {
      username: 'bob',
      password: 'builder',
      claims: {
        name: 'Bob Builder',
        given_name: 'Bob',
        family_name: 'Builder',
        preferred_username: 'bob',
        website: 'https://bob.example',
        birthdate: '1998-11-28',
        zoneinfo: 'America/Chicago',
        locale: 'en-US',
        updated_at: updatedAt,
        email: 'bob@example.org',
        email_verified: false,
        address: {
          formatted: '1 Sunflower Valley\nBobsville, IL 60000\nUnited States',
          street_address: '1 Sunflower Valley',
          locality: 'Bobsville',
          region: 'IL',
          postal_code: '60000',
          country: 'US',
        },
        phone_number: '+1 555 0100',
        phone_number_verified: false,
      },
    },
  ]
}
