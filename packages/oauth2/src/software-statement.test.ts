import { KeySet, signJwt } from '@oidkit/jose'
import { beforeAll, describe, expect, it } from 'vitest'
import type { RegistrationConfig } from './config'
import { OAuthError } from './errors'
import { verifySoftwareStatement } from './software-statement'

const NOW = 1_700_000_000
let publisher: KeySet
let stranger: KeySet

beforeAll(async () => {
  publisher = await KeySet.generate('ES256')
  stranger = await KeySet.generate('ES256')
})

const config = (extra: Partial<RegistrationConfig> = {}): RegistrationConfig => ({
  policy: { type: 'open' },
  softwareStatementKeys: publisher,
  ...extra,
})

async function errorOf(promise: Promise<unknown>) {
  try {
    await promise
  } catch (error) {
    if (error instanceof OAuthError) return error.error
    throw error
  }
  return undefined
}

describe('verifySoftwareStatement', () => {
  it('RFC 7591 2.3: returns the claims, and as metadata those that are not JWT claims', async () => {
    const jwt = await signJwt(
      {
        iss: 'https://publisher.example',
        iat: NOW,
        exp: NOW + 60,
        jti: 'j1',
        software_id: 'app',
        client_name: 'App',
      },
      { key: publisher },
    )
    const { claims, metadata } = await verifySoftwareStatement(jwt, config(), NOW)
    expect(claims.iss).toBe('https://publisher.example')
    expect(metadata).toEqual({ software_id: 'app', client_name: 'App' })
  })

  it('RFC 7591 3.2.2: no keys configured → invalid_software_statement', async () => {
    const jwt = await signJwt({ iss: 'p' }, { key: publisher })
    expect(await errorOf(verifySoftwareStatement(jwt, { policy: { type: 'open' } }, NOW))).toBe(
      'invalid_software_statement',
    )
  })

  it.each([
    ['not a string', 42],
    ['empty', ''],
    ['malformed', 'a.b.c'],
  ])('RFC 7591 3.2.2: %s → invalid_software_statement', async (_name, statement) => {
    expect(await errorOf(verifySoftwareStatement(statement, config(), NOW))).toBe(
      'invalid_software_statement',
    )
  })

  it('RFC 7591 3.2.2: a key the server does not trust → invalid_software_statement', async () => {
    const jwt = await signJwt({ iss: 'p' }, { key: stranger })
    expect(await errorOf(verifySoftwareStatement(jwt, config(), NOW))).toBe(
      'invalid_software_statement',
    )
  })

  it('RFC 7515 / RFC 7591 2.3: an unsigned (alg none) statement is refused', async () => {
    const jwt = await signJwt({ iss: 'p' }, { key: publisher, alg: 'none', allowNone: true })
    expect(await errorOf(verifySoftwareStatement(jwt, config(), NOW))).toBe(
      'invalid_software_statement',
    )
  })

  it('RFC 7519 4.1.4: an expired statement (by the server clock) → invalid_software_statement', async () => {
    const jwt = await signJwt({ iss: 'p', exp: NOW - 10 }, { key: publisher })
    expect(await errorOf(verifySoftwareStatement(jwt, config(), NOW))).toBe(
      'invalid_software_statement',
    )
    expect(await errorOf(verifySoftwareStatement(jwt, config(), NOW - 20))).toBe(undefined)
  })

  it('RFC 7591 2.3: a statement without iss → invalid_software_statement', async () => {
    const jwt = await signJwt({ software_id: 'app' }, { key: publisher })
    expect(await errorOf(verifySoftwareStatement(jwt, config(), NOW))).toBe(
      'invalid_software_statement',
    )
  })

  it('RFC 7591 3.2.2: approveSoftwareStatement false → unapproved_software_statement', async () => {
    const jwt = await signJwt({ iss: 'p', software_id: 'app' }, { key: publisher })
    const seen: unknown[] = []
    const registration = config({
      approveSoftwareStatement: async (claims) => {
        seen.push(claims.software_id)
        return false
      },
    })
    expect(await errorOf(verifySoftwareStatement(jwt, registration, NOW))).toBe(
      'unapproved_software_statement',
    )
    expect(seen).toEqual(['app'])
  })
})
