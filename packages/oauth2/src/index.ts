// The server

export {
  authorizationCodeGrant,
  codeResponseType,
  mayIssueRefreshToken,
} from './authorization-code-grant'
export type { InteractionResults } from './authorization-decision'
export { interactionResults } from './authorization-decision'
export { authorizationEndpoint } from './authorization-endpoint'
export { canonicalResponseType, renderError } from './authorization-request'
export type { BearerVerifier, BearerVerifyOptions, VerifiedBearer } from './bearer'
// Protected resources (RFC 6750) and tokens
export { createBearerVerifier } from './bearer'
export type { Client } from './client'
// Clients and registration
export {
  authMethodOf,
  grantTypesOf,
  isPublicClient,
  matchRedirectUri,
  responseTypesOf,
} from './client'
export type { AuthenticatedClient } from './client-auth'
export { authenticateClient, JWT_BEARER_ASSERTION_TYPE } from './client-auth'
export { clientCredentialsGrant } from './client-credentials-grant'
export type { ClientMetadata } from './client-metadata'
export { OAuthClientMetadataEntries, OAuthClientMetadataSchema } from './client-metadata'
export type { ClientMetadataCheck } from './client-registration'
export {
  clientMetadataSchema,
  oauthClientMetadataChecks,
  validateClientMetadata,
} from './client-registration'
export type {
  AccountHooks,
  AuthorizationServerConfig,
  CorsConfig,
  EndpointName,
  InteractionConfig,
  IntrospectionConfig,
  PkceConfig,
  RegistrationConfig,
  RegistrationPolicy,
  ServerEvents,
  TokenConfig,
} from './config'
export type { ResolvedSettings, ServerContext } from './context'
export { createContext } from './context'
export type { CreateClientOptions, CreatedClient } from './create-client'
export { createClient } from './create-client'
export { randomToken, sha256, timingSafeEqual } from './crypto'
export type { OAuthErrorCode, OAuthErrorOptions } from './errors'
// Errors
export { isOAuthError, OAuthError, sanitizeDescription } from './errors'
export { implicitResponseType } from './implicit-grant'
export type { InteractionApi, InteractionDetails, InteractionResult } from './interactions'
// Interactions and sessions
export { createInteractionApi, defaultChecks } from './interactions'
export { introspectionEndpoint } from './introspection-endpoint'
// Storage
export { MemoryStore } from './memory-store'
export { buildMetadata, jwksEndpoint, metadataEndpoint } from './metadata-endpoint'
export { passwordGrant } from './password-grant'
export { validateCodeChallenge, verifyCodeVerifier } from './pkce'
// Extension points: plugins, grants, response types, endpoints
export type {
  AuthorizationCheck,
  AuthorizationCheckContext,
  AuthorizationCheckResult,
  AuthorizationRequest,
  AuthorizationResponseContext,
  ClientMetadataExtension,
  Endpoint,
  ResponseTypeHandler,
  ServerPlugin,
  TokenGrantHandler,
  TokenRequestContext,
  TokenResponseBody,
  TokenResponseContext,
} from './plugin'
export { refreshTokenGrant } from './refresh-token-grant'
export { registrationEndpoint } from './registration-endpoint'
export type { OAuthRequest, ParseRequestOptions, RequestLike } from './request'
// Building blocks
export { headerOf, methodNotAllowed, Params, parseRequest } from './request'
export type { EndpointResponse, TextResponseInit } from './response'
export {
  escapeHtml,
  jsonResponse,
  redirectResponse,
  TextResponse,
  textResponse,
  toWebResponse,
} from './response'
export type { AuthorizationResponseInput, ResponseMode } from './response-mode'
export { deliverAuthorizationResponse, RESPONSE_MODES } from './response-mode'
export { revocationEndpoint } from './revocation-endpoint'
export { formatScope, parseScope, resolveScopes } from './scope'
export type { AuthorizationServer } from './server'
export { createAuthorizationServer } from './server'
export type { LoginInput } from './session'
export { endSession, readSession, SESSION_COOKIE } from './session'
export type { VerifiedSoftwareStatement } from './software-statement'
export { verifySoftwareStatement } from './software-statement'
export type {
  AuthorizationCodeRecord,
  ConsentRecord,
  ConsumeResult,
  GrantRecord,
  InteractionRecord,
  SessionRecord,
  Storage,
  TokenRecord,
  TokenType,
} from './storage'
export { tokenEndpoint } from './token-endpoint'
export type { IssueTokensInput } from './token-issuer'
export { issueAccessToken, issueRefreshToken, issueTokens } from './token-issuer'
export type { ResolvedToken } from './token-lookup'
export { findToken, isActive, resolveToken } from './token-lookup'
export { parseWithSchema } from './validation'
