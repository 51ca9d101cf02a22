import autocannon from 'autocannon'

/** Requests per second and latency percentiles of one load run (or the medians of several). */
export interface Figures {
  /** Successful responses (or completed flows) per second. */
  rps: number
  /** Median latency, ms. */
  p50: number
  /** 99th percentile latency, ms. */
  p99: number
  /** CPU time of the server process per request (or flow), µs, when it could be read. */
  cpuUs?: number
  /**
   * CPU time of the load generator (the runner's process) per request (or flow), µs: its share
   * of the cores it shares with the server. It rises when a slower server makes it wake more
   * often per response.
   */
  clientCpuUs?: number
}

/** One load run: its figures and what went wrong. */
export interface Measurement extends Figures {
  /** Successful responses (or completed flows). */
  completed: number
  /** Responses that were not 2xx, plus connection errors and timeouts. */
  failed: number
  durationS: number
  /** CPU time of the server process per completed unit, in µs, when it could be read. */
  cpuUsPerUnit?: number
  /** CPU time of the load generator per completed unit, in µs. */
  clientCpuUsPerUnit?: number
}

/** How hard and how long to drive a server. */
export interface LoadSettings {
  /** Concurrent connections (each one request at a time: no pipelining). */
  connections: number
  /** Seconds measured. */
  durationS: number
  /** Seconds of the same load before, not measured (JIT, caches, connection setup). */
  warmupS: number
}

/**
 * Counts units of work that span several requests (a whole login), for {@link measure}: the
 * requests' hooks call `done(ms)`; `rps` then counts those units, not responses.
 */
export class FlowCounter {
  completed = 0
  failed = 0
  latencies: number[] = []
  #active = true

  done(latencyMs: number): void {
    if (!this.#active) return
    this.completed++
    this.latencies.push(latencyMs)
  }

  fail(): void {
    if (this.#active) this.failed++
  }

  reset(active: boolean): void {
    this.completed = 0
    this.failed = 0
    this.latencies = []
    this.#active = active
  }
}

/** What to send: autocannon request options (one request, or a sequence per connection). */
export type Target = Pick<
  autocannon.Options,
  'url' | 'method' | 'headers' | 'body' | 'requests' | 'initialContext'
>

/** The q-quantile (0..1) of ascending values (nearest rank). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  if (sorted.length === 0) return Number.NaN
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** The medians of several runs, each figure on its own. */
export function medianFigures(runs: readonly Measurement[]): Figures {
  const known = (values: Array<number | undefined>) =>
    values.filter((value): value is number => value !== undefined)
  const cpu = known(runs.map((run) => run.cpuUsPerUnit))
  const clientCpu = known(runs.map((run) => run.clientCpuUsPerUnit))
  return {
    rps: median(runs.map((run) => run.rps)),
    p50: median(runs.map((run) => run.p50)),
    p99: median(runs.map((run) => run.p99)),
    ...(cpu.length ? { cpuUs: median(cpu) } : {}),
    ...(clientCpu.length ? { clientCpuUs: median(clientCpu) } : {}),
  }
}

function run(
  target: Target,
  settings: { connections: number; durationS: number },
  onResponse?: (status: number, ms: number) => void,
): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        ...target,
        connections: settings.connections,
        duration: settings.durationS,
        pipelining: 1,
        timeout: 10,
        // Sample often, so that the run stops close to its duration.
        sampleInt: Math.min(250, settings.durationS * 250),
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    )
    if (onResponse) {
      instance.on('response', (_client, status, _bytes, ms) => onResponse(status, ms))
    }
  })
}

/**
 * Drives a server with autocannon: a warmup, then a measured run at a fixed number of
 * connections for a fixed duration. Latencies are those of successful responses (autocannon's
 * own rule), kept at full precision; with a {@link FlowCounter} the figures are the flows'.
 *
 * @example
 * ```ts
 * const figures = await measure({ url: `${server.url}/jwks` }, { connections: 32, durationS: 5, warmupS: 1 })
 * ```
 */
export async function measure(
  target: Target,
  settings: LoadSettings,
  flow?: FlowCounter,
): Promise<Measurement> {
  if (settings.warmupS > 0) {
    flow?.reset(false)
    await run(target, { connections: settings.connections, durationS: settings.warmupS })
  }
  flow?.reset(true)
  const latencies: number[] = []
  const result = await run(target, settings, (status, ms) => {
    if (status >= 200 && status < 300) latencies.push(ms)
  })
  const durationS = result.duration
  const transportFailures = result.errors + result.timeouts
  if (flow) {
    const { completed, failed } = flow
    const sorted = [...flow.latencies].sort((a, b) => a - b)
    flow.reset(false)
    return {
      rps: completed / durationS,
      p50: quantile(sorted, 0.5),
      p99: quantile(sorted, 0.99),
      completed,
      failed: failed + transportFailures,
      durationS,
    }
  }
  latencies.sort((a, b) => a - b)
  return {
    rps: result['2xx'] / durationS,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    completed: result['2xx'],
    failed: result.non2xx + transportFailures,
    durationS,
  }
}
