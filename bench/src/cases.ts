import type autocannon from 'autocannon'
import { type CookieJar, mintCodes } from './browser'
import type { Contender, Prepared } from './compare'
import { basicAuth, CLIENT_ID, type OpPaths, redeemBody } from './fixtures'
import type { LoadSettings } from './load'
import type { ServerProcess } from './server-process'

/** The load of the simple cases: the same request over and over. */
export function fixedRequest(
  role: string,
  server: ServerProcess,
  request: {
    method?: 'GET' | 'POST'
    path: string
    headers?: Record<string, string>
    body?: string
  },
): Contender {
  const target = {
    url: `${server.url}${request.path}`,
    method: request.method ?? 'GET',
    ...(request.headers ? { headers: request.headers } : {}),
    ...(request.body ? { body: request.body } : {}),
  }
  return { role, server, prepare: () => ({ target }) }
}

export const FORM = { 'content-type': 'application/x-www-form-urlencoded' } as const

/** A token request of `client_id` with client_secret_basic. */
export function tokenRequest(
  role: string,
  server: ServerProcess,
  path: string,
  clientId: string,
  body: string,
): Contender {
  return fixedRequest(role, server, {
    method: 'POST',
    path,
    headers: { authorization: basicAuth(clientId), ...FORM },
    body,
  })
}

/**
 * Authorization code redemption: before every run, mints enough codes through the real
 * authorization endpoint with the signed-in browser `jar` (outside the measured time), then
 * redeems each exactly once under load. A run that uses them all up is discarded.
 */
export function redemption(
  role: string,
  server: ServerProcess,
  paths: OpPaths,
  jar: CookieJar,
  settings: LoadSettings,
): Contender {
  return {
    role,
    server,
    async prepare(expectedRps) {
      const count = Math.ceil(
        expectedRps * (settings.durationS + settings.warmupS) * 2 + settings.connections * 4,
      )
      const codes = await mintCodes(server.url, paths, jar, count)
      let next = 0
      const request: autocannon.Request = {
        method: 'POST',
        path: paths.token,
        headers: { authorization: basicAuth(CLIENT_ID), ...FORM },
        // Each code once; past the last one, an unknown code (a 400 that fails the run).
        setupRequest: (req) => ({ ...req, body: redeemBody(codes[next++] ?? 'exhausted') }),
      }
      const prepared: Prepared = {
        target: { url: server.url, requests: [request] },
        valid: () => next <= codes.length,
      }
      return prepared
    },
  }
}
