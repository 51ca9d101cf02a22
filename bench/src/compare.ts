import {
  type Figures,
  type FlowCounter,
  type LoadSettings,
  type Measurement,
  measure,
  medianFigures,
  type Target,
} from './load'
import type { ServerProcess } from './server-process'

/** What one server is sent in one case, prepared afresh before every run. */
export interface Prepared {
  target: Target
  flow?: FlowCounter
  /**
   * False when the run outran what was prepared (pre-minted codes ran out): the run is then
   * discarded and prepared again with twice the estimate.
   */
  valid?(): boolean
}

/** One server in one case. */
export interface Contender {
  /** The column it reports in (`oidkit`, `oidcProvider`, `ceiling`, ...). */
  role: string
  /** The server process, to read its CPU time around each run. */
  server?: ServerProcess
  /**
   * Builds the load for one run. `expectedRps` is an estimate of the server's throughput (from
   * its previous runs), to size what must be minted beforehand.
   */
  prepare(expectedRps: number): Promise<Prepared> | Prepared
}

/** One benchmark case: a name and the servers it compares. */
export interface Case {
  name: string
  contenders: readonly Contender[]
}

/** Every run of one case and server, and their medians. */
export interface CaseResult {
  name: string
  runs: Record<string, Measurement[]>
  medians: Record<string, Figures>
}

/** How the comparison runs. */
export interface CompareSettings extends LoadSettings {
  repetitions: number
  /**
   * Seconds each server is driven in every case before the first repetition, not measured: the
   * first load of a code path also compiles it (V8 optimizes under load, on the same cores), which
   * the short warmup of each run does not cover. 0 or absent: no such round.
   */
  warmupRoundS?: number
  /** Throughput assumed for a server before its first run (sizes pre-minted codes). */
  initialRpsEstimate: number
  log?(line: string): void
}

const MAX_ATTEMPTS = 3

/**
 * Runs every case `repetitions` times, alternating the servers: within a repetition each case
 * measures its servers in an order rotated by one per repetition, and repetitions go over every
 * case in turn, so that drift on a shared machine spreads over all servers alike. With
 * `warmupRoundS`, every server of every case is first driven that long, unmeasured. Reports the
 * medians of rps, p50 and p99 per server.
 *
 * @example
 * ```ts
 * const results = await compareCases(cases, { connections: 32, durationS: 5, warmupS: 1, repetitions: 3, initialRpsEstimate: 1000 })
 * ```
 */
export async function compareCases(
  cases: readonly Case[],
  settings: CompareSettings,
): Promise<CaseResult[]> {
  const results = cases.map((c) => ({
    name: c.name,
    runs: Object.fromEntries(c.contenders.map((x) => [x.role, [] as Measurement[]])),
  }))
  const estimates = new Map<string, number>()
  if (settings.warmupRoundS) {
    for (const c of cases) {
      for (const contender of c.contenders) {
        const key = `${c.name}/${contender.role}`
        const prepared = await contender.prepare(settings.initialRpsEstimate)
        const run = await measure(
          prepared.target,
          { connections: settings.connections, durationS: settings.warmupRoundS, warmupS: 0 },
          prepared.flow,
        )
        // A first estimate of its throughput, to size what the first repetition mints.
        estimates.set(key, Math.max(run.rps, 1))
        settings.log?.(`  [warmup] ${key.padEnd(36)} ${run.rps.toFixed(0).padStart(6)}/s`)
      }
    }
  }
  for (let rep = 0; rep < settings.repetitions; rep++) {
    for (const [index, c] of cases.entries()) {
      const n = c.contenders.length
      const order = c.contenders.map((_, i) => c.contenders[(i + rep) % n]!)
      for (const contender of order) {
        const key = `${c.name}/${contender.role}`
        let estimate = estimates.get(key) ?? settings.initialRpsEstimate
        let measurement: Measurement | undefined
        for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
          const prepared = await contender.prepare(estimate)
          const before = await contender.server?.stats()
          const clientBefore = process.cpuUsage()
          const run = await measure(prepared.target, settings, prepared.flow)
          const client = process.cpuUsage(clientBefore)
          const after = await contender.server?.stats()
          if (run.completed > 0) {
            // Both include the warmup's work: a close estimate, the warmup being the same load.
            const units = run.completed * (1 + settings.warmupS / settings.durationS)
            run.clientCpuUsPerUnit = (client.user + client.system) / units
            if (before && after) run.cpuUsPerUnit = (after.cpuUs - before.cpuUs) / units
          }
          if (prepared.valid?.() ?? true) {
            measurement = run
            break
          }
          settings.log?.(`  ${key}: prepared too little for ${Math.round(run.rps)}/s, again`)
          estimate = Math.max(estimate * 2, run.rps * 1.5)
        }
        if (!measurement) throw new Error(`${key}: the prepared load ran out ${MAX_ATTEMPTS} times`)
        estimates.set(key, Math.max(measurement.rps, 1))
        results[index]!.runs[contender.role]!.push(measurement)
        settings.log?.(
          `  [${rep + 1}/${settings.repetitions}] ${key.padEnd(36)} ${measurement.rps.toFixed(0).padStart(6)}/s  p50 ${measurement.p50.toFixed(1)} ms  p99 ${measurement.p99.toFixed(1)} ms${measurement.cpuUsPerUnit ? `  cpu ${measurement.cpuUsPerUnit.toFixed(0)} µs` : ''}${measurement.clientCpuUsPerUnit ? `  client ${measurement.clientCpuUsPerUnit.toFixed(0)} µs` : ''}${measurement.failed ? `  (${measurement.failed} failed)` : ''}`,
        )
      }
    }
  }
  return results.map((result) => ({
    ...result,
    medians: Object.fromEntries(
      Object.entries(result.runs).map(([role, runs]) => [role, medianFigures(runs)]),
    ),
  }))
}

/** Rounds figures for reports: rps to integers, latencies to 0.1 ms. */
export function roundFigures(figures: Figures): Figures {
  return {
    rps: Math.round(figures.rps),
    p50: Math.round(figures.p50 * 10) / 10,
    p99: Math.round(figures.p99 * 10) / 10,
    ...(figures.cpuUs !== undefined ? { cpuUs: Math.round(figures.cpuUs) } : {}),
    ...(figures.clientCpuUs !== undefined ? { clientCpuUs: Math.round(figures.clientCpuUs) } : {}),
  }
}

/**
 * Settings of the full and smoke runs. Five shorter repetitions rather than three longer ones:
 * on a shared 2-vCPU machine one run of the same server can be 1.5× slower than the next, and
 * the median of five is less often pulled by such a run than the median of three. A warmup
 * round first, so that the first repetition does not also measure V8 compiling the path.
 */
export function loadPlan(smoke: boolean): Omit<CompareSettings, 'log'> {
  return smoke
    ? { connections: 8, durationS: 0.3, warmupS: 0.1, repetitions: 1, initialRpsEstimate: 600 }
    : {
        connections: 32,
        durationS: 3,
        warmupS: 1,
        repetitions: 5,
        warmupRoundS: 2,
        initialRpsEstimate: 1000,
      }
}
