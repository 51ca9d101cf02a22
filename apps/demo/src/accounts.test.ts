import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { AccountStore, demoAccounts, hashPassword, verifyPassword } from './accounts'

// scrypt (N=2^17) and key generation are slow by design; parallel test files share the CPU.
const SLOW = 60_000

describe('accounts', { timeout: SLOW }, () => {
  it('OWASP Password Storage: scrypt hashes are salted, carry N/r/p and verify in constant time', async () => {
    const first = await hashPassword('wonderland')
    const second = await hashPassword('wonderland')
    expect(first).toMatch(/^scrypt\$131072\$8\$1\$[\w-]{22}\$[\w-]{43}$/)
    expect(first).not.toBe(second)
    expect(await verifyPassword('wonderland', first)).toBe(true)
    expect(await verifyPassword('Wonderland', first)).toBe(false)
    expect(await verifyPassword('wonderland', 'plain$wonderland')).toBe(false)
    expect(await verifyPassword('wonderland', 'scrypt$0$8$1$AAAA$AAAA')).toBe(false)
  })

  it('OIDC Core 5.1: seeding is idempotent and keeps the standard claims; usernames ignore case', async () => {
    const filename = join(mkdtempSync(join(tmpdir(), 'oidkit-accounts-')), 'db.sqlite')
    const store = new AccountStore(filename)
    try {
      await store.seed(demoAccounts(1_700_000_000))
      const alice = store.findByUsername('ALICE')!
      await store.seed(demoAccounts(1_800_000_000))
      expect(store.findByUsername('alice')!.id).toBe(alice.id)
      expect(alice.claims).toMatchObject({
        email: 'alice@example.com',
        email_verified: true,
        updated_at: 1_700_000_000,
        phone_number_verified: true,
      })
      expect(Object.keys(alice.claims.address as object).sort()).toEqual([
        'country',
        'formatted',
        'locality',
        'postal_code',
        'region',
        'street_address',
      ])
      expect((await store.authenticate('alice', 'wonderland'))?.id).toBe(alice.id)
      expect(await store.authenticate('alice', 'builder')).toBeUndefined()
      expect(await store.authenticate('nobody', 'wonderland')).toBeUndefined()
      expect(store.findById(alice.id)?.username).toBe('alice')
      expect(store.findByUsername('bob')!.claims.email).toBe('bob@example.org')
    } finally {
      store.close()
    }
  })
})
