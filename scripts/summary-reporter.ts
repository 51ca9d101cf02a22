import type { Reporter, TestModule } from 'vitest/node'

/**
 * Prints one plain closing line, `vitest: N passed, N failed, N skipped`, and fails the run when
 * nothing was executed, so that CI can never mistake an empty run for a green one.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0
    let failed = 0
    let skipped = 0
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state
        if (state === 'passed') passed++
        else if (state === 'failed') failed++
        else skipped++
      }
    }
    process.stdout.write(`\nvitest: ${passed} passed, ${failed} failed, ${skipped} skipped\n`)
    if (passed + failed === 0) {
      process.stdout.write('vitest: no test was executed\n')
      process.exitCode = 1
    }
  }
}
