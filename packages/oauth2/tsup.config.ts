import { defineConfig } from 'tsup'
import { packageConfig } from '../../tsup.config.base'

// Only the ./node entry imports Node built-ins; the core stays runtime-neutral.
export default defineConfig(
  packageConfig({
    index: 'src/index.ts',
    'testing/index': 'src/testing/index.ts',
    'node/index': 'src/node/index.ts',
  }),
)
