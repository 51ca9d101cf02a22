import { describe, expect, it } from 'vitest'
import { MemoryStore } from './memory-store'
import type { AuthorizationCodeRecord, InteractionRecord, TokenRecord } from './storage'
import { runStorageContract } from './testing/storage-contract'

runStorageContract('MemoryStore', () => new MemoryStore())

describe('MemoryStore', () => {
  it('keeps memory bounded: 200,000 expired tokens are swept away', async () => {
    const store = new MemoryStore()
    const t = Math.floor(Date.now() / 1000)
    for (let i = 0; i < 200_000; i++) {
      await store.tokens.save({
        hash: `h${i}`,
        type: 'access_token',
        grantId: `g${i % 1000}`,
        clientId: 'c',
        scopes: [],
        format: 'opaque',
        createdAt: t - 10,
        expiresAt: t - 1,
      })
    }
    expect(store.size().tokens).toBe(200_000)
    await store.sweep(t)
    expect(store.size().tokens).toBe(0)
    expect(store.size().grantIndex).toBe(0)
  })

  it('sweeps lazily while writing: every 256th write sweeps once the interval has passed', async () => {
    const store = new MemoryStore({ sweepInterval: 0 })
    const t = Math.floor(Date.now() / 1000)
    for (let i = 0; i < 255; i++) await store.tokens.save(token(`h${i}`, 'g', t - 1))
    expect(store.size().tokens).toBe(255)
    // A record that never expires is a write all the same.
    await store.tokens.save(token('forever', 'g', Number.POSITIVE_INFINITY))
    expect(store.size().tokens).toBe(1)
  })

  it('a record saved again with a later expiry outlives its first expiry', async () => {
    const store = new MemoryStore()
    const t = 1_000_000
    await store.sessions.save({
      id: 's',
      accountId: 'a',
      authTime: t,
      createdAt: t,
      expiresAt: t + 10,
    })
    await store.sessions.save({
      id: 's',
      accountId: 'a',
      authTime: t,
      createdAt: t,
      expiresAt: t + 100,
    })
    await store.sweep(t + 10)
    expect(await store.sessions.get('s')).toBeDefined()
    await store.sweep(t + 100)
    expect(await store.sessions.get('s')).toBeUndefined()
  })

  it('a record saved again with an earlier expiry is swept at the earlier one', async () => {
    const store = new MemoryStore()
    const t = 1_000_000
    await store.tokens.save(token('h', 'g', t + 100))
    await store.tokens.save(token('h', 'g', t + 10))
    await store.sweep(t + 10)
    expect(await store.tokens.get('h')).toBeUndefined()
  })

  it('a record deleted before it expires is not resurrected or disturbed by the sweep', async () => {
    const store = new MemoryStore()
    const t = 1_000_000
    await store.interactions.save(interaction('i', t + 10))
    await store.interactions.delete('i')
    await store.interactions.save(interaction('i', t + 50))
    await store.sweep(t + 10)
    expect((await store.interactions.get('i'))?.expiresAt).toBe(t + 50)
  })

  it('fractional expiries are swept once the second they fall in has passed', async () => {
    const store = new MemoryStore()
    const t = 1_000_000
    await store.tokens.save(token('h', 'g', t + 0.5))
    await store.sweep(t)
    expect(await store.tokens.get('h')).toBeDefined()
    await store.sweep(t + 1)
    expect(await store.tokens.get('h')).toBeUndefined()
  })

  it('RFC 7523 3 (jti): a key recorded again after it expired is kept until its new expiry', async () => {
    const store = new MemoryStore()
    const t = Math.floor(Date.now() / 1000)
    expect(await store.jtis.use('k', t - 5)).toBe(true)
    expect(await store.jtis.use('k', t + 600)).toBe(true)
    await store.sweep(t)
    expect(await store.jtis.use('k', t + 600)).toBe(false)
    expect(store.size().jtis).toBe(1)
  })

  it('drops the grant index entries of swept codes and tokens, and keeps those still live', async () => {
    const store = new MemoryStore()
    const t = 1_000_000
    await store.codes.save(code('c1', 'g1', t + 10))
    await store.tokens.save(token('t1', 'g1', t + 10))
    await store.tokens.save(token('t2', 'g2', t + 10))
    await store.tokens.save(token('t3', 'g2', t + 3600))
    expect(store.size().grantIndex).toBe(2)
    await store.sweep(t + 10)
    expect(store.size()).toMatchObject({ codes: 0, tokens: 1, grantIndex: 1 })
    // Revoking the grant still reaches the live token through the index (RFC 7009 2.1).
    await store.grants.revoke('g2', t + 20)
    expect((await store.tokens.get('t3'))?.revokedAt).toBe(t + 20)
  })

  it('sweeps exactly the records due, whatever order their expiries were saved in', async () => {
    const store = new MemoryStore({ sweepInterval: 1e9 })
    const t = 1_000_000
    // 2,000 tokens over 1,000 distinct seconds, saved in a scrambled order.
    const expiry = (i: number) => t + ((i * 7919) % 1000)
    for (let i = 0; i < 2000; i++) await store.tokens.save(token(`h${i}`, `g${i % 10}`, expiry(i)))
    for (const now of [t - 1, t, t + 1, t + 250, t + 251, t + 600, t + 999, t + 1000]) {
      await store.sweep(now)
      for (let i = 0; i < 2000; i++) {
        expect((await store.tokens.get(`h${i}`)) === undefined).toBe(expiry(i) <= now)
      }
    }
    expect(store.size()).toMatchObject({ tokens: 0, grantIndex: 0 })
  })

  it('never sweeps a record without a finite expiry', async () => {
    const store = new MemoryStore()
    await store.tokens.save(token('h', 'g', Number.POSITIVE_INFINITY))
    await store.sweep(Number.MAX_SAFE_INTEGER)
    expect(await store.tokens.get('h')).toBeDefined()
  })
})

function token(hash: string, grantId: string, expiresAt: number): TokenRecord {
  return {
    hash,
    type: 'access_token',
    grantId,
    clientId: 'c',
    scopes: [],
    format: 'opaque',
    createdAt: expiresAt - 3600,
    expiresAt,
  }
}

function interaction(id: string, expiresAt: number): InteractionRecord {
  return { id, prompt: 'login', params: {}, clientId: 'c', createdAt: expiresAt - 600, expiresAt }
}

function code(hash: string, grantId: string, expiresAt: number): AuthorizationCodeRecord {
  return {
    hash,
    grantId,
    clientId: 'c',
    redirectUri: 'https://rp.example/cb',
    scopes: [],
    createdAt: expiresAt - 60,
    expiresAt,
  }
}
