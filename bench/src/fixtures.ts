/**
 * What every server of the HTTP benchmarks shares, so that they all do the same work: one
 * confidential client (`client_secret_basic`), one end-user with the same claims, one redirect
 * URI (never fetched: the load generator only reads the code from the redirect), one PKCE pair.
 */

/** The confidential client every scenario authenticates as. Its access tokens are opaque. */
export const CLIENT_ID = 'bench-client'
/** A second client, identical but for RFC 9068 JWT access tokens. */
export const JWT_CLIENT_ID = 'bench-jwt-client'
export const CLIENT_SECRET = 'bench-secret-0123456789abcdefghijklmnopqrstuvwxyz'
export const REDIRECT_URI = 'https://rp.bench.test/cb'
/** The scope of the authorization code flows. */
export const OPENID_SCOPE = 'openid profile email'
/** The scope of the client_credentials scenarios. */
export const API_SCOPE = 'api'
/** The resource JWT access tokens are issued for (RFC 9068 `aud`). */
export const API_AUDIENCE = 'https://api.bench.test'
export const ACCOUNT_ID = 'alice'

/** The end-user's claims, released by scope (OIDC Core 5.4); the same for every OP. */
export const ACCOUNT_CLAIMS: Readonly<Record<string, unknown>> = {
  name: 'Alice Liddell',
  given_name: 'Alice',
  family_name: 'Liddell',
  preferred_username: 'alice',
  locale: 'en-GB',
  updated_at: 1_700_000_000,
  email: 'alice@example.test',
  email_verified: true,
}

/** RFC 7636 Appendix B: one verifier for every code; redemption hashes it all the same. */
export const PKCE_VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'
export const PKCE_CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'

/** The `Authorization` header of client_secret_basic (RFC 6749 2.3.1). */
export function basicAuth(clientId: string, secret: string = CLIENT_SECRET): string {
  return `Basic ${btoa(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`)}`
}

/** The query of an authorization request for a code (with PKCE and a nonce). */
export function authorizeQuery(state: string): string {
  return new URLSearchParams({
    response_type: 'code',
    client_id: CLIENT_ID,
    redirect_uri: REDIRECT_URI,
    scope: OPENID_SCOPE,
    state,
    nonce: `n-${state}`,
    code_challenge: PKCE_CHALLENGE,
    code_challenge_method: 'S256',
  }).toString()
}

/** The form body that redeems `code`. */
export function redeemBody(code: string): string {
  return new URLSearchParams({
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT_URI,
    code_verifier: PKCE_VERIFIER,
  }).toString()
}

/** The paths of one OP's endpoints (oidkit and oidc-provider name them differently). */
export interface OpPaths {
  discovery: string
  jwks: string
  authorize: string
  token: string
  userinfo: string
  introspect: string
}

export const OIDKIT_PATHS: OpPaths = {
  discovery: '/.well-known/openid-configuration',
  jwks: '/jwks',
  authorize: '/authorize',
  token: '/token',
  userinfo: '/userinfo',
  introspect: '/introspect',
}

export const OIDC_PROVIDER_PATHS: OpPaths = {
  discovery: '/.well-known/openid-configuration',
  jwks: '/jwks',
  authorize: '/auth',
  token: '/token',
  userinfo: '/me',
  introspect: '/token/introspection',
}
