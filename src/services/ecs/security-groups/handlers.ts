/**
 * @module Security group handlers, one per operation: groups (create, list, show, change,
 * delete) and which instances are in them (Join/Leave, and the groups RunInstances and
 * CreateInstance are given). Rules are `rule-handlers.ts`. Store failures become ECS's codes.
 */
import { readClock } from '../../../kernel/clock.js';
import type { HandlerContext } from '../../../kernel/context.js';
import { StoreError, type ServiceError } from '../../../kernel/errors.js';
import { resourceId } from '../../../kernel/ids.js';
import { InvalidParameter } from '../../../protocol/rpc-errors.js';
import type { Handler } from '../../../protocol/rpc-operation.js';
import type { ParamShape } from '../../../protocol/rpc-schema.js';
import type { VpcApi } from '../../vpc/index.js';
import * as E from '../errors.js';
import { checkRegion, mustInstance } from '../handler-deps.js';
import { networkInterfaceIdOf, visibleStatus, type Instance } from '../model.js';
import type { EcsStore } from '../store.js';
import { launchTags } from '../tags/handlers.js';
import {
  MAX_GROUPS_PER_INSTANCE,
  MAX_GROUPS_PER_REGION,
  type GroupType,
  type SecurityGroup,
} from './model.js';
import type * as Ops from './operations.js';
import type { SecurityGroupStore } from './store.js';
import { groupToWire, ruleToWire } from './wire.js';

type H<D extends { params: ParamShape }> = Handler<D['params']>;

/** What security group handlers need. */
export interface SecurityGroupDeps {
  groups: SecurityGroupStore;
  instances: EcsStore;
  vpc: VpcApi;
}

/**
 * The caller's security group `id`, or `InvalidSecurityGroupId.NotFound` (another account's
 * group is not found either).
 */
export async function mustGroup(
  deps: Pick<SecurityGroupDeps, 'groups'>,
  ctx: HandlerContext,
  id: string,
): Promise<SecurityGroup> {
  const g = await deps.groups.getGroup(ctx.accountId, id);
  if (!g) {
    throw E.InvalidSecurityGroupIdNotFound(
      `The specified SecurityGroupId does not exist: \`${id}\`.`,
    );
  }
  return g;
}

/** The instance whose primary network interface is `eni-…` (its id with `eni-` for `i-`). */
export function instanceIdOfInterface(networkInterfaceId: string): string | undefined {
  return networkInterfaceId.startsWith('eni-') ? `i-${networkInterfaceId.slice(4)}` : undefined;
}

/**
 * The security groups a new instance is put in (RunInstances `SecurityGroupIds.N`,
 * `SecurityGroupId`) or an instance is moved to (ModifyInstanceAttribute), checked: they exist,
 * are of the VPC and of one type, at most 5, none twice. Returns them in the order given;
 * `mismatch` is the error for a group of another VPC (RunInstances names the vSwitch).
 */
export async function checkLaunchGroups(
  deps: Pick<SecurityGroupDeps, 'groups'>,
  ctx: HandlerContext,
  ids: readonly string[],
  vpcId: string,
  mismatch: (group: SecurityGroup) => ServiceError = (g) =>
    E.InvalidParameterMismatch(
      `Specified security group and virtual switch are not in the same VPC: \`${g.securityGroupId}\` is in ${g.vpcId}, the vSwitch in ${vpcId}.`,
    ),
): Promise<string[]> {
  if (new Set(ids).size !== ids.length) {
    throw E.InvalidParameterSecurityGroupIdRepeated(
      `The specified SecurityGroupIds contain duplicate values: ${ids.join(', ')}.`,
    );
  }
  if (ids.length > MAX_GROUPS_PER_INSTANCE) {
    throw E.InstanceSecurityGroupLimitExceeded(
      `Exceeding the allowed amount of security groups that an instance can be in: ${ids.length} given, at most ${MAX_GROUPS_PER_INSTANCE}.`,
    );
  }
  const types = new Set<GroupType>();
  for (const id of ids) {
    const g = await mustGroup(deps, ctx, id);
    if (g.vpcId !== vpcId) throw mismatch(g);
    types.add(g.groupType);
  }
  if (types.size > 1) {
    throw E.InvalidOperationMultiGroupType(
      "The specified instance can't join different types of security group: basic and advanced groups were given.",
    );
  }
  return [...ids];
}

/** Maps the membership store's failures to ECS's codes. */
function membershipError(e: unknown, instanceId: string, groupId: string): unknown {
  if (!(e instanceof StoreError)) return e;
  if (e.entity === 'SecurityGroup') {
    return E.InvalidSecurityGroupIdNotFound(
      `The specified SecurityGroupId does not exist: \`${groupId}\`.`,
    );
  }
  if (e.entity === 'Instance') return E.InvalidInstanceIdNotFound();
  if (e.entity === 'Member') {
    return E.InvalidInstanceIdAlreadyExists(
      `The specified instance already exists in the specified security group: \`${instanceId}\` is in \`${groupId}\`.`,
    );
  }
  return e;
}

function decodeOffset(token: string | undefined): number {
  if (token === undefined || token === '') return 0;
  const m = /^at:(\d{1,9})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!m) throw E.InvalidNextTokenMalformed();
  return Number(m[1]);
}

function encodeOffset(at: number, total: number): string {
  return at < total ? Buffer.from(`at:${at}`).toString('base64url') : '';
}

/** The security group handlers (rules are `ruleHandlers`). */
export function securityGroupHandlers(deps: SecurityGroupDeps) {
  const { groups } = deps;

  const createSecurityGroup: H<typeof Ops.CreateSecurityGroup> = async (ctx, input) => {
    const regionId = checkRegion(ctx, input.RegionId);
    if (input.VpcId === undefined || input.VpcId === '') {
      throw E.SecurityGroupVpcIdMissing(
        'vpc id must not empty when only support vpc vm. yunbox has no classic network: give the VpcId of the group.',
      );
    }
    const groupType = input.SecurityGroupType ?? 'normal';
    if (groupType !== 'normal' && groupType !== 'enterprise') {
      throw E.InvalidParameterSecurityGroupType(
        `The specified SecurityGroupType is not valid: normal or enterprise, not \`${groupType}\`.`,
      );
    }
    const vpc = await deps.vpc.getVpc(ctx.accountId, input.VpcId);
    if (!vpc || vpc.regionId !== regionId) {
      throw E.EcsInvalidVpcIdNotFound(`Specified VPC does not exist: \`${input.VpcId}\`.`);
    }
    const tags = launchTags(input.Tag);
    const group: SecurityGroup = {
      securityGroupId: resourceId('sg-', 20),
      accountId: ctx.accountId,
      regionId,
      vpcId: vpc.vpcId,
      name: input.SecurityGroupName ?? '',
      description: input.Description ?? '',
      groupType,
      // Basic groups let their instances reach each other; advanced ones isolate them (doc
      // "CreateSecurityGroup").
      innerAccessPolicy: groupType === 'normal' ? 'Accept' : 'Drop',
      tags,
      createdAt: ctx.now,
    };
    try {
      await groups.createGroup(group, MAX_GROUPS_PER_REGION);
    } catch (e) {
      if (e instanceof StoreError && e.entity === 'Quota') {
        throw E.QuotaExceedSecurityGroup(
          `The maximum number of security groups is reached: ${MAX_GROUPS_PER_REGION} in ${regionId}.`,
        );
      }
      if (e instanceof StoreError && e.entity === 'Vpc') {
        throw E.EcsInvalidVpcIdNotFound(`Specified VPC does not exist: \`${input.VpcId}\`.`);
      }
      throw e;
    }
    return { SecurityGroupId: group.securityGroupId };
  };

  const describeSecurityGroups: H<typeof Ops.DescribeSecurityGroups> = async (ctx, input) => {
    const regionId = checkRegion(ctx, input.RegionId);
    const type = input.SecurityGroupType;
    if (type !== undefined && type !== 'normal' && type !== 'enterprise') {
      throw E.InvalidParameterSecurityGroupType(
        `The specified SecurityGroupType is not valid: normal or enterprise, not \`${type}\`.`,
      );
    }
    const network = input.NetworkType?.toLowerCase();
    if (network !== undefined && network !== 'vpc' && network !== 'classic') {
      throw InvalidParameter(
        `The specified parameter "NetworkType" is not valid: vpc or classic, not \`${input.NetworkType}\`.`,
      );
    }
    if (input.DryRun) throw E.EcsDryRunOperation();
    let ids = input.SecurityGroupIds;
    if (input.SecurityGroupId !== undefined) {
      ids = ids ? ids.filter((id) => id === input.SecurityGroupId) : [input.SecurityGroupId];
    }
    const none =
      network === 'classic' ||
      input.ServiceManaged === true ||
      (input.ResourceGroupId !== undefined && input.ResourceGroupId !== '');
    const all = none
      ? []
      : await groups.listGroups(ctx.accountId, regionId, {
          ...(ids ? { securityGroupIds: ids } : {}),
          ...(input.VpcId !== undefined ? { vpcId: input.VpcId } : {}),
          ...(input.SecurityGroupName !== undefined ? { name: input.SecurityGroupName } : {}),
          ...(type !== undefined ? { groupType: type } : {}),
          ...(input.Tag ? { tags: input.Tag.map((t) => ({ key: t.Key, value: t.Value })) } : {}),
        });
    const tokenMode = input.NextToken !== undefined || input.MaxResults !== undefined;
    const pageNumber = input.PageNumber ?? 1;
    const size = (tokenMode ? input.MaxResults : input.PageSize) ?? 10;
    const from = tokenMode ? decodeOffset(input.NextToken) : (pageNumber - 1) * size;
    const items = all.slice(from, from + size);
    const ruleSets = await groups.listRules(items.map((g) => g.securityGroupId));
    const members = await groups.members(items.map((g) => g.securityGroupId));
    const wire = items.map((g) =>
      groupToWire(
        g,
        members.get(g.securityGroupId)?.length ?? 0,
        ruleSets.filter((r) => r.securityGroupId === g.securityGroupId),
      ),
    );
    return {
      RegionId: regionId,
      ...(tokenMode ? {} : { TotalCount: all.length, PageNumber: pageNumber, PageSize: size }),
      NextToken: tokenMode ? encodeOffset(from + size, all.length) : '',
      SecurityGroups: { SecurityGroup: wire },
    };
  };

  const describeSecurityGroupAttribute: H<typeof Ops.DescribeSecurityGroupAttribute> = async (
    ctx,
    input,
  ) => {
    const regionId = checkRegion(ctx, input.RegionId);
    if (input.Attribute !== undefined && input.Attribute !== 'snapshotPolicyIds') {
      throw E.InvalidParameterAttributeNotSupported();
    }
    const g = await mustGroup(deps, ctx, input.SecurityGroupId);
    const direction = input.Direction ?? 'all';
    const rules = (await groups.listRules([g.securityGroupId])).filter(
      (r) => direction === 'all' || r.direction === direction,
    );
    const from = decodeOffset(input.NextToken);
    const size = input.MaxResults ?? 500;
    const items = rules.slice(from, from + size);
    const named = [...new Set(items.map((r) => r.remoteGroupId).filter((id) => id !== ''))];
    const names = new Map(
      (named.length
        ? await groups.listGroups(ctx.accountId, regionId, { securityGroupIds: named })
        : []
      ).map((o) => [o.securityGroupId, o.name]),
    );
    return {
      RegionId: regionId,
      SecurityGroupId: g.securityGroupId,
      SecurityGroupName: g.name,
      Description: g.description,
      VpcId: g.vpcId,
      InnerAccessPolicy: g.innerAccessPolicy,
      NextToken: encodeOffset(from + size, rules.length),
      Permissions: { Permission: items.map((r) => ruleToWire(r, names)) },
      ...(input.Attribute === 'snapshotPolicyIds'
        ? { SnapshotPolicyIds: { SnapshotPolicyId: [] as string[] } }
        : {}),
    };
  };

  const modifySecurityGroupAttribute: H<typeof Ops.ModifySecurityGroupAttribute> = async (
    ctx,
    input,
  ) => {
    checkRegion(ctx, input.RegionId);
    const g = await mustGroup(deps, ctx, input.SecurityGroupId);
    const ok = await groups.updateGroup(ctx.accountId, g.securityGroupId, {
      ...(input.SecurityGroupName !== undefined ? { name: input.SecurityGroupName } : {}),
      ...(input.Description !== undefined ? { description: input.Description } : {}),
    });
    if (!ok) throw E.InvalidSecurityGroupIdNotFound();
    return {};
  };

  const modifySecurityGroupPolicy: H<typeof Ops.ModifySecurityGroupPolicy> = async (ctx, input) => {
    checkRegion(ctx, input.RegionId);
    const wanted = (input.InnerAccessPolicy ?? '').toLowerCase();
    if (wanted !== 'accept' && wanted !== 'drop') {
      // ECS answers a missing policy with this code too (doc "ModifySecurityGroupPolicy").
      throw E.InvalidPolicyMalformedRule(
        `The InnerAccessPolicy is invalid. Only Accept and Drop are supported, not \`${input.InnerAccessPolicy ?? ''}\`.`,
      );
    }
    const g = await mustGroup(deps, ctx, input.SecurityGroupId);
    const policy = wanted === 'accept' ? 'Accept' : 'Drop';
    if (g.groupType === 'enterprise' && policy !== 'Drop') {
      throw E.InvalidGroupParameterOperationDenied(
        'The attributes of enterprise level security groups are not allowed to be set or modified: an advanced group always isolates its instances (InnerAccessPolicy Drop).',
      );
    }
    if (
      !(await groups.updateGroup(ctx.accountId, g.securityGroupId, { innerAccessPolicy: policy }))
    ) {
      throw E.InvalidSecurityGroupIdNotFound();
    }
    return {};
  };

  /** The instance a Join/Leave names, by id or by its primary network interface. */
  const membershipTarget = async (
    ctx: HandlerContext,
    input: { InstanceId?: string; NetworkInterfaceId?: string },
  ): Promise<Instance> => {
    if (input.InstanceId !== undefined && input.NetworkInterfaceId !== undefined) {
      throw E.InvalidParamEniIdAndInstanceIdConflict();
    }
    if (input.NetworkInterfaceId !== undefined) {
      const id = instanceIdOfInterface(input.NetworkInterfaceId);
      const i = id ? await deps.instances.getInstance(id) : undefined;
      if (
        !i ||
        i.accountId !== ctx.accountId ||
        networkInterfaceIdOf(i.instanceId) !== input.NetworkInterfaceId
      ) {
        throw E.InvalidEniIdNotFound(
          `The specified NetworkInterfaceId does not exist: \`${input.NetworkInterfaceId}\`.`,
        );
      }
      return i;
    }
    if (input.InstanceId === undefined) {
      throw E.EcsMissingParameter(
        'The input parameter "InstanceId" that is mandatory for processing this request is not supplied (or NetworkInterfaceId).',
      );
    }
    return mustInstance(deps.instances, ctx, input.InstanceId);
  };

  /** Join and Leave need a settled Running or Stopped instance (doc "JoinSecurityGroup"). */
  const settled = (ctx: HandlerContext, i: Instance, action: string) => {
    const status = visibleStatus(i, readClock(ctx.clock, ctx.now));
    if (status !== 'Running' && status !== 'Stopped') {
      throw E.IncorrectInstanceStatus(
        `The current status of the resource does not support this operation. \`${i.instanceId}\` is ${status}; ${action} needs Running or Stopped.`,
      );
    }
  };

  const joinSecurityGroup: H<typeof Ops.JoinSecurityGroup> = async (ctx, input) => {
    if (input.RegionId !== undefined) checkRegion(ctx, input.RegionId);
    const i = await membershipTarget(ctx, input);
    const g = await mustGroup(deps, ctx, input.SecurityGroupId);
    settled(ctx, i, 'JoinSecurityGroup');
    if (g.vpcId !== i.vpcId) {
      throw E.InvalidInstanceIdMismatch(
        `Specified instance and security group are not in the same VPC: \`${i.instanceId}\` is in ${i.vpcId}, \`${g.securityGroupId}\` in ${g.vpcId}.`,
      );
    }
    const others = (
      await groups.listGroups(ctx.accountId, i.regionId, { securityGroupIds: i.securityGroupIds })
    ).filter((o) => o.securityGroupId !== g.securityGroupId);
    if (others.some((o) => o.groupType !== g.groupType)) {
      throw E.InvalidOperationMultiGroupType(
        `The specified instance can't join different types of security group: \`${i.instanceId}\` is in ${others[0]!.groupType === 'normal' ? 'basic' : 'advanced'} groups.`,
      );
    }
    try {
      await groups.join(i.instanceId, g.securityGroupId, (current) => {
        if (current.includes(g.securityGroupId)) {
          throw E.InvalidInstanceIdAlreadyExists(
            `The specified instance already exists in the specified security group: \`${i.instanceId}\` is in \`${g.securityGroupId}\`.`,
          );
        }
        if (current.length >= MAX_GROUPS_PER_INSTANCE) {
          throw E.InstanceSecurityGroupLimitExceeded(
            `Exceeding the allowed amount of security groups that an instance can be in: \`${i.instanceId}\` is in ${current.length}, at most ${MAX_GROUPS_PER_INSTANCE}.`,
          );
        }
      });
    } catch (e) {
      throw membershipError(e, i.instanceId, g.securityGroupId);
    }
    return {};
  };

  const leaveSecurityGroup: H<typeof Ops.LeaveSecurityGroup> = async (ctx, input) => {
    if (input.RegionId !== undefined) checkRegion(ctx, input.RegionId);
    const i = await membershipTarget(ctx, input);
    const g = await mustGroup(deps, ctx, input.SecurityGroupId);
    settled(ctx, i, 'LeaveSecurityGroup');
    try {
      await groups.leave(i.instanceId, g.securityGroupId, (current) => {
        if (!current.includes(g.securityGroupId)) {
          throw E.InvalidSecurityGroupAssociationNotFound(
            `The specified instance or network interface is not in the specified security group: \`${i.instanceId}\` is not in \`${g.securityGroupId}\`.`,
          );
        }
        if (current.length <= 1) {
          throw E.InstanceLastSecurityGroup(
            `The specified security group is the last security group for the instance: \`${i.instanceId}\` must stay in at least one group.`,
          );
        }
      });
    } catch (e) {
      throw membershipError(e, i.instanceId, g.securityGroupId);
    }
    return {};
  };

  const deleteSecurityGroup: H<typeof Ops.DeleteSecurityGroup> = async (ctx, input) => {
    checkRegion(ctx, input.RegionId);
    const g = await mustGroup(deps, ctx, input.SecurityGroupId);
    try {
      await groups.deleteGroup(ctx.accountId, g.securityGroupId);
    } catch (e) {
      if (e instanceof StoreError && e.kind === 'NotFound')
        throw E.InvalidSecurityGroupIdNotFound();
      if (e instanceof StoreError && e.entity === 'Referenced') {
        throw E.DependencyViolationAuthorized(
          `The specified security group has been authorized in another one: a rule of another group names \`${g.securityGroupId}\`; revoke it first.`,
        );
      }
      if (e instanceof StoreError && e.kind === 'Conflict') {
        throw E.DependencyViolationInstances(
          `There is still instance(s) in the specified security group: \`${g.securityGroupId}\`; release them or take them out first.`,
        );
      }
      throw e;
    }
    return {};
  };

  return {
    createSecurityGroup,
    describeSecurityGroups,
    describeSecurityGroupAttribute,
    modifySecurityGroupAttribute,
    modifySecurityGroupPolicy,
    joinSecurityGroup,
    leaveSecurityGroup,
    deleteSecurityGroup,
  };
}
