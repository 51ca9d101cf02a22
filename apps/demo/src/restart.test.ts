import { statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { DATA_FILES } from './provider'
import {
  authorizeUrl,
  CookieJar,
  loginAndConsent,
  REDIRECT_URI,
  type RunningDemo,
  registerClient,
  startDemo,
  tokenRequest,
} from './test-support'

// scrypt (N=2^17) and key generation are slow by design; parallel test files share the CPU.
const SLOW = 60_000

const jwksOf = async (issuer: string) =>
  (await (await fetch(`${issuer}/jwks`)).json()) as { keys: Array<Record<string, unknown>> }

describe('demo OP: a restart on the same DATA_DIR keeps clients, tokens, keys and accounts', {
  timeout: SLOW,
}, () => {
  const running: RunningDemo[] = []
  afterAll(async () => {
    for (const demo of running) await demo.stop().catch(() => {})
  })

  it('RFC 7592 2.1 / RFC 6749 6 / RFC 7517: the client, the refresh token and the JWKS survive a restart', async () => {
    const first = await startDemo()
    running.push(first)
    const client = await registerClient(first.issuer)
    const flow = authorizeUrl(first.issuer, client, { scope: 'openid email offline_access' })
    const callback = await loginAndConsent(flow.url, new CookieJar(), 'alice', 'wonderland')
    const tokens = await tokenRequest(first.issuer, client, {
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code')!,
      redirect_uri: REDIRECT_URI,
      code_verifier: flow.verifier,
    })
    expect(tokens.status).toBe(200)
    const refreshToken = tokens.body.refresh_token as string
    expect(refreshToken).toBeTypeOf('string')
    const keysBefore = await jwksOf(first.issuer)
    expect(keysBefore.keys.map((key) => key.alg).sort()).toEqual(['ES256', 'RS256'])
    const aliceBefore = first.accounts.findByUsername('alice')!.id
    // The private keys are readable by the owner only.
    expect(statSync(join(first.dataDir, DATA_FILES.keys)).mode & 0o777).toBe(0o600)
    await first.stop()

    // Same directory, same port: the same issuer, as after restarting `pnpm demo`.
    const second = await startDemo({ dataDir: first.dataDir, port: first.port })
    running.push(second)
    expect(second.issuer).toBe(first.issuer)
    expect(await jwksOf(second.issuer)).toEqual(keysBefore)
    expect(second.accounts.findByUsername('alice')!.id).toBe(aliceBefore)

    const read = await fetch(client.registration_client_uri, {
      headers: { authorization: `Bearer ${client.registration_access_token}` },
    })
    expect(read.status).toBe(200)
    expect(await read.json()).toMatchObject({ client_id: client.client_id })

    const refreshed = await tokenRequest(second.issuer, client, {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
    })
    expect(refreshed.status).toBe(200)
    expect(refreshed.body.access_token).toBeTypeOf('string')
    const userinfo = await fetch(`${second.issuer}/userinfo`, {
      headers: { authorization: `Bearer ${refreshed.body.access_token}` },
    })
    expect(await userinfo.json()).toMatchObject({ sub: aliceBefore, email: 'alice@example.com' })
  })
})
