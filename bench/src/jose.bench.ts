import { type AsymmetricAlgorithm, KeySet, signJwt, verifyJwt } from '@oidkit/jose'
import { type JWTPayload, jwtVerify, SignJWT } from 'jose'
import { Bench, type Task } from 'tinybench'
import { formatOps, markdownTable, type Scenario } from './scenario'

/** The algorithms compared: one RSA, one ECDSA and one EdDSA (Ed25519). */
export const JOSE_BENCH_ALGORITHMS: readonly AsymmetricAlgorithm[] = ['RS256', 'ES256', 'EdDSA']

/** One line of the comparison: `@oidkit/jose` against raw `jose`, same key, same payload. */
export interface JoseBenchRow {
  alg: AsymmetricAlgorithm
  op: 'sign' | 'verify'
  /** Operations per second through `@oidkit/jose` (`signJwt` / `verifyJwt` with a KeySet). */
  oidkit: number
  /** Operations per second through raw `jose` (`SignJWT` / `jwtVerify` with the CryptoKey). */
  raw: number
  /**
   * Extra time per operation the wrapper costs, in percent of raw jose's:
   * `(raw / oidkit - 1) * 100`. Negative when the wrapper measured faster (noise).
   */
  overheadPct: number
}

export interface JoseBenchOptions {
  /** Short run (~0.2 s per side and operation) that only proves the bench works. */
  smoke: boolean
  /** Overrides the measuring time per side and operation, in milliseconds (tests use a tiny one). */
  timeMs?: number
}

interface Plan {
  /** Measuring time per side and operation, split over `rounds`. */
  timeMs: number
  /** Rounds per pair; the order of the two sides alternates between rounds. */
  rounds: number
  /** Warmup per side, in the first round only (the code stays hot between rounds). */
  warmupMs: number
}

function plan({ smoke, timeMs }: JoseBenchOptions): Plan {
  // Full: 2 s per side, in 20 alternating rounds of 100 ms, after a 250 ms warmup.
  const base: Plan = smoke
    ? { timeMs: 200, rounds: 2, warmupMs: 20 }
    : { timeMs: 2000, rounds: 20, warmupMs: 250 }
  return timeMs === undefined ? base : { ...base, timeMs }
}

/** Runs / total time over every round, so that a round's length weighs what it measured. */
interface Tally {
  runs: number
  totalMs: number
}

const opsPerSec = (tally: Tally) => (tally.totalMs > 0 ? (tally.runs * 1000) / tally.totalMs : 0)

function record(task: Task, tally: Tally): void {
  const result = task.result
  if (result.state === 'errored') throw result.error
  if (result.state !== 'completed') {
    throw new Error(`bench task "${task.name}" did not complete (${result.state})`)
  }
  tally.runs += task.runs
  tally.totalMs += result.totalTime
}

/**
 * Measures one operation both ways in alternating rounds (oidkit first, then raw first, ...), so
 * that thermal drift, GC and JIT state hit both sides alike.
 */
async function compare(
  name: string,
  sides: { oidkit: () => Promise<unknown>; raw: () => Promise<unknown> },
  { timeMs, rounds, warmupMs }: Plan,
): Promise<{ oidkit: number; raw: number }> {
  const tallies = { oidkit: { runs: 0, totalMs: 0 }, raw: { runs: 0, totalMs: 0 } }
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? (['oidkit', 'raw'] as const) : (['raw', 'oidkit'] as const)
    const bench = new Bench({
      name,
      time: timeMs / rounds,
      iterations: 8,
      warmup: round === 0,
      warmupTime: warmupMs,
      warmupIterations: 8,
      throws: true,
    })
    for (const side of order) bench.add(side, sides[side])
    await bench.run()
    for (const side of order) record(bench.getTask(side)!, tallies[side])
  }
  return { oidkit: opsPerSec(tallies.oidkit), raw: opsPerSec(tallies.raw) }
}

const round1 = (value: number) => Math.round(value * 10) / 10

/**
 * Sign and verify ops/s for RS256, ES256 and EdDSA, through `@oidkit/jose` (a {@link KeySet})
 * and through raw `jose` with that KeySet's own CryptoKeys, on the same payload.
 *
 * @example
 * ```ts
 * const rows = await runJoseBench({ smoke: true })
 * ```
 */
export async function runJoseBench(options: JoseBenchOptions): Promise<JoseBenchRow[]> {
  const settings = plan(options)
  const keys = await KeySet.generate(JOSE_BENCH_ALGORITHMS)
  const iat = Math.floor(Date.now() / 1000)
  // An ID-token-shaped payload; no exp check is requested on either side, so it never expires.
  const payload: JWTPayload = {
    iss: 'https://op.example.com',
    sub: '248289761001',
    aud: 's6BhdRkqt3',
    nonce: 'n-0S6_WzA2Mj',
    iat,
    exp: iat + 3600,
    auth_time: iat,
  }
  const rows: JoseBenchRow[] = []
  for (const alg of JOSE_BENCH_ALGORITHMS) {
    const key = keys.signingKey(alg)
    const header = { alg, kid: key.kid }
    // One token both sides verify; the wrapper's and jose's outputs are interchangeable.
    const token = await signJwt(payload, { key: keys, alg })
    const raw = await new SignJWT(payload).setProtectedHeader(header).sign(key.privateKey)
    await verifyJwt(raw, { keys })
    await jwtVerify(token, key.publicKey)

    const sign = await compare(
      `${alg} sign`,
      {
        oidkit: () => signJwt(payload, { key: keys, alg }),
        raw: () => new SignJWT(payload).setProtectedHeader(header).sign(key.privateKey),
      },
      settings,
    )
    const verify = await compare(
      `${alg} verify`,
      {
        oidkit: () => verifyJwt(token, { keys }),
        raw: () => jwtVerify(token, key.publicKey),
      },
      settings,
    )
    for (const [op, figures] of [
      ['sign', sign],
      ['verify', verify],
    ] as const) {
      rows.push({
        alg,
        op,
        oidkit: Math.round(figures.oidkit),
        raw: Math.round(figures.raw),
        overheadPct: round1((figures.raw / figures.oidkit - 1) * 100),
      })
    }
  }
  return rows
}

const formatPct = (value: number) => `${value > 0 ? '+' : ''}${value.toFixed(1)}%`
// Time per call is what a request pays; the ops/s figures hide small differences at high rates.
const formatMicros = (opsPerSec: number) => (opsPerSec > 0 ? (1e6 / opsPerSec).toFixed(1) : '-')

function tableRows(rows: JoseBenchRow[]): Record<string, string | number>[] {
  return rows.map((row) => ({
    alg: row.alg,
    op: row.op,
    'oidkit ops/s': formatOps(row.oidkit),
    'jose ops/s': formatOps(row.raw),
    'oidkit µs': formatMicros(row.oidkit),
    'jose µs': formatMicros(row.raw),
    overhead: formatPct(row.overheadPct),
  }))
}

/** The `jose` scenario for the runner. */
export const joseScenario: Scenario<JoseBenchRow> = {
  name: 'jose',
  title: '@oidkit/jose against raw jose',
  run: (options) => runJoseBench(options),
  table: tableRows,
  markdown(rows, { machine, date }) {
    const worst = rows.reduce(
      (max, row) => Math.max(max, row.overheadPct),
      Number.NEGATIVE_INFINITY,
    )
    return [
      `Measured ${date} on ${machine.cores} × ${machine.cpuModel}, Node ${machine.node} (${machine.platform}).`,
      '',
      markdownTable(tableRows(rows)),
      '',
      `Overhead is the extra time per operation through \`@oidkit/jose\` (\`signJwt\` / \`verifyJwt\` with a \`KeySet\`), in percent of raw \`jose\` (\`SignJWT\` / \`jwtVerify\` with the same \`CryptoKey\`): \`raw / oidkit - 1\`; the µs columns are the time per call. Target: under 10%; worst here ${formatPct(worst)}.`,
    ].join('\n')
  },
}
