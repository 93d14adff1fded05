/**
 * @module Bucket retention policies (WORM, issue 18): at most one a bucket, a row of its own that
 * goes with its bucket. `state` is `InProgress` until completed (`Locked`); an `InProgress` row
 * older than 24 hours on yunbox's clock is void and is replaced by the next InitiateBucketWorm.
 */
import type { Migration } from '../../../store/migrate.js';

export const m0008Worm: Migration = {
  name: '0008-worm',
  async up(db) {
    await db.k.schema
      .createTable('oss_bucket_worms')
      .addColumn('bucket', 'text', (c) =>
        c.primaryKey().references('oss_buckets.name').onDelete('cascade'),
      )
      .addColumn('worm_id', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('days', 'integer', (c) => c.notNull())
      // When it was initiated (yunbox's clock, ms).
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
  },
};
