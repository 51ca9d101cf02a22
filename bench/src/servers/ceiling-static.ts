import { readInit, serve } from './runtime'

/** The documents to serve, by path: the bench hands over the OP's own. */
export interface CeilingStaticOptions {
  documents: Record<string, string>
}

/**
 * The ceiling of the read-only scenarios (discovery, JWKS): a bare `node:http` handler that
 * answers a request for one of its paths with that path's JSON document, encoded once. The
 * runner hands it oidkit's own discovery and JWKS documents, so that the ceiling sends the very
 * bytes oidkit sends. No parsing, no headers beyond type and length: what Node itself costs.
 */
const { options } = readInit<CeilingStaticOptions>()
const bodies = new Map(
  Object.entries(options.documents).map(([path, text]) => [path, Buffer.from(text)]),
)

await serve(() => (req, res) => {
  const body = bodies.get(req.url ?? '/')
  if (!body) {
    res.writeHead(404).end()
    return
  }
  res.writeHead(200, {
    'content-type': 'application/json',
    'content-length': body.byteLength,
  })
  res.end(body)
})
