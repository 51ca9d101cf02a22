import type { KeySet } from '@oidkit/jose'
import { type Client, sha256 } from '@oidkit/oauth2'
import { beforeAll, describe, expect, it } from 'vitest'
import { oidcChecks } from './authorization-checks'
import type { LogoutOptions, OpenIDOptions } from './config'
import { endSessionEndpoint, logoutApi } from './end-session-endpoint'
import { LOGOUT_COOKIE } from './logout-api'
import {
  authorizeUrl,
  browserOp,
  CB,
  ISSUER,
  idTokenHint,
  START,
  strangerKeys,
} from './test-support/browser-op'

const END = `${ISSUER}/session/end`
const BYE = 'https://rp.example/logged-out'
const BYE_QUERY = 'https://rp.example/bye?x=1'

let otherKeys: KeySet
beforeAll(async () => {
  otherKeys = await strangerKeys()
})

async function setup(logoutOptions?: LogoutOptions, client: Partial<Client> = {}) {
  const options: OpenIDOptions = {
    claims: () => ({}),
    ...(logoutOptions ? { logout: logoutOptions } : {}),
  }
  const op = await browserOp({
    plugins: [
      {
        name: 'oidc-request',
        authorizationChecks: oidcChecks(options),
        endpoints: [endSessionEndpoint(options)],
      },
    ],
    client: {
      client_name: '<The App>',
      post_logout_redirect_uris: [BYE, BYE_QUERY],
      ...client,
    },
  })
  const { server, storage, send } = op
  await storage.clients.save({ client_id: 'other', redirect_uris: ['https://other.example/cb'] })
  const browser = (url: string, init: RequestInit = {}, accept = 'text/html') =>
    op.browser(url, init, accept)

  async function authorize(extra: Record<string, string> = {}) {
    const url = authorizeUrl({ scope: 'openid', ...extra })
    return new URL((await send(browser(url))).headers.get('location')!)
  }

  /** Logs alice in (with consent): the browser then holds an OP session. */
  async function login() {
    const location = await authorize()
    const id = location.pathname.split('/').pop()!
    const done = await op.finishInteraction(id, { login: { accountId: 'alice' }, consent: {} })
    expect(new URL(done.headers.get('location')!).searchParams.get('code')).toBeTypeOf('string')
  }

  /** A logout request from the RP, as GET (default) or form POST. */
  function logout(params: Record<string, string>, method: 'GET' | 'POST' = 'GET', accept?: string) {
    const query = new URLSearchParams(params)
    return send(
      method === 'GET'
        ? browser(`${END}?${query}`, {}, accept)
        : browser(
            END,
            {
              method: 'POST',
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              body: query,
            },
            accept,
          ),
    )
  }

  /** Submits the confirmation form of `page` as the browser would. */
  async function confirm(page: Response, override: Record<string, string> = {}) {
    const html = await page.text()
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, '&')
    const fields = [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)]
    const form = new URLSearchParams(fields.map((m) => [m[1]!, m[2]!]))
    for (const [name, value] of Object.entries(override)) form.set(name, value)
    return send(
      browser(action!, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form,
      }),
    )
  }

  const sessionCount = async () => {
    // The only session of the test is alice's; look it up through the jar's cookie.
    const cookie = /oidkit\.session=([^;]+)/.exec(op.jar().header())?.[1]
    if (!cookie) return 0
    return (await storage.sessions.get(await sha256(cookie))) ? 1 : 0
  }

  return {
    server,
    storage,
    options,
    browser,
    send,
    authorize,
    login,
    logout,
    confirm,
    sessionCount,
    jar: op.jar,
    newBrowser: op.newBrowser,
  }
}

const idToken = (claims: Record<string, unknown> = {}, signer?: KeySet) =>
  idTokenHint(claims, signer)

/** A browser in which alice is logged in. */
async function loggedIn(logoutOptions?: LogoutOptions) {
  const t = await setup(logoutOptions)
  await t.login()
  return t
}

/** The parameters of a logout request with a valid id_token_hint for `app`. */
const hinted = async (postLogoutRedirectUri: string, extra: Record<string, string> = {}) => ({
  id_token_hint: await idToken(),
  post_logout_redirect_uri: postLogoutRedirectUri,
  ...extra,
})

describe('RP-Initiated Logout 1.0: confirmation', () => {
  it('RP-Initiated Logout 1.0 2: the OP asks the end-user with one form, CSRF-bound and escaped', async () => {
    const t = await loggedIn()
    const page = await t.logout(await hinted(BYE, { state: 's1' }))
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toMatch(/^text\/html/)
    expect(page.headers.get('cache-control')).toBe('no-store')
    const csp = page.headers.get('content-security-policy')!
    expect(csp).toContain("default-src 'none'")
    expect(csp).toContain("form-action 'self' https://rp.example;")
    expect(csp).toContain("frame-ancestors 'none'")
    const cookie = page.headers.getSetCookie().find((c) => c.startsWith(`${LOGOUT_COOKIE}=`))!
    expect(cookie).toMatch(/HttpOnly/)
    expect(cookie).toMatch(/SameSite=Lax/)
    expect(cookie).toMatch(/Secure/)
    const html = await page.clone().text()
    expect(html).toContain(`<form method="post" action="${END}">`)
    expect(html.match(/<button/g)).toHaveLength(1)
    expect(html).toContain('&lt;The App&gt;')
    expect(html).not.toContain('<The App>')
    expect(html).toMatch(/name="logout_id" value="[\w-]+"/)
    expect(html).toMatch(/name="xsrf" value="[\w-]+"/)
    // Nothing happens before the end-user confirms.
    expect(await t.sessionCount()).toBe(1)
  })

  it('RP-Initiated Logout 1.0 2: confirming ends the session; prompt=none then gets login_required', async () => {
    const t = await loggedIn()
    const page = await t.logout(await hinted(BYE, { state: 's1' }))
    const cookieBefore = t.jar().header()
    const done = await t.confirm(page)
    expect(done.status).toBe(303)
    expect(done.headers.get('location')).toBe(`${BYE}?state=s1`)
    const cleared = done.headers.getSetCookie()
    expect(cleared.some((c) => /^oidkit\.session=;.*Max-Age=0/.test(c))).toBe(true)
    expect(cleared.some((c) => new RegExp(`^${LOGOUT_COOKIE}=;.*Max-Age=0`).test(c))).toBe(true)
    // The session record is gone, not just the cookie.
    const secret = /oidkit\.session=([^;]+)/.exec(cookieBefore)![1]!
    expect(await t.storage.sessions.get(await sha256(secret))).toBeUndefined()
    const again = await t.authorize({ prompt: 'none' })
    expect(again.origin + again.pathname).toBe(CB)
    expect(again.searchParams.get('error')).toBe('login_required')
  })

  it('RP-Initiated Logout 1.0 2: the RP may use POST (form) as well as GET', async () => {
    const t = await loggedIn()
    const page = await t.logout(await hinted(BYE, { state: 'p' }), 'POST')
    expect(page.status).toBe(200)
    const done = await t.confirm(page)
    expect(done.headers.get('location')).toBe(`${BYE}?state=p`)
    expect(await t.sessionCount()).toBe(0)
  })

  it('RP-Initiated Logout 1.0 3: state is appended to a registered URI that has a query', async () => {
    const t = await loggedIn()
    const page = await t.logout(await hinted(BYE_QUERY, { state: 'a b&c' }))
    const done = await t.confirm(page)
    expect(done.headers.get('location')).toBe(`${BYE_QUERY}&state=a%20b%26c`)
  })

  it('RP-Initiated Logout 1.0 3: no state, no state parameter', async () => {
    const t = await loggedIn()
    const page = await t.logout(await hinted(BYE))
    expect((await t.confirm(page)).headers.get('location')).toBe(BYE)
  })

  it('RP-Initiated Logout 1.0 2: without a post_logout_redirect_uri the logged-out page is shown', async () => {
    const t = await loggedIn()
    const done = await t.confirm(await t.logout({}))
    expect(done.status).toBe(200)
    expect(done.headers.get('location')).toBeNull()
    expect(await done.text()).toContain('Signed out')
    expect(await t.sessionCount()).toBe(0)
  })

  it('RP-Initiated Logout 1.0 2: the integrator may render the logged-out page', async () => {
    const t = await loggedIn({ renderLoggedOut: () => new Response('bye from the app') })
    const done = await t.confirm(await t.logout({ state: 'only-state' }))
    expect(await done.text()).toBe('bye from the app')
    expect(done.headers.getSetCookie().some((c) => c.startsWith('oidkit.session=;'))).toBe(true)
  })
})

describe('RP-Initiated Logout 1.0: post_logout_redirect_uri', () => {
  it.each([
    ['unregistered', 'https://evil.example/bye'],
    ['with a query added', `${BYE}?foo=bar`],
    ['of another case', BYE.toUpperCase()],
  ])(
    'RP-Initiated Logout 1.0 3: an %s post_logout_redirect_uri is never redirected to',
    async (_, uri) => {
      const t = await loggedIn()
      const page = await t.logout(await hinted(uri, { state: 's' }))
      expect(page.headers.get('content-security-policy')).toContain("form-action 'self';")
      const done = await t.confirm(page)
      expect(done.status).toBe(200)
      expect(done.headers.get('location')).toBeNull()
      expect(await t.sessionCount()).toBe(0)
    },
  )

  it('RP-Initiated Logout 1.0 2: without id_token_hint (client_id only) there is no redirect', async () => {
    const t = await loggedIn()
    const done = await t.confirm(
      await t.logout({ client_id: 'app', post_logout_redirect_uri: BYE, state: 's' }),
    )
    expect(done.status).toBe(200)
    expect(done.headers.get('location')).toBeNull()
  })

  it('RP-Initiated Logout 1.0 2: an expired id_token_hint is accepted', async () => {
    const t = await loggedIn()
    const hint = await idToken({ iat: START - 90_000, exp: START - 86_400 })
    const done = await t.confirm(
      await t.logout({ id_token_hint: hint, post_logout_redirect_uri: BYE }),
    )
    expect(done.headers.get('location')).toBe(BYE)
  })

  it('RP-Initiated Logout 1.0 2: several audiences name the client only with client_id', async () => {
    const t = await loggedIn()
    const hint = await idToken({ aud: ['app', 'other'] })
    const ambiguous = await t.confirm(
      await t.logout({ id_token_hint: hint, post_logout_redirect_uri: BYE }),
    )
    expect(ambiguous.headers.get('location')).toBeNull()
    await t.login()
    const named = await t.confirm(
      await t.logout({ id_token_hint: hint, client_id: 'app', post_logout_redirect_uri: BYE }),
    )
    expect(named.headers.get('location')).toBe(BYE)
  })

  it('RP-Initiated Logout 1.0 2: without an OP session nothing is confirmed, the RP gets its redirect', async () => {
    const t = await setup()
    const response = await t.logout(await hinted(BYE, { state: 'gone' }))
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe(`${BYE}?state=gone`)
    const bare = await t.logout({})
    expect(bare.status).toBe(200)
    expect(await bare.text()).toContain('Signed out')
  })
})

describe('RP-Initiated Logout 1.0: bad requests (never redirected, never 5xx)', () => {
  it('RP-Initiated Logout 1.0 2: client_id that does not match the hint aud → 400 invalid_request', async () => {
    const t = await loggedIn()
    const response = await t.logout(
      { id_token_hint: await idToken(), client_id: 'other', post_logout_redirect_uri: BYE },
      'GET',
      'application/json',
    )
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ error: 'invalid_request' })
    expect(await t.sessionCount()).toBe(1)
  })

  it.each([
    ['signed by another key', () => idToken({}, otherKeys)],
    ['not a JWT', async () => 'invalid.jwt.token'],
    ['of another issuer', () => idToken({ iss: 'https://evil.example' })],
    ['not yet valid at its iat (nbf)', () => idToken({ nbf: START + 600 })],
    [
      'unsigned (alg none)',
      async () => {
        const [, payload] = (await idToken()).split('.')
        return `${btoa('{"alg":"none"}').replace(/=+$/, '')}.${payload}.`
      },
    ],
  ])('RP-Initiated Logout 1.0 2: an id_token_hint %s → 400 error page', async (_, make) => {
    const t = await loggedIn()
    const response = await t.logout({
      id_token_hint: await make(),
      post_logout_redirect_uri: BYE,
      state: 's',
    })
    expect(response.status).toBe(400)
    expect(response.headers.get('location')).toBeNull()
    expect(response.headers.get('content-type')).toMatch(/^text\/html/)
    expect(await response.text()).toContain('invalid_request')
    expect(await t.sessionCount()).toBe(1)
  })

  it.each([
    ['an unknown client_id', { client_id: 'nobody' }],
    ['a huge state', { state: 'x'.repeat(5000) }],
    ['a huge id_token_hint', { id_token_hint: 'a'.repeat(20_000) }],
    ['a huge post_logout_redirect_uri', { post_logout_redirect_uri: `${BYE}?${'x'.repeat(5000)}` }],
  ])('RP-Initiated Logout 1.0 2: %s → 400 JSON', async (_, params) => {
    const t = await setup()
    const response = await t.logout(params, 'GET', 'application/json')
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ error: 'invalid_request' })
  })

  it('RFC 6749 3.1: a parameter sent twice → 400', async () => {
    const t = await setup()
    const response = await t.send(t.browser(`${END}?state=a&state=b`, {}, 'application/json'))
    expect(response.status).toBe(400)
  })
})

describe('RP-Initiated Logout 1.0: CSRF on the confirmation', () => {
  it('RP-Initiated Logout 1.0 2: a confirmation from another browser (no cookie) is refused', async () => {
    const t = await loggedIn()
    const page = await t.logout({})
    const html = await page.clone().text()
    const id = /name="logout_id" value="([^"]+)"/.exec(html)![1]!
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)![1]!
    const session = t.jar().header()
    const response = await t.server.handle(
      new Request(END, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          // The session cookie but not the logout cookie, as on a cross-site POST.
          cookie: session
            .split('; ')
            .filter((c) => !c.startsWith(LOGOUT_COOKIE))
            .join('; '),
        },
        body: new URLSearchParams({ logout_id: id, xsrf }),
      }),
    )
    expect(response.status).toBe(400)
    expect(await t.sessionCount()).toBe(1)
  })

  it('RP-Initiated Logout 1.0 2: a wrong xsrf token is refused', async () => {
    const t = await loggedIn()
    const response = await t.confirm(await t.logout({}), { xsrf: 'guessed' })
    expect(response.status).toBe(400)
    expect(await t.sessionCount()).toBe(1)
  })

  it('RP-Initiated Logout 1.0 2: a confirmation works once', async () => {
    const t = await loggedIn()
    const page = await t.logout({})
    const copy = page.clone()
    const cookie = t.jar().header()
    expect((await t.confirm(page)).status).toBe(200)
    const html = await copy.text()
    const replay = await t.server.handle(
      new Request(END, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
        body: new URLSearchParams({
          logout_id: /name="logout_id" value="([^"]+)"/.exec(html)![1]!,
          xsrf: /name="xsrf" value="([^"]+)"/.exec(html)![1]!,
        }),
      }),
    )
    expect(replay.status).toBe(400)
  })

  it('RP-Initiated Logout 1.0 2: an authorization interaction id is not a logout id', async () => {
    const t = await setup()
    const location = await t.authorize()
    const id = location.pathname.split('/').pop()!
    const response = await t.logout({ logout_id: id, xsrf: 'x' }, 'POST', 'application/json')
    expect(response.status).toBe(400)
    expect(await t.storage.interactions.get(id)).toBeDefined()
  })
})

describe('RP-Initiated Logout 1.0: the integrator confirmation page (logoutApi)', () => {
  it('RP-Initiated Logout 1.0 2: logout.url receives the end-user; get and finish drive the logout', async () => {
    const t = await loggedIn({ url: (id) => `https://op.example/my-logout/${id}` })
    const redirect = await t.logout(
      await hinted(BYE, { state: 'k', logout_hint: 'alice@example.com', ui_locales: 'fr-FR en' }),
    )
    expect(redirect.status).toBe(303)
    const id = redirect.headers.get('location')!.split('/').pop()!
    const api = logoutApi(t.server.context, t.options)
    const details = await api.get(t.browser(`https://op.example/my-logout/${id}`), id)
    expect(details).toMatchObject({
      id,
      client: { client_id: 'app', client_name: '<The App>' },
      postLogoutRedirectUri: BYE,
      logoutHint: 'alice@example.com',
      uiLocales: 'fr-FR en',
      session: { accountId: 'alice' },
    })
    // Another browser cannot read or finish it.
    await expect(
      api.get(new Request(`https://op.example/my-logout/${id}`), id),
    ).rejects.toMatchObject({
      error: 'invalid_request',
    })
    const done = await api.finish(t.browser(`https://op.example/my-logout/${id}`), id, {
      confirmed: true,
    })
    t.jar().store(done)
    expect(done.headers.get('location')).toBe(`${BYE}?state=k`)
    expect(await t.sessionCount()).toBe(0)
  })

  it('RP-Initiated Logout 1.0 2: declining keeps the OP session and still returns to the RP', async () => {
    const t = await loggedIn({ url: (id) => `https://op.example/my-logout/${id}` })
    const redirect = await t.logout(await hinted(BYE))
    const id = redirect.headers.get('location')!.split('/').pop()!
    const api = logoutApi(t.server.context, t.options)
    const done = await api.finish(t.browser(`https://op.example/x`), id, { confirmed: false })
    t.jar().store(done)
    expect(done.headers.get('location')).toBe(BYE)
    expect(await t.sessionCount()).toBe(1)
    const again = await t.authorize({ prompt: 'none' })
    expect(again.searchParams.get('code')).toBeTypeOf('string')
  })
})
