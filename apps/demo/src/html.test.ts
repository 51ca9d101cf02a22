import { describe, expect, it } from 'vitest'
import { escapeHtml, html, raw } from './html'

describe('html tagged template', () => {
  it('HTML 13.1.2.6 / 13.5: interpolated text is escaped for content and quoted attributes', () => {
    const value = `<img src=x onerror="alert('1')">&`
    expect(html`<p title="${value}">${value}</p>`.value).toBe(
      '<p title="&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;">' +
        '&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;</p>',
    )
    expect(escapeHtml('a & b')).toBe('a &amp; b')
  })

  it('HTML 13.1: nested templates and raw markup are kept; lists join; nullish and booleans vanish', () => {
    const items = ['<a>', 'b'].map((item) => html`<li>${item}</li>`)
    expect(html`<ul>${items}</ul>`.value).toBe('<ul><li>&lt;a&gt;</li><li>b</li></ul>')
    expect(html`<style>${raw('a>b{}')}</style>`.value).toBe('<style>a>b{}</style>')
    expect(html`[${undefined}${null}${false}${true}${0}]`.value).toBe('[0]')
  })
})
