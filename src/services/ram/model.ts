/**
 * @module RAM domain types (camelCase) and pure helpers: ARNs, ids, wire formatting.
 */
import { isoSeconds } from '../../kernel/clock.js';
import { numericId, randomAlnum } from '../../kernel/ids.js';

/** A RAM role. */
export interface Role {
  roleId: string;
  accountId: string;
  roleName: string;
  description: string;
  trustPolicy: string;
  maxSessionDuration: number;
  createdAt: number;
  updatedAt: number;
}

/** A RAM user. */
export interface User {
  userId: string;
  accountId: string;
  userName: string;
  displayName: string;
  email: string;
  mobilePhone: string;
  comments: string;
  createdAt: number;
  updatedAt: number;
}

/** A RAM group. */
export interface Group {
  groupId: string;
  accountId: string;
  groupName: string;
  comments: string;
  createdAt: number;
  updatedAt: number;
}

/** `System` policies are built in; `Custom` ones belong to an account. */
export type PolicyType = 'System' | 'Custom';

/** A policy (its documents are versions). */
export interface Policy {
  policyId: string;
  accountId: string;
  policyType: PolicyType;
  policyName: string;
  description: string;
  defaultVersion: string;
  nextVersion: number;
  createdAt: number;
  updatedAt: number;
}

/** One version of a policy document. */
export interface PolicyVersion {
  policyId: string;
  versionId: string;
  document: string;
  createdAt: number;
}

/** What a policy can be attached to. */
export type PrincipalType = 'User' | 'Group' | 'Role';

/** An attachment of a policy to a principal. */
export interface Attachment {
  policy: Policy;
  principalType: PrincipalType;
  principalId: string;
  principalName: string;
  attachedAt: number;
}

/** An AccessKey pair (root's when `userId` is undefined). */
/** An account (a tenant): every RAM entity, key, bucket and trail event belongs to one. */
export interface Account {
  /** 16 digits, like Alibaba Cloud UIDs. */
  accountId: string;
  /** Unique name given at creation (`default` for the account the server made first). */
  accountName: string;
  createdAt: number;
  /** True for the account the server made at its first start (the operator's). */
  first: boolean;
}

export interface AccessKey {
  accessKeyId: string;
  accountId: string;
  userId?: string;
  secret: string;
  status: 'Active' | 'Inactive';
  createdAt: number;
  lastUsedAt?: number;
}

/** Limits (RAM quotas of a new account, doc "Limits" 28753, Dec 2025). */
export const LIMITS = {
  /** Accounts one yunbox serves (the first included). */
  accounts: 100,
  usersPerAccount: 5000,
  groupsPerAccount: 300,
  rolesPerAccount: 1000,
  customPoliciesPerAccount: 1500,
  versionsPerPolicy: 5,
  accessKeysPerUser: 2,
  groupsPerUser: 10,
  policiesPerPrincipal: { System: 20, Custom: 10 } as Record<PolicyType, number>,
  policyDocumentLength: 6144,
  trustPolicyLength: 2048,
  defaultMaxSessionDuration: 3600,
} as const;

/**
 * A new RoleId: 18 digits starting with 3, as Alibaba's (AssumedRoleId examples such as
 * `301182410142308944:normal-app` in public code and docs). Existing roles keep theirs.
 */
export const newRoleId = (): string => numericId(18, '3');

/**
 * A new UserId: 18 digits starting with 2, as Alibaba's (GetUser's example `20732900249392****`,
 * RAM user ids in OSS event notifications and Bastionhost imports). Existing users keep theirs.
 */
export const newUserId = (): string => numericId(18, '2');

/** A new GroupId: `g-` and 16 letters and digits, as Alibaba's (GetGroup's `g-FpMEHiMysofp****`). */
export const newGroupId = (): string => `g-${randomAlnum(16)}`;

/** `acs:ram::<uid>:role/<name>` */
export function roleArn(accountId: string, roleName: string): string {
  return `acs:ram::${accountId}:role/${roleName}`;
}

/** Primary key of a policy row. */
export function policyId(accountId: string, type: PolicyType, name: string): string {
  return type === 'System' ? `system:${name}` : `custom:${accountId}:${name}`;
}

/** Wire time format. */
export const wireTime = isoSeconds;

/** Wire shape of a role (`Role` element of CreateRole/GetRole/UpdateRole). */
export function roleToWire(r: Role, withDocument = true): Record<string, unknown> {
  return {
    RoleId: r.roleId,
    RoleName: r.roleName,
    Arn: roleArn(r.accountId, r.roleName),
    Description: r.description,
    ...(withDocument ? { AssumeRolePolicyDocument: r.trustPolicy } : {}),
    MaxSessionDuration: r.maxSessionDuration,
    CreateDate: wireTime(r.createdAt),
    UpdateDate: wireTime(r.updatedAt),
  };
}

/** Wire shape of a user. */
export function userToWire(u: User): Record<string, unknown> {
  return {
    UserId: u.userId,
    UserName: u.userName,
    DisplayName: u.displayName,
    MobilePhone: u.mobilePhone,
    Email: u.email,
    Comments: u.comments,
    CreateDate: wireTime(u.createdAt),
    UpdateDate: wireTime(u.updatedAt),
  };
}

/** Wire shape of a group. */
export function groupToWire(g: Group): Record<string, unknown> {
  return {
    GroupId: g.groupId,
    GroupName: g.groupName,
    Comments: g.comments,
    CreateDate: wireTime(g.createdAt),
    UpdateDate: wireTime(g.updatedAt),
  };
}

/** Wire shape of a policy. */
export function policyToWire(p: Policy, attachmentCount?: number): Record<string, unknown> {
  return {
    PolicyName: p.policyName,
    PolicyType: p.policyType,
    Description: p.description,
    DefaultVersion: p.defaultVersion,
    CreateDate: wireTime(p.createdAt),
    UpdateDate: wireTime(p.updatedAt),
    ...(attachmentCount !== undefined ? { AttachmentCount: attachmentCount } : {}),
  };
}

/** Wire shape of a policy version. */
export function versionToWire(v: PolicyVersion, defaultVersion: string): Record<string, unknown> {
  return {
    VersionId: v.versionId,
    IsDefaultVersion: v.versionId === defaultVersion,
    PolicyDocument: v.document,
    CreateDate: wireTime(v.createdAt),
  };
}

/** Encodes a list position as an opaque marker. */
export function encodeMarker(lastName: string): string {
  return Buffer.from(lastName, 'utf8').toString('base64url');
}

/** Decodes a marker; `undefined` when malformed. */
export function decodeMarker(marker: string): string | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(marker)) return undefined;
  return Buffer.from(marker, 'base64url').toString('utf8');
}
