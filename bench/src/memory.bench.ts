import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { buildServer } from './build-server'
import { markdownTable, type Scenario } from './scenario'
import type { MemoryProbeSettings, MemorySample } from './servers/memory-probe'

/** What the memory check found. */
export interface MemoryRow extends MemorySample {}

const benchDir = fileURLToPath(new URL('../', import.meta.url))

/** The settings of the full and smoke runs. */
export function memoryPlan(smoke: boolean): MemoryProbeSettings {
  return smoke
    ? { tokens: 2_000, waves: 1, ttl: 2, sweepInterval: 1 }
    : { tokens: 200_000, waves: 2, ttl: 5, sweepInterval: 5 }
}

/**
 * Runs the memory probe (`servers/memory-probe.ts`) in its own process with `--expose-gc`:
 * waves of client_credentials tokens issued into a `MemoryStore`, RSS read after each wave
 * and after it expired, so that a store which never swept would show a growing RSS.
 *
 * @example
 * ```ts
 * const rows = await runMemoryCheck(memoryPlan(true))
 * ```
 */
export async function runMemoryCheck(settings: MemoryProbeSettings): Promise<MemoryRow[]> {
  const probe = await buildServer('memory-probe')
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', probe], {
      cwd: benchDir,
      env: { ...process.env, NODE_ENV: 'production', BENCH_MEMORY: JSON.stringify(settings) },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk
    })
    child.once('error', reject)
    child.once('exit', (code) => {
      const line = out.trim().split('\n').at(-1)
      if (code !== 0 || !line) {
        reject(new Error(`the memory probe exited with ${code}`))
        return
      }
      resolve(JSON.parse(line) as MemoryRow[])
    })
  })
}

const table = (rows: MemoryRow[]) =>
  rows.map((row) => ({
    when: row.label,
    'RSS MB': row.rssMb.toFixed(1),
    'heap MB': row.heapMb.toFixed(1),
    'tokens held': row.tokens.toLocaleString('en-US'),
    'grants held': row.grants.toLocaleString('en-US'),
    'sweep ms': row.sweepMs.toFixed(2),
  }))

/** The `memory` scenario for the runner. */
export const memoryScenario: Scenario<MemoryRow> = {
  name: 'memory',
  title: 'Memory: 200,000 tokens into the in-memory store',
  run: ({ smoke }) => runMemoryCheck(memoryPlan(smoke)),
  table,
  markdown(rows, { machine, date }) {
    const plan = memoryPlan(false)
    return [
      `Measured ${date} on ${machine.cores} × ${machine.cpuModel}, Node ${machine.node}. ${plan.waves} waves of ${plan.tokens.toLocaleString('en-US')} \`client_credentials\` tokens (opaque, one grant each) issued through the oidkit OP's token endpoint into a \`MemoryStore\` (access token lifetime ${plan.ttl} s, \`sweepInterval: ${plan.sweepInterval}\`), in a process of its own; RSS and heap after a forced GC; before each reading the probe times one explicit sweep (\`sweep ms\`, the event loop is blocked that long): right after a wave it deletes the tokens that expired since the last lazy sweep (up to \`sweepInterval\` seconds of them) and costs about that; once the wave has expired there is nothing left to visit.`,
      '',
      markdownTable(table(rows)),
      '',
      'The store sweeps lazily on writes (at most once per `sweepInterval`), and sweeps during a wave too: it never holds more than the tokens of the last `ttl + sweepInterval` seconds. Once a wave has expired its tokens and grants are gone and the heap is back where it was after the previous wave, so memory stays bounded however many tokens are issued. A sweep visits only the records due since the last one (the store keeps its keys by the second they expire in, those seconds in a min-heap), not every record it holds. RSS lags behind the heap (V8 and the allocator keep pages they grew, for reuse): read the heap columns for what the store holds.',
    ].join('\n')
  },
}
