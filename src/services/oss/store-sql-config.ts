/**
 * @module The SQL of bucket statistics (GetBucketStat) and account-level OSS settings (Block
 * Public Access), for SQLite and PostgreSQL alike; `OssSqlStore` delegates to these.
 */
import { sql } from 'kysely';
import type { Db } from '../../store/db.js';
import type { CacheSpec } from '../../store/read-cache.js';
import type { BucketStats } from './store.js';

/** The read cache of account-level OSS settings (consulted on every public grant). */
const ACCOUNT_CACHE: CacheSpec = {
  name: 'oss-accounts',
  tables: ['oss_account_settings'],
  max: 1024,
};

/** Smallest size billed for an object of the IA and archive classes (doc: GetBucketStat). */
const MIN_BILLED_BYTES = 64 * 1024;

/** Counts and sizes of a bucket's objects (per storage class), uploads and parts. */
export async function bucketStats(db: Db, bucket: string): Promise<BucketStats> {
  const k = db.k;
  const billed = sql`case when size < ${MIN_BILLED_BYTES} then ${MIN_BILLED_BYTES} else size end`;
  const classes: any[] = await k
    .selectFrom('oss_objects')
    .select((eb: any) => [
      'storage_class',
      eb.fn.countAll().as('n'),
      eb.fn.coalesce(eb.fn.sum('size'), sql`0`).as('bytes'),
      eb.fn.coalesce(eb.fn.sum(billed), sql`0`).as('billed'),
    ])
    .where('bucket', '=', bucket)
    // Every version is stored and billed; delete markers hold nothing and are counted apart.
    .where('delete_marker', '=', 0)
    .groupBy('storage_class')
    .execute();
  const markers: any = await k
    .selectFrom('oss_objects')
    .select((eb: any) => eb.fn.countAll().as('n'))
    .where('bucket', '=', bucket)
    .where('delete_marker', '=', 1)
    .executeTakeFirst();
  const uploads: any = await k
    .selectFrom('oss_uploads')
    .select((eb: any) => eb.fn.countAll().as('n'))
    .where('bucket', '=', bucket)
    .executeTakeFirst();
  const parts: any = await k
    .selectFrom('oss_parts as p')
    .innerJoin('oss_uploads as u', 'u.upload_id', 'p.upload_id')
    .select((eb: any) => [
      eb.fn.countAll().as('n'),
      eb.fn.coalesce(eb.fn.sum('p.size'), sql`0`).as('bytes'),
    ])
    .where('u.bucket', '=', bucket)
    .executeTakeFirst();
  return {
    classes: classes.map((r) => ({
      storageClass: r.storage_class,
      objects: Number(r.n),
      bytes: Number(r.bytes),
      billedBytes: Number(r.billed),
    })),
    deleteMarkers: Number(markers?.n ?? 0),
    uploads: Number(uploads?.n ?? 0),
    parts: Number(parts?.n ?? 0),
    partBytes: Number(parts?.bytes ?? 0),
  };
}

/** An account's Block Public Access, `undefined` when never set. */
export function getAccountPublicAccessBlock(
  db: Db,
  accountId: string,
): Promise<boolean | undefined> {
  return db.cached(ACCOUNT_CACHE, accountId, async () => {
    const r: any = await db.k
      .selectFrom('oss_account_settings')
      .select('public_access_block')
      .where('account_id', '=', accountId)
      .executeTakeFirst();
    return r?.public_access_block == null ? undefined : r.public_access_block === 'true';
  });
}

/** Sets (or with `null` removes) an account's Block Public Access. */
export async function setAccountPublicAccessBlock(
  db: Db,
  accountId: string,
  block: boolean | null,
): Promise<void> {
  if (block === null) {
    await db.k.deleteFrom('oss_account_settings').where('account_id', '=', accountId).execute();
    return;
  }
  // One statement on both dialects, settled by the primary key rather than read-then-write.
  await db.k
    .insertInto('oss_account_settings')
    .values({ account_id: accountId, public_access_block: String(block) })
    .onConflict((oc: any) =>
      oc.column('account_id').doUpdateSet({ public_access_block: String(block) }),
    )
    .execute();
}
