import { OAuthError } from './errors'

/**
 * Request parameters with the rules of RFC 6749 3.1: a parameter sent without a value counts as
 * omitted, and one sent twice is `invalid_request`.
 */
export class Params {
  readonly #values = new Map<string, string[]>()

  constructor(entries: Iterable<readonly [string, string]> = []) {
    for (const [name, value] of entries) {
      if (value === '') continue
      const list = this.#values.get(name)
      if (list) list.push(value)
      else this.#values.set(name, [value])
    }
  }

  /** The single value of `name`; `invalid_request` when it was sent more than once. */
  get(name: string): string | undefined {
    const list = this.#values.get(name)
    if (list === undefined) return undefined
    if (list.length > 1)
      throw new OAuthError('invalid_request', `"${name}" was sent more than once`)
    return list[0]
  }

  has(name: string): boolean {
    return this.#values.has(name)
  }

  /** Every parameter as a plain object; `invalid_request` on any duplicate. */
  toObject(): Record<string, string> {
    const out: Record<string, string> = {}
    for (const [name, list] of this.#values) {
      if (list.length > 1)
        throw new OAuthError('invalid_request', `"${name}" was sent more than once`)
      out[name] = list[0]!
    }
    return out
  }

  names(): IterableIterator<string> {
    return this.#values.keys()
  }
}

/**
 * What oidkit reads of an HTTP request: the members of the Fetch `Request` it uses, so a Web
 * `Request` is one. The Node bridge hands the server a lighter object with these members instead,
 * because on Node building a Web `Request` (an AbortController, a header list and a body stream
 * each time) costs more than most endpoints' own work.
 *
 * @example
 * ```ts
 * const handler = (request: RequestLike) => request.headers.get('authorization')
 * handler(new Request('https://as.example/token'))
 * ```
 */
export interface RequestLike {
  readonly method: string
  /** The absolute URL. */
  readonly url: string
  readonly headers: Headers
  readonly body: ReadableStream<Uint8Array> | null
  readonly bodyUsed: boolean
  readonly signal: AbortSignal
  arrayBuffer(): Promise<ArrayBuffer>
  text(): Promise<string>
  json(): Promise<unknown>
  formData(): Promise<FormData>
  clone(): RequestLike
}

/**
 * The method by which a request reads one header without its `headers` object. The Node bridge's
 * requests have it: most requests are asked only whether they carry an `Origin`, and answering
 * from Node's own header record spares building a `Headers` (a header list and a map) for that.
 */
export const readHeader: unique symbol = Symbol('oidkit.readHeader')

/**
 * The request target as the client sent it (its path and query, RFC 9112 3.2.1), which the Node
 * bridge's requests carry: routing takes the path from it, and the absolute `url` is then built
 * only if an endpoint reads it.
 */
export const requestTarget: unique symbol = Symbol('oidkit.requestTarget')

/** The {@link requestTarget} of a request that carries one. */
export function targetOf(request: RequestLike): string | undefined {
  return (request as { [requestTarget]?: string })[requestTarget]
}

/**
 * One header of a request, as `request.headers.get(name)` gives it (`name` in lower case).
 *
 * @example
 * ```ts
 * if (headerOf(request, 'origin') !== null) addCorsHeaders(response)
 * ```
 */
export function headerOf(request: RequestLike, name: string): string | null {
  const read = (request as { [readHeader]?: (name: string) => string | null })[readHeader]
  return read ? read.call(request, name) : request.headers.get(name)
}

/** A parsed request: the HTTP request plus its decoded parameters. */
export interface OAuthRequest {
  readonly request: RequestLike
  readonly method: string
  readonly url: URL
  readonly headers: Headers
  /** Query parameters. */
  readonly query: Params
  /** Form body parameters (empty for JSON and bodiless requests). */
  readonly form: Params
  /** The decoded JSON body, for JSON requests. */
  readonly json: unknown
}

/** Options of {@link parseRequest}. */
export interface ParseRequestOptions {
  /** Accepted methods; another gets `invalid_request` with status 405. */
  methods: readonly string[]
  /** The media type a body must have (`form` or `json`); omitted: no body is read. */
  body?: 'form' | 'json' | 'form-or-json'
  /** Largest body accepted, in bytes. */
  maxBodySize: number
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

// Bodies an adapter read in full before building the request (the Node bridge does for small
// ones): parseRequest takes them from here instead of reading the body stream back.
const wholeBodies = new WeakMap<RequestLike, Uint8Array>()

/**
 * Hands `parseRequest` the whole body of `request`, which must be the bytes its body stream
 * would give: an adapter that already holds them spares reading the stream back.
 *
 * @example
 * ```ts
 * const request = withWholeBody(new Request(url, { method: 'POST', headers, body }), body)
 * ```
 */
export function withWholeBody<R extends RequestLike>(request: R, body: Uint8Array): R {
  wholeBodies.set(request, body)
  return request
}

async function readCapped(request: RequestLike, max: number): Promise<Uint8Array> {
  const declared = Number(headerOf(request, 'content-length') ?? Number.NaN)
  if (declared > max) throw tooLarge()
  const whole = request.bodyUsed ? undefined : wholeBodies.get(request)
  if (whole) {
    if (whole.byteLength > max) throw tooLarge()
    return whole
  }
  if (!request.body) return new Uint8Array()
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > max) {
      await reader.cancel().catch(() => {})
      throw tooLarge()
    }
    chunks.push(value)
  }
  const out = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.byteLength
  }
  return out
}

const tooLarge = () =>
  new OAuthError('invalid_request', 'the request body is too large', { status: 413 })

/** The media type of a request without parameters, lower-cased. */
export function mediaType(request: RequestLike): string {
  return (headerOf(request, 'content-type') ?? '').split(';', 1)[0]!.trim().toLowerCase()
}

// Parameters are never added after parsing, so the requests without any can share one.
const NO_PARAMS = new Params()

/**
 * The parsed request. The URL object and the headers are made when first read: a token request
 * carries no query and its endpoint reads two headers, which the Node bridge answers without
 * building a `Headers`.
 */
class ParsedRequest implements OAuthRequest {
  #url: URL | undefined

  constructor(
    readonly request: RequestLike,
    readonly method: string,
    url: URL | undefined,
    readonly query: Params,
    readonly form: Params,
    readonly json: unknown,
  ) {
    this.#url = url
  }

  get url(): URL {
    this.#url ??= new URL(this.request.url)
    return this.#url
  }

  get headers(): Headers {
    return this.request.headers
  }
}

/**
 * The `405 Method Not Allowed` answer of an endpoint, as an `invalid_request` error with the
 * `Allow` header RFC 9110 15.5.6 requires.
 *
 * @example
 * ```ts
 * if (request.method !== 'GET') throw methodNotAllowed(request.method, ['GET'])
 * ```
 */
export function methodNotAllowed(method: string, allowed: readonly string[]): OAuthError {
  return new OAuthError('invalid_request', `${method} is not allowed here`, {
    status: 405,
    headers: { allow: allowed.join(', ') },
  })
}

/**
 * Parses a request into an {@link OAuthRequest}: method check, media type check, a body
 * size cap, strict UTF-8 and RFC 6749 3.1 parameter rules.
 *
 * @example
 * ```ts
 * const req = await parseRequest(request, { methods: ['POST'], body: 'form', maxBodySize: 65536 })
 * const grantType = req.form.get('grant_type')
 * ```
 */
export async function parseRequest(
  request: RequestLike,
  options: ParseRequestOptions,
): Promise<OAuthRequest> {
  const method = request.method.toUpperCase()
  if (!options.methods.includes(method)) throw methodNotAllowed(method, options.methods)
  // Without a "?" the URL has no query, and parsing it would be work for nothing (nor is the
  // absolute URL of a Node bridge request built to find out).
  const url = (targetOf(request) ?? request.url).includes('?') ? new URL(request.url) : undefined
  const query = url ? new Params(url.searchParams) : NO_PARAMS
  let form = NO_PARAMS
  let json: unknown
  const hasBody = options.body !== undefined && method !== 'GET' && method !== 'HEAD'
  if (hasBody) {
    const type = mediaType(request)
    const acceptsForm = options.body === 'form' || options.body === 'form-or-json'
    const acceptsJson = options.body === 'json' || options.body === 'form-or-json'
    const isForm = type === 'application/x-www-form-urlencoded'
    const isJson = type === 'application/json' || type.endsWith('+json')
    if (!(acceptsForm && isForm) && !(acceptsJson && isJson)) {
      const expected = acceptsForm ? 'application/x-www-form-urlencoded' : 'application/json'
      throw new OAuthError('invalid_request', `the request body must be ${expected}`, {
        status: type === '' && !acceptsJson ? 400 : 415,
      })
    }
    let text: string
    try {
      text = utf8.decode(await readCapped(request, options.maxBodySize))
    } catch (cause) {
      if (cause instanceof OAuthError) throw cause
      throw new OAuthError('invalid_request', 'the request body is not valid UTF-8', { cause })
    }
    if (isForm) {
      form = new Params(new URLSearchParams(text))
    } else {
      try {
        json = JSON.parse(text)
      } catch (cause) {
        throw new OAuthError('invalid_request', 'the request body is not valid JSON', { cause })
      }
    }
  }
  return new ParsedRequest(request, method, url, query, form, json)
}
