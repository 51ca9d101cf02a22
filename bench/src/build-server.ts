import { mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { build, type Plugin } from 'esbuild'

const benchDir = fileURLToPath(new URL('../', import.meta.url))
/** Where the bundles go (git-ignored). */
export const BUILD_DIR = fileURLToPath(new URL('../.build/', import.meta.url))

// Native addons cannot be bundled: they stay imports, by absolute path, since the bundle's own
// folder cannot resolve a workspace package's dependencies.
const NATIVE = new Map([['better-sqlite3', '../packages/sqlite/package.json']])

const nativeExternal: Plugin = {
  name: 'native-external',
  setup(build) {
    build.onResolve({ filter: /^better-sqlite3$/ }, (args) => {
      const from = NATIVE.get(args.path)!
      return {
        path: createRequire(new URL(from, new URL('../', import.meta.url))).resolve(args.path),
        external: true,
      }
    })
  },
}

const builds = new Map<string, Promise<string>>()

/**
 * Bundles `src/servers/<program>.ts` with everything it imports (the workspace packages from
 * their TypeScript source, through the bench `tsconfig.json` paths) into one ES module, the way
 * an application ships: no TypeScript loader runs in the measured process. (tsx compiles with
 * esbuild's `keepNames`, which wraps every closure in a `__name` call: several µs per request
 * that no built package pays.) Each program is built once per run.
 *
 * @example
 * ```ts
 * spawn(process.execPath, [await buildServer('oidkit')])
 * ```
 */
export function buildServer(program: string): Promise<string> {
  let built = builds.get(program)
  if (!built) {
    built = (async () => {
      mkdirSync(BUILD_DIR, { recursive: true })
      const outfile = `${BUILD_DIR}${program}.mjs`
      await build({
        entryPoints: [fileURLToPath(new URL(`servers/${program}.ts`, import.meta.url))],
        outfile,
        absWorkingDir: benchDir,
        tsconfig: `${benchDir}tsconfig.json`,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        // CommonJS dependencies (oidc-provider's) call require: give the module one.
        banner: {
          js: "import { createRequire as __benchRequire } from 'node:module'; const require = __benchRequire(import.meta.url);",
        },
        plugins: [nativeExternal],
        logLevel: 'error',
      })
      return outfile
    })()
    builds.set(program, built)
  }
  return built
}
