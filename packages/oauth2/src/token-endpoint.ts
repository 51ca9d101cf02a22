import { grantTypesOf } from './client'
import { authenticateClient } from './client-auth'
import { OAuthError } from './errors'
import type { Endpoint } from './plugin'
import { parseRequest } from './request'
import { jsonResponse } from './response'

/**
 * The token endpoint (RFC 6749 3.2): POST with a form body, client authentication (2.3), then
 * the handler of the `grant_type`. Responses are JSON with `Cache-Control: no-store` (5.1).
 *
 * @example
 * ```ts
 * createContext(config, { endpoints: [tokenEndpoint], grantTypes: [authorizationCodeGrant], ... })
 * const response = await tokenEndpoint.handle(request, server)
 * ```
 */
export const tokenEndpoint: Endpoint = {
  name: 'token',
  path: '/token',
  methods: ['POST'],
  cors: true,
  async handle(request, server) {
    // RFC 6749 3.2: POST only; parameters in an application/x-www-form-urlencoded body.
    const req = await parseRequest(request, {
      methods: ['POST'],
      body: 'form',
      maxBodySize: server.settings.maxBodySize,
    })
    const grantType = req.form.get('grant_type')
    if (grantType === undefined) throw new OAuthError('invalid_request', 'grant_type is missing')
    const handler = server.grantTypes.get(grantType)
    // RFC 6749 5.2: a grant type the server does not support (or has not enabled).
    if (!handler) throw new OAuthError('unsupported_grant_type', 'the grant_type is not supported')
    const { client, method } = await authenticateClient(server, req, 'token')
    // RFC 6749 5.2 / RFC 7591 2: the client must be registered for the grant type.
    if (!grantTypesOf(client).includes(grantType)) {
      throw new OAuthError('unauthorized_client', `the client may not use the ${grantType} grant`)
    }
    const body = await handler.handle({ server, request: req, client, authMethod: method })
    return jsonResponse(body)
  },
}
