import { describe, expect, it } from 'vitest'
import { isOAuthError } from './errors'
import { parseRequest } from './request'

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }
const options = { methods: ['POST'], body: 'form', maxBodySize: 1024 } as const

describe('parseRequest', () => {
  it('RFC 6749 3.2: a token request without a query has empty query parameters, and its URL and headers on demand', async () => {
    const request = new Request('https://as.example/token', {
      method: 'POST',
      headers: { ...FORM, authorization: 'Basic eDp5' },
      body: 'grant_type=client_credentials&scope=a%20b',
    })
    const parsed = await parseRequest(request, options)
    expect([...parsed.query.names()]).toEqual([])
    expect(parsed.form.get('grant_type')).toBe('client_credentials')
    expect(parsed.form.get('scope')).toBe('a b')
    expect(parsed.url.pathname).toBe('/token')
    expect(parsed.headers.get('authorization')).toBe('Basic eDp5')
  })

  it('RFC 6749 3.1: query parameters are read when the URL has a query, percent-decoded', async () => {
    const request = new Request('https://as.example/token?x=%C3%A9t%C3%A9&empty=', {
      method: 'POST',
      headers: FORM,
      body: '',
    })
    const parsed = await parseRequest(request, options)
    expect(parsed.query.get('x')).toBe('été')
    // RFC 6749 3.1: a parameter sent without a value is treated as omitted.
    expect(parsed.query.has('empty')).toBe(false)
    expect(parsed.url.search).toBe('?x=%C3%A9t%C3%A9&empty=')
  })

  it('RFC 6749 3.1: a query that is only a fragment after "#" is no query', async () => {
    const parsed = await parseRequest(new Request('https://as.example/token#a?b=c'), {
      methods: ['GET'],
      maxBodySize: 1024,
    })
    expect([...parsed.query.names()]).toEqual([])
  })

  it('RFC 6749 3.2: a body of another media type is invalid_request (415)', async () => {
    const request = new Request('https://as.example/token', {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: 'grant_type=x',
    })
    const error = await parseRequest(request, options).catch((e: unknown) => e)
    expect(isOAuthError(error) && [error.error, error.status]).toEqual(['invalid_request', 415])
  })
})
