/**
 * @module VPC 2016-04-28 operations, declared once: parameters with Alibaba's limits and codes,
 * the VPC action and resource each is authorised against, and a doc line. The ECS SDK's legacy
 * twins (version 2014-05-26) bind these same declarations.
 */
import type { AuthzCheck, RequestInfo } from '../../kernel/context.js';
import { defineOperation } from '../../protocol/rpc-operation.js';
import { p } from '../../protocol/rpc-schema.js';
import {
  InvalidCidrBlockMalformed,
  InvalidDescriptionMalformed,
  InvalidPageNumber,
  InvalidPageSize,
  InvalidRouteTableNameMalformed,
  InvalidVSwitchNameMalformed,
  InvalidVpcNameMalformed,
} from './errors.js';
import { vpcArn } from './model.js';

// Names and descriptions: printable text that does not start with a URL scheme.
// eslint-disable-next-line no-control-regex
const NOT_A_URL = /^(?!https?:\/\/)[^\u0000-\u001f]*$/su;

const RegionId = p.str({ min: 1, max: 64, doc: 'region id (the served region)' });
const VpcId = p.str({ min: 1, max: 64, doc: 'VPC id, `vpc-…`' });
const VSwitchId = p.str({ min: 1, max: 64, doc: 'vSwitch id, `vsw-…`' });
const Name = (error: typeof InvalidVpcNameMalformed, doc: string) =>
  p.str({ min: 1, max: 128, pattern: NOT_A_URL, lengthError: error, charsError: error, doc });
const Description = p.str({
  min: 1,
  max: 256,
  pattern: NOT_A_URL,
  lengthError: InvalidDescriptionMalformed,
  charsError: InvalidDescriptionMalformed,
  doc: 'description, 1-256 characters, not starting with http:// or https://',
});
const Cidr = p.str({
  min: 9,
  max: 18,
  lengthError: InvalidCidrBlockMalformed,
  doc: 'IPv4 CIDR block, e.g. 172.16.0.0/12',
});
const PageNumber = p.int({ min: 1, max: 1_000_000, error: InvalidPageNumber, doc: 'page, from 1' });
const PageSize = p.int({ min: 1, max: 50, error: InvalidPageSize, doc: 'page size, 1-50 (10)' });
const DryRun = p.bool({ doc: 'only check the request' });
const Ignored = (doc: string) => p.str({ max: 256, doc: `${doc} (accepted, not used)` });

/** Tag.N.Key / Tag.N.Value of a create call, checked by the handler (`tags.ts`). */
const Tag = p.objectList(
  {
    Key: p.str({ max: 256, doc: 'tag key, 1-128 characters' }),
    Value: p.str({ max: 256, doc: 'tag value, up to 128 characters' }),
  },
  { max: 20, doc: 'tags (Tag.N.Key, Tag.N.Value), up to 20' },
);
/** A boolean yunbox accepts only as false (no IPv6, no DNS host names in yunbox's VPCs). */
const OnlyFalse = (doc: string) => p.bool({ doc: `${doc}; only false (yunbox has none)` });

const region = (i: { RegionId?: string }, info: RequestInfo) => i.RegionId ?? info.region;
const check =
  (action: string, resource: (i: any) => string) =>
  (i: any, info: RequestInfo): AuthzCheck[] => [
    { action, resource: vpcArn(region(i, info), info.accountId, resource(i)) },
  ];

export const CreateVpc = defineOperation({
  name: 'CreateVpc',
  params: {
    RegionId: p.required(RegionId),
    CidrBlock: Cidr,
    VpcName: Name(InvalidVpcNameMalformed, 'VPC name, 1-128 characters'),
    Description,
    DryRun,
    ClientToken: Ignored('idempotency token'),
    UserCidr: Ignored('user CIDR'),
    ResourceGroupId: Ignored('resource group'),
    Tag,
    EnableIpv6: OnlyFalse('IPv6'),
  },
  authz: check('vpc:CreateVpc', () => 'vpc/*'),
  doc: 'Create a VPC (default CIDR block 172.16.0.0/12)',
});
export const DescribeVpcs = defineOperation({
  name: 'DescribeVpcs',
  params: {
    RegionId: p.required(RegionId),
    VpcId: p.str({ max: 2048, doc: 'VPC ids, comma-separated, up to 20' }),
    VpcName: p.str({ max: 128, doc: 'VPC name' }),
    IsDefault: p.bool({ doc: 'default VPCs only (yunbox has none)' }),
    PageNumber,
    PageSize,
    DryRun,
  },
  authz: check('vpc:DescribeVpcs', () => 'vpc/*'),
  readOnly: true,
  doc: 'List VPCs',
});
export const DescribeVpcAttribute = defineOperation({
  name: 'DescribeVpcAttribute',
  params: { VpcId: p.required(VpcId), RegionId, IsDefault: p.bool(), DryRun },
  authz: check('vpc:DescribeVpcAttribute', (i) => `vpc/${i.VpcId}`),
  readOnly: true,
  doc: 'Show a VPC',
});
export const DeleteVpc = defineOperation({
  name: 'DeleteVpc',
  params: {
    VpcId: p.required(VpcId),
    RegionId,
    ForceDelete: p.bool({ doc: 'accepted; vSwitches must still be deleted first' }),
    DryRun,
    ClientToken: Ignored('idempotency token'),
  },
  authz: check('vpc:DeleteVpc', (i) => `vpc/${i.VpcId}`),
  doc: 'Delete a VPC (refused while it has vSwitches)',
});
export const CreateVSwitch = defineOperation({
  name: 'CreateVSwitch',
  params: {
    ZoneId: p.required(p.str({ min: 1, max: 64, doc: 'zone id, e.g. cn-hangzhou-i' })),
    CidrBlock: p.required(Cidr),
    VpcId: p.required(VpcId),
    RegionId,
    VSwitchName: Name(InvalidVSwitchNameMalformed, 'vSwitch name, 1-128 characters'),
    Description,
    ClientToken: Ignored('idempotency token'),
    Tag,
  },
  authz: check('vpc:CreateVSwitch', () => 'vswitch/*'),
  doc: "Create a vSwitch in a zone, with a block inside the VPC's that overlaps no other vSwitch",
});
export const DescribeVSwitches = defineOperation({
  name: 'DescribeVSwitches',
  params: {
    RegionId,
    VpcId,
    VSwitchId: p.str({ max: 2048, doc: 'vSwitch ids, comma-separated' }),
    ZoneId: p.str({ max: 64, doc: 'zone id' }),
    VSwitchName: p.str({ max: 128, doc: 'vSwitch name' }),
    IsDefault: p.bool({ doc: 'default vSwitches only (yunbox has none)' }),
    PageNumber,
    PageSize,
    DryRun,
  },
  authz: check('vpc:DescribeVSwitches', () => 'vswitch/*'),
  readOnly: true,
  doc: 'List vSwitches, with the number of free addresses of each',
});
export const DescribeVSwitchAttributes = defineOperation({
  name: 'DescribeVSwitchAttributes',
  params: { VSwitchId: p.required(VSwitchId), RegionId, DryRun },
  authz: check('vpc:DescribeVSwitchAttributes', (i) => `vswitch/${i.VSwitchId}`),
  readOnly: true,
  doc: 'Show a vSwitch',
});
export const DeleteVSwitch = defineOperation({
  name: 'DeleteVSwitch',
  params: { VSwitchId: p.required(VSwitchId), RegionId, DryRun },
  authz: check('vpc:DeleteVSwitch', (i) => `vswitch/${i.VSwitchId}`),
  doc: 'Delete a vSwitch (refused while instances use it)',
});

// Modify* take an empty name or description: Terraform sends one to clear the attribute.
const NewName = (error: typeof InvalidVpcNameMalformed, doc: string) =>
  p.str({ max: 128, pattern: NOT_A_URL, lengthError: error, charsError: error, doc });
const NewDescription = p.str({
  max: 256,
  pattern: NOT_A_URL,
  lengthError: InvalidDescriptionMalformed,
  charsError: InvalidDescriptionMalformed,
  doc: 'description, up to 256 characters (empty clears it)',
});

export const ModifyVpcAttribute = defineOperation({
  name: 'ModifyVpcAttribute',
  params: {
    VpcId: p.required(VpcId),
    RegionId,
    VpcName: NewName(InvalidVpcNameMalformed, 'new VPC name, up to 128 characters'),
    Description: NewDescription,
    CidrBlock: p.str({
      max: 18,
      doc: "the VPC's block; only its current value (not changed here)",
    }),
    EnableIPv6: OnlyFalse('IPv6'),
    Ipv6CidrBlock: Ignored('IPv6 block'),
    Ipv6Isp: Ignored('IPv6 line'),
    EnableDnsHostname: OnlyFalse('DNS host names'),
  },
  authz: check('vpc:ModifyVpcAttribute', (i) => `vpc/${i.VpcId}`),
  doc: 'Rename a VPC or change its description',
});
export const ModifyVSwitchAttribute = defineOperation({
  name: 'ModifyVSwitchAttribute',
  params: {
    VSwitchId: p.required(VSwitchId),
    RegionId,
    VSwitchName: NewName(InvalidVSwitchNameMalformed, 'new vSwitch name, up to 128 characters'),
    Description: NewDescription,
    EnableIPv6: OnlyFalse('IPv6'),
    Ipv6CidrBlock: Ignored('IPv6 block'),
    VpcIpv6CidrBlock: Ignored('VPC IPv6 block'),
  },
  authz: check('vpc:ModifyVSwitchAttribute', (i) => `vswitch/${i.VSwitchId}`),
  doc: 'Rename a vSwitch or change its description',
});

const RouteTableId = p.str({ min: 1, max: 64, doc: 'route table id, `vtb-…`' });

export const DescribeRouteTableList = defineOperation({
  name: 'DescribeRouteTableList',
  params: {
    RegionId,
    VpcId: p.str({ max: 64, doc: 'VPC id' }),
    RouteTableId: p.str({ max: 64, doc: 'route table id' }),
    RouteTableName: p.str({ max: 128, doc: 'route table name' }),
    RouteTableType: p.str({ max: 32, doc: 'System (the only type yunbox has) or Custom' }),
    RouterId: p.str({ max: 64, doc: 'vRouter id' }),
    RouterType: p.str({ max: 32, doc: 'VRouter (the only router type yunbox has)' }),
    ResourceGroupId: Ignored('resource group'),
    PageNumber,
    PageSize,
  },
  authz: check('vpc:DescribeRouteTableList', () => 'routetable/*'),
  readOnly: true,
  doc: "List route tables: each VPC's system route table",
});
export const ModifyRouteTableAttributes = defineOperation({
  name: 'ModifyRouteTableAttributes',
  params: {
    RouteTableId: p.required(RouteTableId),
    RegionId,
    RouteTableName: p.str({
      max: 128,
      pattern: NOT_A_URL,
      lengthError: InvalidRouteTableNameMalformed,
      charsError: InvalidRouteTableNameMalformed,
      doc: 'route table name, up to 128 characters',
    }),
    Description: NewDescription,
    RoutePropagationEnable: p.bool({ doc: 'route propagation (recorded and shown)' }),
  },
  authz: check('vpc:ModifyRouteTableAttributes', (i) => `routetable/${i.RouteTableId}`),
  doc: 'Rename a system route table, change its description or its route propagation setting',
});

/** The resource types VPC's tag calls serve, and how each appears in an ARN. */
export const TAGGABLE = { VPC: 'vpc', VSWITCH: 'vswitch', ROUTETABLE: 'routetable' } as const;

const ResourceType = p.str({
  min: 1,
  max: 64,
  doc: 'VPC, VSWITCH or ROUTETABLE (any case)',
});
const ResourceIds = p.list(p.str({ max: 64 }), {
  max: 51,
  doc: 'resource ids (ResourceId.N), up to 50',
});
/** One check per resource named (`vpc:<action>` on `vpc/<id>`, `vswitch/<id>` …). */
const onEach =
  (action: string) =>
  (i: any, info: RequestInfo): AuthzCheck[] => {
    const kind = TAGGABLE[String(i.ResourceType ?? '').toUpperCase() as keyof typeof TAGGABLE];
    const ids: string[] = i.ResourceId ?? [];
    if (kind === undefined || ids.length === 0) {
      return [{ action, resource: vpcArn(region(i, info), info.accountId, '*') }];
    }
    return [...new Set(ids)].map((id) => ({
      action,
      resource: vpcArn(region(i, info), info.accountId, `${kind}/${id}`),
    }));
  };

export const TagResources = defineOperation({
  name: 'TagResources',
  params: {
    RegionId: p.required(RegionId),
    ResourceType: p.required(ResourceType),
    ResourceId: p.required(ResourceIds),
    Tag: p.required(Tag),
  },
  authz: onEach('vpc:TagResources'),
  doc: 'Add or overwrite tags of VPCs, vSwitches or route tables (up to 20 per resource)',
});
export const UnTagResources = defineOperation({
  name: 'UnTagResources',
  params: {
    RegionId: p.required(RegionId),
    ResourceType: p.required(ResourceType),
    ResourceId: p.required(ResourceIds),
    TagKey: p.list(p.str({ max: 256 }), {
      max: 21,
      doc: 'tag keys to remove (TagKey.N), up to 20',
    }),
    All: p.bool({ doc: 'remove every tag' }),
  },
  authz: onEach('vpc:UnTagResources'),
  doc: 'Remove tags of VPCs, vSwitches or route tables',
});
export const ListTagResources = defineOperation({
  name: 'ListTagResources',
  params: {
    RegionId: p.required(RegionId),
    ResourceType: p.required(ResourceType),
    ResourceId: ResourceIds,
    Tag,
    MaxResults: p.int({ min: 1, max: 50, error: InvalidPageSize, doc: 'page size, 1-50 (50)' }),
    NextToken: p.str({ max: 256, doc: 'token from the previous page' }),
  },
  authz: onEach('vpc:ListTagResources'),
  readOnly: true,
  doc: 'List the tags of VPCs, vSwitches or route tables, by resource or by tag',
});
