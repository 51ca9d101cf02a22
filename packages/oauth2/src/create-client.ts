import type { Client } from './client'
import type { ClientMetadata } from './client-metadata'
import { validateClientMetadata } from './client-registration'
import type { ServerContext } from './context'
import { randomToken, sha256 } from './crypto'
import { withFields } from './with-fields'

/** A client about to be stored, with the secret to hand out once. */
export interface ClientCredentials {
  readonly client: Client
  /** The plain secret, when one was issued now; only its hash is kept otherwise. */
  readonly clientSecret?: string
}

/**
 * Combines validated metadata with credentials: the client_id, and a secret unless the client
 * is public (`none` gets no secret at all). On update (`previous`) the id and a usable secret are
 * kept; a secret is issued when the new method needs one the server cannot use (a hash only,
 * but client_secret_jwt needs the plain HMAC key).
 *
 * @example
 * ```ts
 * const { client, clientSecret } = await withCredentials(server, metadata)
 * ```
 */
export async function withCredentials(
  server: ServerContext,
  metadata: Record<string, unknown>,
  options: { previous?: Client; clientId?: string; clientSecret?: string } = {},
): Promise<ClientCredentials> {
  const { previous } = options
  const now = server.now()
  // Every request of the client reads this record: one hidden class for all clients.
  const client: Client = withFields(metadata as ClientMetadata, {
    client_id: previous?.client_id ?? options.clientId ?? randomToken(16),
    client_id_issued_at: previous?.client_id_issued_at ?? now,
  })
  const method = client.token_endpoint_auth_method ?? 'client_secret_basic'
  if (method === 'none') return { client }
  const keep =
    previous?.client_secret_hash !== undefined &&
    (method !== 'client_secret_jwt' || previous.client_secret !== undefined)
  if (keep) {
    client.client_secret_hash = previous.client_secret_hash
    if (previous.client_secret_expires_at !== undefined) {
      client.client_secret_expires_at = previous.client_secret_expires_at
    }
    if (method === 'client_secret_jwt') client.client_secret = previous.client_secret
    return { client }
  }
  const secret = options.clientSecret ?? randomToken(32)
  client.client_secret_hash = await sha256(secret)
  // client_secret_jwt signs with the secret itself (RFC 7523 2.2), so it cannot be hashed only.
  if (method === 'client_secret_jwt') client.client_secret = secret
  const lifetime = (server.config.registration || undefined)?.secretLifetime ?? 0
  client.client_secret_expires_at = lifetime > 0 ? now + lifetime : 0
  return { client, clientSecret: secret }
}

/** Options of {@link createClient}. */
export interface CreateClientOptions {
  /** A fixed client_id (seeding); default a random one. Replaces a client with that id. */
  readonly clientId?: string
  /** A fixed secret (seeding); default a random one. Ignored for public clients. */
  readonly clientSecret?: string
  /** Also issue an RFC 7592 registration access token (stored hashed). */
  readonly registrationAccessToken?: boolean
}

/** What {@link createClient} made: the stored client and the secrets to hand out once. */
export interface CreatedClient {
  readonly client: Client
  readonly clientSecret?: string
  readonly registrationAccessToken?: string
}

/**
 * Registers a client programmatically through the same validation as the registration
 * endpoint (seeding, admin tools, tests). Nothing is stored unless the metadata is valid.
 *
 * @example
 * ```ts
 * const { client, clientSecret } = await createClient(server.context, {
 *   redirect_uris: ['https://app.example/cb'],
 *   client_name: 'Example',
 * })
 * ```
 */
export async function createClient(
  server: ServerContext,
  metadata: unknown,
  options: CreateClientOptions = {},
): Promise<CreatedClient> {
  const validated = await validateClientMetadata(server, metadata)
  return saveClient(server, validated, options)
}

/**
 * Stores a client built from already validated metadata, with its registration access token
 * when asked. The token is saved first: should saving the client fail, the orphan token is
 * removed and no client exists, so there is never a half-written registration.
 *
 * @example
 * ```ts
 * const created = await saveClient(server, await validateClientMetadata(server, body), {
 *   registrationAccessToken: true,
 * })
 * ```
 */
export async function saveClient(
  server: ServerContext,
  metadata: Record<string, unknown>,
  options: CreateClientOptions = {},
): Promise<CreatedClient> {
  const { client, clientSecret } = await withCredentials(server, metadata, options)
  const { storage } = server
  let registrationAccessToken: string | undefined
  if (options.registrationAccessToken) {
    registrationAccessToken = randomToken(32)
    await storage.registrationTokens.save(await sha256(registrationAccessToken), client.client_id)
  }
  try {
    await storage.clients.save(client)
  } catch (error) {
    if (registrationAccessToken) {
      await storage.registrationTokens.deleteForClient(client.client_id).catch(() => {})
    }
    throw error
  }
  return {
    client,
    ...(clientSecret === undefined ? {} : { clientSecret }),
    ...(registrationAccessToken === undefined ? {} : { registrationAccessToken }),
  }
}
