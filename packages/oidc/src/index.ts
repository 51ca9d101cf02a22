// The provider

// Pieces, for integrators who compose their own server
export { accountClaims, STANDARD_CLAIMS } from './account-claims'
export { oidcChecks, PROMPT_VALUES } from './authorization-checks'
export type {
  OIDCClientMetadata,
  OIDCClientMetadataExtension,
  OIDCClientMetadataOptions,
} from './client-metadata'
export { OIDCClientMetadataEntries, oidcClientMetadata } from './client-metadata'
export type {
  AccountClaimsContext,
  ClaimsUse,
  LogoutOptions,
  OpenIDOptions,
  OpenIDProviderConfig,
} from './config'
export { discoveryEndpoint, openidMetadata } from './discovery-endpoint'
export type { LogoutApi, LogoutDetails, LogoutResult } from './end-session-endpoint'
export { endSessionEndpoint, logoutApi } from './end-session-endpoint'
export type { IdTokenHint } from './id-token-hint'
export { verifyIdTokenHint } from './id-token-hint'
export type { IdTokenFlow, IssueIdTokenInput } from './id-token-issuer'
export { idTokenSigningKey, issueIdToken } from './id-token-issuer'
export { LOGOUT_COOKIE } from './logout-api'
export type { OpenIDProvider } from './provider'
export { createOpenIDProvider, DEFAULT_OPENID_SCOPES, openid } from './provider'
export { checkNonce, MAX_NONCE_LENGTH, oidcResponseTypes } from './response-types'
export { openidTokenExtension } from './token-extension'
export { userinfoEndpoint } from './userinfo-endpoint'
