/**
 * Keys by the second they expire in, those seconds in a binary min-heap: draining visits only the
 * seconds that have passed, in order, however many keys or future seconds are held. Each key is
 * tagged with a small kind (which map it belongs to). Internal to the in-memory store.
 */
export class ExpiryIndex<Kind extends number> {
  // Flat (kind, key) pairs per second: no object per entry.
  readonly #due = new Map<number, Array<Kind | string>>()
  readonly #seconds: number[] = []

  /** Notes that `key` of `kind` expires at `expiresAt` (seconds); a non-finite expiry never does. */
  add(kind: Kind, key: string, expiresAt: number): void {
    if (!Number.isFinite(expiresAt)) return
    const second = Math.ceil(expiresAt)
    const pairs = this.#due.get(second)
    if (pairs) pairs.push(kind, key)
    else {
      this.#due.set(second, [kind, key])
      heapPush(this.#seconds, second)
    }
  }

  /** Removes every entry due at or before `now` and hands each to `visit`, earliest first. */
  drain(now: number, visit: (kind: Kind, key: string) => void): void {
    const seconds = this.#seconds
    while (seconds.length > 0 && seconds[0]! <= now) {
      const second = heapPop(seconds)
      const pairs = this.#due.get(second)!
      this.#due.delete(second)
      for (let i = 0; i < pairs.length; i += 2) visit(pairs[i] as Kind, pairs[i + 1] as string)
    }
  }
}

/** Adds `value` to the binary min-heap `heap`. */
function heapPush(heap: number[], value: number): void {
  let index = heap.push(value) - 1
  while (index > 0) {
    const parent = (index - 1) >> 1
    if (heap[parent]! <= value) break
    heap[index] = heap[parent]!
    index = parent
  }
  heap[index] = value
}

/** Removes and returns the smallest value of the non-empty binary min-heap `heap`. */
function heapPop(heap: number[]): number {
  const top = heap[0]!
  const last = heap.pop()!
  if (heap.length === 0) return top
  let index = 0
  for (;;) {
    const left = 2 * index + 1
    if (left >= heap.length) break
    const right = left + 1
    const child = right < heap.length && heap[right]! < heap[left]! ? right : left
    if (heap[child]! >= last) break
    heap[index] = heap[child]!
    index = child
  }
  heap[index] = last
  return top
}
