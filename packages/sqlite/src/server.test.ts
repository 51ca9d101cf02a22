import { KeySet } from '@oidkit/jose'
import { createAuthorizationServer } from '@oidkit/oauth2'
import { describe, expect, it } from 'vitest'
import { SqliteStore } from './sqlite-store'

const issuer = 'https://as.example.com'

describe('SqliteStore under createAuthorizationServer', () => {
  it('RFC 7591 3 + RFC 6749 4.4: registers a client and issues a client_credentials token', async () => {
    const storage = new SqliteStore({ filename: ':memory:' })
    const server = createAuthorizationServer({
      issuer,
      keys: await KeySet.generate('RS256'),
      storage,
      registration: { policy: { type: 'open' } },
    })

    const registered = await server.handle(
      new Request(`${issuer}/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          grant_types: ['client_credentials'],
          response_types: [],
          token_endpoint_auth_method: 'client_secret_basic',
          client_name: 'SQLite-backed client',
        }),
      }),
    )
    expect(registered.status).toBe(201)
    const client = (await registered.json()) as {
      client_id: string
      client_secret: string
      registration_access_token: string
    }
    expect(await storage.clients.get(client.client_id)).toMatchObject({
      client_id: client.client_id,
      client_name: 'SQLite-backed client',
    })

    const basic = `Basic ${btoa(`${encodeURIComponent(client.client_id)}:${encodeURIComponent(client.client_secret)}`)}`
    const tokenResponse = await server.handle(
      new Request(`${issuer}/token`, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials' }),
      }),
    )
    expect(tokenResponse.status).toBe(200)
    const tokens = (await tokenResponse.json()) as {
      access_token: string
      token_type: string
      refresh_token?: string
    }
    expect(tokens.token_type).toBe('Bearer')
    expect(tokens.refresh_token).toBeUndefined()

    // RFC 7662 2.2: the token is found again in the store by the introspection endpoint.
    const introspection = await server.handle(
      new Request(`${issuer}/introspect`, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: tokens.access_token }),
      }),
    )
    expect(await introspection.json()).toMatchObject({ active: true, client_id: client.client_id })

    // RFC 7592 2.1: the registration access token was stored and still reads the client.
    const read = await server.handle(
      new Request(`${issuer}/register/${client.client_id}`, {
        headers: { authorization: `Bearer ${client.registration_access_token}` },
      }),
    )
    expect(read.status).toBe(200)
    storage.close()
  })
})
