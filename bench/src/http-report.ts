import { type CompareSettings, loadPlan } from './compare'
import { type CeilingKind, type HttpBenchRow, runHttpBench, TARGETS } from './http.bench'
import type { Figures } from './load'
import { formatOps, type Machine, markdownTable, type Scenario } from './scenario'

/** `bench/results/latest.json`. */
export interface LatestJson {
  node: string
  cores: number
  cpuModel: string
  date: string
  settings: Omit<CompareSettings, 'log' | 'initialRpsEstimate'>
  note: string
  scenarios: Array<{
    name: string
    unit: HttpBenchRow['unit']
    oidkit: Figures
    oidkitSqlite: Figures | null
    oidcProvider: Figures
    ceiling: Figures | null
    ceilingKind: CeilingKind | null
    ratios: { oidkitVsOidcProvider: number; oidkitVsCeiling: number | null }
  }>
}

/** The figures of the shape: rps, p50, p99. */
const plain = ({ rps, p50, p99 }: Figures): Figures => ({ rps, p50, p99 })

export const COMPARABILITY_NOTE =
  'Figures are only comparable within one run, on one machine: never across runs or machines.'

/**
 * The `latest.json` document of a run.
 *
 * @example
 * ```ts
 * writeFileSync('results/latest.json', JSON.stringify(latestJson(rows, machine(), date)))
 * ```
 */
export function latestJson(rows: HttpBenchRow[], machine: Machine, date: string): LatestJson {
  const { connections, durationS, warmupS, repetitions } = loadPlan(false)
  return {
    node: machine.node,
    cores: machine.cores,
    cpuModel: machine.cpuModel,
    date,
    settings: { connections, durationS, warmupS, repetitions },
    note: COMPARABILITY_NOTE,
    scenarios: rows.map((row) => ({
      name: row.name,
      unit: row.unit,
      oidkit: plain(row.oidkit),
      oidkitSqlite: row.oidkitSqlite && plain(row.oidkitSqlite),
      oidcProvider: plain(row.oidcProvider),
      ceiling: row.ceiling && plain(row.ceiling),
      ceilingKind: row.ceilingKind,
      ratios: { oidkitVsOidcProvider: row.vsOidcProvider, oidkitVsCeiling: row.vsCeiling },
    })),
  }
}

const ms = (value: number) => value.toFixed(1)
const x = (value: number | null) => (value === null ? '–' : `${value.toFixed(2)}×`)

/** One line per scenario and server: rps, p50, p99. */
function figuresTable(rows: HttpBenchRow[]): Record<string, string | number>[] {
  const out: Record<string, string | number>[] = []
  for (const row of rows) {
    const servers: Array<[string, Figures | null]> = [
      ['oidkit', row.oidkit],
      ['oidkit + SQLite', row.oidkitSqlite],
      ['oidc-provider', row.oidcProvider],
      [row.ceilingKind ? `ceiling (${row.ceilingKind})` : 'ceiling', row.ceiling],
    ]
    for (const [server, figures] of servers) {
      if (!figures) continue
      out.push({
        scenario: row.name,
        server,
        rate: `${formatOps(figures.rps)} ${row.unit}`,
        'p50 ms': ms(figures.p50),
        'p99 ms': ms(figures.p99),
        'server CPU µs': figures.cpuUs === undefined ? '–' : formatOps(figures.cpuUs),
        'load generator CPU µs':
          figures.clientCpuUs === undefined ? '–' : formatOps(figures.clientCpuUs),
      })
    }
  }
  return out
}

/** One line per scenario: the ratios and whether the targets were met. */
function ratiosTable(rows: HttpBenchRow[]): Record<string, string | number>[] {
  return rows.map((row) => {
    const vsOp = row.vsOidcProvider >= TARGETS.vsOidcProvider
    const p99 = row.oidkit.p99 < row.oidcProvider.p99
    const vsCeiling = row.vsCeiling === null ? null : row.vsCeiling >= TARGETS.vsCeiling
    return {
      scenario: row.name,
      unit: row.unit,
      'oidkit / oidc-provider': x(row.vsOidcProvider),
      'p99 lower': p99 ? 'yes' : 'no',
      'oidkit / ceiling': x(row.vsCeiling),
      targets: vsOp && p99 && vsCeiling !== false ? 'met' : 'missed',
    }
  })
}

/** The `http` scenario for the runner: oidkit, oidc-provider and the ceilings. */
export const httpScenario: Scenario<HttpBenchRow> = {
  name: 'http',
  title: 'oidkit, oidc-provider and the node:http ceilings over HTTP',
  run: (options) => runHttpBench({ ...options, log: console.log }),
  table: ratiosTable,
  details: figuresTable,
  files: (rows, { machine, date }) => ({
    'latest.json': `${JSON.stringify(latestJson(rows, machine, date), null, 2)}\n`,
  }),
  markdown(rows, { machine, date }) {
    const plan = loadPlan(false)
    return [
      `Measured ${date} on ${machine.cores} × ${machine.cpuModel}, Node ${machine.node} (${machine.platform}). autocannon, ${plan.connections} connections, ${plan.durationS} s per run after ${plan.warmupS} s of warmup, ${plan.repetitions} repetitions alternating the servers after an unmeasured round of ${plan.warmupRoundS} s per server and case; medians. ${COMPARABILITY_NOTE} Also in \`results/latest.json\`.`,
      '',
      markdownTable(ratiosTable(rows)),
      '',
      `Targets: oidkit at least ${TARGETS.vsOidcProvider}× oidc-provider's rate with a lower p99, and at least ${Math.round(TARGETS.vsCeiling * 100)}% of the matching ceiling's rate.`,
      '',
      "Every server: rate, latency, and the server process's CPU time per request (per login), user + system, all threads (RSA signatures run in libuv's thread pool). The CPU column is the steadier figure on a shared machine: it does not depend on who else wants the cores. The load generator's CPU time per request (autocannon, in the runner's process) shows how much of the shared two cores the load itself took. It also rises when a slower server makes it wake more often per response, so it compares servers only at similar rates.",
      '',
      markdownTable(figuresTable(rows)),
    ].join('\n')
  },
}
