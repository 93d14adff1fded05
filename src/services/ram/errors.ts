/**
 * @module RAM's error catalogue (doc "RAM API errors", openapi.md §d/§e.3). Messages copy
 * Alibaba's wording.
 */
import { defineError } from '../../kernel/errors.js';

export const NoPermission = defineError(
  'NoPermission',
  403,
  'You are not authorized to do this action. You should be authorized by RAM.',
);
export const MalformedPolicyDocument = defineError(
  'MalformedPolicyDocument',
  400,
  'The policy document is malformed.',
);
export const EntityNotExistRole = defineError(
  'EntityNotExist.Role',
  404,
  'The role does not exist.',
);
export const EntityNotExistUser = defineError(
  'EntityNotExist.User',
  404,
  'The user does not exist.',
);
export const EntityNotExistGroup = defineError(
  'EntityNotExist.Group',
  404,
  'The group does not exist.',
);
export const EntityNotExistPolicy = defineError(
  'EntityNotExist.Policy',
  404,
  'The policy does not exist.',
);
export const EntityNotExistPolicyVersion = defineError(
  'EntityNotExist.Policy.Version',
  404,
  'The policy version does not exist.',
);
export const EntityNotExistUserAccessKey = defineError(
  'EntityNotExist.User.AccessKey',
  404,
  'The user access key does not exist.',
);
export const EntityNotExistRolePolicy = defineError(
  'EntityNotExist.Role.Policy',
  404,
  'The policy is not attached to the role.',
);
export const EntityNotExistUserPolicy = defineError(
  'EntityNotExist.User.Policy',
  404,
  'The indicate policy of the user does not exist.',
);
export const EntityNotExistGroupPolicy = defineError(
  'EntityNotExist.Group.Policy',
  404,
  'The indicate policy attached to the group does not exist.',
);
export const EntityNotExistGroupUser = defineError(
  'EntityNotExist.Group.User',
  404,
  'The user has not joined the group.',
);
export const EntityAlreadyExistsRole = defineError(
  'EntityAlreadyExists.Role',
  409,
  'The role already exists.',
);
export const EntityAlreadyExistsUser = defineError(
  'EntityAlreadyExists.User',
  409,
  'The user does already EXIST.',
);
export const EntityAlreadyExistsGroup = defineError(
  'EntityAlreadyExists.Group',
  409,
  'The group does already EXIST.',
);
export const EntityAlreadyExistsPolicy = defineError(
  'EntityAlreadyExists.Policy',
  409,
  'The policy has already been created.',
);
export const EntityAlreadyExistsRolePolicy = defineError(
  'EntityAlreadyExists.Role.Policy',
  409,
  'The policy has already been attached to the role.',
);
export const EntityAlreadyExistsUserPolicy = defineError(
  'EntityAlreadyExists.User.Policy',
  409,
  'The user has already been attached this policy.',
);
export const EntityAlreadyExistsGroupPolicy = defineError(
  'EntityAlreadyExists.Group.Policy',
  409,
  'The group has already been attached this policy.',
);
export const EntityAlreadyExistsGroupUser = defineError(
  'EntityAlreadyExists.Group.User',
  409,
  'The user has already joined the group.',
);
export const DeleteConflictRolePolicy = defineError(
  'DeleteConflict.Role.Policy',
  409,
  'The role CAN NOT has any attached policy while deleting the role.',
);
export const DeleteConflictUserPolicy = defineError(
  'DeleteConflict.User.Policy',
  409,
  'The user CAN NOT has any attached policy while deleting the user.',
);
export const DeleteConflictUserAccessKey = defineError(
  'DeleteConflict.User.AccessKey',
  409,
  'The user CAN NOT has any access key while deleting the user.',
);
export const DeleteConflictUserGroup = defineError(
  'DeleteConflict.User.Group',
  409,
  'The user CAN NOT be in any group while deleting the user.',
);
export const DeleteConflictGroupUser = defineError(
  'DeleteConflict.Group.User',
  409,
  'The group CAN NOT has any user member while deleting the group.',
);
export const DeleteConflictGroupPolicy = defineError(
  'DeleteConflict.Group.Policy',
  409,
  'The entity CAN NOT has any attached policy while deleting the group.',
);
export const DeleteConflictPolicyUser = defineError(
  'DeleteConflict.Policy.User',
  409,
  'The policy CAN NOT been attached to any user while deleting the policy.',
);
export const DeleteConflictPolicyGroup = defineError(
  'DeleteConflict.Policy.Group',
  409,
  'The policy CAN NOT been attached to any group while deleting the policy.',
);
export const DeleteConflictPolicyRole = defineError(
  'DeleteConflict.Policy.Role',
  409,
  'The policy CAN NOT been attached to any role while deleting the policy.',
);
export const DeleteConflictPolicyVersion = defineError(
  'DeleteConflict.Policy.Version',
  409,
  'The policy CAN NOT has any version except the default version.',
);
export const DeleteConflictPolicyVersionDefault = defineError(
  'DeleteConflict.Policy.Version.Default',
  409,
  'The default policy version CAN NOT been deleted directly.',
);
export const LimitExceededRole = defineError(
  'LimitExceeded.Role',
  409,
  'The count of roles beyond the current limits.',
);
export const LimitExceededUser = defineError(
  'LimitExceeded.User',
  409,
  'The count of users beyond the current limits.',
);
export const LimitExceededGroup = defineError(
  'LimitExceeded.Group',
  409,
  'The count of groups beyond the current limits.',
);
export const LimitExceededPolicy = defineError(
  'LimitExceeded.Policy',
  409,
  'The count of policy beyond the current limits.',
);
export const LimitExceededPolicyVersion = defineError(
  'LimitExceeded.Policy.Version',
  409,
  'The count of policy version beyond the current limits.',
);
export const LimitExceededUserAccessKey = defineError(
  'LimitExceeded.User.AccessKey',
  409,
  'The access key count of the user access keys beyond the current limits.',
);
export const LimitExceededUserGroup = defineError(
  'LimitExceeded.User.Group',
  409,
  'The count of groups the target user joined beyond the current limits.',
);
export const LimitExceededRolePolicy = defineError(
  'LimitExceeded.Role.Policy',
  409,
  'The count of policies attached to the role beyond the current limits.',
);
export const LimitExceededUserPolicy = defineError(
  'LimitExceeded.User.Policy',
  409,
  'The policy count of the user attached policies beyond the current limits.',
);
export const LimitExceededGroupPolicy = defineError(
  'LimitExceeded.Group.Policy',
  409,
  'The policy count of the group beyond the current limits.',
);
export const InvalidParameterPolicyType = defineError(
  'InvalidParameter.PolicyType',
  400,
  'The parameter - "PolicyType" is incorrect.',
);
export const InvalidParameterMarker = defineError(
  'InvalidParameter.Marker',
  400,
  'The parameter - "Marker" is invalid.',
);
export const InvalidParameterStatus = defineError(
  'InvalidParameter.Status',
  400,
  'The parameter - "Status" is invalid.',
);
export const InvalidParameterMaxSessionDuration = defineError(
  'InvalidParameter.MaxSessionDuration',
  400,
  'The parameter - "MaxSessionDuration" is invalid, the value should be between 3600 and 43200.',
);
export const InvalidParameterMaxItems = defineError(
  'InvalidParameter.MaxItems',
  400,
  'The parameter - "MaxItems" is invalid, the value should be between 1 and 1000.',
);
export const InvalidParameterRotateStrategy = defineError(
  'InvalidParameter.RotateStrategy',
  400,
  'The parameter - "RotateStrategy" is invalid.',
);
export const InvalidParameterVersionIdFormat = defineError(
  'InvalidParameter.VersionId.Format',
  400,
  'The format of the parameter - "VersionId" is incorrect.',
);

/** `InvalidParameter.<Name>.Format` with Alibaba's wording. */
export function formatError(name: string) {
  return defineError(
    `InvalidParameter.${name}.Format`,
    400,
    `The format of the parameter - "${name}" is incorrect.`,
  );
}

export const NoPermissionSystemPolicy = defineError(
  'NoPermission.SystemPolicy',
  403,
  'System policies cannot be created, changed or deleted.',
);

/** `InvalidParameter.<Name>.Length` with Alibaba's wording. */
export function lengthError(name: string) {
  return defineError(
    `InvalidParameter.${name}.Length`,
    400,
    `The parameter - "${name}" beyond the length limit.`,
  );
}

/** `InvalidParameter.<Name>.InvalidChars` with Alibaba's wording. */
export function charsError(name: string) {
  return defineError(
    `InvalidParameter.${name}.InvalidChars`,
    400,
    `The parameter - "${name}" contains invalid chars.`,
  );
}

// ---- Tags (TagResources, UntagResources, ListTagResources, CreateRole/CreatePolicy `Tag`).
// RAM's documentation gives no error table for them: these follow RAM's naming (`InvalidParameter.*`,
// `LimitExceeded.*` as 409, `EntityNotExist.*`).
export const InvalidParameterResourceType = defineError(
  'InvalidParameter.ResourceType',
  400,
  'The parameter - "ResourceType" is invalid.',
);
export const InvalidParameterResourceNames = defineError(
  'InvalidParameter.ResourceNames',
  400,
  'The parameter - "ResourceNames" is invalid.',
);
export const InvalidParameterTag = defineError(
  'InvalidParameter.Tag',
  400,
  'The parameter - "Tag" is invalid.',
);
export const InvalidParameterTagKey = defineError(
  'InvalidParameter.Tag.Key',
  400,
  'The parameter - "Tag.Key" is invalid.',
);
export const InvalidParameterTagValue = defineError(
  'InvalidParameter.Tag.Value',
  400,
  'The parameter - "Tag.Value" is invalid.',
);
export const InvalidParameterTagKeys = defineError(
  'InvalidParameter.TagKeys',
  400,
  'The parameter - "TagKeys" is invalid.',
);
export const LimitExceededTag = defineError(
  'LimitExceeded.Tag',
  409,
  'The count of tags beyond the current limits.',
);
