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
