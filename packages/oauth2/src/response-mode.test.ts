import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { deliverAuthorizationResponse } from './response-mode'

describe('deliverAuthorizationResponse', () => {
  it('RFC 6749 4.1.2: query mode appends form-encoded parameters with a 303', async () => {
    const response = await deliverAuthorizationResponse({
      redirectUri: 'https://client.example/cb',
      mode: 'query',
      params: { code: 'abc', state: 'a b&c', iss: 'https://op.example' },
    })
    expect(response.status).toBe(303)
    expect(response.headers.get('cache-control')).toBe('no-store')
    const location = new URL(response.headers.get('location')!)
    expect(location.origin + location.pathname).toBe('https://client.example/cb')
    expect(location.searchParams.get('state')).toBe('a b&c')
    expect(location.searchParams.get('iss')).toBe('https://op.example')
  })

  it('RFC 6749 3.1.2: the query of the registered redirect URI is kept verbatim', async () => {
    const response = await deliverAuthorizationResponse({
      redirectUri: 'https://client.example/cb?tenant=a%20b&x',
      mode: 'query',
      params: { code: 'abc' },
    })
    expect(response.headers.get('location')).toBe(
      'https://client.example/cb?tenant=a%20b&x&code=abc',
    )
  })

  it('RFC 6749 4.2.2: fragment mode puts the parameters in the fragment', async () => {
    const response = await deliverAuthorizationResponse({
      redirectUri: 'https://client.example/cb?keep=1',
      mode: 'fragment',
      params: { access_token: 't', token_type: 'Bearer', scope: 'a b' },
    })
    expect(response.status).toBe(303)
    const location = response.headers.get('location')!
    expect(location).toBe(
      'https://client.example/cb?keep=1#access_token=t&token_type=Bearer&scope=a+b',
    )
    expect(new URL(location).search).toBe('?keep=1')
  })

  it('Form Post Response Mode 2: an auto-submitting form with HTML-escaped values (Authlib quirk 6)', async () => {
    const response = await deliverAuthorizationResponse({
      redirectUri: 'https://client.example/cb?a=1&b=2',
      mode: 'form_post',
      params: { state: '"><script>alert(1)</script>', scope: 'openid profile' },
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/html;charset=utf-8')
    expect(response.headers.get('cache-control')).toBe('no-store')
    const html = await response.text()
    expect(html).toContain('<form method="post" action="https://client.example/cb?a=1&amp;b=2">')
    expect(html).toContain(
      '<input type="hidden" name="state" value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">',
    )
    // Spaces stay spaces: values are HTML-escaped, not URL-encoded.
    expect(html).toContain('<input type="hidden" name="scope" value="openid profile">')
    expect(html).not.toContain('<script>alert(1)')
    expect(html).toContain('<noscript>')
    expect(html).toContain('<button type="submit">')
  })

  it('Form Post Response Mode 2: the CSP allows only the auto-submit script, by its sha256', async () => {
    const response = await deliverAuthorizationResponse({
      redirectUri: 'https://client.example/cb',
      mode: 'form_post',
      params: { code: 'abc' },
    })
    const html = await response.text()
    const scripts = [...html.matchAll(/<script>([^<]*)<\/script>/g)].map((m) => m[1]!)
    expect(scripts).toHaveLength(1)
    const hash = createHash('sha256').update(scripts[0]!).digest('base64')
    const csp = response.headers.get('content-security-policy')!
    expect(csp).toContain("default-src 'none'")
    expect(csp).toContain(`script-src 'sha256-${hash}'`)
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).not.toContain('unsafe-inline')
  })
})
