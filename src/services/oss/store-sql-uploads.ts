/**
 * @module OSS multipart uploads and their parts in SQL (`oss_uploads`, `oss_parts`). Completing
 * an upload stores its object as the objects part does (`store-sql-objects.ts`), in the same
 * transaction that removes the upload.
 */
import { StoreError } from '../../kernel/errors.js';
import type { Db } from '../../store/db.js';
import { prefixEnd, type OssObject, type Part, type Upload } from './model.js';
import type { KeyRange, WriteOptions } from './store.js';
import { objectLock, type SqlKit } from './store-sql-common.js';
import { writeVersion } from './store-sql-versions.js';

const toUpload = (r: any): Upload => ({
  uploadId: r.upload_id,
  bucket: r.bucket,
  key: r.key,
  initiated: Number(r.initiated),
  headers: JSON.parse(r.headers),
  acl: r.acl,
  storageClass: r.storage_class,
  ...(r.sequential ? { sequential: true } : {}),
  ...(r.tags != null ? { tags: JSON.parse(r.tags) } : {}),
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

/** The multipart methods of the OSS SQL store (see {@link OssStore}). */
export class SqlUploads {
  readonly #kit: SqlKit;
  constructor(kit: SqlKit) {
    this.#kit = kit;
  }

  async createUpload(u: Upload): Promise<void> {
    try {
      await this.#kit.db.k
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
          ...(u.tags && u.tags.length > 0 ? { tags: JSON.stringify(u.tags) } : {}),
        })
        .execute();
    } catch (e) {
      throw this.#kit.translate(e, 'bucket');
    }
  }

  async getUpload(uploadId: string): Promise<Upload | undefined> {
    const r = await this.#kit.db.k
      .selectFrom('oss_uploads')
      .selectAll()
      .where('upload_id', '=', uploadId)
      .executeTakeFirst();
    return r ? toUpload(r) : undefined;
  }

  async putPart(part: Part): Promise<string | undefined> {
    try {
      return await this.#kit.locked(`oss:part:${part.uploadId}:${part.partNumber}`, async (tx) => {
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
      throw this.#kit.translate(e, 'upload');
    }
  }

  async listParts(uploadId: string, after: number, limit: number): Promise<Part[]> {
    const rows = await this.#kit.db.k
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
    const r: any = await this.#kit.db.k
      .selectFrom('oss_parts')
      .select((eb: any) => eb.fn.max('part_number').as('n'))
      .where('upload_id', '=', uploadId)
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  async allParts(uploadId: string): Promise<Part[]> {
    const rows = await this.#kit.db.k
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
    options: WriteOptions = {},
  ): Promise<string[]> {
    try {
      return await this.#kit.locked(objectLock(object.bucket, object.key), async (tx) => {
        const partBlobs = await this.#dropUpload(tx, uploadId);
        const used = new Set(object.segments.map((s) => s.blobId));
        const dropped = partBlobs.filter((b) => !used.has(b));
        dropped.push(...(await writeVersion(tx, object, options)));
        return dropped;
      });
    } catch (e) {
      throw this.#kit.translate(e, 'bucket');
    }
  }

  async abortUpload(uploadId: string): Promise<string[]> {
    return this.#kit.db.transaction((tx) => this.#dropUpload(tx, uploadId));
  }

  async listUploads(bucket: string, range: KeyRange): Promise<Upload[]> {
    let q = this.#kit.db.k.selectFrom('oss_uploads').selectAll().where('bucket', '=', bucket);
    if (range.prefix !== '') {
      q = q.where('key', '>=', range.prefix);
      const end = prefixEnd(range.prefix);
      if (end !== undefined) q = q.where('key', '<', end);
    }
    const lower = range.lower;
    if (lower) {
      if (lower.inclusive) q = q.where('key', '>=', lower.key);
      else if (lower.id !== undefined) {
        const { key, id } = lower;
        q = q.where((eb: any) =>
          eb.or([eb('key', '>', key), eb.and([eb('key', '=', key), eb('upload_id', '>', id)])]),
        );
      } else q = q.where('key', '>', lower.key);
    }
    const rows: any[] = await q.orderBy('key').orderBy('upload_id').limit(range.limit).execute();
    return rows.map(toUpload);
  }
}
