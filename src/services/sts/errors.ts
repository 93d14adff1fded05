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
