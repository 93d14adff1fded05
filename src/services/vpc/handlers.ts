/**
 * @module VPC handlers, one per operation, named after it. They check CIDR blocks and zones,
 * translate store failures to VPC's codes, and return the wire shapes the SDKs map (list wrappers
 * always arrays). Address usage per vSwitch comes from the services that place addresses (ECS).
 */
import { StoreError } from '../../kernel/errors.js';
import type { HandlerContext } from '../../kernel/context.js';
import { resourceId } from '../../kernel/ids.js';
import type { Handler } from '../../protocol/rpc-operation.js';
import type { ParamShape } from '../../protocol/rpc-schema.js';
import { InvalidParameter } from '../../protocol/rpc-errors.js';
import * as E from './errors.js';
import {
  DEFAULT_VPC_CIDR,
  cidrContains,
  isValidVpcCidr,
  parseCidr,
  zonesOf,
  type VSwitch,
  type Vpc,
} from './model.js';
import type * as Ops from './operations.js';
import type { VpcStore } from './store.js';
import { checkTags } from './tags.js';
import { vpcToWire, vswitchToWire } from './wire.js';

/** The handler of an operation declaration. */
export type H<D extends { params: ParamShape }> = Handler<D['params']>;

/** What VPC needs from the services that place addresses in vSwitches. */
export interface VpcDependents {
  /** Addresses in use per vSwitch (absent ids: none). */
  usedAddresses(vswitchIds: string[]): Promise<Map<string, number>>;
}

/** The region a call is about; another region than the served one does not exist here. */
export function checkRegion(ctx: HandlerContext, regionId: string | undefined): string {
  if (regionId !== undefined && regionId !== ctx.region) {
    throw E.InvalidRegionIdNotFound(
      `The specified RegionId does not exist. yunbox serves \`${ctx.region}\`, not \`${regionId}\`.`,
    );
  }
  return ctx.region;
}

/** `InvalidParameter` when a flag yunbox cannot honour is set (IPv6, DNS host names). */
export function onlyFalse(value: boolean | undefined, name: string, what: string): void {
  if (value === true) {
    throw InvalidParameter(
      `The specified parameter "${name}" is not valid: yunbox's VPCs have no ${what}; only false is accepted.`,
    );
  }
}

/** Splits a comma-separated id list (at most `max` ids). */
export function commaList(text: string | undefined, max: number): string[] | undefined {
  if (text === undefined) return undefined;
  const ids = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (ids.length > max)
    throw InvalidParameter(`At most ${max} ids may be given, not ${ids.length}.`);
  return ids;
}

/** One page of `items` with the page fields of a VPC listing. */
export function page<T>(items: T[], pageNumber = 1, pageSize = 10) {
  return {
    TotalCount: items.length,
    PageNumber: pageNumber,
    PageSize: pageSize,
    items: items.slice((pageNumber - 1) * pageSize, pageNumber * pageSize),
  };
}

/** The VPC handlers over a store. */
export function vpcHandlers(store: VpcStore, dependents: VpcDependents) {
  const mustVpc = async (ctx: HandlerContext, vpcId: string) => {
    const v = await store.getVpc(ctx.accountId, vpcId);
    if (!v) throw E.InvalidVpcIdNotFound();
    return v;
  };
  const mustVSwitch = async (ctx: HandlerContext, id: string) => {
    const s = await store.getVSwitch(ctx.accountId, id);
    if (!s) throw E.InvalidVSwitchIdNotFound();
    return s;
  };

  const createVpc: H<typeof Ops.CreateVpc> = async (ctx, input) => {
    const regionId = checkRegion(ctx, input.RegionId);
    const cidrBlock = input.CidrBlock ?? DEFAULT_VPC_CIDR;
    const c = parseCidr(cidrBlock);
    if (!c || !isValidVpcCidr(c)) {
      throw E.InvalidCidrBlockMalformed(
        `Specified CIDR block is not valid. \`${cidrBlock}\` must be a network address with a mask of 8 to 28 bits, outside 100.64.0.0/10, 127.0.0.0/8, 169.254.0.0/16 and 224.0.0.0/3.`,
      );
    }
    onlyFalse(input.EnableIpv6, 'EnableIpv6', 'IPv6');
    const tags = checkTags(input.Tag);
    if (input.DryRun) throw E.VpcDryRunOperation();
    const vpc: Vpc = {
      vpcId: resourceId('vpc-', 21),
      accountId: ctx.accountId,
      regionId,
      cidrBlock,
      vpcName: input.VpcName ?? '',
      description: input.Description ?? '',
      vRouterId: resourceId('vrt-', 21),
      routeTableId: resourceId('vtb-', 21),
      createdAt: ctx.now,
      tags,
    };
    await store.createVpc(vpc);
    return {
      VpcId: vpc.vpcId,
      VRouterId: vpc.vRouterId,
      RouteTableId: vpc.routeTableId,
      ResourceGroupId: '',
    };
  };

  const describeVpcs: H<typeof Ops.DescribeVpcs> = async (ctx, input) => {
    const regionId = checkRegion(ctx, input.RegionId);
    const vpcIds = commaList(input.VpcId, 20);
    const vpcs = input.IsDefault
      ? []
      : await store.listVpcs(ctx.accountId, regionId, {
          ...(vpcIds ? { vpcIds } : {}),
          ...(input.VpcName !== undefined ? { vpcName: input.VpcName } : {}),
        });
    const { items, ...pg } = page(vpcs, input.PageNumber, input.PageSize);
    const switches = await store.listVSwitches(ctx.accountId, regionId, {});
    return {
      ...pg,
      Vpcs: {
        Vpc: items.map((v) =>
          vpcToWire(
            v,
            switches.filter((s) => s.vpcId === v.vpcId).map((s) => s.vswitchId),
          ),
        ),
      },
    };
  };

  const describeVpcAttribute: H<typeof Ops.DescribeVpcAttribute> = async (ctx, input) => {
    checkRegion(ctx, input.RegionId);
    const v = await mustVpc(ctx, input.VpcId);
    const switches = await store.listVSwitches(ctx.accountId, v.regionId, { vpcId: v.vpcId });
    return {
      ...vpcToWire(
        v,
        switches.map((s) => s.vswitchId),
      ),
      ClassicLinkEnabled: false,
      CloudResources: {
        CloudResourceSetType: [{ ResourceType: 'VSwitch', ResourceCount: switches.length }],
      },
    };
  };

  const deleteVpc: H<typeof Ops.DeleteVpc> = async (ctx, input) => {
    checkRegion(ctx, input.RegionId);
    const v = await mustVpc(ctx, input.VpcId);
    if (input.DryRun) throw E.VpcDryRunOperation();
    try {
      await store.deleteVpc(ctx.accountId, v.vpcId);
    } catch (e) {
      if (e instanceof StoreError && e.kind === 'NotFound') throw E.InvalidVpcIdNotFound();
      if (e instanceof StoreError && e.kind === 'Conflict' && e.entity === 'SecurityGroup') {
        throw E.DependencyViolationSecurityGroup(
          `Specified object has dependent resources SecurityGroup: VPC \`${v.vpcId}\` still has security groups; delete them first.`,
        );
      }
      if (e instanceof StoreError && e.kind === 'Conflict') {
        throw E.DependencyViolationVSwitch(
          `Specified object has dependent resources: VPC \`${v.vpcId}\` still has vSwitches; delete them first.`,
        );
      }
      throw e;
    }
    return {};
  };

  const createVSwitch: H<typeof Ops.CreateVSwitch> = async (ctx, input) => {
    const regionId = checkRegion(ctx, input.RegionId);
    if (!zonesOf(regionId).includes(input.ZoneId)) {
      throw E.InvalidZoneIdNotFound(
        `The specified zoneId does not exist: \`${input.ZoneId}\` (zones of ${regionId}: ${zonesOf(regionId)[0]} to ${zonesOf(regionId).at(-1)}).`,
      );
    }
    const vpc = await mustVpc(ctx, input.VpcId);
    const c = parseCidr(input.CidrBlock);
    if (!c || c.prefix < 16 || c.prefix > 29) {
      throw E.InvalidCidrBlockMalformed(
        `Specified CIDR block is not valid. \`${input.CidrBlock}\` must be a network address with a mask of 16 to 29 bits.`,
      );
    }
    if (!cidrContains(parseCidr(vpc.cidrBlock)!, c)) {
      throw InvalidParameter(
        `Specified CIDR block is not valid in VPC. \`${input.CidrBlock}\` is not inside \`${vpc.cidrBlock}\` of ${vpc.vpcId}.`,
      );
    }
    const tags = checkTags(input.Tag);
    const vswitch: VSwitch = {
      vswitchId: resourceId('vsw-', 21),
      accountId: ctx.accountId,
      regionId,
      vpcId: vpc.vpcId,
      zoneId: input.ZoneId,
      cidrBlock: input.CidrBlock,
      vswitchName: input.VSwitchName ?? '',
      description: input.Description ?? '',
      createdAt: ctx.now,
      tags,
    };
    try {
      await store.createVSwitch(vswitch);
    } catch (e) {
      if (e instanceof StoreError && e.entity === 'Overlapped') {
        throw E.InvalidCidrBlockOverlapped(
          `Specified CIDR block overlapped with other subnets: \`${input.CidrBlock}\` overlaps another vSwitch of ${vpc.vpcId}.`,
        );
      }
      if (e instanceof StoreError && e.kind === 'NotFound') throw E.InvalidVpcIdNotFound();
      throw e;
    }
    return { VSwitchId: vswitch.vswitchId };
  };

  const describeVSwitches: H<typeof Ops.DescribeVSwitches> = async (ctx, input) => {
    const regionId = checkRegion(ctx, input.RegionId);
    const vswitchIds = commaList(input.VSwitchId, 100);
    const switches = input.IsDefault
      ? []
      : await store.listVSwitches(ctx.accountId, regionId, {
          ...(input.VpcId !== undefined ? { vpcId: input.VpcId } : {}),
          ...(vswitchIds ? { vswitchIds } : {}),
          ...(input.ZoneId !== undefined ? { zoneId: input.ZoneId } : {}),
          ...(input.VSwitchName !== undefined ? { vswitchName: input.VSwitchName } : {}),
        });
    const { items, ...pg } = page(switches, input.PageNumber, input.PageSize);
    const used = await dependents.usedAddresses(items.map((s) => s.vswitchId));
    const vpcs = new Map(
      (await store.listVpcs(ctx.accountId, regionId, {})).map((v) => [v.vpcId, v]),
    );
    return {
      ...pg,
      VSwitches: {
        VSwitch: items.map((s) =>
          vswitchToWire(s, used.get(s.vswitchId) ?? 0, vpcs.get(s.vpcId)?.routeTableId),
        ),
      },
    };
  };

  const describeVSwitchAttributes: H<typeof Ops.DescribeVSwitchAttributes> = async (ctx, input) => {
    checkRegion(ctx, input.RegionId);
    const s = await mustVSwitch(ctx, input.VSwitchId);
    const used = await dependents.usedAddresses([s.vswitchId]);
    const vpc = await store.getVpc(ctx.accountId, s.vpcId);
    return vswitchToWire(s, used.get(s.vswitchId) ?? 0, vpc?.routeTableId);
  };

  const deleteVSwitch: H<typeof Ops.DeleteVSwitch> = async (ctx, input) => {
    checkRegion(ctx, input.RegionId);
    const s = await mustVSwitch(ctx, input.VSwitchId);
    const dependent = () =>
      E.DependencyViolation(
        `Specified object has dependent resources: instances still use vSwitch \`${s.vswitchId}\`; release them first.`,
      );
    if (((await dependents.usedAddresses([s.vswitchId])).get(s.vswitchId) ?? 0) > 0) {
      throw dependent();
    }
    if (input.DryRun) throw E.VpcDryRunOperation();
    try {
      await store.deleteVSwitch(ctx.accountId, s.vswitchId);
    } catch (e) {
      if (e instanceof StoreError && e.kind === 'NotFound') throw E.InvalidVSwitchIdNotFound();
      // A foreign key: an instance was placed in it by another node meanwhile.
      if (e instanceof StoreError && e.kind === 'Conflict') throw dependent();
      throw e;
    }
    return {};
  };

  const modifyVpcAttribute: H<typeof Ops.ModifyVpcAttribute> = async (ctx, input) => {
    checkRegion(ctx, input.RegionId);
    const v = await mustVpc(ctx, input.VpcId);
    if (input.CidrBlock !== undefined && input.CidrBlock !== v.cidrBlock) {
      throw InvalidParameter(
        `The specified parameter "CidrBlock" is not valid: yunbox does not change the block of a VPC (\`${v.vpcId}\` keeps ${v.cidrBlock}).`,
      );
    }
    onlyFalse(input.EnableIPv6, 'EnableIPv6', 'IPv6');
    onlyFalse(input.EnableDnsHostname, 'EnableDnsHostname', 'DNS host names');
    const changed = await store.updateVpc(ctx.accountId, v.vpcId, {
      ...(input.VpcName !== undefined ? { vpcName: input.VpcName } : {}),
      ...(input.Description !== undefined ? { description: input.Description } : {}),
    });
    if (!changed) throw E.InvalidVpcIdNotFound();
    return {};
  };

  const modifyVSwitchAttribute: H<typeof Ops.ModifyVSwitchAttribute> = async (ctx, input) => {
    checkRegion(ctx, input.RegionId);
    const s = await mustVSwitch(ctx, input.VSwitchId);
    onlyFalse(input.EnableIPv6, 'EnableIPv6', 'IPv6');
    const changed = await store.updateVSwitch(ctx.accountId, s.vswitchId, {
      ...(input.VSwitchName !== undefined ? { vswitchName: input.VSwitchName } : {}),
      ...(input.Description !== undefined ? { description: input.Description } : {}),
    });
    if (!changed) throw E.InvalidVSwitchIdNotFound();
    return {};
  };

  return {
    modifyVpcAttribute,
    modifyVSwitchAttribute,
    createVpc,
    describeVpcs,
    describeVpcAttribute,
    deleteVpc,
    createVSwitch,
    describeVSwitches,
    describeVSwitchAttributes,
    deleteVSwitch,
  };
}
