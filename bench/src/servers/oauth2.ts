import { KeySet } from '@oidkit/jose'
import { createAuthorizationServer, MemoryStore, textResponse } from '@oidkit/oauth2'
import { nodeHandler } from '@oidkit/oauth2/node'
import { API_AUDIENCE, API_SCOPE, OPENID_SCOPE } from '../fixtures'
import { oidkitInteractions, seedClients } from './oidkit-interactions'
import { readInit, serve } from './runtime'

/**
 * The `@oidkit/oauth2` core alone (no OpenID Connect): `createAuthorizationServer` with a
 * `MemoryStore`, RFC 9068 JWT access tokens (one RS256 signature per token request, like the
 * ceiling), served by `nodeHandler` on a plain `node:http` server.
 */
const { keys: serialized } = readInit<Record<string, never>>()
const keys = await KeySet.fromJSON(serialized)

await serve(async (issuer) => {
  const server = createAuthorizationServer({
    issuer,
    keys,
    storage: new MemoryStore(),
    grantTypes: ['authorization_code', 'client_credentials'],
    scopes: [...OPENID_SCOPE.split(' '), API_SCOPE],
    tokens: { accessTokenFormat: 'jwt', accessTokenAudience: API_AUDIENCE },
  })
  // No refresh_token grant: a redemption issues exactly one (signed) access token.
  await seedClients(server, ['authorization_code', 'client_credentials'])
  // As an app mounts it: the server's own paths to the server, the pages to the app's routes.
  const interactions = oidkitInteractions(server)
  const op = nodeHandler(server)
  const pages = nodeHandler(
    async (request) => (await interactions(request)) ?? textResponse('not found', { status: 404 }),
  )
  return (req, res) =>
    server.matches((req.url ?? '/').split('?', 1)[0]!) ? op(req, res) : pages(req, res)
})
