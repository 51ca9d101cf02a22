import { describe, expect, it } from 'vitest'
import { JOSE_BENCH_ALGORITHMS, runJoseBench } from './jose.bench'

// A smoke test: the bench runs end to end and measures something on both sides. It asserts no
// timing, since figures depend on the machine.
describe('runJoseBench', () => {
  it('measures sign and verify for every algorithm through @oidkit/jose and raw jose', async () => {
    const rows = await runJoseBench({ smoke: true, timeMs: 20 })
    expect(rows.map((row) => `${row.alg} ${row.op}`)).toEqual(
      JOSE_BENCH_ALGORITHMS.flatMap((alg) => [`${alg} sign`, `${alg} verify`]),
    )
    for (const row of rows) {
      for (const opsPerSec of [row.oidkit, row.raw]) {
        expect(Number.isFinite(opsPerSec)).toBe(true)
        expect(opsPerSec).toBeGreaterThan(0)
      }
      expect(Number.isFinite(row.overheadPct)).toBe(true)
    }
  })
})
