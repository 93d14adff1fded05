/**
 * @module OSS metadata in SQL, one implementation for SQLite and PostgreSQL (Kysely). Each
 * mutation is one transaction; races between nodes are settled by constraints (bucket name,
 * (bucket, key), (upload, part number)) with one retry, never by read-then-write alone.
 */
import { createHash } from 'node:crypto';
import { crc64Combine } from '../../blob/crc64.js';
import { CompiledQuery, type Compilable } from 'kysely';
import { StoreError } from '../../kernel/errors.js';
import type { Db } from '../../store/db.js';
import type { CacheSpec } from '../../store/read-cache.js';
import {
  prefixEnd,
  type Bucket,
  type ObjectSummary,
  type OssObject,
  type Part,
  type StoredSegment,
  type Upload,
} from './model.js';
import type {
  AppendResult,
  BucketPatch,
  BucketStats,
  KeyRange,
  LifecycleCandidate,
  ObjectPatch,
  OssStore,
} from './store.js';
import * as LC from './store-sql-lifecycle.js';
import {
  bucketStats,
  getAccountPublicAccessBlock,
  setAccountPublicAccessBlock,
} from './store-sql-config.js';

/** Name of the lock writers of one object key take. */
function objectLock(bucket: string, key: string): string {
  return `oss:object:${bucket}/${key}`;
}

/** Rows per `in (...)` list. */
const BATCH = 500;

const toBucket = (r: any): Bucket => ({
  name: r.name,
  accountId: r.account_id,
  region: r.region,
  acl: r.acl,
  storageClass: r.storage_class,
  redundancy: r.redundancy,
  createdAt: Number(r.created_at),
  ...(r.policy != null ? { policy: r.policy } : {}),
  ...(r.cors != null ? { cors: r.cors } : {}),
  ...(r.website != null ? { website: r.website } : {}),
  ...(r.logging != null ? { logging: r.logging } : {}),
  ...(r.encryption != null ? { encryption: JSON.parse(r.encryption) } : {}),
  ...(r.referer != null ? { referer: JSON.parse(r.referer) } : {}),
  ...(r.request_payer === 'Requester' ? { requestPayer: 'Requester' as const } : {}),
  ...(r.public_access_block != null ? { blockPublicAccess: r.public_access_block === 'true' } : {}),
});

/** A JSON column's value for a patch field: unchanged, cleared (`null`) or the document. */
function jsonColumn(v: object | null | undefined): string | null | undefined {
  return v === undefined ? undefined : v === null ? null : JSON.stringify(v);
}

const toSummary = (r: any): ObjectSummary => ({
  key: r.key,
  size: Number(r.size),
  etag: r.etag,
  objectType: r.object_type,
  storageClass: r.storage_class,
  lastModified: Number(r.last_modified),
});

const toUpload = (r: any): Upload => ({
  uploadId: r.upload_id,
  bucket: r.bucket,
  key: r.key,
  initiated: Number(r.initiated),
  headers: JSON.parse(r.headers),
  acl: r.acl,
  storageClass: r.storage_class,
  ...(r.sequential ? { sequential: true } : {}),
});

const toPart = (r: any): Part => ({
  uploadId: r.upload_id,
  partNumber: Number(r.part_number),
  blobId: r.blob_id,
  size: Number(r.size),
  etag: r.etag,
  crc64: r.crc64,
  lastModified: Number(r.last_modified),
});

function objectRow(o: OssObject): Record<string, unknown> {
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
  };
}

function segmentRows(objectId: string, segments: readonly StoredSegment[], from = 0) {
  return segments.map((s, i) => ({
    object_id: objectId,
    seq: from + i,
    blob_id: s.blobId,
    size: s.size,
    md5: s.md5,
    crc64: s.crc64,
  }));
}

function chunks<T>(items: readonly T[], size = BATCH): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The read cache of bucket-and-object lookups (every GET and HEAD makes one). */
const OBJECT_CACHE: CacheSpec = {
  name: 'oss-objects',
  tables: ['oss_buckets', 'oss_objects', 'oss_segments'],
  max: 4096,
};

/** OSS metadata over a {@link Db}. */
export class OssSqlStore implements OssStore {
  readonly #db: Db;
  readonly #compiled = new Map<string, { sql: string; slots: number[] }>();
  constructor(db: Db) {
    this.#db = db;
  }

  /**
   * Runs a hot query compiled once (with placeholder arguments) and then only re-parameterised,
   * so the request path pays no query building.
   */
  async #hot(name: string, build: (...args: string[]) => Compilable<unknown>, args: string[]) {
    let c = this.#compiled.get(name);
    if (c === undefined) {
      const marks = args.map((_, i) => `\u0000yunbox-arg-${i}\u0000`);
      const compiled = build(...marks).compile();
      const slots = compiled.parameters.map((p) => marks.indexOf(p as string));
      // INVARIANT: every parameter of a hot query is one of its arguments.
      if (slots.includes(-1)) throw new Error(`hot query \`${name}\` has a constant parameter`);
      c = { sql: compiled.sql, slots };
      this.#compiled.set(name, c);
    }
    const r = await this.#db.k.executeQuery(
      CompiledQuery.raw(
        c.sql,
        c.slots.map((i) => args[i]),
      ),
    );
    return r.rows as any[];
  }

  /**
   * Runs `fn` in a transaction holding the cluster-wide lock `name` (a PostgreSQL advisory lock
   * on the key being written, so writers of one key queue instead of racing), and once more if a
   * uniqueness race was lost anyway.
   */
  async #locked<T>(name: string, fn: (tx: Db) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#db.withLock(name, fn);
      } catch (e) {
        if (attempt < 2 && this.#db.dialect.isUniqueViolation(e)) continue;
        throw e;
      }
    }
  }

  #translate(e: unknown, entity: string): unknown {
    if (this.#db.dialect.isUniqueViolation(e)) return new StoreError('AlreadyExists', entity);
    if (this.#db.dialect.isForeignKeyViolation(e)) return new StoreError('NotFound', entity);
    return e;
  }

  // ---- buckets

  async createBucket(bucket: Bucket, max: number): Promise<void> {
    try {
      await this.#db.withLock(`oss:buckets:${bucket.accountId}`, async (tx) => {
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
      throw this.#translate(e, 'bucket');
    }
  }

  getBucket(name: string): Promise<Bucket | undefined> {
    return this.#db.cached(OBJECT_CACHE, `bucket/${name}`, async () => {
      const [r] = await this.#hot(
        'getBucket',
        (n) => this.#db.k.selectFrom('oss_buckets').selectAll().where('name', '=', n),
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
    let q = this.#db.k.selectFrom('oss_buckets').selectAll().where('account_id', '=', accountId);
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
    if (patch.blockPublicAccess !== undefined) {
      set.public_access_block =
        patch.blockPublicAccess === null ? null : String(patch.blockPublicAccess);
    }
    if (Object.keys(set).length === 0) return;
    const r = await this.#db.k
      .updateTable('oss_buckets')
      .set(set)
      .where('name', '=', name)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) throw new StoreError('NotFound', 'bucket');
  }

  async deleteBucket(name: string): Promise<void> {
    try {
      await this.#db.transaction(async (tx) => {
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
      if (this.#db.dialect.isForeignKeyViolation(e)) throw new StoreError('Conflict', 'objects');
      throw e;
    }
  }

  // ---- objects

  async getObject(bucket: string, key: string): Promise<OssObject | undefined> {
    return (await this.getBucketAndObject(bucket, key, false)).object;
  }

  getBucketAndObject(
    bucket: string,
    key: string,
    withBucket = true,
  ): Promise<{ bucket?: Bucket; object?: OssObject }> {
    return this.#db.cached(OBJECT_CACHE, `${withBucket ? 'b' : 'o'}/${bucket}/${key}`, () =>
      this.#readBucketAndObject(bucket, key, withBucket),
    );
  }

  async #readBucketAndObject(
    bucket: string,
    key: string,
    withBucket: boolean,
  ): Promise<{ bucket?: Bucket; object?: OssObject }> {
    const objectColumns = [
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
      's.blob_id as s_blob_id',
      's.size as s_size',
      's.md5 as s_md5',
      's.crc64 as s_crc64',
    ];
    const k = this.#db.k;
    const rows = withBucket
      ? await this.#hot(
          'getBucketAndObject',
          (b, o) =>
            k
              .selectFrom('oss_buckets as b')
              .leftJoin('oss_objects as o', (j: any) =>
                j.onRef('o.bucket', '=', 'b.name').on('o.key', '=', o),
              )
              .leftJoin('oss_segments as s', 's.object_id', 'o.object_id')
              .selectAll('b')
              .select(objectColumns)
              .where('b.name', '=', b)
              .orderBy('s.seq'),
          [bucket, key],
        )
      : await this.#hot(
          'getObject',
          (b, o) =>
            k
              .selectFrom('oss_objects as o')
              .leftJoin('oss_segments as s', 's.object_id', 'o.object_id')
              .select(objectColumns)
              .where('o.bucket', '=', b)
              .where('o.key', '=', o)
              .orderBy('s.seq'),
          [bucket, key],
        );
    const r = rows[0];
    if (!r) return {};
    const out: { bucket?: Bucket; object?: OssObject } = withBucket ? { bucket: toBucket(r) } : {};
    if (r.o_object_id != null) {
      out.object = {
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
    return out;
  }

  /** Inside `tx`: replaces the object at the key; returns the blobs of the replaced one. */
  async #replace(tx: Db, object: OssObject, forbidOverwrite: boolean): Promise<string[]> {
    const old: any = await tx.k
      .selectFrom('oss_objects')
      .select('object_id')
      .where('bucket', '=', object.bucket)
      .where('key', '=', object.key)
      .executeTakeFirst();
    const dropped: string[] = [];
    if (old) {
      if (forbidOverwrite) throw new StoreError('AlreadyExists', 'object');
      const segs: any[] = await tx.k
        .selectFrom('oss_segments')
        .select('blob_id')
        .where('object_id', '=', old.object_id)
        .execute();
      for (const s of segs) dropped.push(s.blob_id);
      await tx.k.deleteFrom('oss_segments').where('object_id', '=', old.object_id).execute();
      await tx.k.deleteFrom('oss_objects').where('object_id', '=', old.object_id).execute();
    }
    await tx.k.insertInto('oss_objects').values(objectRow(object)).execute();
    for (const batch of chunks(segmentRows(object.objectId, object.segments))) {
      await tx.k.insertInto('oss_segments').values(batch).execute();
    }
    return dropped;
  }

  async putObject(object: OssObject, options: { forbidOverwrite?: boolean } = {}) {
    try {
      return await this.#locked(objectLock(object.bucket, object.key), (tx) =>
        this.#replace(tx, object, options.forbidOverwrite ?? false),
      );
    } catch (e) {
      if (e instanceof StoreError) throw e;
      throw this.#translate(e, 'bucket');
    }
  }

  async updateObject(bucket: string, key: string, patch: ObjectPatch): Promise<boolean> {
    const set: Record<string, unknown> = {};
    if (patch.acl !== undefined) set.acl = patch.acl;
    if (patch.headers !== undefined) set.headers = JSON.stringify(patch.headers);
    if (patch.storageClass !== undefined) set.storage_class = patch.storageClass;
    if (patch.lastModified !== undefined) set.last_modified = patch.lastModified;
    if (Object.keys(set).length === 0) return (await this.getObject(bucket, key)) !== undefined;
    const r = await this.#db.k
      .updateTable('oss_objects')
      .set(set)
      .where('bucket', '=', bucket)
      .where('key', '=', key)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async appendObject(
    create: OssObject,
    position: number,
    segment: { blobId: string; size: number; md5Hex: string; crc64: string },
    now: number,
  ): Promise<AppendResult> {
    try {
      return await this.#locked(
        objectLock(create.bucket, create.key),
        async (tx): Promise<AppendResult> => {
          const row: any = await tx.k
            .selectFrom('oss_objects')
            .select(['object_id', 'size', 'object_type', 'etag', 'crc64'])
            .where('bucket', '=', create.bucket)
            .where('key', '=', create.key)
            .executeTakeFirst();
          const seg: StoredSegment = {
            blobId: segment.blobId,
            size: segment.size,
            md5: segment.md5Hex,
            crc64: segment.crc64,
          };
          if (!row) {
            if (position !== 0) return { ok: false, reason: 'position', length: 0 };
            await this.#replace(tx, { ...create, segments: [seg] }, false);
            return { ok: true, object: { ...create, segments: [seg] } };
          }
          if (row.object_type !== 'Appendable') return { ok: false, reason: 'not-appendable' };
          const size = Number(row.size);
          if (size !== position) return { ok: false, reason: 'position', length: size };
          // The ETag of an appendable object changes with each append: MD5 over the previous ETag
          // and the appended bytes' MD5 (OSS does not document its own derivation).
          const etag = `"${createHash('md5')
            .update(String(row.etag).replace(/"/g, '') + segment.md5Hex)
            .digest('hex')
            .toUpperCase()}"`;
          const crc64 = crc64Combine(row.crc64, segment.crc64, segment.size);
          const r = await tx.k
            .updateTable('oss_objects')
            .set({ size: size + segment.size, etag, crc64, last_modified: now })
            .where('object_id', '=', row.object_id)
            .where('size', '=', position)
            .executeTakeFirst();
          if (Number(r.numUpdatedRows) !== 1) {
            const fresh: any = await tx.k
              .selectFrom('oss_objects')
              .select('size')
              .where('object_id', '=', row.object_id)
              .executeTakeFirst();
            return { ok: false, reason: 'position', length: Number(fresh?.size ?? 0) };
          }
          const last: any = await tx.k
            .selectFrom('oss_segments')
            .select((eb: any) => eb.fn.max('seq').as('m'))
            .where('object_id', '=', row.object_id)
            .executeTakeFirst();
          const seq = last?.m == null ? 0 : Number(last.m) + 1;
          await tx.k
            .insertInto('oss_segments')
            .values(segmentRows(row.object_id, [seg], seq))
            .execute();
          return {
            ok: true,
            object: {
              ...create,
              objectId: row.object_id,
              size: size + segment.size,
              etag,
              crc64,
              lastModified: now,
              segments: [seg],
            },
          };
        },
      );
    } catch (e) {
      if (e instanceof StoreError) throw e;
      throw this.#translate(e, 'bucket');
    }
  }

  async deleteObjects(bucket: string, keys: readonly string[]): Promise<string[]> {
    if (keys.length === 0) return [];
    return this.#db.transaction(async (tx) => {
      const dropped: string[] = [];
      for (const batch of chunks([...new Set(keys)])) {
        const rows: any[] = await tx.k
          .selectFrom('oss_objects as o')
          .innerJoin('oss_segments as s', 's.object_id', 'o.object_id')
          .select('s.blob_id')
          .where('o.bucket', '=', bucket)
          .where('o.key', 'in', batch)
          .execute();
        for (const r of rows) dropped.push(r.blob_id);
        const ids: any[] = await tx.k
          .selectFrom('oss_objects')
          .select('object_id')
          .where('bucket', '=', bucket)
          .where('key', 'in', batch)
          .execute();
        if (ids.length === 0) continue;
        const objectIds = ids.map((r) => r.object_id);
        await tx.k.deleteFrom('oss_segments').where('object_id', 'in', objectIds).execute();
        await tx.k.deleteFrom('oss_objects').where('object_id', 'in', objectIds).execute();
      }
      return dropped;
    });
  }

  #keyRange(q: any, range: KeyRange, idColumn?: string): any {
    if (range.prefix !== '') {
      q = q.where('key', '>=', range.prefix);
      const end = prefixEnd(range.prefix);
      if (end !== undefined) q = q.where('key', '<', end);
    }
    const lower = range.lower;
    if (lower) {
      if (lower.inclusive) q = q.where('key', '>=', lower.key);
      else if (lower.id !== undefined && idColumn !== undefined) {
        const { key, id } = lower;
        q = q.where((eb: any) =>
          eb.or([eb('key', '>', key), eb.and([eb('key', '=', key), eb(idColumn, '>', id)])]),
        );
      } else q = q.where('key', '>', lower.key);
    }
    return q.limit(range.limit);
  }

  async listObjects(bucket: string, range: KeyRange): Promise<ObjectSummary[]> {
    const q = this.#db.k
      .selectFrom('oss_objects')
      .select(['key', 'size', 'etag', 'object_type', 'storage_class', 'last_modified'])
      .where('bucket', '=', bucket)
      .orderBy('key');
    const rows: any[] = await this.#keyRange(q, range).execute();
    return rows.map(toSummary);
  }

  // ---- multipart

  async createUpload(u: Upload): Promise<void> {
    try {
      await this.#db.k
        .insertInto('oss_uploads')
        .values({
          upload_id: u.uploadId,
          bucket: u.bucket,
          key: u.key,
          initiated: u.initiated,
          headers: JSON.stringify(u.headers),
          acl: u.acl,
          storage_class: u.storageClass,
          ...(u.sequential ? { sequential: 1 } : {}),
        })
        .execute();
    } catch (e) {
      throw this.#translate(e, 'bucket');
    }
  }

  async getUpload(uploadId: string): Promise<Upload | undefined> {
    const r = await this.#db.k
      .selectFrom('oss_uploads')
      .selectAll()
      .where('upload_id', '=', uploadId)
      .executeTakeFirst();
    return r ? toUpload(r) : undefined;
  }

  async putPart(part: Part): Promise<string | undefined> {
    try {
      return await this.#locked(`oss:part:${part.uploadId}:${part.partNumber}`, async (tx) => {
        const up = await tx.k
          .selectFrom('oss_uploads')
          .select('upload_id')
          .where('upload_id', '=', part.uploadId)
          .executeTakeFirst();
        if (!up) throw new StoreError('NotFound', 'upload');
        const old: any = await tx.k
          .deleteFrom('oss_parts')
          .where('upload_id', '=', part.uploadId)
          .where('part_number', '=', part.partNumber)
          .returning('blob_id')
          .executeTakeFirst();
        await tx.k
          .insertInto('oss_parts')
          .values({
            upload_id: part.uploadId,
            part_number: part.partNumber,
            blob_id: part.blobId,
            size: part.size,
            etag: part.etag,
            crc64: part.crc64,
            last_modified: part.lastModified,
          })
          .execute();
        return old?.blob_id as string | undefined;
      });
    } catch (e) {
      if (e instanceof StoreError) throw e;
      throw this.#translate(e, 'upload');
    }
  }

  async listParts(uploadId: string, after: number, limit: number): Promise<Part[]> {
    const rows = await this.#db.k
      .selectFrom('oss_parts')
      .selectAll()
      .where('upload_id', '=', uploadId)
      .where('part_number', '>', after)
      .orderBy('part_number')
      .limit(limit)
      .execute();
    return rows.map(toPart);
  }

  async lastPartNumber(uploadId: string): Promise<number> {
    const r: any = await this.#db.k
      .selectFrom('oss_parts')
      .select((eb: any) => eb.fn.max('part_number').as('n'))
      .where('upload_id', '=', uploadId)
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  async allParts(uploadId: string): Promise<Part[]> {
    const rows = await this.#db.k
      .selectFrom('oss_parts')
      .selectAll()
      .where('upload_id', '=', uploadId)
      .orderBy('part_number')
      .execute();
    return rows.map(toPart);
  }

  /** Inside `tx`: removes an upload and its parts; returns the parts' blobs. */
  async #dropUpload(tx: Db, uploadId: string): Promise<string[]> {
    const parts: any[] = await tx.k
      .deleteFrom('oss_parts')
      .where('upload_id', '=', uploadId)
      .returning('blob_id')
      .execute();
    const r = await tx.k
      .deleteFrom('oss_uploads')
      .where('upload_id', '=', uploadId)
      .executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) throw new StoreError('NotFound', 'upload');
    return parts.map((p) => p.blob_id);
  }

  async completeUpload(
    uploadId: string,
    object: OssObject,
    options: { forbidOverwrite?: boolean } = {},
  ): Promise<string[]> {
    try {
      return await this.#locked(objectLock(object.bucket, object.key), async (tx) => {
        const partBlobs = await this.#dropUpload(tx, uploadId);
        const used = new Set(object.segments.map((s) => s.blobId));
        const dropped = partBlobs.filter((b) => !used.has(b));
        dropped.push(...(await this.#replace(tx, object, options.forbidOverwrite ?? false)));
        return dropped;
      });
    } catch (e) {
      if (e instanceof StoreError) throw e;
      throw this.#translate(e, 'bucket');
    }
  }

  async abortUpload(uploadId: string): Promise<string[]> {
    return this.#db.transaction((tx) => this.#dropUpload(tx, uploadId));
  }

  async listUploads(bucket: string, range: KeyRange): Promise<Upload[]> {
    const q = this.#db.k
      .selectFrom('oss_uploads')
      .selectAll()
      .where('bucket', '=', bucket)
      .orderBy('key')
      .orderBy('upload_id');
    const rows: any[] = await this.#keyRange(q, range, 'upload_id').execute();
    return rows.map(toUpload);
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
      await this.#db.withLock(`oss:inventories:${bucket}`, async (tx) => {
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
      throw this.#translate(e, 'bucket');
    }
  }

  async getInventory(bucket: string, id: string): Promise<string | undefined> {
    const r: any = await this.#db.k
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
    let q = this.#db.k
      .selectFrom('oss_inventories')
      .select(['id', 'config'])
      .where('bucket', '=', bucket);
    if (after !== '') q = q.where('id', '>', after);
    const rows: any[] = await q.orderBy('id').limit(limit).execute();
    return rows.map((r) => ({ id: r.id, config: r.config }));
  }

  async deleteInventory(bucket: string, id: string): Promise<boolean> {
    const r = await this.#db.k
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
    const rows: any[] = await this.#db.k
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
    const r = await this.#db.k
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
    return bucketStats(this.#db, bucket);
  }

  getAccountPublicAccessBlock(accountId: string): Promise<boolean | undefined> {
    return getAccountPublicAccessBlock(this.#db, accountId);
  }

  setAccountPublicAccessBlock(accountId: string, block: boolean | null): Promise<void> {
    return setAccountPublicAccessBlock(this.#db, accountId, block);
  }

  // ---- lifecycle (store-sql-lifecycle.ts)

  async putLifecycle(bucket: string, rules: string, sweptThrough: number): Promise<void> {
    try {
      await LC.putLifecycle(this.#db, bucket, rules, sweptThrough);
    } catch (e) {
      if (this.#db.dialect.isForeignKeyViolation(e)) throw new StoreError('NotFound', 'bucket');
      throw e;
    }
  }

  getLifecycle(bucket: string): Promise<string | undefined> {
    return LC.getLifecycle(this.#db, bucket);
  }

  deleteLifecycle(bucket: string): Promise<boolean> {
    return LC.deleteLifecycle(this.#db, bucket);
  }

  dueLifecycles(boundary: number, limit: number) {
    return LC.dueLifecycles(this.#db, boundary, limit);
  }

  claimLifecycle(bucket: string, boundary: number, realNow: number, leaseUntil: number) {
    return LC.claimLifecycle(this.#db, bucket, boundary, realNow, leaseUntil);
  }

  leasedLifecycles(realNow: number, limit: number): Promise<string[]> {
    return LC.leasedLifecycles(this.#db, realNow, limit);
  }

  leaseLifecycle(bucket: string, until: number | null): Promise<void> {
    return LC.leaseLifecycle(this.#db, bucket, until);
  }

  lifecycleCandidates(
    bucket: string,
    prefix: string,
    after: string | undefined,
    limit: number,
  ): Promise<LifecycleCandidate[]> {
    return LC.lifecycleCandidates(this.#db, bucket, prefix, after, limit);
  }

  expireObject(bucket: string, key: string, objectId: string): Promise<string[] | undefined> {
    // Under the key's lock, which every writer of the key takes: the check and the ordinary
    // delete act on one version, never on an object written meanwhile.
    return this.#locked(objectLock(bucket, key), async (tx) =>
      (await LC.isSameObject(tx, bucket, key, objectId))
        ? new OssSqlStore(tx).deleteObjects(bucket, [key])
        : undefined,
    );
  }

  transitionObject(bucket: string, key: string, objectId: string, from: string, to: string) {
    return LC.transitionObject(this.#db, bucket, key, objectId, from, to);
  }

  async referencedBlobs(blobIds: readonly string[]): Promise<Set<string>> {
    const used = new Set<string>();
    for (const batch of chunks(blobIds)) {
      for (const table of ['oss_segments', 'oss_parts']) {
        const rows: any[] = await this.#db.k
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
