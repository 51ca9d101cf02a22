import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BUILD_DIR } from './build-server'

/** The parts of a V8 `.cpuprofile` (what `node --cpu-prof` writes) that are read here. */
export interface CpuProfile {
  nodes: Array<{
    id: number
    callFrame: { functionName: string; url: string; lineNumber: number }
  }>
  /** Microseconds, on the process's monotonic clock. */
  startTime: number
  endTime: number
  samples: number[]
  /** Microseconds between a sample and the one before it. */
  timeDeltas: number[]
}

/** A function's share of the CPU time. */
export interface SelfTime {
  function: string
  /** Where it is defined: a repository path, `pkg/path` in node_modules, or `node:...`. */
  location: string
  selfMs: number
  /** Percent of the busy (non-idle) time in the window. */
  selfPct: number
}

const repoRoot = fileURLToPath(new URL('../../', import.meta.url))

// The bench runs servers from esbuild bundles, which open every module's code with a comment
// naming its file (relative to the bench folder): map a bundle line back to that file.
const sections = new Map<string, Array<{ line: number; path: string }>>()

function bundleSource(bundle: string, line: number): string | undefined {
  let list = sections.get(bundle)
  if (!list) {
    list = []
    const lines = readFileSync(bundle, 'utf8').split('\n')
    for (let i = 0; i < lines.length; i++) {
      const match = /^\/\/ (\S+\.[cm]?[jt]sx?)$/.exec(lines[i]!)
      if (match) list.push({ line: i, path: resolve(BUILD_DIR, '..', match[1]!) })
    }
    sections.set(bundle, list)
  }
  let found: string | undefined
  for (const section of list) {
    if (section.line > line) break
    found = section.path
  }
  return found
}

/** A short location: repository-relative, `package/path` inside node_modules, or node's own. */
export function shortLocation(url: string, bundleLine: number): string {
  if (url === '') return ''
  let path = url.startsWith('file://') ? fileURLToPath(url) : url
  let line = bundleLine
  const source = path.startsWith(BUILD_DIR) ? bundleSource(path, line) : undefined
  if (source) {
    // A line of the bundle says nothing of the source's lines: name the file only.
    path = source
    line = -1
  }
  const modules = path.lastIndexOf('/node_modules/')
  if (modules !== -1) path = path.slice(modules + '/node_modules/'.length)
  else if (path.startsWith(repoRoot)) path = path.slice(repoRoot.length)
  return line >= 0 ? `${path}:${line + 1}` : path
}

// Not functions: time the process was waiting, or spent outside JavaScript as a whole.
const IDLE = new Set(['(idle)'])

/**
 * The functions with the most self time in a CPU profile, optionally only within a window of
 * the profile's clock (`from`..`to`, µs), merged by function and location.
 *
 * @example
 * ```ts
 * const top = topSelfTime(JSON.parse(readFileSync(file, 'utf8')), { limit: 15 })
 * ```
 */
export function topSelfTime(
  profile: CpuProfile,
  options: { limit?: number; from?: number; to?: number } = {},
): { total: number; samples: number; functions: SelfTime[] } {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const totals = new Map<string, { fn: string; location: string; us: number }>()
  let time = profile.startTime
  let busy = 0
  let samples = 0
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0
    time += delta
    if (options.from !== undefined && time < options.from) continue
    if (options.to !== undefined && time > options.to) continue
    const node = byId.get(profile.samples[i]!)
    if (!node) continue
    const { functionName, url, lineNumber } = node.callFrame
    const fn = functionName || '(anonymous)'
    if (IDLE.has(fn)) continue
    // The next delta is the time until the next sample: what this sample stands for.
    const us = profile.timeDeltas[i + 1] ?? delta
    busy += us
    samples++
    const location = shortLocation(url, lineNumber)
    const key = `${fn}\u0000${location}`
    const entry = totals.get(key)
    if (entry) entry.us += us
    else totals.set(key, { fn, location, us })
  }
  const functions = [...totals.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, options.limit ?? 20)
    .map((entry) => ({
      function: entry.fn,
      location: entry.location,
      selfMs: Math.round(entry.us / 100) / 10,
      selfPct: busy > 0 ? Math.round((entry.us / busy) * 1000) / 10 : 0,
    }))
  return { total: Math.round(busy / 1000), samples, functions }
}
