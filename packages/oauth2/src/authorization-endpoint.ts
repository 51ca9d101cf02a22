import { authorize } from './authorization-decision'
import {
  errorTarget,
  redirectError,
  renderError,
  resolveClient,
  validateAuthorizationRequest,
} from './authorization-request'
import type { Client } from './client'
import { isOAuthError } from './errors'
import type { Endpoint } from './plugin'
import { type Params, parseRequest } from './request'
import { readSession } from './session'
import { withFields } from './with-fields'

/**
 * The authorization endpoint (RFC 6749 3.1, 4.1.1, 4.2.1): GET, or a form POST as OpenID Connect
 * Core 3.1.2.1 allows. No CORS: browsers navigate to it.
 *
 * @example
 * ```ts
 * createContext(config, { endpoints: [authorizationEndpoint], ... })
 * ```
 */
export const authorizationEndpoint: Endpoint = {
  name: 'authorization',
  path: '/authorize',
  methods: ['GET', 'POST'],
  async handle(httpRequest, server) {
    let params: Params
    let target: { client: Client; redirectUri: string }
    try {
      const parsed = await parseRequest(httpRequest, {
        methods: ['GET', 'POST'],
        body: 'form',
        maxBodySize: server.settings.maxBodySize,
      })
      params = parsed.method === 'POST' ? parsed.form : parsed.query
      target = await resolveClient(server, params)
    } catch (error) {
      if (isOAuthError(error)) return renderError(server, httpRequest, error)
      throw error
    }
    let validated: Awaited<ReturnType<typeof validateAuthorizationRequest>>
    try {
      validated = await validateAuthorizationRequest(
        server,
        target.client,
        target.redirectUri,
        params,
      )
    } catch (error) {
      if (!isOAuthError(error)) throw error
      return redirectError(server, errorTarget(server, target.redirectUri, params), error)
    }
    const session = await readSession(server, httpRequest)
    return authorize(server, httpRequest, withFields(validated, { session }))
  },
}
