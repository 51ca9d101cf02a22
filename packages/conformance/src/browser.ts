/**
 * Just enough of a browser to drive an OpenID Provider over real HTTP: a cookie jar, redirects
 * followed by hand (so the test sees where the OP sends the user agent), and HTML forms parsed
 * and submitted the way a browser would (hidden inputs, filled fields, the pressed button).
 *
 * @module
 */

/**
 * The cookies a browser would carry across redirects, for a single host (every oidkit cookie is
 * `Path=/`, so paths and domains are not modelled).
 *
 * @example
 * ```ts
 * const jar = new CookieJar()
 * jar.store(await fetch(url, { headers: { cookie: jar.header() } }))
 * ```
 */
export class CookieJar {
  readonly #cookies = new Map<string, string>()

  /** Keeps the cookies a response sets; removes those it expires (RFC 6265 5.3). */
  store(response: Response): void {
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = cookie.split(';')
      const eq = pair.indexOf('=')
      if (eq === -1) continue
      const name = pair.slice(0, eq).trim()
      const value = pair.slice(eq + 1).trim()
      const expired = attributes.some((attribute) => {
        const [key = '', val = ''] = attribute.split('=').map((part) => part.trim())
        if (/^max-age$/i.test(key)) return Number(val) <= 0
        if (/^expires$/i.test(key)) return Date.parse(val) <= Date.now()
        return false
      })
      if (expired) this.#cookies.delete(name)
      else this.#cookies.set(name, value)
    }
  }

  /** The value of one cookie. */
  get(name: string): string | undefined {
    return this.#cookies.get(name)
  }

  /** The `Cookie` request header. */
  header(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  }
}

/**
 * One request, as a browser sends it: the jar's cookies, no automatic redirect; the cookies
 * of the response are stored.
 *
 * @example
 * ```ts
 * const response = await browserFetch(authorizeUrl, jar)
 * ```
 */
export async function browserFetch(
  url: URL | string,
  jar: CookieJar,
  init: { method?: string; body?: URLSearchParams } = {},
): Promise<Response> {
  const headers: Record<string, string> = {}
  const cookie = jar.header()
  if (cookie) headers.cookie = cookie
  if (init.body) headers['content-type'] = 'application/x-www-form-urlencoded'
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    redirect: 'manual',
    headers,
    ...(init.body ? { body: init.body } : {}),
  })
  jar.store(response)
  return response
}

const isRedirect = (response: Response) =>
  response.status >= 300 && response.status < 400 && response.headers.has('location')

/**
 * Where a redirect response points, resolved against the URL it answered.
 *
 * @example
 * ```ts
 * const callback = locationOf(await target.login(url, jar, 'alice'))
 * ```
 */
export function locationOf(response: Response): URL {
  const location = response.headers.get('location')
  if (location === null) throw new Error(`expected a redirect, got ${response.status}`)
  return new URL(location, response.url)
}

/**
 * Follows redirects that stay on the origin of the response (the OP's own pages), and returns
 * the first response that is not one: a redirect leaving for another origin (the client's
 * redirect_uri) or a page (a login form, a `form_post` page, an error).
 *
 * @example
 * ```ts
 * const last = await follow(await browserFetch(authorizeUrl, jar), jar)
 * ```
 */
export async function follow(response: Response, jar: CookieJar): Promise<Response> {
  for (let hop = 0; hop < 20; hop++) {
    if (!isRedirect(response)) return response
    const next = locationOf(response)
    if (next.origin !== new URL(response.url).origin) return response
    await response.body?.cancel()
    response = await browserFetch(next, jar)
  }
  throw new Error('too many redirects')
}

/**
 * Navigates to a URL and follows the OP's redirects (see {@link follow}).
 *
 * @example
 * ```ts
 * const page = await navigate(endSessionUrl, jar)
 * ```
 */
export async function navigate(url: URL | string, jar: CookieJar): Promise<Response> {
  return follow(await browserFetch(url, jar), jar)
}

/** A submit button of a form. */
export interface SubmitButton {
  name?: string
  value: string
}

/** The first form of an HTML page, as a browser would submit it. */
export interface HtmlForm {
  /** The resolved `action` (the page's own URL when absent). */
  action: URL
  method: 'GET' | 'POST'
  /** The successful controls, in document order (button values excluded). */
  fields: Array<[string, string]>
  /** Submit buttons, in document order. */
  buttons: SubmitButton[]
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }

/**
 * Decodes the character references an HTML attribute or text may contain.
 *
 * @example
 * ```ts
 * decodeHtml('a&amp;b&#39;') // "a&b'"
 * ```
 */
export function decodeHtml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code =
        ref[1] === 'x' || ref[1] === 'X' ? Number.parseInt(ref.slice(2), 16) : Number(ref.slice(1))
      return String.fromCodePoint(code)
    }
    return ENTITIES[ref.toLowerCase()] ?? whole
  })
}

/** The attributes of a start tag (the text after its name), names lower-cased, values decoded. */
function attributes(source: string): Map<string, string> {
  const found = new Map<string, string>()
  for (const match of source.matchAll(
    /([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?/g,
  )) {
    const name = match[1]!.toLowerCase()
    if (!found.has(name)) found.set(name, decodeHtml(match[2] ?? match[3] ?? match[4] ?? ''))
  }
  return found
}

/**
 * Parses the first `<form>` of a page: its action and method, its successful controls
 * (inputs, checked checkboxes and radios, textareas) and its submit buttons.
 *
 * @example
 * ```ts
 * const form = parseForm(await page.text(), page.url)
 * ```
 */
export function parseForm(html: string, pageUrl: URL | string): HtmlForm {
  const match = /<form\b([^>]*)>([\s\S]*?)<\/form\s*>/i.exec(html)
  if (!match) throw new Error(`the page has no form: ${html.slice(0, 300)}`)
  const form = attributes(match[1]!)
  const action = new URL(form.get('action') || String(pageUrl), pageUrl)
  const method = form.get('method')?.toUpperCase() === 'POST' ? 'POST' : 'GET'
  const fields: Array<[string, string]> = []
  const buttons: SubmitButton[] = []
  const controls = /<textarea\b([^>]*)>([\s\S]*?)<\/textarea\s*>|<(input|button)\b([^>]*)>/gi
  for (const control of match[2]!.matchAll(controls)) {
    const tag = control[3]?.toLowerCase() ?? 'textarea'
    const attrs = attributes(control[1] ?? control[4] ?? '')
    const name = attrs.get('name')
    const type = (attrs.get('type') ?? (tag === 'button' ? 'submit' : 'text')).toLowerCase()
    if (attrs.has('disabled')) continue
    if (tag !== 'textarea' && (type === 'submit' || type === 'image')) {
      buttons.push({ ...(name ? { name } : {}), value: attrs.get('value') ?? '' })
      continue
    }
    if (!name || tag === 'button' || ['reset', 'file'].includes(type)) continue
    if ((type === 'checkbox' || type === 'radio') && !attrs.has('checked')) continue
    const fallback = type === 'checkbox' || type === 'radio' ? 'on' : ''
    const value = tag === 'textarea' ? decodeHtml(control[2]!) : (attrs.get('value') ?? fallback)
    fields.push([name, value])
  }
  return { action, method, fields, buttons }
}

/** How {@link submitForm} fills and submits a form. */
export interface SubmitOptions {
  /** The URL of the page (to resolve a relative or missing `action`). */
  url: URL | string
  /** Values for named fields; every name must be a field of the form. */
  fill?: Record<string, string>
  /**
   * The submit button to press, by name (and value when several share a name); default the
   * first one, as pressing Enter would.
   */
  button?: string | { name: string; value?: string }
}

/**
 * Submits the first form of a page like a browser: hidden and other fields as they are, the
 * filled ones replaced, the pressed button's name and value added. Returns the raw response
 * (its cookies stored); pass it to {@link follow} to go on.
 *
 * @example
 * ```ts
 * const next = await submitForm(html, jar, {
 *   url: page.url,
 *   fill: { username: 'alice', password: 'wonderland' },
 * })
 * ```
 */
export async function submitForm(
  html: string,
  jar: CookieJar,
  options: SubmitOptions,
): Promise<Response> {
  const form = parseForm(html, options.url)
  const fields = form.fields.map(([name, value]): [string, string] => [name, value])
  for (const [name, value] of Object.entries(options.fill ?? {})) {
    const index = fields.findIndex(([field]) => field === name)
    if (index === -1) throw new Error(`the form has no field "${name}"`)
    fields[index] = [name, value]
  }
  const wanted = typeof options.button === 'string' ? { name: options.button } : options.button
  const pressed = wanted
    ? form.buttons.find(
        (b) => b.name === wanted.name && (wanted.value === undefined || b.value === wanted.value),
      )
    : form.buttons[0]
  if (wanted && !pressed) throw new Error(`the form has no button "${wanted.name}"`)
  if (pressed?.name) fields.push([pressed.name, pressed.value])
  const body = new URLSearchParams(fields)
  if (form.method === 'POST') return browserFetch(form.action, jar, { method: 'POST', body })
  const target = new URL(form.action)
  target.search = body.toString()
  return browserFetch(target, jar)
}
