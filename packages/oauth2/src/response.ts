/** JSON headers with `Cache-Control: no-store` (RFC 6749 5.1, RFC 7662 2.2, RFC 7591 3.2.1). */
export const NO_STORE_JSON = {
  'content-type': 'application/json;charset=UTF-8',
  'cache-control': 'no-store',
  pragma: 'no-cache',
} as const

// The text of the responses built by textResponse. An adapter that writes to a socket itself
// (the Node bridge) sends it as it is: on Node, reading a body stream back costs more than
// building the whole response.
const texts = new WeakMap<Response, string>()

/**
 * A response with a text body that adapters can write without reading the body stream back.
 * It is an ordinary `Response` in every other respect.
 *
 * @example
 * ```ts
 * return textResponse(html, { headers: { 'content-type': 'text/html; charset=utf-8' } })
 * ```
 */
export function textResponse(body: string, init: ResponseInit = {}): Response {
  const response = new Response(body, init)
  texts.set(response, body)
  return response
}

/**
 * The body of a response built by {@link textResponse} whose body nobody has read yet;
 * undefined for any other response, which must then be read as usual.
 *
 * @example
 * ```ts
 * const text = responseText(response) ?? (await response.text())
 * ```
 */
export function responseText(response: Response): string | undefined {
  return response.bodyUsed ? undefined : texts.get(response)
}

/**
 * A JSON response that is never cached.
 *
 * @example
 * ```ts
 * return jsonResponse({ active: false })
 * ```
 */
export function jsonResponse(
  body: unknown,
  init: { status?: number; headers?: Record<string, string> } = {},
): Response {
  return textResponse(JSON.stringify(body), {
    status: init.status ?? 200,
    headers: { ...NO_STORE_JSON, ...init.headers },
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
export function redirectResponse(location: string, headers: Record<string, string> = {}): Response {
  return new Response(null, {
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
