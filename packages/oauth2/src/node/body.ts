import type { IncomingMessage, ServerResponse } from 'node:http'

// What a rejected body may still send before the connection is cut: enough for a client that
// is still uploading to read our 413 instead of a reset connection, not enough to be abused.
const DRAIN_LIMIT = 4 * 1024 * 1024

/**
 * The request body as a Web stream with backpressure. When the reader gives up (the core caps
 * body sizes), the rest is drained and discarded so that the client can read the answer.
 */
export function bodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
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
export function drain(req: IncomingMessage): void {
  if (req.complete || req.destroyed) return
  // No body by its framing (RFC 9112 6.3): Node completes the message by itself, and a document
  // answered synchronously is written before it has.
  const { headers } = req
  if (headers['transfer-encoding'] === undefined && !(Number(headers['content-length']) > 0)) {
    return
  }
  req.removeAllListeners('data')
  let drained = 0
  req.on('data', (chunk: Uint8Array) => {
    drained += chunk.byteLength
    if (drained > DRAIN_LIMIT) req.destroy()
  })
  req.resume()
}

/**
 * Re-encodes a body that a parser (express.json, express.urlencoded, koa-bodyparser) already
 * consumed, according to its content type, so the core can parse it again.
 */
export function reencode(body: unknown, contentType: string | undefined): string | undefined {
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

// Bodies up to this size with a declared length are read before the handler runs and handed to
// the core whole: on Node, building a body stream and reading it back costs more than the rest
// of a small form request's parsing. Larger or chunked bodies stream, and the core caps them.
const WHOLE_BODY_LIMIT = 64 * 1024

/**
 * The method of `req` in upper case. Node's parser gives it so already: GET and POST skip
 * `toUpperCase`, which goes through V8's runtime once a server has seen other methods.
 */
export function nodeMethod(req: IncomingMessage): string {
  const given = req.method ?? 'GET'
  return given === 'GET' || given === 'POST' ? given : given.toUpperCase()
}

/** The declared length of a body to read whole, or undefined to stream it. */
export function wholeBodyLength(req: IncomingMessage): number | undefined {
  const method = nodeMethod(req)
  if (method === 'GET' || method === 'HEAD' || req.readableEnded) return undefined
  const header = req.headers['content-length']
  const length = header === undefined ? Number.NaN : Number(header)
  return Number.isSafeInteger(length) && length >= 0 && length <= WHOLE_BODY_LIMIT
    ? length
    : undefined
}

/** The body of `req` (Node enforces its Content-Length), or an Error when it was cut short. */
export function readWhole(
  req: IncomingMessage,
  length: number,
): Promise<Uint8Array<ArrayBuffer> | Error> {
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
 * A signal that aborts once the client has gone away before `res` was written, made when a
 * request's `signal` is first read: most requests never read it, and a `close` listener per
 * request is not free.
 */
export function closeSignal(res: ServerResponse): AbortSignal {
  const controller = new AbortController()
  if (res.closed) {
    if (!res.writableFinished) controller.abort()
  } else {
    res.once('close', () => {
      if (!res.writableFinished) controller.abort()
    })
  }
  return controller.signal
}
