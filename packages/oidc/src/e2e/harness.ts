import type { Server } from 'node:http'
import { MemoryStore } from '@oidkit/oauth2'
import { harnessKeys, listenWithTestLogin } from '../../../oauth2/src/e2e/harness'
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

/**
 * Starts an OpenID Provider on 127.0.0.1 with the test interaction page of
 * `listenWithTestLogin`: `POST /interaction/{id}` with `account` logs in and consents at once
 * (`deny` refuses).
 */
export async function startOidcHarness(
  config: Partial<OpenIDProviderConfig> = {},
): Promise<OidcHarness> {
  const keys = await harnessKeys()
  const store = new MemoryStore()
  const { app: provider, ...listening } = await listenWithTestLogin((issuer) =>
    createOpenIDProvider({
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
    }),
  )
  return { ...listening, provider, store }
}
