/**
 * @module RAM 2015-05-01 operations, declared once: parameters with Alibaba's limits and codes,
 * the RAM action and resource each is authorised against, and a doc line.
 */
import type { AuthzCheck } from '../../kernel/context.js';
import { ramArn } from '../../kernel/principal.js';
import { defineOperation } from '../../protocol/rpc-operation.js';
import { p } from '../../protocol/rpc-schema.js';
import {
  InvalidParameterMaxItems,
  InvalidParameterMaxSessionDuration,
  InvalidParameterPolicyType,
  InvalidParameterRotateStrategy,
  InvalidParameterStatus,
  InvalidParameterVersionIdFormat,
  charsError,
  formatError,
  lengthError,
} from './errors.js';
import { MAX_TAG_JSON, TagJson } from './tags/operations.js';

const name = (field: string, max: number, pattern: RegExp, doc: string) =>
  p.str({
    min: 1,
    max,
    pattern,
    lengthError: lengthError(field),
    charsError: charsError(field),
    doc,
  });

const RoleName = name('RoleName', 64, /^[A-Za-z0-9.-]+$/, 'role name: 1-64 letters, digits, . -');
const UserName = name(
  'UserName',
  64,
  /^[A-Za-z0-9._-]+$/,
  'user name: 1-64 letters, digits, . _ -',
);
const NewUserName = name('NewUserName', 64, /^[A-Za-z0-9._-]+$/, 'new user name');
const GroupName = name('GroupName', 64, /^[A-Za-z0-9-]+$/, 'group name: 1-64 letters, digits, -');
const NewGroupName = name('NewGroupName', 64, /^[A-Za-z0-9-]+$/, 'new group name');
const PolicyName = name(
  'PolicyName',
  128,
  /^[A-Za-z0-9-]+$/,
  'policy name: 1-128 letters, digits, -',
);
// Free text may hold anything printable plus tab and newlines; other control characters are refused.
// eslint-disable-next-line no-control-regex
const FREE_TEXT = /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f]*$/su;
// eslint-disable-next-line no-control-regex
const ONE_LINE = /^[^\u0000-\u001f]+$/u;
const text = (field: string, max: number, doc: string) =>
  p.str({
    max,
    pattern: FREE_TEXT,
    lengthError: lengthError(field),
    charsError: charsError(field),
    doc,
  });
const DisplayName = (field: string) =>
  p.str({
    min: 1,
    max: 128,
    pattern: ONE_LINE,
    lengthError: lengthError(field),
    charsError: charsError(field),
    doc: 'display name, 1-128 characters',
  });
const PolicyDocument = (field: string, max: number) =>
  p.str({ min: 1, max, lengthError: lengthError(field), doc: 'policy document (JSON)' });
const PolicyType = p.str({
  enum: ['System', 'Custom'],
  charsError: InvalidParameterPolicyType,
  doc: 'System or Custom',
});
const Marker = p.str({ max: 4096, doc: 'pagination marker from the previous page' });
const MaxItems = p.int({
  min: 1,
  max: 1000,
  error: InvalidParameterMaxItems,
  doc: 'page size, 1-1000 (default 100)',
});
const MaxSessionDuration = p.int({
  min: 3600,
  max: 43200,
  error: InvalidParameterMaxSessionDuration,
  doc: 'maximum session duration in seconds, 3600-43200',
});
const VersionId = p.str({
  min: 1,
  max: 16,
  pattern: /^v\d+$/,
  lengthError: InvalidParameterVersionIdFormat,
  charsError: InvalidParameterVersionIdFormat,
  doc: 'policy version id, e.g. v2',
});
const AccessKeyIdParam = p.str({
  min: 1,
  max: 128,
  lengthError: lengthError('UserAccessKeyId'),
  doc: 'AccessKey id',
});

const arn = (acct: string, kind: string, n: string) => ramArn(acct, `${kind}/${n}`);
const one =
  (action: string, kind: string, n: (i: any) => string) =>
  (i: any, info: { accountId: string }): AuthzCheck[] => [
    { action, resource: arn(info.accountId, kind, n(i)) },
  ];
const policyAndTarget =
  (action: string, kind: string, field: string) =>
  (i: any, info: { accountId: string }): AuthzCheck[] => [
    { action, resource: arn(info.accountId, kind, i[field]) },
    { action, resource: arn(info.accountId, 'policy', i.PolicyName) },
  ];

// ---- roles
export const CreateRole = defineOperation({
  name: 'CreateRole',
  params: {
    RoleName: p.required(RoleName),
    AssumeRolePolicyDocument: p.required(PolicyDocument('AssumeRolePolicyDocument', 2048)),
    Description: text('Description', 1024, 'description, up to 1024 characters'),
    MaxSessionDuration,
    Tag: TagJson,
  },
  authz: one('ram:CreateRole', 'role', (i) => i.RoleName),
  doc: 'Create a RAM role with a trust policy',
});
export const GetRole = defineOperation({
  name: 'GetRole',
  params: { RoleName: p.required(RoleName) },
  authz: one('ram:GetRole', 'role', (i) => i.RoleName),
  readOnly: true,
  doc: 'Show a role',
});
export const ListRoles = defineOperation({
  name: 'ListRoles',
  params: {
    Marker,
    MaxItems,
    Tag: p.str({
      max: MAX_TAG_JSON,
      doc: 'only roles carrying every tag given, a JSON array of up to 20 {"Key","Value"} (a Key alone: any value)',
    }),
  },
  authz: one('ram:ListRoles', 'role', () => '*'),
  readOnly: true,
  doc: 'List roles, each with its tags',
});
export const UpdateRole = defineOperation({
  name: 'UpdateRole',
  params: {
    RoleName: p.required(RoleName),
    NewAssumeRolePolicyDocument: PolicyDocument('NewAssumeRolePolicyDocument', 2048),
    NewDescription: text('NewDescription', 1024, 'new description'),
    NewMaxSessionDuration: p.int({
      min: 3600,
      max: 43200,
      error: InvalidParameterMaxSessionDuration,
      doc: 'new maximum session duration',
    }),
  },
  authz: one('ram:UpdateRole', 'role', (i) => i.RoleName),
  doc: 'Change a role: trust policy, description, maximum session duration',
});
export const DeleteRole = defineOperation({
  name: 'DeleteRole',
  params: { RoleName: p.required(RoleName) },
  authz: one('ram:DeleteRole', 'role', (i) => i.RoleName),
  doc: 'Delete a role (its policies must be detached first)',
});

// ---- policies
export const CreatePolicy = defineOperation({
  name: 'CreatePolicy',
  params: {
    PolicyName: p.required(PolicyName),
    PolicyDocument: p.required(PolicyDocument('PolicyDocument', 6144)),
    Description: text('Description', 1024, 'description'),
    Tag: TagJson,
  },
  authz: one('ram:CreatePolicy', 'policy', (i) => i.PolicyName),
  doc: 'Create a custom policy',
});
export const GetPolicy = defineOperation({
  name: 'GetPolicy',
  params: { PolicyName: p.required(PolicyName), PolicyType: p.required(PolicyType) },
  authz: one('ram:GetPolicy', 'policy', (i) => i.PolicyName),
  readOnly: true,
  doc: 'Show a policy and its default version',
});
export const ListPolicies = defineOperation({
  name: 'ListPolicies',
  params: {
    PolicyType,
    Marker,
    MaxItems,
    Tag: p.str({
      max: MAX_TAG_JSON,
      doc: 'only policies carrying every tag given, a JSON array of up to 20 {"Key","Value"} (a Key alone: any value)',
    }),
  },
  authz: one('ram:ListPolicies', 'policy', () => '*'),
  readOnly: true,
  doc: 'List policies (system and custom), custom ones with their tags',
});
export const UpdatePolicyDescription = defineOperation({
  name: 'UpdatePolicyDescription',
  params: {
    PolicyName: p.required(PolicyName),
    NewDescription: text('NewDescription', 1024, 'new description'),
  },
  authz: one('ram:UpdatePolicyDescription', 'policy', (i) => i.PolicyName),
  doc: 'Change the description of a custom policy',
});
export const DeletePolicy = defineOperation({
  name: 'DeletePolicy',
  params: {
    PolicyName: p.required(PolicyName),
    CascadingDelete: p.bool({ doc: 'also delete non-default versions' }),
  },
  authz: one('ram:DeletePolicy', 'policy', (i) => i.PolicyName),
  doc: 'Delete a custom policy (it must be detached from everything first)',
});
export const CreatePolicyVersion = defineOperation({
  name: 'CreatePolicyVersion',
  params: {
    PolicyName: p.required(PolicyName),
    PolicyDocument: p.required(PolicyDocument('PolicyDocument', 6144)),
    SetAsDefault: p.bool({ doc: 'make the new version the default' }),
    RotateStrategy: p.str({
      enum: ['None', 'DeleteOldestNonDefaultVersionWhenLimitExceeded'],
      charsError: InvalidParameterRotateStrategy,
      doc: 'what to do when 5 versions exist',
    }),
  },
  authz: one('ram:CreatePolicyVersion', 'policy', (i) => i.PolicyName),
  doc: 'Add a version to a custom policy',
});
export const GetPolicyVersion = defineOperation({
  name: 'GetPolicyVersion',
  params: {
    PolicyName: p.required(PolicyName),
    PolicyType: p.required(PolicyType),
    VersionId: p.required(VersionId),
  },
  authz: one('ram:GetPolicyVersion', 'policy', (i) => i.PolicyName),
  readOnly: true,
  doc: 'Show one version of a policy',
});
export const ListPolicyVersions = defineOperation({
  name: 'ListPolicyVersions',
  params: { PolicyName: p.required(PolicyName), PolicyType: p.required(PolicyType) },
  authz: one('ram:ListPolicyVersions', 'policy', (i) => i.PolicyName),
  readOnly: true,
  doc: 'List the versions of a policy',
});
export const SetDefaultPolicyVersion = defineOperation({
  name: 'SetDefaultPolicyVersion',
  params: { PolicyName: p.required(PolicyName), VersionId: p.required(VersionId) },
  authz: one('ram:SetDefaultPolicyVersion', 'policy', (i) => i.PolicyName),
  doc: 'Make a version the default (effective) one',
});
export const DeletePolicyVersion = defineOperation({
  name: 'DeletePolicyVersion',
  params: { PolicyName: p.required(PolicyName), VersionId: p.required(VersionId) },
  authz: one('ram:DeletePolicyVersion', 'policy', (i) => i.PolicyName),
  doc: 'Delete a non-default version of a policy',
});
export const ListEntitiesForPolicy = defineOperation({
  name: 'ListEntitiesForPolicy',
  params: { PolicyName: p.required(PolicyName), PolicyType: p.required(PolicyType) },
  authz: one('ram:ListEntitiesForPolicy', 'policy', (i) => i.PolicyName),
  readOnly: true,
  doc: 'List the users, groups and roles a policy is attached to',
});

// ---- attachments
const attachParams = <K extends string>(target: K, targetParam: typeof RoleName) =>
  ({
    PolicyType: p.required(PolicyType),
    PolicyName: p.required(PolicyName),
    [target]: p.required(targetParam),
    ResourceGroupId: p.str({ max: 64, doc: 'resource group scope (accepted, not used)' }),
  }) as {
    PolicyType: ReturnType<typeof p.required<string>>;
    PolicyName: ReturnType<typeof p.required<string>>;
    ResourceGroupId: typeof Marker;
  } & Record<K, ReturnType<typeof p.required<string>>>;

export const AttachPolicyToRole = defineOperation({
  name: 'AttachPolicyToRole',
  params: attachParams('RoleName', RoleName),
  authz: policyAndTarget('ram:AttachPolicyToRole', 'role', 'RoleName'),
  doc: 'Attach a policy to a role',
});
export const DetachPolicyFromRole = defineOperation({
  name: 'DetachPolicyFromRole',
  params: attachParams('RoleName', RoleName),
  authz: policyAndTarget('ram:DetachPolicyFromRole', 'role', 'RoleName'),
  doc: 'Detach a policy from a role',
});
export const AttachPolicyToUser = defineOperation({
  name: 'AttachPolicyToUser',
  params: attachParams('UserName', UserName),
  authz: policyAndTarget('ram:AttachPolicyToUser', 'user', 'UserName'),
  doc: 'Attach a policy to a user',
});
export const DetachPolicyFromUser = defineOperation({
  name: 'DetachPolicyFromUser',
  params: attachParams('UserName', UserName),
  authz: policyAndTarget('ram:DetachPolicyFromUser', 'user', 'UserName'),
  doc: 'Detach a policy from a user',
});
export const AttachPolicyToGroup = defineOperation({
  name: 'AttachPolicyToGroup',
  params: attachParams('GroupName', GroupName),
  authz: policyAndTarget('ram:AttachPolicyToGroup', 'group', 'GroupName'),
  doc: 'Attach a policy to a group',
});
export const DetachPolicyFromGroup = defineOperation({
  name: 'DetachPolicyFromGroup',
  params: attachParams('GroupName', GroupName),
  authz: policyAndTarget('ram:DetachPolicyFromGroup', 'group', 'GroupName'),
  doc: 'Detach a policy from a group',
});
export const ListPoliciesForRole = defineOperation({
  name: 'ListPoliciesForRole',
  params: { RoleName: p.required(RoleName) },
  authz: one('ram:ListPoliciesForRole', 'role', (i) => i.RoleName),
  readOnly: true,
  doc: 'List the policies attached to a role',
});
export const ListPoliciesForUser = defineOperation({
  name: 'ListPoliciesForUser',
  params: { UserName: p.required(UserName) },
  authz: one('ram:ListPoliciesForUser', 'user', (i) => i.UserName),
  readOnly: true,
  doc: 'List the policies attached to a user',
});
export const ListPoliciesForGroup = defineOperation({
  name: 'ListPoliciesForGroup',
  params: { GroupName: p.required(GroupName) },
  authz: one('ram:ListPoliciesForGroup', 'group', (i) => i.GroupName),
  readOnly: true,
  doc: 'List the policies attached to a group',
});

// ---- users
export const CreateUser = defineOperation({
  name: 'CreateUser',
  params: {
    UserName: p.required(UserName),
    DisplayName: DisplayName('DisplayName'),
    MobilePhone: p.str({
      max: 32,
      pattern: /^\d{1,4}-\d{4,20}$/,
      lengthError: lengthError('MobilePhone'),
      charsError: formatError('MobilePhone'),
      doc: 'mobile phone: <country code>-<number>',
    }),
    Email: p.str({
      max: 128,
      pattern: /^[^@\s]+@[^@\s]+$/,
      lengthError: lengthError('Email'),
      charsError: formatError('Email'),
      doc: 'email address',
    }),
    Comments: text('Comments', 128, 'comments'),
  },
  authz: one('ram:CreateUser', 'user', (i) => i.UserName),
  doc: 'Create a RAM user',
});
export const GetUser = defineOperation({
  name: 'GetUser',
  params: { UserName: p.required(UserName) },
  authz: one('ram:GetUser', 'user', (i) => i.UserName),
  readOnly: true,
  doc: 'Show a user',
});
export const ListUsers = defineOperation({
  name: 'ListUsers',
  params: { Marker, MaxItems },
  authz: one('ram:ListUsers', 'user', () => '*'),
  readOnly: true,
  doc: 'List users',
});
export const UpdateUser = defineOperation({
  name: 'UpdateUser',
  params: {
    UserName: p.required(UserName),
    NewUserName,
    NewDisplayName: DisplayName('NewDisplayName'),
    NewMobilePhone: p.str({
      max: 32,
      pattern: /^\d{1,4}-\d{4,20}$/,
      lengthError: lengthError('NewMobilePhone'),
      charsError: formatError('NewMobilePhone'),
      doc: 'new mobile phone',
    }),
    NewEmail: p.str({
      max: 128,
      pattern: /^[^@\s]+@[^@\s]+$/,
      lengthError: lengthError('NewEmail'),
      charsError: formatError('NewEmail'),
      doc: 'new email',
    }),
    NewComments: text('NewComments', 128, 'new comments'),
  },
  authz: one('ram:UpdateUser', 'user', (i) => i.UserName),
  doc: 'Change a user',
});
export const DeleteUser = defineOperation({
  name: 'DeleteUser',
  params: { UserName: p.required(UserName) },
  authz: one('ram:DeleteUser', 'user', (i) => i.UserName),
  doc: 'Delete a user (keys, groups and policies must be removed first)',
});

// ---- access keys
export const CreateAccessKey = defineOperation({
  name: 'CreateAccessKey',
  params: { UserName },
  authz: 'handler',
  doc: 'Create an AccessKey pair for a user (or for the caller)',
});
export const ListAccessKeys = defineOperation({
  name: 'ListAccessKeys',
  params: { UserName },
  authz: 'handler',
  readOnly: true,
  doc: 'List the AccessKeys of a user (or of the caller)',
});
export const UpdateAccessKey = defineOperation({
  name: 'UpdateAccessKey',
  params: {
    UserAccessKeyId: p.required(AccessKeyIdParam),
    Status: p.required(
      p.str({
        enum: ['Active', 'Inactive'],
        charsError: InvalidParameterStatus,
        doc: 'Active or Inactive',
      }),
    ),
    UserName,
  },
  authz: 'handler',
  doc: 'Enable or disable an AccessKey',
});
export const DeleteAccessKey = defineOperation({
  name: 'DeleteAccessKey',
  params: { UserAccessKeyId: p.required(AccessKeyIdParam), UserName },
  authz: 'handler',
  doc: 'Delete an AccessKey',
});
export const GetAccessKeyLastUsed = defineOperation({
  name: 'GetAccessKeyLastUsed',
  params: { UserAccessKeyId: p.required(AccessKeyIdParam), UserName },
  authz: 'handler',
  readOnly: true,
  doc: 'Show when an AccessKey was last used',
});

// ---- groups
export const CreateGroup = defineOperation({
  name: 'CreateGroup',
  params: { GroupName: p.required(GroupName), Comments: text('Comments', 128, 'comments') },
  authz: one('ram:CreateGroup', 'group', (i) => i.GroupName),
  doc: 'Create a group',
});
export const GetGroup = defineOperation({
  name: 'GetGroup',
  params: { GroupName: p.required(GroupName) },
  authz: one('ram:GetGroup', 'group', (i) => i.GroupName),
  readOnly: true,
  doc: 'Show a group',
});
export const ListGroups = defineOperation({
  name: 'ListGroups',
  params: { Marker, MaxItems },
  authz: one('ram:ListGroups', 'group', () => '*'),
  readOnly: true,
  doc: 'List groups',
});
export const UpdateGroup = defineOperation({
  name: 'UpdateGroup',
  params: {
    GroupName: p.required(GroupName),
    NewGroupName,
    NewComments: text('NewComments', 128, 'new comments'),
  },
  authz: one('ram:UpdateGroup', 'group', (i) => i.GroupName),
  doc: 'Rename a group or change its comments',
});
export const DeleteGroup = defineOperation({
  name: 'DeleteGroup',
  params: { GroupName: p.required(GroupName) },
  authz: one('ram:DeleteGroup', 'group', (i) => i.GroupName),
  doc: 'Delete a group (members and policies must be removed first)',
});
export const AddUserToGroup = defineOperation({
  name: 'AddUserToGroup',
  params: { GroupName: p.required(GroupName), UserName: p.required(UserName) },
  authz: one('ram:AddUserToGroup', 'group', (i) => i.GroupName),
  doc: 'Add a user to a group',
});
export const RemoveUserFromGroup = defineOperation({
  name: 'RemoveUserFromGroup',
  params: { GroupName: p.required(GroupName), UserName: p.required(UserName) },
  authz: one('ram:RemoveUserFromGroup', 'group', (i) => i.GroupName),
  doc: 'Remove a user from a group',
});
export const ListGroupsForUser = defineOperation({
  name: 'ListGroupsForUser',
  params: { UserName: p.required(UserName) },
  authz: one('ram:ListGroupsForUser', 'user', (i) => i.UserName),
  readOnly: true,
  doc: 'List the groups a user belongs to',
});
export const ListUsersForGroup = defineOperation({
  name: 'ListUsersForGroup',
  params: { GroupName: p.required(GroupName), Marker, MaxItems },
  authz: one('ram:ListUsersForGroup', 'group', (i) => i.GroupName),
  readOnly: true,
  doc: 'List the members of a group',
});
