// Node's process.nextTick goes to V8's slow path for good after a few full GCs during which no
// tick object is alive (Node 20 / V8 11.3; "Measured in session 12" in ../README.md).
//
//   node --expose-gc --allow-natives-syntax repro/next-tick-feedback.cjs        # slow after
//   node --expose-gc --allow-natives-syntax repro/next-tick-feedback.cjs --pin  # stays fast
//
// nextTick builds its tick object as a literal with computed keys. The feedback of those keys
// holds the maps the object passes through only weakly; once no object of that shape is left,
// full GCs clear them, the next call turns the feedback megamorphic, and from then on every key
// of every tick object is a runtime call. --pin keeps one real tick object alive (caught with a
// momentary async hook), which keeps those maps.
const { createHook } = require('node:async_hooks')

if (process.argv.includes('--pin')) {
  const hook = createHook({
    init(_id, type, _trigger, resource) {
      if (type === 'TickObject') globalThis.pinnedTick ??= resource
    },
  })
  hook.enable()
  process.nextTick(() => {})
  hook.disable()
}

const debugPrint = new Function('value', '%DebugPrint(value)')
const noop = () => {}
const cost = () => {
  const start = process.hrtime.bigint()
  for (let i = 0; i < 100_000; i++) process.nextTick(noop)
  return Number(process.hrtime.bigint() - start) / 100_000
}
// The median of seven batches, each queued ticks run before the next.
const median = () =>
  new Promise((resolve) => {
    const runs = []
    const next = () =>
      setImmediate(() => {
        runs.push(cost())
        if (runs.length < 7) next()
        else resolve(runs.sort((a, b) => a - b)[3])
      })
    next()
  })

setTimeout(async () => {
  await median()
  console.log(`before: ${(await median()).toFixed(0)} ns per nextTick`)
  setTimeout(async () => {
    for (let i = 0; i < 6; i++) globalThis.gc()
    console.log(`after six full GCs: ${(await median()).toFixed(0)} ns per nextTick`)
    // The literal's feedback, among the rest: `| grep -E 'ns per|DefineKeyedOwnProperty'`.
    debugPrint(process.nextTick)
  }, 20)
}, 20)
