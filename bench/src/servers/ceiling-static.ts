import { readInit, serve } from './runtime'

/**
 * The ceiling of the read-only scenarios (discovery, JWKS): a bare `node:http` handler that
 * answers every request with one JSON document serialized once, of the size an OP's discovery
 * document has. No routing, no parsing: what Node itself costs per request.
 */
readInit<Record<string, never>>()
const body = Buffer.from(
  JSON.stringify({
    issuer: 'http://127.0.0.1',
    ...Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [`metadata_${i}`, `value-${i}-of-a-document`]),
    ),
  }),
)

await serve(() => (_req, res) => {
  res.writeHead(200, {
    'content-type': 'application/json',
    'content-length': body.byteLength,
  })
  res.end(body)
})
