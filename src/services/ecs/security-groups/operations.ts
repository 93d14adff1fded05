/**
 * @module ECS 2014-05-26 security group operations, declared once: parameters with Alibaba's
 * limits and codes, the ECS action and resource each is authorised against
 * (`acs:ecs:<region>:<uid>:securitygroup/<id>`, and the instance for Join/Leave), and a doc line.
 * Rule fields are read as text and checked by `model.ts` (`parsePermission`), which knows which
 * code each problem has and in what order ECS checks them.
 */
import type { AuthzCheck, RequestInfo } from '../../../kernel/context.js';
import { defineOperation } from '../../../protocol/rpc-operation.js';
import { p } from '../../../protocol/rpc-schema.js';
import * as E from '../errors.js';
import { ecsArn } from '../model.js';

// eslint-disable-next-line no-control-regex
const NOT_A_URL = /^(?!https?:\/\/)[^\u0000-\u001f]*$/su;

const RegionId = p.required(p.str({ min: 1, max: 64, doc: 'region id (the served region)' }));
const SecurityGroupId = p.required(
  p.str({
    min: 1,
    max: 100,
    lengthError: E.InvalidSecurityGroupIdMalformed,
    doc: 'security group id, `sg-…`',
  }),
);
const GroupName = p.str({
  min: 2,
  max: 128,
  pattern: /^(?!https?:\/\/)\p{L}[\p{L}\p{N}._:-]*$/u,
  lengthError: E.InvalidSecurityGroupNameMalformed,
  charsError: E.InvalidSecurityGroupNameMalformed,
  doc: 'group name: 2-128 characters, starting with a letter; letters, digits, . _ - :',
});
const Description = (min: number) =>
  p.str({
    min,
    max: 256,
    pattern: NOT_A_URL,
    lengthError: E.EcsInvalidDescription,
    charsError: E.EcsInvalidDescription,
    doc: `description, ${min}-256 characters, not starting with http:// or https://`,
  });
const Tag = p.objectList(
  {
    Key: p.str({ max: 256, doc: 'tag key, 1-128 characters' }),
    Value: p.str({ max: 256, doc: 'tag value, up to 128 characters' }),
  },
  { max: 20, doc: 'tags (Tag.N.Key, Tag.N.Value), up to 20' },
);
const DryRun = p.bool({ doc: 'only check the request (DryRunOperation when it would pass)' });
const Ignored = (doc: string) => p.str({ max: 1024, doc: `${doc} (accepted, not used)` });
const PageNumber = p.int({
  min: 1,
  max: 1_000_000,
  error: E.EcsInvalidPageNumber,
  doc: 'page, from 1',
});

/** One rule's fields, as `Permissions.N.<field>` and as the deprecated flat parameters. */
const RULE_FIELDS = {
  IpProtocol: p.str({ max: 16, doc: 'TCP, UDP, ICMP, ICMPv6, GRE or ALL (any case)' }),
  PortRange: p.str({ max: 32, doc: 'ports `from/to` (1-65535), `-1/-1` for ICMP, GRE and ALL' }),
  SourcePortRange: p.str({ max: 32, doc: 'source ports `from/to` (quintuple rules)' }),
  Policy: p.str({ max: 16, doc: 'accept (default) or drop' }),
  Priority: p.str({ max: 16, doc: 'priority, 1 (highest, default) to 100' }),
  NicType: p.str({ max: 64, doc: 'intranet (the only type of a VPC group)' }),
  Description: p.str({ max: 1024, doc: 'rule description, up to 512 characters' }),
  SourceCidrIp: p.str({ max: 64, doc: 'source IPv4 address or block' }),
  Ipv6SourceCidrIp: p.str({ max: 64, doc: 'source IPv6 address or block' }),
  SourceGroupId: p.str({ max: 100, doc: 'source security group (ingress)' }),
  SourceGroupOwnerAccount: p.str({ max: 128, doc: "source group's owner (login name)" }),
  SourceGroupOwnerId: p.str({ max: 32, doc: "source group's owner (account id)" }),
  SourcePrefixListId: p.str({ max: 64, doc: 'source prefix list (yunbox has none)' }),
  DestCidrIp: p.str({ max: 64, doc: 'destination IPv4 address or block' }),
  Ipv6DestCidrIp: p.str({ max: 64, doc: 'destination IPv6 address or block' }),
  DestGroupId: p.str({ max: 100, doc: 'destination security group (egress)' }),
  DestGroupOwnerAccount: p.str({ max: 128, doc: "destination group's owner (login name)" }),
  DestGroupOwnerId: p.str({ max: 32, doc: "destination group's owner (account id)" }),
  DestPrefixListId: p.str({ max: 64, doc: 'destination prefix list (yunbox has none)' }),
  PortRangeListId: p.str({ max: 64, doc: 'port list (yunbox has none)' }),
};
const Permissions = p.objectList(RULE_FIELDS, {
  max: 100,
  doc: 'rules (Permissions.N.IpProtocol, .PortRange, .SourceCidrIp …), 1-100',
});
const RuleIds = p.list(p.str({ max: 64 }), {
  max: 100,
  doc: 'rule ids (SecurityGroupRuleId.N), up to 100',
});

const region = (i: { RegionId?: string }, info: RequestInfo) => i.RegionId ?? info.region;
const onGroup =
  (action: string, group: (i: any) => string = (i) => i.SecurityGroupId) =>
  (i: any, info: RequestInfo): AuthzCheck[] => [
    { action, resource: ecsArn(region(i, info), info.accountId, `securitygroup/${group(i)}`) },
  ];

export const CreateSecurityGroup = defineOperation({
  name: 'CreateSecurityGroup',
  params: {
    RegionId,
    VpcId: p.str({ max: 64, doc: "the group's VPC (required: yunbox has no classic network)" }),
    SecurityGroupName: GroupName,
    Description: Description(2),
    SecurityGroupType: p.str({ max: 32, doc: 'normal (default) or enterprise' }),
    Tag,
    ResourceGroupId: Ignored('resource group'),
    ServiceManaged: p.bool({ doc: 'accepted, not used' }),
    ClientToken: Ignored('idempotency token'),
  },
  authz: onGroup('ecs:CreateSecurityGroup', () => '*'),
  doc: 'Create a security group in a VPC (up to 100 per region); basic groups let their instances reach each other (InnerAccessPolicy Accept)',
});
export const DescribeSecurityGroups = defineOperation({
  name: 'DescribeSecurityGroups',
  params: {
    RegionId,
    SecurityGroupId: p.str({ max: 100, doc: 'one security group id' }),
    SecurityGroupIds: p.jsonStringArray({
      maxItems: 100,
      error: E.InvalidSecurityGroupIdMalformed,
      doc: 'security group ids, a JSON array of up to 100',
    }),
    VpcId: p.str({ max: 64, doc: 'VPC id' }),
    SecurityGroupName: p.str({ max: 128, doc: 'group name' }),
    SecurityGroupType: p.str({ max: 32, doc: 'normal or enterprise' }),
    NetworkType: p.str({ max: 16, doc: 'vpc (every group of yunbox) or classic (none)' }),
    Tag,
    ResourceGroupId: p.str({ max: 64, doc: 'resource group (yunbox groups are in none)' }),
    ServiceManaged: p.bool({ doc: 'managed groups only (yunbox has none)' }),
    IsQueryEcsCount: p.bool({ doc: 'accepted; EcsCount is always filled' }),
    FuzzyQuery: p.bool({ doc: 'deprecated, ignored' }),
    PageNumber,
    PageSize: p.int({ min: 1, max: 50, error: E.EcsInvalidPageSize, doc: 'page size, 1-50 (10)' }),
    NextToken: p.str({ max: 256, doc: 'token from the previous page (with MaxResults)' }),
    MaxResults: p.int({
      min: 1,
      max: 100,
      error: E.EcsInvalidPageSize,
      doc: 'page size in token mode, 1-100 (10)',
    }),
    DryRun,
  },
  authz: onGroup('ecs:DescribeSecurityGroups', () => '*'),
  readOnly: true,
  doc: 'List security groups with filters and tags; pages by PageNumber/PageSize or NextToken/MaxResults',
});
export const DescribeSecurityGroupAttribute = defineOperation({
  name: 'DescribeSecurityGroupAttribute',
  params: {
    SecurityGroupId,
    RegionId,
    Direction: p.str({
      enum: ['ingress', 'egress', 'all'],
      charsError: E.InvalidParamterDirection,
      doc: 'ingress, egress or all (default)',
    }),
    // Any value: a VPC group's rules are all intranet, and Terraform sends `<nil>` here when the
    // rule's nic_type was never set.
    NicType: p.str({ max: 64, doc: 'accepted; every rule of a VPC group is intranet' }),
    MaxResults: p.int({
      min: 10,
      max: 1000,
      error: E.InvalidParamterDirection,
      doc: 'rules per page, 10-1000 (500)',
    }),
    NextToken: p.str({ max: 256, doc: 'token from the previous page' }),
    Attribute: p.str({ max: 64, doc: 'snapshotPolicyIds (always an empty list here)' }),
  },
  authz: onGroup('ecs:DescribeSecurityGroupAttribute'),
  readOnly: true,
  doc: 'Show a security group with its rules (Permissions.Permission[]) and inner access policy',
});
export const ModifySecurityGroupAttribute = defineOperation({
  name: 'ModifySecurityGroupAttribute',
  params: {
    SecurityGroupId,
    RegionId,
    SecurityGroupName: GroupName,
    Description: Description(0),
  },
  authz: onGroup('ecs:ModifySecurityGroupAttribute'),
  doc: 'Rename a security group or change its description (an empty one clears it)',
});
export const ModifySecurityGroupPolicy = defineOperation({
  name: 'ModifySecurityGroupPolicy',
  params: {
    SecurityGroupId,
    RegionId,
    InnerAccessPolicy: p.str({ max: 16, doc: 'Accept or Drop (any case); required' }),
    ClientToken: Ignored('idempotency token'),
  },
  authz: onGroup('ecs:ModifySecurityGroupPolicy'),
  doc: "Change whether a basic group's instances reach each other (advanced groups stay Drop)",
});

const authorizeParams = {
  SecurityGroupId,
  RegionId,
  Permissions,
  ...RULE_FIELDS,
  ClientToken: Ignored('idempotency token'),
};
export const AuthorizeSecurityGroup = defineOperation({
  name: 'AuthorizeSecurityGroup',
  params: authorizeParams,
  authz: onGroup('ecs:AuthorizeSecurityGroup'),
  doc: 'Add inbound rules (Permissions.N, or the flat parameters); a rule the group has already changes nothing',
});
export const AuthorizeSecurityGroupEgress = defineOperation({
  name: 'AuthorizeSecurityGroupEgress',
  params: authorizeParams,
  authz: onGroup('ecs:AuthorizeSecurityGroupEgress'),
  doc: 'Add outbound rules (Permissions.N, or the flat parameters); a rule the group has already changes nothing',
});
const revokeParams = { ...authorizeParams, SecurityGroupRuleId: RuleIds };
export const RevokeSecurityGroup = defineOperation({
  name: 'RevokeSecurityGroup',
  params: revokeParams,
  authz: onGroup('ecs:RevokeSecurityGroup'),
  doc: 'Remove inbound rules by SecurityGroupRuleId.N or by their fields, all or none',
});
export const RevokeSecurityGroupEgress = defineOperation({
  name: 'RevokeSecurityGroupEgress',
  params: revokeParams,
  authz: onGroup('ecs:RevokeSecurityGroupEgress'),
  doc: 'Remove outbound rules by SecurityGroupRuleId.N or by their fields, all or none',
});
const modifyRuleParams = {
  SecurityGroupId,
  RegionId,
  SecurityGroupRuleId: p.str({ max: 64, doc: 'the rule, by id (or found by its fields)' }),
  ...RULE_FIELDS,
  ClientToken: Ignored('idempotency token'),
};
export const ModifySecurityGroupRule = defineOperation({
  name: 'ModifySecurityGroupRule',
  params: modifyRuleParams,
  authz: onGroup('ecs:ModifySecurityGroupRule'),
  doc: 'Change an inbound rule: by SecurityGroupRuleId any field, else the rule its fields name gets the given priority and description',
});
export const ModifySecurityGroupEgressRule = defineOperation({
  name: 'ModifySecurityGroupEgressRule',
  params: modifyRuleParams,
  authz: onGroup('ecs:ModifySecurityGroupEgressRule'),
  doc: 'Change an outbound rule: by SecurityGroupRuleId any field, else the rule its fields name gets the given priority and description',
});

const membershipParams = {
  SecurityGroupId,
  RegionId: p.str({ max: 64, doc: 'region id (the served region)' }),
  InstanceId: p.str({ max: 64, doc: 'instance id (or NetworkInterfaceId)' }),
  NetworkInterfaceId: p.str({ max: 64, doc: "the instance's primary network interface" }),
};
/** The group and the instance (or its network interface) a membership call touches. */
const onMembership =
  (action: string) =>
  (i: any, info: RequestInfo): AuthzCheck[] => [
    ...onGroup(action)(i, info),
    ...(i.InstanceId !== undefined
      ? [{ action, resource: ecsArn(region(i, info), info.accountId, `instance/${i.InstanceId}`) }]
      : []),
    ...(i.NetworkInterfaceId !== undefined
      ? [
          {
            action,
            resource: ecsArn(
              region(i, info),
              info.accountId,
              `networkinterface/${i.NetworkInterfaceId}`,
            ),
          },
        ]
      : []),
  ];
export const JoinSecurityGroup = defineOperation({
  name: 'JoinSecurityGroup',
  params: membershipParams,
  authz: onMembership('ecs:JoinSecurityGroup'),
  doc: 'Put a Running or Stopped instance (or its network interface) in a security group of its VPC (up to 5 groups)',
});
export const LeaveSecurityGroup = defineOperation({
  name: 'LeaveSecurityGroup',
  params: membershipParams,
  authz: onMembership('ecs:LeaveSecurityGroup'),
  doc: 'Take a Running or Stopped instance out of a security group (it keeps at least one)',
});
export const DeleteSecurityGroup = defineOperation({
  name: 'DeleteSecurityGroup',
  params: { SecurityGroupId, RegionId },
  authz: onGroup('ecs:DeleteSecurityGroup'),
  doc: 'Delete a security group and its rules (refused while an instance is in it or another group authorises it)',
});
