import type { Client } from './client'

/**
 * Records are plain JSON-serialisable objects; timestamps are seconds since the epoch. Token
 * values are never stored: stores key codes and tokens by their SHA-256 hash.
 */

/** An authorization grant: one authorization of a client by an end-user (or by itself). */
export interface GrantRecord {
  readonly id: string
  readonly clientId: string
  /** The end-user's account id; absent for `client_credentials`. */
  readonly accountId?: string
  readonly scopes: readonly string[]
  /** Claims granted through the OpenID Connect `claims` parameter, as JSON. */
  readonly claims?: Readonly<Record<string, unknown>>
  /** When the end-user authenticated. */
  readonly authTime?: number
  readonly acr?: string
  readonly amr?: readonly string[]
  /** The OP session id the grant was made in. */
  readonly sessionId?: string
  readonly createdAt: number
  readonly expiresAt: number
  readonly revokedAt?: number
}

/** An authorization code (RFC 6749 4.1.2), bound to everything it was issued with. */
export interface AuthorizationCodeRecord {
  /** SHA-256 of the code. */
  readonly hash: string
  readonly grantId: string
  readonly clientId: string
  readonly redirectUri: string
  /** False when the authorization request omitted redirect_uri (RFC 6749 4.1.3). */
  readonly redirectUriProvided?: boolean
  readonly scopes: readonly string[]
  readonly codeChallenge?: string
  readonly codeChallengeMethod?: 'S256' | 'plain'
  readonly nonce?: string
  /** Anything an extension binds to the code (e.g. requested claims). */
  readonly extra?: Readonly<Record<string, unknown>>
  readonly createdAt: number
  readonly expiresAt: number
  /** Set once when the code is redeemed. */
  readonly consumedAt?: number
}

export type TokenType = 'access_token' | 'refresh_token'

/** An access or refresh token. */
export interface TokenRecord {
  /** SHA-256 of the token value (of the `jti` for JWT access tokens). */
  readonly hash: string
  readonly type: TokenType
  readonly grantId: string
  readonly clientId: string
  readonly accountId?: string
  readonly scopes: readonly string[]
  /** RFC 9068 JWT or opaque. */
  readonly format: 'opaque' | 'jwt'
  readonly createdAt: number
  readonly expiresAt: number
  readonly revokedAt?: number
  /** For refresh tokens: set once when rotated. */
  readonly consumedAt?: number
  readonly extra?: Readonly<Record<string, unknown>>
}

/** An end-user's session at the provider (the cookie holds only its id). */
export interface SessionRecord {
  readonly id: string
  readonly accountId: string
  readonly authTime: number
  readonly acr?: string
  readonly amr?: readonly string[]
  readonly createdAt: number
  readonly expiresAt: number
  readonly extra?: Readonly<Record<string, unknown>>
}

/** A pending authorization request waiting for the end-user (login, consent, ...). */
export interface InteractionRecord {
  readonly id: string
  /** What the end-user has to do next. */
  readonly prompt: string
  /** Why the check asked for that prompt (e.g. `max_age`), for the interaction page. */
  readonly reason?: string
  /** The validated authorization request parameters. */
  readonly params: Readonly<Record<string, string>>
  readonly clientId: string
  /** Results of finished steps (login, consent), kept until the request completes. */
  readonly result?: Readonly<Record<string, unknown>>
  readonly createdAt: number
  readonly expiresAt: number
}

/** Consent an end-user gave to a client, remembered for later authorizations. */
export interface ConsentRecord {
  readonly accountId: string
  readonly clientId: string
  readonly scopes: readonly string[]
  readonly claims?: readonly string[]
  readonly updatedAt: number
}

/** Outcome of a single-use consumption. */
export type ConsumeResult<T> =
  | { readonly status: 'consumed'; readonly record: T }
  | { readonly status: 'replayed'; readonly record: T }
  | { readonly status: 'not_found' }

/**
 * Everything the server persists. Every method may be async. Implementations must make the
 * `consume*` methods atomic: of any number of concurrent calls for one key, exactly one returns
 * `consumed` (in SQL: one `UPDATE ... WHERE consumed_at IS NULL` and a check of the row count).
 */
export interface Storage {
  clients: {
    get(clientId: string): Promise<Client | undefined>
    /** Creates or replaces the client. */
    save(client: Client): Promise<void>
    delete(clientId: string): Promise<void>
  }
  grants: {
    save(grant: GrantRecord): Promise<void>
    get(id: string): Promise<GrantRecord | undefined>
    /** Marks the grant revoked and revokes every token and code issued under it. */
    revoke(id: string, at: number): Promise<void>
    /**
     * Revokes every grant of the client as {@link revoke} does, with their tokens and codes:
     * RFC 7592 2.3 on deleting a client. Grants already revoked keep their first `revokedAt`.
     */
    revokeForClient(clientId: string, at: number): Promise<void>
  }
  codes: {
    save(code: AuthorizationCodeRecord): Promise<void>
    /** Atomically marks the code consumed; `replayed` when it already was. */
    consume(hash: string, at: number): Promise<ConsumeResult<AuthorizationCodeRecord>>
  }
  tokens: {
    save(token: TokenRecord): Promise<void>
    get(hash: string): Promise<TokenRecord | undefined>
    /** Atomically marks a refresh token used (rotation); `replayed` when it already was. */
    consume(hash: string, at: number): Promise<ConsumeResult<TokenRecord>>
    revoke(hash: string, at: number): Promise<void>
  }
  /** Single-use JWT ids (client assertions, RFC 7523 3 item 7). */
  jtis: {
    /** Records `key` until `expiresAt`; false when it was already recorded and not expired. */
    use(key: string, expiresAt: number): Promise<boolean>
  }
  sessions: {
    save(session: SessionRecord): Promise<void>
    get(id: string): Promise<SessionRecord | undefined>
    delete(id: string): Promise<void>
  }
  interactions: {
    save(interaction: InteractionRecord): Promise<void>
    get(id: string): Promise<InteractionRecord | undefined>
    delete(id: string): Promise<void>
  }
  consents: {
    get(accountId: string, clientId: string): Promise<ConsentRecord | undefined>
    save(consent: ConsentRecord): Promise<void>
    delete(accountId: string, clientId: string): Promise<void>
  }
  /** Registration access tokens (RFC 7592), by hash. */
  registrationTokens: {
    save(hash: string, clientId: string): Promise<void>
    getClientId(hash: string): Promise<string | undefined>
    deleteForClient(clientId: string): Promise<void>
  }
  /** Removes every expired record; stores call it on a timer or lazily. */
  sweep?(now: number): Promise<void>
}
