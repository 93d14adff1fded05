/**
 * @module When an instance's transition ends on the real clock, beside `settles_at` on yunbox's:
 * under a manual clock nobody moves, `Pending`, `Starting` and `Stopping` still end once their
 * usual duration has passed in real time. Rows written before hold 0, settled: a transition lasts
 * seconds, and those caught by the upgrade end at once.
 */
import type { Migration } from '../../../store/migrate.js';

export const m0002SettlesAtReal: Migration = {
  name: '0002-settles-at-real',
  async up(db) {
    await db.k.schema
      .alterTable('ecs_instances')
      .addColumn('settles_at_real', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
  },
};
