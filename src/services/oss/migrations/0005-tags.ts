/**
 * @module Object and bucket tags (issue 18). An object's tags are rows keyed by the object row's
 * `object_id` (each version of an object has its own), removed with it by the foreign key's
 * cascade; a bucket's tags are rows keyed by the bucket's name, removed with the bucket. `position`
 * keeps the order the tags were given in. A multipart upload keeps the tags of its
 * `x-oss-tagging` (JSON) until it completes. A symlink's target is kept in the object's headers
 * (`handlers/symlink.ts`), so it needs no column.
 */
import { sql } from 'kysely';
import type { Migration } from '../../../store/migrate.js';

export const m0005Tags: Migration = {
  name: '0005-tags',
  async up(db) {
    const s = db.k.schema;
    const text =
      db.dialect.name === 'postgres'
        ? (c: any) => c.modifyFront(sql`collate "C"`).notNull()
        : (c: any) => c.notNull();
    await s
      .createTable('oss_object_tags')
      .addColumn('object_id', 'text', (c) =>
        c.notNull().references('oss_objects.object_id').onDelete('cascade'),
      )
      .addColumn('tag_key', 'text', text)
      .addColumn('tag_value', 'text', (c) => c.notNull())
      .addColumn('position', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('oss_object_tags_pk', ['object_id', 'tag_key'])
      .execute();
    await s
      .createTable('oss_bucket_tags')
      .addColumn('bucket', 'text', (c) =>
        c.notNull().references('oss_buckets.name').onDelete('cascade'),
      )
      .addColumn('tag_key', 'text', text)
      .addColumn('tag_value', 'text', (c) => c.notNull())
      .addColumn('position', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('oss_bucket_tags_pk', ['bucket', 'tag_key'])
      .execute();
    // ListBuckets filtered by a tag looks buckets up by key (and value).
    await s
      .createIndex('oss_bucket_tags_key')
      .on('oss_bucket_tags')
      .columns(['tag_key', 'tag_value'])
      .execute();
    await s.alterTable('oss_uploads').addColumn('tags', 'text').execute();
  },
};
