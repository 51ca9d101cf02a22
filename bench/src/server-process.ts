import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { SerializedKeySet } from '@oidkit/jose'
import { buildServer } from './build-server'
import type { ChildMessage, ParentMessage, ServerInit } from './servers/runtime'

/** The server programs under `src/servers/`, by name. */
export type ServerProgram = 'oauth2' | 'oidkit' | 'oidc-provider' | 'ceiling-static' | 'ceiling-jwt'

/** A server running in its own process on 127.0.0.1. */
export interface ServerProcess {
  /** The server's label in tables (`oidkit`, `oidc-provider`, ...). */
  readonly label: string
  /** `http://127.0.0.1:<port>`, the issuer of an OP. */
  readonly url: string
  readonly process: ChildProcess
  /** Resident set size and heap of the server process in bytes, and its CPU time so far in µs. */
  stats(): Promise<{ rss: number; heapUsed: number; cpuUs: number }>
  /** The server process's monotonic clock, in µs (the clock of its CPU profile's samples). */
  mark(): Promise<number>
  /** Closes the server and waits until its process has exited (writing a CPU profile if asked). */
  stop(): Promise<void>
}

const benchDir = fileURLToPath(new URL('../', import.meta.url))

/** Options of {@link startServer}. */
export interface StartServerOptions {
  label?: string
  /** Program options, passed as `init.options`. */
  options?: Record<string, unknown>
  /** Extra Node flags (`--cpu-prof`, ...). */
  nodeArgs?: readonly string[]
  /** Milliseconds to wait for the server to listen (default 60 s). */
  timeoutMs?: number
  /** A program to run Node under, with its arguments (`['valgrind', '--tool=callgrind']`). */
  wrapper?: readonly string[]
}

function send(child: ChildProcess, message: ParentMessage): void {
  if (child.connected) child.send(message)
}

/**
 * Starts `src/servers/<program>.ts` in its own Node process (bundled first, see
 * {@link buildServer}; `NODE_ENV=production`) and resolves once it listens.
 *
 * @example
 * ```ts
 * const server = await startServer('ceiling-static', keys)
 * await fetch(server.url)
 * await server.stop()
 * ```
 */
export async function startServer(
  program: ServerProgram,
  keys: SerializedKeySet,
  {
    label = program,
    options = {},
    nodeArgs = [],
    timeoutMs = 60_000,
    wrapper = [],
  }: StartServerOptions = {},
): Promise<ServerProcess> {
  const init: ServerInit = { keys, options }
  const [command, ...args] = [...wrapper, process.execPath, ...nodeArgs, await buildServer(program)]
  const child = spawn(command!, args, {
    cwd: benchDir,
    env: { ...process.env, NODE_ENV: 'production', BENCH_SERVER_INIT: JSON.stringify(init) },
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  })
  // Keep stderr (startup failures) for the error message, and show it in case of a crash.
  let stderr = ''
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000)
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${label} did not start within ${timeoutMs} ms\n${stderr}`))
    }, timeoutMs)
    child.on('message', (message: ChildMessage) => {
      if (message.type !== 'ready') return
      clearTimeout(timer)
      resolve(message.port)
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${label} exited with ${code} before listening\n${stderr}`))
    })
  })

  function ask<T extends ChildMessage['type']>(
    type: T & ParentMessage['type'],
  ): Promise<Extract<ChildMessage, { type: T }>> {
    return new Promise((resolve, reject) => {
      const onMessage = (message: ChildMessage) => {
        if (message.type !== type) return
        child.off('message', onMessage)
        resolve(message as Extract<ChildMessage, { type: T }>)
      }
      if (!child.connected) {
        reject(new Error(`${label} is not running`))
        return
      }
      child.on('message', onMessage)
      send(child, { type } as ParentMessage)
    })
  }

  return {
    label,
    url: `http://127.0.0.1:${port}`,
    process: child,
    async stats() {
      const { rss, heapUsed, cpuUs } = await ask('stats')
      return { rss, heapUsed, cpuUs }
    },
    async mark() {
      return (await ask('mark')).at
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      send(child, { type: 'stop' })
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
      await exited
      clearTimeout(timer)
    },
  }
}
