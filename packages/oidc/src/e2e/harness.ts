import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { KeySet } from '@oidkit/jose'
import { MemoryStore } from '@oidkit/oauth2'
import { nodeHandler } from '@oidkit/oauth2/node'
import type { OpenIDProviderConfig } from '../config'
import { createOpenIDProvider, type OpenIDProvider } from '../provider'

/** The accounts of the test provider, with their OIDC Core 5.1 claims. */
export const ACCOUNTS: Record<string, Record<string, unknown>> = {
  alice: {
    name: 'Alice Liddell',
    given_name: 'Alice',
    family_name: 'Liddell',
    email: 'alice@example.com',
    email_verified: true,
    address: { formatted: '1 Rabbit Hole, Oxford', country: 'GB' },
    phone_number: '+44 1865 000000',
    phone_number_verified: false,
  },
  bob: { name: 'Bob Builder', email: 'bob@example.com', email_verified: false },
}

export interface OidcHarness {
  issuer: string
  provider: OpenIDProvider
  store: MemoryStore
  http: Server
  close(): Promise<void>
}

let sharedKeys: Promise<KeySet> | undefined

/**
 * Starts an OpenID Provider on 127.0.0.1 with a test interaction page: `POST /interaction/{id}`
 * with `account` logs in and consents at once (`deny` refuses).
 */
export async function startOidcHarness(
  config: Partial<OpenIDProviderConfig> = {},
): Promise<OidcHarness> {
  sharedKeys ??= KeySet.generate(['RS256', 'ES256'])
  const keys = await sharedKeys
  const store = new MemoryStore()
  let provider: OpenIDProvider | undefined
  const http = createServer(
    nodeHandler(async (request) => {
      const match = /^\/interaction\/([^/]+)$/.exec(new URL(request.url).pathname)
      if (match && provider) {
        if (request.method === 'GET')
          return Response.json(await provider.interactions.get(request, match[1]!))
        const form = new URLSearchParams(await request.text())
        if (form.has('deny'))
          return provider.interactions.finish(request, match[1]!, { error: 'access_denied' })
        return provider.interactions.finish(request, match[1]!, {
          login: { accountId: form.get('account') ?? 'alice', amr: ['pwd'] },
          consent: {},
        })
      }
      return provider!.handle(request)
    }),
  )
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const issuer = `http://127.0.0.1:${(http.address() as AddressInfo).port}`
  provider = createOpenIDProvider({
    issuer,
    keys,
    storage: store,
    grantTypes: ['authorization_code', 'refresh_token', 'client_credentials', 'implicit'],
    registration: { policy: { type: 'open' } },
    openid: {
      claims: (accountId) => ACCOUNTS[accountId],
      registration: { allowInsecureWebRedirects: true },
    },
    ...config,
  })
  return {
    issuer,
    provider,
    store,
    http,
    close: () => new Promise((resolve) => http.close(() => resolve())),
  }
}
