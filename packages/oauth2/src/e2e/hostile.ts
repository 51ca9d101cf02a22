/** Hostile requests shared by the end-to-end tests of every package (test support only). */

const big = 'A'.repeat(100 * 1024)
const invalidUtf8 = new Uint8Array([0x67, 0x72, 0x61, 0x6e, 0x74, 0x3d, 0xff, 0xfe, 0xc0, 0xaf])

/** One hostile request: method, headers, body and query. */
export interface Hostile {
  name: string
  method?: string
  headers?: Record<string, string>
  body?: BodyInit
  query?: string
}

const form = { 'content-type': 'application/x-www-form-urlencoded' }
const json = { 'content-type': 'application/json' }

/** Requests no endpoint should ever answer with a 5xx, a stack trace or an unregistered redirect. */
export function hostileRequests(clientId: string, registered: string): Hostile[] {
  const list: Hostile[] = [
    { name: 'GET without anything' },
    { name: 'HEAD', method: 'HEAD' },
    { name: 'PUT', method: 'PUT', headers: form, body: 'a=b' },
    { name: 'PATCH', method: 'PATCH', headers: json, body: '{}' },
    { name: 'DELETE', method: 'DELETE' },
    { name: 'POST without content type', method: 'POST', body: 'grant_type=client_credentials' },
    {
      name: 'POST text/plain',
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'x',
    },
    {
      name: 'POST xml',
      method: 'POST',
      headers: { 'content-type': 'application/xml' },
      body: '<a/>',
    },
    {
      name: 'POST multipart',
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
      body: '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--x--',
    },
    { name: 'form garbage %%%', method: 'POST', headers: form, body: '%%%&&&==' },
    { name: 'form bad escapes', method: 'POST', headers: form, body: 'grant_type=%ZZ&scope=%' },
    { name: 'form only separators', method: 'POST', headers: form, body: '&&&&' },
    { name: 'form binary', method: 'POST', headers: form, body: new Uint8Array([0, 1, 2, 3, 255]) },
    { name: 'form invalid UTF-8', method: 'POST', headers: form, body: invalidUtf8 },
    { name: 'json invalid UTF-8', method: 'POST', headers: json, body: invalidUtf8 },
    {
      name: 'form 100 KB scope',
      method: 'POST',
      headers: form,
      body: `grant_type=client_credentials&scope=${big}`,
    },
    { name: 'form 100 KB client_id', method: 'POST', headers: form, body: `client_id=${big}` },
    { name: 'form 1 MB body', method: 'POST', headers: form, body: `a=${big.repeat(10)}` },
    {
      name: 'duplicated grant_type',
      method: 'POST',
      headers: form,
      body: 'grant_type=a&grant_type=b',
    },
    {
      name: 'duplicated client_id',
      method: 'POST',
      headers: form,
      body: `client_id=${clientId}&client_id=x`,
    },
    { name: 'duplicated token', method: 'POST', headers: form, body: 'token=a&token=b' },
    { name: 'unknown grant_type', method: 'POST', headers: form, body: 'grant_type=urn:evil' },
    {
      name: 'code grant without code',
      method: 'POST',
      headers: form,
      body: `grant_type=authorization_code&client_id=${clientId}`,
    },
    {
      name: 'refresh garbage',
      method: 'POST',
      headers: form,
      body: `grant_type=refresh_token&refresh_token=${big}`,
    },
    { name: 'json invalid', method: 'POST', headers: json, body: '{' },
    { name: 'json truncated array', method: 'POST', headers: json, body: '[1,2' },
    { name: 'json null', method: 'POST', headers: json, body: 'null' },
    { name: 'json string', method: 'POST', headers: json, body: '"hello"' },
    { name: 'json number', method: 'POST', headers: json, body: '123' },
    { name: 'json array', method: 'POST', headers: json, body: '[]' },
    {
      name: 'json redirect_uris not array',
      method: 'POST',
      headers: json,
      body: '{"redirect_uris":"x"}',
    },
    {
      name: 'json redirect_uris numbers',
      method: 'POST',
      headers: json,
      body: '{"redirect_uris":[1,2]}',
    },
    {
      name: 'json javascript redirect',
      method: 'POST',
      headers: json,
      body: '{"redirect_uris":["javascript:alert(1)"]}',
    },
    {
      name: 'json deep nesting',
      method: 'POST',
      headers: json,
      body: `${'['.repeat(5000)}${']'.repeat(5000)}`,
    },
    {
      name: 'json proto pollution',
      method: 'POST',
      headers: json,
      body: '{"__proto__":{"admin":true},"redirect_uris":["https://a.example/cb"],"constructor":{"prototype":{"x":1}}}',
    },
    {
      name: 'json huge string',
      method: 'POST',
      headers: json,
      body: JSON.stringify({ client_name: big }),
    },
    {
      name: 'json jwks garbage',
      method: 'POST',
      headers: json,
      body: '{"jwks":{"keys":"x"},"grant_types":["client_credentials"],"response_types":[]}',
    },
    {
      name: 'json software_statement garbage',
      method: 'POST',
      headers: json,
      body: '{"software_statement":"a.b.c"}',
    },
    {
      name: 'basic without colon',
      method: 'POST',
      headers: { ...form, authorization: `Basic ${btoa('nocolon')}` },
      body: 'grant_type=client_credentials',
    },
    {
      name: 'basic not base64',
      method: 'POST',
      headers: { ...form, authorization: 'Basic !!!***' },
      body: 'grant_type=client_credentials',
    },
    {
      name: 'basic huge',
      method: 'POST',
      headers: { ...form, authorization: `Basic ${btoa(`${big}:${big}`)}` },
      body: 'grant_type=client_credentials',
    },
    {
      name: 'basic bad percent',
      method: 'POST',
      headers: { ...form, authorization: `Basic ${btoa('%zz:%')}` },
      body: 'grant_type=client_credentials',
    },
    {
      name: 'bearer empty',
      method: 'POST',
      headers: { ...form, authorization: 'Bearer' },
      body: 'token=x',
    },
    { name: 'bearer garbage', method: 'GET', headers: { authorization: 'Bearer ".,;' } },
    {
      name: 'unknown scheme',
      method: 'POST',
      headers: { ...form, authorization: 'Digest x' },
      body: 'token=x',
    },
    {
      name: 'assertion garbage',
      method: 'POST',
      headers: form,
      body: 'grant_type=client_credentials&client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer&client_assertion=a.b.c',
    },
    {
      name: 'assertion not jwt',
      method: 'POST',
      headers: form,
      body: `grant_type=client_credentials&client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer&client_assertion=${big}`,
    },
    {
      name: 'assertion type unknown',
      method: 'POST',
      headers: form,
      body: 'grant_type=client_credentials&client_assertion_type=x&client_assertion=y',
    },
    {
      name: 'two auth methods',
      method: 'POST',
      headers: { ...form, authorization: `Basic ${btoa(`${clientId}:s`)}` },
      body: `grant_type=client_credentials&client_id=${clientId}&client_secret=s`,
    },
    // Query-string attacks (the authorization endpoint reads the query on GET).
    {
      name: 'query unknown client',
      query: 'client_id=nope&response_type=code&redirect_uri=https%3A%2F%2Fevil.example%2F',
    },
    {
      name: 'query unregistered redirect',
      query: `client_id=${clientId}&response_type=code&redirect_uri=https%3A%2F%2Fevil.example%2F`,
    },
    {
      name: 'query javascript redirect',
      query: `client_id=${clientId}&response_type=code&redirect_uri=javascript%3Aalert(1)`,
    },
    {
      name: 'query duplicated redirect',
      query: `client_id=${clientId}&redirect_uri=${encodeURIComponent(registered)}&redirect_uri=x&response_type=code`,
    },
    {
      name: 'query bad response_type',
      query: `client_id=${clientId}&redirect_uri=${encodeURIComponent(registered)}&response_type=${encodeURIComponent('<script>')}`,
    },
    {
      name: 'query bad response_mode',
      query: `client_id=${clientId}&redirect_uri=${encodeURIComponent(registered)}&response_type=code&response_mode=evil`,
    },
    {
      name: 'query bad scope chars',
      query: `client_id=${clientId}&redirect_uri=${encodeURIComponent(registered)}&response_type=code&scope=%22%5C`,
    },
    {
      name: 'query huge state',
      query: `client_id=${clientId}&redirect_uri=${encodeURIComponent(registered)}&response_type=code&state=${'s'.repeat(20000)}`,
    },
    {
      name: 'query bad PKCE',
      query: `client_id=${clientId}&redirect_uri=${encodeURIComponent(registered)}&response_type=code&code_challenge=short&code_challenge_method=S999`,
    },
    { name: 'query broken escapes', query: 'client_id=%E0%A4%A&response_type=%' },
  ]
  return list
}

/**
 * Sends every hostile request to `url` (plus each one's query) and checks the answer: no 5xx, no
 * stack trace, redirects only to `allowedRedirects`, JSON errors with a legal code and
 * description (RFC 6749 5.2).
 */
export async function expectSpecErrors(
  url: string,
  cases: readonly Hostile[],
  allowedRedirects: readonly string[],
  check: (condition: boolean, label: string, detail: string) => void,
): Promise<void> {
  for (const c of cases) {
    const target = `${url}${c.query ? `${url.includes('?') ? '&' : '?'}${c.query}` : ''}`
    const init: RequestInit = { method: c.method ?? (c.body ? 'POST' : 'GET'), redirect: 'manual' }
    if (c.headers) init.headers = c.headers
    if (c.body !== undefined && init.method !== 'GET' && init.method !== 'HEAD') init.body = c.body
    const response = await fetch(target, init)
    const label = `${url} ${c.name}`
    check(response.status < 500, label, `status ${response.status}`)
    const text = await response.text()
    check(!/\bat .+\.(ts|js):\d+/.test(text), label, 'stack trace in the body')
    const location = response.headers.get('location')
    if (location) {
      check(
        allowedRedirects.some((prefix) => location.startsWith(prefix)),
        label,
        `redirect to ${location}`,
      )
      continue
    }
    const type = response.headers.get('content-type') ?? ''
    // RFC 9110 9.3.2: HEAD answers carry no content.
    if (response.status >= 400 && type.includes('json') && init.method !== 'HEAD') {
      const body = JSON.parse(text) as { error?: unknown; error_description?: unknown }
      check(
        typeof body.error === 'string' && /^[a-z_]+$/.test(body.error),
        label,
        `error ${body.error}`,
      )
      if (body.error_description !== undefined) {
        check(
          typeof body.error_description === 'string' &&
            /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/.test(body.error_description),
          label,
          'error_description charset',
        )
      }
    }
  }
}

/**
 * Runs {@link expectSpecErrors} and collects what failed as `label: detail` lines, so that a test
 * asserts the whole list at once (empty when every answer is a spec error).
 *
 * @example
 * ```ts
 * expect(await specErrorFailures(`${issuer}/token`, cases, [registered, issuer])).toEqual([])
 * ```
 */
export async function specErrorFailures(
  url: string,
  cases: readonly Hostile[],
  allowedRedirects: readonly string[],
): Promise<string[]> {
  const failures: string[] = []
  await expectSpecErrors(url, cases, allowedRedirects, (ok, label, detail) => {
    if (!ok) failures.push(`${label}: ${detail}`)
  })
  return failures
}
