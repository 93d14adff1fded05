/**
 * @module STS 2015-04-01 operations, declared once (openapi.md §d, §g).
 */
import { defineOperation } from '../../protocol/rpc-operation.js';
import { p } from '../../protocol/rpc-schema.js';
import { MAX_JWT_LENGTH } from '../../auth/jwt.js';
import {
  AuthenticationFailOIDCTokenInvalid,
  InvalidParameterDurationSeconds,
  InvalidParameterOIDCProviderArn,
  InvalidParameterExternalId,
  InvalidParameterPolicySize,
  InvalidParameterRoleArn,
  InvalidParameterRoleSessionName,
  InvalidParameterSourceIdentity,
} from './errors.js';

export const AssumeRole = defineOperation({
  name: 'AssumeRole',
  params: {
    RoleArn: p.required(
      p.str({
        min: 1,
        max: 2048,
        charsError: InvalidParameterRoleArn,
        lengthError: InvalidParameterRoleArn,
        doc: 'ARN of the role to assume: acs:ram::<account>:role/<name>',
      }),
    ),
    RoleSessionName: p.required(
      p.str({
        min: 2,
        max: 64,
        pattern: /^[A-Za-z0-9.@_-]+$/,
        lengthError: InvalidParameterRoleSessionName,
        charsError: InvalidParameterRoleSessionName,
        doc: 'session name, 2-64 characters: letters, digits, . @ - _',
      }),
    ),
    DurationSeconds: p.int({
      error: InvalidParameterDurationSeconds,
      doc: 'validity in seconds, 900 to the role MaxSessionDuration (default 3600)',
    }),
    Policy: p.str({
      min: 1,
      max: 2048,
      lengthError: InvalidParameterPolicySize,
      doc: 'session policy JSON, further restricting the role',
    }),
    ExternalId: p.str({
      min: 2,
      max: 1224,
      pattern: /^[\w+=,.@:/-]*$/,
      lengthError: InvalidParameterExternalId,
      charsError: InvalidParameterExternalId,
      doc: 'external id checked by the trust policy',
    }),
    SourceIdentity: p.str({
      min: 2,
      max: 64,
      pattern: /^[\w+=,.@-]*$/,
      lengthError: InvalidParameterSourceIdentity,
      charsError: InvalidParameterSourceIdentity,
      doc: 'source identity carried by the session',
    }),
  },
  authz: 'handler',
  doc: 'Obtain temporary credentials of a RAM role',
});

export const GetCallerIdentity = defineOperation({
  name: 'GetCallerIdentity',
  params: {},
  authz: 'none',
  readOnly: true,
  doc: 'Show who the credentials belong to',
});

export const AssumeRoleWithOIDC = defineOperation({
  name: 'AssumeRoleWithOIDC',
  params: {
    OIDCProviderArn: p.required(
      p.str({
        min: 1,
        max: 2048,
        lengthError: InvalidParameterOIDCProviderArn,
        doc: 'ARN of the OIDC provider: acs:ram::<account>:oidc-provider/<name>',
      }),
    ),
    RoleArn: p.required(
      p.str({
        min: 1,
        max: 2048,
        lengthError: InvalidParameterRoleArn,
        doc: 'ARN of the role to assume: acs:ram::<account>:role/<name>',
      }),
    ),
    OIDCToken: p.required(
      p.str({
        min: 4,
        max: MAX_JWT_LENGTH,
        lengthError: AuthenticationFailOIDCTokenInvalid,
        doc: 'the OIDC token (a JWT, 4-20000 characters) issued by the provider',
      }),
    ),
    RoleSessionName: p.str({
      min: 2,
      max: 64,
      pattern: /^[A-Za-z0-9.@_-]+$/,
      lengthError: InvalidParameterRoleSessionName,
      charsError: InvalidParameterRoleSessionName,
      doc: 'session name, 2-64 characters: letters, digits, . @ - _ (default: derived from the time)',
    }),
    DurationSeconds: p.int({
      error: InvalidParameterDurationSeconds,
      doc: 'validity in seconds, 900 to the role MaxSessionDuration (default 3600)',
    }),
    Policy: p.str({
      min: 1,
      max: 2048,
      lengthError: InvalidParameterPolicySize,
      doc: 'session policy JSON, further restricting the role',
    }),
  },
  authz: 'none',
  anonymous: true,
  handlerActions: [],
  doc: 'Obtain temporary credentials of a RAM role with an OIDC token (unsigned)',
});
