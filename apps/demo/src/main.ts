/**
 * Starts the demo OpenID Provider: `pnpm demo` from the repository root.
 *
 * Environment: `PORT` (default 3000), `ISSUER` (default `http://localhost:$PORT`), `DATA_DIR`
 * (default `apps/demo/.data`; a relative path is taken from the directory the command was run
 * in).
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createDemoProvider, type DemoProvider } from './provider'

const packageDir = fileURLToPath(new URL('..', import.meta.url))

function readPort(value: string | undefined): number {
  if (value === undefined || value === '') return 3000
  const port = Number(value)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be an integer between 0 and 65535, not "${value}"`)
  }
  return port
}

function readDataDir(value: string | undefined): string {
  if (value === undefined || value === '') return join(packageDir, '.data')
  // pnpm runs the script inside apps/demo; INIT_CWD is where the user typed the command.
  return resolve(process.env.INIT_CWD ?? process.cwd(), value)
}

async function main(): Promise<void> {
  const port = readPort(process.env.PORT)
  const dataDir = readDataDir(process.env.DATA_DIR)

  let started: (app: DemoProvider['app']) => void = () => {}
  const app = new Promise<DemoProvider['app']>((resolveApp) => {
    started = resolveApp
  })
  // Requests that arrive while the provider is still being built wait for it.
  const server = createServer((req, res) => {
    void app.then((handler) => handler(req, res))
  })
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject)
    server.listen(port, () => resolveListen())
  })
  const actualPort = (server.address() as AddressInfo).port
  const issuer = (process.env.ISSUER || `http://localhost:${actualPort}`).replace(/\/+$/, '')

  const demo = await createDemoProvider({ issuer, dataDir })
  started(demo.app)
  console.log(`oidkit demo OP ready at ${issuer}`)
  console.log(`Sign in as alice / wonderland or bob / builder. Data: ${dataDir}`)

  const stop = () => {
    server.close()
    server.closeAllConnections()
    demo.close()
    process.exit(0)
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

main().catch((error: unknown) => {
  console.error(`oidkit demo: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
})
