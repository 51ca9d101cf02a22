/**
 * The conformance target for the demo app, started exactly as the README says (`pnpm demo`
 * from the repository root), signing in through its HTML login and consent forms.
 *
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { AccountStore } from '../../../apps/demo/src/accounts'
import { DATA_FILES } from '../../../apps/demo/src/provider'
import { type CookieJar, follow, navigate, parseForm, submitForm } from './browser'
import type { Account, ConformanceTarget } from './suite'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const PASSWORDS: Record<Account, string> = { alice: 'wonderland', bob: 'builder' }

/** The claims the demo seeded on its first start (read from its database, as UserInfo will). */
function seededClaims(dataDir: string): Record<Account, Record<string, unknown>> {
  const store = new AccountStore(join(dataDir, DATA_FILES.database))
  try {
    const claims = (username: Account) => {
      const account = store.findByUsername(username)
      if (!account) throw new Error(`the demo did not seed "${username}"`)
      return account.claims as Record<string, unknown>
    }
    return { alice: claims('alice'), bob: claims('bob') }
  } finally {
    store.close()
  }
}

/** A page of the OP itself (not yet the answer to the client). */
function isOwnPage(response: Response, issuer: string, html: string): boolean {
  if (response.status !== 200 || !response.url.startsWith(issuer)) return false
  if (!/<form\b/i.test(html)) return false
  // A form_post answer is a form whose action is the client's redirect URI.
  return parseForm(html, response.url).action.origin === new URL(issuer).origin
}

/** Plays the end-user on the demo: login form (username, password), then consent (first button). */
async function login(issuer: string, authorizeUrl: URL, jar: CookieJar, account: Account) {
  let response = await navigate(authorizeUrl, jar)
  for (let step = 0; step < 4; step++) {
    const copy = response.clone()
    const html = await response.text()
    if (!isOwnPage(copy, issuer, html)) return copy
    const fill: Record<string, string> = /name="password"/.test(html)
      ? { username: account, password: PASSWORDS[account] }
      : {}
    response = await follow(await submitForm(html, jar, { url: copy.url, fill }), jar)
  }
  throw new Error('the demo kept showing pages')
}

function waitForIssuer(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = ''
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /oidkit demo OP ready at (\S+)/.exec(output)
      if (match) resolve(match[1]!)
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.once('exit', (code) => reject(new Error(`pnpm demo exited (${code}):\n${output}`)))
  })
}

/**
 * Starts the demo with `pnpm demo` on a free port and a fresh data directory.
 *
 * @example
 * ```ts
 * runConformance('demo app', demoTarget)
 * ```
 */
export async function demoTarget(): Promise<ConformanceTarget> {
  const dataDir = mkdtempSync(join(tmpdir(), 'oidkit-demo-'))
  const child = spawn('pnpm', ['demo'], {
    cwd: root,
    env: { ...process.env, PORT: '0', DATA_DIR: dataDir, ISSUER: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so that pnpm, turbo and the server all stop together.
    detached: true,
  })
  const issuer = await waitForIssuer(child)
  return {
    issuer,
    accounts: seededClaims(dataDir),
    login: (url, jar, account) => login(issuer, url, jar, account),
    async close() {
      if (child.pid && child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        process.kill(-child.pid, 'SIGTERM')
        await exited
      }
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
