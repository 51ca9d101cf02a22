import {
  Agent,
  createServer,
  request as httpRequest,
  type RequestListener,
  type Server,
} from 'node:http'
import type { AddressInfo } from 'node:net'
import { KeySet } from '@oidkit/jose'
import { afterEach, describe, expect, it } from 'vitest'
import { isOAuthError } from '../errors'
import { MemoryStore } from '../memory-store'
import { headerOf, parseRequest, type RequestLike } from '../request'
import { type EndpointResponse, responseText, TextResponse, textResponse } from '../response'
import { createAuthorizationServer } from '../server'
import { nodeHandler } from './node-bridge'

let server: Server | undefined

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  server = undefined
})

type Mode = 'web handler' | 'dispatcher'

// The bridge serves a Web handler with a Web Request and a dispatcher with its lighter
// IncomingRequest: every test runs through both.
describe.each<Mode>(['web handler', 'dispatcher'])('node bridge, %s', (mode) => {
  async function serve(
    handler: (request: RequestLike) => EndpointResponse | Promise<EndpointResponse>,
    listener: (handle: RequestListener) => RequestListener = (handle) => handle,
  ): Promise<string> {
    server = createServer(
      listener(nodeHandler(mode === 'dispatcher' ? { dispatch: handler } : handler)),
    )
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  }

  it('RFC 9110 8.6: a textResponse goes out as is, with the byte length of its UTF-8 text', async () => {
    const body = JSON.stringify({ name: 'Zoë Ångström', emoji: '🔑' })
    const url = await serve(async () =>
      textResponse(body, { headers: { 'content-type': 'application/json' } }),
    )
    const response = await fetch(url)
    expect(response.headers.get('content-length')).toBe(
      String(new TextEncoder().encode(body).byteLength),
    )
    expect(await response.text()).toBe(body)
  })

  it('RFC 9110 8.6 / RFC 8259 8.1: ASCII and non-ASCII texts, alternating and repeated, go out as their UTF-8 bytes', async () => {
    // ASCII text is written as one-byte text; "é" (U+00E9) fits one byte too, and must not be
    // written as one: its UTF-8 is two.
    // Both text paths: a TextResponse, and a Web Response made from one.
    const texts = ['{"a":"plain"}', '{"a":"café"}', '{"a":"plain"}', '{"a":"plain"}', 'é', '🔑', '']
    for (const web of [false, true]) {
      let next = 0
      const url = await serve(() => {
        const answer = textResponse(texts[next++]!)
        return web ? answer.toResponse() : answer
      })
      for (const text of texts) {
        const response = await fetch(url)
        const expected = new TextEncoder().encode(text)
        expect(response.headers.get('content-length'), text).toBe(String(expected.byteLength))
        expect(new Uint8Array(await response.arrayBuffer()), text).toEqual(expected)
      }
      await new Promise<void>((resolve) => server!.close(() => resolve()))
      server = undefined
    }
  })

  it('RFC 9110 8.6: other bodies are read from their stream and sent with their length', async () => {
    const bytes = new Uint8Array([0, 1, 2, 250, 255])
    const url = await serve(async () => new Response(bytes))
    const response = await fetch(url)
    expect(response.headers.get('content-length')).toBe('5')
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(bytes)
  })

  it('RFC 6265 3: every Set-Cookie added to a TextResponse goes out as its own header line', async () => {
    const url = await serve(async () => {
      const response = new TextResponse(null, { status: 303, headers: { location: '/next' } })
      response.headers.append('set-cookie', 'a=1; Path=/')
      response.headers.append('set-cookie', 'b=2; Path=/')
      return response
    })
    const response = await fetch(url, { redirect: 'manual' })
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe('/next')
    expect(response.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; Path=/'])
  })

  it('RFC 9110 6.4: an answer given synchronously is written before the request event returns', async () => {
    const written: boolean[] = []
    const url = await serve(
      () => textResponse('{"keys":[]}', { headers: { 'content-type': 'application/json' } }),
      (handle) => (req, res) => {
        handle(req, res)
        written.push(res.writableEnded)
      },
    )
    const response = await fetch(url)
    expect(await response.json()).toEqual({ keys: [] })
    expect(written).toEqual([true])
  })

  it('RFC 9112 9.3: after synchronous answers, unread bodies included, the kept-alive connection serves the next request', async () => {
    const ports: number[] = []
    const url = await serve(
      (request) => textResponse(request.method),
      (handle) => (req, res) => {
        ports.push(req.socket.remotePort!)
        handle(req, res)
      },
    )
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    const send = (method: string, body?: string) =>
      new Promise<string>((resolve, reject) => {
        const client = httpRequest(url, { method, agent }, (res) => {
          let text = ''
          res.setEncoding('utf8').on('data', (chunk: string) => {
            text += chunk
          })
          res.once('end', () => resolve(`${res.statusCode} ${text}`))
        })
        client.once('error', reject)
        client.end(body)
      })
    try {
      // A bodiless GET (nothing to drain), a POST whose body nobody reads (drained), a GET again.
      expect(await send('GET')).toBe('200 GET')
      expect(await send('POST', 'x'.repeat(200_000))).toBe('200 POST')
      expect(await send('GET')).toBe('200 GET')
    } finally {
      agent.destroy()
    }
    expect(ports).toHaveLength(3)
    expect(new Set(ports).size).toBe(1)
  })

  it('RFC 9110 9.3.2: a HEAD request gets the headers of GET and no body', async () => {
    const url = await serve(async () => textResponse('{"a":1}'))
    const response = await fetch(url, { method: 'HEAD' })
    expect(response.headers.get('content-length')).toBe('7')
    expect(await response.text()).toBe('')
  })

  it('the request carries method, URL, headers and a body readable as text, JSON or form data', async () => {
    const url = await serve(async (request) => {
      const copy = request.clone()
      const form = await request.formData()
      return textResponse(
        JSON.stringify({
          method: request.method,
          path: new URL(request.url).pathname + new URL(request.url).search,
          custom: request.headers.get('x-custom'),
          used: request.bodyUsed,
          form: form.get('a'),
          text: await copy.text(),
        }),
      )
    })
    const response = await fetch(`${url}/p/q?x=1`, {
      method: 'PUT',
      headers: { 'x-custom': 'yes', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=%C3%A9',
    })
    expect(await response.json()).toEqual({
      method: 'PUT',
      path: '/p/q?x=1',
      custom: 'yes',
      used: true,
      form: 'é',
      text: 'a=%C3%A9',
    })
  })

  it('Fetch Body mixin formData(), URL 5.1: a URL-encoded body parses as the application/x-www-form-urlencoded parser does', async () => {
    const bodies = [
      'a=%C3%A9&a=2&b=&c',
      'x+y=1+2&%zz=%E2%82&=v&&k=%2B%26%3D',
      '\uFEFFfirst=1&name=Ω',
      'only',
    ]
    const url = await serve(async (request) =>
      textResponse(JSON.stringify([...(await request.formData()).entries()])),
    )
    for (const body of bodies) {
      const headers = { 'content-type': 'Application/X-WWW-Form-URLEncoded; charset=UTF-8' }
      // undici's Response is the reference parser: the Web handler's Request uses it as well.
      const expected = [...(await new Response(body, { headers }).formData()).entries()]
      const response = await fetch(url, { method: 'POST', headers, body })
      expect(await response.json(), body).toEqual(expected)
    }
  })

  it('Fetch Body mixin formData(): a multipart body still parses, files included', async () => {
    const url = await serve(async (request) => {
      const form = await request.formData()
      const file = form.get('file') as File
      return textResponse(JSON.stringify([form.get('a'), file.name, await file.text()]))
    })
    const body = new FormData()
    body.append('a', 'é')
    body.append('file', new Blob(['contents']), 'f.txt')
    const response = await fetch(url, { method: 'POST', body })
    expect(await response.json()).toEqual(['é', 'f.txt', 'contents'])
  })

  it('Fetch 5.2: headers read one by one, iterated and changed agree', async () => {
    const url = await serve(async (request) => {
      const read = [headerOf(request, 'x-custom'), headerOf(request, 'x-none')]
      const { headers } = request
      const single = [headers.get('X-Custom'), headers.has('x-custom'), headers.get('x-none')]
      const listed = [...headers].filter(([name]) => name.startsWith('x-'))
      headers.set('x-added', '1')
      headers.delete('x-custom')
      return textResponse(
        JSON.stringify({
          single,
          listed,
          after: [headers.get('x-added'), headers.has('x-custom')],
          read,
          readAfter: [headerOf(request, 'x-added'), headerOf(request, 'x-custom')],
        }),
      )
    })
    const response = await fetch(url, { headers: { 'x-custom': 'yes', 'x-other': 'two' } })
    expect(await response.json()).toEqual({
      single: ['yes', true, null],
      listed: [
        ['x-custom', 'yes'],
        ['x-other', 'two'],
      ],
      after: ['1', false],
      read: ['yes', null],
      readAfter: ['1', null],
    })
  })

  it('a body can be read once: reading it again fails, and a clone must come first', async () => {
    const url = await serve(async (request) => {
      const parsed = (await request.json()) as { n: number }
      const again = await request.text().then(
        () => 'read twice',
        () => 'refused',
      )
      let clone = 'cloned'
      try {
        request.clone()
      } catch {
        clone = 'refused'
      }
      return textResponse(`${parsed.n} ${again} ${clone}`)
    })
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"n":7}',
    })
    expect(await response.text()).toBe('7 refused refused')
  })

  it('the Web request aborts when the client goes away, whenever its signal is read', async () => {
    let early: AbortSignal | undefined
    let late: AbortSignal | undefined
    const done = new Promise<void>((resolve) => {
      void serve(async (request) => {
        early = request.signal
        expect(early.aborted).toBe(false)
        await new Promise((wait) => early!.addEventListener('abort', wait, { once: true }))
        late = request.signal
        resolve()
        return new Response(null, { status: 204 })
      }).then((url) => {
        const { port } = new URL(url)
        const client = httpRequest({ host: '127.0.0.1', port, path: '/' })
        client.on('error', () => {})
        client.end()
        setTimeout(() => client.destroy(), 50)
      })
    })
    await done
    expect(early?.aborted).toBe(true)
    expect(late?.aborted).toBe(true)
  })

  it('a signal first read after the client left is already aborted', async () => {
    let signal: AbortSignal | undefined
    const done = new Promise<void>((resolve) => {
      void serve(async (request) => {
        await new Promise((wait) => setTimeout(wait, 150))
        signal = request.signal
        resolve()
        return new Response(null, { status: 204 })
      }).then((url) => {
        const client = httpRequest({ host: '127.0.0.1', port: new URL(url).port, path: '/' })
        client.on('error', () => {})
        client.end()
        setTimeout(() => client.destroy(), 30)
      })
    })
    await done
    expect(signal?.aborted).toBe(true)
  })

  it('RFC 6749 3.2: a small form body reaches the core whole, and the handler can still read it', async () => {
    const url = await serve(async (request) => {
      const copy = request.clone()
      const parsed = await parseRequest(request, {
        methods: ['POST'],
        body: 'form',
        maxBodySize: 100,
      })
      return textResponse(`${parsed.form.get('grant_type')}|${await copy.text()}`)
    })
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&scope=api',
    })
    expect(await response.text()).toBe('client_credentials|grant_type=client_credentials&scope=api')
  })

  it('RFC 9110 8.6: the size cap applies to a body read whole, and chunked bodies still stream', async () => {
    const url = await serve(async (request) => {
      try {
        const parsed = await parseRequest(request, {
          methods: ['POST'],
          body: 'form',
          maxBodySize: 20,
        })
        return textResponse(`ok ${parsed.form.get('a')}`)
      } catch (error) {
        if (isOAuthError(error)) return error.toResponse()
        throw error
      }
    })
    const form = { 'content-type': 'application/x-www-form-urlencoded' }
    const tooLarge = await fetch(url, {
      method: 'POST',
      headers: form,
      body: `a=${'x'.repeat(40)}`,
    })
    expect(tooLarge.status).toBe(413)
    const chunked = await fetch(url, {
      method: 'POST',
      headers: form,
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('a=b'))
          controller.close()
        },
      }),
      duplex: 'half',
    } as RequestInit)
    expect(await chunked.text()).toBe('ok b')
  })

  it('RFC 9110 8.6: a body cut short by the client fails to read, so the core rejects it', async () => {
    let outcome: unknown
    const done = new Promise<void>((resolve) => {
      void serve(async (request) => {
        try {
          await parseRequest(request, { methods: ['POST'], body: 'form', maxBodySize: 2000 })
          outcome = 'parsed'
        } catch (error) {
          outcome = isOAuthError(error) ? error.error : error
        }
        resolve()
        return new Response(null, { status: 400 })
      }).then((url) => {
        const client = httpRequest({
          host: '127.0.0.1',
          port: new URL(url).port,
          method: 'POST',
          path: '/',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'content-length': '1000',
          },
        })
        client.on('error', () => {})
        client.write('grant_type=client_credentials&client_id=')
        setTimeout(() => client.destroy(), 50)
      })
    })
    await done
    expect(outcome).toBe('invalid_request')
  })

  it('a request that completes never sees its signal abort', async () => {
    let signal: AbortSignal | undefined
    const url = await serve(async (request) => {
      signal = request.signal
      return textResponse('ok')
    })
    expect(await (await fetch(url)).text()).toBe('ok')
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(signal?.aborted).toBe(false)
  })
})

describe('TextResponse.toResponse', () => {
  it('a Web Response made from a TextResponse hands the bridge its text until its body is read', async () => {
    const response = textResponse('{"ok":true}').toResponse()
    expect(responseText(response)).toBe('{"ok":true}')
    expect(await response.json()).toEqual({ ok: true })
    expect(responseText(response)).toBeUndefined()
    expect(responseText(new Response('plain'))).toBeUndefined()
  })
})

describe('node bridge routing', () => {
  it('RFC 9112 3.2 / WHATWG URL: routes on the request target as the URL parser reads it', async () => {
    const keys = await KeySet.generate('RS256')
    const as = createAuthorizationServer({
      issuer: 'https://as.example',
      keys,
      storage: new MemoryStore(),
    })
    server = createServer(nodeHandler(as))
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as AddressInfo).port
    // Raw targets, sent as they are (fetch would normalize them first).
    const status = (path: string) =>
      new Promise<number>((resolve, reject) => {
        httpRequest({ host: '127.0.0.1', port, path }, (res) => {
          res.resume()
          resolve(res.statusCode!)
        })
          .once('error', reject)
          .end()
      })
    expect(await status('/jwks')).toBe(200)
    expect(await status('/jwks?x=1')).toBe(200)
    // Dot segments are removed by the parser; percent-encoding in a path is not decoded.
    expect(await status('/x/../jwks')).toBe(200)
    expect(await status('/./jwks')).toBe(200)
    expect(await status('/%6Awks')).toBe(404)
    expect(await status('/jwks/')).toBe(404)
  })
})
