/**
 * @module The SQL of restores of archived objects (`oss_restores`, migration 0006), for SQLite and
 * PostgreSQL alike; `OssSqlStore` delegates to these. A restore row belongs to one object row
 * (`object_id`) and goes with it. Changes are compare-and-set on the row a request read, so two
 * nodes answering restores of one object at once cannot both start or extend it.
 */
import type { Db } from '../../store/db.js';
import { StoreError } from '../../kernel/errors.js';
import type { RestoreRecord } from './store.js';

const COLUMNS = [
  'object_id',
  'storage_class',
  'tier',
  'days',
  'requested_at',
  'ready_at',
  'expires_at',
] as const;

const toRecord = (r: any): RestoreRecord => ({
  objectId: r.object_id,
  storageClass: r.storage_class,
  tier: r.tier,
  days: Number(r.days),
  requestedAt: Number(r.requested_at),
  readyAt: Number(r.ready_at),
  expiresAt: Number(r.expires_at),
});

/** The restore row of an object version, if any. */
export async function getRestore(db: Db, objectId: string): Promise<RestoreRecord | undefined> {
  const r = await db.k
    .selectFrom('oss_restores')
    .select([...COLUMNS])
    .where('object_id', '=', objectId)
    .executeTakeFirst();
  return r ? toRecord(r) : undefined;
}

/** The restore rows of the objects at `keys` in `bucket`, by key (keys without one left out). */
export async function restoresAt(
  db: Db,
  bucket: string,
  keys: readonly string[],
): Promise<Map<string, RestoreRecord>> {
  const out = new Map<string, RestoreRecord>();
  if (keys.length === 0) return out;
  const rows: any[] = await db.k
    .selectFrom('oss_restores as r')
    .innerJoin('oss_objects as o', 'o.object_id', 'r.object_id')
    .select(['o.key as key', ...COLUMNS.map((c) => `r.${c} as ${c}` as const)])
    .where('o.bucket', '=', bucket)
    .where('o.key', 'in', [...keys])
    // Listings show the current version's restore (ListObjects lists current versions only).
    .where('o.is_latest', '=', 1)
    .execute();
  for (const r of rows) out.set(r.key, toRecord(r));
  return out;
}

/**
 * Stores `next` as the restore of its object if the row is still `expected` (`undefined`: there
 * is none); false when another request changed it first. `NotFound` when the object is gone.
 */
export async function putRestore(
  db: Db,
  next: RestoreRecord,
  expected: RestoreRecord | undefined,
): Promise<boolean> {
  const row = {
    object_id: next.objectId,
    storage_class: next.storageClass,
    tier: next.tier,
    days: next.days,
    requested_at: next.requestedAt,
    ready_at: next.readyAt,
    expires_at: next.expiresAt,
  };
  if (expected === undefined) {
    try {
      await db.k.insertInto('oss_restores').values(row).execute();
      return true;
    } catch (e) {
      if (db.dialect.isUniqueViolation(e)) return false;
      if (db.dialect.isForeignKeyViolation(e)) throw new StoreError('NotFound', 'object');
      throw e;
    }
  }
  const r = await db.k
    .updateTable('oss_restores')
    .set(row)
    .where('object_id', '=', expected.objectId)
    .where('storage_class', '=', expected.storageClass)
    .where('tier', '=', expected.tier)
    .where('requested_at', '=', expected.requestedAt)
    .where('ready_at', '=', expected.readyAt)
    .where('expires_at', '=', expected.expiresAt)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
