import { describe, expect, it } from 'vitest'
import { createCsrf, LoginRateLimiter, readCookie } from './security'

const secret = new Uint8Array(32).fill(7)

describe('CSRF tokens (signed double-submit)', () => {
  it('OWASP CSRF Prevention: a token verifies only with its cookie and its subject', () => {
    const csrf = createCsrf(secret, { secure: false })
    const first = csrf.issue(undefined, 'login:a')
    expect(first.setCookie).toMatch(/^demo\.csrf=[\w-]{43}; Path=\/; HttpOnly; SameSite=Lax$/)
    const cookie = first.setCookie!.split(';')[0]!
    expect(csrf.verify(cookie, 'login:a', first.token)).toBe(true)
    // The same browser gets the same token again, and no new cookie.
    expect(csrf.issue(cookie, 'login:a')).toEqual({ token: first.token })
    expect(csrf.verify(cookie, 'login:b', first.token)).toBe(false)
    expect(csrf.verify('demo.csrf=other', 'login:a', first.token)).toBe(false)
    expect(csrf.verify(undefined, 'login:a', first.token)).toBe(false)
    expect(csrf.verify(cookie, 'login:a', undefined)).toBe(false)
    expect(csrf.verify(cookie, 'login:a', ['x'])).toBe(false)
    // Another server secret: the token is worthless.
    expect(
      createCsrf(new Uint8Array(32), { secure: false }).verify(cookie, 'login:a', first.token),
    ).toBe(false)
  })

  it('RFC 6265bis 4.1.3.2: https issuers use a __Host- cookie with Secure', () => {
    const { setCookie } = createCsrf(secret, { secure: true }).issue(undefined, 'x')
    expect(setCookie).toMatch(/^__Host-demo\.csrf=[\w-]+; Path=\/; HttpOnly; SameSite=Lax; Secure$/)
  })

  it('RFC 6265 5.4: readCookie finds one cookie among several', () => {
    expect(readCookie('a=1; demo.csrf=xyz; b=2', 'demo.csrf')).toBe('xyz')
    expect(readCookie('a=1', 'demo.csrf')).toBeUndefined()
    expect(readCookie(undefined, 'a')).toBeUndefined()
  })
})

describe('login rate limiter', () => {
  it('OWASP ASVS V2.2.1: 5 failures per account in 15 minutes lock it; the window slides', () => {
    let now = 0
    const limiter = new LoginRateLimiter({ now: () => now })
    for (let i = 0; i < 5; i++) {
      expect(limiter.check('Alice', '10.0.0.1').allowed).toBe(true)
      limiter.fail('Alice', '10.0.0.1')
      now += 1000
    }
    // Usernames are compared case-insensitively, from any IP.
    const blocked = limiter.check(' alice ', '10.0.0.2')
    expect(blocked).toEqual({ allowed: false, retryAfter: 15 * 60 - 5 })
    expect(limiter.check('bob', '10.0.0.1').allowed).toBe(true)
    now = 15 * 60 * 1000 + 1
    expect(limiter.check('alice', '10.0.0.1').allowed).toBe(true)
  })

  it('OWASP ASVS V2.2.1: 20 failures from one IP lock it for every username', () => {
    const limiter = new LoginRateLimiter({ now: () => 0 })
    for (let i = 0; i < 20; i++) limiter.fail(`user${i}`, '10.0.0.9')
    expect(limiter.check('someone-else', '10.0.0.9').allowed).toBe(false)
    expect(limiter.check('someone-else', '10.0.0.8').allowed).toBe(true)
  })

  it('OWASP ASVS V2.2.1: a successful login clears the account, not the IP; memory stays bounded', () => {
    const limiter = new LoginRateLimiter({ now: () => 0, perIp: 6, maxKeys: 3 })
    for (let i = 0; i < 5; i++) limiter.fail('alice', '10.0.0.1')
    limiter.succeed('alice')
    expect(limiter.check('alice', '10.0.0.2').allowed).toBe(true)
    limiter.fail('alice', '10.0.0.1')
    expect(limiter.check('carol', '10.0.0.1').allowed).toBe(false)
    // Beyond maxKeys the least recently failed key is forgotten.
    limiter.fail('x', '10.0.0.5')
    limiter.fail('y', '10.0.0.6')
    expect(limiter.check('carol', '10.0.0.1').allowed).toBe(true)
  })
})
