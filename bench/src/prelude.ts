/**
 * The same requests for two servers: what a browser sent one of them, recorded, and sent again
 * to the other. The instructions count sends the static ceiling the requests of oidkit's
 * sign-in, so that both are counted after the same requests: V8 optimizes Node's HTTP code for
 * the requests a process has seen. The ceiling answers them 404, which moves its count far less
 * than serving them moves oidkit's (`bench/README.md`, Findings, item 16).
 */

/** One request as it was sent, to be sent again to another server. */
export interface SentRequest {
  method: string
  /** Path and query, relative to the server. */
  path: string
  headers: Record<string, string>
  body?: string
}

/** The fetch the browser of `browser.ts` uses: the global one, or one that records. */
export type Fetch = (url: string, init?: RequestInit) => Promise<Response>

/**
 * A fetch that writes down every request it sends (the bodies the bench sends are strings), in
 * order, then sends it.
 *
 * @example
 * ```ts
 * const prelude: SentRequest[] = []
 * await signIn(url, OIDKIT_PATHS, recordingFetch(prelude))
 * ```
 */
export function recordingFetch(into: SentRequest[]): Fetch {
  return (url, init = {}) => {
    const { pathname, search } = new URL(url)
    const sent: SentRequest = {
      method: init.method ?? 'GET',
      path: `${pathname}${search}`,
      headers: Object.fromEntries(new Headers(init.headers)),
    }
    if (typeof init.body === 'string') sent.body = init.body
    into.push(sent)
    return fetch(url, init)
  }
}

/**
 * Sends recorded requests to another server, one after the other, whatever it answers. Returns
 * the statuses, in order.
 *
 * @example
 * ```ts
 * await replay(ceiling.url, prelude)
 * ```
 */
export async function replay(base: string, requests: readonly SentRequest[]): Promise<number[]> {
  const statuses: number[] = []
  for (const { method, path, headers, body } of requests) {
    const response = await fetch(`${base}${path}`, {
      method,
      headers,
      redirect: 'manual',
      ...(body === undefined ? {} : { body }),
    })
    await response.arrayBuffer()
    statuses.push(response.status)
  }
  return statuses
}
