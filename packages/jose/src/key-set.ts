import type { JSONWebKeySet, JWK } from 'jose'
import { JoseError } from './errors'
import {
  type AsymmetricAlgorithm,
  generateSigningKey,
  importSigningKey,
  type KeyState,
  type SigningKey,
} from './keys'

/** One key of a {@link KeySet} with its rotation state. */
export interface KeySetEntry {
  readonly key: SigningKey
  readonly state: KeyState
  /** Seconds since the epoch when the key entered the set. */
  readonly createdAt: number
}

/** The JSON form of a {@link KeySet}, private keys included: store it like a password. */
export interface SerializedKeySet {
  readonly keys: ReadonlyArray<{ state: KeyState; createdAt: number; jwk: JWK }>
}

const now = () => Math.floor(Date.now() / 1000)

/**
 * The provider's signing keys. A key is published before it signs (`next`), signs while
 * `current`, and stays published for verification while `retired`, so that relying parties that
 * cache the JWKS never see a signature they cannot check.
 *
 * @example
 * ```ts
 * const keys = await KeySet.generate(['RS256', 'ES256'])
 * const jwks = keys.jwks() // serve at jwks_uri
 * await keys.rotate('RS256') // next → current, current → retired, new next
 * await save(JSON.stringify(keys))
 * ```
 */
export class KeySet {
  #entries: KeySetEntry[] = []
  #jwks: JSONWebKeySet | undefined

  /** A set with one current key per algorithm. */
  static async generate(
    algs: AsymmetricAlgorithm | readonly AsymmetricAlgorithm[],
  ): Promise<KeySet> {
    const set = new KeySet()
    for (const alg of typeof algs === 'string' ? [algs] : algs) await set.generate(alg)
    return set
  }

  /** Loads a set saved with `JSON.stringify(keySet)` (or {@link KeySet.toJSON}). */
  static async fromJSON(input: SerializedKeySet | string): Promise<KeySet> {
    let data: unknown
    try {
      data = typeof input === 'string' ? JSON.parse(input) : input
    } catch (cause) {
      throw new JoseError('ERR_KEY_INVALID', 'the key set is not valid JSON', { cause })
    }
    const keys = (data as SerializedKeySet | null)?.keys
    if (!Array.isArray(keys))
      throw new JoseError('ERR_KEY_INVALID', 'the key set has no "keys" array')
    const set = new KeySet()
    for (const item of keys) {
      if (!item || !['next', 'current', 'retired'].includes(item.state)) {
        throw new JoseError('ERR_KEY_INVALID', 'every stored key needs a state')
      }
      set.add(await importSigningKey(item.jwk), { state: item.state, createdAt: item.createdAt })
    }
    return set
  }

  /** Adds a key. A second key with the same `kid` is refused. */
  add(key: SigningKey, options: { state?: KeyState; createdAt?: number } = {}): this {
    if (this.#entries.some((entry) => entry.key.kid === key.kid)) {
      throw new JoseError('ERR_KEY_INVALID', `a key with kid "${key.kid}" is already in the set`)
    }
    this.#entries.push({
      key,
      state: options.state ?? 'current',
      createdAt: options.createdAt ?? now(),
    })
    this.#jwks = undefined
    return this
  }

  /** Generates and adds a key. */
  async generate(
    alg: AsymmetricAlgorithm,
    options: { state?: KeyState } = {},
  ): Promise<SigningKey> {
    const key = await generateSigningKey(alg)
    this.add(key, options)
    return key
  }

  /** Every key with its state, oldest first. */
  entries(): readonly KeySetEntry[] {
    return this.#entries
  }

  /**
   * The public JWKS to serve at `jwks_uri`: next, current and retired keys, public members only.
   * The object is cached until the set changes.
   */
  jwks(): JSONWebKeySet {
    this.#jwks ??= { keys: this.#entries.map((entry) => ({ ...entry.key.publicJwk })) }
    return this.#jwks
  }

  /** The algorithms that have a current key, in insertion order. */
  algorithms(): AsymmetricAlgorithm[] {
    return [...new Set(this.#entries.filter((e) => e.state === 'current').map((e) => e.key.alg))]
  }

  /**
   * The newest current key for `alg` (or the newest current key of any algorithm). `next` and
   * `retired` keys never sign.
   */
  signingKey(alg?: string): SigningKey {
    for (let i = this.#entries.length - 1; i >= 0; i--) {
      const entry = this.#entries[i]!
      if (entry.state === 'current' && (alg === undefined || entry.key.alg === alg))
        return entry.key
    }
    throw new JoseError(
      'ERR_KEY_NOT_FOUND',
      alg ? `no current key signs with ${alg}` : 'the key set has no current key',
    )
  }

  /** The published key with this `kid` (any state), for verification. */
  get(kid: string): SigningKey | undefined {
    return this.#entries.find((entry) => entry.key.kid === kid)?.key
  }

  /**
   * Rotates `alg`: the `next` key (generated if there is none) becomes current, the current one
   * retires, and a fresh `next` key is published for the following rotation.
   */
  async rotate(alg: AsymmetricAlgorithm): Promise<SigningKey> {
    let promoted = this.#entries.find((e) => e.state === 'next' && e.key.alg === alg)
    if (!promoted) {
      await this.generate(alg, { state: 'next' })
      promoted = this.#entries.at(-1)!
    }
    this.#entries = this.#entries.map((entry) => {
      if (entry === promoted) return { ...entry, state: 'current' }
      if (entry.state === 'current' && entry.key.alg === alg) return { ...entry, state: 'retired' }
      return entry
    })
    this.#jwks = undefined
    await this.generate(alg, { state: 'next' })
    return promoted.key
  }

  /** Removes a key (typically a retired one, once every token it signed has expired). */
  remove(kid: string): boolean {
    const before = this.#entries.length
    this.#entries = this.#entries.filter((entry) => entry.key.kid !== kid)
    this.#jwks = undefined
    return this.#entries.length !== before
  }

  /** The whole set with private keys, for persistence. */
  toJSON(): SerializedKeySet {
    return {
      keys: this.#entries.map((entry) => ({
        state: entry.state,
        createdAt: entry.createdAt,
        jwk: { ...entry.key.privateJwk },
      })),
    }
  }
}
