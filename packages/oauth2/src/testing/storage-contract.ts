import { describe, expect, it } from 'vitest'
import type { Client } from '../client'
import type { AuthorizationCodeRecord, GrantRecord, Storage, TokenRecord } from '../storage'

const now = () => Math.floor(Date.now() / 1000)

function grant(id: string, overrides: Partial<GrantRecord> = {}): GrantRecord {
  return {
    id,
    clientId: 'client-1',
    accountId: 'alice',
    scopes: ['openid', 'profile'],
    authTime: now(),
    amr: ['pwd'],
    createdAt: now(),
    expiresAt: now() + 3600,
    ...overrides,
  }
}

function code(hash: string, grantId: string, overrides: Partial<AuthorizationCodeRecord> = {}) {
  return {
    hash,
    grantId,
    clientId: 'client-1',
    redirectUri: 'https://client.example/cb',
    redirectUriProvided: true,
    scopes: ['openid'],
    codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    codeChallengeMethod: 'S256' as const,
    nonce: 'n-0S6_WzA2Mj',
    createdAt: now(),
    expiresAt: now() + 60,
    ...overrides,
  } satisfies AuthorizationCodeRecord
}

function token(hash: string, grantId: string, overrides: Partial<TokenRecord> = {}): TokenRecord {
  return {
    hash,
    type: 'access_token',
    grantId,
    clientId: 'client-1',
    accountId: 'alice',
    scopes: ['openid'],
    format: 'opaque',
    createdAt: now(),
    expiresAt: now() + 3600,
    ...overrides,
  }
}

/**
 * The contract every {@link Storage} implementation must pass. Call it from a vitest test file
 * with a factory that returns a fresh, empty store.
 *
 * @example
 * ```ts
 * import { runStorageContract } from '@oidkit/oauth2/testing'
 * runStorageContract('SqliteStore', async () => new SqliteStore(':memory:'))
 * ```
 */
export function runStorageContract(name: string, createStore: () => Promise<Storage> | Storage) {
  describe(`${name} storage contract`, () => {
    it('clients: saves, reads back and deletes a client with all its metadata', async () => {
      const store = await createStore()
      const client: Client = {
        client_id: 'c1',
        client_secret_hash: 'hash',
        redirect_uris: ['https://a.example/cb', 'https://b.example/cb'],
        grant_types: ['authorization_code', 'refresh_token'],
        'client_name#ja': '日本語',
        jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }] },
      }
      await store.clients.save(client)
      expect(await store.clients.get('c1')).toEqual(client)
      await store.clients.save({ ...client, client_name: 'renamed' })
      expect((await store.clients.get('c1'))?.client_name).toBe('renamed')
      await store.clients.delete('c1')
      expect(await store.clients.get('c1')).toBeUndefined()
    })

    it('RFC 6749 4.1.2: an authorization code is consumed exactly once, then reported replayed', async () => {
      const store = await createStore()
      await store.grants.save(grant('g1'))
      const record = code('code-hash', 'g1')
      await store.codes.save(record)
      const first = await store.codes.consume('code-hash', now())
      expect(first.status).toBe('consumed')
      if (first.status === 'consumed') expect(first.record).toMatchObject({ ...record })
      const second = await store.codes.consume('code-hash', now())
      expect(second.status).toBe('replayed')
      expect((await store.codes.consume('missing', now())).status).toBe('not_found')
    })

    it('RFC 6749 10.5: of 20 concurrent consumptions of one code exactly one wins', async () => {
      const store = await createStore()
      await store.grants.save(grant('g2'))
      await store.codes.save(code('race', 'g2'))
      const results = await Promise.all(
        Array.from({ length: 20 }, () => store.codes.consume('race', now())),
      )
      expect(results.filter((r) => r.status === 'consumed')).toHaveLength(1)
      expect(results.filter((r) => r.status === 'replayed')).toHaveLength(19)
    })

    it('RFC 9700 4.14.2: a refresh token is consumed once on rotation, concurrently too', async () => {
      const store = await createStore()
      await store.grants.save(grant('g3'))
      await store.tokens.save(token('rt', 'g3', { type: 'refresh_token' }))
      const results = await Promise.all(
        Array.from({ length: 10 }, () => store.tokens.consume('rt', now())),
      )
      expect(results.filter((r) => r.status === 'consumed')).toHaveLength(1)
      expect((await store.tokens.get('rt'))?.consumedAt).toBeTypeOf('number')
    })

    it('tokens: saves, reads and revokes one token without touching others', async () => {
      const store = await createStore()
      await store.grants.save(grant('g4'))
      await store.tokens.save(token('a1', 'g4'))
      await store.tokens.save(token('a2', 'g4'))
      expect(await store.tokens.get('a1')).toMatchObject({ hash: 'a1', grantId: 'g4' })
      await store.tokens.revoke('a1', now())
      expect((await store.tokens.get('a1'))?.revokedAt).toBeTypeOf('number')
      expect((await store.tokens.get('a2'))?.revokedAt).toBeUndefined()
      expect(await store.tokens.get('nope')).toBeUndefined()
    })

    it('RFC 7009 2.1: revoking a grant revokes its tokens and burns its codes', async () => {
      const store = await createStore()
      await store.grants.save(grant('g5'))
      await store.grants.save(grant('other'))
      await store.tokens.save(token('t1', 'g5'))
      await store.tokens.save(token('t2', 'g5', { type: 'refresh_token' }))
      await store.tokens.save(token('t3', 'other'))
      await store.codes.save(code('c5', 'g5'))
      await store.grants.revoke('g5', now())
      expect((await store.grants.get('g5'))?.revokedAt).toBeTypeOf('number')
      expect((await store.tokens.get('t1'))?.revokedAt).toBeTypeOf('number')
      expect((await store.tokens.get('t2'))?.revokedAt).toBeTypeOf('number')
      expect((await store.tokens.get('t3'))?.revokedAt).toBeUndefined()
      expect((await store.codes.consume('c5', now())).status).not.toBe('consumed')
      expect((await store.grants.get('other'))?.revokedAt).toBeUndefined()
    })

    it("RFC 7592 2.3: revoking a client's grants revokes their tokens and codes, no other client's", async () => {
      const store = await createStore()
      const first = now() - 60
      await store.grants.save(grant('mine-1'))
      await store.grants.save(grant('mine-2', { revokedAt: first }))
      await store.grants.save(grant('theirs', { clientId: 'client-2' }))
      await store.tokens.save(token('m1', 'mine-1'))
      await store.tokens.save(token('m2', 'mine-2', { type: 'refresh_token' }))
      await store.tokens.save(token('o1', 'theirs', { clientId: 'client-2' }))
      await store.codes.save(code('mc', 'mine-1'))
      await store.codes.save(code('oc', 'theirs', { clientId: 'client-2' }))
      await store.grants.revokeForClient('client-1', now())
      expect((await store.grants.get('mine-1'))?.revokedAt).toBeTypeOf('number')
      // A grant revoked before keeps the time it was first revoked.
      expect((await store.grants.get('mine-2'))?.revokedAt).toBe(first)
      expect((await store.tokens.get('m1'))?.revokedAt).toBeTypeOf('number')
      expect((await store.tokens.get('m2'))?.revokedAt).toBeTypeOf('number')
      expect((await store.codes.consume('mc', now())).status).not.toBe('consumed')
      expect((await store.grants.get('theirs'))?.revokedAt).toBeUndefined()
      expect((await store.tokens.get('o1'))?.revokedAt).toBeUndefined()
      expect((await store.codes.consume('oc', now())).status).toBe('consumed')
      await store.grants.revokeForClient('nobody', now())
    })

    it('RFC 7523 3: a JWT id is accepted once until it expires', async () => {
      const store = await createStore()
      expect(await store.jtis.use('client-1:jti-1', now() + 60)).toBe(true)
      expect(await store.jtis.use('client-1:jti-1', now() + 60)).toBe(false)
      expect(await store.jtis.use('client-2:jti-1', now() + 60)).toBe(true)
      expect(await store.jtis.use('client-1:old', now() - 10)).toBe(true)
      expect(await store.jtis.use('client-1:old', now() + 60)).toBe(true)
    })

    it('sessions, interactions, consents and registration tokens round-trip', async () => {
      const store = await createStore()
      const session = {
        id: 's1',
        accountId: 'alice',
        authTime: now(),
        amr: ['pwd'],
        createdAt: now(),
        expiresAt: now() + 600,
      }
      await store.sessions.save(session)
      expect(await store.sessions.get('s1')).toEqual(session)
      await store.sessions.delete('s1')
      expect(await store.sessions.get('s1')).toBeUndefined()

      const interaction = {
        id: 'i1',
        prompt: 'login',
        params: { client_id: 'client-1', scope: 'openid' },
        clientId: 'client-1',
        result: { login: { accountId: 'alice', at: now() } },
        createdAt: now(),
        expiresAt: now() + 600,
      }
      await store.interactions.save(interaction)
      expect(await store.interactions.get('i1')).toEqual(interaction)
      await store.interactions.delete('i1')
      expect(await store.interactions.get('i1')).toBeUndefined()

      const consent = {
        accountId: 'alice',
        clientId: 'client-1',
        scopes: ['openid', 'email'],
        updatedAt: now(),
      }
      await store.consents.save(consent)
      expect(await store.consents.get('alice', 'client-1')).toEqual(consent)
      expect(await store.consents.get('alice', 'client-2')).toBeUndefined()
      await store.consents.delete('alice', 'client-1')
      expect(await store.consents.get('alice', 'client-1')).toBeUndefined()

      await store.registrationTokens.save('rat-hash', 'client-1')
      expect(await store.registrationTokens.getClientId('rat-hash')).toBe('client-1')
      await store.registrationTokens.deleteForClient('client-1')
      expect(await store.registrationTokens.getClientId('rat-hash')).toBeUndefined()
    })

    it('sweep: removes expired records and keeps live ones', async () => {
      const store = await createStore()
      if (!store.sweep) return expect(store.sweep).toBeUndefined()
      const t = now()
      await store.grants.save(grant('live'))
      await store.grants.save(grant('dead', { expiresAt: t - 1 }))
      await store.tokens.save(token('live-t', 'live'))
      await store.tokens.save(token('dead-t', 'live', { expiresAt: t - 1 }))
      await store.codes.save(code('dead-c', 'live', { expiresAt: t - 1 }))
      await store.sweep(t)
      expect(await store.tokens.get('live-t')).toBeDefined()
      expect(await store.tokens.get('dead-t')).toBeUndefined()
      expect(await store.grants.get('dead')).toBeUndefined()
      expect(await store.grants.get('live')).toBeDefined()
      expect((await store.codes.consume('dead-c', t)).status).toBe('not_found')
    })
  })
}
