import { createServer, type RequestListener, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { SerializedKeySet } from '@oidkit/jose'

/** What the parent hands a server process (environment variable `BENCH_SERVER_INIT`, JSON). */
export interface ServerInit<Options = Record<string, unknown>> {
  /** The one RSA-2048 key every server signs with (private JWK included). */
  keys: SerializedKeySet
  options: Options
}

/** What the runner tells a server process over the IPC channel. */
export type ParentMessage = { type: 'stop' } | { type: 'stats' } | { type: 'mark' }

/** What a server process tells the runner. */
export type ChildMessage =
  | { type: 'ready'; port: number }
  /** Memory in bytes; `cpuUs`: user + system CPU time of the whole process so far, in µs. */
  | { type: 'stats'; rss: number; heapUsed: number; cpuUs: number }
  /** The monotonic clock in microseconds, the clock of `--cpu-prof` timestamps. */
  | { type: 'mark'; at: number }

/** The init the parent passed. */
export function readInit<Options>(): ServerInit<Options> {
  const raw = process.env.BENCH_SERVER_INIT
  if (!raw) throw new Error('BENCH_SERVER_INIT is not set: start servers through server-process')
  return JSON.parse(raw) as ServerInit<Options>
}

/**
 * Listens on 127.0.0.1 on a free port, builds the request listener once the issuer
 * (`http://127.0.0.1:<port>`) is known, then tells the parent. A `stop` message closes the server
 * and exits through `process.exit`, so that `--cpu-prof` writes its profile.
 */
export async function serve(
  build: (issuer: string) => Promise<RequestListener> | RequestListener,
  onStop?: () => void | Promise<void>,
): Promise<Server> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  server.on('request', await build(`http://127.0.0.1:${port}`))
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'stats') {
      const { rss, heapUsed } = process.memoryUsage()
      const { user, system } = process.cpuUsage()
      process.send?.({ type: 'stats', rss, heapUsed, cpuUs: user + system } satisfies ChildMessage)
      return
    }
    if (message.type === 'mark') {
      const at = Number(process.hrtime.bigint() / 1000n)
      process.send?.({ type: 'mark', at } satisfies ChildMessage)
      return
    }
    if (message.type !== 'stop') return
    server.closeAllConnections()
    server.close()
    void Promise.resolve(onStop?.()).finally(() => process.exit(0))
  })
  // Orphaned (the runner died): leave rather than linger.
  process.on('disconnect', () => process.exit(0))
  process.send?.({ type: 'ready', port } satisfies ChildMessage)
  return server
}

/** Reads a whole request body as text (for the bare `node:http` handlers). */
export function readBody(req: import('node:http').IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.once('error', reject)
  })
}
