import type { Client } from './client'
import type { ServerContext } from './context'
import type { Endpoint } from './plugin'
import { headerOf, type RequestLike } from './request'
import { TextResponse } from './response'

const ALLOWED_HEADERS = 'authorization, content-type, dpop'

/** The origins (scheme://host:port) of a client's registered redirect URIs. */
function clientOrigins(client: Client): string[] {
  const origins: string[] = []
  for (const uri of client.redirect_uris ?? []) {
    try {
      const { origin } = new URL(uri)
      if (origin !== 'null') origins.push(origin)
    } catch {
      // A malformed URI was never accepted at registration; ignore it here.
    }
  }
  return origins
}

async function originAllowed(
  origin: string,
  endpoint: Endpoint,
  server: ServerContext,
  client: Client | undefined,
): Promise<boolean> {
  const policy = server.config.cors?.origins ?? 'clients'
  if (typeof policy === 'function') return policy(origin, client)
  if (Array.isArray(policy)) return policy.includes(origin)
  // 'clients': public documents are readable from anywhere; the rest only from the origins of
  // the authenticated client's redirect URIs.
  if (endpoint.cors === 'public') return true
  return client !== undefined && clientOrigins(client).includes(origin)
}

/**
 * The CORS headers for an actual (non-preflight) response, or undefined when the origin is not
 * allowed. The authorization endpoint and HTML pages never get here: their endpoints have no
 * `cors` flag.
 */
export async function corsHeaders(
  request: RequestLike,
  endpoint: Endpoint,
  server: ServerContext,
): Promise<Record<string, string> | undefined> {
  const origin = headerOf(request, 'origin')
  if (!origin) return undefined
  const client = server.requestClients.get(request)
  if (!(await originAllowed(origin, endpoint, server, client))) return { vary: 'Origin' }
  return {
    'access-control-allow-origin': origin,
    'access-control-expose-headers': 'www-authenticate, dpop-nonce',
    vary: 'Origin',
  }
}

/**
 * Answers a CORS preflight. The client is not known yet, so any origin may send the request;
 * whether it may read the answer is decided on the actual response.
 */
export function preflightResponse(request: RequestLike, endpoint: Endpoint): TextResponse {
  const origin = request.headers.get('origin')
  const headers: Record<string, string> = { allow: endpoint.methods.join(', ') }
  if (origin) {
    headers['access-control-allow-origin'] = origin
    headers['access-control-allow-methods'] = endpoint.methods.join(', ')
    headers['access-control-allow-headers'] = ALLOWED_HEADERS
    headers['access-control-max-age'] = '600'
    headers.vary = 'Origin'
  }
  return new TextResponse(null, { status: 204, headers })
}
