import Database from 'better-sqlite3'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { SqliteStore } from './sqlite-store'
import { tempDatabase } from './test-support/temp-database'

const now = () => Math.floor(Date.now() / 1000)

async function seed(store: SqliteStore, label: string, expiresAt: number) {
  const t = now()
  const base = { clientId: 'c1', scopes: [], createdAt: t, expiresAt }
  await store.grants.save({ id: `g-${label}`, ...base })
  await store.codes.save({ hash: `c-${label}`, grantId: 'g', redirectUri: 'https://a/cb', ...base })
  await store.tokens.save({
    hash: `t-${label}`,
    type: 'access_token',
    grantId: 'g',
    format: 'opaque',
    ...base,
  })
  await store.jtis.use(`j-${label}`, expiresAt)
  await store.sessions.save({ id: `s-${label}`, accountId: 'alice', authTime: t, ...base })
  await store.interactions.save({ id: `i-${label}`, prompt: 'login', params: {}, ...base })
}

describe('SqliteStore sweeping', () => {
  const temp = tempDatabase()
  afterEach(() => {
    vi.useRealTimers()
    vi.restoreAllMocks()
  })

  const count = (table: string) => {
    const db = new Database(temp.file, { readonly: true })
    const n = db.prepare(`SELECT count(*) FROM ${table}`).pluck().get()
    db.close()
    return n
  }

  it('Storage sweep: deletes the expired rows of every expiring table and nothing else', async () => {
    const store = SqliteStore.open(temp.file, { sweepInterval: 0 })
    const t = now()
    await seed(store, 'dead', t - 1)
    await seed(store, 'edge', t)
    await seed(store, 'live', t + 600)
    await store.clients.save({ client_id: 'c1' })
    await store.consents.save({ accountId: 'alice', clientId: 'c1', scopes: [], updatedAt: 0 })
    await store.registrationTokens.save('rat', 'c1')
    await store.sweep(t)
    // expires_at <= now is expired, as in MemoryStore.
    for (const table of ['grants', 'codes', 'tokens', 'jtis', 'sessions', 'interactions'])
      expect(count(table), table).toBe(1)
    for (const table of ['clients', 'consents', 'registration_tokens'])
      expect(count(table), table).toBe(1)
    expect(await store.sessions.get('s-live')).toBeDefined()
    expect(await store.interactions.get('i-dead')).toBeUndefined()
    store.close()
  })

  it('Storage sweep: the timer sweeps every sweepInterval seconds, is unref’d and stops on close', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] })
    const setIntervalSpy = vi.spyOn(globalThis, 'setInterval')
    const timersBefore = vi.getTimerCount()
    const store = SqliteStore.open(temp.file, { sweepInterval: 60 })
    expect(setIntervalSpy).toHaveBeenCalledWith(expect.any(Function), 60_000)
    const timer = setIntervalSpy.mock.results[0]?.value as NodeJS.Timeout
    expect(timer.hasRef()).toBe(false)
    expect(vi.getTimerCount()).toBe(timersBefore + 1)

    await seed(store, 'soon', now() + 30)
    vi.advanceTimersByTime(59_000)
    expect(count('tokens')).toBe(1)
    vi.advanceTimersByTime(1_000)
    expect(count('tokens')).toBe(0)
    expect(count('grants')).toBe(0)

    store.close()
    expect(vi.getTimerCount()).toBe(timersBefore)
  })

  it('Storage sweep: sweepInterval 0 starts no timer', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    const timersBefore = vi.getTimerCount()
    const store = new SqliteStore({ filename: ':memory:', sweepInterval: 0 })
    expect(vi.getTimerCount()).toBe(timersBefore)
    store.close()
  })
})
