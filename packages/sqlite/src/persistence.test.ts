import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { migrate, migrations } from './schema'
import { SqliteStore } from './sqlite-store'
import { tempDatabase } from './test-support/temp-database'

const now = () => Math.floor(Date.now() / 1000)

describe('SqliteStore on a file', () => {
  const temp = tempDatabase()

  it('restart safety: records survive a restart and a code consumed before it stays replayed (RFC 6749 4.1.2)', async () => {
    const t = now()
    const client = {
      client_id: 'c1',
      client_secret_hash: 'h',
      redirect_uris: ['https://a.example/cb'],
    }
    const grant = {
      id: 'g1',
      clientId: 'c1',
      accountId: 'alice',
      scopes: ['openid', 'offline_access'],
      createdAt: t,
      expiresAt: t + 3600,
    }
    const refresh = {
      hash: 'rt',
      type: 'refresh_token' as const,
      grantId: 'g1',
      clientId: 'c1',
      accountId: 'alice',
      scopes: ['openid', 'offline_access'],
      format: 'opaque' as const,
      createdAt: t,
      expiresAt: t + 86_400,
    }
    const code = {
      hash: 'code',
      grantId: 'g1',
      clientId: 'c1',
      redirectUri: 'https://a.example/cb',
      scopes: ['openid'],
      createdAt: t,
      expiresAt: t + 60,
    }

    const before = SqliteStore.open(temp.file)
    await before.clients.save(client)
    await before.grants.save(grant)
    await before.tokens.save(refresh)
    await before.codes.save(code)
    expect((await before.codes.consume('code', t)).status).toBe('consumed')
    before.close()

    const after = SqliteStore.open(temp.file)
    expect(await after.clients.get('c1')).toStrictEqual(client)
    expect(await after.grants.get('g1')).toStrictEqual(grant)
    expect(await after.tokens.get('rt')).toStrictEqual(refresh)
    expect(await after.codes.consume('code', t + 1)).toStrictEqual({
      status: 'replayed',
      record: { ...code, consumedAt: t },
    })
    // RFC 9700 4.14.2: rotation state survives too.
    expect((await after.tokens.consume('rt', t + 2)).status).toBe('consumed')
    after.close()
  })

  it('migrations: a reopen applies nothing new, keeps user_version and loses no data', async () => {
    const first = SqliteStore.open(temp.file)
    await first.consents.save({
      accountId: 'alice',
      clientId: 'c1',
      scopes: ['openid'],
      updatedAt: 1,
    })
    first.close()
    const second = SqliteStore.open(temp.file)
    second.close()

    const db = new Database(temp.file)
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length)
    expect(migrate(db)).toBe(0)
    expect(db.prepare('SELECT count(*) AS n FROM consents').get()).toEqual({ n: 1 })
    db.close()
  })

  it('migrations: a database of the first schema is brought up to date (RFC 7592 2.3 grants by client)', () => {
    const db = new Database(temp.file)
    expect(migrate(db, migrations.slice(0, 1))).toBe(1)
    expect(migrate(db)).toBe(migrations.length - 1)
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length)
    const plan = db
      .prepare('EXPLAIN QUERY PLAN UPDATE grants SET revoked_at = 1 WHERE client_id = ?')
      .all('c1') as Array<{ detail: string }>
    expect(plan.map((step) => step.detail).join('\n')).toContain('grants_client_id')
    db.close()
  })

  it('migrations: each runs in a transaction, so a failing one leaves the previous version intact', () => {
    const db = new Database(temp.file)
    const list = [
      { name: 'first', sql: 'CREATE TABLE a (x INTEGER)' },
      { name: 'broken', sql: 'CREATE TABLE b (x INTEGER); INSERT INTO nowhere VALUES (1)' },
    ]
    expect(() => migrate(db, list)).toThrow(/migration 2 \(broken\) failed/)
    expect(db.pragma('user_version', { simple: true })).toBe(1)
    const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all()
    expect(tables).toEqual(['a'])
    db.close()
  })

  it('migrations: a database from a newer version of the package is refused, not altered', () => {
    const db = new Database(temp.file)
    db.pragma(`user_version = ${migrations.length + 1}`)
    db.close()
    expect(() => SqliteStore.open(temp.file)).toThrow(/newer than this version/)
  })

  it('WAL: the file is in write-ahead-log mode after open', () => {
    const store = SqliteStore.open(temp.file)
    const other = new Database(temp.file, { readonly: true })
    expect(other.pragma('journal_mode', { simple: true })).toBe('wal')
    other.close()
    store.close()
  })

  it('backup: an online backup opens as a store holding the same records', async () => {
    const store = SqliteStore.open(temp.file)
    await store.registrationTokens.save('rat', 'c1')
    const copy = join(temp.dir, 'backup.db')
    await store.backup(copy)
    await store.registrationTokens.save('after-backup', 'c1')
    store.close()

    const restored = SqliteStore.open(copy)
    expect(await restored.registrationTokens.getClientId('rat')).toBe('c1')
    expect(await restored.registrationTokens.getClientId('after-backup')).toBeUndefined()
    restored.close()
  })
})
