/**
 * @module The SQL of bucket retention policies (WORM), for SQLite and PostgreSQL alike;
 * `OssSqlStore` delegates to these. Every change is one conditional statement (or, for
 * InitiateBucketWorm, one transaction under the bucket's WORM lock), so two nodes racing settle on
 * one answer; `voidBefore` is the creation time before which an `InProgress` policy is void
 * (24 hours before now on yunbox's clock).
 */
import { StoreError } from '../../kernel/errors.js';
import type { Db } from '../../store/db.js';
import type { CacheSpec } from '../../store/read-cache.js';
import type { BucketWorm, InitiateWormResult } from './store.js';

/** The read cache of retention policies (consulted on every overwrite and delete). */
const WORM_CACHE: CacheSpec = { name: 'oss-worms', tables: ['oss_bucket_worms'], max: 1024 };

const toWorm = (r: any): BucketWorm => ({
  bucket: r.bucket,
  wormId: r.worm_id,
  state: r.state === 'Locked' ? 'Locked' : 'InProgress',
  days: Number(r.days),
  createdAt: Number(r.created_at),
});

/** A bucket's retention policy as stored (a void `InProgress` one included). */
export function getBucketWorm(db: Db, bucket: string): Promise<BucketWorm | undefined> {
  return db.cached(WORM_CACHE, bucket, async () => {
    const r = await db.k
      .selectFrom('oss_bucket_worms')
      .selectAll()
      .where('bucket', '=', bucket)
      .executeTakeFirst();
    return r ? toWorm(r) : undefined;
  });
}

/** True when `w` is in effect: locked, or in progress and not yet void. */
const inEffect = (w: BucketWorm, voidBefore: number) =>
  w.state === 'Locked' || w.createdAt > voidBefore;

/**
 * Stores `worm` (state `InProgress`) unless the bucket has a policy in effect, which is returned
 * instead; a void one is replaced. `NotFound` when the bucket is gone.
 */
export async function initiateBucketWorm(
  db: Db,
  worm: BucketWorm,
  voidBefore: number,
): Promise<InitiateWormResult> {
  try {
    return await db.withLock(`oss:worm:${worm.bucket}`, async (tx) => {
      const r = await tx.k
        .selectFrom('oss_bucket_worms')
        .selectAll()
        .where('bucket', '=', worm.bucket)
        .executeTakeFirst();
      if (r && inEffect(toWorm(r), voidBefore)) return { ok: false, existing: toWorm(r) };
      if (r) await tx.k.deleteFrom('oss_bucket_worms').where('bucket', '=', worm.bucket).execute();
      await tx.k
        .insertInto('oss_bucket_worms')
        .values({
          bucket: worm.bucket,
          worm_id: worm.wormId,
          state: 'InProgress',
          days: worm.days,
          created_at: worm.createdAt,
        })
        .execute();
      return { ok: true };
    });
  } catch (e) {
    if (db.dialect.isForeignKeyViolation(e)) throw new StoreError('NotFound', 'bucket');
    throw e;
  }
}

/**
 * `q` (an update or delete of `oss_bucket_worms`) narrowed to `bucket`'s policy in `state` (and
 * with id `wormId`, when given): each change below is this one conditional statement.
 */
function policyIn(q: any, bucket: string, state: BucketWorm['state'], wormId?: string): any {
  const narrowed = q.where('bucket', '=', bucket).where('state', '=', state);
  return wormId === undefined ? narrowed : narrowed.where('worm_id', '=', wormId);
}

/** True when the statement's result changed a row. */
const changed = (r: { numUpdatedRows?: bigint; numDeletedRows?: bigint }) =>
  Number(r.numUpdatedRows ?? r.numDeletedRows ?? 0) > 0;

/** Removes the bucket's policy if it is in progress and not void; false otherwise. */
export async function abortBucketWorm(db: Db, bucket: string, voidBefore: number) {
  const q = policyIn(db.k.deleteFrom('oss_bucket_worms'), bucket, 'InProgress');
  return changed(await q.where('created_at', '>', voidBefore).executeTakeFirst());
}

/** Locks policy `wormId` if it is in progress and not void; false otherwise. */
export async function completeBucketWorm(
  db: Db,
  bucket: string,
  wormId: string,
  voidBefore: number,
): Promise<boolean> {
  const set = db.k.updateTable('oss_bucket_worms').set({ state: 'Locked' });
  const q = policyIn(set, bucket, 'InProgress', wormId);
  return changed(await q.where('created_at', '>', voidBefore).executeTakeFirst());
}

/** Lengthens locked policy `wormId` to `days` (never shortens it); false otherwise. */
export async function extendBucketWorm(
  db: Db,
  bucket: string,
  wormId: string,
  days: number,
): Promise<boolean> {
  const q = policyIn(db.k.updateTable('oss_bucket_worms').set({ days }), bucket, 'Locked', wormId);
  return changed(await q.where('days', '<', days).executeTakeFirst());
}
