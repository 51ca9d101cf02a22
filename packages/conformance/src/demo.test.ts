import { demoTarget } from './demo-target'
import { runConformance } from './suite'

// The demo app, started as the README starts it (`pnpm demo`), signing in through its forms.
runConformance('apps/demo started with pnpm demo', demoTarget, { startTimeout: 240_000 })
