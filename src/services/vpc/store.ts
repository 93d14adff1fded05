/**
 * @module What VPC handlers need from storage. One SQL implementation serves SQLite and
 * PostgreSQL (`store-sql.ts`). Overlap checks run under a per-VPC lock; references (a vSwitch's
 * VPC, an instance's vSwitch) are foreign keys, so a delete racing a create on another node fails.
 */
import type { VSwitch, Vpc } from './model.js';

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
  /** Deletes the VPC; `NotFound`, or `Conflict('VSwitch')` while vSwitches remain. */
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
}
