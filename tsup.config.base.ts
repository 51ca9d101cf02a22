import type { Options } from 'tsup'

/**
 * The build every publishable package shares: ESM only, declarations, source maps. Node
 * built-ins stay imports (only Node-specific entries use them); dependencies are external.
 */
export function packageConfig(
  entry: Options['entry'] = ['src/index.ts'],
  overrides: Options = {},
): Options {
  return {
    entry,
    format: ['esm'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'es2022',
    platform: 'neutral',
    external: [/^node:/],
    ...overrides,
  }
}
