import { randomBytes } from 'node:crypto'
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

/** How many codes a run may use: twice what the expected rate redeems, and some per connection. */
function codesFor(expectedRps: number, settings: LoadSettings): number {
  return Math.ceil(
    expectedRps * (settings.durationS + settings.warmupS) * 2 + settings.connections * 4,
  )
}

/**
 * Redemptions that send each code once, their bodies built before the run. Past the last code
 * every request carries an unknown one, and the run is discarded (`valid`).
 */
function redeemEach(server: ServerProcess, path: string, codes: readonly string[]): Prepared {
  const bodies = codes.map(redeemBody)
  const exhausted = redeemBody('exhausted')
  let next = 0
  const request: autocannon.Request = {
    method: 'POST',
    path,
    headers: { authorization: basicAuth(CLIENT_ID), ...FORM },
    setupRequest: (req) => ({ ...req, body: bodies[next++] ?? exhausted }),
  }
  return { target: { url: server.url, requests: [request] }, valid: () => next <= bodies.length }
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
      const codes = await mintCodes(server.url, paths, jar, codesFor(expectedRps, settings))
      return redeemEach(server, paths.token, codes)
    },
  }
}

/**
 * The ceiling's side of code redemption: the same requests as an OP gets, each with a code of its
 * own (random: the ceiling checks none). The load generator shares the two cores with the server,
 * and a request built anew for every send costs it about 70 µs more than one fixed request sent
 * over and over, so both sides of the comparison are sent the same kind of load.
 */
export function ceilingRedemption(
  role: string,
  server: ServerProcess,
  path: string,
  settings: LoadSettings,
): Contender {
  return {
    role,
    server,
    prepare(expectedRps) {
      const count = codesFor(expectedRps, settings)
      const codes = Array.from({ length: count }, () => randomBytes(32).toString('base64url'))
      return redeemEach(server, path, codes)
    },
  }
}
