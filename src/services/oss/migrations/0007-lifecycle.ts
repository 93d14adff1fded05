/**
 * @module Lifecycle configurations (issue 18): one row a bucket, going with it, holding the
 * validated rules as JSON (lifecycle-rules.ts) and the runner's bookkeeping: the last midnight
 * UTC whose due actions were applied to the bucket (`swept_through`, yunbox's clock), and a lease
 * (`lease_until`, the host's real clock) held by the node applying them, so that on a PostgreSQL
 * cluster one node at a time works on a bucket and each boundary is applied once.
 */
import type { Migration } from '../../../store/migrate.js';

export const m0007Lifecycle: Migration = {
  name: '0007-lifecycle',
  async up(db) {
    const s = db.k.schema;
    await s
      .createTable('oss_lifecycles')
      .addColumn('bucket', 'text', (c) =>
        c.primaryKey().references('oss_buckets.name').onDelete('cascade'),
      )
      .addColumn('rules', 'text', (c) => c.notNull())
      .addColumn('swept_through', 'bigint', (c) => c.notNull())
      .addColumn('lease_until', 'bigint')
      .execute();
    await s
      .createIndex('oss_lifecycles_due')
      .on('oss_lifecycles')
      .column('swept_through')
      .execute();
  },
};
