/**
 * @module OSS schema: buckets (names unique across all accounts, by primary key), objects keyed
 * by bucket and key, the blobs (segments) each object is made of, multipart uploads and their
 * parts. Foreign keys keep a bucket from being deleted while objects or uploads remain, and a
 * part from outliving its upload.
 *
 * Keys sort in UTF-8 byte order, as OSS lists them: SQLite compares text with memcmp (BINARY);
 * PostgreSQL needs `COLLATE "C"` on the key columns, since a database's default collation is
 * usually a locale's. That collation is the one difference between the dialects here.
 */
import { sql, type ColumnDefinitionBuilder } from 'kysely';
import type { Db } from '../../../store/db.js';
import type { Migration } from '../../../store/migrate.js';

function byteOrder(db: Db): (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder {
  return db.dialect.name === 'postgres'
    ? (c) => c.modifyFront(sql`collate "C"`).notNull()
    : (c) => c.notNull();
}

export const m0001Init: Migration = {
  name: '0001-init',
  async up(db) {
    const s = db.k.schema;
    const key = byteOrder(db);
    await s
      .createTable('oss_buckets')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('region', 'text', (c) => c.notNull())
      .addColumn('acl', 'text', (c) => c.notNull())
      .addColumn('storage_class', 'text', (c) => c.notNull())
      .addColumn('redundancy', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('policy', 'text')
      .addColumn('cors', 'text')
      .execute();
    await s
      .createIndex('oss_buckets_account')
      .on('oss_buckets')
      .columns(['account_id', 'name'])
      .execute();
    await s
      .createTable('oss_objects')
      .addColumn('bucket', 'text', (c) => c.notNull().references('oss_buckets.name'))
      .addColumn('key', 'text', key)
      .addColumn('object_id', 'text', (c) => c.notNull().unique())
      .addColumn('size', 'bigint', (c) => c.notNull())
      .addColumn('etag', 'text', (c) => c.notNull())
      .addColumn('crc64', 'text', (c) => c.notNull())
      .addColumn('headers', 'text', (c) => c.notNull())
      .addColumn('acl', 'text', (c) => c.notNull())
      .addColumn('storage_class', 'text', (c) => c.notNull())
      .addColumn('object_type', 'text', (c) => c.notNull())
      .addColumn('last_modified', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('oss_objects_pk', ['bucket', 'key'])
      .execute();
    await s
      .createTable('oss_segments')
      .addColumn('object_id', 'text', (c) =>
        c.notNull().references('oss_objects.object_id').onDelete('cascade'),
      )
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('blob_id', 'text', (c) => c.notNull())
      .addColumn('size', 'bigint', (c) => c.notNull())
      .addColumn('md5', 'text', (c) => c.notNull())
      .addColumn('crc64', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('oss_segments_pk', ['object_id', 'seq'])
      .execute();
    await s.createIndex('oss_segments_blob').on('oss_segments').column('blob_id').execute();
    await s
      .createTable('oss_uploads')
      .addColumn('upload_id', 'text', (c) => c.primaryKey())
      .addColumn('bucket', 'text', (c) => c.notNull().references('oss_buckets.name'))
      .addColumn('key', 'text', key)
      .addColumn('initiated', 'bigint', (c) => c.notNull())
      .addColumn('headers', 'text', (c) => c.notNull())
      .addColumn('acl', 'text', (c) => c.notNull())
      .addColumn('storage_class', 'text', (c) => c.notNull())
      .execute();
    await s
      .createIndex('oss_uploads_key')
      .on('oss_uploads')
      .columns(['bucket', 'key', 'upload_id'])
      .execute();
    await s
      .createTable('oss_parts')
      .addColumn('upload_id', 'text', (c) => c.notNull().references('oss_uploads.upload_id'))
      .addColumn('part_number', 'integer', (c) => c.notNull())
      .addColumn('blob_id', 'text', (c) => c.notNull())
      .addColumn('size', 'bigint', (c) => c.notNull())
      .addColumn('etag', 'text', (c) => c.notNull())
      .addColumn('crc64', 'text', (c) => c.notNull())
      .addColumn('last_modified', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('oss_parts_pk', ['upload_id', 'part_number'])
      .execute();
    await s.createIndex('oss_parts_blob').on('oss_parts').column('blob_id').execute();
  },
};
