import { describe, expect, it } from 'vitest'
import { HTTP_SCENARIOS, runHttpBench } from './http.bench'
import { latestJson } from './http-report'
import type { Figures } from './load'
import { runMemoryCheck } from './memory.bench'
import { profileOidkit } from './profile.bench'
import { machine } from './scenario'
import { runTokenBench } from './token.bench'

// Smoke tests: every benchmark runs end to end against real server processes and produces
// well-formed figures for every server. No timing is asserted: figures depend on the machine.
const tiny = { connections: 4, durationS: 0.25, warmupS: 0, repetitions: 1 }

function expectFigures(figures: Figures | null | undefined, label: string): void {
  expect(figures, label).toBeTruthy()
  for (const value of [figures!.rps, figures!.p50, figures!.p99]) {
    expect(Number.isFinite(value), `${label}: ${JSON.stringify(figures)}`).toBe(true)
    expect(value, label).toBeGreaterThan(0)
  }
  expect(figures!.p99, label).toBeGreaterThanOrEqual(figures!.p50)
  // The load generator always spends some CPU time on a request it completed.
  expect(figures!.clientCpuUs, label).toBeGreaterThan(0)
}

describe('bench smoke run', () => {
  it('measures every HTTP scenario on oidkit (memory, SQLite), oidc-provider and the ceilings', async () => {
    const rows = await runHttpBench({ smoke: true, plan: tiny })
    expect(rows.map((row) => row.name)).toEqual([...HTTP_SCENARIOS])
    for (const row of rows) {
      expectFigures(row.oidkit, `${row.name} oidkit`)
      expectFigures(row.oidcProvider, `${row.name} oidc-provider`)
      if (row.oidkitSqlite) expectFigures(row.oidkitSqlite, `${row.name} oidkit + SQLite`)
      if (row.ceilingKind) expectFigures(row.ceiling, `${row.name} ceiling`)
      else expect(row.ceiling).toBeNull()
      expect(Number.isFinite(row.vsOidcProvider)).toBe(true)
    }
    const latest = latestJson(rows, machine(), new Date().toISOString())
    expect(latest.cores).toBeGreaterThan(0)
    expect(latest.scenarios).toHaveLength(HTTP_SCENARIOS.length)
  }, 120_000)

  it('measures the oauth2 token endpoint against its ceiling', async () => {
    const rows = await runTokenBench({ smoke: true, plan: tiny })
    expect(rows.map((row) => row.name)).toEqual(['client_credentials', 'authorization_code'])
    for (const row of rows) {
      expectFigures(row.oidkit, `${row.name} oidkit`)
      expectFigures(row.ceiling, `${row.name} ceiling`)
      expect(Number.isFinite(row.pctOfCeiling)).toBe(true)
    }
  }, 60_000)

  it("profiles oidkit's code redemption and names the functions with the most self time", async () => {
    const result = await profileOidkit({ smoke: true, durationS: 0.3, limit: 5 })
    expect(result.samples).toBeGreaterThan(0)
    expect(result.rows.length).toBeGreaterThan(0)
    for (const row of result.rows) {
      expect(row.function).not.toBe('')
      expect(row.selfMs).toBeGreaterThanOrEqual(0)
    }
  }, 60_000)

  it('reads RSS and the in-memory store before and after a wave of tokens expires', async () => {
    // Expiry is kept in whole seconds, so a token lives between ttl - 1 and ttl seconds: a ttl
    // of 1 let some of the 300 tokens issued last expire before the final reading (CI saw 252).
    // With 2 each of them lives at least a second, far longer than issuing 300 takes.
    const rows = await runMemoryCheck({ tokens: 1000, waves: 1, ttl: 2, sweepInterval: 1 })
    expect(rows.map((row) => row.label)).toHaveLength(3)
    for (const row of rows) {
      expect(row.rssMb).toBeGreaterThan(0)
      expect(row.sweepMs).toBeGreaterThanOrEqual(0)
    }
    // The wave expired and was swept: only the 300 tokens issued after it are left.
    expect(rows.at(-1)?.tokens).toBe(300)
  }, 60_000)
})
