/**
 * @module The version rows of OSS objects in SQL (migration 0004), shared by the object and upload
 * parts of the store: mapping rows to objects, and inside a transaction holding the key's lock,
 * writing a version (demoting the current one, replacing the `null` one), dropping one, and
 * promoting the newest left. `seq` orders a key's versions (higher is newer).
 */
import { CompiledQuery, sql } from 'kysely';
import { StoreError } from '../../kernel/errors.js';
import type { Db } from '../../store/db.js';
import { NULL_VERSION, type ObjectSummary, type OssObject, type StoredSegment } from './model.js';
import { RETAINED, type RetainedAfter, type WriteOptions } from './store.js';
import { BATCH, chunks } from './store-sql-common.js';
import * as T from './store-sql-tags.js';

/** `is_latest = 1` as a literal, so the partial index on current versions serves the query. */
export const LATEST = sql.lit(1);

export const toSummary = (r: any): ObjectSummary => ({
  key: r.key,
  size: Number(r.size),
  etag: r.etag,
  objectType: r.object_type,
  storageClass: r.storage_class,
  lastModified: Number(r.last_modified),
});

export function objectRow(o: OssObject, seq: number): Record<string, unknown> {
  return {
    bucket: o.bucket,
    key: o.key,
    object_id: o.objectId,
    size: o.size,
    etag: o.etag,
    crc64: o.crc64,
    headers: JSON.stringify(o.headers),
    acl: o.acl,
    storage_class: o.storageClass,
    object_type: o.objectType,
    last_modified: o.lastModified,
    version_id: o.versionId ?? NULL_VERSION,
    is_latest: 1,
    delete_marker: o.deleteMarker ? 1 : 0,
    seq,
  };
}

export function segmentRows(objectId: string, segments: readonly StoredSegment[], from = 0) {
  return segments.map((s, i) => ({
    object_id: objectId,
    seq: from + i,
    blob_id: s.blobId,
    size: s.size,
    md5: s.md5,
    crc64: s.crc64,
  }));
}

/** Columns of an object read, prefixed `o_`, with its segments' as `s_`. */
export const OBJECT_COLUMNS = [
  'o.key as o_key',
  'o.object_id as o_object_id',
  'o.size as o_size',
  'o.etag as o_etag',
  'o.crc64 as o_crc64',
  'o.headers as o_headers',
  'o.acl as o_acl',
  'o.storage_class as o_storage_class',
  'o.object_type as o_object_type',
  'o.last_modified as o_last_modified',
  'o.version_id as o_version_id',
  'o.delete_marker as o_delete_marker',
  's.blob_id as s_blob_id',
  's.size as s_size',
  's.md5 as s_md5',
  's.crc64 as s_crc64',
  // `x-oss-tagging-count`: a primary-key range of the tag table (store-sql-tags.ts).
  sql`(select count(*) from oss_object_tags t where t.object_id = o.object_id)`.as('o_tag_count'),
];

/** The object of rows read with {@link OBJECT_COLUMNS} (one per segment), if any. */
export function toObject(bucket: string, rows: any[]): OssObject | undefined {
  const r = rows[0];
  if (!r || r.o_object_id == null) return undefined;
  return {
    bucket,
    key: r.o_key,
    objectId: r.o_object_id,
    size: Number(r.o_size),
    etag: r.o_etag,
    crc64: r.o_crc64,
    headers: JSON.parse(r.o_headers),
    acl: r.o_acl,
    storageClass: r.o_storage_class,
    objectType: r.o_object_type,
    lastModified: Number(r.o_last_modified),
    versionId: r.o_version_id,
    ...(Number(r.o_delete_marker) === 1 ? { deleteMarker: true } : {}),
    ...(Number(r.o_tag_count) > 0 ? { tagCount: Number(r.o_tag_count) } : {}),
    segments: rows
      .filter((x) => x.s_blob_id != null)
      .map((x) => ({
        blobId: x.s_blob_id,
        size: Number(x.s_size),
        md5: x.s_md5,
        crc64: x.s_crc64,
      })),
  };
}

/**
 * Refuses (`Conflict` {@link RETAINED}) to replace or remove a version row (`last_modified`,
 * `delete_marker`) under retention: one last modified after `retainedAfter`. A delete marker holds
 * no bytes and is never retained. Called inside the change's transaction, under the key's lock.
 */
export function refuseRetained(
  row: { last_modified: unknown; delete_marker?: unknown },
  retainedAfter: RetainedAfter,
): void {
  if (retainedAfter === undefined || Number(row.delete_marker ?? 0) === 1) return;
  if (Number(row.last_modified) > retainedAfter) throw new StoreError('Conflict', RETAINED);
}

/** Inside `tx`: removes one version row and its segments; returns the segments' blobs. */
export async function dropRow(tx: Db, objectId: string): Promise<string[]> {
  const segs: any[] = await tx.k
    .deleteFrom('oss_segments')
    .where('object_id', '=', objectId)
    .returning('blob_id')
    .execute();
  await tx.k.deleteFrom('oss_objects').where('object_id', '=', objectId).execute();
  return segs.map((s) => s.blob_id);
}

/**
 * Inside `tx`: makes the current version of a key noncurrent; returns the `seq` the next version
 * takes (one past the highest of the key's versions).
 */
export async function demote(tx: Db, bucket: string, key: string): Promise<number> {
  const prev: any = await tx.k
    .updateTable('oss_objects')
    .set({ is_latest: 0 })
    .where('bucket', '=', bucket)
    .where('key', '=', key)
    .where('is_latest', '=', LATEST)
    .returning('seq')
    .executeTakeFirst();
  if (prev) return Number(prev.seq) + 1;
  const top: any = await tx.k
    .selectFrom('oss_objects')
    .select((eb: any) => eb.fn.max('seq').as('m'))
    .where('bucket', '=', bucket)
    .where('key', '=', key)
    .executeTakeFirst();
  return top?.m == null ? 0 : Number(top.m) + 1;
}

/** Inside `tx`: makes the newest remaining version of a key current (after removing the current). */
export async function promote(tx: Db, bucket: string, key: string): Promise<void> {
  const next: any = await tx.k
    .selectFrom('oss_objects')
    .select('object_id')
    .where('bucket', '=', bucket)
    .where('key', '=', key)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (next) {
    await tx.k
      .updateTable('oss_objects')
      .set({ is_latest: 1 })
      .where('object_id', '=', next.object_id)
      .execute();
  }
}

/**
 * Inside `tx`: stores `object` as the current version of its key; returns the blobs no longer
 * used. Unversioned, the key's one object is replaced; under versioning the current version is
 * demoted, and a `null` version replaces the previous `null` one.
 */
/**
 * Deletes the one row of a key in a bucket never versioned, returning it with each of its
 * segments' blobs (PostgreSQL: {@link DialectInfo.modifyingCte}).
 */
const DELETE_UNVERSIONED =
  'with o as (delete from oss_objects where bucket = $1 and key = $2 ' +
  'returning object_id, last_modified, delete_marker) ' +
  'select o.object_id, o.last_modified, o.delete_marker, s.blob_id ' +
  'from o left join oss_segments s on s.object_id = o.object_id';

export async function writeVersion(
  tx: Db,
  object: OssObject,
  options: WriteOptions,
): Promise<string[]> {
  const dropped: string[] = [];
  let seq = 0;
  if (options.versioning === undefined && tx.dialect.modifyingCte) {
    // One round trip: the key's row goes (its segments, tags and restore rows by FK cascade, at
    // the end of the statement, so the join still reads the segments) and its blobs come back.
    // What refuses the write throws after the delete; the transaction then rolls it back.
    const { rows } = await tx.k.executeQuery<any>(
      CompiledQuery.raw(DELETE_UNVERSIONED, [object.bucket, object.key]),
    );
    if (rows.length > 0) {
      if (options.forbidOverwrite) throw new StoreError('AlreadyExists', 'object');
      refuseRetained(rows[0], options.retainedAfter);
      for (const r of rows) if (r.blob_id !== null) dropped.push(r.blob_id);
    }
  } else if (options.versioning === undefined) {
    const old: any = await tx.k
      .selectFrom('oss_objects')
      .select(['object_id', 'last_modified', 'delete_marker'])
      .where('bucket', '=', object.bucket)
      .where('key', '=', object.key)
      .executeTakeFirst();
    if (old) {
      if (options.forbidOverwrite) throw new StoreError('AlreadyExists', 'object');
      refuseRetained(old, options.retainedAfter);
      dropped.push(...(await dropRow(tx, old.object_id)));
    }
  } else {
    if (options.forbidOverwrite) {
      const current: any = await tx.k
        .selectFrom('oss_objects')
        .select('object_id')
        .where('bucket', '=', object.bucket)
        .where('key', '=', object.key)
        .where('is_latest', '=', LATEST)
        .where('delete_marker', '=', 0)
        .executeTakeFirst();
      if (current) throw new StoreError('AlreadyExists', 'object');
    }
    seq = await demote(tx, object.bucket, object.key);
    if ((object.versionId ?? NULL_VERSION) === NULL_VERSION) {
      const old: any = await tx.k
        .selectFrom('oss_objects')
        .select(['object_id', 'last_modified', 'delete_marker'])
        .where('bucket', '=', object.bucket)
        .where('key', '=', object.key)
        .where('version_id', '=', NULL_VERSION)
        .executeTakeFirst();
      if (old) {
        refuseRetained(old, options.retainedAfter);
        dropped.push(...(await dropRow(tx, old.object_id)));
      }
    }
  }
  const segments = segmentRows(object.objectId, object.segments);
  if (tx.dialect.modifyingCte && segments.length > 0 && segments.length <= BATCH) {
    // One round trip for the row and its segments: the segments' foreign key is checked at the
    // end of the statement, when the row is there.
    await tx.k
      .with('o', (db: any) => db.insertInto('oss_objects').values(objectRow(object, seq)))
      .insertInto('oss_segments')
      .values(segments)
      .execute();
  } else {
    await tx.k.insertInto('oss_objects').values(objectRow(object, seq)).execute();
    for (const batch of chunks(segments)) {
      await tx.k.insertInto('oss_segments').values(batch).execute();
    }
  }
  await T.insertObjectTags(tx, object.objectId, object.tags);
  return dropped;
}
