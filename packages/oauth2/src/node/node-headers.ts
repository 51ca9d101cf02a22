import type { IncomingMessage } from 'node:http'

/** The header lines of `req`, without HTTP/2 pseudo-headers; a re-encoded body has its own length. */
export function headerPairs(req: IncomingMessage, reencoded: boolean): [string, string][] {
  const pairs: [string, string][] = []
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name.startsWith(':')) continue
    if (reencoded && name === 'content-length') continue
    if (Array.isArray(value)) for (const item of value) pairs.push([name, item])
    else pairs.push([name, value])
  }
  return pairs
}

/**
 * The headers of a Node request as a Web `Headers` that copies them in only when something
 * other than `get` or `has` is called: endpoints read two or three headers, and filling a
 * `Headers` with every line of a browser's request costs more than that.
 */
export class NodeHeaders extends Headers {
  #req: IncomingMessage | undefined
  readonly #reencoded: boolean

  constructor(req: IncomingMessage, reencoded: boolean) {
    super()
    this.#req = req
    this.#reencoded = reencoded
  }

  #fill(): void {
    const req = this.#req
    if (!req) return
    this.#req = undefined
    for (const [name, value] of headerPairs(req, this.#reencoded)) super.append(name, value)
  }

  override get(name: string): string | null {
    if (!this.#req) return super.get(name)
    const key = name.toLowerCase()
    if (key.startsWith(':') || (this.#reencoded && key === 'content-length')) return null
    const value = this.#req.headers[key]
    if (value === undefined) return null
    return typeof value === 'string' ? value : value.join(', ')
  }

  override has(name: string): boolean {
    return this.#req ? this.get(name) !== null : super.has(name)
  }

  override append(name: string, value: string): void {
    this.#fill()
    super.append(name, value)
  }

  override set(name: string, value: string): void {
    this.#fill()
    super.set(name, value)
  }

  override delete(name: string): void {
    this.#fill()
    super.delete(name)
  }

  override getSetCookie(): string[] {
    this.#fill()
    return super.getSetCookie()
  }

  override forEach(
    callback: (value: string, key: string, parent: Headers) => void,
    thisArg?: unknown,
  ): void {
    this.#fill()
    super.forEach(callback, thisArg)
  }

  override entries(): HeadersIterator<[string, string]> {
    this.#fill()
    return super.entries()
  }

  override keys(): HeadersIterator<string> {
    this.#fill()
    return super.keys()
  }

  override values(): HeadersIterator<string> {
    this.#fill()
    return super.values()
  }

  override [Symbol.iterator](): HeadersIterator<[string, string]> {
    this.#fill()
    return super[Symbol.iterator]()
  }
}
