import { randomBytes } from 'node:crypto'
import { KeySet } from '@oidkit/jose'
import { SignJWT } from 'jose'
import { API_AUDIENCE } from '../fixtures'
import { readBody, readInit, serve } from './runtime'

/**
 * The ceiling of the token scenarios: a bare `node:http` handler that reads and parses the form
 * body and answers with a freshly signed RS256 JWT (`jose` directly, the shared RSA-2048 key).
 * No client authentication, no store: one signature per request and nothing else.
 */
const { keys: serialized } = readInit<Record<string, never>>()
const key = (await KeySet.fromJSON(serialized)).signingKey('RS256')
const header = { alg: 'RS256', kid: key.kid, typ: 'at+jwt' }

await serve((issuer) => async (req, res) => {
  try {
    const form = new URLSearchParams(await readBody(req))
    const now = Math.floor(Date.now() / 1000)
    const token = await new SignJWT({
      iss: issuer,
      sub: form.get('client_id') ?? 'bench-client',
      aud: API_AUDIENCE,
      client_id: 'bench-client',
      scope: form.get('scope') ?? 'api',
      grant_type: form.get('grant_type'),
      iat: now,
      exp: now + 3600,
      jti: randomBytes(16).toString('base64url'),
    })
      .setProtectedHeader(header)
      .sign(key.privateKey)
    const body = JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 3600 })
    res.writeHead(200, {
      'content-type': 'application/json',
      'cache-control': 'no-store',
      'content-length': Buffer.byteLength(body),
    })
    res.end(body)
  } catch {
    res.writeHead(500).end()
  }
})
