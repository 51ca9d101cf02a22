import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = import.meta.dirname
// Node-only code lives behind the ./node and ./testing entries and in tests.
const excluded = (path: string) =>
  /\.test\.ts$/.test(path) || /^(node|testing|e2e)\//.test(relative(root, path))

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sources(path)
    return entry.name.endsWith('.ts') && !excluded(path) ? [path] : []
  })
}

describe('the core runs on any runtime with Web APIs (Node, Bun, Deno, edge)', () => {
  it('imports no Node built-in and uses no Node global', () => {
    const files = sources(root)
    expect(files.length).toBeGreaterThan(20)
    for (const file of files) {
      const text = readFileSync(file, 'utf8')
      expect(text, file).not.toMatch(/from ['"](node:|fs|path|crypto|http|stream)['"]/)
      expect(text, file).not.toMatch(/\b(Buffer|process|require)\s*[.(]/)
    }
  })
})
