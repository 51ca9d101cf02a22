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
 * One header of a Node request as `Headers.get` gives it: repeated lines joined with `, `, no
 * HTTP/2 pseudo-header, and no `Content-Length` for a re-encoded body (it has its own).
 */
export function nodeHeader(req: IncomingMessage, name: string, reencoded: boolean): string | null {
  const key = name.toLowerCase()
  if (key.startsWith(':') || (reencoded && key === 'content-length')) return null
  const value = req.headers[key]
  if (value === undefined) return null
  return typeof value === 'string' ? value : value.join(', ')
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
    return this.#req ? nodeHeader(this.#req, name, this.#reencoded) : super.get(name)
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
