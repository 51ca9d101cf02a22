import { KeySet } from '@oidkit/jose'
import { signIn } from './browser'
import { ceilingRedemption, redemption, tokenRequest } from './cases'
import { type Case, type CompareSettings, compareCases, loadPlan, roundFigures } from './compare'
import { API_SCOPE, CLIENT_ID, OIDKIT_PATHS } from './fixtures'
import type { Figures } from './load'
import { formatOps, markdownTable, type Scenario } from './scenario'
import { type ServerProcess, startServer } from './server-process'

/** One case of the token endpoint: the oauth2 core against the bare ceiling. */
export interface TokenBenchRow {
  name: string
  oidkit: Figures
  ceiling: Figures
  /** oidkit's requests/s in percent of the ceiling's. */
  pctOfCeiling: number
}

/** Options of {@link runTokenBench}. */
export interface TokenBenchOptions {
  smoke: boolean
  /** Overrides of the load plan (the smoke test uses tiny ones). */
  plan?: Partial<CompareSettings>
  log?(line: string): void
}

/** The target of the oauth2 core issue: at least this share of the ceiling's requests/s. */
export const TOKEN_TARGET_PCT = 70

/**
 * The token endpoint of `@oidkit/oauth2` (createAuthorizationServer + MemoryStore, RFC 9068 JWT
 * access tokens, `nodeHandler` on `node:http`) against the ceiling: a bare `node:http` handler
 * that parses the form and signs one RS256 JWT with `jose`, same key. Both issue exactly one
 * signature per request; the difference is everything else oidkit does (client authentication,
 * validation, the store, the Web Request/Response bridge).
 *
 * @example
 * ```ts
 * const rows = await runTokenBench({ smoke: true })
 * ```
 */
export async function runTokenBench(options: TokenBenchOptions): Promise<TokenBenchRow[]> {
  const settings: CompareSettings = { ...loadPlan(options.smoke), ...options.plan }
  if (options.log) settings.log = options.log
  const keys = (await KeySet.generate('RS256')).toJSON()
  const servers: ServerProcess[] = []
  try {
    const oidkit = await startServer('oauth2', keys, { label: 'oidkit' })
    servers.push(oidkit)
    const ceiling = await startServer('ceiling-jwt', keys, { label: 'ceiling' })
    servers.push(ceiling)
    const jar = await signIn(oidkit.url, OIDKIT_PATHS)
    const ccBody = `grant_type=client_credentials&scope=${API_SCOPE}`
    const cases: Case[] = [
      {
        name: 'client_credentials',
        contenders: [
          tokenRequest('oidkit', oidkit, '/token', CLIENT_ID, ccBody),
          tokenRequest('ceiling', ceiling, '/token', CLIENT_ID, ccBody),
        ],
      },
      {
        name: 'authorization_code',
        contenders: [
          redemption('oidkit', oidkit, OIDKIT_PATHS, jar, settings),
          ceilingRedemption('ceiling', ceiling, '/token', settings),
        ],
      },
    ]
    const results = await compareCases(cases, settings)
    return results.map((result) => {
      const oidkitFigures = roundFigures(result.medians.oidkit!)
      const ceilingFigures = roundFigures(result.medians.ceiling!)
      return {
        name: result.name,
        oidkit: oidkitFigures,
        ceiling: ceilingFigures,
        pctOfCeiling: Math.round((oidkitFigures.rps / ceilingFigures.rps) * 1000) / 10,
      }
    })
  } finally {
    await Promise.all(servers.map((server) => server.stop()))
  }
}

function tableRows(rows: TokenBenchRow[]): Record<string, string | number>[] {
  return rows.map((row) => ({
    grant: row.name,
    'oidkit req/s': formatOps(row.oidkit.rps),
    'oidkit p99 ms': row.oidkit.p99.toFixed(1),
    'ceiling req/s': formatOps(row.ceiling.rps),
    'ceiling p99 ms': row.ceiling.p99.toFixed(1),
    'oidkit CPU µs': row.oidkit.cpuUs === undefined ? '–' : formatOps(row.oidkit.cpuUs),
    'ceiling CPU µs': row.ceiling.cpuUs === undefined ? '–' : formatOps(row.ceiling.cpuUs),
    'of ceiling': `${row.pctOfCeiling.toFixed(1)}%`,
  }))
}

/** The `token` scenario for the runner. */
export const tokenScenario: Scenario<TokenBenchRow> = {
  name: 'token',
  title: 'Token endpoint of @oidkit/oauth2 against the ceiling',
  run: (options) => runTokenBench({ ...options, log: console.log }),
  table: tableRows,
  markdown(rows, { machine, date }) {
    const plan = loadPlan(false)
    const missed = rows.filter((row) => row.pctOfCeiling < TOKEN_TARGET_PCT)
    return [
      `Measured ${date} on ${machine.cores} × ${machine.cpuModel}, Node ${machine.node} (${machine.platform}); autocannon, ${plan.connections} connections, ${plan.durationS} s per run after ${plan.warmupS} s of warmup, ${plan.repetitions} repetitions alternating the servers after an unmeasured round of ${plan.warmupRoundS} s per server and case, medians.`,
      '',
      markdownTable(tableRows(rows)),
      '',
      'Each server runs in its own process on 127.0.0.1. oidkit is `createAuthorizationServer` with a `MemoryStore` and RFC 9068 JWT access tokens, served by `nodeHandler` on `node:http`; the client authenticates with `client_secret_basic`. The ceiling is a bare `node:http` handler that reads and parses the form body and returns one RS256 JWT signed with `jose` (same RSA-2048 key), and nothing else. Both sign exactly once per request. Codes for `authorization_code` are minted before each run through the real authorization endpoint with a signed-in session (PKCE S256), and each is redeemed once under load. The CPU columns are the CPU time of the server process per request (user + system, the signing threads included): steadier than the rates on a shared machine.',
      '',
      missed.length === 0
        ? `Target: at least ${TOKEN_TARGET_PCT}% of the ceiling's requests/s. Met in both cases.`
        : `Target: at least ${TOKEN_TARGET_PCT}% of the ceiling's requests/s. Missed in this run: ${missed.map((row) => row.name).join(', ')}.`,
    ].join('\n')
  },
}
