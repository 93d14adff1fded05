/**
 * @module OSS objects and their versions in SQL (`oss_objects`, `oss_segments`; migration 0004).
 *
 * Every version of a key is a row with its own `object_id`; the current one has `is_latest = 1`
 * (a partial unique index keeps it one, and serves the hot lookup and listings). A key's versions
 * are ordered by `seq`, assigned under the key's lock: a write demotes the current version and
 * takes the next number. In a bucket never versioned a key has one row, the `null` version,
 * replaced in place as before versioning existed, so its hot path costs what it did.
 */
import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { crc64Combine } from '../../blob/crc64.js';
import { isStoreError } from '../../kernel/errors.js';
import type { Db } from '../../store/db.js';
import {
  versionFor,
  prefixEnd,
  type Bucket,
  type ObjectSummary,
  type OssObject,
  type StoredSegment,
  type VersioningStatus,
} from './model.js';
import {
  RETAINED,
  type AppendResult,
  type DeleteOutcome,
  type DeleteTarget,
  type KeyRange,
  type ObjectPatch,
  type RetainedAfter,
  type VersionSummary,
  type WriteOptions,
} from './store.js';
import { OBJECT_CACHE, chunks, objectLock, toBucket, type SqlKit } from './store-sql-common.js';
import {
  LATEST,
  OBJECT_COLUMNS,
  dropRow,
  promote,
  refuseRetained,
  segmentRows,
  toObject,
  toSummary,
  writeVersion,
} from './store-sql-versions.js';

/** The object methods of the OSS SQL store (see {@link OssStore}). */
export class SqlObjects {
  readonly #kit: SqlKit;
  constructor(kit: SqlKit) {
    this.#kit = kit;
  }

  async getObject(bucket: string, key: string): Promise<OssObject | undefined> {
    const o = (await this.getBucketAndObject(bucket, key, false)).object;
    return o?.deleteMarker ? undefined : o;
  }

  getBucketAndObject(
    bucket: string,
    key: string,
    withBucket = true,
  ): Promise<{ bucket?: Bucket; object?: OssObject }> {
    return this.#kit.db.cached(OBJECT_CACHE, `${withBucket ? 'b' : 'o'}/${bucket}/${key}`, () =>
      this.#readBucketAndObject(bucket, key, withBucket),
    );
  }

  async #readBucketAndObject(
    bucket: string,
    key: string,
    withBucket: boolean,
  ): Promise<{ bucket?: Bucket; object?: OssObject }> {
    const k = this.#kit.db.k;
    const rows = withBucket
      ? await this.#kit.hot(
          'getBucketAndObject',
          (b, o) =>
            k
              .selectFrom('oss_buckets as b')
              .leftJoin('oss_objects as o', (j: any) =>
                j
                  .onRef('o.bucket', '=', 'b.name')
                  .on('o.key', '=', o)
                  .on('o.is_latest', '=', LATEST),
              )
              .leftJoin('oss_segments as s', 's.object_id', 'o.object_id')
              .selectAll('b')
              .select(OBJECT_COLUMNS)
              .where('b.name', '=', b)
              .orderBy('s.seq'),
          [bucket, key],
        )
      : await this.#kit.hot(
          'getObject',
          (b, o) =>
            k
              .selectFrom('oss_objects as o')
              .leftJoin('oss_segments as s', 's.object_id', 'o.object_id')
              .select(OBJECT_COLUMNS)
              .where('o.bucket', '=', b)
              .where('o.key', '=', o)
              .where('o.is_latest', '=', LATEST)
              .orderBy('s.seq'),
          [bucket, key],
        );
    const r = rows[0];
    if (!r) return {};
    const out: { bucket?: Bucket; object?: OssObject } = withBucket ? { bucket: toBucket(r) } : {};
    const object = toObject(bucket, rows);
    if (object) out.object = object;
    return out;
  }

  async getObjectVersion(
    bucket: string,
    key: string,
    versionId: string,
  ): Promise<OssObject | undefined> {
    const rows = await this.#kit.hot(
      'getObjectVersion',
      (b, o, v) =>
        this.#kit.db.k
          .selectFrom('oss_objects as o')
          .leftJoin('oss_segments as s', 's.object_id', 'o.object_id')
          .select(OBJECT_COLUMNS)
          .where('o.bucket', '=', b)
          .where('o.key', '=', o)
          .where('o.version_id', '=', v)
          .orderBy('s.seq'),
      [bucket, key, versionId],
    );
    return toObject(bucket, rows);
  }

  async putObject(object: OssObject, options: WriteOptions = {}): Promise<string[]> {
    try {
      return await this.#kit.locked(objectLock(object.bucket, object.key), (tx) =>
        writeVersion(tx, object, options),
      );
    } catch (e) {
      throw this.#kit.translate(e, 'bucket');
    }
  }

  async updateObject(
    bucket: string,
    key: string,
    patch: ObjectPatch,
    versionId?: string,
    retainedAfter?: RetainedAfter,
  ): Promise<boolean> {
    const set: Record<string, unknown> = {};
    if (patch.acl !== undefined) set.acl = patch.acl;
    if (patch.headers !== undefined) set.headers = JSON.stringify(patch.headers);
    if (patch.storageClass !== undefined) set.storage_class = patch.storageClass;
    if (patch.lastModified !== undefined) set.last_modified = patch.lastModified;
    if (Object.keys(set).length === 0) {
      const o =
        versionId === undefined
          ? await this.getObject(bucket, key)
          : await this.getObjectVersion(bucket, key, versionId);
      return o !== undefined && !o.deleteMarker;
    }
    let q = this.#kit.db.k
      .updateTable('oss_objects')
      .set(set)
      .where('bucket', '=', bucket)
      .where('key', '=', key)
      .where('delete_marker', '=', 0);
    q =
      versionId === undefined
        ? q.where('is_latest', '=', LATEST)
        : q.where('version_id', '=', versionId);
    if (retainedAfter === undefined) return Number((await q.executeTakeFirst()).numUpdatedRows) > 0;
    // Under retention the change is conditional on the version's age, in one statement; when it
    // changed nothing, the version is either missing or held.
    const r = await q.where('last_modified', '<=', retainedAfter).executeTakeFirst();
    if (Number(r.numUpdatedRows) > 0) return true;
    const o =
      versionId === undefined
        ? await this.getObject(bucket, key)
        : await this.getObjectVersion(bucket, key, versionId);
    if (o === undefined || o.deleteMarker) return false;
    refuseRetained({ last_modified: o.lastModified }, retainedAfter);
    return false;
  }

  async appendObject(
    create: OssObject,
    position: number,
    segment: { blobId: string; size: number; md5Hex: string; crc64: string },
    now: number,
    options: WriteOptions = {},
  ): Promise<AppendResult> {
    try {
      return await this.#kit.locked(
        objectLock(create.bucket, create.key),
        async (tx): Promise<AppendResult> => {
          const row: any = await tx.k
            .selectFrom('oss_objects')
            .select(['object_id', 'size', 'object_type', 'etag', 'crc64', 'version_id'])
            .select(['delete_marker', 'last_modified'])
            .where('bucket', '=', create.bucket)
            .where('key', '=', create.key)
            .where('is_latest', '=', LATEST)
            .executeTakeFirst();
          const seg: StoredSegment = {
            blobId: segment.blobId,
            size: segment.size,
            md5: segment.md5Hex,
            crc64: segment.crc64,
          };
          // A key without a current object, or whose current version is a delete marker, takes
          // a new appendable version at position 0 (doc: AppendObject, versioning).
          if (!row || Number(row.delete_marker) === 1) {
            if (position !== 0) return { ok: false, reason: 'position', length: 0 };
            const object = { ...create, segments: [seg] };
            await writeVersion(tx, object, {
              versioning: options.versioning,
              retainedAfter: options.retainedAfter,
            });
            return { ok: true, object };
          }
          if (row.object_type !== 'Appendable') return { ok: false, reason: 'not-appendable' };
          const size = Number(row.size);
          if (size !== position) return { ok: false, reason: 'position', length: size };
          // Appending changes the version's bytes: refused while it is retained.
          refuseRetained(row, options.retainedAfter);
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
          // Appending changes the current version in place: no new version (doc: AppendObject).
          return {
            ok: true,
            object: {
              ...create,
              objectId: row.object_id,
              versionId: row.version_id,
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
      throw this.#kit.translate(e, 'bucket');
    }
  }

  async deleteObjects(
    bucket: string,
    keys: readonly string[],
    retainedAfter?: RetainedAfter,
  ): Promise<string[]> {
    if (keys.length === 0) return [];
    return this.#kit.db.transaction(async (tx) => {
      // Every row is checked before any goes (all or nothing), and only the rows checked are
      // deleted: a version written meanwhile by another transaction is not among them.
      const objectIds: string[] = [];
      for (const batch of chunks([...new Set(keys)])) {
        const rows: any[] = await tx.k
          .selectFrom('oss_objects')
          .select(['object_id', 'last_modified', 'delete_marker'])
          .where('bucket', '=', bucket)
          .where('key', 'in', batch)
          .execute();
        for (const r of rows) {
          refuseRetained(r, retainedAfter);
          objectIds.push(r.object_id);
        }
      }
      const dropped: string[] = [];
      for (const batch of chunks(objectIds)) {
        const segs: any[] = await tx.k
          .deleteFrom('oss_segments')
          .where('object_id', 'in', batch)
          .returning('blob_id')
          .execute();
        for (const r of segs) dropped.push(r.blob_id);
        await tx.k.deleteFrom('oss_objects').where('object_id', 'in', batch).execute();
      }
      return dropped;
    });
  }

  async deleteVersions(
    bucket: string,
    targets: readonly DeleteTarget[],
    versioning: VersioningStatus | undefined,
    now: number,
    retainedAfter?: RetainedAfter,
  ): Promise<{ outcomes: DeleteOutcome[]; dropped: string[] }> {
    if (targets.length === 0) return { outcomes: [], dropped: [] };
    // One transaction holding every key's lock, taken in one (sorted) order so two such deletes
    // cannot deadlock: what one target finds retained undoes the others.
    const keys = [...new Set(targets.map((t) => t.key))].sort();
    return this.#kit.db.transaction(async (tx) => {
      for (const key of keys) await tx.withLock(objectLock(bucket, key), async () => {});
      const outcomes: DeleteOutcome[] = [];
      const dropped: string[] = [];
      for (const t of targets) {
        if (t.versionId === undefined && versioning === undefined) {
          dropped.push(...(await this.#deleteIn(tx, bucket, t.key, retainedAfter)));
          outcomes.push({ key: t.key });
          continue;
        }
        const r =
          t.versionId !== undefined
            ? await this.#deleteVersion(tx, bucket, t.key, t.versionId, retainedAfter)
            : await this.#deleteWithMarker(tx, bucket, t.key, versioning!, now, retainedAfter);
        outcomes.push(r.outcome);
        dropped.push(...r.dropped);
      }
      return { outcomes, dropped };
    });
  }

  /** Inside `tx`: deletes every version of `key` (a bucket never versioned has one). */
  async #deleteIn(
    tx: Db,
    bucket: string,
    key: string,
    retainedAfter: RetainedAfter,
  ): Promise<string[]> {
    const rows: any[] = await tx.k
      .selectFrom('oss_objects')
      .select(['object_id', 'last_modified', 'delete_marker'])
      .where('bucket', '=', bucket)
      .where('key', '=', key)
      .execute();
    for (const r of rows) refuseRetained(r, retainedAfter);
    const dropped: string[] = [];
    for (const r of rows) dropped.push(...(await dropRow(tx, r.object_id)));
    return dropped;
  }

  /**
   * Lifecycle expiration of the current version `objectId` of `key`, under the key's lock: in a
   * bucket never versioned the object goes; with versioning a delete marker made at `now` becomes
   * current (doc: lifecycle rules on versioned buckets). `undefined` when `objectId` is no longer
   * the key's current object (written or deleted meanwhile); else the blobs to free.
   */
  async expireCurrent(
    bucket: string,
    key: string,
    objectId: string,
    now: number,
    retainedAfter?: RetainedAfter,
  ): Promise<string[] | undefined> {
    return this.#kit
      .locked(objectLock(bucket, key), async (tx) => {
        const row: any = await tx.k
          .selectFrom('oss_objects')
          .select(['object_id', 'last_modified'])
          .where('bucket', '=', bucket)
          .where('key', '=', key)
          .where('object_id', '=', objectId)
          .where('is_latest', '=', LATEST)
          .where('delete_marker', '=', sql.lit(0))
          .executeTakeFirst();
        if (!row) return undefined;
        const b: any = await tx.k
          .selectFrom('oss_buckets')
          .select('versioning')
          .where('name', '=', bucket)
          .executeTakeFirst();
        const versioning = (b?.versioning ?? undefined) as VersioningStatus | undefined;
        if (versioning === undefined) {
          refuseRetained(row, retainedAfter);
          return dropRow(tx, objectId);
        }
        return (await this.#deleteWithMarker(tx, bucket, key, versioning, now, retainedAfter))
          .dropped;
      })
      .catch((e: unknown) => {
        // A retained object outlives any rule until its period ends: left alone, not refused.
        if (isStoreError(e, 'Conflict') && e.entity === RETAINED) return undefined;
        throw e;
      });
  }

  /** Inside `tx`: removes one version for good; the newest left becomes current. */
  async #deleteVersion(
    tx: Db,
    bucket: string,
    key: string,
    versionId: string,
    retainedAfter: RetainedAfter,
  ): Promise<{ outcome: DeleteOutcome; dropped: string[] }> {
    const row: any = await tx.k
      .selectFrom('oss_objects')
      .select(['object_id', 'is_latest', 'delete_marker', 'last_modified'])
      .where('bucket', '=', bucket)
      .where('key', '=', key)
      .where('version_id', '=', versionId)
      .executeTakeFirst();
    if (!row) return { outcome: { key, versionId }, dropped: [] };
    refuseRetained(row, retainedAfter);
    const dropped = await dropRow(tx, row.object_id);
    if (Number(row.is_latest) === 1) await promote(tx, bucket, key);
    const marker = Number(row.delete_marker) === 1;
    return {
      outcome: {
        key,
        versionId,
        ...(marker ? { deleteMarker: true, deleteMarkerVersionId: versionId } : {}),
      },
      dropped,
    };
  }

  /** Inside `tx`: a delete marker becomes the current version (replacing a `null` version). */
  async #deleteWithMarker(
    tx: Db,
    bucket: string,
    key: string,
    versioning: VersioningStatus,
    now: number,
    retainedAfter: RetainedAfter = undefined,
  ): Promise<{ outcome: DeleteOutcome; dropped: string[] }> {
    const marker: OssObject = {
      bucket,
      key,
      objectId: randomBytes(16).toString('hex'),
      versionId: versionFor(versioning, now),
      deleteMarker: true,
      size: 0,
      etag: '',
      crc64: '0',
      objectType: 'Normal',
      storageClass: 'Standard',
      lastModified: now,
      headers: {},
      acl: 'default',
      segments: [],
    };
    const dropped = await writeVersion(tx, marker, { versioning, retainedAfter });
    return {
      outcome: { key, deleteMarker: true, deleteMarkerVersionId: marker.versionId! },
      dropped,
    };
  }

  #keyRange(q: any, range: KeyRange): any {
    if (range.prefix !== '') {
      q = q.where('key', '>=', range.prefix);
      const end = prefixEnd(range.prefix);
      if (end !== undefined) q = q.where('key', '<', end);
    }
    return q;
  }

  async listObjects(bucket: string, range: KeyRange): Promise<ObjectSummary[]> {
    let q = this.#kit.db.k
      .selectFrom('oss_objects')
      .select(['key', 'size', 'etag', 'object_type', 'storage_class', 'last_modified'])
      .where('bucket', '=', bucket)
      .where('is_latest', '=', LATEST)
      .where('delete_marker', '=', 0);
    q = this.#keyRange(q, range);
    const lower = range.lower;
    if (lower) q = q.where('key', lower.inclusive ? '>=' : '>', lower.key);
    const rows: any[] = await q.orderBy('key').limit(range.limit).execute();
    return rows.map(toSummary);
  }

  async listVersions(bucket: string, range: KeyRange): Promise<VersionSummary[]> {
    const k = this.#kit.db.k;
    let q = k
      .selectFrom('oss_objects')
      .select(['key', 'size', 'etag', 'object_type', 'storage_class', 'last_modified'])
      .select(['version_id', 'is_latest', 'delete_marker', 'object_id'])
      .where('bucket', '=', bucket);
    q = this.#keyRange(q, range);
    const lower = range.lower;
    if (lower?.inclusive) q = q.where('key', '>=', lower.key);
    else if (lower) {
      const at: any =
        lower.id === undefined
          ? undefined
          : await k
              .selectFrom('oss_objects')
              .select('seq')
              .where('bucket', '=', bucket)
              .where('key', '=', lower.key)
              .where('version_id', '=', lower.id)
              .executeTakeFirst();
      // After a version: the older ones of its key, then later keys. A version gone meanwhile
      // (or none named) starts after the whole key.
      if (at) {
        const { key } = lower;
        const seq = Number(at.seq);
        q = q.where((eb: any) =>
          eb.or([eb('key', '>', key), eb.and([eb('key', '=', key), eb('seq', '<', seq)])]),
        );
      } else q = q.where('key', '>', lower.key);
    }
    const rows: any[] = await q.orderBy('key').orderBy('seq', 'desc').limit(range.limit).execute();
    return rows.map((r) => ({
      ...toSummary(r),
      objectId: r.object_id,
      versionId: r.version_id,
      isLatest: Number(r.is_latest) === 1,
      deleteMarker: Number(r.delete_marker) === 1,
    }));
  }
}
