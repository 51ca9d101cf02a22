// Test support for the tests of @oidkit/sqlite that need a database on disk. Never exported from
// the package entry and never imported by non-test source.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach } from 'vitest'

/** Where the current test may put its database. */
export interface TempDatabase {
  /** A fresh directory of the current test, removed after it. */
  readonly dir: string
  /** `oidkit.db` in {@link TempDatabase.dir}. */
  readonly file: string
}

/**
 * Registers hooks that give each test of the enclosing `describe` a fresh temporary directory
 * and remove it afterwards (after the hooks registered later, which close the stores).
 *
 * @example
 * ```ts
 * const temp = tempDatabase()
 * it('opens', () => SqliteStore.open(temp.file).close())
 * ```
 */
export function tempDatabase(): TempDatabase {
  const paths = { dir: '', file: '' }
  beforeEach(async () => {
    paths.dir = await mkdtemp(join(tmpdir(), 'oidkit-sqlite-'))
    paths.file = join(paths.dir, 'oidkit.db')
  })
  afterEach(() => rm(paths.dir, { recursive: true, force: true }))
  return paths
}
