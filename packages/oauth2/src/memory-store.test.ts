import { describe, expect, it } from 'vitest'
import { MemoryStore } from './memory-store'
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
  })
})
