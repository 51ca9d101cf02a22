import { withFields } from './with-fields'

/** JSON headers with `Cache-Control: no-store` (RFC 6749 5.1, RFC 7662 2.2, RFC 7591 3.2.1). */
export const NO_STORE_JSON = {
  'content-type': 'application/json;charset=UTF-8',
  'cache-control': 'no-store',
  pragma: 'no-cache',
} as const

/** The init of a {@link TextResponse}: a status and headers as a plain record. */
export interface TextResponseInit {
  status?: number
  headers?: Record<string, string>
}

/**
 * A response whose body is a string, or nothing: what oidkit's own endpoints answer. It has the
 * `status`, `headers` and `body` of a Web `Response` without being one, because on Node building
 * a Web `Response` (undici wraps every body in a stream) costs more than most endpoints' own work.
 * The Node bridge writes it to the socket as it is; `toResponse()` makes the Web `Response` that
 * any other runtime needs, and `AuthorizationServer.handle` always returns one.
 *
 * @example
 * ```ts
 * const reply = new TextResponse('{"ok":true}', { headers: { 'content-type': 'application/json' } })
 * return reply.toResponse()
 * ```
 */
export class TextResponse {
  readonly status: number
  readonly body: string | null
  // Headers as given, until something asks for a Headers object: the Node bridge writes the
  // record directly, and most responses are never changed after they are built.
  #record: Record<string, string> | undefined
  #headers: Headers | undefined

  constructor(body: string | null, init: TextResponseInit = {}) {
    this.body = body
    this.status = init.status ?? 200
    this.#record = init.headers ?? {}
  }

  /** The headers, as a mutable Web `Headers`. */
  get headers(): Headers {
    if (!this.#headers) {
      this.#headers = new Headers(this.#record)
      this.#record = undefined
    }
    return this.#headers
  }

  /**
   * The header lines to write: a record as given, or from `headers` once it was touched, with
   * every `Set-Cookie` as its own line.
   */
  headerLines(): Record<string, string | string[]> {
    if (this.#record) return this.#record
    const lines: Record<string, string | string[]> = {}
    for (const [name, value] of this.#headers!) if (name !== 'set-cookie') lines[name] = value
    const cookies = this.#headers!.getSetCookie()
    if (cookies.length > 0) lines['set-cookie'] = cookies
    return lines
  }

  /** The body, as `Response.text()` gives it. */
  async text(): Promise<string> {
    return this.body ?? ''
  }

  /** The body parsed as JSON, as `Response.json()` gives it. */
  async json(): Promise<unknown> {
    return JSON.parse(this.body ?? '')
  }

  /** The same response as a Web `Response`. */
  toResponse(): Response {
    const response = new Response(this.body, {
      status: this.status,
      headers: this.#record ?? this.#headers,
    })
    if (this.body !== null) texts.set(response, this.body)
    return response
  }
}

// The text of the Web responses made by TextResponse.toResponse: an adapter that writes to a
// socket itself (the Node bridge) sends it as it is, since on Node reading a body stream back
// costs more than building the response did.
const texts = new WeakMap<Response, string>()

/**
 * The text body of a Web `Response` made from a {@link TextResponse} whose body nobody has read
 * yet; undefined for any other response, which must then be read as usual.
 *
 * @example
 * ```ts
 * const text = responseText(response) ?? (await response.text())
 * ```
 */
export function responseText(response: Response): string | undefined {
  return response.bodyUsed ? undefined : texts.get(response)
}

/** What an endpoint answers: a Web `Response`, or oidkit's cheaper {@link TextResponse}. */
export type EndpointResponse = Response | TextResponse

/**
 * Whether an endpoint's answer is still to come. Any thenable counts, so that an answer from
 * another realm or promise library is awaited rather than written as a response.
 *
 * @example
 * ```ts
 * const response = isPromise(answer) ? await answer : answer
 * ```
 */
export function isPromise<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function'
}

/**
 * The Web `Response` for what an endpoint answered.
 *
 * @example
 * ```ts
 * return toWebResponse(await endpoint.handle(request, server.context))
 * ```
 */
export function toWebResponse(response: EndpointResponse): Response {
  return response instanceof TextResponse ? response.toResponse() : response
}

/**
 * A response with a text body.
 *
 * @example
 * ```ts
 * return textResponse(html, { headers: { 'content-type': 'text/html; charset=utf-8' } })
 * ```
 */
export function textResponse(body: string, init: TextResponseInit = {}): TextResponse {
  return new TextResponse(body, init)
}

/**
 * A JSON response that is never cached.
 *
 * @example
 * ```ts
 * return jsonResponse({ active: false })
 * ```
 */
export function jsonResponse(body: unknown, init: TextResponseInit = {}): TextResponse {
  return new TextResponse(JSON.stringify(body), {
    status: init.status ?? 200,
    headers: withFields(NO_STORE_JSON, init.headers ?? {}),
  })
}

/**
 * A `303 See Other` redirect, so that a POSTed form is followed by a GET (RFC 9110 15.4.4).
 *
 * @example
 * ```ts
 * return redirectResponse('https://client.example/cb?code=...')
 * ```
 */
export function redirectResponse(
  location: string,
  headers: Record<string, string> = {},
): TextResponse {
  return new TextResponse(null, {
    status: 303,
    headers: { location, 'cache-control': 'no-store', ...headers },
  })
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

/**
 * Escapes text for HTML element content and quoted attribute values.
 *
 * @example
 * ```ts
 * `<input value="${escapeHtml(state)}">`
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!)
}
