/**
 * @module Bucket configurations of issue 17 (part 2): a bucket's static-website and access-logging
 * settings are columns of the bucket (JSON, read with the bucket on every request, so website
 * serving and access logging cost no extra query); inventory configurations, up to 1000 a bucket,
 * are rows of their own, keyed by bucket and id, with the time their next report is due, and go
 * with their bucket. Uploads started with `?sequential` carry a flag.
 */
import { sql } from 'kysely';
import type { Migration } from '../../../store/migrate.js';

export const m0003BucketConfigC2: Migration = {
  name: '0003-bucket-config-c2',
  async up(db) {
    const s = db.k.schema;
    await s.alterTable('oss_buckets').addColumn('website', 'text').execute();
    await s.alterTable('oss_buckets').addColumn('logging', 'text').execute();
    // Uploads started with `?uploads&sequential`: parts in order, the whole object's MD5 kept.
    await s.alterTable('oss_uploads').addColumn('sequential', 'integer').execute();
    const id =
      db.dialect.name === 'postgres'
        ? (c: any) => c.modifyFront(sql`collate "C"`).notNull()
        : (c: any) => c.notNull();
    await s
      .createTable('oss_inventories')
      .addColumn('bucket', 'text', (c) =>
        c.notNull().references('oss_buckets.name').onDelete('cascade'),
      )
      .addColumn('id', 'text', id)
      .addColumn('config', 'text', (c) => c.notNull())
      // When the next report is due (yunbox's clock, ms); claimed by moving it forward.
      .addColumn('next_run', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('oss_inventories_pk', ['bucket', 'id'])
      .execute();
    await s.createIndex('oss_inventories_due').on('oss_inventories').column('next_run').execute();
  },
};
