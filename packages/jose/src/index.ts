export { base64urlEncode } from './base64url'
export type {
  Address,
  ClaimsRequest,
  IDTokenClaims,
  IndividualClaimRequest,
  UserInfoClaims,
} from './claim-schemas'
export {
  AddressSchema,
  ClaimsRequestSchema,
  IDTokenClaimsSchema,
  IndividualClaimRequestSchema,
  SubjectSchema,
  UserInfoClaimsSchema,
} from './claim-schemas'
export type { ClaimRule, ClaimsValidationOptions } from './claims'
export { numericDate, validateClaims } from './claims'
export type { ClaimFailureReason, JoseErrorCode } from './errors'
export { claimError, isJoseError, JoseError } from './errors'
export { tokenHash } from './hashes'
export type {
  IDTokenBuildInput,
  IDTokenProfile,
  IDTokenRequirements,
  IDTokenValidationOptions,
} from './id-token'
export { CodeIDToken, HybridIDToken, IDToken, ImplicitIDToken } from './id-token'
export type {
  SharedSecret,
  SigningInput,
  SignJwtOptions,
  VerificationInput,
  VerifiedJwt,
  VerifyJwtOptions,
} from './jwt'
export { signJwt, verifyJwt } from './jwt'
export type { KeySetEntry, SerializedKeySet } from './key-set'
export { KeySet } from './key-set'
export type {
  AsymmetricAlgorithm,
  KeyState,
  SigningAlgorithm,
  SigningKey,
  SymmetricAlgorithm,
} from './keys'
export {
  ASYMMETRIC_ALGORITHMS,
  generateSigningKey,
  importSigningKey,
  importSigningKeyPem,
  importVerificationKey,
  publicJwk,
  SYMMETRIC_ALGORITHMS,
  thumbprint,
} from './keys'
export { sha256Base64url, sha256Digest } from './sha256'
export type {
  ClaimsTarget,
  FilterUserInfoOptions,
  RequestedClaimsOptions,
  UserInfoValidationOptions,
} from './userinfo'
export {
  claimsForScopes,
  filterUserInfo,
  parseClaimsRequest,
  requestedClaims,
  SCOPE_CLAIMS,
  UserInfo,
  validateUserInfo,
} from './userinfo'
