import type { IncomingMessage, ServerResponse } from 'node:http'
import { type RequestLike, withWholeBody } from '../request'
import { type EndpointResponse, isPromise, responseText, TextResponse } from '../response'
import { closeSignal, drain, nodeMethod, readWhole, wholeBodyLength } from './body'
import { bodySource, IncomingRequest, requestUrl, sourceStream } from './incoming-request'
import { headerPairs } from './node-headers'
import { keepTickMaps } from './tick-maps'

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
  const method = nodeMethod(req)
  const { source, reencoded } = bodySource(req, options, method, whole)
  // Header pairs, not a Headers object: the Request validates and copies them once either way.
  const init: RequestInit & { duplex?: 'half' } = { method, headers: headerPairs(req, reencoded) }
  if (source instanceof Uint8Array) {
    init.body = source
  } else if (source !== null) {
    init.body = sourceStream(req, source)
    init.duplex = 'half'
  }
  return { url: requestUrl(req, options), init }
}

/**
 * A Request whose `signal` is only made when something reads it (see {@link closeSignal}).
 * Handing undici a signal costs an AbortController, an abort listener and a
 * FinalizationRegistry entry per request, for a signal that oidkit's own endpoints never read.
 */
class NodeRequest extends Request {
  #res: ServerResponse | undefined
  #signal: AbortSignal | undefined

  constructor(url: string, init: RequestInit, res: ServerResponse) {
    super(url, init)
    this.#res = res
  }

  override get signal(): AbortSignal {
    this.#signal ??= closeSignal(this.#res!)
    return this.#signal
  }
}

/**
 * Writes a Web `Response`, or a {@link TextResponse}, to a Node `ServerResponse`, every
 * `Set-Cookie` included.
 *
 * @example
 * ```ts
 * await writeWebResponse(res, await server.handle(toWebRequest(req)))
 * ```
 */
export async function writeWebResponse(
  res: ServerResponse,
  response: EndpointResponse,
): Promise<void> {
  if (response instanceof TextResponse) {
    writeTextResponse(res, response)
    return
  }
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
  // A Response made from oidkit's own TextResponse (what `handle` returns) carries its text.
  const text = responseText(response)
  if (text !== undefined) {
    const { length, encoding } = encoded(text)
    res.setHeader('content-length', length)
    res.end(text, encoding)
    return
  }
  const body = new Uint8Array(await response.arrayBuffer())
  res.setHeader('content-length', body.byteLength)
  res.end(body)
}

/** The byte length of a body, and the encoding that writes it fastest. */
interface Encoded {
  length: string
  /**
   * `latin1` when the text is ASCII: the bytes are the same as UTF-8's, and V8 copies a one-byte
   * string out without the UTF-8 encoder's per-character work (a 2.5 KB discovery document:
   * 1,000 to 2,500 fewer instructions per request).
   */
  encoding: 'latin1' | 'utf8'
}

// The body written last: the same document (discovery, JWKS) usually goes out many times in a
// row, and measuring its UTF-8 length is a scan of the whole text.
let lastBody: string | undefined
let lastEncoded: Encoded = { length: '0', encoding: 'utf8' }

function encoded(body: string): Encoded {
  if (body === lastBody) return lastEncoded
  const bytes = Buffer.byteLength(body)
  const result: Encoded = {
    length: String(bytes),
    // As many bytes as UTF-16 code units: every character is below U+0080.
    encoding: bytes === body.length ? 'latin1' : 'utf8',
  }
  // Only small bodies are kept, so that a large one is not held on to.
  if (body.length <= 16_384) {
    lastBody = body
    lastEncoded = result
  }
  return result
}

/** One `writeHead` and one `end`: Node sends the head and a string body in a single write. */
function writeTextResponse(res: ServerResponse, response: TextResponse): void {
  const lines: string[] = []
  const record = response.headerLines()
  for (const name in record) {
    const value = record[name]!
    if (typeof value === 'string') lines.push(name, value)
    else for (const item of value) lines.push(name, item)
  }
  const { body } = response
  if (body === null) {
    res.writeHead(response.status, lines)
    res.end()
    return
  }
  const { length, encoding } = encoded(body)
  lines.push('content-length', length)
  res.writeHead(response.status, lines)
  res.end(body, encoding)
}

/**
 * A server that may answer with a {@link TextResponse}: `AuthorizationServer` and the OpenID
 * provider are ones. The bridge hands it a {@link RequestLike} instead of a Web `Request`.
 */
export interface Dispatcher {
  dispatch(request: RequestLike): EndpointResponse | Promise<EndpointResponse>
}

/** A Web handler (given a Web `Request`), or a {@link Dispatcher} (given a lighter request). */
export type NodeBridgeHandler =
  | ((request: Request) => EndpointResponse | Promise<EndpointResponse>)
  | Dispatcher

/**
 * Answers one Node request with a Web handler or a {@link Dispatcher}: aborted requests abort
 * the request's signal, every `Set-Cookie` is written, and an unread body is drained so the
 * connection stays usable. The one function Express, Koa and plain `node:http` share.
 *
 * @example
 * ```ts
 * app.use((req, res, next) => respond(req, res, server).catch(next))
 * ```
 */
export async function respond(
  req: IncomingMessage,
  res: ServerResponse,
  handler: NodeBridgeHandler,
  options: Omit<ToWebRequestOptions, 'signal'> = {},
): Promise<void> {
  keepTickMaps()
  await answer(req, res, handler, options)
}

// The work of `respond`, synchronous from end to end when the handler answers synchronously (a
// GET of a document): written within the request event, as a bare `node:http` handler would,
// without a promise.
function answer(
  req: IncomingMessage,
  res: ServerResponse,
  handler: NodeBridgeHandler,
  options: Omit<ToWebRequestOptions, 'signal'>,
): void | Promise<void> {
  const length = wholeBodyLength(req)
  if (length === undefined) return reply(req, res, handler, options, undefined)
  return readWhole(req, length).then((whole) => reply(req, res, handler, options, whole))
}

function reply(
  req: IncomingMessage,
  res: ServerResponse,
  handler: NodeBridgeHandler,
  options: Omit<ToWebRequestOptions, 'signal'>,
  whole: Uint8Array<ArrayBuffer> | Error | undefined,
): void | Promise<void> {
  let response: EndpointResponse | Promise<EndpointResponse>
  if (typeof handler === 'function') {
    const { url, init } = requestInit(req, options, whole)
    const request = new NodeRequest(url, init, res)
    if (whole instanceof Uint8Array) withWholeBody(request, whole)
    response = handler(request)
  } else {
    response = handler.dispatch(IncomingRequest.from(req, res, options, whole))
  }
  if (isPromise(response)) return Promise.resolve(response).then((r) => write(req, res, r))
  return write(req, res, response)
}

// Writes the answer, then drains the body: an endpoint may answer without reading it (wrong
// method, too large).
function write(
  req: IncomingMessage,
  res: ServerResponse,
  response: EndpointResponse,
): void | Promise<void> {
  if (response instanceof TextResponse) {
    writeTextResponse(res, response)
    drain(req)
    return
  }
  return writeWebResponse(res, response).then(() => drain(req))
}

/**
 * A `node:http` request listener for a Web handler or a {@link Dispatcher}.
 *
 * @example
 * ```ts
 * http.createServer(nodeHandler(server)).listen(3000)
 * ```
 */
export function nodeHandler(
  handler: NodeBridgeHandler,
  options: Omit<ToWebRequestOptions, 'signal'> = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  keepTickMaps()
  const fail = (res: ServerResponse) => {
    if (!res.headersSent) {
      res.statusCode = 500
      res.setHeader('content-type', 'application/json')
      res.end('{"error":"server_error"}')
    } else {
      res.destroy()
    }
  }
  return (req, res) => {
    try {
      answer(req, res, handler, options)?.catch(() => fail(res))
    } catch {
      fail(res)
    }
  }
}
