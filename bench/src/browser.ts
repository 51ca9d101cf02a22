import type autocannon from 'autocannon'
import {
  authorizeQuery,
  basicAuth,
  CLIENT_ID,
  type OpPaths,
  REDIRECT_URI,
  redeemBody,
} from './fixtures'
import type { FlowCounter } from './load'
import type { Fetch } from './prelude'

/**
 * Playing the browser against an OP: a cookie jar, the login and consent forms of
 * `servers/pages.ts`, and the redirects in between. Used with fetch to sign in once and mint
 * codes, and as an autocannon request sequence for the interactive-login scenario.
 */

const RP_ORIGIN = new URL(REDIRECT_URI).origin

/** A cookie jar that honours `Path` and removal, which is all the OPs here rely on. */
export class CookieJar {
  readonly #cookies = new Map<string, { value: string; path: string }>()

  store(setCookies: readonly string[]): void {
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';')
      const eq = pair.indexOf('=')
      if (eq < 1) continue
      const name = pair.slice(0, eq).trim()
      const value = pair.slice(eq + 1).trim()
      let path = '/'
      let removed = value === ''
      for (const attribute of attributes) {
        const [key = '', val = ''] = attribute.split('=').map((part) => part.trim())
        const lower = key.toLowerCase()
        if (lower === 'path') path = val || '/'
        else if (lower === 'max-age' && Number(val) <= 0) removed = true
        else if (lower === 'expires' && Date.parse(val) <= Date.now()) removed = true
      }
      const key = `${name};${path}`
      if (removed) this.#cookies.delete(key)
      else this.#cookies.set(key, { value, path })
    }
  }

  /** The `Cookie` header for a request to `path`. */
  header(path: string): string {
    const parts: string[] = []
    for (const [key, cookie] of this.#cookies) {
      if (path.startsWith(cookie.path))
        parts.push(`${key.slice(0, key.indexOf(';'))}=${cookie.value}`)
    }
    return parts.join('; ')
  }
}

/** The next request a browser makes after a response, or where the flow ended. */
export type BrowserStep =
  | { kind: 'request'; method: 'GET' | 'POST'; path: string; body?: string }
  | { kind: 'code'; code: string }
  | { kind: 'error'; reason: string }

const FORM = /<form method="post" action="([^"]+)">/

/**
 * What a browser does with a response: follow a redirect, submit the login form (as alice) or
 * the consent form (remembered only when `remember`), or stop at the redirect to the client.
 */
export function nextStep(
  status: number,
  location: string | undefined,
  body: string,
  base: string,
  remember: boolean,
): BrowserStep {
  if (status >= 300 && status < 400 && location) {
    const url = new URL(location, base)
    if (url.origin === RP_ORIGIN) {
      const code = url.searchParams.get('code')
      return code
        ? { kind: 'code', code }
        : { kind: 'error', reason: `redirect without a code: ${url.search}` }
    }
    return { kind: 'request', method: 'GET', path: `${url.pathname}${url.search}` }
  }
  const form = status === 200 ? FORM.exec(body) : null
  if (form) {
    const path = form[1]!.replace(/&amp;/g, '&')
    if (body.includes('name="account"')) {
      return { kind: 'request', method: 'POST', path, body: 'account=alice&password=wonderland' }
    }
    return {
      kind: 'request',
      method: 'POST',
      path,
      body: remember ? 'consent=yes&remember=yes' : 'consent=yes',
    }
  }
  return { kind: 'error', reason: `unexpected ${status}: ${body.slice(0, 200)}` }
}

const FORM_HEADERS = { 'content-type': 'application/x-www-form-urlencoded' }

/**
 * Runs one authorization request through the browser with fetch (login and consent pages
 * included when they come) and returns the code.
 */
export async function authorizeWithFetch(
  base: string,
  paths: OpPaths,
  jar: CookieJar,
  options: { remember: boolean; state?: string },
  send: Fetch = fetch,
): Promise<string> {
  let step: BrowserStep = {
    kind: 'request',
    method: 'GET',
    path: `${paths.authorize}?${authorizeQuery(options.state ?? crypto.randomUUID())}`,
  }
  for (let hop = 0; hop < 12; hop++) {
    if (step.kind === 'code') return step.code
    if (step.kind === 'error') throw new Error(`${base}: ${step.reason}`)
    const response = await send(`${base}${step.path}`, {
      method: step.method,
      redirect: 'manual',
      headers: { cookie: jar.header(step.path), ...(step.body ? FORM_HEADERS : {}) },
      ...(step.body ? { body: step.body } : {}),
    })
    jar.store(response.headers.getSetCookie())
    const location = response.headers.get('location') ?? undefined
    step = nextStep(response.status, location, await response.text(), base, options.remember)
  }
  throw new Error(`${base}: too many redirects`)
}

/**
 * Signs alice in once (login and remembered consent) and returns the browser's jar: with it,
 * every further authorization request gets a code straight away.
 */
export async function signIn(
  base: string,
  paths: OpPaths,
  send: Fetch = fetch,
): Promise<CookieJar> {
  const jar = new CookieJar()
  await authorizeWithFetch(base, paths, jar, { remember: true }, send)
  return jar
}

/** Mints `count` codes through the real authorization endpoint with a signed-in browser. */
export async function mintCodes(
  base: string,
  paths: OpPaths,
  jar: CookieJar,
  count: number,
  concurrency = 8,
  send: Fetch = fetch,
): Promise<string[]> {
  const codes: string[] = []
  let started = 0
  async function worker(): Promise<void> {
    while (started < count) {
      started++
      codes.push(await authorizeWithFetch(base, paths, jar, { remember: true }, send))
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker))
  return codes
}

/** Redeems one code and returns the token response. */
export async function redeem(
  base: string,
  paths: OpPaths,
  code: string,
  send: Fetch = fetch,
): Promise<Record<string, unknown>> {
  const response = await send(`${base}${paths.token}`, {
    method: 'POST',
    headers: { authorization: basicAuth(CLIENT_ID), ...FORM_HEADERS },
    body: redeemBody(code),
  })
  const body = (await response.json()) as Record<string, unknown>
  if (response.status !== 200)
    throw new Error(`${base}: redemption failed: ${JSON.stringify(body)}`)
  return body
}

/**
 * What every OP of the bench is sent first: alice signs in, and one code is minted and redeemed.
 * Returns the signed-in jar and the token response.
 */
export async function firstLogin(
  base: string,
  paths: OpPaths,
  send: Fetch = fetch,
): Promise<{ jar: CookieJar; tokens: Record<string, unknown> }> {
  const jar = await signIn(base, paths, send)
  const [code] = await mintCodes(base, paths, jar, 1, 1, send)
  return { jar, tokens: await redeem(base, paths, code!, send) }
}

interface LoginContext {
  started?: number
  jar?: CookieJar
  next?: BrowserStep
  finished?: boolean
}

const MAX_STEPS = 14

function header(headers: Record<string, string | string[] | undefined>, name: string): string[] {
  const out: string[] = []
  for (const [key, value] of Object.entries(headers)) {
    if (value === undefined || key.toLowerCase() !== name) continue
    out.push(...(Array.isArray(value) ? value : [value]))
  }
  return out
}

/**
 * The interactive login as an autocannon request sequence: every connection is one browser
 * that, from an empty jar, requests authorization, gets the login page, posts it, gets the
 * consent page, posts it (not remembered), follows every redirect the OP sends on the way, and
 * redeems the code at the token endpoint. A finished (or failed) login ends the sequence, which
 * starts over with a fresh browser; `flow` counts the logins and their latencies.
 */
export function loginFlowRequests(
  base: string,
  paths: OpPaths,
  flow: FlowCounter,
): autocannon.Request[] {
  const step: autocannon.Request = {
    setupRequest(request, raw) {
      const context = raw as LoginContext
      if (context.finished) return undefined as unknown as autocannon.Request
      if (!context.next) {
        context.started = performance.now()
        context.jar = new CookieJar()
        context.next = {
          kind: 'request',
          method: 'GET',
          path: `${paths.authorize}?${authorizeQuery(crypto.randomUUID())}`,
        }
      }
      const next = context.next
      if (next.kind === 'code') {
        // The RP's back channel: no browser cookies, client authentication instead.
        return {
          ...request,
          method: 'POST',
          path: paths.token,
          headers: { authorization: basicAuth(CLIENT_ID), ...FORM_HEADERS },
          body: redeemBody(next.code),
        }
      }
      if (next.kind === 'error') return undefined as unknown as autocannon.Request
      const cookie = context.jar!.header(next.path)
      return {
        ...request,
        method: next.method,
        path: next.path,
        headers: { ...(cookie ? { cookie } : {}), ...(next.body ? FORM_HEADERS : {}) },
        body: next.body ?? '',
      }
    },
    onResponse(status, body, raw, headers) {
      const context = raw as LoginContext
      const previous = context.next
      if (previous?.kind === 'code') {
        context.finished = true
        if (status === 200 && body.includes('"id_token"')) {
          flow.done(performance.now() - context.started!)
        } else {
          flow.fail()
        }
        return
      }
      context.jar!.store(header(headers ?? {}, 'set-cookie'))
      const location = header(headers ?? {}, 'location')[0]
      context.next = nextStep(status, location, body, base, false)
      if (context.next.kind === 'error') {
        context.finished = true
        flow.fail()
      }
    },
  }
  return Array.from({ length: MAX_STEPS }, () => ({ ...step }))
}
