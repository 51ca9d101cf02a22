import { KeySet } from '@oidkit/jose'
import { beforeAll, describe, expect, it } from 'vitest'
import type { AuthorizationServerConfig } from './config'
import { sha256 } from './crypto'
import { MemoryStore } from './memory-store'
import { createAuthorizationServer } from './server'
import { createSession } from './session'

const ISSUER = 'https://op.example'
const CB = 'https://client.example/implicit'

let keys: KeySet
beforeAll(async () => {
  keys = await KeySet.generate('RS256')
})

async function setup(config: Partial<AuthorizationServerConfig> = {}) {
  const storage = new MemoryStore()
  const issued: string[] = []
  const server = createAuthorizationServer({
    issuer: ISSUER,
    keys,
    storage,
    interactions: { skipConsent: () => true },
    events: { tokenIssued: ({ grantType }) => void issued.push(grantType) },
    ...config,
  })
  await storage.clients.save({
    client_id: 'spa',
    redirect_uris: [CB],
    token_endpoint_auth_method: 'none',
    response_types: ['token'],
    grant_types: ['implicit'],
    scope: 'profile email',
  })
  const { cookie } = await createSession(server.context, new Request(ISSUER), {
    accountId: 'alice',
  })
  const authorize = (params: Record<string, string>) =>
    server.authorization(
      new Request(
        `${ISSUER}/authorize?${new URLSearchParams({ client_id: 'spa', redirect_uri: CB, ...params })}`,
        {
          headers: { cookie: cookie.split(';')[0]! },
        },
      ),
    )
  return { storage, authorize, issued }
}

describe('implicit grant', () => {
  it('RFC 9700 2.1.2: the implicit grant is off by default (unsupported_response_type)', async () => {
    const { authorize } = await setup()
    const response = await authorize({ response_type: 'token', state: 's' })
    const url = new URL(response.headers.get('location')!)
    const fragment = new URLSearchParams(url.hash.slice(1))
    expect(fragment.get('error')).toBe('unsupported_response_type')
    expect(fragment.get('state')).toBe('s')
    expect(fragment.get('access_token')).toBeNull()
  })

  it('RFC 6749 4.2.2: when enabled, the access token goes in the fragment, never with a refresh token', async () => {
    const { authorize, storage, issued } = await setup({
      grantTypes: ['authorization_code', 'implicit', 'refresh_token'],
    })
    const response = await authorize({ response_type: 'token', state: 'bar', scope: 'profile' })
    expect(response.status).toBe(303)
    const url = new URL(response.headers.get('location')!)
    expect(url.origin + url.pathname).toBe(CB)
    expect(url.search).toBe('')
    const fragment = new URLSearchParams(url.hash.slice(1))
    expect(fragment.get('token_type')).toBe('Bearer')
    expect(fragment.get('expires_in')).toBe('3600')
    expect(fragment.get('scope')).toBe('profile')
    expect(fragment.get('state')).toBe('bar')
    expect(fragment.get('iss')).toBe(ISSUER)
    expect(fragment.has('refresh_token')).toBe(false)
    const record = await storage.tokens.get(await sha256(fragment.get('access_token')!))
    expect(record).toMatchObject({
      type: 'access_token',
      clientId: 'spa',
      accountId: 'alice',
      scopes: ['profile'],
    })
    expect(issued).toEqual(['implicit'])
  })

  it('RFC 6749 3.3: without a scope parameter the client default scope is granted', async () => {
    const { authorize } = await setup({ grantTypes: ['implicit'] })
    const url = new URL((await authorize({ response_type: 'token' })).headers.get('location')!)
    expect(new URLSearchParams(url.hash.slice(1)).get('scope')).toBe('profile email')
  })

  it('Form Post Response Mode 2: the token may be posted instead of put in the fragment', async () => {
    const { authorize } = await setup({ grantTypes: ['implicit'] })
    const response = await authorize({ response_type: 'token', response_mode: 'form_post' })
    expect(response.status).toBe(200)
    expect(await response.text()).toMatch(/name="access_token" value="[\w-]+"/)
  })
})
