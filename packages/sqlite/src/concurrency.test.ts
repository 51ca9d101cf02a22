import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SqliteStore } from './sqlite-store'
import { tempDatabase } from './test-support/temp-database'

const now = () => Math.floor(Date.now() / 1000)

/** An opaque token of grant `g` for client `c1`, valid for 10 minutes from `t`. */
const opaqueToken = (hash: string, type: 'access_token' | 'refresh_token', t: number) => ({
  hash,
  type,
  grantId: 'g',
  clientId: 'c1',
  scopes: [],
  format: 'opaque' as const,
  createdAt: t,
  expiresAt: t + 600,
})

// Two stores on one file are two SQLite connections, as two server processes would have.
describe('SqliteStore: two connections on one file', () => {
  const temp = tempDatabase()
  let a: SqliteStore
  let b: SqliteStore
  beforeEach(async () => {
    a = SqliteStore.open(temp.file)
    b = SqliteStore.open(temp.file)
    await a.grants.save({
      id: 'g',
      clientId: 'c1',
      scopes: [],
      createdAt: now(),
      expiresAt: now() + 600,
    })
  })
  afterEach(() => {
    a.close()
    b.close()
  })

  const interleaved = <T>(count: number, call: (store: SqliteStore, i: number) => Promise<T>) =>
    Promise.all(Array.from({ length: count }, (_, i) => call(i % 2 === 0 ? a : b, i)))

  it('RFC 6749 10.5: of 20 interleaved consumptions of one code over both, exactly one wins', async () => {
    const t = now()
    await a.codes.save({
      hash: 'race',
      grantId: 'g',
      clientId: 'c1',
      redirectUri: 'https://a.example/cb',
      scopes: [],
      createdAt: t,
      expiresAt: t + 60,
    })
    const results = await interleaved(20, (store, i) => store.codes.consume('race', t + i))
    const winners = results.filter((r) => r.status === 'consumed')
    expect(winners).toHaveLength(1)
    expect(results.filter((r) => r.status === 'replayed')).toHaveLength(19)
    // Every loser sees the winner's write, whichever connection it came through.
    const consumedAt = winners[0]?.status === 'consumed' ? winners[0].record.consumedAt : undefined
    for (const r of results)
      if (r.status === 'replayed') expect(r.record.consumedAt).toBe(consumedAt)
  })

  it('RFC 9700 4.14.2: a refresh token rotates exactly once across both connections', async () => {
    const t = now()
    await b.tokens.save(opaqueToken('rt', 'refresh_token', t))
    const results = await interleaved(20, (store) => store.tokens.consume('rt', t))
    expect(results.filter((r) => r.status === 'consumed')).toHaveLength(1)
  })

  it('RFC 7523 3: a client assertion jti is accepted by exactly one connection', async () => {
    const results = await interleaved(20, (store) => store.jtis.use('c1:jti', now() + 60))
    expect(results.filter(Boolean)).toHaveLength(1)
  })

  it('RFC 7009 2.1: a grant revoked through one connection is revoked for the other', async () => {
    const t = now()
    await a.tokens.save(opaqueToken('at', 'access_token', t))
    await b.grants.revoke('g', t)
    expect((await a.tokens.get('at'))?.revokedAt).toBe(t)
    expect((await a.grants.get('g'))?.revokedAt).toBe(t)
  })
})
