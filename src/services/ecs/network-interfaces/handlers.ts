/**
 * @module Network interfaces. Every instance has one primary interface (`eni-` + its id without
 * `i-`), derived from the instance row: its private address, MAC, vSwitch, VPC and security groups
 * are the instance's, and it exists exactly as long as the instance. Secondary interfaces
 * (CreateNetworkInterface) are not served. Interfaces carry tags (TagResources type `eni`, kept
 * under the `eni-` id in `ecs_tags` and deleted with the instance), which DescribeNetworkInterfaces
 * shows and filters by (`Tag.N`).
 */
import type { ResourceTag } from '../../../kernel/tags.js';
import type { Db } from '../../../store/db.js';
import { carriesAll } from '../../../store/tag-table.js';
import type { Handler } from '../../../protocol/rpc-operation.js';
import type { ParamShape } from '../../../protocol/rpc-schema.js';
import { checkRegion } from '../handler-deps.js';
import { macOf, networkInterfaceIdOf, type Instance } from '../model.js';
import { groupTime } from '../security-groups/model.js';
import { instanceIdOfInterface } from '../security-groups/handlers.js';
import type { EcsStore } from '../store.js';
import { ECS_TAGS, type TaggableType } from '../tags/store.js';
import type * as Ops from './operations.js';
import { seqPage } from '../paging.js';

type H<D extends { params: ParamShape }> = Handler<D['params']>;

/** How ECS's tag calls find network interfaces (`eni`, `eni-x`): by their instance's row (`i-x`). */
export const taggableInterfaces: TaggableType = {
  table: 'ecs_instances',
  column: 'instance_id',
  toColumn: instanceIdOfInterface,
};

/** An instance's primary interface as DescribeNetworkInterfaces lists it, with its tags. */
export function primaryInterfaceToWire(i: Instance, tags: readonly ResourceTag[] = []) {
  return {
    NetworkInterfaceId: networkInterfaceIdOf(i.instanceId),
    NetworkInterfaceName: '',
    Description: '',
    Type: 'Primary',
    Status: 'InUse',
    InstanceId: i.instanceId,
    VpcId: i.vpcId,
    VSwitchId: i.vswitchId,
    ZoneId: i.zoneId,
    PrivateIpAddress: i.privateIp,
    MacAddress: macOf(i.seq),
    CreationTime: groupTime(i.createdAt),
    OwnerId: i.accountId,
    ResourceGroupId: '',
    ServiceManaged: false,
    ServiceID: 0,
    DeleteOnRelease: true,
    NetworkInterfaceTrafficMode: 'Standard',
    QueueNumber: 1,
    QueuePairNumber: 0,
    SourceDestCheck: false,
    SecurityGroupIds: { SecurityGroupId: i.securityGroupIds },
    PrivateIpSets: {
      PrivateIpSet: [
        {
          PrivateIpAddress: i.privateIp,
          Primary: true,
          PrivateDnsName: '',
          AssociatedPublicIp: { PublicIpAddress: '', AllocationId: '' },
        },
      ],
    },
    AssociatedPublicIp: { PublicIpAddress: '', AllocationId: '' },
    Attachment: {
      InstanceId: i.instanceId,
      DeviceIndex: 0,
      NetworkCardIndex: 0,
      TrunkNetworkInterfaceId: '',
    },
    Ipv6Sets: { Ipv6Set: [] as unknown[] },
    Ipv4PrefixSets: { Ipv4PrefixSet: [] as unknown[] },
    Ipv6PrefixSets: { Ipv6PrefixSet: [] as unknown[] },
    Tags: { Tag: tags.map((t) => ({ TagKey: t.key, TagValue: t.value })) },
  };
}

/** DescribeNetworkInterfaces over the instance store. */
export function networkInterfaceHandlers(deps: { store: EcsStore; db: Db }) {
  const describeNetworkInterfaces: H<typeof Ops.DescribeNetworkInterfaces> = async (ctx, input) => {
    const regionId = checkRegion(ctx, input.RegionId);
    // Attributes no interface of yunbox has select none.
    const none =
      (input.Type !== undefined && input.Type !== 'Primary') ||
      (input.Status !== undefined && input.Status !== 'InUse') ||
      (input.NetworkInterfaceName !== undefined && input.NetworkInterfaceName !== '') ||
      (input.ResourceGroupId !== undefined && input.ResourceGroupId !== '') ||
      (input.Ipv6Address ?? []).length > 0 ||
      input.ServiceManaged === true;
    let instanceIds: string[] | undefined;
    if (input.NetworkInterfaceId !== undefined) {
      instanceIds = input.NetworkInterfaceId.map(instanceIdOfInterface).filter(
        (id): id is string => id !== undefined,
      );
    }
    if (input.InstanceId !== undefined) {
      instanceIds = instanceIds
        ? instanceIds.filter((id) => id === input.InstanceId)
        : [input.InstanceId];
    }
    const privateIps = [
      ...(input.PrivateIpAddress ?? []),
      ...(input.PrimaryIpAddress !== undefined ? [input.PrimaryIpAddress] : []),
    ];
    const listed = none
      ? []
      : (
          await deps.store.listInstances(ctx.accountId, regionId, {
            ...(instanceIds ? { instanceIds } : {}),
            ...(privateIps.length ? { privateIps } : {}),
            ...(input.VpcId !== undefined ? { vpcId: input.VpcId } : {}),
            ...(input.VSwitchId !== undefined ? { vswitchId: input.VSwitchId } : {}),
          })
        ).filter(
          (i) =>
            (input.SecurityGroupId === undefined ||
              i.securityGroupIds.includes(input.SecurityGroupId)) &&
            (input.PrimaryIpAddress === undefined || i.privateIp === input.PrimaryIpAddress),
        );
    const eniIds = listed.map((i) => networkInterfaceIdOf(i.instanceId));
    const tags = await ECS_TAGS.tagsOf(deps.db, ctx.accountId, 'eni', eniIds);
    const tagsOf = (i: Instance) => tags.get(networkInterfaceIdOf(i.instanceId)) ?? [];
    const wanted = (input.Tag ?? []).map((t) => ({ key: t.Key, value: t.Value }));
    const all = wanted.length > 0 ? listed.filter((i) => carriesAll(tagsOf(i), wanted)) : listed;
    const toWire = (i: Instance) => primaryInterfaceToWire(i, tagsOf(i));
    if (input.NextToken !== undefined || input.MaxResults !== undefined) {
      const page = seqPage(all, input.NextToken, input.MaxResults);
      return {
        NextToken: page.nextToken,
        NetworkInterfaceSets: { NetworkInterfaceSet: page.items.map(toWire) },
      };
    }
    const pageNumber = input.PageNumber ?? 1;
    const pageSize = input.PageSize ?? 10;
    return {
      TotalCount: all.length,
      PageNumber: pageNumber,
      PageSize: pageSize,
      NextToken: '',
      NetworkInterfaceSets: {
        NetworkInterfaceSet: all
          .slice((pageNumber - 1) * pageSize, pageNumber * pageSize)
          .map(toWire),
      },
    };
  };

  return { describeNetworkInterfaces };
}
