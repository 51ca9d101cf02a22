import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'

/**
 * The Content-Security-Policy of every demo page: no script, no external resource, inline
 * styles only. `form-action` allows the site itself and the redirect chain a consent POST
 * starts (browsers apply form-action to the redirects after a submission, and the last hop
 * is the client's redirect URI).
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' https: http:; " +
  "frame-ancestors 'none'; base-uri 'none'"

/** The headers every page of the demo carries. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  'cross-origin-opener-policy': 'same-origin',
}

/**
 * Express middleware that sets {@link SECURITY_HEADERS} on the response. Mounted after
 * `oidkit(provider)`, so it covers the demo's own pages; the provider's responses keep their
 * own headers.
 *
 * @example
 * ```ts
 * app.use(oidkit(provider), securityHeaders)
 * ```
 */
export function securityHeaders(_req: IncomingMessage, res: ServerResponse, next: () => void) {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value)
  next()
}

/**
 * One cookie of a request.
 *
 * @example
 * ```ts
 * readCookie(req.headers.cookie, 'demo.csrf')
 * ```
 */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const eq = part.indexOf('=')
    if (eq !== -1 && part.slice(0, eq).trim() === name)
      return part.slice(eq + 1).trim() || undefined
  }
  return undefined
}

const safeEqual = (a: string, b: string) => {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}

/** What a page needs to protect a form: the token to embed, and a cookie to set if any. */
export interface CsrfIssue {
  token: string
  /** A `Set-Cookie` value when the browser had no CSRF cookie yet. */
  setCookie?: string
}

/** The CSRF protection of the demo's forms. */
export interface Csrf {
  /** The token for a form about `subject` (an interaction or logout id). */
  issue(cookieHeader: string | undefined, subject: string): CsrfIssue
  /** True when the posted token belongs to this browser and this subject. */
  verify(cookieHeader: string | undefined, subject: string, token: unknown): boolean
}

/**
 * A signed double-submit CSRF token (OWASP CSRF Prevention Cheat Sheet): the browser holds a
 * random HttpOnly cookie, and each form carries HMAC(secret, cookie | subject). A forged POST
 * from another site cannot read the cookie nor compute the HMAC, and a token copied from one
 * interaction's form is useless for another one. `secure` issuers get a `__Host-` cookie, which
 * a sibling subdomain cannot plant.
 *
 * @example
 * ```ts
 * const csrf = createCsrf(secret, { secure: issuer.startsWith('https:') })
 * const { token, setCookie } = csrf.issue(req.headers.cookie, interactionId)
 * ```
 */
export function createCsrf(secret: Uint8Array, options: { secure: boolean }): Csrf {
  const name = options.secure ? '__Host-demo.csrf' : 'demo.csrf'
  const attributes = `Path=/; HttpOnly; SameSite=Lax${options.secure ? '; Secure' : ''}`
  const sign = (binding: string, subject: string) =>
    createHmac('sha256', secret).update(`${binding}|${subject}`).digest('base64url')
  return {
    issue(cookieHeader, subject) {
      const existing = readCookie(cookieHeader, name)
      if (existing) return { token: sign(existing, subject) }
      const binding = randomBytes(32).toString('base64url')
      return { token: sign(binding, subject), setCookie: `${name}=${binding}; ${attributes}` }
    },
    verify(cookieHeader, subject, token) {
      const binding = readCookie(cookieHeader, name)
      if (!binding || typeof token !== 'string' || token === '') return false
      return safeEqual(sign(binding, subject), token)
    },
  }
}

/** Limits of {@link LoginRateLimiter}. */
export interface RateLimitOptions {
  /** Failures allowed per username within the window (default 5). */
  perAccount?: number
  /** Failures allowed per client IP within the window (default 20: several people may share one). */
  perIp?: number
  /** The window in seconds (default 15 minutes). */
  window?: number
  /** Most keys tracked at once; the oldest are forgotten beyond it (default 10 000). */
  maxKeys?: number
  /** The clock in milliseconds, for tests. */
  now?: () => number
}

/** What {@link LoginRateLimiter.check} answers. */
export type RateLimitDecision = { allowed: true } | { allowed: false; retryAfter: number }

/**
 * Counts failed logins per username and per IP over a sliding window, in memory (a restart
 * forgets them; several processes would each count on their own: a production deployment
 * keeps these counters in a shared store). The username counts whether the account exists or
 * not, so the limiter does not reveal which usernames exist.
 *
 * @example
 * ```ts
 * const limiter = new LoginRateLimiter()
 * const decision = limiter.check('alice', ip)
 * if (decision.allowed && !ok) limiter.fail('alice', ip)
 * ```
 */
export class LoginRateLimiter {
  readonly #failures = new Map<string, number[]>()
  readonly #perAccount: number
  readonly #perIp: number
  readonly #window: number
  readonly #maxKeys: number
  readonly #now: () => number

  constructor(options: RateLimitOptions = {}) {
    this.#perAccount = options.perAccount ?? 5
    this.#perIp = options.perIp ?? 20
    this.#window = (options.window ?? 15 * 60) * 1000
    this.#maxKeys = options.maxKeys ?? 10_000
    this.#now = options.now ?? Date.now
  }

  /** Whether another attempt is allowed now, and otherwise how many seconds to wait. */
  check(username: string, ip: string): RateLimitDecision {
    const now = this.#now()
    const waits = [
      this.#wait(`account:${username.trim().toLowerCase()}`, this.#perAccount, now),
      this.#wait(`ip:${ip}`, this.#perIp, now),
    ]
    const retryAfter = Math.max(...waits)
    return retryAfter > 0 ? { allowed: false, retryAfter } : { allowed: true }
  }

  /** Records a failed attempt. */
  fail(username: string, ip: string): void {
    const now = this.#now()
    this.#record(`account:${username.trim().toLowerCase()}`, now)
    this.#record(`ip:${ip}`, now)
  }

  /** Forgets the username's failures after a successful login (the IP's stay counted). */
  succeed(username: string): void {
    this.#failures.delete(`account:${username.trim().toLowerCase()}`)
  }

  /** Seconds until `key` is below `limit` again; 0 when it already is. */
  #wait(key: string, limit: number, now: number): number {
    const recent = this.#recent(key, now)
    if (recent.length < limit) return 0
    // The attempt that has to leave the window before another one is allowed.
    const oldest = recent[recent.length - limit]!
    return Math.max(1, Math.ceil((oldest + this.#window - now) / 1000))
  }

  #recent(key: string, now: number): number[] {
    const times = this.#failures.get(key)
    if (!times) return []
    const recent = times.filter((time) => time > now - this.#window)
    if (recent.length === 0) this.#failures.delete(key)
    else if (recent.length !== times.length) this.#failures.set(key, recent)
    return recent
  }

  #record(key: string, now: number): void {
    const recent = this.#recent(key, now)
    recent.push(now)
    // Re-inserting moves the key to the end, so the first key is the least recently failed.
    this.#failures.delete(key)
    this.#failures.set(key, recent)
    if (this.#failures.size > this.#maxKeys) {
      const first = this.#failures.keys().next()
      if (!first.done) this.#failures.delete(first.value)
    }
  }
}
