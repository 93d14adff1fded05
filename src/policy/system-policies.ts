/**
 * @module Alibaba Cloud's system policies, as documents (JSON text in Alibaba's compact form, keys
 * sorted) with a description: those of every product yunbox serves (RAM, STS, ECS, VPC, OSS,
 * ActionTrail) and the ones Terraform configurations and SDK tutorials attach most (Simple Log
 * Service, KMS, RDS, Tair/Redis, SLB, Function Compute, MNS, Tablestore, ALB, NLB, Container
 * Registry, Container Service for Kubernetes, CloudMonitor). Attaching one whose product yunbox does
 * not serve works; its actions simply have nothing to call.
 *
 * Each document is the one Alibaba publishes on the policy's page under "RAM > Developer reference
 * > System policies" (`help/en/ram/developer-reference/<name in lower case>`, or the product's
 * "System policies" page), statements in the published order; `source` names the page and the
 * version read. Policies with no page in the documentation we could search keep the document their
 * name and description imply, marked `source: 'derived'`: a Full policy allows `<code>:*`, a
 * ReadOnly one the product's `Describe*`, `Get*` and `List*` (AdministratorAccess, ReadOnlyAccess,
 * AliyunRAMFullAccess, AliyunOSSFullAccess, and the SLB, RDS, CS, MNS and CloudMonitor ones below).
 * System policies cannot be created, changed or deleted.
 */
import { compilePolicy } from './compile.js';
import type { PolicyRef } from './evaluate.js';

/** A statement as published (every system policy statement allows). */
interface Statement {
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** A system policy: its document, our description and where the document was read. */
export interface SystemPolicy {
  description: string;
  document: string;
  /** The published page and version the document was read from, or `derived`. */
  source: string;
}

function policy(description: string, source: string, statements: Statement[]): SystemPolicy {
  const document = JSON.stringify({
    Statement: statements.map((s) => ({
      Action: s.Action,
      ...(s.Condition ? { Condition: s.Condition } : {}),
      Effect: 'Allow',
      Resource: s.Resource ?? '*',
    })),
    Version: '1',
  });
  return Object.freeze({ description, document, source });
}

/** `ram:CreateServiceLinkedRole` for the named service-linked roles (many Full policies end so). */
const linkedRole = (names: string | string[]): Statement => ({
  Action: 'ram:CreateServiceLinkedRole',
  Condition: { StringEquals: { 'ram:ServiceName': names } },
});
/** `ram:PassRole` to one service (`acs:Service`). */
const passRoleTo = (service: string): Statement => ({
  Action: 'ram:PassRole',
  Condition: { StringEquals: { 'acs:Service': service } },
});
const page = (name: string, version: string) =>
  `ram/developer-reference/${name.toLowerCase()} (${version})`;
/** Load balancers' Full policies share their lookups of the backends. */
const LB_LOOKUPS = [
  'ecs:DescribeInstances',
  'ecs:DescribeNetworkInterfaces',
  'eci:DescribeContainerGroups',
  'cms:QueryMetricList',
  'vpc:DescribeVpcs',
  'vpc:DescribeVSwitches',
];
const HDM_READ = ['hdm:Get*', 'hdm:Describe*', 'hdm:Query*', 'hdm:Support*'];

/** System policies by name. */
export const SYSTEM_POLICIES: Readonly<Record<string, SystemPolicy>> = Object.freeze({
  // ---- Everything
  AdministratorAccess: policy(
    'Full access to all Alibaba Cloud services and resources',
    'derived',
    [{ Action: '*' }],
  ),
  ReadOnlyAccess: policy(
    'Read-only access to all Alibaba Cloud services and resources',
    'derived',
    [{ Action: ['*:Describe*', '*:List*', '*:Get*', '*:BatchGet*', '*:Query*', '*:BatchQuery*'] }],
  ),

  // ---- Products yunbox serves
  AliyunRAMFullAccess: policy(
    'Full access to Resource Access Management (RAM): users, groups, roles and policies',
    'derived',
    [{ Action: 'ram:*' }],
  ),
  AliyunRAMReadOnlyAccess: policy(
    'Read-only access to Resource Access Management (RAM)',
    page('AliyunRAMReadOnlyAccess', 'v3'),
    [
      { Action: ['ram:Get*', 'ram:List*', 'ram:GenerateCredentialReport'] },
      { Action: ['accessanalyzer:Get*', 'accessanalyzer:List*'] },
    ],
  ),
  AliyunSTSAssumeRoleAccess: policy(
    'Permission to call the AssumeRole operation of Security Token Service (STS)',
    page('AliyunSTSAssumeRoleAccess', 'v1'),
    [{ Action: 'sts:AssumeRole' }],
  ),
  AliyunECSFullAccess: policy(
    'Full access to Elastic Compute Service (ECS)',
    'ecs/user-guide/example-system-policies',
    [{ Action: 'ecs:*' }, { Action: ['vpc:DescribeVpcs', 'vpc:DescribeVSwitches'] }],
  ),
  AliyunECSReadOnlyAccess: policy(
    'Read-only access to Elastic Compute Service (ECS)',
    'ecs/user-guide/example-system-policies',
    [
      { Action: 'ecs:Describe*' },
      { Action: 'ecs:List*' },
      { Action: ['vpc:DescribeVpcs', 'vpc:DescribeVSwitches'] },
    ],
  ),
  AliyunECSNetworkInterfaceManagementAccess: policy(
    'Manage the elastic network interfaces of Elastic Compute Service (ECS)',
    'ecs/user-guide/example-system-policies',
    [
      { Action: ['vpc:DescribeVSwitchAttributes'] },
      {
        Action: [
          'ecs:CreateNetworkInterface',
          'ecs:DeleteNetworkInterface',
          'ecs:DescribeNetworkInterfaces',
          'ecs:CreateNetworkInterfacePermission',
          'ecs:DescribeNetworkInterfacePermissions',
          'ecs:DeleteNetworkInterfacePermission',
        ],
      },
    ],
  ),
  AliyunVPCFullAccess: policy(
    'Full access to Virtual Private Cloud (VPC)',
    page('AliyunVPCFullAccess', 'v12'),
    [
      {
        Action: [
          'vpc:*HaVip*',
          'vpc:*RouteTable*',
          'vpc:*VRouter*',
          'vpc:*RouteEntry*',
          'vpc:*RouteEntries*',
          'vpc:*VSwitch*',
          'vpc:*Vpc*',
          'vpc:*Cen*',
          'vpc:*Tag*',
          'vpc:*NetworkAcl*',
          'vpc:*FlowLog*',
          'vpc:*Ipv4Gateway*',
          'vpc:*PrefixList*',
          'vpc:*DhcpOptionsSet*',
          'vpc:DeletionProtection',
          'vpc:*TagResource*',
          'vpc:MoveResourceGroup',
        ],
      },
    ],
  ),
  AliyunVPCReadOnlyAccess: policy(
    'Read-only access to Virtual Private Cloud (VPC)',
    page('AliyunVPCReadOnlyAccess', 'v9'),
    [
      {
        Action: [
          'vpc:DescribeHaVip*',
          'vpc:DescribeRouteTable*',
          'vpc:DescribeRouteEntry*',
          'vpc:DescribeVSwitch*',
          'vpc:DescribeVRouter*',
          'vpc:DescribeVpc*',
          'vpc:Describe*Cen*',
          'vpc:ListTag*',
          'vpc:DescribeTag*',
          'vpc:DescribeNetworkAcl*',
          'vpc:DescribeFlowLog*',
          'vpc:CheckCanAllocateVpcPrivateIpAddress',
          'vpc:ListIpv4Gateways',
          'vpc:GetIpv4GatewayAttribute',
          'vpc:ListDhcpOptionsSets',
          'vpc:GetDhcpOptionsSet',
        ],
      },
    ],
  ),
  AliyunOSSFullAccess: policy('Full access to Object Storage Service (OSS)', 'derived', [
    { Action: 'oss:*' },
  ]),
  AliyunOSSReadOnlyAccess: policy(
    'Read-only access to Object Storage Service (OSS)',
    page('AliyunOSSReadOnlyAccess', 'v1'),
    [{ Action: ['oss:Get*', 'oss:List*'] }],
  ),
  AliyunActionTrailFullAccess: policy(
    'Full access to ActionTrail (the audit trail)',
    page('AliyunActionTrailFullAccess', 'v2'),
    [
      { Action: 'actiontrail:*' },
      passRoleTo('actiontrail.aliyuncs.com'),
      linkedRole('actiontrail.aliyuncs.com'),
    ],
  ),
  AliyunActionTrailReadOnlyAccess: policy(
    'Read-only access to ActionTrail: look up events of the audit trail',
    page('AliyunActionTrailReadOnlyAccess', 'v4'),
    [
      {
        Action: [
          'actiontrail:Lookup*',
          'actiontrail:Describe*',
          'actiontrail:Get*',
          'actiontrail:Check*',
          'actiontrail:List*',
        ],
      },
    ],
  ),

  // ---- Products Terraform configurations and SDK users attach most (not served by yunbox)
  AliyunLogFullAccess: policy(
    'Full access to Simple Log Service (SLS)',
    page('AliyunLogFullAccess', 'v4'),
    [
      { Action: 'log:*' },
      linkedRole([
        'audit.log.aliyuncs.com',
        'alert.log.aliyuncs.com',
        'middlewarelens.log.aliyuncs.com',
        'storagelens.log.aliyuncs.com',
        'ai-lens.log.aliyuncs.com',
        'securitylens.log.aliyuncs.com',
      ]),
      {
        Action: ['cms:CreateChat', 'cms:CreateThread'],
        Resource: 'acs:cms:*:*:digitalemployee/apsara-*',
      },
    ],
  ),
  AliyunLogReadOnlyAccess: policy(
    'Read-only access to Simple Log Service (SLS)',
    'sls/developer-reference/overview-5',
    [{ Action: ['log:Get*', 'log:List*'] }],
  ),
  AliyunKMSFullAccess: policy(
    'Full access to Key Management Service (KMS)',
    page('AliyunKMSFullAccess', 'v3'),
    [
      { Action: 'kms:*' },
      linkedRole(['secretsmanager-rds.kms.aliyuncs.com', 'keystore.kms.aliyuncs.com']),
    ],
  ),
  AliyunKMSReadOnlyAccess: policy(
    'Read-only access to Key Management Service (KMS)',
    page('AliyunKMSReadOnlyAccess', 'v3'),
    [
      {
        Action: [
          'kms:List*',
          'kms:Describe*',
          'kms:GetPublicKey',
          'kms:GetUploadBackupDataInfo',
          'kms:GetKmsInstanceSharedAccounts',
          'kms:GetKmsInstanceQuotaInfos',
          'kms:GetCheckAssociateResourceTaskResults',
          'kms:GetKeyPolicy',
          'kms:GetKeyDefaultPolicy',
          'kms:GetSecretPolicy',
          'kms:GetSecretDefaultPolicy',
          'kms:GetKmsInstance',
          'kms:GetDefaultKmsInstance',
        ],
      },
    ],
  ),
  AliyunKMSCryptoUserAccess: policy(
    'Use the cryptographic operations of Key Management Service (KMS)',
    page('AliyunKMSCryptoUserAccess', 'v1'),
    [
      {
        Action: [
          'kms:Encrypt',
          'kms:Decrypt',
          'kms:GenerateDataKey',
          'kms:GenerateDataKeyWithoutPlaintext',
          'kms:AsymmetricDecrypt',
          'kms:AsymmetricEncrypt',
          'kms:AsymmetricSign',
          'kms:AsymmetricVerify',
          'kms:GetPublicKey',
        ],
      },
    ],
  ),
  AliyunKMSSecretUserAccess: policy(
    'Read the secrets of Key Management Service (KMS)',
    page('AliyunKMSSecretUserAccess', 'v1'),
    [
      { Action: ['kms:GetSecretValue'] },
      { Action: ['kms:DescribeSecret', 'kms:ListSecretVersionIds'] },
    ],
  ),
  AliyunRDSReadOnlyAccess: policy(
    'Read-only access to ApsaraDB RDS',
    page('AliyunRDSReadOnlyAccess', 'v3'),
    [
      { Action: 'rds:Describe*' },
      { Action: HDM_READ, Resource: 'acs:rds:*:*:*' },
      {
        Action: ['dbs:Get*', 'dbs:Describe*', 'dbs:Query*', 'dbs:Support*'],
        Resource: 'acs:rds:*:*:*',
      },
    ],
  ),
  AliyunPolardbFullAccess: policy('Full access to PolarDB', page('AliyunPolardbFullAccess', 'v5'), [
    { Action: 'polardb:*' },
    { Action: 'hdm:*', Resource: 'acs:polardb:*:*:*' },
    { Action: 'dbs:*', Resource: 'acs:polardb:*:*:*' },
    { Action: ['vpc:DescribeVpcs', 'vpc:DescribeVSwitches'] },
    { Action: 'dms:LoginDatabase', Resource: 'acs:polardb:*:*:*' },
    { Action: 'bss:ModifyAgreementRecord' },
    linkedRole('polardb.aliyuncs.com'),
  ]),
  AliyunKvstoreFullAccess: policy(
    'Full access to Tair (Redis OSS-compatible)',
    page('AliyunKvstoreFullAccess', 'v3'),
    [
      { Action: 'kvstore:*' },
      { Action: 'hdm:*', Resource: 'acs:kvstore:*:*:*' },
      linkedRole('r-kvstore.aliyuncs.com'),
    ],
  ),
  AliyunKvstoreReadOnlyAccess: policy(
    'Read-only access to Tair (Redis OSS-compatible)',
    page('AliyunKvstoreReadOnlyAccess', 'v2'),
    [{ Action: 'kvstore:Describe*' }, { Action: HDM_READ, Resource: 'acs:kvstore:*:*:*' }],
  ),
  AliyunSLBReadOnlyAccess: policy(
    'Read-only access to Server Load Balancer (SLB)',
    page('AliyunSLBReadOnlyAccess', 'v4'),
    [{ Action: ['slb:Describe*', 'slb:List*', 'slb:Get*'] }, { Action: 'cms:QueryMetric*' }],
  ),
  AliyunALBFullAccess: policy(
    'Full access to Application Load Balancer (ALB)',
    page('AliyunALBFullAccess', 'v2'),
    [
      { Action: 'alb:*' },
      { Action: LB_LOOKUPS },
      linkedRole([
        'alb.aliyuncs.com',
        'logdelivery.alb.aliyuncs.com',
        'clone.alb.aliyuncs.com',
        'ga.alb.aliyuncs.com',
        'fc.alb.aliyuncs.com',
      ]),
    ],
  ),
  AliyunNLBFullAccess: policy(
    'Full access to Network Load Balancer (NLB)',
    page('AliyunNLBFullAccess', 'v1'),
    [{ Action: 'nlb:*' }, { Action: LB_LOOKUPS }, linkedRole(['nlb.aliyuncs.com'])],
  ),
  AliyunFCFullAccess: policy(
    'Full access to Function Compute (FC)',
    page('AliyunFCFullAccess', 'v2'),
    [{ Action: 'fc:*' }, passRoleTo('fc.aliyuncs.com')],
  ),
  AliyunMNSReadOnlyAccess: policy(
    'Read-only access to Simple Message Queue (formerly MNS)',
    page('AliyunMNSReadOnlyAccess', 'v2'),
    [{ Action: ['mns:Get*', 'mns:Query*', 'mns:Desc*', 'mns:List*'] }],
  ),
  AliyunOTSFullAccess: policy(
    'Full access to Tablestore (OTS)',
    page('AliyunOTSFullAccess', 'v1'),
    [{ Action: 'ots:*' }],
  ),
  AliyunSLBFullAccess: policy('Full access to Server Load Balancer (SLB)', 'derived', [
    { Action: 'slb:*' },
  ]),
  AliyunRDSFullAccess: policy('Full access to ApsaraDB RDS', 'derived', [{ Action: 'rds:*' }]),
  AliyunFCReadOnlyAccess: policy(
    'Read-only access to Function Compute (FC)',
    page('AliyunFCReadOnlyAccess', 'v1'),
    [{ Action: ['fc:Get*', 'fc:List*'] }],
  ),
  AliyunMNSFullAccess: policy('Full access to Simple Message Queue (formerly MNS)', 'derived', [
    { Action: 'mns:*' },
  ]),
  AliyunContainerRegistryFullAccess: policy(
    'Full access to Container Registry (ACR)',
    'acr/user-guide/grant-ram-user-system-policy',
    [{ Action: 'cr:*' }],
  ),
  AliyunContainerRegistryReadOnlyAccess: policy(
    'Read-only access to Container Registry (ACR): list repositories and pull images',
    'acr/user-guide/grant-ram-user-system-policy',
    [{ Action: ['cr:Get*', 'cr:List*', 'cr:Pull*'] }],
  ),
  AliyunCSFullAccess: policy('Full access to Container Service for Kubernetes (ACK)', 'derived', [
    { Action: 'cs:*' },
  ]),
  AliyunCSReadOnlyAccess: policy(
    'Read-only access to Container Service for Kubernetes (ACK)',
    'derived',
    [{ Action: ['cs:Describe*', 'cs:Get*', 'cs:List*'] }],
  ),
  AliyunCloudMonitorFullAccess: policy('Full access to CloudMonitor', 'derived', [
    { Action: 'cms:*' },
  ]),
  AliyunCloudMonitorReadOnlyAccess: policy('Read-only access to CloudMonitor', 'derived', [
    { Action: ['cms:Describe*', 'cms:Get*', 'cms:List*', 'cms:Query*'] },
  ]),
});

/**
 * A compiled reference to a system policy, or `undefined` for an unknown name (exact spelling;
 * RAM's handlers resolve other cases to this one first).
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
