import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { recordingFetch, replay, type SentRequest } from './prelude'
import { readBody } from './servers/runtime'

interface Seen {
  method: string
  url: string
  cookie: string | undefined
  authorization: string | undefined
  type: string | undefined
  body: string
}

// A server that writes down what reaches it: the recorded requests and their replay must match.
const seen: Seen[] = []
const server = createServer(async (req: IncomingMessage, res) => {
  seen.push({
    method: req.method ?? '',
    url: req.url ?? '',
    cookie: req.headers.cookie,
    authorization: req.headers.authorization,
    type: req.headers['content-type'],
    body: await readBody(req),
  })
  if (req.url === '/redirect') res.writeHead(302, { location: '/elsewhere' }).end()
  else res.writeHead(req.url === '/missing' ? 404 : 200).end('ok')
})
let base = ''

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

describe('requests recorded from one server and replayed to another', () => {
  it('records each request as sent and sends the same requests again, whatever the answers', async () => {
    const prelude: SentRequest[] = []
    const send = recordingFetch(prelude)
    await send(`${base}/authorize?client_id=c&scope=openid`, {
      redirect: 'manual',
      headers: { cookie: 'session=abc' },
    }).then((response) => response.text())
    await send(`${base}/redirect`, { redirect: 'manual' }).then((response) => response.text())
    await send(`${base}/token`, {
      method: 'POST',
      headers: { authorization: 'Basic Yzpz', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=authorization_code&code=x',
    }).then((response) => response.text())
    await send(`${base}/missing`).then((response) => response.text())

    expect(prelude.map(({ method, path }) => `${method} ${path}`)).toEqual([
      'GET /authorize?client_id=c&scope=openid',
      'GET /redirect',
      'POST /token',
      'GET /missing',
    ])
    expect(prelude[2]?.body).toBe('grant_type=authorization_code&code=x')

    const original = seen.splice(0)
    // Redirects are not followed: the recorded browser follows them itself, as its own requests.
    expect(await replay(base, prelude)).toEqual([200, 302, 200, 404])
    expect(seen).toEqual(original)
    expect(seen[0]?.cookie).toBe('session=abc')
    expect(seen[2]).toMatchObject({
      method: 'POST',
      authorization: 'Basic Yzpz',
      type: 'application/x-www-form-urlencoded',
      body: 'grant_type=authorization_code&code=x',
    })
  })
})
