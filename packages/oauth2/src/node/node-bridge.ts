import type { IncomingMessage, ServerResponse } from 'node:http'
import { withWholeBody } from '../request'
import { responseText } from '../response'

/** Options of {@link toWebRequest}. */
export interface ToWebRequestOptions {
  /**
   * The public origin (`https://auth.example.com`) to build request URLs from. Without it the
   * `Host` header is used. It only affects routing: the issuer always comes from configuration.
   */
  origin?: string
  /** Rebuild the origin from `X-Forwarded-Proto`/`X-Forwarded-Host` (only behind a trusted proxy). */
  trustProxy?: boolean
  /** Abort the Web request when the client goes away. */
  signal?: AbortSignal
  /**
   * A body a parser already consumed (koa-bodyparser's `ctx.request.body`); Express's `req.body`
   * is found on its own. It is re-encoded according to the request's content type.
   */
  body?: unknown
}

// What a rejected body may still send before the connection is cut: enough for a client that
// is still uploading to read our 413 instead of a reset connection, not enough to be abused.
const DRAIN_LIMIT = 4 * 1024 * 1024

/**
 * The request body as a Web stream with backpressure. When the reader gives up (the core caps
 * body sizes), the rest is drained and discarded so that the client can read the answer.
 */
function bodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      req.on('data', (chunk: Uint8Array) => {
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))
        if ((controller.desiredSize ?? 0) <= 0) req.pause()
      })
      req.once('end', () => controller.close())
      req.once('error', (error) => controller.error(error))
    },
    pull() {
      req.resume()
    },
    cancel() {
      drain(req)
    },
  })
}

/** Discards what is left of a request body, up to a limit, so a kept-alive socket stays usable. */
function drain(req: IncomingMessage): void {
  if (req.complete || req.destroyed) return
  req.removeAllListeners('data')
  let drained = 0
  req.on('data', (chunk: Uint8Array) => {
    drained += chunk.byteLength
    if (drained > DRAIN_LIMIT) req.destroy()
  })
  req.resume()
}

type ParsedBodyRequest = IncomingMessage & { body?: unknown; originalUrl?: string }

function requestOrigin(req: IncomingMessage, options: ToWebRequestOptions): string {
  if (options.origin) return options.origin.replace(/\/$/, '')
  const first = (value: string | string[] | undefined) =>
    (Array.isArray(value) ? value[0] : value)?.split(',')[0]?.trim()
  const encrypted = (req.socket as { encrypted?: boolean }).encrypted === true
  let proto = encrypted ? 'https' : 'http'
  let host = req.headers.host ?? first(req.headers[':authority' as 'host']) ?? 'localhost'
  if (options.trustProxy) {
    proto = first(req.headers['x-forwarded-proto']) ?? proto
    host = first(req.headers['x-forwarded-host']) ?? host
  }
  return `${proto}://${host}`
}

/**
 * Re-encodes a body that a parser (express.json, express.urlencoded, koa-bodyparser) already
 * consumed, according to its content type, so the core can parse it again.
 */
function reencode(body: unknown, contentType: string | undefined): string | undefined {
  if (body === undefined || body === null) return undefined
  if (typeof body === 'string') return body
  if (body instanceof Uint8Array) return new TextDecoder().decode(body)
  if (typeof body !== 'object') return undefined
  if ((contentType ?? '').includes('application/x-www-form-urlencoded')) {
    const params = new URLSearchParams()
    for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
      for (const item of Array.isArray(value) ? value : [value]) params.append(name, String(item))
    }
    return params.toString()
  }
  return JSON.stringify(body)
}

/**
 * Turns a Node `IncomingMessage` into a Web `Request`, streaming the body (the core caps its
 * size) or re-encoding one a body parser already read.
 *
 * @example
 * ```ts
 * http.createServer(async (req, res) => writeWebResponse(res, await server.handle(toWebRequest(req))))
 * ```
 */
export function toWebRequest(req: IncomingMessage, options: ToWebRequestOptions = {}): Request {
  const { url, init } = requestInit(req, options)
  if (options.signal) init.signal = options.signal
  return new Request(url, init)
}

/**
 * The URL and init of the Web request for `req` (no signal). `whole` is its body when it was
 * read beforehand, or the error that cut it short.
 */
function requestInit(
  req: IncomingMessage,
  options: Omit<ToWebRequestOptions, 'signal'>,
  whole?: Uint8Array<ArrayBuffer> | Error,
): { url: string; init: RequestInit & { duplex?: 'half' } } {
  const parsed = req as ParsedBodyRequest
  const url = `${requestOrigin(req, options)}${parsed.originalUrl ?? req.url ?? '/'}`
  const method = (req.method ?? 'GET').toUpperCase()
  let body: RequestInit['body']
  if (whole instanceof Uint8Array) {
    body = whole
  } else if (whole) {
    // The client went away mid-body: reading the body fails, as it would have while streaming.
    body = new ReadableStream({ start: (controller) => controller.error(whole) })
  } else if (method !== 'GET' && method !== 'HEAD') {
    // Only a parser that ran consumed the stream: one that skipped this content type leaves it
    // unread and may still set a body (Express 4 and koa-bodyparser set `{}`).
    const already = req.readableEnded
      ? reencode(options.body ?? parsed.body, req.headers['content-type'])
      : undefined
    if (already !== undefined) body = already
    else if (!req.readableEnded) body = bodyStream(req)
  }
  // Header pairs, not a Headers object: the Request validates and copies them once either way.
  const headers: [string, string][] = []
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name.startsWith(':')) continue
    // A re-encoded body has a length of its own.
    if (typeof body === 'string' && name === 'content-length') continue
    if (Array.isArray(value)) for (const item of value) headers.push([name, item])
    else headers.push([name, value])
  }
  const init: RequestInit & { duplex?: 'half' } = { method, headers }
  if (body !== undefined) init.body = body
  if (body instanceof ReadableStream) init.duplex = 'half'
  return { url, init }
}

// Bodies up to this size with a declared length are read before the handler runs and handed to
// the core whole: on Node, building a body stream and reading it back costs more than the rest
// of a small form request's parsing. Larger or chunked bodies stream, and the core caps them.
const WHOLE_BODY_LIMIT = 64 * 1024

/** The declared length of a body to read whole, or undefined to stream it. */
function wholeBodyLength(req: IncomingMessage): number | undefined {
  const method = req.method?.toUpperCase()
  if (method === 'GET' || method === 'HEAD' || req.readableEnded) return undefined
  const header = req.headers['content-length']
  const length = header === undefined ? Number.NaN : Number(header)
  return Number.isSafeInteger(length) && length >= 0 && length <= WHOLE_BODY_LIMIT
    ? length
    : undefined
}

/** The body of `req` (Node enforces its Content-Length), or an Error when it was cut short. */
function readWhole(req: IncomingMessage, length: number): Promise<Uint8Array<ArrayBuffer> | Error> {
  return new Promise((resolve) => {
    const body = new Uint8Array(length)
    let offset = 0
    const done = (result: Uint8Array<ArrayBuffer> | Error) => {
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onError)
      req.off('close', onClose)
      resolve(result)
    }
    const onData = (chunk: Uint8Array) => {
      if (offset + chunk.byteLength > length) return done(new Error('the body exceeds its length'))
      body.set(chunk, offset)
      offset += chunk.byteLength
    }
    const onEnd = () =>
      done(offset === length ? body : new Error('the body is shorter than its length'))
    const onError = (error: Error) => done(error)
    const onClose = () => done(new Error('the client went away before sending the whole body'))
    req.on('data', onData)
    req.once('end', onEnd)
    req.once('error', onError)
    req.once('close', onClose)
  })
}

/**
 * A Request whose `signal` is only made when something reads it, and aborts once the client has
 * gone away. Handing undici a signal costs an AbortController, an abort listener and a
 * FinalizationRegistry entry per request, about a third of the CPU time of a small request,
 * for a signal that oidkit's own endpoints never read.
 */
class NodeRequest extends Request {
  #controller: AbortController | undefined
  #aborted = false

  override get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController()
      if (this.#aborted) this.#controller.abort()
    }
    return this.#controller.signal
  }

  /** The client went away before the answer was written. */
  static abort(request: NodeRequest): void {
    request.#aborted = true
    request.#controller?.abort()
  }
}

/**
 * Writes a Web `Response` to a Node `ServerResponse`, every `Set-Cookie` included.
 *
 * @example
 * ```ts
 * await writeWebResponse(res, await server.handle(toWebRequest(req)))
 * ```
 */
export async function writeWebResponse(res: ServerResponse, response: Response): Promise<void> {
  res.statusCode = response.status
  for (const [name, value] of response.headers) {
    if (name === 'set-cookie') continue
    res.setHeader(name, value)
  }
  const cookies = response.headers.getSetCookie()
  if (cookies.length > 0) res.setHeader('set-cookie', cookies)
  if (!response.body) {
    res.end()
    return
  }
  // The core's own responses carry their text: no need to read the body stream back.
  const text = responseText(response)
  if (text !== undefined) {
    res.setHeader('content-length', Buffer.byteLength(text))
    res.end(text)
    return
  }
  const body = new Uint8Array(await response.arrayBuffer())
  res.setHeader('content-length', body.byteLength)
  res.end(body)
}

/**
 * Answers one Node request with a Web handler: aborted requests abort the Web request, every
 * `Set-Cookie` is written, and an unread body is drained so the connection stays usable. The
 * one function Express, Koa and plain `node:http` share.
 *
 * @example
 * ```ts
 * app.use((req, res, next) => respond(req, res, (r) => server.handle(r)).catch(next))
 * ```
 */
export async function respond(
  req: IncomingMessage,
  res: ServerResponse,
  handler: (request: Request) => Promise<Response>,
  options: Omit<ToWebRequestOptions, 'signal'> = {},
): Promise<void> {
  let request: NodeRequest | undefined
  let gone = false
  res.once('close', () => {
    if (res.writableFinished) return
    gone = true
    if (request) NodeRequest.abort(request)
  })
  const length = wholeBodyLength(req)
  const whole = length === undefined ? undefined : await readWhole(req, length)
  const { url, init } = requestInit(req, options, whole)
  request = new NodeRequest(url, init)
  if (gone) NodeRequest.abort(request)
  if (whole instanceof Uint8Array) withWholeBody(request, whole)
  const response = await handler(request)
  await writeWebResponse(res, response)
  // An endpoint may answer without reading the body (wrong method, too large).
  drain(req)
}

/**
 * A `node:http` request listener for a Web handler.
 *
 * @example
 * ```ts
 * http.createServer(nodeHandler((request) => server.handle(request))).listen(3000)
 * ```
 */
export function nodeHandler(
  handler: (request: Request) => Promise<Response>,
  options: Omit<ToWebRequestOptions, 'signal'> = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    respond(req, res, handler, options).catch(() => {
      if (!res.headersSent) {
        res.statusCode = 500
        res.setHeader('content-type', 'application/json')
        res.end('{"error":"server_error"}')
      } else {
        res.destroy()
      }
    })
  }
}
