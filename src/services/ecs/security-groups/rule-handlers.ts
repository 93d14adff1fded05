/**
 * @module Security group rules: Authorize*, Revoke* and Modify*Rule for both directions. Rules
 * come as `Permissions.N.*` or as the deprecated flat parameters (Terraform's
 * `alicloud_security_group_rule` still sends those to revoke and modify); each call changes all
 * the rules it names or none. Identity and checks are `model.ts`'s.
 */
import type { HandlerContext } from '../../../kernel/context.js';
import { StoreError } from '../../../kernel/errors.js';
import { resourceId } from '../../../kernel/ids.js';
import { InvalidParameter } from '../../../protocol/rpc-errors.js';
import type { Handler } from '../../../protocol/rpc-operation.js';
import type { ParamShape } from '../../../protocol/rpc-schema.js';
import * as E from '../errors.js';
import { checkRegion } from '../handler-deps.js';
import { mustGroup, type SecurityGroupDeps } from './handlers.js';
import {
  MAX_GROUP_RULES_PER_GROUP,
  MAX_RULES_PER_GROUP,
  parsePermission,
  ruleIdentity,
  type Direction,
  type PermissionParam,
  type RuleSpec,
  type SecurityGroup,
  type SecurityGroupRule,
} from './model.js';
import type * as Ops from './operations.js';

type H<D extends { params: ParamShape }> = Handler<D['params']>;

/** The fields one rule may carry (both spellings of both ends). */
const FIELDS: Array<keyof PermissionParam> = [
  'IpProtocol',
  'PortRange',
  'SourcePortRange',
  'Policy',
  'Priority',
  'NicType',
  'Description',
  'SourceCidrIp',
  'Ipv6SourceCidrIp',
  'SourceGroupId',
  'SourceGroupOwnerAccount',
  'SourceGroupOwnerId',
  'SourcePrefixListId',
  'DestCidrIp',
  'Ipv6DestCidrIp',
  'DestGroupId',
  'DestGroupOwnerAccount',
  'DestGroupOwnerId',
  'DestPrefixListId',
  'PortRangeListId',
];

/** The flat (deprecated) rule parameters of a request that were given a value. */
function flatRule(input: PermissionParam): PermissionParam | undefined {
  const out: PermissionParam = {};
  let any = false;
  for (const f of FIELDS) {
    const v = input[f];
    if (v !== undefined) {
      out[f] = v;
      if (v !== '') any = true;
    }
  }
  return any ? out : undefined;
}

/**
 * The rules a request names: `Permissions.N` or the flat parameters (not both), each checked,
 * none twice.
 */
function requestedRules(
  input: PermissionParam & { Permissions?: PermissionParam[] },
  direction: Direction,
): RuleSpec[] {
  const flat = flatRule(input);
  if (input.Permissions !== undefined && flat !== undefined) {
    throw E.InvalidParamPermissions();
  }
  const specs = input.Permissions
    ? input.Permissions.map((p, i) => parsePermission(p, direction, `Permissions.${i + 1}.`))
    : [parsePermission(flat ?? {}, direction)];
  const seen = new Set<string>();
  for (const s of specs) {
    const id = ruleIdentity(s);
    if (seen.has(id)) throw E.InvalidParamDuplicatePermissions();
    seen.add(id);
  }
  return specs;
}

/** Checks what rules name outside themselves: other groups, prefix lists, the group's type. */
async function checkReferences(
  deps: SecurityGroupDeps,
  ctx: HandlerContext,
  group: SecurityGroup,
  specs: RuleSpec[],
): Promise<void> {
  for (const s of specs) {
    const ingress = s.direction === 'ingress';
    if (group.groupType === 'enterprise' && (s.policy === 'Drop' || s.remoteGroupId !== '')) {
      throw E.InvalidGroupParameterOperationDenied();
    }
    if (s.remotePrefixListId !== '') {
      throw E.InvalidPrefixListIdNotFound(
        `The specified prefix list was not found: \`${s.remotePrefixListId}\` (yunbox has no prefix lists).`,
      );
    }
    if (s.remoteGroupId === '') continue;
    const field = ingress ? 'SourceGroupId' : 'DestGroupId';
    if (s.remoteGroupId === group.securityGroupId) {
      throw ingress ? E.InvalidParamterConflict() : E.InvalidSecurityGroupIsSame();
    }
    const notFound = ingress ? E.InvalidSourceGroupIdNotFound : E.InvalidDestGroupIdNotFound;
    const owner = s.remoteGroupOwner;
    if (/^\d+$/.test(owner) && owner !== ctx.accountId) {
      throw notFound(
        `The ${field} provided does not exist in our records: yunbox authorises groups of the caller's account only, not of ${owner}.`,
      );
    }
    const other = await deps.groups.getGroup(ctx.accountId, s.remoteGroupId);
    if (!other) {
      throw notFound(
        `The ${field} provided does not exist in our records: \`${s.remoteGroupId}\`.`,
      );
    }
    if (other.vpcId !== group.vpcId) {
      const mismatch = ingress ? E.InvalidSourceGroupIdMismatch : E.InvalidDestGroupIdMismatch;
      throw mismatch(
        `${mismatch.defaultMessage} \`${other.securityGroupId}\` is in ${other.vpcId}, \`${group.securityGroupId}\` in ${group.vpcId}.`,
      );
    }
    if (other.groupType === 'enterprise') throw E.InvalidGroupAuthParameterOperationDenied();
  }
}

/** A stored rule as the fields a request would carry (for ModifySecurityGroupRule by id). */
function asParam(r: SecurityGroupRule): PermissionParam {
  const ingress = r.direction === 'ingress';
  const remote = ingress ? 'Source' : 'Dest';
  const local = ingress ? 'Dest' : 'Source';
  return {
    IpProtocol: r.ipProtocol,
    PortRange: r.portRange,
    SourcePortRange: r.sourcePortRange,
    Policy: r.policy,
    Priority: String(r.priority),
    Description: r.description,
    [`${remote}CidrIp`]: r.remoteCidr,
    [`Ipv6${remote}CidrIp`]: r.remoteIpv6Cidr,
    [`${remote}GroupId`]: r.remoteGroupId,
    [`${remote}GroupOwnerId`]: r.remoteGroupOwner,
    [`${remote}PrefixListId`]: r.remotePrefixListId,
    [`${local}CidrIp`]: r.localCidr,
    [`Ipv6${local}CidrIp`]: r.localIpv6Cidr,
  };
}

/** The field naming each kind of authorised object, by direction. */
const REMOTE_FIELDS: Record<Direction, Record<string, keyof PermissionParam>> = {
  ingress: {
    'an IPv4 block': 'SourceCidrIp',
    'an IPv6 block': 'Ipv6SourceCidrIp',
    'a security group': 'SourceGroupId',
    'a prefix list': 'SourcePrefixListId',
  },
  egress: {
    'an IPv4 block': 'DestCidrIp',
    'an IPv6 block': 'Ipv6DestCidrIp',
    'a security group': 'DestGroupId',
    'a prefix list': 'DestPrefixListId',
  },
};

/** What kind of object a rule authorises (a rule may not change it, doc "ModifySecurityGroupRule"). */
function objectKind(s: RuleSpec): string {
  if (s.remoteCidr !== '') return 'an IPv4 block';
  if (s.remoteIpv6Cidr !== '') return 'an IPv6 block';
  if (s.remoteGroupId !== '') return 'a security group';
  return 'a prefix list';
}

/** Authorize*, Revoke* and Modify*Rule over the security group store. */
export function ruleHandlers(deps: SecurityGroupDeps) {
  const { groups } = deps;

  const authorize =
    (direction: Direction): H<typeof Ops.AuthorizeSecurityGroup> =>
    async (ctx, input) => {
      checkRegion(ctx, input.RegionId);
      const group = await mustGroup(deps, ctx, input.SecurityGroupId);
      const specs = requestedRules(input, direction);
      await checkReferences(deps, ctx, group, specs);
      let result;
      try {
        result = await groups.addRules(
          group.securityGroupId,
          specs.map((s) => ({ ...s, ruleId: resourceId('sgr-', 20) })),
          { maxRules: MAX_RULES_PER_GROUP, maxGroupRules: MAX_GROUP_RULES_PER_GROUP },
          ctx.now,
        );
      } catch (e) {
        if (e instanceof StoreError && e.entity === 'RemoteGroup') {
          throw (
            direction === 'ingress' ? E.InvalidSourceGroupIdNotFound : E.InvalidDestGroupIdNotFound
          )();
        }
        throw e;
      }
      if ('missing' in result) throw E.InvalidSecurityGroupIdNotFound();
      if ('limit' in result) {
        if (result.limit === 'groupRules') {
          throw E.AuthorizedGroupRuleLimitExceed(
            `${E.AuthorizedGroupRuleLimitExceed.defaultMessage} \`${group.securityGroupId}\` would have ${result.count}.`,
          );
        }
        throw E.AuthorizationLimitExceed(
          `The limit of authorization records in the security group reaches: \`${group.securityGroupId}\` would have ${result.count} rules, at most ${MAX_RULES_PER_GROUP}.`,
        );
      }
      return {};
    };

  const revoke =
    (direction: Direction): H<typeof Ops.RevokeSecurityGroup> =>
    async (ctx, input) => {
      checkRegion(ctx, input.RegionId);
      const group = await mustGroup(deps, ctx, input.SecurityGroupId);
      const ruleIds = input.SecurityGroupRuleId ?? [];
      let result;
      if (ruleIds.length > 0) {
        if (input.Permissions !== undefined || flatRule(input) !== undefined) {
          throw E.InvalidParamPermissions(
            'The specified parameter Permissions cannot coexist with other parameters: give SecurityGroupRuleId.N or the rules, not both.',
          );
        }
        if (new Set(ruleIds).size !== ruleIds.length)
          throw E.InvalidParamSecurityGroupRuleIdRepeated();
        const mine = new Set(
          (await groups.listRules([group.securityGroupId]))
            .filter((r) => r.direction === direction)
            .map((r) => r.ruleId),
        );
        const stray = ruleIds.find((id) => !mine.has(id));
        if (stray !== undefined) {
          throw E.InvalidSecurityGroupRuleIdNotFound(
            `The specified SecurityGroupRuleId is not exists: \`${stray}\` is not an ${direction} rule of \`${group.securityGroupId}\`.`,
          );
        }
        result = await groups.removeRules(group.securityGroupId, { ruleIds });
      } else {
        const specs = requestedRules(input, direction);
        result = await groups.removeRules(group.securityGroupId, {
          identities: specs.map(ruleIdentity),
        });
      }
      if ('missing' in result) throw E.InvalidSecurityGroupIdNotFound();
      if ('notFound' in result) {
        throw ruleIds.length > 0
          ? E.InvalidSecurityGroupRuleIdNotFound()
          : E.InvalidSecurityGroupRuleRuleNotExist(
              `The specified rule does not exist: \`${group.securityGroupId}\` has no ${direction} rule with these fields.`,
            );
      }
      return {};
    };

  const modify =
    (direction: Direction): H<typeof Ops.ModifySecurityGroupRule> =>
    async (ctx, input) => {
      checkRegion(ctx, input.RegionId);
      const group = await mustGroup(deps, ctx, input.SecurityGroupId);
      const rules = (await groups.listRules([group.securityGroupId])).filter(
        (r) => r.direction === direction,
      );
      let rule: SecurityGroupRule | undefined;
      let next: RuleSpec;
      if (input.SecurityGroupRuleId !== undefined && input.SecurityGroupRuleId !== '') {
        rule = rules.find((r) => r.ruleId === input.SecurityGroupRuleId);
        if (!rule) {
          throw E.InvalidSecurityGroupRuleIdNotFound(
            `The specified SecurityGroupRuleId is not exists: \`${input.SecurityGroupRuleId}\` is not an ${direction} rule of \`${group.securityGroupId}\`.`,
          );
        }
        // A rule keeps the kind of object it authorises (doc "ModifySecurityGroupRule").
        const kind = objectKind(rule);
        for (const [other, field] of Object.entries(REMOTE_FIELDS[direction])) {
          const v = input[field];
          if (other !== kind && v !== undefined && v !== '') {
            throw InvalidParameter(
              `The specified parameter "${field}" is not valid: rule \`${rule.ruleId}\` authorises ${kind}; it cannot change to ${other}.`,
            );
          }
        }
        // Fields given with a value replace the rule's; an empty one leaves it as it is (a field
        // cannot be emptied).
        const merged: PermissionParam = asParam(rule);
        for (const f of FIELDS) {
          const v = input[f];
          if (v !== undefined && v !== '') merged[f] = v;
        }
        next = parsePermission(merged, direction);
      } else {
        // Found by its fields; it gets the priority and description given (what Terraform's
        // alicloud_security_group_rule sends to change a description).
        const spec = parsePermission(flatRule(input) ?? {}, direction);
        rule = rules.find((r) => ruleIdentity(r) === ruleIdentity(spec));
        if (!rule) {
          throw E.InvalidSecurityGroupRuleRuleNotExist(
            `The specified rule does not exist: \`${group.securityGroupId}\` has no ${direction} rule with these fields.`,
          );
        }
        next = {
          ...rule,
          ...(input.Priority !== undefined && input.Priority !== ''
            ? { priority: spec.priority }
            : {}),
          ...(input.Description !== undefined ? { description: spec.description } : {}),
        };
      }
      await checkReferences(deps, ctx, group, [next]);
      try {
        if (!(await groups.replaceRule(group.securityGroupId, rule.ruleId, next))) {
          throw E.InvalidSecurityGroupRuleIdNotFound();
        }
      } catch (e) {
        if (e instanceof StoreError && e.entity === 'Duplicate') {
          throw E.InvalidParamDuplicatePermissions(
            `There are duplicate permissions: \`${group.securityGroupId}\` already has a rule with these fields.`,
          );
        }
        if (e instanceof StoreError && e.entity === 'RemoteGroup') {
          throw (
            direction === 'ingress' ? E.InvalidSourceGroupIdNotFound : E.InvalidDestGroupIdNotFound
          )();
        }
        throw e;
      }
      return {};
    };

  return {
    authorizeSecurityGroup: authorize('ingress'),
    authorizeSecurityGroupEgress: authorize('egress'),
    revokeSecurityGroup: revoke('ingress'),
    revokeSecurityGroupEgress: revoke('egress'),
    modifySecurityGroupRule: modify('ingress'),
    modifySecurityGroupEgressRule: modify('egress'),
  };
}
