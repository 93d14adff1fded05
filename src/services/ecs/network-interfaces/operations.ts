/**
 * @module DescribeNetworkInterfaces, declared once: the filters Terraform's providers and the SDKs
 * use (`NetworkInterfaceId.N`, `InstanceId`, `Type`, …), both paging styles, and the ECS action it
 * is authorised against (`acs:ecs:<region>:<uid>:networkinterface/*`).
 */
import { defineOperation } from '../../../protocol/rpc-operation.js';
import { p } from '../../../protocol/rpc-schema.js';
import * as E from '../errors.js';
import { ecsArn } from '../model.js';
import { TagFilterParam } from '../tags/operations.js';

export const DescribeNetworkInterfaces = defineOperation({
  name: 'DescribeNetworkInterfaces',
  params: {
    RegionId: p.required(p.str({ min: 1, max: 64, doc: 'region id (the served region)' })),
    NetworkInterfaceId: p.list(p.str({ max: 64 }), {
      max: 100,
      doc: 'network interface ids (NetworkInterfaceId.N), up to 100',
    }),
    InstanceId: p.str({ max: 64, doc: 'the instance an interface is attached to' }),
    VpcId: p.str({ max: 64, doc: 'VPC id' }),
    VSwitchId: p.str({ max: 64, doc: 'vSwitch id' }),
    SecurityGroupId: p.str({ max: 100, doc: 'a security group the interface is in' }),
    Type: p.str({ max: 32, doc: 'Primary (every interface of yunbox) or Secondary' }),
    Status: p.str({ max: 32, doc: 'InUse (every interface of yunbox) or Available' }),
    PrimaryIpAddress: p.str({ max: 64, doc: 'primary private IPv4 address' }),
    PrivateIpAddress: p.list(p.str({ max: 64 }), {
      max: 100,
      doc: 'private IPv4 addresses (PrivateIpAddress.N)',
    }),
    NetworkInterfaceName: p.str({ max: 128, doc: 'name (interfaces of yunbox have none)' }),
    Tag: TagFilterParam,
    ResourceGroupId: p.str({ max: 64, doc: 'resource group (interfaces of yunbox are in none)' }),
    ServiceManaged: p.bool({ doc: 'managed interfaces only (yunbox has none)' }),
    Ipv6Address: p.list(p.str({ max: 64 }), { max: 100, doc: 'IPv6 addresses (yunbox has none)' }),
    PageNumber: p.int({
      min: 1,
      max: 1_000_000,
      error: E.EcsInvalidPageNumber,
      doc: 'page, from 1',
    }),
    PageSize: p.int({
      min: 1,
      max: 1000,
      error: E.EcsInvalidPageSize,
      doc: 'page size, 1-1000 (10)',
    }),
    NextToken: p.str({ max: 256, doc: 'token from the previous page (with MaxResults)' }),
    MaxResults: p.int({
      min: 1,
      max: 500,
      error: E.EcsInvalidPageSize,
      doc: 'page size in token mode, 1-500 (10)',
    }),
  },
  authz: (i, info) => [
    {
      action: 'ecs:DescribeNetworkInterfaces',
      resource: ecsArn(i.RegionId ?? info.region, info.accountId, 'networkinterface/*'),
    },
  ],
  readOnly: true,
  doc: "List network interfaces: each instance's primary interface, with its address, MAC, vSwitch and security groups",
});
