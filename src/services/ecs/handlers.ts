/**
 * @module ECS handlers, one per operation, named after it: launching instances into vSwitches,
 * the time-based state machine (on both clocks, `model.ts`), listings with filters and pages,
 * metadata options and the built-in catalogue; instance RAM roles are `role-handlers.ts`.
 */
import { randomUUID } from 'node:crypto';
import { readClock } from '../../kernel/clock.js';
import type { HandlerContext } from '../../kernel/context.js';
import { StoreError } from '../../kernel/errors.js';
import { resourceId } from '../../kernel/ids.js';
import { InvalidParameter } from '../../protocol/rpc-errors.js';
import { carriesAll } from '../../store/tag-table.js';
import { cidrHas, parseCidr, parseIpv4, usableRange } from '../vpc/index.js';
import { IMAGES, INSTANCE_TYPES, findImage, findInstanceType } from './catalogue.js';
import * as E from './errors.js';
import { launchAttributes, launchPasswordHash } from './instance-attributes/launch.js';
import { checkUserData } from './instance-attributes/model.js';
import { matchesTypeFilters } from './placement/type-filters.js';
import {
  checkRegion,
  mustInstance,
  wholeSecond,
  wildcard,
  type EcsHandlerDeps,
  type H,
} from './handler-deps.js';
import {
  DEFAULT_METADATA_OPTIONS,
  TRANSITION_MS,
  defaultHostName,
  visibleStatus,
  type Instance,
  type StableStatus,
  type Tag,
  type TransitionStatus,
} from './model.js';
import type * as Ops from './operations.js';
import { passRole, roleHandlers } from './role-handlers.js';
import { checkLaunchGroups } from './security-groups/handlers.js';
import { launchTags } from './tags/handlers.js';
import type { NewInstance } from './store.js';
import {
  imageToWire,
  instanceAttributeToWire,
  instanceToWire,
  instanceTypeToWire,
} from './wire.js';
import { seqPage } from './paging.js';

export { ECS_SERVICE_PRINCIPAL } from './role-handlers.js';
export type { EcsHandlerDeps } from './handler-deps.js';

/** The ECS handlers. */
export function ecsHandlers(deps: EcsHandlerDeps) {
  const { store } = deps;

  type LaunchInput = Parameters<H<typeof Ops.RunInstances>>[1];

  const launch = async (
    ctx: HandlerContext,
    input: LaunchInput,
    amount: number,
    start: boolean,
  ): Promise<Instance[]> => {
    const regionId = checkRegion(ctx, input.RegionId);
    const image = findImage(input.ImageId);
    if (!image) {
      throw E.InvalidImageIdNotFound(
        `The specified ImageId does not exist: \`${input.ImageId}\` (DescribeImages lists the built-in images).`,
      );
    }
    const type = findInstanceType(input.InstanceType);
    if (!type) {
      throw E.InvalidInstanceTypeValueNotSupported(
        `The specified InstanceType does not exist or beyond the permitted range: \`${input.InstanceType}\` (DescribeInstanceTypes lists the built-in types).`,
      );
    }
    if ((image.architecture === 'arm64') !== (type.architecture === 'ARM')) {
      throw E.ImageNotSupportInstanceType(
        `The specified image does not support the specified InstanceType: \`${image.imageId}\` is ${image.architecture}, \`${type.instanceTypeId}\` is ${type.architecture}.`,
      );
    }
    if (input.VSwitchId === undefined) {
      // RAM roles are for VPC instances only (tutorial step 2), and yunbox has no classic network.
      if (input.RamRoleName !== undefined) {
        throw E.InvalidNetworkTypeMismatchRamRole(
          "A RAM role can't be used for classic instance. Give a VSwitchId: instance RAM roles need a VPC instance.",
        );
      }
      throw E.InvalidVSwitchIdNecessary(
        'The VSwitchId is necessary: yunbox creates VPC instances only.',
      );
    }
    const vsw = await deps.vpc.getVSwitch(ctx.accountId, input.VSwitchId);
    const vpc = vsw ? await deps.vpc.getVpc(ctx.accountId, vsw.vpcId) : undefined;
    if (!vsw || !vpc) {
      throw E.EcsInvalidVSwitchIdNotFound(
        `Specified virtual switch does not exist: \`${input.VSwitchId}\`.`,
      );
    }
    if (input.ZoneId !== undefined && input.ZoneId !== '' && input.ZoneId !== vsw.zoneId) {
      throw E.InvalidParameterMismatch(
        `Specified virtual switch is not in the specified zone: \`${vsw.vswitchId}\` is in ${vsw.zoneId}, not \`${input.ZoneId}\`.`,
      );
    }
    if (input.UserData !== undefined) checkUserData(input.UserData);
    launchTags(input.Tag);
    let attributes = await launchAttributes(deps, ctx, regionId, input, image, type);
    let privateIp: string | undefined;
    if (input.PrivateIpAddress !== undefined) {
      const ip = parseIpv4(input.PrivateIpAddress);
      if (ip === undefined) throw E.InvalidPrivateIpAddressMalformed();
      const block = parseCidr(vsw.cidrBlock)!;
      const range = usableRange(block);
      if (!cidrHas(block, ip) || ip < range.first || ip > range.last) {
        throw E.InvalidPrivateIpAddress(
          `Specified private IP address is not in the CIDR block of virtual switch: \`${input.PrivateIpAddress}\` is not a usable address of ${vsw.cidrBlock}.`,
        );
      }
      if (amount > 1) {
        throw InvalidParameter(
          'The specified parameter "PrivateIpAddress" can only be used with Amount 1.',
        );
      }
      privateIp = input.PrivateIpAddress;
    }
    if (input.HostNames !== undefined && input.HostNames.length !== amount) {
      throw InvalidParameter(
        `The specified parameter "HostNames" must name ${amount} instances, not ${input.HostNames.length}.`,
      );
    }
    const groups = await checkLaunchGroups(
      { groups: deps.securityGroups },
      ctx,
      input.SecurityGroupIds ?? (input.SecurityGroupId ? [input.SecurityGroupId] : []),
      vpc.vpcId,
    );
    const role =
      input.RamRoleName !== undefined
        ? await passRole(deps, ctx, input.RamRoleName, 'launch')
        : undefined;
    if (input.DryRun) throw E.EcsDryRunOperation();
    attributes = { ...attributes, ...(await launchPasswordHash(input)) };

    const now = ctx.now;
    const real = ctx.clock.real();
    const tags: Tag[] = launchTags(input.Tag);
    const suffix = (n: number) => (input.UniqueSuffix ? String(n + 1).padStart(3, '0') : '');
    const specs: NewInstance[] = [];
    for (let n = 0; n < amount; n++) {
      const instanceId = resourceId('i-', 20);
      specs.push({
        instanceId,
        accountId: ctx.accountId,
        regionId,
        zoneId: vsw.zoneId,
        vpcId: vpc.vpcId,
        vswitchId: vsw.vswitchId,
        vpcCidr: vpc.cidrBlock,
        vswitchCidr: vsw.cidrBlock,
        instanceName:
          input.InstanceName !== undefined ? input.InstanceName + suffix(n) : instanceId,
        hostName:
          input.HostNames?.[n] ??
          (input.HostName !== undefined ? input.HostName + suffix(n) : defaultHostName(instanceId)),
        description: input.Description ?? '',
        imageId: image.imageId,
        instanceType: type.instanceTypeId,
        ...(input.UserData !== undefined ? { userData: input.UserData } : {}),
        securityGroupIds: groups,
        tags,
        serialNumber: randomUUID(),
        status: start ? 'Running' : 'Stopped',
        transition: 'Pending',
        settlesAt: now + TRANSITION_MS.Pending,
        settlesAtReal: real + TRANSITION_MS.Pending,
        ...(start ? { startedAt: now + TRANSITION_MS.Pending } : {}),
        createdAt: now,
        ...(role ? { role: { roleName: role.roleName, attachedAt: wholeSecond(now) } } : {}),
        ...attributes,
        metadata: {
          ...DEFAULT_METADATA_OPTIONS,
          ...(input.HttpEndpoint !== undefined
            ? { httpEndpoint: input.HttpEndpoint as 'enabled' | 'disabled' }
            : {}),
          ...(input.HttpTokens !== undefined
            ? { httpTokens: input.HttpTokens as 'optional' | 'required' }
            : {}),
          ...(input.HttpPutResponseHopLimit !== undefined
            ? { hopLimit: input.HttpPutResponseHopLimit }
            : {}),
        },
      });
    }
    try {
      const created = await store.createInstances(specs, privateIp);
      deps.changed();
      return created;
    } catch (e) {
      if (e instanceof StoreError) {
        if (e.entity === 'PrivateIpDuplicated') {
          throw E.InvalidPrivateIpAddressDuplicated(
            `Specified private IP address is duplicated: \`${privateIp}\` is in use in ${vsw.vswitchId}.`,
          );
        }
        if (e.entity === 'NoFreeIp') {
          throw E.QuotaExceededPrivateIpAddress(
            `Don't have enough private IPs in this switch: ${vsw.vswitchId} (${vsw.cidrBlock}) cannot place ${amount} more instance(s).`,
          );
        }
        if (e.entity === 'VSwitch') {
          // A foreign key failed: the vSwitch, or the key pair deleted since it was looked up.
          if (
            attributes.keyPair &&
            !(await deps.keyPairs.get(ctx.accountId, regionId, attributes.keyPair.keyPairName))
          ) {
            throw E.InvalidKeyPairNameNotFoundLaunch();
          }
          throw E.EcsInvalidVSwitchIdNotFound();
        }
        if (e.entity === 'SecurityGroup') throw E.InvalidSecurityGroupIdNotFound();
      }
      throw e;
    }
  };

  const createInstance: H<typeof Ops.CreateInstance> = async (ctx, input) => {
    const [created] = await launch(ctx, input, 1, false);
    return { InstanceId: created!.instanceId };
  };

  const runInstances: H<typeof Ops.RunInstances> = async (ctx, input) => {
    const created = await launch(ctx, input, input.Amount ?? 1, true);
    return { InstanceIdSets: { InstanceIdSet: created.map((i) => i.instanceId) } };
  };

  /** A state change from a settled state, or IncorrectInstanceStatus naming the state. */
  const change = async (
    ctx: HandlerContext,
    instanceId: string,
    dryRun: boolean | undefined,
    action: string,
    from: StableStatus,
    to: StableStatus,
    via: TransitionStatus,
  ) => {
    const i = await mustInstance(store, ctx, instanceId);
    const at = readClock(ctx.clock, ctx.now);
    const incorrect = (now: Instance) =>
      E.IncorrectInstanceStatus(
        `The current status of the resource does not support this operation. \`${instanceId}\` is ${visibleStatus(now, at)}; ${action} needs ${from}.`,
      );
    if (visibleStatus(i, at) !== from) throw incorrect(i);
    if (dryRun) throw E.EcsDryRunOperation();
    const settlesAt = at.now + TRANSITION_MS[via];
    const ok = await store.transition(instanceId, {
      from,
      at,
      to,
      transition: via,
      settlesAt,
      settlesAtReal: at.real + TRANSITION_MS[via],
      ...(to === 'Running' ? { startedAt: settlesAt } : {}),
    });
    if (!ok) throw incorrect((await store.getInstance(instanceId)) ?? i);
    deps.changed();
    return {};
  };

  const startInstance: H<typeof Ops.StartInstance> = (ctx, input) =>
    change(ctx, input.InstanceId, input.DryRun, 'StartInstance', 'Stopped', 'Running', 'Starting');
  const stopInstance: H<typeof Ops.StopInstance> = (ctx, input) =>
    change(ctx, input.InstanceId, input.DryRun, 'StopInstance', 'Running', 'Stopped', 'Stopping');
  const rebootInstance: H<typeof Ops.RebootInstance> = (ctx, input) =>
    change(ctx, input.InstanceId, input.DryRun, 'RebootInstance', 'Running', 'Running', 'Starting');

  const deleteInstance: H<typeof Ops.DeleteInstance> = async (ctx, input) => {
    const i = await mustInstance(store, ctx, input.InstanceId);
    const force = input.Force === true;
    const at = readClock(ctx.clock, ctx.now);
    const incorrect = () =>
      E.IncorrectInstanceStatus(
        `The current status of the resource does not support this operation. \`${i.instanceId}\` is ${visibleStatus(i, at)}; DeleteInstance needs Stopped, or Force=true.`,
      );
    if (i.deletionProtection) {
      throw E.InvalidOperationDeletionProtection(
        `The instance cannot be released because release protection is enabled: \`${i.instanceId}\`. Turn it off with ModifyInstanceAttribute (DeletionProtection=false) first.`,
      );
    }
    if (!force && visibleStatus(i, at) !== 'Stopped') throw incorrect();
    if (input.DryRun) throw E.EcsDryRunOperation();
    if (!(await store.deleteInstance(i.instanceId, at, force))) {
      if (await store.getInstance(i.instanceId)) throw incorrect();
      throw E.InvalidInstanceIdNotFound();
    }
    deps.changed();
    return {};
  };

  const describeInstances: H<typeof Ops.DescribeInstances> = async (ctx, input) => {
    const regionId = checkRegion(ctx, input.RegionId);
    let all = await store.listInstances(ctx.accountId, regionId, {
      ...(input.InstanceIds ? { instanceIds: input.InstanceIds } : {}),
      ...(input.PrivateIpAddresses ? { privateIps: input.PrivateIpAddresses } : {}),
      ...(input.VpcId !== undefined ? { vpcId: input.VpcId } : {}),
      ...(input.VSwitchId !== undefined ? { vswitchId: input.VSwitchId } : {}),
      ...(input.ZoneId !== undefined ? { zoneId: input.ZoneId } : {}),
      ...(input.ImageId !== undefined ? { imageId: input.ImageId } : {}),
      ...(input.InstanceType !== undefined ? { instanceType: input.InstanceType } : {}),
    });
    const at = readClock(ctx.clock, ctx.now);
    if (input.Status !== undefined) {
      all = all.filter((i) => visibleStatus(i, at) === input.Status);
    }
    if (input.InstanceName !== undefined) {
      const re = wildcard(input.InstanceName);
      all = all.filter((i) => re.test(i.instanceName));
    }
    if (input.Tag) {
      const wanted = input.Tag.map((t) => ({ key: t.Key, value: t.Value }));
      all = all.filter((i) => carriesAll(i.tags, wanted));
    }
    if (input.KeyPairName !== undefined) {
      all = all.filter((i) => i.keyPair?.keyPairName === input.KeyPairName);
    }
    if (input.HttpEndpoint !== undefined) {
      all = all.filter((i) => i.metadata.httpEndpoint === input.HttpEndpoint);
    }
    if (input.HttpTokens !== undefined) {
      all = all.filter((i) => i.metadata.httpTokens === input.HttpTokens);
    }
    const wire = (items: Instance[]) => ({
      Instance: items.map((i) =>
        instanceToWire(i, at, findInstanceType(i.instanceType), findImage(i.imageId)),
      ),
    });
    if (input.NextToken !== undefined || input.MaxResults !== undefined) {
      const page = seqPage(all, input.NextToken, input.MaxResults);
      return {
        TotalCount: all.length,
        NextToken: page.nextToken,
        Instances: wire(page.items),
      };
    }
    const pageNumber = input.PageNumber ?? 1;
    const pageSize = input.PageSize ?? 10;
    return {
      TotalCount: all.length,
      PageNumber: pageNumber,
      PageSize: pageSize,
      NextToken: '',
      Instances: wire(all.slice((pageNumber - 1) * pageSize, pageNumber * pageSize)),
    };
  };

  const describeInstanceStatus: H<typeof Ops.DescribeInstanceStatus> = async (ctx, input) => {
    const regionId = checkRegion(ctx, input.RegionId);
    const all = await store.listInstances(ctx.accountId, regionId, {
      ...(input.InstanceId ? { instanceIds: input.InstanceId } : {}),
      ...(input.ZoneId !== undefined ? { zoneId: input.ZoneId } : {}),
    });
    const pageNumber = input.PageNumber ?? 1;
    const pageSize = input.PageSize ?? 10;
    const at = readClock(ctx.clock, ctx.now);
    return {
      TotalCount: all.length,
      PageNumber: pageNumber,
      PageSize: pageSize,
      InstanceStatuses: {
        InstanceStatus: all
          .slice((pageNumber - 1) * pageSize, pageNumber * pageSize)
          .map((i) => ({ InstanceId: i.instanceId, Status: visibleStatus(i, at) })),
      },
    };
  };

  const describeInstanceAttribute: H<typeof Ops.DescribeInstanceAttribute> = async (ctx, input) => {
    const i = await mustInstance(store, ctx, input.InstanceId);
    return instanceAttributeToWire(
      i,
      readClock(ctx.clock, ctx.now),
      findInstanceType(i.instanceType),
    );
  };

  const modifyInstanceMetadataOptions: H<typeof Ops.ModifyInstanceMetadataOptions> = async (
    ctx,
    input,
  ) => {
    checkRegion(ctx, input.RegionId);
    const i = await mustInstance(store, ctx, input.InstanceId);
    await store.setMetadataOptions(i.instanceId, {
      ...(input.HttpEndpoint !== undefined
        ? { httpEndpoint: input.HttpEndpoint as 'enabled' | 'disabled' }
        : {}),
      ...(input.HttpTokens !== undefined
        ? { httpTokens: input.HttpTokens as 'optional' | 'required' }
        : {}),
      ...(input.HttpPutResponseHopLimit !== undefined
        ? { hopLimit: input.HttpPutResponseHopLimit }
        : {}),
      ...(input.InstanceMetadataTags !== undefined
        ? { instanceMetadataTags: input.InstanceMetadataTags as 'enabled' | 'disabled' }
        : {}),
    });
    return {};
  };

  const describeImages: H<typeof Ops.DescribeImages> = async (ctx, input) => {
    const regionId = checkRegion(ctx, input.RegionId);
    const ids = input.ImageId?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const statuses = (input.Status ?? 'Available').split(',').map((s) => s.trim());
    const type =
      input.InstanceType !== undefined ? findInstanceType(input.InstanceType) : undefined;
    const owners = input.ImageOwnerAlias?.split(',').map((s) => s.trim());
    const images = IMAGES.filter(
      (img) =>
        (!ids || ids.includes(img.imageId)) &&
        (input.ImageName === undefined || wildcard(input.ImageName).test(img.imageName)) &&
        (input.OSType === undefined || input.OSType.toLowerCase() === img.osType) &&
        (input.Architecture === undefined || input.Architecture === img.architecture) &&
        (!owners || owners.includes('system')) &&
        statuses.includes('Available') &&
        (input.InstanceType === undefined ||
          (type !== undefined && (img.architecture === 'arm64') === (type.architecture === 'ARM'))),
    );
    const pageNumber = input.PageNumber ?? 1;
    const pageSize = input.PageSize ?? 10;
    return {
      RegionId: regionId,
      TotalCount: images.length,
      PageNumber: pageNumber,
      PageSize: pageSize,
      Images: {
        Image: images.slice((pageNumber - 1) * pageSize, pageNumber * pageSize).map(imageToWire),
      },
    };
  };

  const describeInstanceTypes: H<typeof Ops.DescribeInstanceTypes> = async (_ctx, input) => {
    const types = INSTANCE_TYPES.filter(
      (t) =>
        (!input.InstanceTypes || input.InstanceTypes.includes(t.instanceTypeId)) &&
        matchesTypeFilters(t, input) &&
        (input.InstanceTypeFamily === undefined || input.InstanceTypeFamily === t.family) &&
        (input.CpuArchitecture === undefined || input.CpuArchitecture === t.architecture),
    );
    let from = 0;
    if (input.NextToken !== undefined && input.NextToken !== '') {
      const m = /^at:(\d+)$/.exec(Buffer.from(input.NextToken, 'base64url').toString('utf8'));
      if (!m) throw E.InvalidNextTokenMalformed();
      from = Number(m[1]);
    }
    const size = input.MaxResults ?? types.length;
    const items = types.slice(from, from + size);
    const more = from + size < types.length;
    return {
      NextToken: more ? Buffer.from(`at:${from + size}`).toString('base64url') : '',
      InstanceTypes: { InstanceType: items.map(instanceTypeToWire) },
    };
  };

  return {
    createInstance,
    runInstances,
    startInstance,
    stopInstance,
    rebootInstance,
    deleteInstance,
    describeInstances,
    describeInstanceStatus,
    describeInstanceAttribute,
    ...roleHandlers(deps),
    modifyInstanceMetadataOptions,
    describeImages,
    describeInstanceTypes,
  };
}
