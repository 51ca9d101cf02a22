import { existsSync, mkdirSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type BrowserContext, chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  authorizeUrl,
  REDIRECT_URI,
  type RegisteredClient,
  type RunningDemo,
  registerClient,
  startDemo,
  tokenRequest,
} from './test-support'

// scrypt (N=2^17) and key generation are slow by design; parallel test files share the CPU.
const SLOW = 60_000

// Debian's chromium: the tests never download a browser.
const CHROMIUM = '/usr/bin/chromium'
const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/', import.meta.url))

describe('demo OP in a real browser (chromium, no JavaScript needed)', { timeout: SLOW }, () => {
  let demo: RunningDemo
  let client: RegisteredClient
  let context: BrowserContext

  beforeAll(async () => {
    // A missing browser is a failure, never a skip.
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium`).toBe(true)
    demo = await startDemo()
    client = await registerClient(demo.issuer, { client_name: 'Wonderland Notes' })
    context = await chromium.launchPersistentContext(
      mkdtempSync(join(tmpdir(), 'oidkit-chromium-')),
      {
        executablePath: CHROMIUM,
        headless: true,
        javaScriptEnabled: false,
        viewport: { width: 900, height: 760 },
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      },
    )
    mkdirSync(ARTIFACTS, { recursive: true })
  })
  afterAll(async () => {
    await context?.close()
    await demo?.stop()
  })

  it('OIDC Core 3.1.2.1-3.1.2.5: login and consent pages work in chromium and redirect with a code', async () => {
    const page = await context.newPage()
    const { url, verifier, state } = authorizeUrl(demo.issuer, client, {
      scope: 'openid profile email address phone offline_access',
    })

    await page.goto(url.href)
    await expect.poll(() => page.title()).toContain('Sign in')
    await page.screenshot({ path: join(ARTIFACTS, 'login.png'), fullPage: true })
    await page.getByLabel('Username').fill('alice')
    await page.getByLabel('Password').fill('looking-glass')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Incorrect')
    await page.screenshot({ path: join(ARTIFACTS, 'login-error.png'), fullPage: true })
    // The username is kept; the password is typed again.
    expect(await page.getByLabel('Username').inputValue()).toBe('alice')
    await page.getByLabel('Password').fill('wonderland')
    await page.getByRole('button', { name: 'Sign in' }).click()

    await expect.poll(() => page.title()).toContain('Allow Wonderland Notes?')
    await page.screenshot({ path: join(ARTIFACTS, 'consent.png'), fullPage: true })
    // The client's host does not resolve, and Playwright cannot fulfil the target of a
    // redirect (page.route only sees the first URL of a redirect chain), so the test reads the
    // request chromium makes to the client after the consent POST's 303.
    const [request] = await Promise.all([
      page.waitForRequest((request) => request.url().startsWith(REDIRECT_URI)),
      page.getByRole('button', { name: 'Allow' }).click(),
    ])

    const callback = new URL(request.url())
    expect(request.isNavigationRequest()).toBe(true)
    expect(callback.searchParams.get('state')).toBe(state)
    const token = await tokenRequest(demo.issuer, client, {
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code')!,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
    })
    expect(token.status).toBe(200)
    expect(token.body.id_token).toBeTypeOf('string')
    expect(token.body.refresh_token).toBeTypeOf('string')
  })

  it('RP-Initiated Logout 1.0 2: the confirmation page signs out in chromium', async () => {
    const page = await context.newPage()
    await page.goto(`${demo.issuer}/session/end?client_id=${client.client_id}`)
    await expect.poll(() => page.title()).toContain('Sign out')
    await page.screenshot({ path: join(ARTIFACTS, 'logout.png'), fullPage: true })
    await page.getByRole('button', { name: 'Sign out' }).click()
    await expect.poll(() => page.title()).toContain('Signed out')
    await page.screenshot({ path: join(ARTIFACTS, 'logged-out.png'), fullPage: true })
  })
  it('RFC 6749 4.1.2.1: the home page and the error page for an unknown client render in chromium', async () => {
    const page = await context.newPage()
    await page.goto(`${demo.issuer}/`)
    await expect.poll(() => page.title()).toContain('OpenID Provider')
    await page.screenshot({ path: join(ARTIFACTS, 'home.png'), fullPage: true })
    const response = await page.goto(
      `${demo.issuer}/authorize?response_type=code&client_id=unknown&scope=openid`,
    )
    expect(response?.status()).toBe(400)
    await expect.poll(() => page.title()).toContain('Sign-in request refused')
    await page.screenshot({ path: join(ARTIFACTS, 'error.png'), fullPage: true })
  })
})
