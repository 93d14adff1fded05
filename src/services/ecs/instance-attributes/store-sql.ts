/**
 * @module Instance attributes in SQL (Kysely, SQLite and PostgreSQL): single-row updates of
 * `ecs_instances`, the guarded ones conditional on the instance not showing a refused transition
 * on either clock at the caller's reading.
 */
import type { Db } from '../../../store/db.js';
import type { Tag } from '../model.js';
import { ECS_TAGS, type TaggableType } from '../tags/store.js';
import { instanceIdOfDisk, systemDiskIdOf, type MaintenanceAttributes } from './model.js';
import type { AttributeChanges, InstanceAttributeStore, TransitionGuard } from './store.js';

/** The row does not visibly show one of `guard.refuse` at `guard.at` (model `visibleStatus`). */
const notShowing = (guard: TransitionGuard) => (eb: any) =>
  eb.or([
    eb('transition', 'is', null),
    eb('transition', 'not in', guard.refuse),
    eb('settles_at', '<=', guard.at.now),
    eb('settles_at_real', '<=', guard.at.real),
  ]);

/** How ECS's tag calls find system disks (`disk`, `d-x`): by their instance's row (`i-x`). */
export const taggableSystemDisks: TaggableType = {
  table: 'ecs_instances',
  column: 'instance_id',
  toColumn: instanceIdOfDisk,
};

/** Instance attribute storage over a {@link Db}. */
export class InstanceAttributeSqlStore implements InstanceAttributeStore {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  async modify(instanceId: string, c: AttributeChanges, guard?: TransitionGuard) {
    const set: Record<string, unknown> = {};
    if (c.instanceName !== undefined) set.instance_name = c.instanceName;
    if (c.description !== undefined) set.description = c.description;
    if (c.hostName !== undefined) set.host_name = c.hostName;
    if (c.userData !== undefined) set.user_data = c.userData;
    if (c.passwordHash !== undefined) set.password_hash = c.passwordHash;
    if (c.deletionProtection !== undefined) set.deletion_protection = c.deletionProtection ? 1 : 0;
    if (c.creditSpecification !== undefined) set.credit_specification = c.creditSpecification;
    if (c.jumboFrame !== undefined) set.jumbo_frame = c.jumboFrame ? 1 : 0;
    if (c.instanceType !== undefined) set.instance_type = c.instanceType;
    const exists = async () =>
      (await this.#db.k
        .selectFrom('ecs_instances')
        .select('instance_id')
        .where('instance_id', '=', instanceId)
        .executeTakeFirst()) !== undefined;
    if (Object.keys(set).length === 0) return (await exists()) ? 'changed' : 'missing';
    let q = this.#db.k.updateTable('ecs_instances').set(set).where('instance_id', '=', instanceId);
    if (guard && guard.refuse.length > 0) q = q.where(notShowing(guard));
    if (guard?.status !== undefined) q = q.where('status', '=', guard.status);
    const r = await q.executeTakeFirst();
    if (Number(r.numUpdatedRows) > 0) return 'changed';
    return (await exists()) ? 'refused' : 'missing';
  }

  async modifySystemDisk(instanceId: string, c: { name?: string; description?: string }) {
    const set: Record<string, unknown> = {};
    if (c.name !== undefined) set.system_disk_name = c.name;
    if (c.description !== undefined) set.system_disk_description = c.description;
    if (Object.keys(set).length === 0) set.instance_id = instanceId;
    const r = await this.#db.k
      .updateTable('ecs_instances')
      .set(set)
      .where('instance_id', '=', instanceId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async systemDiskTags(accountId: string, instanceIds: string[]): Promise<Map<string, Tag[]>> {
    const byDisk = await ECS_TAGS.tagsOf(
      this.#db,
      accountId,
      'disk',
      instanceIds.map(systemDiskIdOf),
    );
    return new Map(instanceIds.map((id) => [id, byDisk.get(systemDiskIdOf(id)) ?? []]));
  }

  async setMaintenance(instanceId: string, m: MaintenanceAttributes) {
    const r = await this.#db.k
      .updateTable('ecs_instances')
      .set({ maintenance: JSON.stringify(m) })
      .where('instance_id', '=', instanceId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
}
