/**
 * @module What ECS offers other services (the exported module, STYLE §4): instance lookups for
 * the metadata listeners and the sandboxes, address usage for VPC, fault settings for the Yunbox
 * control API, and where the plain metadata listener serves an instance.
 */
import type { ClockReading } from '../../kernel/clock.js';
import { gatewayOf, netmask, parseCidr } from '../vpc/index.js';
import type { PlainEndpoint, PlainMetadataListener } from './metadata/plain-listener.js';
import {
  macOf,
  visibleStatus,
  type Instance,
  type InstanceStatus,
  type MetadataFault,
} from './model.js';
import type { EcsStore } from './store.js';

/** What a sandbox needs to run an instance's network. */
export interface InstanceNetwork {
  instanceId: string;
  /** The state at the time asked. */
  status: InstanceStatus;
  privateIp: string;
  /** Prefix length of the vSwitch block, e.g. 24. */
  prefixLength: number;
  netmask: string;
  gateway: string;
  vswitchCidr: string;
  vpcCidr: string;
  mac: string;
  hostName: string;
  /** Never-reused instance number. */
  seq: number;
}

/** The facts of an instance other parts of yunbox look up (sandboxes: `SandboxInstance`). */
export interface InstanceSummary {
  instanceId: string;
  accountId: string;
  /** The state at the time asked. */
  status: InstanceStatus;
  regionId: string;
  hostName: string;
  privateIp: string;
  vpcId: string;
  vswitchId: string;
}

/** ECS, as other services see it. */
export interface EcsApi {
  /** The instance with this id, of `accountId` when given, with its state at `at`. */
  findInstance(
    accountId: string | undefined,
    instanceId: string,
    at: ClockReading,
  ): Promise<InstanceSummary | undefined>;
  getInstance(instanceId: string): Promise<Instance | undefined>;
  getInstanceBySeq(seq: number): Promise<Instance | undefined>;
  /** Every existing instance's id and sequence number. */
  listInstanceSeqs(): Promise<Array<{ instanceId: string; seq: number }>>;
  /** The network facts of an instance at `at` (undefined: no such instance). */
  instanceNetwork(instanceId: string, at: ClockReading): Promise<InstanceNetwork | undefined>;
  usedAddresses(vswitchIds: string[]): Promise<Map<string, number>>;
  setFault(instanceId: string, fault: MetadataFault): Promise<boolean>;
  /** Where the plain listener serves the instance (undefined when `--metadata-listen` is off). */
  plainMetadataEndpoint(instanceId: string): Promise<PlainEndpoint | undefined>;
}

/** The network facts of an instance. */
export function networkOf(i: Instance, at: ClockReading): InstanceNetwork {
  const c = parseCidr(i.vswitchCidr)!;
  return {
    instanceId: i.instanceId,
    status: visibleStatus(i, at),
    privateIp: i.privateIp,
    prefixLength: c.prefix,
    netmask: netmask(c.prefix),
    gateway: gatewayOf(c),
    vswitchCidr: i.vswitchCidr,
    vpcCidr: i.vpcCidr,
    mac: macOf(i.seq),
    hostName: i.hostName,
    seq: i.seq,
  };
}

/** Builds the ECS API over a store; `plain` gives the plain listener when one runs. */
export function createEcsApi(
  store: EcsStore,
  plain: () => PlainMetadataListener | undefined,
): EcsApi {
  return {
    async findInstance(accountId, instanceId, at) {
      const i = await store.getInstance(instanceId);
      if (!i || (accountId !== undefined && i.accountId !== accountId)) return undefined;
      return {
        instanceId: i.instanceId,
        accountId: i.accountId,
        status: visibleStatus(i, at),
        regionId: i.regionId,
        hostName: i.hostName,
        privateIp: i.privateIp,
        vpcId: i.vpcId,
        vswitchId: i.vswitchId,
      };
    },
    getInstance: (id) => store.getInstance(id),
    getInstanceBySeq: (seq) => store.getInstanceBySeq(seq),
    listInstanceSeqs: () => store.listSeqs(),
    async instanceNetwork(id, at) {
      const i = await store.getInstance(id);
      return i ? networkOf(i, at) : undefined;
    },
    usedAddresses: (ids) => store.usedAddresses(ids),
    setFault: (id, fault) => store.setFault(id, fault),
    async plainMetadataEndpoint(id) {
      const listener = plain();
      if (!listener) return undefined;
      const i = await store.getInstance(id);
      if (!i) return undefined;
      return listener.endpointFor(i.seq);
    },
  };
}
