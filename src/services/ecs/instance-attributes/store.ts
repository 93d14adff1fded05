/**
 * @module What the instance attribute handlers change in storage (`store-sql.ts`, SQLite and
 * PostgreSQL). Changes that ECS refuses in some states are conditional updates evaluated against
 * the caller's reading of both clocks, like the state machine's own (`../store.ts`).
 */
import type { ClockReading } from '../../../kernel/clock.js';
import type { StableStatus, Tag, TransitionStatus } from '../model.js';
import type { MaintenanceAttributes } from './model.js';

/** What ModifyInstanceAttribute may change; absent fields stay as they are. */
export interface AttributeChanges {
  instanceName?: string;
  description?: string;
  hostName?: string;
  /** New Base64 user data; `null` removes it. */
  userData?: string | null;
  passwordHash?: string;
  deletionProtection?: boolean;
  creditSpecification?: string;
  jumboFrame?: boolean;
  /** ModifyInstanceSpec. */
  instanceType?: string;
}

/** Refuse the change while the instance visibly shows one of these transitions at `at`. */
export interface TransitionGuard {
  at: ClockReading;
  refuse: TransitionStatus[];
  /** Only while the instance's settled status is this one (ModifyInstanceSpec: Stopped). */
  status?: StableStatus;
}

/** Instance attribute storage. */
export interface InstanceAttributeStore {
  /** Applies `changes` unless `guard` refuses the instance's state now. */
  modify(
    instanceId: string,
    changes: AttributeChanges,
    guard?: TransitionGuard,
  ): Promise<'changed' | 'refused' | 'missing'>;
  /** Renames or re-describes the system disk. */
  modifySystemDisk(
    instanceId: string,
    changes: { name?: string; description?: string },
  ): Promise<boolean>;
  setMaintenance(instanceId: string, maintenance: MaintenanceAttributes): Promise<boolean>;
  /** The tags of each instance's system disk (rows of `ecs_tags`, type `disk`). */
  systemDiskTags(accountId: string, instanceIds: string[]): Promise<Map<string, Tag[]>>;
}
