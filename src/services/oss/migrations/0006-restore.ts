/**
 * @module Restores of archived objects (issue 18): one row per object version being restored or
 * restored, keyed by the object row's `object_id` and dropped with it (FK cascade), so deleting
 * or overwriting an object drops its restore. The row keeps timestamps on yunbox's clock (when
 * the copy is ready, when it expires) and the storage class the restore was made for: the state
 * a request sees is computed from them against the clock, and a row for another class (the
 * object transitioned since) counts as none.
 */
import type { Migration } from '../../../store/migrate.js';

export const m0006Restore: Migration = {
  name: '0006-restore',
  async up(db) {
    await db.k.schema
      .createTable('oss_restores')
      .addColumn('object_id', 'text', (c) =>
        c.primaryKey().references('oss_objects.object_id').onDelete('cascade'),
      )
      .addColumn('storage_class', 'text', (c) => c.notNull())
      // `Expedited`, `Standard` or `Bulk`; `Standard` for Archive objects (which have no tiers).
      .addColumn('tier', 'text', (c) => c.notNull())
      .addColumn('days', 'integer', (c) => c.notNull())
      .addColumn('requested_at', 'bigint', (c) => c.notNull())
      .addColumn('ready_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
  },
};
