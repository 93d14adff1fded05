/**
 * @module Handlers of the instance attribute operations (`operations.ts`), one per operation:
 * system disks, user data, ModifyInstanceAttribute with ECS's state rules, maintenance and
 * private-pool attachment attributes.
 *
 * State rules (doc "ModifyInstanceAttribute"): a password cannot be reset while the instance is
 * Starting. User data: older revisions of the doc required Stopped, the current one names no
 * state, and terraform-provider-alicloud changes it on a Running instance and restarts it after;
 * yunbox accepts it in either settled state and refuses it during a transition (Pending,
 * Starting, Stopping), when the instance is reading it. Both are conditional updates, so a start
 * racing the change cannot slip between the check and the write. `SecurityGroupIds.N` replaces the
 * instance's groups with JoinSecurityGroup's rules (a settled instance, groups of its VPC, one
 * type, at most 5); the replacement is written first, under the instance's membership lock.
 */
import { readClock } from '../../../kernel/clock.js';
import { StoreError } from '../../../kernel/errors.js';
import { InvalidParameter } from '../../../protocol/rpc-errors.js';
import { findImage, findInstanceType } from '../catalogue.js';
import * as E from '../errors.js';
import { checkRegion, mustInstance, type EcsHandlerDeps, type H } from '../handler-deps.js';
import { visibleStatus, type Instance, type TransitionStatus } from '../model.js';
import { checkLaunchGroups } from '../security-groups/handlers.js';
import { isBurstable } from './launch.js';
import {
  checkPassword,
  checkUserData,
  hashPassword,
  instanceIdOfDisk,
  systemDiskIdOf,
  type MaintenanceAction,
  type MaintenanceAttributes,
} from './model.js';
import type * as Ops from './operations.js';
import type { AttributeChanges, InstanceAttributeStore } from './store.js';
import { maintenanceToWire, systemDiskToWire } from './wire.js';
import { seqPage } from '../paging.js';

/** What these handlers need: the ECS deps and the attribute store. */
export interface InstanceAttributeDeps extends EcsHandlerDeps {
  attributes: InstanceAttributeStore;
}

/** Maintenance window times: whole hours of the day in UTC, `HH:00:00Z`. */
const WINDOW_TIME = /^([01]\d|2[0-3]):00:00Z$/;

function page<T>(items: T[], pageNumber = 1, pageSize = 10): T[] {
  return items.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
}

/** The instance attribute handlers. */
export function instanceAttributeHandlers(deps: InstanceAttributeDeps) {
  const { store, attributes } = deps;

  const describeDisks: H<typeof Ops.DescribeDisks> = async (ctx, input) => {
    const regionId = checkRegion(ctx, input.RegionId);
    let ids: string[] | undefined;
    if (input.DiskIds) {
      ids = input.DiskIds.map(instanceIdOfDisk).filter((x): x is string => x !== undefined);
    }
    if (input.InstanceId !== undefined) {
      ids = ids ? ids.filter((x) => x === input.InstanceId) : [input.InstanceId];
    }
    let all: Instance[] =
      input.DiskType === 'data'
        ? []
        : await store.listInstances(ctx.accountId, regionId, {
            ...(ids ? { instanceIds: ids } : {}),
            ...(input.ZoneId !== undefined ? { zoneId: input.ZoneId } : {}),
            ...(input.Tag
              ? { systemDiskTags: input.Tag.map((t) => ({ key: t.Key, value: t.Value })) }
              : {}),
          });
    if (input.Category !== undefined && input.Category !== 'all') {
      all = all.filter((i) => i.systemDisk.category === input.Category);
    }
    if (input.Status !== undefined && input.Status !== 'All' && input.Status !== 'In_use') {
      all = [];
    }
    if (input.DiskName !== undefined) all = all.filter((i) => i.systemDisk.name === input.DiskName);
    if (input.Portable === true) all = [];
    const wire = async (items: Instance[]) => {
      const tags = await attributes.systemDiskTags(
        ctx.accountId,
        items.map((i) => i.instanceId),
      );
      return { Disk: items.map((i) => systemDiskToWire(i, tags.get(i.instanceId) ?? [])) };
    };
    if (input.NextToken !== undefined || input.MaxResults !== undefined) {
      const page = seqPage(all, input.NextToken, input.MaxResults);
      return {
        TotalCount: all.length,
        NextToken: page.nextToken,
        Disks: await wire(page.items),
      };
    }
    const pageNumber = input.PageNumber ?? 1;
    const pageSize = input.PageSize ?? 10;
    return {
      TotalCount: all.length,
      PageNumber: pageNumber,
      PageSize: pageSize,
      NextToken: '',
      Disks: await wire(page(all, pageNumber, pageSize)),
    };
  };

  const modifyDiskAttribute: H<typeof Ops.ModifyDiskAttribute> = async (ctx, input) => {
    checkRegion(ctx, input.RegionId);
    const diskIds = [
      ...new Set([...(input.DiskId !== undefined ? [input.DiskId] : []), ...(input.DiskIds ?? [])]),
    ];
    if (diskIds.length === 0) {
      throw E.EcsMissingParameter(
        'The input parameter "DiskId" that is mandatory for processing this request is not supplied.',
      );
    }
    const instances: Instance[] = [];
    for (const diskId of diskIds) {
      const instanceId = instanceIdOfDisk(diskId);
      const i = instanceId !== undefined ? await store.getInstance(instanceId) : undefined;
      if (!i || i.accountId !== ctx.accountId || systemDiskIdOf(i.instanceId) !== diskId) {
        throw E.InvalidDiskIdNotFound(`The specified disk does not exist: \`${diskId}\`.`);
      }
      instances.push(i);
    }
    for (const i of instances) {
      await attributes.modifySystemDisk(i.instanceId, {
        ...(input.DiskName !== undefined ? { name: input.DiskName } : {}),
        ...(input.Description !== undefined ? { description: input.Description } : {}),
      });
    }
    return {};
  };

  const describeUserData: H<typeof Ops.DescribeUserData> = async (ctx, input) => {
    const regionId = checkRegion(ctx, input.RegionId);
    const i = await mustInstance(store, ctx, input.InstanceId);
    return { InstanceId: i.instanceId, RegionId: regionId, UserData: i.userData ?? '' };
  };

  const modifyInstanceAttribute: H<typeof Ops.ModifyInstanceAttribute> = async (ctx, input) => {
    checkRegion(ctx, input.RegionId);
    const i = await mustInstance(store, ctx, input.InstanceId);
    const changes: AttributeChanges = {};
    const refuse = new Set<TransitionStatus>();
    if (input.InstanceName !== undefined && input.InstanceName !== '') {
      changes.instanceName = input.InstanceName;
    }
    if (input.Description !== undefined) changes.description = input.Description;
    if (input.HostName !== undefined && input.HostName !== '') changes.hostName = input.HostName;
    if (input.UserData !== undefined) {
      if (input.UserData !== '') checkUserData(input.UserData);
      changes.userData = input.UserData === '' ? null : input.UserData;
      for (const s of ['Pending', 'Starting', 'Stopping'] as const) refuse.add(s);
    }
    if (input.CreditSpecification !== undefined) {
      const type = findInstanceType(i.instanceType);
      if (!type || !isBurstable(type)) {
        throw E.InvalidCreditSpecification(
          `The specified CreditSpecification is not supported: \`${i.instanceType}\` is not a burstable type (ecs.t5, ecs.t6).`,
        );
      }
      changes.creditSpecification = input.CreditSpecification;
    }
    if (input.DeletionProtection !== undefined)
      changes.deletionProtection = input.DeletionProtection;
    if (input.EnableJumboFrame !== undefined) changes.jumboFrame = input.EnableJumboFrame;
    if (input.Password !== undefined && input.Password !== '') {
      checkPassword(input.Password);
      refuse.add('Starting');
    }
    let groups: string[] | undefined;
    const groupIds = (input.SecurityGroupIds ?? []).filter((g) => g !== '');
    if (groupIds.length > 0) {
      // As JoinSecurityGroup and LeaveSecurityGroup: a settled instance, groups of its VPC.
      groups = await checkLaunchGroups(
        { groups: deps.securityGroups },
        ctx,
        groupIds,
        i.vpcId,
        (g) =>
          E.InvalidInstanceIdMismatch(
            `Specified instance and security group are not in the same VPC: \`${i.instanceId}\` is in ${i.vpcId}, \`${g.securityGroupId}\` in ${g.vpcId}.`,
          ),
      );
      for (const s of ['Pending', 'Starting', 'Stopping'] as const) refuse.add(s);
    }
    const at = readClock(ctx.clock, ctx.now);
    const incorrect = (now: Instance) =>
      E.IncorrectInstanceStatus(
        `The current status of the resource does not support this operation. \`${now.instanceId}\` is ${visibleStatus(now, at)}; ${
          changes.userData !== undefined || groups !== undefined
            ? 'user data and security group changes wait until it is Running or Stopped'
            : 'a password cannot be reset while it is Starting'
        }.`,
      );
    const showing = visibleStatus(i, at);
    if ((refuse as Set<string>).has(showing)) throw incorrect(i);
    // Hashed only once the cheap checks passed: scrypt is deliberately slow.
    if (input.Password !== undefined && input.Password !== '') {
      changes.passwordHash = await hashPassword(input.Password);
    }
    if (groups !== undefined) {
      try {
        await deps.securityGroups.replaceGroups(i.instanceId, groups, () => {});
      } catch (e) {
        if (e instanceof StoreError && e.entity === 'SecurityGroup') {
          throw E.InvalidSecurityGroupIdNotFound(
            'The specified SecurityGroupId does not exist: a group given was deleted meanwhile.',
          );
        }
        if (e instanceof StoreError && e.entity === 'Instance') throw E.InvalidInstanceIdNotFound();
        throw e;
      }
    }
    const r = await attributes.modify(i.instanceId, changes, { at, refuse: [...refuse] });
    if (r === 'missing') throw E.InvalidInstanceIdNotFound();
    if (r === 'refused') throw incorrect((await store.getInstance(i.instanceId)) ?? i);
    if (changes.hostName !== undefined || changes.userData !== undefined) deps.changed();
    return {};
  };

  /**
   * ModifyInstanceSpec for pay-as-you-go instances (doc "ModifyInstanceSpec": the instance must
   * be Stopped): a conditional update, so a start racing it cannot slip between check and write.
   */
  const modifyInstanceSpec: H<typeof Ops.ModifyInstanceSpec> = async (ctx, input) => {
    const i = await mustInstance(store, ctx, input.InstanceId);
    const type = findInstanceType(input.InstanceType);
    if (!type) {
      throw E.InvalidInstanceTypeValueNotSupported(
        `The specified InstanceType does not exist or beyond the permitted range: \`${input.InstanceType}\` (DescribeInstanceTypes lists the built-in types).`,
      );
    }
    const image = findImage(i.imageId);
    if (image && (image.architecture === 'arm64') !== (type.architecture === 'ARM')) {
      throw E.ImageNotSupportInstanceType(
        `The specified image does not support the specified InstanceType: \`${image.imageId}\` is ${image.architecture}, \`${type.instanceTypeId}\` is ${type.architecture}.`,
      );
    }
    const at = readClock(ctx.clock, ctx.now);
    const incorrect = (now: Instance) =>
      E.IncorrectInstanceStatus(
        `The current status of the resource does not support this operation. \`${now.instanceId}\` is ${visibleStatus(now, at)}; a pay-as-you-go instance changes its type while Stopped.`,
      );
    if (visibleStatus(i, at) !== 'Stopped') throw incorrect(i);
    if (input.DryRun) throw E.EcsDryRunOperation();
    const changes: AttributeChanges = { instanceType: type.instanceTypeId };
    changes.creditSpecification = isBurstable(type) ? i.creditSpecification || 'Standard' : '';
    const r = await attributes.modify(i.instanceId, changes, {
      at,
      refuse: ['Pending', 'Starting', 'Stopping'],
      status: 'Stopped',
    });
    if (r === 'missing') throw E.InvalidInstanceIdNotFound();
    if (r === 'refused') throw incorrect((await store.getInstance(i.instanceId)) ?? i);
    deps.changed();
    return {};
  };

  const describeInstanceMaintenanceAttributes: H<
    typeof Ops.DescribeInstanceMaintenanceAttributes
  > = async (ctx, input) => {
    const regionId = checkRegion(ctx, input.RegionId);
    const all = await store.listInstances(ctx.accountId, regionId, {
      ...(input.InstanceId ? { instanceIds: input.InstanceId } : {}),
    });
    const pageNumber = input.PageNumber ?? 1;
    const pageSize = input.PageSize ?? 10;
    return {
      TotalCount: all.length,
      PageNumber: pageNumber,
      PageSize: pageSize,
      MaintenanceAttributes: {
        MaintenanceAttribute: page(all, pageNumber, pageSize).map(maintenanceToWire),
      },
    };
  };

  const modifyInstanceMaintenanceAttributes: H<
    typeof Ops.ModifyInstanceMaintenanceAttributes
  > = async (ctx, input) => {
    checkRegion(ctx, input.RegionId);
    const windows = (input.MaintenanceWindow ?? []).filter(
      (w) => w.StartTime !== undefined || w.EndTime !== undefined,
    );
    for (const w of windows) {
      if (!WINDOW_TIME.test(w.StartTime ?? '') || !WINDOW_TIME.test(w.EndTime ?? '')) {
        throw InvalidParameter(
          'The specified parameter "MaintenanceWindow" is not valid: StartTime and EndTime are whole hours in UTC, e.g. 02:00:00Z.',
        );
      }
      if (w.StartTime === w.EndTime) {
        throw InvalidParameter(
          'The specified parameter "MaintenanceWindow" is not valid: StartTime and EndTime must differ.',
        );
      }
    }
    const instances = [];
    for (const id of [...new Set(input.InstanceId)]) {
      instances.push(await mustInstance(store, ctx, id));
    }
    for (const i of instances) {
      const next: MaintenanceAttributes = {
        windows:
          input.MaintenanceWindow !== undefined
            ? windows.map((w) => ({ startTime: w.StartTime!, endTime: w.EndTime! }))
            : i.maintenance.windows,
        action:
          (input.ActionOnMaintenance as MaintenanceAction | undefined) ?? i.maintenance.action,
        notify: input.NotifyOnMaintenance ?? i.maintenance.notify,
      };
      await attributes.setMaintenance(i.instanceId, next);
    }
    return {};
  };

  const describeInstanceAttachmentAttributes: H<
    typeof Ops.DescribeInstanceAttachmentAttributes
  > = async (ctx, input) => {
    const regionId = checkRegion(ctx, input.RegionId);
    const all = await store.listInstances(ctx.accountId, regionId, {
      instanceIds: input.InstanceIds,
    });
    const pageNumber = input.PageNumber ?? 1;
    const pageSize = input.PageSize ?? 10;
    return {
      TotalCount: all.length,
      PageNumber: pageNumber,
      PageSize: pageSize,
      Instances: {
        Instance: page(all, pageNumber, pageSize).map((i) => ({
          InstanceId: i.instanceId,
          PrivatePoolOptionsMatchCriteria: 'None',
          PrivatePoolOptionsId: '',
        })),
      },
    };
  };

  return {
    describeDisks,
    modifyDiskAttribute,
    describeUserData,
    modifyInstanceAttribute,
    modifyInstanceSpec,
    describeInstanceMaintenanceAttributes,
    modifyInstanceMaintenanceAttributes,
    describeInstanceAttachmentAttributes,
  };
}
