/**
 * @module STS's error catalogue (openapi.md §d AssumeRole table, §g).
 */
import { defineError } from '../../kernel/errors.js';

export const StsNoPermission = defineError(
  'NoPermission',
  403,
  'You are not authorized to do this action. You should be authorized by RAM.',
);
export const InvalidParameterRoleArn = defineError(
  'InvalidParameter.RoleArn',
  400,
  'The parameter RoleArn is wrongly formed.',
);
export const InvalidParameterRoleSessionName = defineError(
  'InvalidParameter.RoleSessionName',
  400,
  'The parameter RoleSessionName is wrongly formed.',
);
export const InvalidParameterDurationSeconds = defineError(
  'InvalidParameter.DurationSeconds',
  400,
  'The Min/Max value of DurationSeconds is 15min/1hr.',
);
export const InvalidParameterPolicyGrammar = defineError(
  'InvalidParameter.PolicyGrammar',
  400,
  'The parameter Policy has not passed grammar check.',
);
export const InvalidParameterPolicySize = defineError(
  'InvalidParameter.PolicySize',
  400,
  'The parameter Policy is too long.',
);
export const InvalidParameterExternalId = defineError(
  'InvalidParameter.ExternalId',
  400,
  'The parameter ExternalId is wrongly formed.',
);
export const InvalidParameterSourceIdentity = defineError(
  'InvalidParameter.SourceIdentity',
  400,
  'The parameter SourceIdentity is wrongly formed.',
);
export const StsEntityNotExistRole = defineError(
  'EntityNotExist.Role',
  404,
  'The specified Role not exists.',
);

// ---- AssumeRoleWithOIDC (doc "STS API error codes", AuthenticationFail.*)
export const AuthenticationFailNoPermission = defineError(
  'AuthenticationFail.NoPermission',
  401,
  'There is no permission',
);
export const AuthenticationFailOIDCTokenInvalid = defineError(
  'AuthenticationFail.OIDCToken.Invalid',
  401,
  'The Jwt content is invalid that cannot be recognized.',
);
export const AuthenticationFailOIDCTokenExpired = defineError(
  'AuthenticationFail.OIDCToken.Expired',
  401,
  'This JsonWebToken is expired.',
);
export const AuthenticationFailOIDCTokenAudienceNotMatch = defineError(
  'AuthenticationFail.OIDCToken.AudienceNotMatch',
  401,
  'Invalid audience.',
);
export const AuthenticationFailOIDCTokenInvalidSignature = defineError(
  'AuthenticationFail.OIDCToken.InvalidSignature',
  401,
  'OIDC token validate failed: invalid signature.',
);
export const AuthenticationFailOIDCTokenHttpsUrlInvalid = defineError(
  'AuthenticationFail.OIDCToken.HttpsUrlInvalid',
  401,
  'Invoke url failed due to certificate chain validation',
);
export const AuthenticationFailOIDCTokenFingerprintMismatch = defineError(
  'AuthenticationFail.OIDCToken.PublicKeyFingerprintMismatch',
  401,
  'The fingerprint of the certificate of the OIDC provider URL matches none of the fingerprints of the OIDC provider.',
);
export const InvalidParameterOIDCProviderArn = defineError(
  'InvalidParameter.OIDCProviderArn',
  400,
  'The parameter OIDCProviderArn is wrongly formed.',
);
