import { KeySet } from '@oidkit/jose'
import { beforeAll, describe, expect, it } from 'vitest'
import { authorizationEndpoint } from './authorization-endpoint'
import type { Client } from './client'
import type { AuthorizationServerConfig } from './config'
import { createContext } from './context'
import { OAuthError } from './errors'
import { implicitResponseType } from './implicit-grant'
import { MemoryStore } from './memory-store'
import type { AuthorizationCheck, ResponseTypeHandler } from './plugin'
import { toWebResponse } from './response'
import { createSession } from './session'

const ISSUER = 'https://op.example'
const CB = 'https://client.example/cb'

// A stand-in for the real `code` handler, so these tests only exercise the endpoint.
const codeHandler: ResponseTypeHandler = {
  responseType: 'code',
  grantType: 'authorization_code',
  defaultResponseMode: 'query',
  returnsTokens: false,
  validate(request) {
    if (request.params.code_challenge === 'bad') {
      throw new OAuthError('invalid_request', 'code_challenge is malformed')
    }
  },
  async respond({ grant }) {
    return { code: `code-for-${grant.id}` }
  },
}

let keys: KeySet
beforeAll(async () => {
  keys = await KeySet.generate('RS256')
})

async function setup(
  options: {
    config?: Partial<AuthorizationServerConfig>
    client?: Partial<Client>
    checks?: AuthorizationCheck[]
    loggedIn?: boolean
  } = {},
) {
  const storage = new MemoryStore()
  const server = createContext(
    { issuer: ISSUER, keys, storage, ...options.config },
    {
      endpoints: [authorizationEndpoint],
      grantTypes: [],
      responseTypes: [codeHandler, implicitResponseType],
      checks: options.checks ?? [],
    },
  )
  await storage.clients.save({
    client_id: 'app',
    redirect_uris: [CB],
    token_endpoint_auth_method: 'none',
    ...options.client,
  })
  let cookie = ''
  if (options.loggedIn !== false) {
    const login = await createSession(server, new Request(ISSUER), {
      accountId: 'alice',
      amr: ['pwd'],
    })
    cookie = login.cookie.split(';')[0]!
  }
  const authorize = (query: Record<string, string> | string, init: RequestInit = {}) => {
    const search = typeof query === 'string' ? query : new URLSearchParams(query).toString()
    const headers = new Headers(init.headers)
    if (cookie) headers.set('cookie', cookie)
    return Promise.resolve(
      authorizationEndpoint.handle(
        new Request(`${ISSUER}/authorize?${search}`, { ...init, headers }),
        server,
      ),
    ).then(toWebResponse)
  }
  return { server, storage, authorize }
}

const base = { client_id: 'app', response_type: 'code', redirect_uri: CB, state: 'xyz' }

function redirected(response: Response): URL {
  expect(response.status).toBe(303)
  return new URL(response.headers.get('location')!)
}

function fragmentOf(url: URL): URLSearchParams {
  return new URLSearchParams(url.hash.slice(1))
}

describe('authorization endpoint: errors before the redirect URI is trusted', () => {
  it('RFC 6749 4.1.2.1: a missing client_id is shown to the user, never redirected', async () => {
    const { authorize } = await setup()
    const response = await authorize({ response_type: 'code', redirect_uri: CB })
    expect(response.status).toBe(400)
    expect(response.headers.get('location')).toBeNull()
    expect(await response.json()).toMatchObject({ error: 'invalid_request' })
  })

  it('RFC 6749 4.1.2.1: an unknown client gets an escaped HTML page for browsers', async () => {
    const { authorize } = await setup()
    const response = await authorize(
      { ...base, client_id: '<b>evil</b>' },
      { headers: { accept: 'text/html,application/xhtml+xml' } },
    )
    expect(response.status).toBe(400)
    expect(response.headers.get('location')).toBeNull()
    expect(response.headers.get('content-type')).toBe('text/html;charset=utf-8')
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(response.headers.get('content-security-policy')).toBe(
      "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    )
    const html = await response.text()
    expect(html).toContain('invalid_client')
    expect(html).not.toContain('<b>evil')
  })

  it('RFC 9700 4.1 / RFC 6749 4.1.2.1: an unregistered redirect_uri on a valid request is never redirected to', async () => {
    const { authorize } = await setup()
    const response = await authorize({ ...base, redirect_uri: 'https://attacker.example/cb' })
    expect(response.status).toBe(400)
    expect(response.headers.get('location')).toBeNull()
    expect(await response.json()).toMatchObject({ error: 'invalid_request' })
  })

  it('RFC 9700 2.1: redirect URIs match exactly (no prefix or extra query)', async () => {
    const { authorize } = await setup()
    for (const uri of [`${CB}/more`, `${CB}?x=1`, 'https://client.example/CB']) {
      const response = await authorize({ ...base, redirect_uri: uri })
      expect(response.status).toBe(400)
      expect(response.headers.get('location')).toBeNull()
    }
  })

  it('RFC 6749 3.1.2.3: redirect_uri may be omitted only when exactly one is registered', async () => {
    const one = await setup()
    const { redirect_uri: _, ...withoutUri } = base
    const url = redirected(await one.authorize(withoutUri))
    expect(url.origin + url.pathname).toBe(CB)
    expect(url.searchParams.get('code')).toMatch(/^code-for-/)

    const two = await setup({ client: { redirect_uris: [CB, 'https://client.example/other'] } })
    const response = await two.authorize(withoutUri)
    expect(response.status).toBe(400)
    expect(response.headers.get('location')).toBeNull()
  })

  it('RFC 8252 7.3: the port of a loopback IP redirect URI may vary; localhost gets no such exception', async () => {
    const { authorize } = await setup({
      client: { redirect_uris: ['http://127.0.0.1/cb', 'http://localhost/cb'] },
    })
    const url = redirected(await authorize({ ...base, redirect_uri: 'http://127.0.0.1:51234/cb' }))
    expect(url.host).toBe('127.0.0.1:51234')
    expect(url.searchParams.get('code')).toMatch(/^code-for-/)
    const refused = await authorize({ ...base, redirect_uri: 'http://localhost:51234/cb' })
    expect(refused.status).toBe(400)
    expect(refused.headers.get('location')).toBeNull()
  })

  it('RFC 6749 3.1: a duplicated client_id is invalid_request shown to the user', async () => {
    const { authorize } = await setup()
    const response = await authorize(
      `client_id=app&client_id=app&response_type=code&redirect_uri=${encodeURIComponent(CB)}`,
    )
    expect(response.status).toBe(400)
    expect(response.headers.get('location')).toBeNull()
    expect(await response.json()).toMatchObject({ error: 'invalid_request' })
  })

  it('RFC 9110 15.5.6: methods other than GET and POST get 405 with Allow', async () => {
    const { authorize } = await setup()
    const response = await authorize(base, { method: 'PUT' })
    expect(response.status).toBe(405)
    expect(response.headers.get('allow')).toBe('GET, POST')
  })

  it('RFC 6749 4.1.2.1: the integrator may render these errors (interactions.renderError)', async () => {
    const { authorize } = await setup({
      config: {
        interactions: {
          renderError: (error) => new Response(`custom ${error.error}`, { status: error.status }),
        },
      },
    })
    const response = await authorize({ ...base, client_id: 'nobody' })
    expect(response.status).toBe(400)
    expect(await response.text()).toBe('custom invalid_client')
  })
})

describe('authorization endpoint: redirected errors', () => {
  const cases: Array<
    [string, Record<string, string>, string, Partial<Parameters<typeof setup>[0]>?]
  > = [
    ['RFC 6749 4.1.2.1: missing response_type', { response_type: '' }, 'invalid_request'],
    [
      'RFC 6749 4.1.2.1: unknown response_type',
      { response_type: 'magic' },
      'unsupported_response_type',
    ],
    [
      'RFC 6749 4.1.2.1: a client not registered for the response type',
      {},
      'unauthorized_client',
      { client: { response_types: ['token'], grant_types: ['implicit'] } },
    ],
    [
      'RFC 7591 2: a client not registered for the grant type',
      {},
      'unauthorized_client',
      { client: { grant_types: ['client_credentials'] } },
    ],
    [
      'RFC 6749 3.3: a scope the server does not know',
      { scope: 'admin' },
      'invalid_scope',
      { config: { scopes: ['profile'] } },
    ],
    [
      'RFC 6749 3.3: a scope the client may not request',
      { scope: 'profile email' },
      'invalid_scope',
      { client: { scope: 'profile' } },
    ],
    [
      'OAuth 2.0 Multiple Response Types 2.1: unknown response_mode (Authlib quirk 7)',
      { response_mode: 'jwt' },
      'invalid_request',
    ],
    [
      'RFC 6749 3.1: a duplicated parameter after client validation',
      { scope: 'a' },
      'invalid_request',
    ],
    [
      'RFC 6749 4.1.2.1: a response type handler refusing the request',
      { code_challenge: 'bad' },
      'invalid_request',
    ],
  ]
  for (const [name, extra, error, options] of cases) {
    it(`${name} → ${error}, redirected with state and iss (RFC 9207 2)`, async () => {
      const { authorize } = await setup(options)
      const params = new URLSearchParams({ ...base, ...extra })
      if (name.includes('duplicated')) params.append('scope', 'b')
      const url = redirected(await authorize(params.toString()))
      expect(url.origin + url.pathname).toBe(CB)
      expect(url.searchParams.get('error')).toBe(error)
      expect(url.searchParams.get('state')).toBe('xyz')
      expect(url.searchParams.get('iss')).toBe(ISSUER)
      expect(url.searchParams.get('code')).toBeNull()
    })
  }

  it('RFC 6749 4.1.2.1: unsupported_response_type has a clean description (Authlib quirk 10)', async () => {
    const { authorize } = await setup()
    const url = redirected(await authorize({ ...base, response_type: 'magic' }))
    expect(url.searchParams.get('error_description')).toBe('this response_type is not supported')
  })

  it('RFC 6749 4.2.2.1 / RFC 9207 2: errors of token responses go in the fragment with iss (Authlib quirk 17)', async () => {
    const { authorize } = await setup({
      config: { grantTypes: ['authorization_code', 'implicit'], scopes: ['profile'] },
      client: { response_types: ['token'], grant_types: ['implicit'] },
    })
    const url = redirected(await authorize({ ...base, response_type: 'token', scope: 'admin' }))
    expect(url.search).toBe('')
    const fragment = fragmentOf(url)
    expect(fragment.get('error')).toBe('invalid_scope')
    expect(fragment.get('state')).toBe('xyz')
    expect(fragment.get('iss')).toBe(ISSUER)
  })

  it('OAuth 2.0 Multiple Response Types 5: response_mode=query is refused for token responses', async () => {
    const { authorize } = await setup({
      config: { grantTypes: ['authorization_code', 'implicit'] },
      client: { response_types: ['token'], grant_types: ['implicit'] },
    })
    const url = redirected(
      await authorize({ ...base, response_type: 'token', response_mode: 'query' }),
    )
    // The error goes in the fragment: the default mode of the response type.
    expect(url.search).toBe('')
    expect(fragmentOf(url).get('error')).toBe('invalid_request')
    expect(fragmentOf(url).get('access_token')).toBeNull()
  })

  it('Form Post Response Mode 2: errors honour response_mode=form_post', async () => {
    const { authorize } = await setup({ config: { scopes: ['profile'] } })
    const response = await authorize({ ...base, scope: 'admin', response_mode: 'form_post' })
    expect(response.status).toBe(200)
    const html = await response.text()
    expect(html).toContain('name="error" value="invalid_scope"')
    expect(html).toContain('name="state" value="xyz"')
    expect(html).toContain(`name="iss" value="${ISSUER}"`)
  })

  it('OIDC Core 3.1.2.6: an error from an authorization check is redirected with state and iss', async () => {
    const { authorize } = await setup({ checks: [() => ({ error: 'login_required' })] })
    const url = redirected(await authorize(base))
    expect(url.searchParams.get('error')).toBe('login_required')
    expect(url.searchParams.get('state')).toBe('xyz')
    expect(url.searchParams.get('iss')).toBe(ISSUER)
  })
})

describe('authorization endpoint: success', () => {
  it('RFC 6749 4.1.2 / RFC 9207 2: GET returns the code with state and iss in the query', async () => {
    const { authorize, storage } = await setup()
    const url = redirected(await authorize({ ...base, scope: 'profile' }))
    expect(url.origin + url.pathname).toBe(CB)
    const code = url.searchParams.get('code')!
    expect(url.searchParams.get('state')).toBe('xyz')
    expect(url.searchParams.get('iss')).toBe(ISSUER)
    const grant = await storage.grants.get(code.replace('code-for-', ''))
    expect(grant).toMatchObject({
      clientId: 'app',
      accountId: 'alice',
      scopes: ['profile'],
      amr: ['pwd'],
    })
    expect(grant!.expiresAt - grant!.createdAt).toBe(14 * 24 * 3600)
    expect(grant!.sessionId).toBeTypeOf('string')
  })

  it('OIDC Core 3.1.2.1: a form-encoded POST works like GET (and ignores the query)', async () => {
    const { authorize } = await setup()
    const response = await authorize('client_id=other', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(base).toString(),
    })
    const url = redirected(response)
    expect(url.searchParams.get('code')).toMatch(/^code-for-/)
    expect(url.searchParams.get('state')).toBe('xyz')
  })

  it('OAuth 2.0 Multiple Response Types 2.1: response_mode=fragment moves the code to the fragment', async () => {
    const { authorize } = await setup()
    const url = redirected(await authorize({ ...base, response_mode: 'fragment' }))
    expect(url.search).toBe('')
    expect(fragmentOf(url).get('code')).toMatch(/^code-for-/)
    expect(fragmentOf(url).get('iss')).toBe(ISSUER)
  })

  it('Form Post Response Mode 2: response_mode=form_post posts the code to the redirect URI', async () => {
    const { authorize } = await setup()
    const response = await authorize({ ...base, state: '<&"state">', response_mode: 'form_post' })
    expect(response.status).toBe(200)
    const html = await response.text()
    expect(html).toContain(`action="${CB}"`)
    expect(html).toMatch(/name="code" value="code-for-[\w-]+"/)
    expect(html).toContain('name="state" value="&lt;&amp;&quot;state&quot;&gt;"')
  })

  it('OIDC Core 3.1.2.3: without a session the end-user is sent to the login interaction', async () => {
    const { authorize, storage } = await setup({ loggedIn: false })
    const response = await authorize(base)
    expect(response.status).toBe(303)
    const location = response.headers.get('location')!
    const id = location.slice(`${ISSUER}/interaction/`.length)
    expect(location).toBe(`${ISSUER}/interaction/${id}`)
    const record = await storage.interactions.get(id)
    expect(record).toMatchObject({ prompt: 'login', clientId: 'app', params: base })
    expect(record!.expiresAt - record!.createdAt).toBe(3600)
    const cookie = response.headers.get('set-cookie')!
    expect(cookie).toMatch(
      new RegExp(
        `^oidkit\\.interaction=${id}; Path=/; HttpOnly; SameSite=Lax; Secure; Max-Age=3600$`,
      ),
    )
  })

  it.each([
    ['login', 'login_required'],
    ['consent', 'consent_required'],
    ['select_account', 'account_selection_required'],
    ['mfa', 'interaction_required'],
  ])(
    'OIDC Core 3.1.2.1 / 3.1.2.6: with prompt=none a needed %s is %s, redirected',
    async (prompt, error) => {
      const { authorize, storage } = await setup({ checks: [() => ({ prompt })] })
      const url = redirected(await authorize({ ...base, prompt: 'none' }))
      expect(url.searchParams.get('error')).toBe(error)
      expect(url.searchParams.get('state')).toBe('xyz')
      expect(url.searchParams.get('iss')).toBe(ISSUER)
      // No page is shown, so nothing is left pending.
      expect(storage.size().interactions).toBe(0)
    },
  )

  it('OIDC Core 3.1.2.1: prompt=none without a session is login_required', async () => {
    const { authorize } = await setup({ loggedIn: false })
    const url = redirected(await authorize({ ...base, prompt: 'none' }))
    expect(url.searchParams.get('error')).toBe('login_required')
  })

  it('OIDC Core 3.1.2.4: a check prompt goes to the integrator URL (interactions.url)', async () => {
    const { authorize } = await setup({
      checks: [() => ({ prompt: 'consent', reason: 'test' })],
      config: { interactions: { url: (i) => `https://login.example/${i.prompt}/${i.id}` } },
    })
    const location = (await authorize(base)).headers.get('location')!
    expect(location).toMatch(/^https:\/\/login\.example\/consent\/[\w-]+$/)
  })
})
