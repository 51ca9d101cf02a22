import { existsSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { machine, type Scenario, textTable } from './scenario'

/**
 * The scenarios, loaded only when selected. Add a module that exports a {@link Scenario} and list
 * it here; `--only <name>` runs one (repeatable), no flag runs them all.
 */
const SCENARIOS: Record<string, () => Promise<Scenario>> = {
  jose: async () => (await import('./jose.bench')).joseScenario as Scenario,
  token: async () => (await import('./token.bench')).tokenScenario as Scenario,
  http: async () => (await import('./http-report')).httpScenario as Scenario,
  profile: async () => (await import('./profile.bench')).profileScenario as Scenario,
  memory: async () => (await import('./memory.bench')).memoryScenario as Scenario,
  instructions: async () => (await import('./instructions.bench')).instructionsScenario as Scenario,
}

const benchDir = new URL('../', import.meta.url)
const readmeUrl = new URL('README.md', benchDir)
const resultsDir = new URL('results/', benchDir)

const README_TEMPLATE = `# oidkit benchmarks

Throughput of oidkit against the libraries it builds on.

## Running

\`\`\`sh
pnpm bench                # every scenario, full length; writes results/ and this README
pnpm bench --smoke        # a short run that only proves the benches work; writes nothing
pnpm bench --only http    # one scenario (repeatable): token, http, profile, memory, jose, instructions
\`\`\`

The runner loads the workspace packages from their TypeScript source (\`tsconfig.json\` \`paths\`,
honoured by tsx), so no build is needed first.

Figures are only comparable within one run, on one machine: the sides of a comparison are measured
in alternating rounds of one run. Never compare figures across runs or machines. The runner exits
non-zero on errors only, never because of a figure.

On a small shared machine (such as 2 vCPUs) the overhead column moves by several points from one
run to the next: read it as a trend, not to the decimal.
`

/** Replaces (or appends) the section between `<!-- name:start -->` and `<!-- name:end -->`. */
function replaceSection(readme: string, name: string, heading: string, body: string): string {
  const start = `<!-- ${name}:start -->`
  const end = `<!-- ${name}:end -->`
  const block = `${start}\n${body.trim()}\n${end}`
  const from = readme.indexOf(start)
  const to = readme.indexOf(end)
  if (from !== -1 && to > from) return readme.slice(0, from) + block + readme.slice(to + end.length)
  return `${readme.trimEnd()}\n\n## ${heading}\n\n${block}\n`
}

async function main(): Promise<void> {
  // `pnpm bench -- --smoke` forwards a literal `--`; drop it.
  const args = process.argv.slice(2).filter((arg) => arg !== '--')
  const { values } = parseArgs({
    args,
    options: {
      smoke: { type: 'boolean', default: false },
      only: { type: 'string', multiple: true },
    },
  })
  const names = values.only ?? Object.keys(SCENARIOS)
  const unknown = names.filter((name) => !(name in SCENARIOS))
  if (unknown.length > 0) {
    throw new Error(
      `unknown scenario ${unknown.join(', ')}; known: ${Object.keys(SCENARIOS).join(', ')}`,
    )
  }

  const smoke = values.smoke
  const host = machine()
  console.log(
    `oidkit bench (${smoke ? 'smoke' : 'full'}): ${host.cores} × ${host.cpuModel}, Node ${host.node}`,
  )
  console.log(`@oidkit/jose from ${fileURLToPath(import.meta.resolve('@oidkit/jose'))}`)

  for (const name of names) {
    const scenario = await SCENARIOS[name]!()
    console.log(`\n## ${scenario.title}`)
    const started = performance.now()
    const rows = await scenario.run({ smoke })
    console.log(textTable(scenario.table(rows)))
    if (scenario.details) console.log(`\n${textTable(scenario.details(rows))}`)
    console.log(`(${((performance.now() - started) / 1000).toFixed(1)} s)`)
    if (smoke) continue

    const date = new Date().toISOString()
    await mkdir(resultsDir, { recursive: true })
    await writeFile(
      new URL(`${name}.json`, resultsDir),
      `${JSON.stringify({ scenario: name, date, machine: host, rows }, null, 2)}\n`,
    )
    const context = { machine: host, date: date.slice(0, 10) }
    for (const [file, text] of Object.entries(scenario.files?.(rows, context) ?? {})) {
      await writeFile(new URL(file, resultsDir), text)
      console.log(`wrote results/${file}`)
    }
    const readme = existsSync(readmeUrl) ? await readFile(readmeUrl, 'utf8') : README_TEMPLATE
    const body = scenario.markdown(rows, context)
    await writeFile(readmeUrl, replaceSection(readme, name, scenario.title, body))
    console.log(`wrote results/${name}.json and the "${name}" section of bench/README.md`)
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
