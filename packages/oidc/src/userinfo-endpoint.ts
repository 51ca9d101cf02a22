import { type SigningAlgorithm, signJwt } from '@oidkit/jose'
import {
  type BearerVerifier,
  createBearerVerifier,
  type Endpoint,
  type GrantRecord,
  jsonResponse,
  methodNotAllowed,
  OAuthError,
  type ServerContext,
  sanitizeDescription,
  TextResponse,
} from '@oidkit/oauth2'
import { accountClaims } from './account-claims'
import type { OpenIDOptions } from './config'

const METHODS = ['GET', 'POST'] as const

// OIDC Core 5.3.1: the access token must come from an OpenID Connect authentication request.
const VERIFY_OPTIONS = { scopes: ['openid'], allowFormBody: true } as const

// One verifier per server: it builds its realm once and is shared by every request.
const verifiers = new WeakMap<ServerContext, BearerVerifier>()

function verifierOf(server: ServerContext): BearerVerifier {
  let verifier = verifiers.get(server)
  if (!verifier) {
    verifier = createBearerVerifier(server)
    verifiers.set(server, verifier)
  }
  return verifier
}

/** RFC 6750 3.1 invalid_token with its challenge, for failures found after verification. */
function invalidToken(server: ServerContext, description: string): OAuthError {
  return new OAuthError('invalid_token', description, {
    headers: {
      'www-authenticate': `Bearer realm="${server.issuer}", error="invalid_token", error_description="${sanitizeDescription(description)}"`,
    },
  })
}

/**
 * The claims must follow the access token, not the grant: a token refreshed with a narrower
 * scope (RFC 6749 6) opens only what it was issued for (OIDC Core 5.4).
 */
function scopedTo(grant: GrantRecord, scopes: readonly string[]): GrantRecord {
  return grant.scopes === scopes ? grant : { ...grant, scopes }
}

/**
 * The OpenID Connect UserInfo endpoint (OIDC Core 5.3): `GET` or `POST` with an RFC 6750 bearer
 * token (the `Authorization` header, or an `access_token` form parameter on POST) whose scope
 * includes `openid`. It answers the end-user's claims released by the token's scopes and the
 * `claims` request's `userinfo` member, as JSON, or as a JWT signed with the client's
 * `userinfo_signed_response_alg` (5.3.2). Failures are RFC 6750 3 challenges; an account that
 * no longer exists makes the token `invalid_token`.
 *
 * @example
 * ```ts
 * const plugin: ServerPlugin = { name: 'userinfo', endpoints: [userinfoEndpoint(options)] }
 * // GET /userinfo  Authorization: Bearer <access_token>  →  {"sub":"alice","email":...}
 * ```
 */
export function userinfoEndpoint(options: OpenIDOptions): Endpoint {
  return {
    name: 'userinfo',
    path: '/userinfo',
    methods: METHODS,
    cors: true,
    async handle(request, server) {
      const method = request.method.toUpperCase()
      if (method !== 'GET' && method !== 'POST') throw methodNotAllowed(method, METHODS)
      // Throws OAuthErrors that carry their WWW-Authenticate challenge (RFC 6750 3).
      const verified = await verifierOf(server).verify(request, VERIFY_OPTIONS)
      const { token } = verified
      // The verifier read the grant already; only the client is left to load.
      const [grant, client] = await Promise.all([
        verified.grant ?? server.storage.grants.get(token.grantId),
        server.storage.clients.get(token.clientId),
      ])
      if (!grant || !client) {
        throw invalidToken(server, 'the access token belongs to a revoked authorization')
      }
      // CORS: a browser client reads the answer from the origins of its redirect URIs.
      server.requestClients.set(request, client)

      const claims = await accountClaims(options, {
        grant: scopedTo(grant, token.scopes),
        client,
        use: 'userinfo',
      })
      // No end-user behind the token (client_credentials), or the account is gone.
      if (!claims) throw invalidToken(server, 'the access token has no end-user')

      const alg = client.userinfo_signed_response_alg
      if (typeof alg !== 'string') return jsonResponse(claims)
      // OIDC Core 5.3.2: a signed response carries iss and aud (the client).
      const jwt = await signJwt(
        // Object.assign, not a spread: see withFields in @oidkit/oauth2.
        Object.assign({}, claims, { iss: server.issuer, aud: client.client_id, iat: server.now() }),
        { key: server.keys, alg: alg as SigningAlgorithm },
      )
      return new TextResponse(jwt, {
        status: 200,
        headers: {
          'content-type': 'application/jwt',
          'cache-control': 'no-store',
          pragma: 'no-cache',
        },
      })
    },
  }
}
