import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { KeySet } from '@oidkit/jose'
import { MemoryStore, type Storage, textResponse } from '@oidkit/oauth2'
import { nodeHandler } from '@oidkit/oauth2/node'
import { createOpenIDProvider, DEFAULT_OPENID_SCOPES } from '@oidkit/oidc'
import { SqliteStore } from '@oidkit/sqlite'
import { ACCOUNT_CLAIMS, ACCOUNT_ID, API_AUDIENCE, API_SCOPE, JWT_CLIENT_ID } from '../fixtures'
import { oidkitInteractions, seedClients } from './oidkit-interactions'
import { readInit, serve } from './runtime'

/** Which store the OP keeps its records in. */
export interface OidkitServerOptions {
  store: 'memory' | 'sqlite'
}

/**
 * The oidkit OpenID Provider with the configuration of apps/demo's `createDemoProvider`
 * (`createOpenIDProvider`: authorization_code, implicit, refresh_token and client_credentials,
 * open registration, the `isActive` account hook, RS256), on the in-memory store or on
 * `@oidkit/sqlite` with a fresh database file, served by `nodeHandler` on `node:http`. The demo
 * itself cannot be reused as is: it fixes its store (SQLite), its keys (a file of its own), and
 * puts Express, CSRF and scrypt-checked passwords in front of its pages.
 */
const { keys: serialized, options } = readInit<OidkitServerOptions>()
const keys = await KeySet.fromJSON(serialized)
const dbFile = join(tmpdir(), `oidkit-bench-${process.pid}.db`)

function openStore(): Storage & { close?(): void } {
  if (options.store === 'memory') return new MemoryStore()
  return new SqliteStore({ filename: dbFile })
}

const storage = openStore()

/** The path of a request target, without its query. */
function pathOf(url: string): string {
  const query = url.indexOf('?')
  return query === -1 ? url : url.slice(0, query)
}
const accounts = new Map([[ACCOUNT_ID, ACCOUNT_CLAIMS]])

await serve(
  async (issuer) => {
    const provider = createOpenIDProvider({
      issuer,
      keys,
      storage,
      grantTypes: ['authorization_code', 'implicit', 'refresh_token', 'client_credentials'],
      scopes: [...DEFAULT_OPENID_SCOPES, API_SCOPE],
      registration: { policy: { type: 'open' } },
      tokens: {
        accessTokenFormat: (client) => (client.client_id === JWT_CLIENT_ID ? 'jwt' : 'opaque'),
        accessTokenAudience: API_AUDIENCE,
      },
      // As apps/demo wires it: the account must still exist, pages on /interaction/:id.
      accounts: { isActive: async (accountId) => accounts.has(accountId) },
      interactions: {
        url: (interaction) => `${issuer}/interaction/${encodeURIComponent(interaction.id)}`,
      },
      openid: {
        claims: (accountId) => accounts.get(accountId),
        registration: { allowInsecureWebRedirects: true },
      },
      onError: (error) => console.error('oidkit bench server: unexpected error', error),
    })
    await seedClients(provider, ['authorization_code', 'refresh_token', 'client_credentials'])
    // As an app mounts it (the Express adapter does the same): the provider's own paths go to
    // the provider, the rest (the login and consent pages) to the app's routes.
    const interactions = oidkitInteractions(provider)
    const op = nodeHandler(provider)
    const pages = nodeHandler(
      async (request) =>
        (await interactions(request)) ?? textResponse('not found', { status: 404 }),
    )
    return (req, res) => (provider.matches(pathOf(req.url ?? '/')) ? op(req, res) : pages(req, res))
  },
  () => {
    storage.close?.()
    if (options.store === 'sqlite') {
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${dbFile}${suffix}`, { force: true })
    }
  },
)
