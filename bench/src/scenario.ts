import { cpus } from 'node:os'

/** Where and with what a run measured; every figure is only comparable with others of one run. */
export interface Machine {
  cpuModel: string
  cores: number
  node: string
  platform: string
}

export function machine(): Machine {
  const list = cpus()
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  }
}

export interface ScenarioOptions {
  /** A short run that only proves the scenario works; its figures are not written anywhere. */
  smoke: boolean
}

/**
 * One benchmark scenario (`jose`, later HTTP servers, the oidc-provider comparison, ...). The
 * runner prints `table(rows)`, and after a full run writes `results/<name>.json` and replaces the
 * README section between `<!-- <name>:start -->` and `<!-- <name>:end -->` with `markdown(...)`.
 */
export interface Scenario<Row = unknown> {
  name: string
  title: string
  run(options: ScenarioOptions): Promise<Row[]>
  table(rows: Row[]): Record<string, string | number>[]
  /** A second, more detailed table printed after `table`. */
  details?(rows: Row[]): Record<string, string | number>[]
  markdown(rows: Row[], context: { machine: Machine; date: string }): string
  /** Extra files to write into `results/` after a full run, by name. */
  files?(rows: Row[], context: { machine: Machine; date: string }): Record<string, string>
}

const NUMERIC = /^[-+]?[\d,]+(\.\d+)?\s*%?$/

/** A Markdown table; columns of figures are right-aligned. */
export function markdownTable(rows: Record<string, string | number>[]): string {
  const first = rows[0]
  if (!first) return '_no rows_'
  const columns = Object.keys(first)
  const numeric = columns.map((column) => rows.every((row) => NUMERIC.test(String(row[column]))))
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`
  return [
    line(columns),
    line(numeric.map((isNumber) => (isNumber ? '---:' : '---'))),
    ...rows.map((row) => line(columns.map((column) => String(row[column] ?? '')))),
  ].join('\n')
}

export const formatOps = (value: number) => Math.round(value).toLocaleString('en-US')

/** A plain-text table for the terminal; columns of figures are right-aligned. */
export function textTable(rows: Record<string, string | number>[]): string {
  const first = rows[0]
  if (!first) return '(no rows)'
  const columns = Object.keys(first)
  const cells = [columns, ...rows.map((row) => columns.map((column) => String(row[column] ?? '')))]
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => line[i]!.length)))
  const numeric = columns.map((column) => rows.every((row) => NUMERIC.test(String(row[column]))))
  const render = (line: string[]) =>
    line
      .map((cell, i) => (numeric[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd()
  return [
    render(columns),
    widths.map((width) => '-'.repeat(width)).join('  '),
    ...cells.slice(1).map(render),
  ].join('\n')
}
