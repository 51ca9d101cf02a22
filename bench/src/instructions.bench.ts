import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { Agent, get } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { KeySet } from '@oidkit/jose'
import { firstLogin } from './browser'
import { OIDKIT_PATHS } from './fixtures'
import { recordingFetch, replay, type SentRequest } from './prelude'
import { formatOps, markdownTable, type Scenario } from './scenario'
import { type ServerProcess, startServer } from './server-process'

const run = promisify(execFile)

/** Instructions per request of one document, on each server's main thread. */
export interface InstructionsRow {
  name: 'discovery' | 'jwks'
  /**
   * Whether both servers were sent a sign-in between warming up on their documents and being
   * counted: oidkit a browser's sign-in with one code minted and redeemed, the ceiling the same
   * requests (`prelude.ts`), which it answers 404.
   */
  primed: boolean
  oidkit: number
  ceiling: number
  /** ceiling / oidkit: oidkit's rate as a fraction of the ceiling's, if time followed instructions. */
  ratio: number
}

/** How many requests warm each server up (until V8 has optimized the path) and are counted. */
export interface InstructionsPlan {
  warmup: number
  requests: number
}

export function instructionsPlan(smoke: boolean): InstructionsPlan {
  return smoke ? { warmup: 100, requests: 100 } : { warmup: 8000, requests: 4000 }
}

const DOCUMENTS = ['discovery', 'jwks'] as const

/** Sends `count` GET requests over four kept-alive connections, failing on any status but 200. */
async function load(url: string, count: number): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 4 })
  const once = () =>
    new Promise<void>((resolve, reject) => {
      get(url, { agent }, (res) => {
        res.resume()
        res.once('end', () =>
          res.statusCode === 200 ? resolve() : reject(new Error(`${url}: ${res.statusCode}`)),
        )
      }).once('error', reject)
    })
  let sent = 0
  try {
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (sent++ < count) await once()
      }),
    )
  } finally {
    agent.destroy()
  }
}

/** A server running under callgrind, counting only while asked to. */
interface Counted {
  server: ServerProcess
  /** Where callgrind writes its files (removed once the server stopped). */
  dir: string
  /** Instructions of the main thread per request while `plan.requests` of `url` are served. */
  measure(url: string, plan: InstructionsPlan): Promise<number>
}

async function startCounted(
  program: 'oidkit' | 'ceiling-static',
  keys: KeySet,
  options: Record<string, unknown>,
): Promise<Counted> {
  const dir = mkdtempSync(join(tmpdir(), `oidkit-bench-callgrind-${program}-`))
  const out = join(dir, 'callgrind.out')
  const server = await startServer(program, keys.toJSON(), {
    label: `${program} (callgrind)`,
    options,
    timeoutMs: 300_000,
    // JIT code rewrites itself: --smc-check makes valgrind notice. One file per thread, so that
    // the main thread (the one serving HTTP) is counted apart from GC and compiler threads.
    wrapper: [
      'valgrind',
      '--tool=callgrind',
      '--smc-check=all-non-file',
      '--separate-threads=yes',
      `--callgrind-out-file=${out}`,
    ],
  })
  const pid = String(server.process.pid)
  let dumps = 0
  return {
    server,
    dir,
    async measure(url, plan) {
      // Right before counting: code idle for a while (another path, or the other server's turn)
      // may have been flushed by V8 and would be counted compiling again.
      await load(url, Math.ceil(plan.warmup / 4))
      await run('callgrind_control', ['--zero', pid])
      await load(url, plan.requests)
      await run('callgrind_control', ['--dump', pid])
      dumps += 1
      // Thread 1 is the main thread. Its file is complete once the last thread's is there.
      const file = `${out}.${dumps}-01`
      const written = () => existsSync(file) && /^totals:/m.test(readFileSync(file, 'utf8'))
      for (let waited = 0; !written(); waited += 100) {
        if (waited > 30_000) throw new Error(`callgrind wrote no ${file}`)
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      const total = /^(?:summary|totals): (\d+)/m.exec(readFileSync(file, 'utf8'))
      if (!total) throw new Error(`no instruction total in ${file}`)
      return Number(total[1]) / plan.requests
    },
  }
}

/**
 * Counts the instructions of a discovery and a JWKS request on the main thread of the oidkit OP
 * and of the static ceiling, with valgrind's callgrind, once V8 has optimized the path. Unlike
 * requests per second, the count does not depend on what else the machine is doing: counts of
 * the same build mostly agree within 1% (the README says when they do not). The kernel's share
 * (the socket write) is not counted; it is the same for both, one `writev` and one `read` per
 * request.
 * Counted twice, in fresh processes: once when the servers have served nothing else, once after
 * a sign-in's requests (`prelude.ts`), the state of an OP in service, whose Node HTTP code V8
 * has re-optimized for every kind of request it serves.
 *
 * @example
 * ```ts
 * const rows = await countInstructions(instructionsPlan(true))
 * ```
 */
export async function countInstructions(plan: InstructionsPlan): Promise<InstructionsRow[]> {
  await run('valgrind', ['--version']).catch(() => {
    throw new Error('the instructions scenario needs valgrind (Debian: apt-get install valgrind)')
  })
  const keys = await KeySet.generate('RS256')
  const documents: Record<string, string> = {}
  const fetchDocuments = async (url: string) => {
    for (const name of DOCUMENTS)
      documents[`/${name}`] = await (await fetch(url + OIDKIT_PATHS[name])).text()
  }
  // One server under callgrind at a time, each counted right after its own warmup.
  const count = async (
    program: 'oidkit' | 'ceiling-static',
    options: Record<string, unknown>,
    path: (name: (typeof DOCUMENTS)[number]) => string,
    prime: (url: string) => Promise<void>,
  ): Promise<number[]> => {
    const counted = await startCounted(program, keys, options)
    try {
      if (program === 'oidkit') await fetchDocuments(counted.server.url)
      for (const name of DOCUMENTS) await load(counted.server.url + path(name), plan.warmup)
      // After the documents' warmup, as an OP in service has served them: V8 keeps no type
      // feedback for a function's first calls, so requests sent before it has any leave its code
      // specialized.
      await prime(counted.server.url)
      const counts: number[] = []
      for (const name of DOCUMENTS)
        counts.push(await counted.measure(counted.server.url + path(name), plan))
      return counts
    } finally {
      await counted.server.stop()
      rmSync(counted.dir, { recursive: true, force: true })
    }
  }
  const rows: InstructionsRow[] = []
  for (const primed of [false, true]) {
    const prelude: SentRequest[] = []
    const own = await count(
      'oidkit',
      { store: 'memory' },
      (name) => OIDKIT_PATHS[name],
      async (url) => {
        if (primed) await firstLogin(url, OIDKIT_PATHS, recordingFetch(prelude))
      },
    )
    const bare = await count(
      'ceiling-static',
      { documents },
      (name) => `/${name}`,
      async (url) => {
        await replay(url, prelude)
      },
    )
    for (const [index, name] of DOCUMENTS.entries()) {
      rows.push({
        name,
        primed,
        oidkit: Math.round(own[index]!),
        ceiling: Math.round(bare[index]!),
        ratio: bare[index]! / own[index]!,
      })
    }
  }
  return rows
}

const table = (rows: InstructionsRow[]) =>
  rows.map((row) => ({
    document: row.name,
    'after the warmup': row.primed ? "a sign-in's requests" : 'nothing',
    'oidkit instructions': formatOps(row.oidkit),
    'ceiling instructions': formatOps(row.ceiling),
    'ceiling / oidkit': `${row.ratio.toFixed(2)}×`,
  }))

/** The `instructions` scenario for the runner. */
export const instructionsScenario: Scenario<InstructionsRow> = {
  name: 'instructions',
  title: 'Instructions per document request (callgrind), oidkit against the ceiling',
  run: ({ smoke }) => countInstructions(instructionsPlan(smoke)),
  table,
  markdown(rows, { machine, date }) {
    const plan = instructionsPlan(false)
    return [
      `Counted ${date} on ${machine.cores} × ${machine.cpuModel}, Node ${machine.node}, with valgrind's callgrind: the oidkit OP (in memory, \`nodeHandler\`) and the static ceiling, one after the other, each in its own process under \`valgrind --tool=callgrind\`: ${formatOps(plan.warmup)} requests of each document to warm up, then for each document ${formatOps(Math.ceil(plan.warmup / 4))} more and the instructions of the main thread over the next ${formatOps(plan.requests)} (four kept-alive connections), per request. Kernel work (the socket write and read, the same for both) is not counted, nor are V8's GC and compiler threads (idle by then).`,
      '',
      markdownTable(table(rows)),
      '',
      "The first two rows count processes that have served only their documents. The last two count them after a sign-in, sent once the documents had warmed up: oidkit served a real one (login and consent pages, cookies, redirects, one code minted and redeemed), as every OP process has once in service; the ceiling was sent the same requests and answered them 404. V8 re-optimizes Node's HTTP code for the requests a process serves, so the sign-in costs oidkit's documents more than it costs the ceiling's (Findings, item 16). In the HTTP table the ceiling has served only its documents and oidkit every scenario: the last two rows are the closer counterpart of its document ratios.",
      '',
      'Requests per second on this shared 2-vCPU machine move by up to 1.5× between two runs of the same server; counts of the same build in the same state mostly agree within 1%, though one now and then comes out 2 to 4% higher, and the counts after a sign-in vary by up to 5% (V8 re-optimizes at moments that depend on timing, and callgrind slows the process about fifty-fold). The last column is the rate oidkit would reach as a fraction of the ceiling if time followed instructions: the steady counterpart of the `oidkit / ceiling` column of the HTTP table.',
    ].join('\n')
  },
}
