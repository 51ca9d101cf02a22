import { randomBytes } from 'node:crypto'
import {
  chmodSync,
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { oidkit } from '@oidkit/express'
import { KeySet } from '@oidkit/jose'
import type { OAuthError } from '@oidkit/oauth2'
import { createOpenIDProvider, type OpenIDProvider } from '@oidkit/oidc'
import { SqliteStore } from '@oidkit/sqlite'
import express from 'express'
import { AccountStore, demoAccounts } from './accounts'
import { errorPage, loggedOutPage } from './pages'
import { demoRoutes } from './routes'
import {
  createCsrf,
  LoginRateLimiter,
  type RateLimitOptions,
  SECURITY_HEADERS,
  securityHeaders,
} from './security'

/** Options of {@link createDemoProvider}. */
export interface DemoProviderOptions {
  /** The issuer identifier, e.g. `http://localhost:3000`; its path (if any) prefixes every route. */
  issuer: string
  /** Where the SQLite database and the keys live; created if missing. */
  dataDir: string
  /** Login rate limits (default 5 failures per account, 20 per IP, per 15 minutes). */
  rateLimit?: RateLimitOptions
}

/** A wired demo OP, not listening yet. */
export interface DemoProvider {
  provider: OpenIDProvider
  /** The Express application: mount it on an HTTP server (`server.on('request', app)`). */
  app: express.Express
  accounts: AccountStore
  /** Closes the database connections. */
  close(): void
}

/** The file names inside the data directory. */
export const DATA_FILES = {
  database: 'oidkit.db',
  keys: 'keys.json',
  csrfSecret: 'csrf-secret',
} as const

/**
 * Writes a private file only if it does not exist yet, atomically: a temporary file is linked
 * into place, so a crash never leaves half a key behind and two starts never overwrite each
 * other's keys.
 */
function createPrivateFile(path: string, contents: string): boolean {
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
  writeFileSync(temporary, contents, { mode: 0o600 })
  try {
    linkSync(temporary, path)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw error
  } finally {
    unlinkSync(temporary)
  }
}

/**
 * Loads the signing keys, or creates RS256 and ES256 keys on first start (file mode 0600).
 *
 * @example
 * ```ts
 * const keys = await loadOrCreateKeys('.data/keys.json')
 * ```
 */
export async function loadOrCreateKeys(path: string): Promise<KeySet> {
  if (!existsSync(path)) {
    const keys = await KeySet.generate(['RS256', 'ES256'])
    if (createPrivateFile(path, `${JSON.stringify(keys)}\n`)) return keys
  }
  // A key file someone made world-readable is tightened rather than trusted as is.
  chmodSync(path, 0o600)
  return KeySet.fromJSON(readFileSync(path, 'utf8'))
}

/** The secret that signs CSRF tokens, so forms stay valid across restarts. */
function loadOrCreateSecret(path: string): Buffer {
  if (!existsSync(path)) createPrivateFile(path, `${randomBytes(32).toString('base64url')}\n`)
  chmodSync(path, 0o600)
  return Buffer.from(readFileSync(path, 'utf8').trim(), 'base64url')
}

/** A page as a Web `Response` with the demo's security headers (for the provider's hooks). */
function htmlResponse(body: string, status = 200, extra: Record<string, string> = {}): Response {
  return new Response(body, {
    status,
    headers: { ...SECURITY_HEADERS, ...extra, 'content-type': 'text/html; charset=utf-8' },
  })
}

/**
 * Builds the demo OpenID Provider on `dataDir`: keys and the CSRF secret are created on first
 * start and reused after, the SQLite database holds the OAuth records and the `accounts` table
 * (seeded with alice and bob). Nothing listens yet and nothing is printed, so tests and
 * benchmarks can reuse the wiring.
 *
 * @example
 * ```ts
 * const demo = await createDemoProvider({ issuer: 'http://localhost:3000', dataDir: '.data' })
 * http.createServer(demo.app).listen(3000)
 * ```
 */
export async function createDemoProvider(options: DemoProviderOptions): Promise<DemoProvider> {
  const issuer = options.issuer.replace(/\/+$/, '')
  const issuerUrl = new URL(issuer)
  const secure = issuerUrl.protocol === 'https:'
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 })
  const keys = await loadOrCreateKeys(join(options.dataDir, DATA_FILES.keys))
  const csrf = createCsrf(loadOrCreateSecret(join(options.dataDir, DATA_FILES.csrfSecret)), {
    secure,
  })

  const filename = join(options.dataDir, DATA_FILES.database)
  // Password and token hashes live there: owner-only like the keys (SQLite gives its -wal and
  // -shm files the database file's mode, and accepts an empty file as a new database).
  if (!existsSync(filename)) writeFileSync(filename, '', { mode: 0o600 })
  // The store first: opening it applies oidkit's migrations to a new file.
  const storage = new SqliteStore({ filename })
  let accounts: AccountStore
  try {
    accounts = new AccountStore(filename)
    await accounts.seed(demoAccounts(Math.floor(Date.now() / 1000)))
  } catch (error) {
    storage.close()
    throw error
  }
  const accountStore = accounts
  const page = { issuer }

  const renderError = (error: OAuthError, request: Request): Response => {
    const accept = request.headers.get('accept') ?? ''
    // API clients that ask for JSON get RFC 6749 5.2 JSON; people get a page.
    if (accept.includes('application/json') && !accept.includes('text/html')) {
      return error.toResponse()
    }
    return htmlResponse(
      errorPage(page, {
        title: 'Sign-in request refused',
        message:
          'The application sent a request this provider cannot accept, so you cannot sign in to it from here. If this keeps happening, contact its developers.',
        code: error.error,
        detail: error.error_description,
      }),
      error.status,
      error.headers,
    )
  }

  const provider = createOpenIDProvider({
    issuer,
    keys,
    storage,
    grantTypes: ['authorization_code', 'implicit', 'refresh_token', 'client_credentials'],
    registration: { policy: { type: 'open' } },
    accounts: { isActive: async (accountId) => accountStore.findById(accountId) !== undefined },
    interactions: {
      url: (interaction) => `${issuer}/interaction/${encodeURIComponent(interaction.id)}`,
      renderError,
    },
    openid: {
      claims: (accountId) => {
        const account = accountStore.findById(accountId)
        return account ? { ...account.claims } : undefined
      },
      // Plain-http redirect URIs are only acceptable while the OP itself runs on plain http.
      registration: { allowInsecureWebRedirects: !secure },
      logout: {
        url: (logoutId) => `${issuer}/logout/${encodeURIComponent(logoutId)}`,
        renderLoggedOut: () => htmlResponse(loggedOutPage(page)),
      },
    },
    onError: (error) => console.error('oidkit demo: unexpected error', error),
  })

  const app = express()
  app.disable('x-powered-by')
  // The provider first: it reads its own request bodies, and passes every other path on.
  app.use(oidkit(provider))
  app.use(securityHeaders)
  app.use(express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 }))
  const base = issuerUrl.pathname.replace(/\/+$/, '') || '/'
  app.use(
    base,
    demoRoutes({
      issuer,
      provider,
      accounts: accountStore,
      csrf,
      limiter: new LoginRateLimiter(options.rateLimit),
    }),
  )
  app.use((_req: express.Request, res: express.Response) => {
    res
      .status(404)
      .type('html')
      .send(
        errorPage(page, { title: 'Page not found', message: 'There is nothing at this address.' }),
      )
  })
  app.use(
    (error: unknown, _req: express.Request, res: express.Response, next: express.NextFunction) => {
      if (res.headersSent) return next(error)
      // The error may come from before the headers middleware (the provider's own routes).
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value)
      const status = (error as { status?: unknown }).status
      // Body parser errors (too large, malformed) carry a 4xx status; the rest is ours.
      if (typeof status === 'number' && status >= 400 && status < 500) {
        res
          .status(status)
          .type('html')
          .send(
            errorPage(page, { title: 'Bad request', message: 'The request could not be read.' }),
          )
        return
      }
      console.error('oidkit demo: unexpected error', error)
      res
        .status(500)
        .type('html')
        .send(
          errorPage(page, {
            title: 'Something went wrong',
            message: 'The provider could not complete the request. Try again later.',
          }),
        )
    },
  )

  return {
    provider,
    app,
    accounts: accountStore,
    close() {
      accountStore.close()
      storage.close()
    },
  }
}
