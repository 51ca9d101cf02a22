import { existsSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// Tests resolve every workspace package to its source, so no build is needed before `vitest run`.
const packagesDir = fileURLToPath(new URL('./packages/', import.meta.url))
const alias = readdirSync(packagesDir)
  .filter((name) => existsSync(`${packagesDir}${name}/src/index.ts`))
  .flatMap((name) => [
    { find: new RegExp(`^@oidkit/${name}$`), replacement: `${packagesDir}${name}/src/index.ts` },
    {
      find: new RegExp(`^@oidkit/${name}/(testing|node)$`),
      replacement: `${packagesDir}${name}/src/$1/index.ts`,
    },
  ])

export default defineConfig({
  resolve: { alias },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'bench/src/**/*.test.ts'],
    // A run that finds no test file must fail, never pass silently.
    passWithNoTests: false,
    reporters: ['default', './scripts/summary-reporter.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
})
