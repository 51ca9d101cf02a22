import { createHook } from 'node:async_hooks'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { catchTickObject } from './tick-maps'

const run = promisify(execFile)

// A child Node with V8 flags: warms process.nextTick up, optionally keeps a tick object caught by
// catchTickObject (its own source, as this test runs it), runs six full GCs while no tick object
// is alive, calls nextTick again and prints the states of the feedback of the tick literal's keys.
async function literalFeedback(keep: boolean): Promise<string[]> {
  const script = `
    const { createHook } = require('node:async_hooks')
    const catchTickObject = ${catchTickObject.toString()}
    const debugPrint = new Function('value', '%DebugPrint(value)')
    const noop = () => {}
    const warm = () => { for (let i = 0; i < 50000; i++) process.nextTick(noop) }
    ${keep ? 'globalThis.kept = catchTickObject(createHook)' : ''}
    warm()
    setTimeout(() => {
      warm()
      setTimeout(() => {
        for (let i = 0; i < 6; i++) globalThis.gc()
        warm()
        setImmediate(() => debugPrint(process.nextTick))
      }, 20)
    }, 20)
  `
  const { stdout } = await run(
    process.execPath,
    ['--expose-gc', '--allow-natives-syntax', '-e', script],
    { maxBuffer: 16 * 1024 * 1024 },
  )
  return [...stdout.matchAll(/DefineKeyedOwnPropertyInLiteral (\w+)/g)].map((m) => m[1]!)
}

describe('tick maps (bench/README.md, "Measured in session 12")', () => {
  it('catches one of Node’s own tick objects', () => {
    const tick = catchTickObject(createHook) as Record<string, unknown>
    expect(typeof tick.callback).toBe('function')
    expect(Object.keys(tick)).toEqual(['callback', 'args'])
    expect(Object.getOwnPropertySymbols(tick).map((symbol) => symbol.description)).toEqual([
      'async_id_symbol',
      'trigger_async_id_symbol',
    ])
  })

  it('the literal’s feedback turns megamorphic after full GCs with no tick object alive', async () => {
    const states = await literalFeedback(false)
    expect(states.length).toBeGreaterThanOrEqual(2)
    expect(states).toContain('MEGAMORPHIC')
  }, 30_000)

  it('a kept tick object keeps the literal’s feedback monomorphic through the same GCs', async () => {
    const states = await literalFeedback(true)
    expect(states.length).toBeGreaterThanOrEqual(2)
    expect(states.every((state) => state === 'MONOMORPHIC')).toBe(true)
  }, 30_000)
})
