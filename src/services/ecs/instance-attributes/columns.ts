/**
 * @module The columns migration 0004 added to `ecs_instances` (system disk, key pair, password
 * hash, release protection, burstable mode, jumbo frames, maintenance), read into and written from
 * the instance model. `store-sql.ts` spreads these into its row mapping and insert, so one row
 * stays everything the metadata service needs.
 */
import { findImage } from '../catalogue.js';
import type { Instance } from '../model.js';
import type { NewInstance } from '../store.js';
import {
  DEFAULT_DISK_CATEGORY,
  DEFAULT_MAINTENANCE,
  MAINTENANCE_ACTIONS,
  defaultSystemDiskSize,
  type MaintenanceAttributes,
  type MaintenanceWindow,
} from './model.js';

type Attributes = Pick<
  Instance,
  | 'systemDisk'
  | 'keyPair'
  | 'passwordHash'
  | 'deletionProtection'
  | 'creditSpecification'
  | 'jumboFrame'
  | 'maintenance'
>;

/** The maintenance attributes kept as JSON text (defaults for rows from before 0004). */
export function maintenanceFromColumn(text: string | null | undefined): MaintenanceAttributes {
  if (text == null) return DEFAULT_MAINTENANCE;
  try {
    const m = JSON.parse(text) as Partial<MaintenanceAttributes>;
    return {
      windows: Array.isArray(m.windows)
        ? m.windows.filter(
            (w): w is MaintenanceWindow =>
              typeof w?.startTime === 'string' && typeof w?.endTime === 'string',
          )
        : [],
      action: MAINTENANCE_ACTIONS.includes(m.action as never)
        ? m.action!
        : DEFAULT_MAINTENANCE.action,
      notify: m.notify === true,
    };
  } catch {
    return DEFAULT_MAINTENANCE;
  }
}

/** The attributes of an `ecs_instances` row. */
export function attributesFromRow(r: any): Attributes {
  return {
    systemDisk: {
      category: r.system_disk_category ?? DEFAULT_DISK_CATEGORY,
      size:
        r.system_disk_size != null
          ? Number(r.system_disk_size)
          : defaultSystemDiskSize(findImage(r.image_id)?.size),
      name: r.system_disk_name ?? '',
      description: r.system_disk_description ?? '',
      performanceLevel: r.system_disk_performance_level ?? '',
    },
    ...(r.key_pair_id != null
      ? {
          keyPair: {
            keyPairId: r.key_pair_id,
            keyPairName: r.key_pair_name,
            publicKey: r.public_key,
          },
        }
      : {}),
    ...(r.password_hash != null ? { passwordHash: r.password_hash } : {}),
    deletionProtection: Number(r.deletion_protection ?? 0) === 1,
    creditSpecification: r.credit_specification ?? '',
    jumboFrame: Number(r.jumbo_frame ?? 0) === 1,
    maintenance: maintenanceFromColumn(r.maintenance),
  };
}

/** A new instance's attributes, with the defaults it left out. */
export function attributesOf(spec: NewInstance): Attributes {
  return {
    systemDisk: spec.systemDisk ?? {
      category: DEFAULT_DISK_CATEGORY,
      size: defaultSystemDiskSize(findImage(spec.imageId)?.size),
      name: '',
      description: '',
      performanceLevel: '',
    },
    ...(spec.keyPair ? { keyPair: spec.keyPair } : {}),
    ...(spec.passwordHash !== undefined ? { passwordHash: spec.passwordHash } : {}),
    deletionProtection: spec.deletionProtection ?? false,
    creditSpecification: spec.creditSpecification ?? '',
    jumboFrame: spec.jumboFrame ?? false,
    maintenance: spec.maintenance ?? DEFAULT_MAINTENANCE,
  };
}

/** The column values of attributes, for the insert of a new instance. */
export function attributesToRow(a: Attributes): Record<string, unknown> {
  return {
    system_disk_category: a.systemDisk.category,
    system_disk_size: a.systemDisk.size,
    system_disk_name: a.systemDisk.name,
    system_disk_description: a.systemDisk.description,
    system_disk_performance_level: a.systemDisk.performanceLevel,
    key_pair_id: a.keyPair?.keyPairId ?? null,
    key_pair_name: a.keyPair?.keyPairName ?? null,
    public_key: a.keyPair?.publicKey ?? null,
    password_hash: a.passwordHash ?? null,
    deletion_protection: a.deletionProtection ? 1 : 0,
    credit_specification: a.creditSpecification,
    jumbo_frame: a.jumboFrame ? 1 : 0,
    maintenance: JSON.stringify(a.maintenance),
  };
}
