import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { CookieJar, parseForm, submitForm } from './browser'

const page = `<!DOCTYPE html><h1>Sign in</h1>
<form method="POST" action="/login?step=1&amp;x=y">
  <input type="hidden" name="interaction" value="a&quot;b&lt;c&#39;d&#x26;">
  <input name="username" placeholder="name">
  <input type=password name=password>
  <input type="checkbox" name="remember" checked>
  <input type="checkbox" name="newsletter">
  <input type="text" name="off" value="x" disabled>
  <textarea name="note">one &amp; two</textarea>
  <button type="submit" name="decision" value="approve">Allow</button>
  <button name="decision" value="deny">Deny</button>
  <button type="button" name="help">?</button>
</form><form action="/other"><input name="ignored"></form>`

describe('parsing and submitting HTML forms like a browser', () => {
  it('HTML 4.10.21.4: the entry list holds the enabled, checked controls with decoded values', () => {
    const form = parseForm(page, 'http://op.example/interaction/1')
    expect(String(form.action)).toBe('http://op.example/login?step=1&x=y')
    expect(form.method).toBe('POST')
    expect(form.fields).toEqual([
      ['interaction', `a"b<c'd&`],
      ['username', ''],
      ['password', ''],
      ['remember', 'on'],
      ['note', 'one & two'],
    ])
    expect(form.buttons).toEqual([
      { name: 'decision', value: 'approve' },
      { name: 'decision', value: 'deny' },
    ])
  })

  it('HTML 4.10.21.3: submitting posts the filled fields and the pressed button, with cookies', async () => {
    const received: Array<{ url: string; body: string; cookie: string | undefined }> = []
    const http = createServer((req, res) => {
      let body = ''
      req.on('data', (chunk: Uint8Array) => {
        body += new TextDecoder().decode(chunk)
      })
      req.on('end', () => {
        received.push({ url: req.url!, body, cookie: req.headers.cookie })
        res.setHeader('set-cookie', ['next=2; Path=/', 'old=; Path=/; Max-Age=0'])
        res.end('ok')
      })
    })
    http.listen(0, '127.0.0.1')
    await once(http, 'listening')
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/interaction/1`
    const jar = new CookieJar()
    jar.store(new Response(null, { headers: [['set-cookie', 'old=1; Path=/']] }))
    try {
      await submitForm(page, jar, { url, fill: { username: 'alice', password: 'pw' } })
      await submitForm(page, jar, { url, button: { name: 'decision', value: 'deny' } })
      await expect(submitForm(page, jar, { url, fill: { nope: 'x' } })).rejects.toThrow(/nope/)
    } finally {
      http.close()
    }
    expect(received[0]).toEqual({
      url: '/login?step=1&x=y',
      body: 'interaction=a%22b%3Cc%27d%26&username=alice&password=pw&remember=on&note=one+%26+two&decision=approve',
      cookie: 'old=1',
    })
    expect(new URLSearchParams(received[1]!.body).get('decision')).toBe('deny')
    // RFC 6265 5.3: the second request carries the new cookie, not the expired one.
    expect(received[1]!.cookie).toBe('next=2')
  })
})
