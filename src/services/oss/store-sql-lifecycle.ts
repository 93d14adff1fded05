/**
 * @module The SQL of lifecycle configurations and of the lifecycle runner's work, for SQLite and
 * PostgreSQL alike; `OssSqlStore` delegates to these. A bucket's rules are one row
 * (`oss_lifecycles`, migration 0007). The runner claims a bucket for a midnight by moving
 * `swept_through` forward while no other node's lease runs (one conditional UPDATE, settled by
 * the database), and each action is conditional on the object it was decided for (same key, same
 * `object_id`, same storage class), so a node never acts on an object that changed under it.
 */
import { sql } from 'kysely';
import type { Db } from '../../store/db.js';
import { prefixEnd } from './model.js';
import type { LifecycleCandidate, NoncurrentCandidate } from './store.js';

/** Stores a bucket's rules (JSON), replacing any; a new row is first swept after `sweptThrough`. */
export async function putLifecycle(
  db: Db,
  bucket: string,
  rules: string,
  sweptThrough: number,
): Promise<void> {
  await db.k
    .insertInto('oss_lifecycles')
    .values({ bucket, rules, swept_through: sweptThrough, lease_until: null })
    .onConflict((oc: any) => oc.column('bucket').doUpdateSet({ rules }))
    .execute();
}

/** A bucket's rules (JSON), `undefined` when it has none. */
export async function getLifecycle(db: Db, bucket: string): Promise<string | undefined> {
  const r: any = await db.k
    .selectFrom('oss_lifecycles')
    .select('rules')
    .where('bucket', '=', bucket)
    .executeTakeFirst();
  return r?.rules;
}

/** Removes a bucket's rules; false when it had none. */
export async function deleteLifecycle(db: Db, bucket: string): Promise<boolean> {
  const r = await db.k.deleteFrom('oss_lifecycles').where('bucket', '=', bucket).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Buckets whose rules were last applied before `boundary`, at most `limit`. */
export async function dueLifecycles(
  db: Db,
  boundary: number,
  limit: number,
): Promise<Array<{ bucket: string; sweptThrough: number }>> {
  const rows: any[] = await db.k
    .selectFrom('oss_lifecycles')
    .select(['bucket', 'swept_through'])
    .where('swept_through', '<', boundary)
    .orderBy('swept_through')
    .orderBy('bucket')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ bucket: r.bucket, sweptThrough: Number(r.swept_through) }));
}

/**
 * Claims a bucket for `boundary`: moves `swept_through` up to it and takes the lease until
 * `leaseUntil` (real time), unless another node holds an unexpired lease or got there first.
 * Answers the rules (JSON) when claimed.
 */
export async function claimLifecycle(
  db: Db,
  bucket: string,
  boundary: number,
  realNow: number,
  leaseUntil: number,
): Promise<string | undefined> {
  const r = await db.k
    .updateTable('oss_lifecycles')
    .set({ swept_through: boundary, lease_until: leaseUntil })
    .where('bucket', '=', bucket)
    .where('swept_through', '<', boundary)
    .where((eb: any) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', realNow)]))
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) return undefined;
  return getLifecycle(db, bucket);
}

/** Buckets whose sweep some node holds an unexpired lease on (real time `realNow`). */
export async function leasedLifecycles(db: Db, realNow: number, limit: number): Promise<string[]> {
  const rows: any[] = await db.k
    .selectFrom('oss_lifecycles')
    .select('bucket')
    .where('lease_until', '>=', realNow)
    .orderBy('bucket')
    .limit(limit)
    .execute();
  return rows.map((r) => r.bucket);
}

/** Extends (`until` a time) or gives back (`null`) a bucket's lease. */
export async function leaseLifecycle(db: Db, bucket: string, until: number | null): Promise<void> {
  await db.k
    .updateTable('oss_lifecycles')
    .set({ lease_until: until })
    .where('bucket', '=', bucket)
    .execute();
}

/** Current objects of a bucket under `prefix`, after `after`, in key order (the runner's page). */
export async function lifecycleCandidates(
  db: Db,
  bucket: string,
  prefix: string,
  after: string | undefined,
  limit: number,
): Promise<LifecycleCandidate[]> {
  let q = db.k
    .selectFrom('oss_objects')
    .select(['key', 'object_id', 'size', 'storage_class', 'last_modified', 'object_type'])
    .where('bucket', '=', bucket)
    // Current versions only, never a delete marker (noncurrent ones: noncurrentCandidates).
    .where('is_latest', '=', sql.lit(1))
    .where('delete_marker', '=', sql.lit(0));
  if (prefix !== '') {
    q = q.where('key', '>=', prefix);
    const end = prefixEnd(prefix);
    if (end !== undefined) q = q.where('key', '<', end);
  }
  if (after !== undefined) q = q.where('key', '>', after);
  const rows: any[] = await q.orderBy('key').limit(limit).execute();
  return rows.map((r) => ({
    key: r.key,
    objectId: r.object_id,
    size: Number(r.size),
    storageClass: r.storage_class,
    lastModified: Number(r.last_modified),
    objectType: r.object_type,
  }));
}

/**
 * Moves an object to `to` when it is still the version decided on, in the class it had; false
 * when it changed or another node moved it first. The object's bytes and Last-Modified stay.
 */
export async function transitionObject(
  db: Db,
  bucket: string,
  key: string,
  objectId: string,
  from: string,
  to: string,
): Promise<boolean> {
  const r = await db.k
    .updateTable('oss_objects')
    .set({ storage_class: to })
    .where('bucket', '=', bucket)
    .where('key', '=', key)
    .where('object_id', '=', objectId)
    .where('storage_class', '=', from)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/**
 * Noncurrent versions and current delete markers of a bucket under `prefix`, ordered by key then
 * newest first, after `after`; each with when it became noncurrent (the next newer version's
 * last-modified) and how many versions its key has.
 */
export async function noncurrentCandidates(
  db: Db,
  bucket: string,
  prefix: string,
  after: { key: string; seq: number } | undefined,
  limit: number,
): Promise<NoncurrentCandidate[]> {
  const end = prefix === '' ? undefined : prefixEnd(prefix);
  const rows: any[] = (
    await sql`select o.key, o.object_id, o.version_id, o.size, o.storage_class, o.delete_marker,
        o.is_latest, o.seq,
        (select n.last_modified from oss_objects n
          where n.bucket = o.bucket and n.key = o.key and n.seq > o.seq
          order by n.seq limit 1) as noncurrent_since,
        (select count(*) from oss_objects c where c.bucket = o.bucket and c.key = o.key) as versions
      from oss_objects o
      where o.bucket = ${bucket} and (o.is_latest = 0 or o.delete_marker = 1)
        ${prefix !== '' ? sql`and o.key >= ${prefix}` : sql``}
        ${end !== undefined ? sql`and o.key < ${end}` : sql``}
        ${after ? sql`and (o.key > ${after.key} or (o.key = ${after.key} and o.seq < ${after.seq}))` : sql``}
      order by o.key, o.seq desc
      limit ${limit}`.execute(db.k)
  ).rows as any[];
  return rows.map((r) => ({
    key: r.key,
    objectId: r.object_id,
    versionId: r.version_id,
    size: Number(r.size),
    storageClass: r.storage_class,
    deleteMarker: Number(r.delete_marker) === 1,
    isLatest: Number(r.is_latest) === 1,
    seq: Number(r.seq),
    ...(r.noncurrent_since != null ? { noncurrentSince: Number(r.noncurrent_since) } : {}),
    versions: Number(r.versions),
  }));
}
