import { KeySet } from '@oidkit/jose'
import { beforeAll, describe, expect, it } from 'vitest'
import type { AuthorizationServerConfig } from './config'
import { createContext } from './context'
import { createClient, withCredentials } from './create-client'
import { sha256 } from './crypto'
import { MemoryStore } from './memory-store'
import { stubGrant as grant, stubResponseType } from './test-support/test-server'

const NOW = 1_700_000_000
let keys: KeySet

beforeAll(async () => {
  keys = await KeySet.generate('RS256')
})

function setup(config: Partial<AuthorizationServerConfig> = {}) {
  const store = new MemoryStore()
  const server = createContext(
    { issuer: 'https://as.example', keys, storage: store, now: () => NOW, ...config },
    {
      endpoints: [],
      grantTypes: [grant('authorization_code'), grant('client_credentials')],
      responseTypes: [stubResponseType('code', 'authorization_code')],
      checks: [],
    },
  )
  return { server, store }
}

describe('createClient', () => {
  it('RFC 7591 3.2.1: seeds a confidential client with a fixed id and secret, stored hashed', async () => {
    const { server, store } = setup()
    const created = await createClient(
      server,
      { redirect_uris: ['https://app.example/cb'], client_name: 'Demo' },
      { clientId: 'demo', clientSecret: 'demo-secret' },
    )
    expect(created.clientSecret).toBe('demo-secret')
    expect(created.registrationAccessToken).toBe(undefined)
    const stored = (await store.clients.get('demo'))!
    expect(stored).toMatchObject({
      client_id: 'demo',
      client_name: 'Demo',
      client_id_issued_at: NOW,
      client_secret_expires_at: 0,
      client_secret_hash: await sha256('demo-secret'),
    })
    expect(stored).not.toHaveProperty('client_secret')
  })

  it('RFC 6749 2.1: a public client gets no secret even when one is passed', async () => {
    const { server, store } = setup()
    const created = await createClient(
      server,
      { redirect_uris: ['https://app.example/cb'], token_endpoint_auth_method: 'none' },
      { clientSecret: 'ignored' },
    )
    expect(created.clientSecret).toBe(undefined)
    expect(await store.clients.get(created.client.client_id)).not.toHaveProperty(
      'client_secret_hash',
    )
  })

  it('RFC 7592 3: optionally issues a registration access token, stored by hash', async () => {
    const { server, store } = setup()
    const created = await createClient(
      server,
      { grant_types: ['client_credentials'] },
      { registrationAccessToken: true },
    )
    expect(created.registrationAccessToken).toMatch(/^[\w-]{43}$/)
    expect(
      await store.registrationTokens.getClientId(await sha256(created.registrationAccessToken!)),
    ).toBe(created.client.client_id)
  })

  it('RFC 7591 3.2.2: invalid metadata is rejected and nothing is stored', async () => {
    const { server, store } = setup()
    await expect(
      createClient(server, { redirect_uris: ['https://app.example/cb#x'] }),
    ).rejects.toMatchObject({
      error: 'invalid_redirect_uri',
    })
    expect(store.size().clients).toBe(0)
  })

  it('RFC 7591 3.2.1: client_secret_expires_at follows registration.secretLifetime', async () => {
    const { server } = setup({ registration: { policy: { type: 'open' }, secretLifetime: 3600 } })
    const { client } = await createClient(server, { grant_types: ['client_credentials'] })
    expect(client.client_secret_expires_at).toBe(NOW + 3600)
  })
})

describe('withCredentials', () => {
  it('RFC 7523 2.2: moving to client_secret_jwt without a plain secret issues a new one', async () => {
    const { server } = setup()
    const first = await withCredentials(server, {
      token_endpoint_auth_method: 'client_secret_basic',
    })
    const kept = await withCredentials(
      server,
      { token_endpoint_auth_method: 'client_secret_post' },
      { previous: first.client },
    )
    expect(kept.clientSecret).toBe(undefined)
    expect(kept.client.client_secret_hash).toBe(first.client.client_secret_hash)
    const jwt = await withCredentials(
      server,
      { token_endpoint_auth_method: 'client_secret_jwt' },
      { previous: first.client },
    )
    expect(jwt.clientSecret).toBeTypeOf('string')
    expect(jwt.client.client_secret).toBe(jwt.clientSecret)
    expect(jwt.client.client_id).toBe(first.client.client_id)
  })
})
