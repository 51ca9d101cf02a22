import { copyFileSync, rmSync, statSync } from 'node:fs'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { startCheckpointer } from './checkpointer'
import { SqliteStore } from './sqlite-store'
import { tempDatabase } from './test-support/temp-database'

const now = () => Math.floor(Date.now() / 1000)

/** Writes `count` opaque access tokens, one commit each, as the token endpoint does. */
async function writeTokens(store: SqliteStore, count: number): Promise<void> {
  const t = now()
  for (let i = 0; i < count; i++) {
    await store.tokens.save({
      hash: `token-${i}`,
      type: 'access_token',
      grantId: 'g',
      clientId: 'c1',
      scopes: ['openid'],
      format: 'opaque',
      createdAt: t,
      expiresAt: t + 600,
    })
  }
}

/** Frames in the WAL file (its size only: reading it through SQLite could checkpoint it). */
function walFrames(file: string): number {
  const wal = statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0
  // The WAL header is 32 bytes, then per frame a 24-byte header and one 4096-byte page.
  return Math.max(0, (wal - 32) / (24 + 4096))
}

/**
 * Tokens in the database file itself, without its WAL: what checkpoints have copied back. Read
 * from a copy of the file alone; a copy taken mid-checkpoint may not open, which counts as none.
 */
function tokensInDatabaseFile(file: string): number {
  const copy = `${file}.copy`
  copyFileSync(file, copy)
  let db: Database.Database | undefined
  try {
    db = new Database(copy)
    return db.prepare('SELECT count(*) FROM tokens').pluck().get() as number
  } catch {
    return 0
  } finally {
    db?.close()
    for (const path of [copy, `${copy}-wal`, `${copy}-shm`]) rmSync(path, { force: true })
  }
}

describe('background WAL checkpoints', () => {
  const temp = tempDatabase()
  const stores: SqliteStore[] = []
  const open = (options: Parameters<typeof SqliteStore.open>[1] = {}) => {
    const store = SqliteStore.open(temp.file, { sweepInterval: 0, ...options })
    stores.push(store)
    return store
  }
  afterEach(() => {
    for (const store of stores.splice(0)) store.close()
  })

  it('copy committed pages into the database file while the writer stays below its threshold', async () => {
    const store = open()
    await writeTokens(store, 20)
    // About 100 frames: far below both SQLite's own threshold (1000) and the backstop.
    expect(walFrames(temp.file)).toBeGreaterThan(0)
    expect(walFrames(temp.file)).toBeLessThan(1000)
    // The rows reach the database file without any checkpoint on this thread.
    await vi.waitFor(() => expect(tokensInDatabaseFile(temp.file)).toBe(20), {
      timeout: 10_000,
      interval: 20,
    })
  })

  it("'inline' leaves them in the WAL until SQLite's own threshold (the pre-worker behaviour)", async () => {
    const store = open({ checkpoint: 'inline' })
    await writeTokens(store, 20)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(walFrames(temp.file)).toBeGreaterThan(0)
    expect(tokensInDatabaseFile(temp.file)).toBe(0)
    expect(await store.tokens.get('token-19')).toBeDefined()
  })

  it('a database written with background checkpoints reopens with every record', async () => {
    const store = open()
    await writeTokens(store, 300)
    store.close()
    const db = new Database(temp.file, { readonly: true })
    expect(db.prepare('SELECT count(*) FROM tokens').pluck().get()).toBe(300)
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
    db.close()
  })
})

describe('startCheckpointer', () => {
  const temp = tempDatabase()

  it('stop() closes the connection and ends the worker', async () => {
    SqliteStore.open(temp.file, { sweepInterval: 0, checkpoint: 'inline' }).close()
    const failure = vi.fn()
    const checkpointer = startCheckpointer(temp.file, failure)!
    checkpointer.stop()
    checkpointer.stop()
    await checkpointer.exited
    expect(failure).not.toHaveBeenCalled()
  })

  it('reports a worker that cannot load the driver, so the store checkpoints inline again', async () => {
    const failure = vi.fn()
    const checkpointer = startCheckpointer(temp.file, failure, '/nonexistent/better-sqlite3.js')!
    await checkpointer.exited
    expect(failure).toHaveBeenCalledOnce()
    expect(failure.mock.calls[0]?.[0]).toBeInstanceOf(Error)
  })

  it('reports a worker whose database file is missing (fileMustExist) instead of creating one', async () => {
    const failure = vi.fn()
    const checkpointer = startCheckpointer(`${temp.dir}/missing.db`, failure)!
    await checkpointer.exited
    expect(failure).toHaveBeenCalledOnce()
    expect(statSync(`${temp.dir}/missing.db`, { throwIfNoEntry: false })).toBeUndefined()
  })
})
