import type { IncomingMessage, ServerResponse } from 'node:http'

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
  const parsed = req as ParsedBodyRequest
  const url = `${requestOrigin(req, options)}${parsed.originalUrl ?? req.url ?? '/'}`
  const headers = new Headers()
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name.startsWith(':')) continue
    if (Array.isArray(value)) for (const item of value) headers.append(name, item)
    else headers.set(name, value)
  }
  const method = (req.method ?? 'GET').toUpperCase()
  const init: RequestInit & { duplex?: 'half' } = { method, headers }
  if (options.signal) init.signal = options.signal
  if (method !== 'GET' && method !== 'HEAD') {
    // Only a parser that ran consumed the stream: one that skipped this content type leaves it
    // unread and may still set a body (Express 4 and koa-bodyparser set `{}`).
    const already = req.readableEnded
      ? reencode(options.body ?? parsed.body, req.headers['content-type'])
      : undefined
    if (already !== undefined) {
      headers.delete('content-length')
      init.body = already
    } else if (!req.readableEnded) {
      init.body = bodyStream(req)
      init.duplex = 'half'
    }
  }
  return new Request(url, init)
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
  const controller = new AbortController()
  res.once('close', () => {
    if (!res.writableFinished) controller.abort()
  })
  const response = await handler(toWebRequest(req, { ...options, signal: controller.signal }))
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
