import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { expect, vi } from 'vitest';
import { describeOnEachStore } from '../../testing/each-store.js';
import { migrate } from '../../store/migrate.js';
import type { Db } from '../../store/db.js';
import { BlobNotFound, newBlobId } from '../blob-store.js';
import { PostgresBlobStore, blobMigrations } from './postgres-blob-store.js';

async function readAll(s: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function rowCounts(db: Db): Promise<{ blobs: number; chunks: number }> {
  const count = async (table: string) =>
    Number(
      ((await db.k.selectFrom(table).select(db.k.fn.countAll().as('n')).executeTakeFirst()) as any)
        .n,
    );
  return { blobs: await count('oss_blobs'), chunks: await count('oss_blob_chunks') };
}

describeOnEachStore('database blob store: one-chunk writes and garbage deletes', async (db) => {
  await migrate(db, [blobMigrations]);
  const store = new PostgresBlobStore(db, 4096);
  const relaxedQuery = vi.spyOn(db, 'relaxedQuery');

  // Bodies of a declared length up to one chunk: every byte value, an empty body, a full chunk.
  const bodies = [Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(4096)];
  const written = [];
  for (const data of [...bodies, Buffer.alloc(0)]) {
    const info = await store.write([data], { expectedBytes: data.length });
    expect(info.size).toBe(data.length);
    expect((await readAll(await store.read(info.blobId))).equals(data)).toBe(true);
    written.push(info.blobId);
  }
  // Row and chunk together (none for the empty body), each write one statement on PostgreSQL.
  expect(await rowCounts(db)).toEqual({ blobs: 3, chunks: 2 });
  if (db.dialect.name === 'postgres') expect(relaxedQuery).toHaveBeenCalledTimes(3);

  // A body longer than one chunk still goes chunk by chunk.
  const long = randomBytes(9000);
  const longInfo = await store.write([long], { expectedBytes: long.length });
  expect((await readAll(await store.read(longInfo.blobId))).equals(long)).toBe(true);
  expect(await rowCounts(db)).toEqual({ blobs: 4, chunks: 5 });

  // A delete answers only the ids held, takes chunks and rows together, and covers a batch
  // longer than one statement's.
  relaxedQuery.mockClear();
  const absent = Array.from({ length: 600 }, () => newBlobId());
  const held = await store.deleteHeld([...absent, written[0]!, longInfo.blobId, written[2]!]);
  expect(held.sort()).toEqual([written[0]!, longInfo.blobId, written[2]!].sort());
  if (db.dialect.name === 'postgres') expect(relaxedQuery).toHaveBeenCalledTimes(2);
  expect(await rowCounts(db)).toEqual({ blobs: 1, chunks: 1 });
  await expect(store.read(written[0]!)).rejects.toBeInstanceOf(BlobNotFound);
  await expect(store.read(longInfo.blobId)).rejects.toBeInstanceOf(BlobNotFound);
  expect((await readAll(await store.read(written[1]!))).equals(bodies[1]!)).toBe(true);
  expect(await store.deleteHeld([written[0]!])).toEqual([]);
  relaxedQuery.mockRestore();
});
