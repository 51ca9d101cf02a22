/**
 * An unbounded in-memory store for oidc-provider's own in-memory adapter. The adapter that
 * oidc-provider uses by default keeps its records in an LRU of 1,000 entries, which evicts the
 * codes minted before a redemption run (and any token under load) long before they expire; the
 * benchmark hands the same adapter logic (`MemoryAdapter`) this store instead: a `Map` with the
 * same per-entry expiry, swept on a timer like oidkit's `MemoryStore`, so memory stays bounded.
 */
export class ExpiringMap {
  readonly #entries = new Map<string, { value: unknown; expiry: number | undefined }>()

  constructor(sweepIntervalMs = 30_000) {
    setInterval(() => this.sweep(), sweepIntervalMs).unref()
  }

  get(key: string): unknown {
    const entry = this.#entries.get(key)
    if (!entry) return undefined
    if (entry.expiry !== undefined && entry.expiry <= Date.now()) {
      this.#entries.delete(key)
      return undefined
    }
    return entry.value
  }

  set(key: string, value: unknown, { maxAge }: { maxAge?: number } = {}): this {
    const expiry =
      typeof maxAge === 'number' && maxAge !== Number.POSITIVE_INFINITY
        ? Date.now() + maxAge
        : undefined
    this.#entries.set(key, { value, expiry })
    return this
  }

  has(key: string): boolean {
    return this.get(key) !== undefined
  }

  delete(key: string): boolean {
    return this.#entries.delete(key)
  }

  clear(): void {
    this.#entries.clear()
  }

  get size(): number {
    return this.#entries.size
  }

  /** Drops every expired entry. */
  sweep(now = Date.now()): void {
    for (const [key, entry] of this.#entries) {
      if (entry.expiry !== undefined && entry.expiry <= now) this.#entries.delete(key)
    }
  }
}
