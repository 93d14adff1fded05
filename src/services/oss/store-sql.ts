/**
 * @module OSS metadata in SQL, one implementation for SQLite and PostgreSQL (Kysely). Each
 * mutation is one transaction; races between nodes are settled by constraints (bucket name,
 * (bucket, key, version), one current version per key, (upload, part number)) with one retry,
 * never by read-then-write alone. Buckets and inventory configurations are here; objects and
 * their versions in `store-sql-objects.ts`, multipart uploads in `store-sql-uploads.ts`, shared
 * helpers in `store-sql-common.ts`.
 */
import { StoreError } from '../../kernel/errors.js';
import type { Db } from '../../store/db.js';
import {
  prefixEnd,
  type Bucket,
  type ObjectSummary,
  type OssObject,
  type Part,
  type Tag,
  type Upload,
  type VersioningStatus,
} from './model.js';
import type {
  AppendResult,
  BucketPatch,
  BucketWorm,
  InitiateWormResult,
  BucketStats,
  DeleteOutcome,
  DeleteTarget,
  KeyRange,
  LifecycleCandidate,
  ObjectPatch,
  OssStore,
  RetainedAfter,
  VersionSummary,
  WriteOptions,
  RestoreRecord,
} from './store.js';
import * as LC from './store-sql-lifecycle.js';
import {
  bucketStats,
  getAccountPublicAccessBlock,
  setAccountPublicAccessBlock,
} from './store-sql-config.js';
import { BUCKET_CACHE, SqlKit, chunks, toBucket } from './store-sql-common.js';
import { SqlObjects } from './store-sql-objects.js';
import { SqlUploads } from './store-sql-uploads.js';
import * as T from './store-sql-tags.js';
import { getRestore, putRestore, restoresAt } from './store-sql-restore.js';
import * as worm from './store-sql-worm.js';

/** A JSON column's value for a patch field: unchanged, cleared (`null`) or the document. */
function jsonColumn(v: object | null | undefined): string | null | undefined {
  return v === undefined ? undefined : v === null ? null : JSON.stringify(v);
}

/** OSS metadata over a {@link Db}. */
export class OssSqlStore implements OssStore {
  readonly #kit: SqlKit;
  readonly #objects: SqlObjects;
  readonly #uploads: SqlUploads;
  constructor(db: Db) {
    this.#kit = new SqlKit(db);
    this.#objects = new SqlObjects(this.#kit);
    this.#uploads = new SqlUploads(this.#kit);
  }

  // ---- buckets

  async createBucket(bucket: Bucket, max: number): Promise<void> {
    try {
      await this.#kit.db.withLock(`oss:buckets:${bucket.accountId}`, async (tx) => {
        const row: any = await tx.k
          .selectFrom('oss_buckets')
          .select((eb: any) => eb.fn.countAll().as('n'))
          .where('account_id', '=', bucket.accountId)
          .executeTakeFirst();
        if (Number(row?.n ?? 0) >= max) throw new StoreError('Conflict', 'bucket quota');
        await tx.k
          .insertInto('oss_buckets')
          .values({
            name: bucket.name,
            account_id: bucket.accountId,
            region: bucket.region,
            acl: bucket.acl,
            storage_class: bucket.storageClass,
            redundancy: bucket.redundancy,
            created_at: bucket.createdAt,
            policy: bucket.policy ?? null,
            cors: bucket.cors ?? null,
          })
          .execute();
      });
    } catch (e) {
      throw this.#kit.translate(e, 'bucket');
    }
  }

  getBucket(name: string): Promise<Bucket | undefined> {
    return this.#kit.db.cached(BUCKET_CACHE, name, async () => {
      const [r] = await this.#kit.hot(
        'getBucket',
        (n) => this.#kit.db.k.selectFrom('oss_buckets').selectAll().where('name', '=', n),
        [name],
      );
      return r ? toBucket(r) : undefined;
    });
  }

  async listBuckets(
    accountId: string,
    prefix: string,
    marker: string,
    limit: number,
  ): Promise<Bucket[]> {
    let q = this.#kit.db.k
      .selectFrom('oss_buckets')
      .selectAll()
      .where('account_id', '=', accountId);
    if (prefix !== '') {
      q = q.where('name', '>=', prefix);
      const end = prefixEnd(prefix);
      if (end !== undefined) q = q.where('name', '<', end);
    }
    if (marker !== '') q = q.where('name', '>', marker);
    const rows = await q.orderBy('name').limit(limit).execute();
    return rows.map(toBucket);
  }

  async updateBucket(name: string, patch: BucketPatch): Promise<void> {
    const set: Record<string, unknown> = {};
    if (patch.acl !== undefined) set.acl = patch.acl;
    if (patch.policy !== undefined) set.policy = patch.policy;
    if (patch.cors !== undefined) set.cors = patch.cors;
    if (patch.website !== undefined) set.website = patch.website;
    if (patch.logging !== undefined) set.logging = patch.logging;
    if (patch.encryption !== undefined) set.encryption = jsonColumn(patch.encryption);
    if (patch.referer !== undefined) set.referer = jsonColumn(patch.referer);
    if (patch.requestPayer !== undefined) set.request_payer = patch.requestPayer;
    if (patch.versioning !== undefined) set.versioning = patch.versioning;
    if (patch.blockPublicAccess !== undefined) {
      set.public_access_block =
        patch.blockPublicAccess === null ? null : String(patch.blockPublicAccess);
    }
    if (Object.keys(set).length === 0) return;
    const r = await this.#kit.db.k
      .updateTable('oss_buckets')
      .set(set)
      .where('name', '=', name)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) throw new StoreError('NotFound', 'bucket');
  }

  async deleteBucket(name: string): Promise<void> {
    try {
      await this.#kit.db.transaction(async (tx) => {
        const busy = async (table: string) =>
          (await tx.k
            .selectFrom(table)
            .select('bucket')
            .where('bucket', '=', name)
            .limit(1)
            .executeTakeFirst()) !== undefined;
        if (await busy('oss_objects')) throw new StoreError('Conflict', 'objects');
        if (await busy('oss_uploads')) throw new StoreError('Conflict', 'uploads');
        const r = await tx.k.deleteFrom('oss_buckets').where('name', '=', name).executeTakeFirst();
        if (Number(r.numDeletedRows) === 0) throw new StoreError('NotFound', 'bucket');
      });
    } catch (e) {
      // An object written concurrently makes the delete violate the objects' foreign key.
      if (this.#kit.db.dialect.isForeignKeyViolation(e))
        throw new StoreError('Conflict', 'objects');
      throw e;
    }
  }

  // ---- objects and versions (store-sql-objects.ts)

  getObject(bucket: string, key: string): Promise<OssObject | undefined> {
    return this.#objects.getObject(bucket, key);
  }

  getObjectVersion(bucket: string, key: string, versionId: string) {
    return this.#objects.getObjectVersion(bucket, key, versionId);
  }

  getBucketAndObject(
    bucket: string,
    key: string,
  ): Promise<{ bucket?: Bucket; object?: OssObject }> {
    return this.#objects.getBucketAndObject(bucket, key);
  }

  putObject(object: OssObject, options?: WriteOptions): Promise<string[]> {
    return this.#objects.putObject(object, options);
  }

  updateObject(
    bucket: string,
    key: string,
    patch: ObjectPatch,
    versionId?: string,
    retainedAfter?: RetainedAfter,
  ) {
    return this.#objects.updateObject(bucket, key, patch, versionId, retainedAfter);
  }

  appendObject(
    create: OssObject,
    position: number,
    segment: { blobId: string; size: number; md5Hex: string; crc64: string },
    now: number,
    options?: WriteOptions,
  ): Promise<AppendResult> {
    return this.#objects.appendObject(create, position, segment, now, options);
  }

  deleteObjects(
    bucket: string,
    keys: readonly string[],
    retainedAfter?: RetainedAfter,
  ): Promise<string[]> {
    return this.#objects.deleteObjects(bucket, keys, retainedAfter);
  }

  deleteVersions(
    bucket: string,
    targets: readonly DeleteTarget[],
    versioning: VersioningStatus | undefined,
    now: number,
    retainedAfter?: RetainedAfter,
  ): Promise<{ outcomes: DeleteOutcome[]; dropped: string[] }> {
    return this.#objects.deleteVersions(bucket, targets, versioning, now, retainedAfter);
  }

  listObjects(bucket: string, range: KeyRange): Promise<ObjectSummary[]> {
    return this.#objects.listObjects(bucket, range);
  }

  listVersions(bucket: string, range: KeyRange): Promise<VersionSummary[]> {
    return this.#objects.listVersions(bucket, range);
  }

  // ---- multipart (store-sql-uploads.ts)

  createUpload(u: Upload): Promise<void> {
    return this.#uploads.createUpload(u);
  }

  getUpload(uploadId: string): Promise<Upload | undefined> {
    return this.#uploads.getUpload(uploadId);
  }

  putPart(part: Part): Promise<string | undefined> {
    return this.#uploads.putPart(part);
  }

  listParts(uploadId: string, after: number, limit: number): Promise<Part[]> {
    return this.#uploads.listParts(uploadId, after, limit);
  }

  lastPartNumber(uploadId: string): Promise<number> {
    return this.#uploads.lastPartNumber(uploadId);
  }

  allParts(uploadId: string): Promise<Part[]> {
    return this.#uploads.allParts(uploadId);
  }

  completeUpload(uploadId: string, object: OssObject, options?: WriteOptions): Promise<string[]> {
    return this.#uploads.completeUpload(uploadId, object, options);
  }

  abortUpload(uploadId: string): Promise<string[]> {
    return this.#uploads.abortUpload(uploadId);
  }

  listUploads(bucket: string, range: KeyRange): Promise<Upload[]> {
    return this.#uploads.listUploads(bucket, range);
  }

  // ---- inventory configurations

  async putInventory(
    bucket: string,
    id: string,
    config: string,
    max: number,
    nextRun: number,
  ): Promise<void> {
    try {
      await this.#kit.db.withLock(`oss:inventories:${bucket}`, async (tx) => {
        const updated = await tx.k
          .updateTable('oss_inventories')
          .set({ config })
          .where('bucket', '=', bucket)
          .where('id', '=', id)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) > 0) return;
        const row: any = await tx.k
          .selectFrom('oss_inventories')
          .select((eb: any) => eb.fn.countAll().as('n'))
          .where('bucket', '=', bucket)
          .executeTakeFirst();
        if (Number(row?.n ?? 0) >= max) throw new StoreError('Conflict', 'inventory quota');
        await tx.k
          .insertInto('oss_inventories')
          .values({ bucket, id, config, next_run: nextRun })
          .execute();
      });
    } catch (e) {
      throw this.#kit.translate(e, 'bucket');
    }
  }

  async getInventory(bucket: string, id: string): Promise<string | undefined> {
    const r: any = await this.#kit.db.k
      .selectFrom('oss_inventories')
      .select('config')
      .where('bucket', '=', bucket)
      .where('id', '=', id)
      .executeTakeFirst();
    return r?.config;
  }

  async listInventories(
    bucket: string,
    after: string,
    limit: number,
  ): Promise<Array<{ id: string; config: string }>> {
    let q = this.#kit.db.k
      .selectFrom('oss_inventories')
      .select(['id', 'config'])
      .where('bucket', '=', bucket);
    if (after !== '') q = q.where('id', '>', after);
    const rows: any[] = await q.orderBy('id').limit(limit).execute();
    return rows.map((r) => ({ id: r.id, config: r.config }));
  }

  async deleteInventory(bucket: string, id: string): Promise<boolean> {
    const r = await this.#kit.db.k
      .deleteFrom('oss_inventories')
      .where('bucket', '=', bucket)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async dueInventories(
    now: number,
    limit: number,
  ): Promise<Array<{ bucket: string; id: string; config: string; nextRun: number }>> {
    const rows: any[] = await this.#kit.db.k
      .selectFrom('oss_inventories')
      .select(['bucket', 'id', 'config', 'next_run'])
      .where('next_run', '<=', now)
      .orderBy('next_run')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      bucket: r.bucket,
      id: r.id,
      config: r.config,
      nextRun: Number(r.next_run),
    }));
  }

  async claimInventoryRun(bucket: string, id: string, from: number, to: number): Promise<boolean> {
    const r = await this.#kit.db.k
      .updateTable('oss_inventories')
      .set({ next_run: to })
      .where('bucket', '=', bucket)
      .where('id', '=', id)
      .where('next_run', '=', from)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  // ---- statistics and account settings (store-sql-config.ts)

  bucketStats(bucket: string): Promise<BucketStats> {
    return bucketStats(this.#kit.db, bucket);
  }

  getAccountPublicAccessBlock(accountId: string): Promise<boolean | undefined> {
    return getAccountPublicAccessBlock(this.#kit.db, accountId);
  }

  setAccountPublicAccessBlock(accountId: string, block: boolean | null): Promise<void> {
    return setAccountPublicAccessBlock(this.#kit.db, accountId, block);
  }

  // ---- tags (store-sql-tags.ts)

  getObjectTags(objectId: string): Promise<Tag[]> {
    return T.getObjectTags(this.#kit.db, objectId);
  }

  putObjectTags(objectId: string, tags: readonly Tag[]): Promise<void> {
    return T.putObjectTags(this.#kit.db, objectId, tags);
  }

  getBucketTags(bucket: string): Promise<Tag[]> {
    return T.getBucketTags(this.#kit.db, bucket);
  }

  putBucketTags(bucket: string, tags: readonly Tag[]): Promise<void> {
    return T.putBucketTags(this.#kit.db, bucket, tags);
  }

  deleteBucketTags(bucket: string, keys: readonly string[] | 'all'): Promise<void> {
    return T.deleteBucketTags(this.#kit.db, bucket, keys);
  }

  listBucketsTagged(
    accountId: string,
    prefix: string,
    marker: string,
    limit: number,
    filters: readonly T.TagFilter[],
  ): Promise<Bucket[]> {
    return T.listBucketsTagged(this.#kit.db, accountId, prefix, marker, limit, filters, toBucket);
  }

  bucketTagsOf(buckets: readonly string[]): Promise<Map<string, Tag[]>> {
    return T.bucketTagsOf(this.#kit.db, buckets);
  }

  // ---- restores of archived objects (store-sql-restore.ts)

  getRestore(objectId: string): Promise<RestoreRecord | undefined> {
    return getRestore(this.#kit.db, objectId);
  }

  restoresAt(bucket: string, keys: readonly string[]): Promise<Map<string, RestoreRecord>> {
    return restoresAt(this.#kit.db, bucket, keys);
  }

  putRestore(next: RestoreRecord, expected: RestoreRecord | undefined): Promise<boolean> {
    return putRestore(this.#kit.db, next, expected);
  }

  // ---- lifecycle (store-sql-lifecycle.ts)

  async putLifecycle(bucket: string, rules: string, sweptThrough: number): Promise<void> {
    try {
      await LC.putLifecycle(this.#kit.db, bucket, rules, sweptThrough);
    } catch (e) {
      if (this.#kit.db.dialect.isForeignKeyViolation(e)) throw new StoreError('NotFound', 'bucket');
      throw e;
    }
  }

  getLifecycle(bucket: string): Promise<string | undefined> {
    return LC.getLifecycle(this.#kit.db, bucket);
  }

  deleteLifecycle(bucket: string): Promise<boolean> {
    return LC.deleteLifecycle(this.#kit.db, bucket);
  }

  dueLifecycles(boundary: number, limit: number) {
    return LC.dueLifecycles(this.#kit.db, boundary, limit);
  }

  claimLifecycle(bucket: string, boundary: number, realNow: number, leaseUntil: number) {
    return LC.claimLifecycle(this.#kit.db, bucket, boundary, realNow, leaseUntil);
  }

  leasedLifecycles(realNow: number, limit: number): Promise<string[]> {
    return LC.leasedLifecycles(this.#kit.db, realNow, limit);
  }

  leaseLifecycle(bucket: string, until: number | null): Promise<void> {
    return LC.leaseLifecycle(this.#kit.db, bucket, until);
  }

  lifecycleCandidates(
    bucket: string,
    prefix: string,
    after: string | undefined,
    limit: number,
  ): Promise<LifecycleCandidate[]> {
    return LC.lifecycleCandidates(this.#kit.db, bucket, prefix, after, limit);
  }

  expireObject(
    bucket: string,
    key: string,
    objectId: string,
    now: number,
    retainedAfter?: RetainedAfter,
  ): Promise<string[] | undefined> {
    return this.#objects.expireCurrent(bucket, key, objectId, now, retainedAfter);
  }

  noncurrentCandidates(
    bucket: string,
    prefix: string,
    after: { key: string; seq: number } | undefined,
    limit: number,
  ) {
    return LC.noncurrentCandidates(this.#kit.db, bucket, prefix, after, limit);
  }

  transitionObject(bucket: string, key: string, objectId: string, from: string, to: string) {
    return LC.transitionObject(this.#kit.db, bucket, key, objectId, from, to);
  }

  // ---- retention policies (store-sql-worm.ts)

  getBucketWorm(bucket: string): Promise<BucketWorm | undefined> {
    return worm.getBucketWorm(this.#kit.db, bucket);
  }

  initiateBucketWorm(w: BucketWorm, voidBefore: number): Promise<InitiateWormResult> {
    return worm.initiateBucketWorm(this.#kit.db, w, voidBefore);
  }

  abortBucketWorm(bucket: string, voidBefore: number): Promise<boolean> {
    return worm.abortBucketWorm(this.#kit.db, bucket, voidBefore);
  }

  completeBucketWorm(bucket: string, wormId: string, voidBefore: number): Promise<boolean> {
    return worm.completeBucketWorm(this.#kit.db, bucket, wormId, voidBefore);
  }

  extendBucketWorm(bucket: string, wormId: string, days: number): Promise<boolean> {
    return worm.extendBucketWorm(this.#kit.db, bucket, wormId, days);
  }

  async referencedBlobs(blobIds: readonly string[]): Promise<Set<string>> {
    const used = new Set<string>();
    for (const batch of chunks(blobIds)) {
      for (const table of ['oss_segments', 'oss_parts']) {
        const rows: any[] = await this.#kit.db.k
          .selectFrom(table)
          .select('blob_id')
          .where('blob_id', 'in', batch)
          .execute();
        for (const r of rows) used.add(r.blob_id);
      }
    }
    return used;
  }
}
