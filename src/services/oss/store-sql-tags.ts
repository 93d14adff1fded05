/**
 * @module The SQL of object and bucket tags (issue 18), for SQLite and PostgreSQL alike;
 * `OssSqlStore` delegates to these. An object's tags are keyed by its `object_id` and go with it
 * (foreign key, cascade), so an overwrite or a delete never leaves tags behind; a bucket's go with
 * the bucket. Replacing a set is one transaction: delete, then insert in the order given.
 */
import type { Db } from '../../store/db.js';
import { StoreError } from '../../kernel/errors.js';
import { prefixEnd, type Bucket, type Tag } from './model.js';

/** What handlers need of tags from the OSS store (part of `OssStore`). */
export interface OssTagStore {
  /** An object's tags (by the object row's id), in the order they were set. */
  getObjectTags(objectId: string): Promise<Tag[]>;
  /** Replaces an object's tags (none: removes them); `NotFound` when the object row is gone. */
  putObjectTags(objectId: string, tags: readonly Tag[]): Promise<void>;
  /** A bucket's tags, in the order they were set. */
  getBucketTags(bucket: string): Promise<Tag[]>;
  /** Replaces a bucket's tags (none: removes them); `NotFound` when the bucket is gone. */
  putBucketTags(bucket: string, tags: readonly Tag[]): Promise<void>;
  /** Removes the tags of `keys` from a bucket, or all of them (`'all'`). */
  deleteBucketTags(bucket: string, keys: readonly string[] | 'all'): Promise<void>;
  /** As `listBuckets`, only buckets carrying every tag of `filters` (a key, and a value if given). */
  listBucketsTagged(
    accountId: string,
    prefix: string,
    marker: string,
    limit: number,
    filters: readonly TagFilter[],
  ): Promise<Bucket[]>;
  /** The tags of each of `buckets` that has any. */
  bucketTagsOf(buckets: readonly string[]): Promise<Map<string, Tag[]>>;
}

/** A tag a bucket listing is filtered by: its key, and its value when given. */
export interface TagFilter {
  key: string;
  value?: string;
}

const toTag = (r: any): Tag => ({ key: r.tag_key, value: r.tag_value });

function tagRows(column: string, id: string, tags: readonly Tag[]) {
  return tags.map((t, position) => ({
    [column]: id,
    tag_key: t.key,
    tag_value: t.value,
    position,
  }));
}

/** Inside the transaction writing a new object row: its tags, if any. */
export async function insertObjectTags(
  tx: Db,
  objectId: string,
  tags: readonly Tag[] | undefined,
): Promise<void> {
  if (!tags || tags.length === 0) return;
  await tx.k
    .insertInto('oss_object_tags')
    .values(tagRows('object_id', objectId, tags))
    .execute();
}

/** An object's tags. */
export async function getObjectTags(db: Db, objectId: string): Promise<Tag[]> {
  const rows: any[] = await db.k
    .selectFrom('oss_object_tags')
    .select(['tag_key', 'tag_value'])
    .where('object_id', '=', objectId)
    .orderBy('position')
    .execute();
  return rows.map(toTag);
}

async function replace(
  db: Db,
  table: string,
  column: string,
  id: string,
  tags: readonly Tag[],
  entity: string,
): Promise<void> {
  try {
    await db.transaction(async (tx) => {
      await tx.k.deleteFrom(table).where(column, '=', id).execute();
      if (tags.length > 0)
        await tx.k
          .insertInto(table)
          .values(tagRows(column, id, tags))
          .execute();
    });
  } catch (e) {
    // The object (or bucket) went away meanwhile: its row is no longer there to reference.
    if (db.dialect.isForeignKeyViolation(e)) throw new StoreError('NotFound', entity);
    throw e;
  }
}

/** Replaces an object's tags. */
export function putObjectTags(db: Db, objectId: string, tags: readonly Tag[]): Promise<void> {
  return replace(db, 'oss_object_tags', 'object_id', objectId, tags, 'object');
}

/** A bucket's tags. */
export async function getBucketTags(db: Db, bucket: string): Promise<Tag[]> {
  return (await bucketTagsOf(db, [bucket])).get(bucket) ?? [];
}

/** Replaces a bucket's tags. */
export function putBucketTags(db: Db, bucket: string, tags: readonly Tag[]): Promise<void> {
  return replace(db, 'oss_bucket_tags', 'bucket', bucket, tags, 'bucket');
}

/** Removes some (or all) of a bucket's tags. */
export async function deleteBucketTags(
  db: Db,
  bucket: string,
  keys: readonly string[] | 'all',
): Promise<void> {
  if (keys !== 'all' && keys.length === 0) return;
  let q = db.k.deleteFrom('oss_bucket_tags').where('bucket', '=', bucket);
  if (keys !== 'all') q = q.where('tag_key', 'in', [...keys]);
  await q.execute();
}

/** Reads in batches of this many names. */
const BATCH = 500;

/** The tags of each bucket of `buckets` that has any. */
export async function bucketTagsOf(
  db: Db,
  buckets: readonly string[],
): Promise<Map<string, Tag[]>> {
  const out = new Map<string, Tag[]>();
  const unique = [...new Set(buckets)];
  for (let i = 0; i < unique.length; i += BATCH) {
    const rows: any[] = await db.k
      .selectFrom('oss_bucket_tags')
      .select(['bucket', 'tag_key', 'tag_value'])
      .where('bucket', 'in', unique.slice(i, i + BATCH))
      .orderBy('bucket')
      .orderBy('position')
      .execute();
    for (const r of rows) {
      const list = out.get(r.bucket) ?? [];
      list.push(toTag(r));
      out.set(r.bucket, list);
    }
  }
  return out;
}

/**
 * An account's buckets after `marker`, under `prefix`, carrying every tag of `filters`: one
 * primary-key lookup per tag and candidate bucket, in SQL, so paging stays exact.
 */
export async function listBucketsTagged(
  db: Db,
  accountId: string,
  prefix: string,
  marker: string,
  limit: number,
  filters: readonly TagFilter[],
  toBucket: (row: any) => Bucket,
): Promise<Bucket[]> {
  let q = db.k.selectFrom('oss_buckets as b').selectAll('b').where('b.account_id', '=', accountId);
  if (prefix !== '') {
    q = q.where('b.name', '>=', prefix);
    const end = prefixEnd(prefix);
    if (end !== undefined) q = q.where('b.name', '<', end);
  }
  if (marker !== '') q = q.where('b.name', '>', marker);
  for (const f of filters) {
    q = q.where((eb: any) => {
      let t = eb
        .selectFrom('oss_bucket_tags as t')
        .select('t.tag_key')
        .whereRef('t.bucket', '=', 'b.name')
        .where('t.tag_key', '=', f.key);
      if (f.value !== undefined) t = t.where('t.tag_value', '=', f.value);
      return eb.exists(t);
    });
  }
  const rows = await q.orderBy('b.name').limit(limit).execute();
  return rows.map(toBucket);
}
