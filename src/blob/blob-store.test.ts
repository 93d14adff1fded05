import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, open, readdir, rm, utimes, writeFile, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { migrate } from '../store/migrate.js';
import { openDb, type Db } from '../store/db.js';
import { BlobIncomplete, BlobNotFound, BlobTooLarge, type BlobStore } from './blob-store.js';
import { readConcatenated, segmentRanges } from './concat.js';
import { crc64 } from './crc64.js';
import { FsBlobStore } from './fs/fs-blob-store.js';
import { PostgresBlobStore, blobMigrations } from './postgres/postgres-blob-store.js';
import { TieredBlobStore } from './tiered.js';

async function readAll(s: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function chunked(data: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) out.push(data.subarray(i, i + size));
  return out;
}

async function* failing(data: Buffer): AsyncGenerator<Buffer> {
  yield data;
  throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function fsStore(): Promise<{ store: FsBlobStore; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'yunbox-blobs-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return { store: await FsBlobStore.open(join(dir, 'blobs')), dir };
}

async function dbStore(): Promise<{ store: PostgresBlobStore; db: Db }> {
  const db = await openDb({ kind: 'sqlite', file: ':memory:' });
  await migrate(db, [blobMigrations]);
  cleanups.push(() => db.close());
  return { store: new PostgresBlobStore(db, 4096), db };
}

/** Files, with declared lengths up to 2 KiB as rows (4 KiB chunks). */
async function tieredStore(): Promise<{ store: TieredBlobStore; dir: string; db: Db }> {
  const { store: files, dir } = await fsStore();
  const { store: rows, db } = await dbStore();
  return { store: new TieredBlobStore(files, rows, 2048), dir, db };
}

const kinds: Array<[string, () => Promise<BlobStore>]> = [
  ['fs', async () => (await fsStore()).store],
  ['database (on SQLite, 4 KiB chunks)', async () => (await dbStore()).store],
  ['tiered (rows up to 2 KiB, then files)', async () => (await tieredStore()).store],
];

describe.each(kinds)('%s blob store', (_name, open) => {
  it('writes, hashes and reads back, whole and by range', async () => {
    const store = await open();
    const data = randomBytes(50_000);
    const info = await store.write(Readable.from(chunked(data, 777)));
    expect(info.size).toBe(data.length);
    expect(info.md5.equals(createHash('md5').update(data).digest())).toBe(true);
    expect(info.crc64).toBe(crc64(data));
    expect(info.blobId).toMatch(/^[0-9a-f]{32}$/);
    expect((await readAll(await store.read(info.blobId))).equals(data)).toBe(true);
    for (const [a, b] of [
      [0, 0],
      [4095, 4096],
      [10_000, 49_999],
      [49_999, 49_999],
    ] as const) {
      const got = await readAll(await store.read(info.blobId, { start: a, end: b }));
      expect(got.equals(data.subarray(a, b + 1))).toBe(true);
    }
  });

  it('writes bodies of a declared length, one chunk or more', async () => {
    const store = await open();
    for (const n of [0, 1, 2048, 4096, 5000]) {
      const data = randomBytes(n);
      const info = await store.write(chunked(data, 1000), { expectedBytes: n });
      expect(info.size).toBe(n);
      expect(info.md5.equals(createHash('md5').update(data).digest())).toBe(true);
      expect(info.crc64).toBe(crc64(data));
      expect((await readAll(await store.read(info.blobId))).equals(data)).toBe(true);
      if (n > 10) {
        const got = await readAll(await store.read(info.blobId, { start: 5, end: n - 2 }));
        expect(got.equals(data.subarray(5, n - 1))).toBe(true);
      }
    }
  });

  it('an empty body is an empty blob with CRC 0', async () => {
    const store = await open();
    const info = await store.write([]);
    expect(info).toMatchObject({ size: 0, crc64: '0' });
    expect((await readAll(await store.read(info.blobId))).length).toBe(0);
  });

  it('refuses bodies over the limit or not matching their length, leaving nothing', async () => {
    const store = await open();
    await expect(store.write([randomBytes(5000)], { maxBytes: 4000 })).rejects.toBeInstanceOf(
      BlobTooLarge,
    );
    await expect(store.write([randomBytes(10)], { expectedBytes: 11 })).rejects.toBeInstanceOf(
      BlobIncomplete,
    );
    await expect(store.write([randomBytes(12)], { expectedBytes: 11 })).rejects.toBeInstanceOf(
      BlobIncomplete,
    );
    await expect(store.write(failing(randomBytes(9000)))).rejects.toBeInstanceOf(BlobIncomplete);
    const left: string[] = [];
    for await (const id of store.list(Date.now() + 60_000)) left.push(id);
    expect(left).toEqual([]);
  });

  it('deletes, lists by age, and reports missing blobs', async () => {
    const store = await open();
    const a = await store.write([Buffer.from('a')]);
    const b = await store.write([Buffer.from('b')]);
    const listed: string[] = [];
    for await (const id of store.list(Date.now() + 60_000)) listed.push(id);
    expect(listed.sort()).toEqual([a.blobId, b.blobId].sort());
    const old: string[] = [];
    for await (const id of store.list(Date.now() - 60_000)) old.push(id);
    expect(old).toEqual([]);
    await store.delete([a.blobId, 'f'.repeat(32), '../../etc/passwd']);
    await expect(store.read(a.blobId)).rejects.toBeInstanceOf(BlobNotFound);
    await expect(store.read('../../etc/passwd')).rejects.toBeInstanceOf(BlobNotFound);
    expect((await readAll(await store.read(b.blobId))).toString()).toBe('b');
  });

  it('reads several blobs as one, by range', async () => {
    const store = await open();
    const parts = [randomBytes(1000), randomBytes(0), randomBytes(5000), randomBytes(10)];
    const segs = [];
    for (const p of parts) segs.push({ blobId: (await store.write([p])).blobId, size: p.length });
    const all = Buffer.concat(parts);
    expect((await readAll(await readConcatenated(store, segs))).equals(all)).toBe(true);
    const part = await readAll(await readConcatenated(store, segs, { start: 999, end: 6000 }));
    expect(part.equals(all.subarray(999, 6001))).toBe(true);
  });
});

describe('fs blob store', () => {
  it('keeps blobs at paths derived from the id only, and sweeps stale temporary files', async () => {
    const { store, dir } = await fsStore();
    const info = await store.write([Buffer.from('x')]);
    expect(await readdir(join(dir, 'blobs', info.blobId.slice(0, 2)))).toEqual([info.blobId]);
    // A write interrupted by a crash leaves only a temporary file.
    const tmp = join(dir, 'blobs', 'tmp', `${'a'.repeat(32)}.tmp`);
    await writeFile(tmp, 'partial');
    await utimes(tmp, new Date(0), new Date(0));
    expect(await store.sweepIncomplete(Date.now() - 1000)).toBe(1);
    expect(await readdir(join(dir, 'blobs', 'tmp'))).toEqual([]);
  });

  it('syncs long bodies in the background while they arrive, and reads them back exactly', async () => {
    const { store, dir } = await fsStore();
    // 20 MiB: two early data syncs (every 8 MiB) before the final fsync.
    const data = randomBytes(20 * 1024 * 1024 + 13);
    const fh = await open(join(dir, 'probe'), 'w');
    await fh.close();
    const datasync = vi.spyOn(Object.getPrototypeOf(fh) as FileHandle, 'datasync');
    cleanups.push(async () => datasync.mockRestore());
    const info = await store.write(chunked(data, 65536), { expectedBytes: data.length });
    expect(datasync).toHaveBeenCalled();
    expect(info.size).toBe(data.length);
    expect(info.md5).toEqual(createHash('md5').update(data).digest());
    expect(info.crc64).toBe(crc64(data));
    expect((await readAll(await store.read(info.blobId))).equals(data)).toBe(true);
  });

  it('fails a write whose background sync failed, even when the final fsync succeeds', async () => {
    const { store, dir } = await fsStore();
    const data = randomBytes(20 * 1024 * 1024);
    const fh = await open(join(dir, 'probe'), 'w');
    await fh.close();
    const datasync = vi
      .spyOn(Object.getPrototypeOf(fh) as FileHandle, 'datasync')
      .mockRejectedValueOnce(
        Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }),
      );
    cleanups.push(async () => datasync.mockRestore());
    await expect(store.write(chunked(data, 65536))).rejects.toMatchObject({ code: 'EIO' });
    expect(await readdir(join(dir, 'blobs', 'tmp'))).toEqual([]);
    expect(await readdir(join(dir, 'blobs'))).toEqual(['tmp']);
  });
});

describe('tiered blob store', () => {
  it('keeps declared small bodies as rows and the rest as files, and reaches both', async () => {
    const { store, dir, db } = await tieredStore();
    const files = async () => {
      const out: string[] = [];
      for (const d of await readdir(join(dir, 'blobs'))) {
        if (d !== 'tmp') out.push(...(await readdir(join(dir, 'blobs', d))));
      }
      return out.sort();
    };
    const rows = async () =>
      (await db.k.selectFrom('oss_blobs').select('blob_id').execute()).map((r: any) => r.blob_id);
    const small = await store.write([randomBytes(2048)], { expectedBytes: 2048 });
    const big = await store.write([randomBytes(2049)], { expectedBytes: 2049 });
    const undeclared = await store.write([Buffer.from('x')]);
    expect(await rows()).toEqual([small.blobId]);
    expect(await files()).toEqual([big.blobId, undeclared.blobId].sort());
    for (const b of [small, big, undeclared]) {
      expect((await readAll(await store.read(b.blobId))).length).toBe(b.size);
    }
    const listed: string[] = [];
    for await (const id of store.list(Date.now() + 60_000)) listed.push(id);
    expect(listed.sort()).toEqual([small.blobId, big.blobId, undeclared.blobId].sort());
    await store.delete([small.blobId, big.blobId]);
    expect(await rows()).toEqual([]);
    expect(await files()).toEqual([undeclared.blobId]);
    await expect(store.read(small.blobId)).rejects.toBeInstanceOf(BlobNotFound);
    await expect(store.read(big.blobId)).rejects.toBeInstanceOf(BlobNotFound);
    // A short small body leaves no row.
    await expect(store.write([randomBytes(10)], { expectedBytes: 11 })).rejects.toBeInstanceOf(
      BlobIncomplete,
    );
    expect(await rows()).toEqual([]);
  });
});

describe('segment ranges', () => {
  it('maps a range of the whole onto the blobs it covers', () => {
    const segs = [
      { blobId: 'a', size: 10 },
      { blobId: 'b', size: 0 },
      { blobId: 'c', size: 5 },
    ];
    expect(segmentRanges(segs, { start: 8, end: 11 })).toEqual([
      { blobId: 'a', range: { start: 8, end: 9 }, whole: false },
      { blobId: 'c', range: { start: 0, end: 1 }, whole: false },
    ]);
    expect(segmentRanges(segs).map((s) => s.whole)).toEqual([true, true]);
  });
});
