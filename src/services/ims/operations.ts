/**
 * @module IMS 2019-08-15 operations for OIDC providers, declared once (doc "CreateOIDCProvider",
 * "GetOIDCProvider", "ListOIDCProviders", "UpdateOIDCProvider", "DeleteOIDCProvider",
 * "AddClientIdToOIDCProvider", "RemoveClientIdFromOIDCProvider", "AddFingerprintToOIDCProvider",
 * "RemoveFingerprintFromOIDCProvider"). Each is decided by RAM as `ram:<Action>` on
 * `acs:ram::<account>:oidc-provider/<name>` (`/*` for the listing).
 */
import type { AuthzCheck } from '../../kernel/context.js';
import { defineOperation } from '../../protocol/rpc-operation.js';
import { p } from '../../protocol/rpc-schema.js';
import {
  InvalidParameterClientIds,
  InvalidParameterDescription,
  InvalidParameterFingerprints,
  InvalidParameterIssuanceLimitTime,
  InvalidParameterIssuerUrl,
  InvalidParameterMaxItems,
  InvalidParameterOIDCProviderName,
} from './errors.js';
import { oidcProviderArn } from './model.js';

const onProvider =
  (action: string) =>
  (i: { OIDCProviderName: string }, info: { accountId: string }): AuthzCheck[] => [
    { action, resource: oidcProviderArn(info.accountId, i.OIDCProviderName) },
  ];

const OIDCProviderName = p.required(
  p.str({
    min: 1,
    max: 128,
    lengthError: InvalidParameterOIDCProviderName,
    doc: 'provider name, 1-128 letters, digits, `.`, `-`, `_` (not first or last)',
  }),
);
const ClientIds = p.str({
  min: 1,
  max: 128 * 50 + 49,
  lengthError: InvalidParameterClientIds,
  doc: 'client IDs (audiences), comma-separated, up to 50 of up to 128 characters',
});
const Fingerprints = p.str({
  min: 1,
  max: 128 * 5 + 4,
  lengthError: InvalidParameterFingerprints,
  doc: 'SHA-1 fingerprints (hex) of the issuer HTTPS CA certificates, comma-separated, up to 5',
});
const IssuanceLimitTime = p.int({
  min: 1,
  max: 168,
  error: InvalidParameterIssuanceLimitTime,
  doc: 'how old (hours, 1-168, default 12) a token may be by its `iat`',
});

export const CreateOIDCProvider = defineOperation({
  name: 'CreateOIDCProvider',
  params: {
    OIDCProviderName,
    IssuerUrl: p.required(
      p.str({
        min: 1,
        max: 255,
        lengthError: InvalidParameterIssuerUrl,
        doc: 'issuer URL: https, no query, fragment or `@`; unique in the account',
      }),
    ),
    Fingerprints: p.required(Fingerprints),
    ClientIds,
    IssuanceLimitTime,
    Description: p.str({
      max: 256,
      lengthError: InvalidParameterDescription,
      doc: 'description, up to 256 characters',
    }),
  },
  authz: onProvider('ram:CreateOIDCProvider'),
  doc: 'Create an OIDC identity provider',
});

export const GetOIDCProvider = defineOperation({
  name: 'GetOIDCProvider',
  params: { OIDCProviderName },
  authz: onProvider('ram:GetOIDCProvider'),
  readOnly: true,
  doc: 'Show an OIDC identity provider',
});

export const ListOIDCProviders = defineOperation({
  name: 'ListOIDCProviders',
  params: {
    Marker: p.str({ max: 4096, doc: 'pagination marker from the previous page' }),
    MaxItems: p.int({
      min: 1,
      max: 1000,
      error: InvalidParameterMaxItems,
      doc: 'page size, 1-1000 (default 100)',
    }),
  },
  authz: (_i, info) => [
    { action: 'ram:ListOIDCProviders', resource: oidcProviderArn(info.accountId, '*') },
  ],
  readOnly: true,
  doc: 'List OIDC identity providers',
});

export const UpdateOIDCProvider = defineOperation({
  name: 'UpdateOIDCProvider',
  params: {
    OIDCProviderName,
    ClientIds,
    IssuanceLimitTime,
    NewDescription: p.str({
      max: 256,
      lengthError: InvalidParameterDescription,
      doc: 'new description, up to 256 characters',
    }),
  },
  authz: onProvider('ram:UpdateOIDCProvider'),
  doc: 'Change an OIDC identity provider: client IDs (replaced), issuance limit, description',
});

export const DeleteOIDCProvider = defineOperation({
  name: 'DeleteOIDCProvider',
  params: { OIDCProviderName },
  authz: onProvider('ram:DeleteOIDCProvider'),
  doc: 'Delete an OIDC identity provider',
});

export const AddClientIdToOIDCProvider = defineOperation({
  name: 'AddClientIdToOIDCProvider',
  params: {
    OIDCProviderName,
    ClientId: p.required(
      p.str({ min: 1, max: 128, lengthError: InvalidParameterClientIds, doc: 'client ID to add' }),
    ),
  },
  authz: onProvider('ram:AddClientIdToOIDCProvider'),
  doc: 'Add a client ID to an OIDC identity provider',
});

export const RemoveClientIdFromOIDCProvider = defineOperation({
  name: 'RemoveClientIdFromOIDCProvider',
  params: {
    OIDCProviderName,
    ClientId: p.required(
      p.str({
        min: 1,
        max: 128,
        lengthError: InvalidParameterClientIds,
        doc: 'client ID to remove',
      }),
    ),
  },
  authz: onProvider('ram:RemoveClientIdFromOIDCProvider'),
  doc: 'Remove a client ID from an OIDC identity provider',
});

export const AddFingerprintToOIDCProvider = defineOperation({
  name: 'AddFingerprintToOIDCProvider',
  params: {
    OIDCProviderName,
    Fingerprint: p.required(
      p.str({
        min: 1,
        max: 128,
        lengthError: InvalidParameterFingerprints,
        doc: 'fingerprint to add',
      }),
    ),
  },
  authz: onProvider('ram:AddFingerprintToOIDCProvider'),
  doc: 'Add a fingerprint to an OIDC identity provider',
});

export const RemoveFingerprintFromOIDCProvider = defineOperation({
  name: 'RemoveFingerprintFromOIDCProvider',
  params: {
    OIDCProviderName,
    Fingerprint: p.required(
      p.str({
        min: 1,
        max: 128,
        lengthError: InvalidParameterFingerprints,
        doc: 'fingerprint to remove',
      }),
    ),
  },
  authz: onProvider('ram:RemoveFingerprintFromOIDCProvider'),
  doc: 'Remove a fingerprint from an OIDC identity provider',
});
