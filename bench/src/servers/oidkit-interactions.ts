import {
  type AuthorizationServer,
  createClient,
  type EndpointResponse,
  isOAuthError,
  textResponse,
} from '@oidkit/oauth2'
import { CLIENT_ID, CLIENT_SECRET, JWT_CLIENT_ID, REDIRECT_URI } from '../fixtures'
import { consentPage, HTML_HEADERS, loginPage } from './pages'

const INTERACTION_PATH = /^\/interaction\/([^/]+)$/

/**
 * The login and consent pages of an oidkit server on `/interaction/:id`, driven through the
 * interaction API (`interactions.get` / `interactions.finish`); undefined for any other path.
 * Consent is remembered only when the form says so, so that every benchmarked login asks for it.
 */
export function oidkitInteractions(
  server: AuthorizationServer,
): (request: Request) => Promise<EndpointResponse> | undefined {
  return (request) => {
    const match = INTERACTION_PATH.exec(new URL(request.url).pathname)
    if (!match) return undefined
    return page(server, request, decodeURIComponent(match[1]!)).catch((error: unknown) => {
      if (isOAuthError(error)) return error.toResponse()
      throw error
    })
  }
}

async function page(
  server: AuthorizationServer,
  request: Request,
  id: string,
): Promise<EndpointResponse> {
  const action = `/interaction/${encodeURIComponent(id)}`
  if (request.method === 'GET') {
    const details = await server.interactions.get(request, id)
    const clientName = details.client.client_name ?? details.client.client_id
    const html =
      details.prompt === 'login'
        ? loginPage(action, clientName)
        : consentPage(action, clientName, details.scopes)
    return textResponse(html, { headers: HTML_HEADERS })
  }
  const form = new URLSearchParams(await request.text())
  const account = form.get('account')
  if (account !== null) {
    return server.interactions.finish(request, id, { login: { accountId: account, amr: ['pwd'] } })
  }
  return server.interactions.finish(request, id, {
    consent: { remember: form.get('remember') === 'yes' },
  })
}

/**
 * Registers the benchmark clients through the same validation as dynamic registration: the
 * code-flow client, and the client_credentials client whose access tokens are JWTs.
 */
export async function seedClients(
  server: AuthorizationServer,
  grantTypes: readonly string[],
): Promise<void> {
  const base = { token_endpoint_auth_method: 'client_secret_basic', client_name: 'Bench RP' }
  await createClient(
    server.context,
    { ...base, redirect_uris: [REDIRECT_URI], grant_types: grantTypes, response_types: ['code'] },
    { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
  )
  await createClient(
    server.context,
    { ...base, redirect_uris: [], grant_types: ['client_credentials'], response_types: [] },
    { clientId: JWT_CLIENT_ID, clientSecret: CLIENT_SECRET },
  )
}
