import type { ServerContext } from './context'
import { randomToken, sha256 } from './crypto'
import { headerOf, type RequestLike } from './request'
import type { SessionRecord } from './storage'

/** The cookie that holds the end-user's session secret at the provider. */
export const SESSION_COOKIE = 'oidkit.session'
/** The cookie that binds pending authorization requests to the browser that started them. */
export const INTERACTION_COOKIE = 'oidkit.interaction'
// Several tabs may authorize at once; the cookie lists the newest pending interactions.
const MAX_PENDING_INTERACTIONS = 5

/**
 * The value of one cookie of a request, or undefined.
 *
 * @example
 * ```ts
 * readCookie(request, 'oidkit.session')
 * ```
 */
export function readCookie(request: RequestLike, name: string): string | undefined {
  const header = headerOf(request, 'cookie')
  if (!header) return undefined
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq === -1 || part.slice(0, eq).trim() !== name) continue
    const value = part.slice(eq + 1).trim()
    return value === '' ? undefined : value
  }
  return undefined
}

/**
 * A `Set-Cookie` value with the attributes every oidkit cookie has: HttpOnly, SameSite=Lax,
 * Path=/ and Secure when the issuer is https. `maxAge` undefined makes a browser-session cookie.
 *
 * @example
 * ```ts
 * serializeCookie(server, 'oidkit.session', secret, 3600)
 * ```
 */
export function serializeCookie(
  server: ServerContext,
  name: string,
  value: string,
  maxAge?: number,
): string {
  let cookie = `${name}=${value}; Path=/; HttpOnly; SameSite=Lax`
  if (server.settings.secureCookies) cookie += '; Secure'
  if (maxAge !== undefined) cookie += `; Max-Age=${Math.max(0, Math.floor(maxAge))}`
  return cookie
}

/**
 * The session of the request's cookie, or undefined when there is none or it has expired.
 * The cookie holds a secret; the record is stored under its SHA-256, so that a session id
 * (used as `sid` by OpenID Connect) or a leaked store never reveals a usable cookie.
 *
 * @example
 * ```ts
 * const session = await readSession(server, request)
 * ```
 */
export async function readSession(
  server: ServerContext,
  request: RequestLike,
): Promise<SessionRecord | undefined> {
  const secret = readCookie(request, SESSION_COOKIE)
  if (!secret) return undefined
  const session = await server.storage.sessions.get(await sha256(secret))
  if (!session || session.expiresAt <= server.now()) return undefined
  return session
}

/** What a finished login tells the provider about the end-user. */
export interface LoginInput {
  accountId: string
  acr?: string
  amr?: readonly string[]
  /** Keep the session across browser restarts (default true). */
  remember?: boolean
}

/**
 * Starts a session after a login. It always gets a new id, even when the browser had one, and
 * the previous session is deleted (session fixation, OWASP ASVS V3.2.1).
 *
 * @example
 * ```ts
 * const { session, cookie } = await createSession(server, request, { accountId: 'alice' })
 * response.headers.append('set-cookie', cookie)
 * ```
 */
export async function createSession(
  server: ServerContext,
  request: RequestLike,
  login: LoginInput,
): Promise<{ session: SessionRecord; cookie: string }> {
  const previous = readCookie(request, SESSION_COOKIE)
  if (previous) await server.storage.sessions.delete(await sha256(previous))
  const now = server.now()
  const secret = randomToken()
  const session: SessionRecord = {
    id: await sha256(secret),
    accountId: login.accountId,
    authTime: now,
    ...(login.acr !== undefined ? { acr: login.acr } : {}),
    ...(login.amr !== undefined ? { amr: [...login.amr] } : {}),
    createdAt: now,
    expiresAt: now + server.settings.sessionTtl,
  }
  await server.storage.sessions.save(session)
  return { session, cookie: createSessionCookie(server, secret, session, login.remember ?? true) }
}

/**
 * The `Set-Cookie` value of a session: persistent until the session expires when `remember`,
 * else a browser-session cookie.
 *
 * @example
 * ```ts
 * createSessionCookie(server, secret, session, true)
 * ```
 */
export function createSessionCookie(
  server: ServerContext,
  secret: string,
  session: SessionRecord,
  remember = true,
): string {
  const maxAge = remember ? session.expiresAt - server.now() : undefined
  return serializeCookie(server, SESSION_COOKIE, secret, maxAge)
}

/**
 * The `Set-Cookie` value that removes the session cookie.
 *
 * @example
 * ```ts
 * headers.append('set-cookie', clearSessionCookie(server))
 * ```
 */
export function clearSessionCookie(server: ServerContext): string {
  return serializeCookie(server, SESSION_COOKIE, '', 0)
}

/**
 * Logs the end-user out: deletes the session of the request's cookie and returns the
 * `Set-Cookie` values to send (used by OpenID Connect RP-Initiated Logout).
 *
 * @example
 * ```ts
 * const cookies = await endSession(server, request)
 * for (const cookie of cookies) response.headers.append('set-cookie', cookie)
 * ```
 */
export async function endSession(server: ServerContext, request: RequestLike): Promise<string[]> {
  const secret = readCookie(request, SESSION_COOKIE)
  if (secret) await server.storage.sessions.delete(await sha256(secret))
  return [clearSessionCookie(server)]
}

/**
 * The pending interaction ids the request's browser holds.
 *
 * @example
 * ```ts
 * if (!pendingInteractions(request).includes(id)) throw new OAuthError('invalid_request')
 * ```
 */
export function pendingInteractions(request: RequestLike): string[] {
  return readCookie(request, INTERACTION_COOKIE)?.split('.').filter(Boolean) ?? []
}

/**
 * The `Set-Cookie` value that adds (`add`) or removes (`remove`) an interaction id of the
 * browser's pending list; the cookie lives as long as an interaction.
 *
 * @example
 * ```ts
 * headers.append('set-cookie', interactionCookie(server, request, { add: record.id }))
 * ```
 */
export function interactionCookie(
  server: ServerContext,
  request: RequestLike,
  change: { add?: string; remove?: string },
): string {
  let ids = pendingInteractions(request).filter((id) => id !== change.add && id !== change.remove)
  if (change.add) ids = [change.add, ...ids].slice(0, MAX_PENDING_INTERACTIONS)
  if (ids.length === 0) return serializeCookie(server, INTERACTION_COOKIE, '', 0)
  return serializeCookie(server, INTERACTION_COOKIE, ids.join('.'), server.settings.interactionTtl)
}
