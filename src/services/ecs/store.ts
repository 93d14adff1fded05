/**
 * @module What ECS handlers (and the metadata service) need from storage. One SQL
 * implementation serves SQLite and PostgreSQL (`store-sql.ts`). State changes are conditional
 * updates ("start it if it is stopped now"), so two nodes cannot both act on one instance; private
 * addresses and sequence numbers are unique by constraint.
 */
import type { ClockReading } from '../../kernel/clock.js';
import type { TagMatch } from '../../store/tag-table.js';
import type {
  AttachedRole,
  Instance,
  MetadataFault,
  MetadataOptions,
  StableStatus,
  TransitionStatus,
} from './model.js';

/** Attributes a new instance may leave to the store's defaults (instance-attributes/columns.ts). */
export type DefaultedAttributes =
  'systemDisk' | 'deletionProtection' | 'creditSpecification' | 'jumboFrame' | 'maintenance';

/** An instance to create: everything but what the store allocates (sequence, address). */
export type NewInstance = Omit<
  Instance,
  'seq' | 'privateIp' | 'roleGeneration' | 'fault' | DefaultedAttributes
> &
  Partial<Pick<Instance, DefaultedAttributes>>;

/** Filters of an instance listing that the store applies. */
export interface InstanceFilter {
  instanceIds?: string[];
  vpcId?: string;
  vswitchId?: string;
  zoneId?: string;
  imageId?: string;
  instanceType?: string;
  privateIps?: string[];
  /** The attached RAM role's name, without regard to case (RAM names ignore case). */
  roleName?: string;
  /** Only instances whose system disk carries every one of these tags (DescribeDisks `Tag.N`). */
  systemDiskTags?: TagMatch[];
}

/**
 * A state change: from a settled state, to a new one shown as `transition` until `settlesAt` on
 * yunbox's clock or `settlesAtReal` on the real one, whichever comes first.
 */
export interface TransitionChange {
  from: StableStatus;
  /** When the change is asked: the instance must be settled on either clock then. */
  at: ClockReading;
  to: StableStatus;
  transition: TransitionStatus;
  settlesAt: number;
  settlesAtReal: number;
  startedAt?: number;
}

/** ECS storage. */
export interface EcsStore {
  /**
   * Creates instances in one vSwitch (all specs share it), allocating sequence numbers and
   * private addresses atomically: the lowest free addresses, or `requestedIp` for a single
   * instance. `Conflict('PrivateIpDuplicated')`, `Conflict('NoFreeIp')`, `NotFound('VSwitch')`,
   * `NotFound('SecurityGroup')` (a group of `securityGroupIds` deleted meanwhile).
   */
  createInstances(specs: NewInstance[], requestedIp?: string): Promise<Instance[]>;
  getInstance(instanceId: string): Promise<Instance | undefined>;
  getInstanceBySeq(seq: number): Promise<Instance | undefined>;
  listInstances(accountId: string, regionId: string, filter: InstanceFilter): Promise<Instance[]>;
  /** Every instance's id and sequence number (cheap; for listeners and sandboxes). */
  listSeqs(): Promise<Array<{ instanceId: string; seq: number }>>;
  /** Applies `change` if the instance is settled in `change.from` at `change.at`. */
  transition(instanceId: string, change: TransitionChange): Promise<boolean>;
  /**
   * Deletes (releases) the instance: with `force` in any state, else only when settled Stopped at
   * `at`.
   */
  deleteInstance(instanceId: string, at: ClockReading, force: boolean): Promise<boolean>;
  /** Attaches a role to an instance that has none. */
  attachRole(
    instanceId: string,
    role: AttachedRole,
  ): Promise<'attached' | 'same' | 'other' | 'missing'>;
  /** Detaches the instance's role (only `roleName`, in any case, when given). */
  detachRole(
    instanceId: string,
    roleName: string | undefined,
  ): Promise<{ result: 'detached' | 'none' | 'other' | 'missing'; roleName?: string }>;
  setMetadataOptions(instanceId: string, options: Partial<MetadataOptions>): Promise<boolean>;
  setFault(instanceId: string, fault: MetadataFault): Promise<boolean>;
  /** Addresses in use per vSwitch. */
  usedAddresses(vswitchIds: string[]): Promise<Map<string, number>>;
}
