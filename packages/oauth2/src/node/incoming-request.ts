import type { IncomingMessage, ServerResponse } from 'node:http'
import { mediaType, type RequestLike, readHeader, requestTarget, withWholeBody } from '../request'
import { bodyStream, closeSignal, nodeMethod, reencode } from './body'
import { NodeHeaders, nodeHeader } from './node-headers'

/** Where the request URL and a consumed body come from (see `ToWebRequestOptions`). */
export interface RequestSourceOptions {
  origin?: string
  trustProxy?: boolean
  body?: unknown
}

type ParsedBodyRequest = IncomingMessage & { body?: unknown; originalUrl?: string }

const first = (value: string | string[] | undefined) =>
  (Array.isArray(value) ? value[0] : value)?.split(',')[0]?.trim()

function requestOrigin(req: IncomingMessage, options: RequestSourceOptions): string {
  if (options.origin) return options.origin.replace(/\/$/, '')
  const encrypted = (req.socket as { encrypted?: boolean }).encrypted === true
  let proto = encrypted ? 'https' : 'http'
  let host = req.headers.host ?? first(req.headers[':authority' as 'host']) ?? 'localhost'
  if (options.trustProxy) {
    proto = first(req.headers['x-forwarded-proto']) ?? proto
    host = first(req.headers['x-forwarded-host']) ?? host
  }
  return `${proto}://${host}`
}

/** The request target (Express's `originalUrl` when mounted below a path). */
const rawTarget = (req: IncomingMessage) => (req as ParsedBodyRequest).originalUrl ?? req.url ?? '/'

/** The absolute URL of a Node request. */
export function requestUrl(req: IncomingMessage, options: RequestSourceOptions): string {
  return `${requestOrigin(req, options)}${rawTarget(req)}`
}

/**
 * The body of a Node request: its bytes (read beforehand, or re-encoded from what a body parser
 * made of it), the error that cut it short, `'stream'` while it is still to be read, or null.
 */
export type BodySource = Uint8Array<ArrayBuffer> | Error | 'stream' | null

const utf8 = new TextEncoder()

/** Where the body of `req` is; `whole` is what was read beforehand, if anything. */
export function bodySource(
  req: IncomingMessage,
  options: RequestSourceOptions,
  method: string,
  whole?: Uint8Array<ArrayBuffer> | Error,
): { source: BodySource; reencoded: boolean } {
  if (whole !== undefined) return { source: whole, reencoded: false }
  if (method === 'GET' || method === 'HEAD') return { source: null, reencoded: false }
  if (!req.readableEnded) return { source: 'stream', reencoded: false }
  // Only a parser that ran consumed the stream: one that skipped this content type leaves it
  // unread and may still set a body (Express 4 and koa-bodyparser set `{}`).
  const text = reencode(
    options.body ?? (req as ParsedBodyRequest).body,
    req.headers['content-type'],
  )
  return text === undefined
    ? { source: null, reencoded: false }
    : { source: utf8.encode(text), reencoded: true }
}

/** A Web stream of a body source (created only when something asks for `body`). */
export function sourceStream(
  req: IncomingMessage,
  source: BodySource,
): ReadableStream<Uint8Array> | null {
  if (source === null) return null
  if (source === 'stream') return bodyStream(req)
  if (source instanceof Error) {
    // The client went away mid-body: reading fails, as it would have while streaming.
    return new ReadableStream({ start: (controller) => controller.error(source) })
  }
  return new ReadableStream({
    start(controller) {
      controller.enqueue(source)
      controller.close()
    },
  })
}

/**
 * The request the Node bridge hands a dispatcher: the {@link RequestLike} members of a Web
 * `Request`, each made only when read. On Node 20 an undici `Request` costs 15 µs without a body
 * and about 100 µs with one (an AbortController, a header list and a body stream every time),
 * more than a token request's own work, and oidkit's endpoints read three headers and the body.
 */
export class IncomingRequest implements RequestLike {
  readonly method: string
  readonly #req: IncomingMessage
  readonly #options: RequestSourceOptions
  #url: string | undefined
  readonly #source: BodySource
  readonly #reencoded: boolean
  #headers: Headers | undefined
  #stream: ReadableStream<Uint8Array> | null | undefined
  #used = false
  readonly #res: ServerResponse
  #signal: AbortSignal | undefined

  private constructor(
    req: IncomingMessage,
    res: ServerResponse,
    options: RequestSourceOptions,
    method: string,
    source: BodySource,
    reencoded: boolean,
  ) {
    this.#req = req
    this.#res = res
    this.#options = options
    this.method = method
    this.#source = source
    this.#reencoded = reencoded
    // The core reads a body it was handed whole without a stream.
    if (source instanceof Uint8Array) withWholeBody(this, source)
  }

  /** The request for `req`; `whole` is its body when it was read beforehand. */
  static from(
    req: IncomingMessage,
    res: ServerResponse,
    options: RequestSourceOptions,
    whole?: Uint8Array<ArrayBuffer> | Error,
  ): IncomingRequest {
    const method = nodeMethod(req)
    const { source, reencoded } = bodySource(req, options, method, whole)
    return new IncomingRequest(req, res, options, method, source, reencoded)
  }

  /** The absolute URL, built when first read: routing needs only {@link requestTarget}. */
  get url(): string {
    this.#url ??= requestUrl(this.#req, this.#options)
    return this.#url
  }

  get [requestTarget](): string {
    return rawTarget(this.#req)
  }

  get headers(): Headers {
    this.#headers ??= new NodeHeaders(this.#req, this.#reencoded)
    return this.#headers
  }

  /** See {@link readHeader}: Node's own header record, until `headers` was asked for. */
  [readHeader](name: string): string | null {
    return this.#headers ? this.#headers.get(name) : nodeHeader(this.#req, name, this.#reencoded)
  }

  get body(): ReadableStream<Uint8Array> | null {
    if (this.#stream === undefined) this.#stream = sourceStream(this.#req, this.#source)
    return this.#stream
  }

  get bodyUsed(): boolean {
    return this.#used || (this.#stream?.locked ?? false)
  }

  get signal(): AbortSignal {
    this.#signal ??= closeSignal(this.#res)
    return this.#signal
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.#consume()
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
  }

  async text(): Promise<string> {
    return new TextDecoder().decode(await this.#consume())
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text())
  }

  /**
   * A URL-encoded form (what a login or consent page posts) is parsed here: through undici's
   * `Response`, with its body stream, it cost about 20 times as much. Any other body still goes
   * through undici.
   */
  async formData(): Promise<FormData> {
    const bytes = await this.#consume()
    if (mediaType(this) === 'application/x-www-form-urlencoded') {
      const form = new FormData()
      // Fetch's urlencoded parser keeps a leading byte order mark as part of the first name.
      const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes)
      for (const [name, value] of new URLSearchParams(text)) form.append(name, value)
      return form
    }
    const type = this[readHeader]('content-type') ?? ''
    return new Response(bytes, { headers: { 'content-type': type } }).formData()
  }

  clone(): IncomingRequest {
    if (this.bodyUsed) throw new TypeError('the request body was already read')
    const copy = new IncomingRequest(
      this.#req,
      this.#res,
      this.#options,
      this.method,
      this.#source,
      this.#reencoded,
    )
    if (this.#source === 'stream') {
      const [mine, theirs] = this.body!.tee()
      this.#stream = mine
      copy.#stream = theirs
    }
    if (this.#headers) copy.#headers = new Headers(this.#headers)
    return copy
  }

  async #consume(): Promise<Uint8Array<ArrayBuffer>> {
    if (this.bodyUsed) throw new TypeError('the request body was already read')
    this.#used = true
    const source = this.#source
    if (this.#stream === undefined) {
      if (source === null) return new Uint8Array()
      if (source instanceof Uint8Array) return source
      if (source instanceof Error) {
        throw new TypeError('the request body could not be read', { cause: source })
      }
    }
    const stream = this.body
    return stream ? new Uint8Array(await new Response(stream).arrayBuffer()) : new Uint8Array()
  }
}
