/**
 * @module ECS handlers, one per operation, named after it: launching instances into vSwitches,
 * the time-based state machine, listings with filters and pages, instance RAM roles (PassRole and
 * the ECS trust check, each refused with Alibaba's code and our explanation), metadata options
 * and the built-in catalogue.
 */
import { randomUUID } from 'node:crypto';
import { compileGlob, compilePolicy, evaluateTrust } from '../../policy/index.js';
import { accessDeniedDetail, type Authorizer } from '../../kernel/authorizer.js';
import type { HandlerContext } from '../../kernel/context.js';
import { StoreError } from '../../kernel/errors.js';
import { resourceId } from '../../kernel/ids.js';
import { ramArn } from '../../kernel/principal.js';
import { InvalidParameter } from '../../protocol/rpc-errors.js';
import type { Handler } from '../../protocol/rpc-operation.js';
import type { ParamShape } from '../../protocol/rpc-schema.js';
import type { RamApi } from '../ram/index.js';
import { cidrHas, parseCidr, parseIpv4, usableRange, type VpcApi } from '../vpc/index.js';
import { IMAGES, INSTANCE_TYPES, findImage, findInstanceType } from './catalogue.js';
import * as E from './errors.js';
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
import type { EcsStore, NewInstance } from './store.js';
import {
  imageToWire,
  instanceAttributeToWire,
  instanceToWire,
  instanceTypeToWire,
} from './wire.js';

type H<D extends { params: ParamShape }> = Handler<D['params']>;

/** What ECS handlers need. */
export interface EcsHandlerDeps {
  store: EcsStore;
  vpc: VpcApi;
  ram: RamApi;
  authorizer: Authorizer;
  /** Called after instances are created, deleted or change state (a hint to listeners). */
  changed(): void;
}

/** The principal ECS assumes roles as. */
export const ECS_SERVICE_PRINCIPAL = 'ecs.aliyuncs.com';

const wholeSecond = (ms: number) => Math.floor(ms / 1000) * 1000;

function checkRegion(ctx: HandlerContext, regionId: string | undefined): string {
  if (regionId !== undefined && regionId !== ctx.region) {
    throw E.EcsInvalidRegionId(
      `The specified RegionId does not exist. yunbox serves \`${ctx.region}\`, not \`${regionId}\`.`,
    );
  }
  return ctx.region;
}

/** A name filter with `*` wildcards (InstanceName, ImageName), matched in linear time. */
function wildcard(pattern: string): { test(s: string): boolean } {
  return { test: compileGlob(pattern, { questionMark: false }) };
}

function decodeUserData(text: string): Buffer {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) {
    throw E.InvalidUserDataBase64('The specified UserData is not valid: it is not Base64.');
  }
  const raw = Buffer.from(text, 'base64');
  if (raw.length > 16 * 1024) {
    throw E.InvalidUserDataSizeExceeded(
      `The specified parameter "UserData" exceeds the size: ${raw.length} bytes decoded, at most 16384.`,
    );
  }
  return raw;
}

/** The ECS handlers. */
export function ecsHandlers(deps: EcsHandlerDeps) {
  const { store } = deps;

  const mustInstance = async (ctx: HandlerContext, instanceId: string): Promise<Instance> => {
    const i = await store.getInstance(instanceId);
    if (!i || i.accountId !== ctx.accountId) {
      throw E.InvalidInstanceIdNotFound(
        `The specified InstanceId does not exist: \`${instanceId}\`.`,
      );
    }
    return i;
  };

  /**
   * May the caller give `roleName` to ECS instances? `ram:PassRole` on the role (denied ->
   * `InvalidUser.PassRoleForbidden` with the deciding policies), the role exists, and its trust
   * policy lets `ecs.aliyuncs.com` assume it (else `InvalidRamRole.NotEcsRole`, 401 on launch,
   * 404 on attach). Returns the role: callers store and answer its name as it was created.
   */
  const passRole = async (ctx: HandlerContext, roleName: string, on: 'launch' | 'attach') => {
    const mayPass = async (name: string) => {
      const check = { action: 'ram:PassRole', resource: ramArn(ctx.accountId, `role/${name}`) };
      const d = await deps.authorizer.decide(ctx, check);
      if (d.decision !== 'allow') {
        ctx.log.info({ action: check.action, resource: check.resource }, 'denied');
        throw E.InvalidUserPassRoleForbidden(
          `The RAM user does not have the privilege to pass a RAM role. ${d.explanation}`,
          { AccessDeniedDetail: accessDeniedDetail(ctx, check, d) },
        );
      }
    };
    await mayPass(roleName);
    const role = await deps.ram.getRole(ctx.accountId, roleName);
    if (!role) {
      throw E.InvalidRamRoleNotFound(`The specified RAMRoleName does not exist: \`${roleName}\`.`);
    }
    // RAM finds names without regard to case; named in another case, the role's own ARN must be
    // allowed too (a Deny written with its real name still applies).
    if (role.roleName !== roleName) await mayPass(role.roleName);
    const trust = compilePolicy(role.trustPolicy, 'trust');
    const decision = trust.ok
      ? evaluateTrust(
          { name: `${role.roleName} trust policy`, type: 'Trust', policy: trust.policy },
          { kind: 'service', service: ECS_SERVICE_PRINCIPAL },
          {},
        )
      : undefined;
    if (decision?.decision !== 'allow') {
      const notEcs =
        on === 'launch' ? E.InvalidRamRoleNotEcsRoleCreate : E.InvalidRamRoleNotEcsRoleAttach;
      throw notEcs(
        `The specified ram role is not authorized for ecs, please check your role policy. ${
          decision
            ? decision.explanation
            : `The trust policy of role \`${role.roleName}\` is invalid`
        }; it must allow \`sts:AssumeRole\` to the service ${ECS_SERVICE_PRINCIPAL}.`,
      );
    }
    return role;
  };

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
    if (input.UserData !== undefined) decodeUserData(input.UserData);
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
    const role =
      input.RamRoleName !== undefined
        ? await passRole(ctx, input.RamRoleName, 'launch')
        : undefined;
    if (input.DryRun) throw E.EcsDryRunOperation();

    const now = ctx.now;
    const tags: Tag[] = (input.Tag ?? []).map((t) => ({ key: t.Key ?? '', value: t.Value ?? '' }));
    const groups = input.SecurityGroupIds ?? (input.SecurityGroupId ? [input.SecurityGroupId] : []);
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
        ...(start ? { startedAt: now + TRANSITION_MS.Pending } : {}),
        createdAt: now,
        ...(role ? { role: { roleName: role.roleName, attachedAt: wholeSecond(now) } } : {}),
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
        if (e.entity === 'VSwitch') throw E.EcsInvalidVSwitchIdNotFound();
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
    const i = await mustInstance(ctx, instanceId);
    const incorrect = (now: Instance) =>
      E.IncorrectInstanceStatus(
        `The current status of the resource does not support this operation. \`${instanceId}\` is ${visibleStatus(now, ctx.now)}; ${action} needs ${from}.`,
      );
    if (visibleStatus(i, ctx.now) !== from) throw incorrect(i);
    if (dryRun) throw E.EcsDryRunOperation();
    const settlesAt = ctx.now + TRANSITION_MS[via];
    const ok = await store.transition(instanceId, {
      from,
      now: ctx.now,
      to,
      transition: via,
      settlesAt,
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
    const i = await mustInstance(ctx, input.InstanceId);
    const force = input.Force === true;
    const incorrect = () =>
      E.IncorrectInstanceStatus(
        `The current status of the resource does not support this operation. \`${i.instanceId}\` is ${visibleStatus(i, ctx.now)}; DeleteInstance needs Stopped, or Force=true.`,
      );
    if (!force && visibleStatus(i, ctx.now) !== 'Stopped') throw incorrect();
    if (input.DryRun) throw E.EcsDryRunOperation();
    if (!(await store.deleteInstance(i.instanceId, ctx.now, force))) {
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
    if (input.Status !== undefined) {
      all = all.filter((i) => visibleStatus(i, ctx.now) === input.Status);
    }
    if (input.InstanceName !== undefined) {
      const re = wildcard(input.InstanceName);
      all = all.filter((i) => re.test(i.instanceName));
    }
    for (const t of input.Tag ?? []) {
      all = all.filter((i) =>
        i.tags.some((x) => x.key === t.Key && (t.Value === undefined || x.value === t.Value)),
      );
    }
    if (input.HttpEndpoint !== undefined) {
      all = all.filter((i) => i.metadata.httpEndpoint === input.HttpEndpoint);
    }
    if (input.HttpTokens !== undefined) {
      all = all.filter((i) => i.metadata.httpTokens === input.HttpTokens);
    }
    const wire = (items: Instance[]) => ({
      Instance: items.map((i) =>
        instanceToWire(i, ctx.now, findInstanceType(i.instanceType), findImage(i.imageId)),
      ),
    });
    if (input.NextToken !== undefined || input.MaxResults !== undefined) {
      let after = 0;
      if (input.NextToken !== undefined && input.NextToken !== '') {
        const m = /^seq:(\d+)$/.exec(Buffer.from(input.NextToken, 'base64url').toString('utf8'));
        if (!m) throw E.InvalidNextTokenMalformed();
        after = Number(m[1]);
      }
      const size = input.MaxResults ?? 10;
      const rest = all.filter((i) => i.seq > after);
      const items = rest.slice(0, size);
      const more = rest.length > size;
      return {
        TotalCount: all.length,
        NextToken: more
          ? Buffer.from(`seq:${items[items.length - 1]!.seq}`).toString('base64url')
          : '',
        Instances: wire(items),
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
    return {
      TotalCount: all.length,
      PageNumber: pageNumber,
      PageSize: pageSize,
      InstanceStatuses: {
        InstanceStatus: all
          .slice((pageNumber - 1) * pageSize, pageNumber * pageSize)
          .map((i) => ({ InstanceId: i.instanceId, Status: visibleStatus(i, ctx.now) })),
      },
    };
  };

  const describeInstanceAttribute: H<typeof Ops.DescribeInstanceAttribute> = async (ctx, input) => {
    const i = await mustInstance(ctx, input.InstanceId);
    return instanceAttributeToWire(i, ctx.now, findInstanceType(i.instanceType));
  };

  const instancesOf = async (ctx: HandlerContext, ids: string[]) => {
    const out: Instance[] = [];
    for (const id of [...new Set(ids)]) out.push(await mustInstance(ctx, id));
    return out;
  };

  const attachInstanceRamRole: H<typeof Ops.AttachInstanceRamRole> = async (ctx, input) => {
    checkRegion(ctx, input.RegionId);
    if (input.Policy !== undefined) {
      const c = compilePolicy(input.Policy, 'session');
      if (!c.ok) {
        const d = c.diagnostics[0];
        throw E.InvalidPolicyMalformed(
          `The specified parameter Policy is not valid: ${d ? `${d.message} (at ${d.pointer || '/'})` : 'invalid'}.`,
        );
      }
    }
    const role = await passRole(ctx, input.RamRoleName, 'attach');
    const instances = await instancesOf(ctx, input.InstanceIds);
    const results = [];
    for (const i of instances) {
      const r = await store.attachRole(i.instanceId, {
        roleName: role.roleName,
        attachedAt: wholeSecond(ctx.now),
        ...(input.Policy !== undefined ? { policy: input.Policy } : {}),
      });
      if (r === 'attached' || r === 'same') {
        results.push({ InstanceId: i.instanceId, Success: true, Code: '200', Message: 'success' });
      } else if (r === 'missing') {
        results.push({
          InstanceId: i.instanceId,
          Success: false,
          Code: 'InvalidInstanceId.NotFound',
          Message: 'The specified instanceId does not exist',
        });
      } else {
        const now = await store.getInstance(i.instanceId);
        results.push({
          InstanceId: i.instanceId,
          Success: false,
          Code: 'InvalidRamRole.Conflict',
          Message: `The instance already has the RAM role \`${now?.role?.roleName ?? '?'}\`; an instance can have only one. Detach it first.`,
        });
      }
    }
    deps.changed();
    return {
      RamRoleName: role.roleName,
      TotalCount: results.length,
      FailCount: results.filter((r) => !r.Success).length,
      AttachInstanceRamRoleResults: { AttachInstanceRamRoleResult: results },
    };
  };

  const detachInstanceRamRole: H<typeof Ops.DetachInstanceRamRole> = async (ctx, input) => {
    checkRegion(ctx, input.RegionId);
    const instances = await instancesOf(ctx, input.InstanceIds);
    const results = [];
    const names = new Set<string>();
    for (const i of instances) {
      const r = await store.detachRole(i.instanceId, input.RamRoleName);
      if (r.result === 'detached') {
        names.add(r.roleName!);
        results.push({
          InstanceId: i.instanceId,
          Success: true,
          Code: '200',
          Message: 'Success',
          InstanceRamRoleSets: {
            InstanceRamRoleSet: [{ InstanceId: i.instanceId, RamRoleName: r.roleName! }],
          },
        });
      } else {
        results.push({
          InstanceId: i.instanceId,
          Success: false,
          Code: r.result === 'other' ? 'InvalidRamRole.NotEqual' : 'InvalidRamRole.NotAttached',
          Message:
            r.result === 'other'
              ? `The instance's RAM role is \`${r.roleName}\`, not \`${input.RamRoleName}\`.`
              : r.result === 'missing'
                ? 'The specified instanceId does not exist'
                : 'The instance has no RAM role attached.',
          InstanceRamRoleSets: { InstanceRamRoleSet: [] as unknown[] },
        });
      }
    }
    deps.changed();
    return {
      // The role's name as it was created when one was detached, whatever case the call used.
      RamRoleName: names.size === 1 ? [...names][0]! : (input.RamRoleName ?? ''),
      TotalCount: results.length,
      FailCount: results.filter((r) => !r.Success).length,
      DetachInstanceRamRoleResults: { DetachInstanceRamRoleResult: results },
    };
  };

  const describeInstanceRamRole: H<typeof Ops.DescribeInstanceRamRole> = async (ctx, input) => {
    const regionId = checkRegion(ctx, input.RegionId);
    if (input.InstanceIds === undefined && input.RamRoleName === undefined) {
      throw E.EcsMissingParameter(
        'InstanceIds/RamRoleName at least one is mandatory for this action.',
      );
    }
    const all = (
      await store.listInstances(ctx.accountId, regionId, {
        ...(input.InstanceIds ? { instanceIds: input.InstanceIds } : {}),
        ...(input.RamRoleName !== undefined ? { roleName: input.RamRoleName } : {}),
      })
    ).filter((i) => i.role !== undefined);
    const pageNumber = input.PageNumber ?? 1;
    const pageSize = input.PageSize ?? 10;
    return {
      RegionId: regionId,
      TotalCount: all.length,
      InstanceRamRoleSets: {
        InstanceRamRoleSet: all
          .slice((pageNumber - 1) * pageSize, pageNumber * pageSize)
          .map((i) => ({ InstanceId: i.instanceId, RamRoleName: i.role!.roleName })),
      },
    };
  };

  const modifyInstanceMetadataOptions: H<typeof Ops.ModifyInstanceMetadataOptions> = async (
    ctx,
    input,
  ) => {
    checkRegion(ctx, input.RegionId);
    const i = await mustInstance(ctx, input.InstanceId);
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
    attachInstanceRamRole,
    detachInstanceRamRole,
    describeInstanceRamRole,
    modifyInstanceMetadataOptions,
    describeImages,
    describeInstanceTypes,
  };
}
