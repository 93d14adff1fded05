/**
 * @module The system policies users reach for, as documents (JSON text in Alibaba's compact form)
 * with a description. `AliyunSTSAssumeRoleAccess` and `AliyunOSSReadOnlyAccess` are the documented
 * texts (../shared/spec/openapi.md f.7); the others are written from their names and descriptions
 * (e.g. `AliyunECSFullAccess` is believed to be `ecs:*` plus the VPC lookups ECS needs) and are
 * marked as such in ../shared/spec as OPEN. System policies cannot be created, changed or deleted.
 */
import { compilePolicy } from './compile.js';
import type { PolicyRef } from './evaluate.js';

function doc(statements: { Action: string | string[]; Resource?: string }[]): string {
  return JSON.stringify({
    Statement: statements.map((s) => ({
      Action: s.Action,
      Effect: 'Allow',
      Resource: s.Resource ?? '*',
    })),
    Version: '1',
  });
}

/** System policies by name. */
export const SYSTEM_POLICIES: Record<string, { description: string; document: string }> =
  Object.freeze({
    AdministratorAccess: {
      description: 'Full access to all Alibaba Cloud services and resources',
      document: doc([{ Action: '*' }]),
    },
    ReadOnlyAccess: {
      description: 'Read-only access to all Alibaba Cloud services and resources',
      document: doc([
        {
          Action: ['*:Describe*', '*:List*', '*:Get*', '*:BatchGet*', '*:Query*', '*:BatchQuery*'],
        },
      ]),
    },
    AliyunOSSFullAccess: {
      description: 'Full access to Object Storage Service (OSS)',
      document: doc([{ Action: 'oss:*' }]),
    },
    AliyunOSSReadOnlyAccess: {
      description: 'Read-only access to Object Storage Service (OSS)',
      document: doc([{ Action: ['oss:Get*', 'oss:List*'] }]),
    },
    AliyunSTSAssumeRoleAccess: {
      description: 'Permission to call the AssumeRole operation of Security Token Service (STS)',
      document: doc([{ Action: 'sts:AssumeRole' }]),
    },
    AliyunECSFullAccess: {
      description: 'Full access to Elastic Compute Service (ECS)',
      document: doc([
        { Action: 'ecs:*' },
        { Action: ['vpc:DescribeVpcs', 'vpc:DescribeVSwitches'] },
      ]),
    },
    AliyunECSReadOnlyAccess: {
      description: 'Read-only access to Elastic Compute Service (ECS)',
      document: doc([
        { Action: ['ecs:Describe*', 'ecs:List*'] },
        { Action: ['vpc:DescribeVpcs', 'vpc:DescribeVSwitches'] },
      ]),
    },
    AliyunVPCFullAccess: {
      description: 'Full access to Virtual Private Cloud (VPC)',
      document: doc([{ Action: 'vpc:*' }]),
    },
    AliyunVPCReadOnlyAccess: {
      description: 'Read-only access to Virtual Private Cloud (VPC)',
      document: doc([{ Action: ['vpc:Describe*', 'vpc:Get*', 'vpc:List*'] }]),
    },
    AliyunRAMFullAccess: {
      description:
        'Full access to Resource Access Management (RAM): users, groups, roles and policies',
      document: doc([{ Action: 'ram:*' }]),
    },
    AliyunRAMReadOnlyAccess: {
      description: 'Read-only access to Resource Access Management (RAM)',
      document: doc([{ Action: ['ram:Get*', 'ram:List*'] }]),
    },
    AliyunActionTrailFullAccess: {
      description: 'Full access to ActionTrail (the audit trail)',
      document: doc([{ Action: 'actiontrail:*' }]),
    },
    AliyunActionTrailReadOnlyAccess: {
      description: 'Read-only access to ActionTrail: look up events of the audit trail',
      document: doc([
        {
          Action: [
            'actiontrail:Describe*',
            'actiontrail:Get*',
            'actiontrail:List*',
            'actiontrail:LookupEvents',
          ],
        },
      ]),
    },
  });

/**
 * A compiled reference to a system policy, or `undefined` for an unknown name.
 * @example
 * const admin = systemPolicyRef('AdministratorAccess');
 */
export function systemPolicyRef(name: string): PolicyRef | undefined {
  const entry = Object.prototype.hasOwnProperty.call(SYSTEM_POLICIES, name)
    ? SYSTEM_POLICIES[name]
    : undefined;
  if (!entry) return undefined;
  const r = compilePolicy(entry.document, 'identity');
  // INVARIANT: system policy documents are valid (system-policies.test.ts compiles every one).
  if (!r.ok) throw new Error(`system policy ${name} does not compile`);
  return { name, type: 'System', version: 'v1', policy: r.policy };
}
