import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { KeySet } from '@oidkit/jose'
import { signIn } from './browser'
import { redemption } from './cases'
import type { Contender } from './compare'
import { type CpuProfile, type SelfTime, topSelfTime } from './cpu-profile'
import { OIDKIT_PATHS } from './fixtures'
import { type LoadSettings, measure } from './load'
import { markdownTable, type Scenario } from './scenario'
import { type ServerProcess, startServer } from './server-process'

/** What the profile of one oidkit scenario found. */
export interface ProfileRow extends SelfTime {
  rank: number
}

/** Options of {@link profileOidkit}. */
export interface ProfileOptions {
  smoke: boolean
  /** Seconds of profiled load (default 10, smoke 0.5). */
  durationS?: number
  /** The load to profile; default authorization code redemption. */
  contender?: (server: ServerProcess, settings: LoadSettings) => Promise<Contender> | Contender
  /** How many functions to list (default 20). */
  limit?: number
  log?(line: string): void
}

/** The profile of the last run, for the README. */
export interface ProfileResult {
  rows: ProfileRow[]
  /** Busy (non-idle) CPU milliseconds in the profiled window, and the samples in it. */
  busyMs: number
  samples: number
  rps: number
  file: string
}

/**
 * Runs the oidkit OP (in memory) under `node --cpu-prof`, drives one scenario with autocannon
 * (default: authorization code redemption, codes minted beforehand) and lists the functions with
 * the most self time within the measured window only: startup and minting are left out, using
 * the server's monotonic clock marks.
 *
 * @example
 * ```ts
 * const { rows } = await profileOidkit({ smoke: true })
 * ```
 */
export async function profileOidkit(options: ProfileOptions): Promise<ProfileResult> {
  const durationS = options.durationS ?? (options.smoke ? 0.5 : 10)
  const settings: LoadSettings = { connections: options.smoke ? 8 : 32, durationS, warmupS: 0 }
  const dir = mkdtempSync(join(tmpdir(), 'oidkit-bench-profile-'))
  const keys = (await KeySet.generate('RS256')).toJSON()
  const server = await startServer('oidkit', keys, {
    options: { store: 'memory' },
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
  })
  let from: number
  let to: number
  let rps: number
  try {
    const contender = options.contender
      ? await options.contender(server, settings)
      : redemption('oidkit', server, OIDKIT_PATHS, await signIn(server.url, OIDKIT_PATHS), settings)
    // Warm up first (JIT), so that the profile shows the steady state.
    const warm = await contender.prepare(options.smoke ? 1000 : 2000)
    await measure(warm.target, { ...settings, durationS: options.smoke ? 0.3 : 2 }, warm.flow)
    const prepared = await contender.prepare(options.smoke ? 1000 : 2000)
    from = await server.mark()
    const run = await measure(prepared.target, settings, prepared.flow)
    to = await server.mark()
    rps = run.rps
    options.log?.(
      `  profiled ${run.completed} requests (${Math.round(rps)}/s, ${run.failed} failed)`,
    )
  } finally {
    await server.stop()
  }
  // The main thread's profile is the one that ran the server: by far the largest.
  const file = readdirSync(dir)
    .map((name) => join(dir, name))
    .sort((a, b) => statSync(b).size - statSync(a).size)[0]
  if (!file) throw new Error(`no CPU profile was written to ${dir}`)
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
  const top = topSelfTime(profile, { from, to, limit: options.limit ?? 20 })
  return {
    rows: top.functions.map((fn, index) => ({ rank: index + 1, ...fn })),
    busyMs: top.total,
    samples: top.samples,
    rps,
    file,
  }
}

let last: ProfileResult | undefined

/** The `profile` scenario for the runner: oidkit's code redemption under `--cpu-prof`. */
export const profileScenario: Scenario<ProfileRow> = {
  name: 'profile',
  title: "CPU profile of oidkit's code redemption",
  async run(options) {
    last = await profileOidkit({ ...options, log: console.log })
    console.log(`  profile: ${last.file}`)
    return last.rows
  },
  table: (rows) =>
    rows.map((row) => ({
      '#': row.rank,
      function: row.function,
      location: row.location,
      'self ms': row.selfMs.toFixed(1),
      self: `${row.selfPct.toFixed(1)}%`,
    })),
  markdown(rows, { machine, date }) {
    const table = profileScenario.table(rows)
    return [
      `Recorded ${date} on ${machine.cores} × ${machine.cpuModel}, Node ${machine.node}: the oidkit OP (in memory) under \`node --cpu-prof\`, redeeming pre-minted authorization codes (ID token RS256) at 32 connections for 10 s after a 2 s warmup${last ? ` (${Math.round(last.rps)} requests/s, ${last.busyMs} ms of busy CPU in ${last.samples} samples)` : ''}. Only samples taken while the measured load ran are counted; idle time is left out, and percentages are of the busy time. Servers run from esbuild bundles: a location names the source file the bundled code came from.`,
      '',
      markdownTable(table),
    ].join('\n')
  },
}
