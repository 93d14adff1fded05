/**
 * @module VPC wire shapes: domain values to the PascalCase bodies the official SDKs and Terraform's
 * provider read (every list wrapper an array; tags as `Key` / `Value`, as the VPC API prints them).
 */
import { parseCidr, usableRange, vpcTime, type Tag, type VSwitch, type Vpc } from './model.js';

/** Tags as the VPC API lists them (`Tags.Tag[]`). */
export function tagsToWire(tags: readonly Tag[] | undefined) {
  return { Tag: (tags ?? []).map((t) => ({ Key: t.key, Value: t.value })) };
}

/** The VPC wire shape (DescribeVpcs `Vpcs.Vpc[]`, DescribeVpcAttribute). */
export function vpcToWire(v: Vpc, vswitchIds: string[]) {
  return {
    VpcId: v.vpcId,
    RegionId: v.regionId,
    Status: 'Available',
    VpcName: v.vpcName,
    CreationTime: vpcTime(v.createdAt),
    CidrBlock: v.cidrBlock,
    VRouterId: v.vRouterId,
    Description: v.description,
    IsDefault: false,
    ResourceGroupId: '',
    EnabledIpv6: false,
    Ipv6CidrBlock: '',
    Ipv6CidrBlocks: { Ipv6CidrBlock: [] as unknown[] },
    DnsHostnameStatus: 'DISABLED',
    DhcpOptionsSetId: '',
    DhcpOptionsSetStatus: '',
    VSwitchIds: { VSwitchId: vswitchIds },
    UserCidrs: { UserCidr: [] as string[] },
    RouterTableIds: { RouterTableIds: [v.routeTableId] },
    NatGatewayIds: { NatGatewayIds: [] as string[] },
    SecondaryCidrBlocks: { SecondaryCidrBlock: [] as string[] },
    Tags: tagsToWire(v.tags),
  };
}

/** The vSwitch wire shape (DescribeVSwitches `VSwitches.VSwitch[]`, DescribeVSwitchAttributes). */
export function vswitchToWire(s: VSwitch, used: number, routeTableId: string | undefined) {
  const c = parseCidr(s.cidrBlock);
  return {
    VSwitchId: s.vswitchId,
    VpcId: s.vpcId,
    Status: 'Available',
    CidrBlock: s.cidrBlock,
    ZoneId: s.zoneId,
    AvailableIpAddressCount: c ? Math.max(0, usableRange(c).count - used) : 0,
    Description: s.description,
    VSwitchName: s.vswitchName,
    CreationTime: vpcTime(s.createdAt),
    IsDefault: false,
    ResourceGroupId: '',
    NetworkAclId: '',
    ShareType: 'Sharing',
    EnabledIpv6: false,
    Ipv6CidrBlock: '',
    ...(routeTableId !== undefined
      ? { RouteTable: { RouteTableId: routeTableId, RouteTableType: 'System' } }
      : {}),
    Tags: tagsToWire(s.tags),
  };
}

/** A VPC's system route table as DescribeRouteTableList lists it (`RouterTableListType[]`). */
export function routeTableToWire(v: Vpc, vswitchIds: string[]) {
  return {
    VpcId: v.vpcId,
    RouteTableId: v.routeTableId,
    RouteTableName: v.routeTableName ?? '',
    RouteTableType: 'System',
    RouterId: v.vRouterId,
    RouterType: 'VRouter',
    Description: v.routeTableDescription ?? '',
    CreationTime: vpcTime(v.createdAt),
    Status: 'Available',
    AssociateType: 'VSwitch',
    ResourceGroupId: '',
    RoutePropagationEnable: v.routePropagation ?? true,
    VSwitchIds: { VSwitchId: vswitchIds },
    GatewayIds: { GatewayIds: [] as string[] },
    Tags: tagsToWire(v.routeTableTags),
  };
}
