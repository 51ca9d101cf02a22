import { KeySet } from '@oidkit/jose'
import { createClient, MemoryStore } from '@oidkit/oauth2'
import { createOpenIDProvider, DEFAULT_OPENID_SCOPES } from '@oidkit/oidc'
import { API_SCOPE, basicAuth, CLIENT_ID, CLIENT_SECRET } from '../fixtures'

/** Settings of the probe (environment variable `BENCH_MEMORY`, JSON). */
export interface MemoryProbeSettings {
  /** Tokens per wave. */
  tokens: number
  /** Waves: each issues `tokens`, then waits until they expired and a sweep was due. */
  waves: number
  /** Access token lifetime, seconds. */
  ttl: number
  /** MemoryStore sweep interval, seconds. */
  sweepInterval: number
}

/** One reading: after a wave, or after its tokens expired and were swept. */
export interface MemorySample {
  label: string
  rssMb: number
  heapMb: number
  /** Records the store holds (tokens, grants). */
  tokens: number
  grants: number
  /** Milliseconds of one explicit sweep just before the reading (the event loop is blocked). */
  sweepMs: number
}

/**
 * Issues waves of client_credentials tokens (opaque, one grant each) through the oidkit OP's
 * token endpoint (`provider.handle`, no HTTP) into a `MemoryStore`, and reads RSS and the
 * store's record counts after each wave and again once the wave has expired and the lazy sweep
 * has run. Prints one JSON line with the samples.
 */
const settings = JSON.parse(process.env.BENCH_MEMORY ?? '{}') as MemoryProbeSettings
const store = new MemoryStore({ sweepInterval: settings.sweepInterval })
const provider = createOpenIDProvider({
  issuer: 'http://127.0.0.1:1',
  keys: await KeySet.generate('RS256'),
  storage: store,
  grantTypes: ['client_credentials'],
  scopes: [...DEFAULT_OPENID_SCOPES, API_SCOPE],
  tokens: { accessTokenTtl: settings.ttl },
  openid: { claims: () => ({}) },
})
await createClient(
  provider.context,
  {
    token_endpoint_auth_method: 'client_secret_basic',
    redirect_uris: [],
    grant_types: ['client_credentials'],
    response_types: [],
  },
  { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
)
const authorization = basicAuth(CLIENT_ID)

async function issue(count: number): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next++ < count) {
      const response = await provider.handle(
        new Request('http://127.0.0.1:1/token', {
          method: 'POST',
          headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
          body: `grant_type=client_credentials&scope=${API_SCOPE}`,
        }),
      )
      if (response.status !== 200) throw new Error(`token request failed: ${response.status}`)
      await response.arrayBuffer()
    }
  }
  await Promise.all(Array.from({ length: 16 }, worker))
}

const gc = (globalThis as { gc?: () => void }).gc
const samples: MemorySample[] = []
async function sample(label: string): Promise<void> {
  const started = performance.now()
  await store.sweep()
  const sweepMs = Math.round((performance.now() - started) * 100) / 100
  gc?.()
  const { rss, heapUsed } = process.memoryUsage()
  const size = store.size()
  samples.push({
    label,
    rssMb: Math.round(rss / 1e5) / 10,
    heapMb: Math.round(heapUsed / 1e5) / 10,
    tokens: size.tokens ?? 0,
    grants: size.grants ?? 0,
    sweepMs,
  })
}

await sample('start')
for (let wave = 1; wave <= settings.waves; wave++) {
  await issue(settings.tokens)
  await sample(`after issuing ${settings.tokens.toLocaleString('en-US')} tokens (wave ${wave})`)
  // Past their expiry and a sweep interval; the next writes trigger the lazy sweep.
  await new Promise((resolve) =>
    setTimeout(resolve, (Math.max(settings.ttl, settings.sweepInterval) + 1.5) * 1000),
  )
  await issue(300)
  await sample(`once they expired (wave ${wave})`)
}
process.stdout.write(`${JSON.stringify(samples)}\n`)
