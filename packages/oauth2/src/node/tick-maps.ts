import { createHook } from 'node:async_hooks'

// Node builds each `process.nextTick` tick object as an object literal with computed keys, and a
// Node HTTP request takes several of them. V8's feedback for those keys refers to the maps the
// object passes through only weakly: a few full GCs at moments when no tick object is alive (an
// idle server with a large heap, which V8 collects to give memory back) collect them, the
// feedback turns megamorphic, and from then on every tick object is built through V8's runtime,
// about five times the cost, for as long as the process lives (bench/README.md, "Measured in
// session 12", and bench/repro/next-tick-feedback.cjs). One tick object kept alive keeps them.
let kept: object | null | undefined

/**
 * Catches one of Node's own tick objects with a momentary async hook. Self-contained (its
 * argument is `node:async_hooks`' `createHook`), so that a test can run its source in a child
 * process started with V8 flags.
 */
export function catchTickObject(hooks: typeof createHook): object | undefined {
  let caught: object | undefined
  const hook = hooks({
    init(_id, type, _trigger, resource) {
      if (type === 'TickObject' && caught === undefined) caught = resource as object
    },
  })
  hook.enable()
  try {
    process.nextTick(() => {})
  } finally {
    hook.disable()
  }
  return caught
}

/**
 * Keeps one tick object alive for the life of the process, once; a no-op on Bun and Deno, whose
 * `async_hooks` are partial, and wherever the hook cannot be made.
 */
export function keepTickMaps(): void {
  if (kept !== undefined) return
  kept = null
  const versions = process.versions as Record<string, string | undefined>
  if (versions.bun !== undefined || versions.deno !== undefined) return
  try {
    kept = catchTickObject(createHook) ?? null
  } catch {
    // No async hooks here: nothing to keep.
  }
}
