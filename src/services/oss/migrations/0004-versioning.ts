/**
 * @module OSS versioning (issue 18): a bucket's versioning state is a column of the bucket (read
 * with it on every request), and `oss_objects` holds every version of every key, each with its
 * own `object_id` (other tables key per-version state by it):
 *
 * - `version_id`: `null` for objects written while versioning was off or suspended (so every
 *   object stored before this migration becomes the `null` version), else a minted id;
 * - `is_latest` (1 for the one current version of a key; a partial unique index keeps it one, and
 *   serves the hot lookup and the listing of current objects);
 * - `delete_marker` (1: a delete marker, no bytes);
 * - `seq`: the order of a key's versions (higher is newer), assigned under the key's lock.
 *
 * The primary key becomes (bucket, key, version_id). PostgreSQL alters the table in place; SQLite
 * cannot change a primary key, so it rebuilds `oss_objects` and its child `oss_segments` (renaming
 * the old ones aside first, so dropping them cascades nothing).
 */
import { sql, type ColumnDefinitionBuilder } from 'kysely';
import type { Db } from '../../../store/db.js';
import type { Migration } from '../../../store/migrate.js';

/** Columns of `oss_objects` before this migration, copied as they are. */
const OBJECT_COLUMNS = [
  'bucket',
  'key',
  'object_id',
  'size',
  'etag',
  'crc64',
  'headers',
  'acl',
  'storage_class',
  'object_type',
  'last_modified',
];

async function latestIndex(db: Db): Promise<void> {
  await db.k.schema
    .createIndex('oss_objects_latest')
    .on('oss_objects')
    .columns(['bucket', 'key'])
    .unique()
    .where(sql.ref('is_latest'), '=', 1)
    .execute();
}

async function postgres(db: Db): Promise<void> {
  const s = db.k.schema;
  await s
    .alterTable('oss_objects')
    .addColumn('version_id', 'text', (c) => c.notNull().defaultTo('null'))
    .execute();
  await s
    .alterTable('oss_objects')
    .addColumn('is_latest', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await s
    .alterTable('oss_objects')
    .addColumn('delete_marker', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await s
    .alterTable('oss_objects')
    .addColumn('seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await s.alterTable('oss_objects').dropConstraint('oss_objects_pk').execute();
  await s
    .alterTable('oss_objects')
    .addPrimaryKeyConstraint('oss_objects_pk', ['bucket', 'key', 'version_id'])
    .execute();
}

async function sqlite(db: Db): Promise<void> {
  const s = db.k.schema;
  const notNull = (c: ColumnDefinitionBuilder) => c.notNull();
  await s.alterTable('oss_segments').renameTo('oss_segments_0004').execute();
  // Renaming the parent also repoints the (renamed) child's foreign key at it.
  await s.alterTable('oss_objects').renameTo('oss_objects_0004').execute();
  await sql`drop index if exists oss_segments_blob`.execute(db.k);
  await s
    .createTable('oss_objects')
    .addColumn('bucket', 'text', (c) => c.notNull().references('oss_buckets.name'))
    .addColumn('key', 'text', notNull)
    .addColumn('object_id', 'text', (c) => c.notNull().unique())
    .addColumn('size', 'bigint', notNull)
    .addColumn('etag', 'text', notNull)
    .addColumn('crc64', 'text', notNull)
    .addColumn('headers', 'text', notNull)
    .addColumn('acl', 'text', notNull)
    .addColumn('storage_class', 'text', notNull)
    .addColumn('object_type', 'text', notNull)
    .addColumn('last_modified', 'bigint', notNull)
    .addColumn('version_id', 'text', (c) => c.notNull().defaultTo('null'))
    .addColumn('is_latest', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('delete_marker', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('oss_objects_pk', ['bucket', 'key', 'version_id'])
    .execute();
  const cols = sql.join(OBJECT_COLUMNS.map((c) => sql.ref(c)));
  await sql`insert into oss_objects (${cols}) select ${cols} from oss_objects_0004`.execute(db.k);
  await s
    .createTable('oss_segments')
    .addColumn('object_id', 'text', (c) =>
      c.notNull().references('oss_objects.object_id').onDelete('cascade'),
    )
    .addColumn('seq', 'integer', notNull)
    .addColumn('blob_id', 'text', notNull)
    .addColumn('size', 'bigint', notNull)
    .addColumn('md5', 'text', notNull)
    .addColumn('crc64', 'text', notNull)
    .addPrimaryKeyConstraint('oss_segments_pk', ['object_id', 'seq'])
    .execute();
  await sql`insert into oss_segments select * from oss_segments_0004`.execute(db.k);
  await s.dropTable('oss_segments_0004').execute();
  await s.dropTable('oss_objects_0004').execute();
  await s.createIndex('oss_segments_blob').on('oss_segments').column('blob_id').execute();
}

export const m0004Versioning: Migration = {
  name: '0004-versioning',
  async up(db) {
    await db.k.schema.alterTable('oss_buckets').addColumn('versioning', 'text').execute();
    if (db.dialect.name === 'postgres') await postgres(db);
    else await sqlite(db);
    await latestIndex(db);
  },
};
