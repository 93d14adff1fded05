/**
 * @module Security group wire shapes: groups as DescribeSecurityGroups lists them and rules as
 * DescribeSecurityGroupAttribute's `Permissions.Permission[]` (both ends in Source… and Dest… fields
 * by direction; Priority a string, as ECS prints it). Terraform reads these fields back and
 * compares them with what it sent, so values are returned as given.
 */
import { GROUP_CAPACITY, groupTime, type SecurityGroup, type SecurityGroupRule } from './model.js';

/** A group as DescribeSecurityGroups lists it (`SecurityGroups.SecurityGroup[]`). */
export function groupToWire(g: SecurityGroup, members: number, rules: SecurityGroupRule[]) {
  return {
    SecurityGroupId: g.securityGroupId,
    SecurityGroupName: g.name,
    Description: g.description,
    SecurityGroupType: g.groupType,
    VpcId: g.vpcId,
    CreationTime: groupTime(g.createdAt),
    EcsCount: members,
    AvailableInstanceAmount: Math.max(0, GROUP_CAPACITY[g.groupType] - members),
    ResourceGroupId: '',
    ServiceManaged: false,
    ServiceID: 0,
    RuleCount: rules.length,
    GroupToGroupRuleCount: rules.filter((r) => r.remoteGroupId !== '').length,
    Tags: { Tag: g.tags.map((t) => ({ TagKey: t.key, TagValue: t.value })) },
  };
}

/** A rule as DescribeSecurityGroupAttribute lists it; `names` gives other groups' names. */
export function ruleToWire(r: SecurityGroupRule, names: ReadonlyMap<string, string>) {
  const remote = {
    CidrIp: r.remoteCidr,
    Ipv6CidrIp: r.remoteIpv6Cidr,
    GroupId: r.remoteGroupId,
    GroupName: r.remoteGroupId !== '' ? (names.get(r.remoteGroupId) ?? '') : '',
    GroupOwnerAccount: r.remoteGroupOwner,
    PrefixListId: r.remotePrefixListId,
  };
  const local = {
    CidrIp: r.localCidr,
    Ipv6CidrIp: r.localIpv6Cidr,
    GroupId: '',
    GroupName: '',
    GroupOwnerAccount: '',
    PrefixListId: '',
  };
  const [source, dest] = r.direction === 'ingress' ? [remote, local] : [local, remote];
  return {
    SecurityGroupRuleId: r.ruleId,
    Direction: r.direction,
    IpProtocol: r.ipProtocol,
    PortRange: r.portRange,
    SourcePortRange: r.sourcePortRange,
    Policy: r.policy,
    Priority: String(r.priority),
    NicType: r.nicType,
    Description: r.description,
    CreateTime: groupTime(r.createdAt),
    SourceCidrIp: source.CidrIp,
    Ipv6SourceCidrIp: source.Ipv6CidrIp,
    SourceGroupId: source.GroupId,
    SourceGroupName: source.GroupName,
    SourceGroupOwnerAccount: source.GroupOwnerAccount,
    SourcePrefixListId: source.PrefixListId,
    SourcePrefixListName: '',
    DestCidrIp: dest.CidrIp,
    Ipv6DestCidrIp: dest.Ipv6CidrIp,
    DestGroupId: dest.GroupId,
    DestGroupName: dest.GroupName,
    DestGroupOwnerAccount: dest.GroupOwnerAccount,
    DestPrefixListId: dest.PrefixListId,
    DestPrefixListName: '',
    PortRangeListId: '',
    PortRangeListName: '',
  };
}
