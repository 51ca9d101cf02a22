import { createRequire } from 'node:module'
import { resolve } from 'node:path'
import { Worker } from 'node:worker_threads'

/**
 * WAL pages (16,000 of 4 KiB: about 64 MB) at which the writing connection checkpoints by itself,
 * where SQLite's default is 1000. A backstop: only a writer restarts the WAL from its beginning,
 * and only once every frame is back in the database file, which a checkpoint running beside a
 * busy writer never quite reaches. By then the worker has copied nearly everything, so the
 * writer's checkpoint is short, and the higher the threshold, the rarer. Measured over 8 s of
 * token requests on one file: inline, 126 writes took over 5 ms, 2.2 s blocked in all; with the
 * worker and 4000 pages, 38 writes and 0.55 s, up to 70 ms each; with 16,000, 11 writes and
 * 0.13 s, none over 20 ms.
 */
export const BACKSTOP_PAGES = 16_000

/** How the worker paces itself: soon again while the WAL grows, rarely once it is idle. */
const BUSY_DELAY_MS = 10
const IDLE_DELAY_MS = 250

// CommonJS evaluated as a string, so the package ships no second entry file for the worker and
// bundlers have nothing to move. A failed checkpoint is left to the next tick or to the writer's
// backstop; a worker that cannot open the driver or the file throws, which reaches onFailure.
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.driver)
const db = new Database(workerData.filename, { fileMustExist: true })
let timer
let lastLog = -1
const tick = () => {
  let growing = false
  try {
    const [state] = db.pragma('wal_checkpoint(PASSIVE)')
    growing = state.log !== lastLog
    lastLog = state.log
  } catch {}
  timer = setTimeout(tick, growing ? ${BUSY_DELAY_MS} : ${IDLE_DELAY_MS})
}
tick()
parentPort.once('message', () => {
  clearTimeout(timer)
  try {
    db.close()
  } catch {}
  parentPort.close()
})
`

/** A running background checkpointer. */
export interface Checkpointer {
  /** Resolves once the worker has closed its connection and exited. */
  readonly exited: Promise<void>
  /** Asks the worker to close its connection and exit; the writer's backstop remains. */
  stop(): void
}

/**
 * Starts a worker thread with its own connection to `filename` that copies WAL frames back into
 * the database file (`PRAGMA wal_checkpoint(PASSIVE)`) as they accumulate. The copy and its
 * fsyncs then happen off the event loop, where SQLite's automatic checkpoint blocks every
 * request for as long as the disk takes: with the token endpoint writing continuously, 5 to 30 ms
 * some 16 times a second (measured). A passive checkpoint never waits for or blocks the writer.
 *
 * Returns undefined when better-sqlite3 cannot be resolved from here (a bundle that separated
 * the package from its dependencies). `onFailure` is called if the worker dies, e.g. when it
 * cannot load the driver; the caller then restores its own automatic checkpoints.
 *
 * @example
 * ```ts
 * db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`)
 * const checkpointer = startCheckpointer('oidkit.db', () => db.pragma('wal_autocheckpoint = 1000'))
 * ```
 */
export function startCheckpointer(
  filename: string,
  onFailure: (error: unknown) => void,
  driver = resolveDriver(),
): Checkpointer | undefined {
  if (driver === undefined) return undefined
  const worker = new Worker(SOURCE, {
    eval: true,
    // Absolute, in case the process changes directory before the worker opens the file.
    workerData: { driver, filename: resolve(filename) },
    // None of the parent's flags (--cpu-prof, a loader) are wanted in a thread that runs one pragma.
    execArgv: [],
  })
  // Checkpointing alone must never keep the process alive.
  worker.unref()
  worker.on('error', onFailure)
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()))
  let stopped = false
  return {
    exited,
    stop() {
      if (stopped) return
      stopped = true
      worker.postMessage('stop')
    },
  }
}

function resolveDriver(): string | undefined {
  try {
    return createRequire(import.meta.url).resolve('better-sqlite3')
  } catch {
    return undefined
  }
}
