/**
 * @module A blob store every node reaches: blobs as rows of fixed-size chunks (1 MiB) in the
 * metadata database (`oss_blob_chunks`), never one huge value. Used when several `yunbox serve`
 * processes share one PostgreSQL (`--blob-store postgres`, the default with a PostgreSQL store).
 *
 * A write inserts a row in `oss_blobs` marked incomplete, then one row per chunk as the bytes
 * arrive (memory holds one chunk), then marks the blob complete; only complete blobs can be read.
 * Reads fetch a few chunks per query, so a 1 GiB object streams in a few MiB of memory. A blob
 * whose declared length fits one chunk is written at once instead (row and chunk together, never
 * incomplete). Written with Kysely, so the same code runs on SQLite: there it keeps the small
 * objects of the default `fs` store (tiered.ts).
 *
 * Round trips on PostgreSQL: a small blob is one statement (`with b as (insert into oss_blobs …)
 * insert into oss_blob_chunks …`) and a batch of garbage one more (`with c as (delete from
 * oss_blob_chunks …) delete from oss_blobs …`), each an autocommit on the relaxed connections
 * (`Db.relaxedQuery`, `synchronous_commit = off`); SQLite, whose WITH cannot hold an insert or a
 * delete, runs the same two writes as one relaxed transaction each (no round trips there).
 *
 * Crash consistency. A statement is atomic, so a chunk row never outlives or precedes its blob
 * row. A relaxed commit is visible to every connection when it returns and its commit record is
 * in the write-ahead log, but not yet flushed; the metadata commit that makes an object refer to
 * the blob starts only after that (the PUT awaits the write), so its commit record lies later in
 * the same log, and a synchronous commit flushes the log up to its own record: everything before
 * it, on any connection of the server, becomes durable no later than the object. A crash before
 * that loses only a blob no object refers to (swept as an orphan); a lost garbage delete is
 * redone by the orphan sweep.
 */
import { Readable } from 'node:stream';
import { CompiledQuery } from 'kysely';
import type { Db } from '../../store/db.js';
import type { MigrationSet } from '../../store/migrate.js';
import {
  BlobNotFound,
  isBlobId,
  newBlobId,
  type BlobInfo,
  type BlobStore,
  type BlobWriteOptions,
  type ByteRange,
} from '../blob-store.js';
import { consumeHashed } from '../hashing.js';

/** Bytes per chunk row. */
export const BLOB_CHUNK_BYTES = 1024 * 1024;
/** Chunks fetched per query while reading. */
const CHUNKS_PER_QUERY = 2;
/** Ids per statement when deleting or listing. */
const ID_BATCH = 500;
/** Refresh `updated_at` every this many chunks, so a long upload is not taken for an orphan. */
const TOUCH_EVERY = 64;

/** PostgreSQL: a complete blob's row, when it has no chunk (an empty blob). */
const INSERT_BLOB =
  'insert into oss_blobs (blob_id, chunk_size, size, complete, created_at, updated_at) ' +
  'values ($1, $2, $3, 1, $4, $4)';
/** PostgreSQL: a complete blob's row and its one chunk, in one statement. */
const INSERT_BLOB_AND_CHUNK =
  `with b as (${INSERT_BLOB}) ` +
  'insert into oss_blob_chunks (blob_id, seq, data) values ($1, 0, $5)';
/**
 * PostgreSQL: blobs and their chunks, in one statement (one text for any number of ids, so it
 * is sent named); answers the ids whose row existed.
 */
const DELETE_BLOBS =
  'with c as (delete from oss_blob_chunks where blob_id = any($1::text[])) ' +
  'delete from oss_blobs where blob_id = any($1::text[]) returning blob_id';

/** Tables of the database blob store (created on both dialects; harmless when unused). */
export const blobMigrations: MigrationSet = {
  service: 'blob',
  migrations: [
    {
      name: '0001-chunks',
      async up(db) {
        await db.k.schema
          .createTable('oss_blobs')
          .addColumn('blob_id', 'text', (c) => c.primaryKey())
          .addColumn('chunk_size', 'integer', (c) => c.notNull())
          .addColumn('size', 'bigint', (c) => c.notNull())
          .addColumn('complete', 'integer', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.k.schema
          .createIndex('oss_blobs_updated')
          .on('oss_blobs')
          .column('updated_at')
          .execute();
        await db.k.schema
          .createTable('oss_blob_chunks')
          .addColumn('blob_id', 'text', (c) => c.notNull())
          .addColumn('seq', 'integer', (c) => c.notNull())
          .addColumn('data', 'bytea', (c) => c.notNull())
          .addPrimaryKeyConstraint('oss_blob_chunks_pk', ['blob_id', 'seq'])
          .execute();
      },
    },
  ],
};

/** Blobs as chunk rows in the shared database. */
export class PostgresBlobStore implements BlobStore {
  readonly kind = 'postgres' as const;
  readonly #db: Db;
  readonly #chunkBytes: number;

  /** `chunkBytes` is for tests; new blobs record their chunk size, so it may change later. */
  constructor(db: Db, chunkBytes: number = BLOB_CHUNK_BYTES) {
    this.#db = db;
    this.#chunkBytes = chunkBytes;
  }

  async write(
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    options: BlobWriteOptions = {},
  ): Promise<BlobInfo> {
    if (options.expectedBytes !== undefined && options.expectedBytes <= this.#chunkBytes) {
      return this.#writeOneChunk(source, options);
    }
    const k = this.#db.k;
    const blobId = newBlobId();
    const started = Date.now();
    await k
      .insertInto('oss_blobs')
      .values({
        blob_id: blobId,
        chunk_size: this.#chunkBytes,
        size: 0,
        complete: 0,
        created_at: started,
        updated_at: started,
      })
      .execute();
    let seq = 0;
    let done = false;
    try {
      const c = await consumeHashed(
        source,
        { ...options, batchBytes: this.#chunkBytes, exact: true },
        async (batch, bytes) => {
          const data = batch.length === 1 ? batch[0]! : Buffer.concat(batch, bytes);
          await k.insertInto('oss_blob_chunks').values({ blob_id: blobId, seq, data }).execute();
          seq++;
          if (seq % TOUCH_EVERY === 0) {
            await k
              .updateTable('oss_blobs')
              .set({ updated_at: Date.now() })
              .where('blob_id', '=', blobId)
              .execute();
          }
        },
      );
      await k
        .updateTable('oss_blobs')
        .set({ size: c.size, complete: 1, updated_at: Date.now() })
        .where('blob_id', '=', blobId)
        .execute();
      done = true;
      return { blobId, size: c.size, md5: c.md5, crc64: c.crc64 };
    } finally {
      if (!done) await this.delete([blobId]).catch(() => {});
    }
  }

  /**
   * A blob of at most one chunk: read whole, then its row and chunk in one statement on
   * PostgreSQL (one transaction on SQLite), committed with relaxed durability. Its bytes are then in the database's write-ahead log ahead of the
   * metadata commit that will reference the blob, and that commit is durable, so flushing the log
   * for it makes the bytes durable too (SQLite and PostgreSQL both flush their log in order). A
   * blob no commit references is an orphan, swept anyway. One log flush per small PUT, not two.
   */
  async #writeOneChunk(
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    options: BlobWriteOptions,
  ): Promise<BlobInfo> {
    let data: Buffer | undefined;
    const c = await consumeHashed(
      source,
      { ...options, batchBytes: this.#chunkBytes, exact: true },
      async (batch, bytes) => {
        data = batch.length === 1 ? batch[0]! : Buffer.concat(batch, bytes);
      },
    );
    const blobId = newBlobId();
    const now = Date.now();
    const db = this.#db;
    if (db.dialect.name === 'postgres') {
      // One round trip: the row and its chunk in one autocommit statement (module comment).
      await db.relaxedQuery(
        data === undefined
          ? CompiledQuery.raw(INSERT_BLOB, [blobId, this.#chunkBytes, c.size, now])
          : CompiledQuery.raw(INSERT_BLOB_AND_CHUNK, [blobId, this.#chunkBytes, c.size, now, data]),
      );
      return { blobId, size: c.size, md5: c.md5, crc64: c.crc64 };
    }
    await db.relaxed((rdb) =>
      rdb.transaction(async (tx) => {
        await tx.k
          .insertInto('oss_blobs')
          .values({
            blob_id: blobId,
            chunk_size: this.#chunkBytes,
            size: c.size,
            complete: 1,
            created_at: now,
            updated_at: now,
          })
          .execute();
        if (data !== undefined) {
          await tx.k
            .insertInto('oss_blob_chunks')
            .values({ blob_id: blobId, seq: 0, data })
            .execute();
        }
      }),
    );
    return { blobId, size: c.size, md5: c.md5, crc64: c.crc64 };
  }

  async read(blobId: string, range?: ByteRange): Promise<Readable> {
    if (!isBlobId(blobId)) throw new BlobNotFound(blobId);
    const row: any = await this.#db.k
      .selectFrom('oss_blobs')
      .select(['chunk_size', 'size', 'complete'])
      .where('blob_id', '=', blobId)
      .executeTakeFirst();
    if (!row || Number(row.complete) !== 1) throw new BlobNotFound(blobId);
    const size = Number(row.size);
    const chunk = Number(row.chunk_size);
    const start = range?.start ?? 0;
    const end = Math.min(range?.end ?? size - 1, size - 1);
    if (size === 0 || end < start) return Readable.from([], { objectMode: false });
    const k = this.#db.k;
    async function* chunks(): AsyncGenerator<Buffer> {
      const first = Math.floor(start / chunk);
      const last = Math.floor(end / chunk);
      for (let from = first; from <= last; from += CHUNKS_PER_QUERY) {
        const to = Math.min(from + CHUNKS_PER_QUERY - 1, last);
        const rows: any[] = await k
          .selectFrom('oss_blob_chunks')
          .select(['seq', 'data'])
          .where('blob_id', '=', blobId)
          .where('seq', '>=', from)
          .where('seq', '<=', to)
          .orderBy('seq')
          .execute();
        if (rows.length !== to - from + 1) throw new BlobNotFound(blobId);
        for (const r of rows) {
          const seq = Number(r.seq);
          const data: Buffer = Buffer.isBuffer(r.data) ? r.data : Buffer.from(r.data);
          const base = seq * chunk;
          const lo = Math.max(start - base, 0);
          const hi = Math.min(end - base + 1, data.length);
          yield lo === 0 && hi === data.length ? data : data.subarray(lo, hi);
        }
      }
    }
    return Readable.from(chunks(), { objectMode: false, highWaterMark: chunk });
  }

  async delete(blobIds: readonly string[]): Promise<void> {
    await this.deleteHeld(blobIds);
  }

  /** Deletes blobs, resolving with the ids this store held (the tiered store asks). */
  async deleteHeld(blobIds: readonly string[]): Promise<string[]> {
    const ids = blobIds.filter(isBlobId);
    const held: string[] = [];
    for (let i = 0; i < ids.length; i += ID_BATCH) {
      const batch = ids.slice(i, i + ID_BATCH);
      if (this.#db.dialect.name === 'postgres') {
        // One autocommit statement on the relaxed connections: chunks and rows go together.
        const r = await this.#db.relaxedQuery<{ blob_id: string }>(
          CompiledQuery.raw(DELETE_BLOBS, [batch]),
        );
        for (const row of r.rows) held.push(row.blob_id);
        continue;
      }
      // SQLite: one transaction, with relaxed durability: deleting garbage need not wait for a log
      // flush (on SQLite, two flushes on the event loop per overwritten object). Lost in a
      // crash, the deletion is redone by the orphan sweep.
      await this.#db.relaxed((db) =>
        db.transaction(async (tx) => {
          await tx.k.deleteFrom('oss_blob_chunks').where('blob_id', 'in', batch).execute();
          const rows: any[] = await tx.k
            .deleteFrom('oss_blobs')
            .where('blob_id', 'in', batch)
            .returning('blob_id')
            .execute();
          for (const r of rows) held.push(r.blob_id as string);
        }),
      );
    }
    return held;
  }

  async *list(olderThan: number): AsyncIterable<string> {
    let after = '';
    for (;;) {
      const rows: any[] = await this.#db.k
        .selectFrom('oss_blobs')
        .select('blob_id')
        .where('updated_at', '<', olderThan)
        .where('blob_id', '>', after)
        .orderBy('blob_id')
        .limit(ID_BATCH)
        .execute();
      for (const r of rows) yield r.blob_id as string;
      if (rows.length < ID_BATCH) return;
      after = rows[rows.length - 1].blob_id;
    }
  }

  async sweepIncomplete(olderThan: number): Promise<number> {
    const rows: any[] = await this.#db.k
      .selectFrom('oss_blobs')
      .select('blob_id')
      .where('complete', '=', 0)
      .where('updated_at', '<', olderThan)
      .execute();
    await this.delete(rows.map((r) => r.blob_id));
    return rows.length;
  }
}
