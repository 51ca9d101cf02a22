import { describe, expect, it } from 'vitest'
import { countInstructions, instructionsPlan } from './instructions.bench'

// Smoke test: the count runs end to end under valgrind and gives a figure for every document and
// both servers. No figure is asserted beyond being a count: it depends on Node and the build.
describe('bench smoke run', () => {
  it('counts the instructions of a discovery and a JWKS request on oidkit and the ceiling', async () => {
    const rows = await countInstructions(instructionsPlan(true))
    expect(rows.map((row) => `${row.name}${row.primed ? ' primed' : ''}`)).toEqual([
      'discovery',
      'jwks',
      'discovery primed',
      'jwks primed',
    ])
    for (const row of rows) {
      for (const count of [row.oidkit, row.ceiling]) {
        expect(Number.isSafeInteger(count), `${row.name}: ${JSON.stringify(row)}`).toBe(true)
        // A request through Node's HTTP parser and writer alone takes tens of thousands.
        expect(count, row.name).toBeGreaterThan(1000)
      }
      expect(row.ratio).toBeCloseTo(row.ceiling / row.oidkit, 2)
    }
  }, 600_000)
})
