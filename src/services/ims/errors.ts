/**
 * @module IMS's error catalogue for OIDC providers (doc "CreateOIDCProvider" and its siblings;
 * RAM's codes where the IMS pages name none). Messages follow RAM's wording.
 */
import { defineError } from '../../kernel/errors.js';

/** Denial of an IMS call (RAM's code: IMS is RAM's identity API). */
export const ImsNoPermission = defineError(
  'NoPermission',
  403,
  'You are not authorized to do this action. You should be authorized by RAM.',
);
export const EntityAlreadyExistsOIDCProvider = defineError(
  'EntityAlreadyExists.OIDCProvider',
  409,
  'The OIDC provider already exists.',
);
export const EntityNotExistOIDCProvider = defineError(
  'EntityNotExist.OIDCProvider',
  404,
  'The OIDC provider does not exist.',
);
export const LimitExceededOIDCProvider = defineError(
  'LimitExceeded.OIDCProvider',
  409,
  'The number of OIDC providers exceeds the limit of 100 per account.',
);
export const LimitExceededClientId = defineError(
  'LimitExceeded.OIDCProvider.ClientId',
  409,
  'The number of client IDs of the OIDC provider exceeds the limit of 50.',
);
export const LimitExceededFingerprint = defineError(
  'LimitExceeded.OIDCProvider.Fingerprint',
  409,
  'The number of fingerprints of the OIDC provider exceeds the limit of 5.',
);
export const EntityAlreadyExistsClientId = defineError(
  'EntityAlreadyExists.OIDCProvider.ClientId',
  409,
  'The client ID already exists in the OIDC provider.',
);
export const EntityAlreadyExistsFingerprint = defineError(
  'EntityAlreadyExists.OIDCProvider.Fingerprint',
  409,
  'The fingerprint already exists in the OIDC provider.',
);
export const EntityNotExistClientId = defineError(
  'EntityNotExist.OIDCProvider.ClientId',
  404,
  'The client ID does not exist in the OIDC provider.',
);
export const EntityNotExistFingerprint = defineError(
  'EntityNotExist.OIDCProvider.Fingerprint',
  404,
  'The fingerprint does not exist in the OIDC provider.',
);
export const InvalidParameterOIDCProviderName = defineError(
  'InvalidParameter.OIDCProviderName',
  400,
  'The parameter OIDCProviderName is invalid.',
);
export const InvalidParameterIssuerUrl = defineError(
  'InvalidParameter.IssuerUrl',
  400,
  'The parameter IssuerUrl is invalid.',
);
export const InvalidParameterClientIds = defineError(
  'InvalidParameter.ClientIds',
  400,
  'The parameter ClientIds is invalid.',
);
export const InvalidParameterFingerprints = defineError(
  'InvalidParameter.Fingerprints',
  400,
  'The parameter Fingerprints is invalid.',
);
export const InvalidParameterIssuanceLimitTime = defineError(
  'InvalidParameter.IssuanceLimitTime',
  400,
  'The parameter IssuanceLimitTime is invalid: expected 1 to 168 hours.',
);
export const InvalidParameterDescription = defineError(
  'InvalidParameter.Description',
  400,
  'The parameter Description is invalid.',
);
export const InvalidParameterMaxItems = defineError(
  'InvalidParameter.MaxItems',
  400,
  'The parameter MaxItems is invalid: expected 1 to 1000.',
);
export const InvalidParameterMarker = defineError(
  'InvalidParameter.Marker',
  400,
  'The parameter Marker is invalid.',
);
