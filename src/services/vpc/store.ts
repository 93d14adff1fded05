/**
 * @module What VPC handlers need from storage. One SQL implementation serves SQLite and
 * PostgreSQL (`store-sql.ts`). Overlap checks run under a per-VPC lock; references (a vSwitch's
 * VPC, an instance's vSwitch) are foreign keys, so a delete racing a create on another node fails.
 */
import type { Tag, VSwitch, Vpc } from './model.js';

/** Filters of a VPC listing. */
export interface VpcFilter {
  vpcIds?: string[];
  vpcName?: string;
}

/** Filters of a vSwitch listing. */
export interface VSwitchFilter {
  vpcId?: string;
  vswitchIds?: string[];
  zoneId?: string;
  vswitchName?: string;
}

/** VPC storage. */
export interface VpcStore {
  createVpc(vpc: Vpc): Promise<void>;
  getVpc(accountId: string, vpcId: string): Promise<Vpc | undefined>;
  listVpcs(accountId: string, regionId: string, filter: VpcFilter): Promise<Vpc[]>;
  /**
   * Deletes the VPC; `NotFound`, or `Conflict('VSwitch')` while vSwitches remain, else
   * `Conflict('SecurityGroup')` while security groups (ECS) remain.
   */
  deleteVpc(accountId: string, vpcId: string): Promise<void>;
  /**
   * Creates a vSwitch after checking, under the VPC's lock, that its block overlaps no other:
   * `NotFound('Vpc')`, `Conflict('Overlapped')`.
   */
  createVSwitch(vswitch: VSwitch): Promise<void>;
  getVSwitch(accountId: string, vswitchId: string): Promise<VSwitch | undefined>;
  /** The vSwitch with this id in any account (instances refer to it). */
  getVSwitchById(vswitchId: string): Promise<VSwitch | undefined>;
  listVSwitches(accountId: string, regionId: string, filter: VSwitchFilter): Promise<VSwitch[]>;
  /** Deletes the vSwitch; `NotFound`, or `Conflict('Dependency')` while something references it. */
  deleteVSwitch(accountId: string, vswitchId: string): Promise<void>;
  /** Changes a VPC's attributes (and its system route table's); false when there is no such VPC. */
  updateVpc(accountId: string, vpcId: string, changes: VpcChanges): Promise<boolean>;
  /** Changes a vSwitch's attributes; false when there is no such vSwitch. */
  updateVSwitch(accountId: string, vswitchId: string, changes: VSwitchChanges): Promise<boolean>;
  /** The VPC whose system route table is `routeTableId`. */
  getVpcByRouteTable(accountId: string, routeTableId: string): Promise<Vpc | undefined>;
  /**
   * Replaces the tags of each resource by `change(current)`, all in one transaction under each
   * resource's lock (two nodes tagging one resource do not lose a tag). Resolves to the first id
   * that does not exist (nothing changed then), or undefined; an error thrown by `change` rolls
   * everything back.
   */
  changeTags(
    kind: TaggedKind,
    accountId: string,
    ids: string[],
    change: (current: Tag[], id: string) => Tag[],
  ): Promise<string | undefined>;
}

/** What ModifyVpcAttribute and ModifyRouteTableAttributes change (absent: unchanged). */
export interface VpcChanges {
  vpcName?: string;
  description?: string;
  routeTableName?: string;
  routeTableDescription?: string;
  routePropagation?: boolean;
}

/** What ModifyVSwitchAttribute changes (absent: unchanged). */
export interface VSwitchChanges {
  vswitchName?: string;
  description?: string;
}

/** Resources whose tags VPC keeps: VPCs, vSwitches, and route tables (stored on their VPC). */
export type TaggedKind = 'vpc' | 'vswitch' | 'routetable';
