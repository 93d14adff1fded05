/**
 * @module Security groups and their rules: domain types (camelCase) and the pure reading of a rule
 * from its wire fields (`Permissions.N.*` or the deprecated flat parameters), with ECS's checks and
 * codes in ECS's order, and the identity by which ECS tells two rules apart (doc
 * "AuthorizeSecurityGroup": source, port range, protocol and policy; priority and description are
 * attributes a rule may change, doc "ModifySecurityGroupRule").
 */
import { isIPv6 } from 'node:net';
import type { ServiceError } from '../../../kernel/errors.js';
import { parseIpv4 } from '../../vpc/index.js';
import * as E from '../errors.js';
import type { Tag } from '../model.js';

/** The direction a rule filters. */
export type Direction = 'ingress' | 'egress';
/** Basic (`normal`) or advanced (`enterprise`) security group. */
export type GroupType = 'normal' | 'enterprise';
/** Whether instances of one group reach each other by default. */
export type InnerAccessPolicy = 'Accept' | 'Drop';
/** A rule's protocol as ECS prints it. */
export type IpProtocol = 'TCP' | 'UDP' | 'ICMP' | 'ICMPv6' | 'GRE' | 'ALL';

/** Most security groups an account has in a region (doc "Security group limits": 100). */
export const MAX_GROUPS_PER_REGION = 100;
/** Most rules, in both directions, one group holds. */
export const MAX_RULES_PER_GROUP = 200;
/** Most rules of one basic group that name another group (doc "AuthorizeSecurityGroupEgress"). */
export const MAX_GROUP_RULES_PER_GROUP = 20;
/** Most security groups an instance (its primary network interface) is in. */
export const MAX_GROUPS_PER_INSTANCE = 5;
/** Private addresses a basic / advanced group may hold (DescribeSecurityGroups' capacity fields). */
export const GROUP_CAPACITY: Record<GroupType, number> = { normal: 2000, enterprise: 65536 };

/** A security group. */
export interface SecurityGroup {
  securityGroupId: string;
  accountId: string;
  regionId: string;
  vpcId: string;
  name: string;
  description: string;
  groupType: GroupType;
  innerAccessPolicy: InnerAccessPolicy;
  tags: Tag[];
  createdAt: number;
}

/**
 * What defines a rule. "Remote" is what the rule authorises: the source of an ingress rule, the
 * destination of an egress one; "local" is the other end of a quintuple rule (the destination of
 * an ingress rule, the source of an egress one). Absent values are empty strings.
 */
export interface RuleSpec {
  direction: Direction;
  ipProtocol: IpProtocol;
  /** `from/to`, `-1/-1` for protocols without ports. */
  portRange: string;
  sourcePortRange: string;
  nicType: 'intranet';
  policy: 'Accept' | 'Drop';
  /** 1 (highest) to 100. */
  priority: number;
  description: string;
  remoteCidr: string;
  remoteIpv6Cidr: string;
  remoteGroupId: string;
  /** The owner of `remoteGroupId` as the request named it (empty: the caller's account). */
  remoteGroupOwner: string;
  remotePrefixListId: string;
  localCidr: string;
  localIpv6Cidr: string;
}

/** A stored rule. */
export interface SecurityGroupRule extends RuleSpec {
  ruleId: string;
  securityGroupId: string;
  createdAt: number;
}

/**
 * The fields of one rule as a request carries them, for both directions (`Permissions.N.*` or the
 * flat parameters). Which of `Source*` / `Dest*` is remote depends on the direction.
 */
export interface PermissionParam {
  IpProtocol?: string;
  PortRange?: string;
  SourcePortRange?: string;
  Policy?: string;
  Priority?: string;
  NicType?: string;
  Description?: string;
  SourceCidrIp?: string;
  Ipv6SourceCidrIp?: string;
  SourceGroupId?: string;
  SourceGroupOwnerAccount?: string;
  SourceGroupOwnerId?: string;
  SourcePrefixListId?: string;
  DestCidrIp?: string;
  Ipv6DestCidrIp?: string;
  DestGroupId?: string;
  DestGroupOwnerAccount?: string;
  DestGroupOwnerId?: string;
  DestPrefixListId?: string;
  PortRangeListId?: string;
}

const PROTOCOLS: Record<string, IpProtocol> = {
  tcp: 'TCP',
  udp: 'UDP',
  icmp: 'ICMP',
  icmpv6: 'ICMPv6',
  gre: 'GRE',
  all: 'ALL',
};

/** The wire fields naming each end of a rule in `direction`. */
function ends(direction: Direction) {
  const source = {
    cidr: 'SourceCidrIp',
    ipv6: 'Ipv6SourceCidrIp',
    group: 'SourceGroupId',
    ownerAccount: 'SourceGroupOwnerAccount',
    ownerId: 'SourceGroupOwnerId',
    prefixList: 'SourcePrefixListId',
  } as const;
  const dest = {
    cidr: 'DestCidrIp',
    ipv6: 'Ipv6DestCidrIp',
    group: 'DestGroupId',
    ownerAccount: 'DestGroupOwnerAccount',
    ownerId: 'DestGroupOwnerId',
    prefixList: 'DestPrefixListId',
  } as const;
  return direction === 'ingress'
    ? { remote: source, local: dest }
    : { remote: dest, local: source };
}

/** Where in the request a rule was (`Permissions.2.` or nothing for the flat parameters). */
function at(prefix: string, field: string): string {
  return `${prefix}${field}`;
}

function value(p: PermissionParam, field: keyof PermissionParam): string {
  return (p[field] ?? '').trim();
}

/** True for `a.b.c.d` or `a.b.c.d/n` (n from 0 to 32). */
export function isIpv4Cidr(text: string): boolean {
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  if (parseIpv4(address) === undefined) return false;
  if (slash < 0) return true;
  const prefix = text.slice(slash + 1);
  return /^\d{1,2}$/.test(prefix) && Number(prefix) <= 32;
}

/** True for an IPv6 address, with or without a `/n` (n from 0 to 128). */
export function isIpv6Cidr(text: string): boolean {
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  if (!isIPv6(address)) return false;
  if (slash < 0) return true;
  const prefix = text.slice(slash + 1);
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= 128;
}

/** `from/to` as two integers, or undefined when it is not two integers around a slash. */
function portPair(text: string): [number, number] | undefined {
  const m = /^(-?\d{1,5})\/(-?\d{1,5})$/.exec(text);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** Checks a port range against the protocol; returns the error to throw, if any. */
function portProblem(
  protocol: IpProtocol,
  text: string,
  name: string,
  malformed: (message?: string) => ServiceError,
): ServiceError | undefined {
  const pair = portPair(text);
  if (!pair) {
    return malformed(
      `The specified parameter ${name} is not valid: \`${text}\` is not two integers in from/to form.`,
    );
  }
  const [from, to] = pair;
  if (protocol === 'TCP' || protocol === 'UDP') {
    if (from < 1 || to > 65535 || from > to) {
      return malformed(
        `The specified parameter ${name} is not valid: ${protocol} ports run from 1 to 65535, the first not above the second (\`${text}\`).`,
      );
    }
    return undefined;
  }
  if (from !== -1 || to !== -1) {
    return E.OperationDeniedProtocolPort(
      `The specified IpProtocol does not exist or IpProtocol and PortRange do not match: ${protocol} takes ${name} -1/-1, not \`${text}\`.`,
    );
  }
  return undefined;
}

/**
 * Reads one rule of `direction` from its wire fields, checking each as ECS does and throwing
 * ECS's code for the first problem. `prefix` names the rule in messages (`Permissions.1.`).
 * References to other groups and prefix lists are checked by the caller (they need the store).
 * @example
 * parsePermission({ IpProtocol: 'tcp', PortRange: '22/22', SourceCidrIp: '0.0.0.0/0' }, 'ingress')
 * // { ipProtocol: 'TCP', portRange: '22/22', policy: 'Accept', priority: 1, remoteCidr: '0.0.0.0/0', … }
 */
export function parsePermission(p: PermissionParam, direction: Direction, prefix = ''): RuleSpec {
  const protocolText = value(p, 'IpProtocol');
  const ipProtocol = PROTOCOLS[protocolText.toLowerCase()];
  if (!ipProtocol) {
    throw E.InvalidIpProtocolValueNotSupported(
      `The parameter ${at(prefix, 'IpProtocol')} must be specified with case insensitive TCP, UDP, ICMP, GRE or All${protocolText ? `, not \`${protocolText}\`` : ''}.`,
    );
  }
  const portRange = value(p, 'PortRange');
  if (portRange === '') {
    if (value(p, 'PortRangeListId') !== '') {
      throw E.InvalidPortRangeListIdNotFound(
        `The specified port range list was not found: \`${value(p, 'PortRangeListId')}\` (yunbox has no port lists).`,
      );
    }
    throw E.InvalidPortRangeMalformed(
      `The specified parameter ${at(prefix, 'PortRange')} must set.`,
    );
  }
  const portError = portProblem(
    ipProtocol,
    portRange,
    at(prefix, 'PortRange'),
    E.InvalidParamPortRange,
  );
  if (portError) throw portError;
  const sourcePortRange = value(p, 'SourcePortRange');
  if (sourcePortRange !== '') {
    const e = portProblem(
      ipProtocol,
      sourcePortRange,
      at(prefix, 'SourcePortRange'),
      E.InvalidSourcePortRangeMalformed,
    );
    if (e) throw e;
  }
  const policyText = value(p, 'Policy').toLowerCase();
  if (policyText !== '' && policyText !== 'accept' && policyText !== 'drop') {
    throw E.InvalidPolicyMalformedRule(
      `The specified parameter ${at(prefix, 'Policy')} is not valid: accept or drop, not \`${value(p, 'Policy')}\`.`,
    );
  }
  const priorityText = value(p, 'Priority');
  let priority = 1;
  if (priorityText !== '') {
    if (!/^-?\d{1,9}$/.test(priorityText)) {
      throw E.InvalidPriorityMalformed(
        `The parameter ${at(prefix, 'Priority')} is invalid: \`${priorityText}\` is not an integer.`,
      );
    }
    priority = Number(priorityText);
    if (priority < 1 || priority > 100) {
      throw E.InvalidPriorityValueNotSupported(
        `The specified parameter ${at(prefix, 'Priority')} is invalid: it runs from 1 to 100, not ${priority}.`,
      );
    }
  }
  const nicType = value(p, 'NicType').toLowerCase();
  if (nicType !== '' && nicType !== 'intranet' && nicType !== 'internet') {
    throw E.InvalidNicTypeValueNotSupported(
      `The specified NicType does not exist: \`${value(p, 'NicType')}\` (intranet, the only type of a VPC security group).`,
    );
  }
  const { remote, local } = ends(direction);
  const remoteCidr = value(p, remote.cidr);
  const remoteIpv6Cidr = value(p, remote.ipv6);
  const remoteGroupId = value(p, remote.group);
  const remotePrefixListId = value(p, remote.prefixList);
  const both = direction === 'ingress' ? E.InvalidParamSourceIp : E.InvalidParamDestIp;
  if (remoteCidr !== '' && remoteIpv6Cidr !== '') {
    throw both(
      `The Parameters ${at(prefix, remote.cidr)} and ${at(prefix, remote.ipv6)} cannot be set at the same time.`,
    );
  }
  if (
    remoteCidr === '' &&
    remoteIpv6Cidr === '' &&
    remoteGroupId === '' &&
    remotePrefixListId === ''
  ) {
    const missing = direction === 'ingress' ? E.MissingParameterSource : E.MissingParameterDest;
    throw missing(
      `One of the parameters ${remote.cidr}, ${remote.ipv6}, ${remote.group} or ${remote.prefixList} in ${prefix || 'the request'} must be specified.`,
    );
  }
  const localCidr = value(p, local.cidr);
  const localIpv6Cidr = value(p, local.ipv6);
  const localBoth = direction === 'ingress' ? E.InvalidParamDestIp : E.InvalidParamSourceIp;
  if (localCidr !== '' && localIpv6Cidr !== '') {
    throw localBoth(
      `The Parameters ${at(prefix, local.cidr)} and ${at(prefix, local.ipv6)} cannot be set at the same time.`,
    );
  }
  const v4Error = (field: string) =>
    field.startsWith('Source') ? E.InvalidParamSourceCidrIp : E.InvalidParamDestCidrIp;
  const v6Error = (field: string) =>
    field.startsWith('Ipv6Source') ? E.InvalidParamIpv6SourceCidrIp : E.InvalidParamIpv6DestCidrIp;
  for (const [field, text] of [
    [remote.cidr, remoteCidr],
    [local.cidr, localCidr],
  ] as const) {
    if (text !== '' && !isIpv4Cidr(text)) {
      throw v4Error(field)(
        `The specified parameter ${at(prefix, field)} is not valid: \`${text}\` is not an IPv4 address or CIDR block.`,
      );
    }
  }
  for (const [field, text] of [
    [remote.ipv6, remoteIpv6Cidr],
    [local.ipv6, localIpv6Cidr],
  ] as const) {
    if (text !== '' && !isIpv6Cidr(text)) {
      throw v6Error(field)(
        `The specified parameter ${at(prefix, field)} is not valid: \`${text}\` is not an IPv6 address or CIDR block.`,
      );
    }
  }
  const anyV6 = remoteIpv6Cidr !== '' || localIpv6Cidr !== '';
  const anyV4 = remoteCidr !== '' || localCidr !== '';
  if (ipProtocol === 'ICMP' && anyV6) {
    throw E.Ipv4ProtocolConflictWithIpv6Address();
  }
  if (ipProtocol === 'ICMPv6' && anyV4) {
    throw E.Ipv6ProtocolConflictWithIpv4Address();
  }
  const description = p.Description ?? '';
  if ([...description].length > 512) {
    throw E.InvalidSecurityGroupDescriptionMalformed(
      `The specified security group rule description is not valid: ${at(prefix, 'Description')} has at most 512 characters.`,
    );
  }
  // An address takes precedence over a group, and either over a prefix list (doc
  // "AuthorizeSecurityGroup" SourceGroupId, SourcePrefixListId).
  const byAddress = remoteCidr !== '' || remoteIpv6Cidr !== '';
  const byGroup = !byAddress && remoteGroupId !== '';
  return {
    direction,
    ipProtocol,
    portRange,
    sourcePortRange,
    nicType: 'intranet',
    policy: policyText === 'drop' ? 'Drop' : 'Accept',
    priority,
    description,
    remoteCidr,
    remoteIpv6Cidr,
    remoteGroupId: byGroup ? remoteGroupId : '',
    remoteGroupOwner: byGroup ? value(p, remote.ownerId) || value(p, remote.ownerAccount) : '',
    remotePrefixListId: !byAddress && !byGroup ? remotePrefixListId : '',
    localCidr,
    localIpv6Cidr,
  };
}

/**
 * What tells two rules of a group apart: direction, protocol, ports, policy and both ends.
 * Priority and description are not part of it: authorising a rule that exists with another
 * priority changes nothing, and ModifySecurityGroupRule finds a rule by the rest.
 */
export function ruleIdentity(r: RuleSpec): string {
  return JSON.stringify([
    r.direction,
    r.ipProtocol,
    r.portRange,
    r.sourcePortRange,
    r.policy,
    r.remoteCidr,
    r.remoteIpv6Cidr,
    r.remoteGroupId,
    r.remotePrefixListId,
    r.localCidr,
    r.localIpv6Cidr,
  ]);
}

/** Time as security group calls print it: `YYYY-MM-DDTHH:mm:ssZ`. */
export function groupTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `acs:ecs:<region>:<uid>:securitygroup/<id>` is built by ecsArn; this is the resource part. */
export function groupResource(securityGroupId: string): string {
  return `securitygroup/${securityGroupId}`;
}
