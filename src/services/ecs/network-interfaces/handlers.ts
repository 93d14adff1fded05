/**
 * @module Network interfaces. Every instance has one primary interface (`eni-` + its id without
 * `i-`), derived from the instance row: its private address, MAC, vSwitch, VPC and security groups
 * are the instance's, and it exists exactly as long as the instance. Secondary interfaces
 * (CreateNetworkInterface) are not served.
 */
import type { Handler } from '../../../protocol/rpc-operation.js';
import type { ParamShape } from '../../../protocol/rpc-schema.js';
import * as E from '../errors.js';
import { checkRegion } from '../handler-deps.js';
import { macOf, networkInterfaceIdOf, type Instance } from '../model.js';
import { groupTime } from '../security-groups/model.js';
import { instanceIdOfInterface } from '../security-groups/handlers.js';
import type { EcsStore } from '../store.js';
import type * as Ops from './operations.js';

type H<D extends { params: ParamShape }> = Handler<D['params']>;

/** An instance's primary interface as DescribeNetworkInterfaces lists it. */
export function primaryInterfaceToWire(i: Instance) {
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
    Tags: { Tag: [] as unknown[] },
  };
}

/** DescribeNetworkInterfaces over the instance store. */
export function networkInterfaceHandlers(deps: { store: EcsStore }) {
  const describeNetworkInterfaces: H<typeof Ops.DescribeNetworkInterfaces> = async (ctx, input) => {
    const regionId = checkRegion(ctx, input.RegionId);
    // Attributes no interface of yunbox has select none.
    const none =
      (input.Type !== undefined && input.Type !== 'Primary') ||
      (input.Status !== undefined && input.Status !== 'InUse') ||
      (input.NetworkInterfaceName !== undefined && input.NetworkInterfaceName !== '') ||
      (input.ResourceGroupId !== undefined && input.ResourceGroupId !== '') ||
      (input.Tag ?? []).length > 0 ||
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
    const all = none
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
    if (input.NextToken !== undefined || input.MaxResults !== undefined) {
      let after = 0;
      if (input.NextToken !== undefined && input.NextToken !== '') {
        const m = /^seq:(\d{1,15})$/.exec(
          Buffer.from(input.NextToken, 'base64url').toString('utf8'),
        );
        if (!m) throw E.InvalidNextTokenMalformed();
        after = Number(m[1]);
      }
      const size = input.MaxResults ?? 10;
      const rest = all.filter((i) => i.seq > after);
      const items = rest.slice(0, size);
      return {
        NextToken:
          rest.length > size
            ? Buffer.from(`seq:${items[items.length - 1]!.seq}`).toString('base64url')
            : '',
        NetworkInterfaceSets: { NetworkInterfaceSet: items.map(primaryInterfaceToWire) },
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
          .map(primaryInterfaceToWire),
      },
    };
  };

  return { describeNetworkInterfaces };
}
