import { escapeHtml } from '@oidkit/oauth2'

/**
 * Markup that is already safe: produced by {@link html} or marked with {@link raw}.
 *
 * @example
 * ```ts
 * res.send(html`<p>${name}</p>`.value)
 * ```
 */
export class SafeHtml {
  constructor(readonly value: string) {}

  toString(): string {
    return this.value
  }
}

// The core's escaping, re-exported so the pages have one module for markup.
export { escapeHtml }

/** What may be interpolated: text (escaped), safe markup, lists of either, or nothing. */
export type HtmlValue =
  | SafeHtml
  | string
  | number
  | boolean
  | null
  | undefined
  | readonly HtmlValue[]

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false || value === true) return ''
  if (value instanceof SafeHtml) return value.value
  if (Array.isArray(value)) return value.map(render).join('')
  return escapeHtml(String(value))
}

/**
 * A tagged template that escapes every interpolated value unless it is itself `html` output,
 * so a template can only emit markup its author wrote. Booleans and nullish values render as
 * nothing, which keeps `${cond && html`...`}` readable.
 *
 * @example
 * ```ts
 * const name = '<script>'
 * html`<p>Hello ${name}</p>`.value // '<p>Hello &lt;script&gt;</p>'
 * ```
 */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let out = strings[0]!
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!
  return new SafeHtml(out)
}

/**
 * Marks trusted, constant markup (the stylesheet) as safe. Never pass user input.
 *
 * @example
 * ```ts
 * html`<style>${raw(CSS)}</style>`
 * ```
 */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup)
}
