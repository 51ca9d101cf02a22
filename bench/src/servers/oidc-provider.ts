import type { IncomingMessage, ServerResponse } from 'node:http'
import type { JWK } from 'jose'
import Provider, { type Adapter, type Configuration } from 'oidc-provider'
// oidc-provider's own in-memory adapter, given an unbounded store (see oidc-provider-store).
// @ts-expect-error: a module of oidc-provider without type declarations
import MemoryAdapter from 'oidc-provider/lib/adapters/memory_adapter.js'
import {
  ACCOUNT_CLAIMS,
  API_AUDIENCE,
  API_SCOPE,
  CLIENT_ID,
  CLIENT_SECRET,
  JWT_CLIENT_ID,
  REDIRECT_URI,
} from '../fixtures'
import { ExpiringMap } from './oidc-provider-store'
import { consentPage, HTML_HEADERS, loginPage } from './pages'
import { readBody, readInit, serve } from './runtime'

/**
 * `oidc-provider` 9 as the benchmarks run it: in memory, `NODE_ENV=production`, the shared RSA
 * key, client and account, and a login and consent page of ours on `/interaction/:uid` (the same
 * pages oidkit's servers render), finished with `interactionFinished`.
 */
const { keys } = readInit<Record<string, never>>()
const store = new ExpiringMap()
const OidcMemoryAdapter = MemoryAdapter as new (
  model: string,
  store: ExpiringMap,
  clockTolerance: number,
) => Adapter

function configuration(): Configuration {
  const clientBase = {
    client_secret: CLIENT_SECRET,
    token_endpoint_auth_method: 'client_secret_basic',
    client_name: 'Bench RP',
  } as const
  return {
    adapter: (model: string) => new OidcMemoryAdapter(model, store, 0),
    clients: [
      {
        ...clientBase,
        client_id: CLIENT_ID,
        redirect_uris: [REDIRECT_URI],
        grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
        response_types: ['code'],
      },
      {
        ...clientBase,
        client_id: JWT_CLIENT_ID,
        redirect_uris: [],
        grant_types: ['client_credentials'],
        response_types: [],
      },
    ],
    jwks: { keys: keys.keys.map((entry) => entry.jwk as JWK) },
    cookies: { keys: ['bench-cookie-signing-key-0123456789abcdef'] },
    claims: {
      openid: ['sub'],
      profile: ['name', 'given_name', 'family_name', 'preferred_username', 'locale', 'updated_at'],
      email: ['email', 'email_verified'],
    },
    scopes: ['openid', 'offline_access', API_SCOPE],
    findAccount: (_ctx, id) => ({
      accountId: id,
      claims: () => ({ sub: id, ...ACCOUNT_CLAIMS }),
    }),
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      // oidkit's default policy: a client may introspect the tokens issued to it.
      introspection: {
        enabled: true,
        allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId,
      },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      // RFC 9068 JWT access tokens: for the JWT client's client_credentials tokens only.
      resourceIndicators: {
        enabled: true,
        defaultResource: (_ctx, client) =>
          client.clientId === JWT_CLIENT_ID ? API_AUDIENCE : (undefined as unknown as string),
        useGrantedResource: () => false,
        getResourceServerInfo: () => ({
          scope: API_SCOPE,
          audience: API_AUDIENCE,
          accessTokenFormat: 'jwt',
          accessTokenTTL: 3600,
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
    // oidkit's defaults, so that both keep records as long.
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      ClientCredentials: 3600,
      IdToken: 3600,
      Interaction: 3600,
      Session: 14 * 24 * 3600,
      Grant: 14 * 24 * 3600,
    },
  }
}

async function interaction(
  provider: Provider,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const details = await provider.interactionDetails(req, res)
  const action = `/interaction/${details.uid}`
  const clientId = String(details.params.client_id)
  if (req.method === 'GET') {
    const html =
      details.prompt.name === 'login'
        ? loginPage(action, 'Bench RP')
        : consentPage(action, 'Bench RP', String(details.params.scope ?? '').split(' '))
    res.writeHead(200, HTML_HEADERS).end(html)
    return
  }
  const form = new URLSearchParams(await readBody(req))
  if (details.prompt.name === 'login') {
    const accountId = form.get('account') ?? 'alice'
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId, amr: ['pwd'] } },
      { mergeWithLastSubmission: false },
    )
    return
  }
  // Consent: a Grant holding what the prompt found missing (the oidc-provider recipe).
  const accountId = details.session?.accountId
  if (!accountId) throw new Error('consent without a session')
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId, clientId })
  if (!grant) throw new Error('the grant is gone')
  const missing = details.prompt.details as {
    missingOIDCScope?: string[]
    missingOIDCClaims?: string[]
    missingResourceScopes?: Record<string, string[]>
  }
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '))
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims)
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '))
  }
  const grantId = await grant.save()
  await provider.interactionFinished(
    req,
    res,
    { consent: { grantId } },
    { mergeWithLastSubmission: true },
  )
}

await serve((issuer) => {
  const provider = new Provider(issuer, configuration())
  const callback = provider.callback()
  return (req, res) => {
    if (req.url?.startsWith('/interaction/')) {
      interaction(provider, req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' })
        res.end(String((error as Error)?.message ?? error))
      })
      return
    }
    callback(req, res)
  }
})
