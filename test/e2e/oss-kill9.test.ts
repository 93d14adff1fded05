/**
 * Durability of OSS writes: `yunbox serve` is killed with SIGKILL while ali-oss clients upload
 * (simple and multipart) in parallel. After a restart on the same data directory every
 * acknowledged upload is present and intact; every object that is visible at all is complete
 * (an unacknowledged upload is either absent or whole, never partial); and the startup sweep
 * removes the bytes of writes that never committed. Objects of up to 64 KiB (here 32 KiB, and
 * the last parts of some multipart uploads) are kept as database rows, the rest as files: both
 * are exercised.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveIn, type ServeProcess } from '../../src/testing/spawn.js';
import { ossClient } from '../../src/testing/sdk.js';

const ROOT = {
  accessKeyId: 'LTAIkillnineroot0001',
  accessKeySecret: 'KillNineRootSecret0000000001',
};
const BUCKET = 'durable';

/** Deterministic bytes for object `i` (AES-CTR keystream), so any survivor can be checked. */
function content(i: number): Buffer {
  const size = 32 * 1024 + ((i * 7919) % 12) * 256 * 1024;
  const key = createHash('sha256').update(`object-${i}`).digest().subarray(0, 16);
  return createCipheriv('aes-128-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(size));
}

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

async function serve(dir: string): Promise<ServeProcess> {
  return serveIn(dir, { root: ROOT });
}

/**
 * Blobs kept: files under DATA/blobs, and the small ones as database rows (blob/tiered.ts;
 * a row is written with its bytes in one transaction, so there are no partial rows). Only while
 * no server runs: the server holds its database file exclusively.
 */
async function blobFiles(dir: string): Promise<{ blobs: number; tmp: number }> {
  let blobs = 0;
  for (const shard of await readdir(join(dir, 'blobs'))) {
    if (shard === 'tmp') continue;
    blobs += (await readdir(join(dir, 'blobs', shard))).length;
  }
  const db = new Database(join(dir, 'yunbox.db'), { readonly: true });
  try {
    blobs += (db.prepare('select count(*) from oss_blobs').pluck().get() as number) ?? 0;
  } finally {
    db.close();
  }
  return { blobs, tmp: (await readdir(join(dir, 'blobs', 'tmp'))).length };
}

describe('kill -9 during uploads', () => {
  let dir: string;
  let server: ServeProcess | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'yunbox-kill9-'));
  });
  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps every acknowledged upload intact and no partial one visible', async () => {
    server = await serve(dir);
    const c = () => ossClient(server!, ROOT, { bucket: BUCKET, extra: { timeout: 10_000 } });
    await c().putBucket(BUCKET);

    const acked = new Set<number>();
    let next = 0;
    let dead = false;
    const worker = async () => {
      const client = c();
      while (!dead) {
        const i = next++;
        const data = content(i);
        try {
          if (i % 5 === 4) {
            await client.multipartUpload(`obj-${i}`, data, { partSize: 128 * 1024, parallel: 2 });
          } else {
            await client.put(`obj-${i}`, data);
          }
          acked.add(i);
        } catch {
          return; // the server is gone
        }
      }
    };
    const workers = Array.from({ length: 6 }, worker);
    // Let uploads run, then kill the server in the middle of them.
    while (acked.size < 40) await new Promise((r) => setTimeout(r, 20));
    server.child.kill('SIGKILL');
    dead = true;
    await Promise.all(workers);
    await new Promise((r) =>
      server!.child.exitCode !== null || server!.child.signalCode !== null
        ? r(null)
        : server!.child.once('exit', r),
    );
    const inFlight = next - acked.size;
    expect(inFlight).toBeGreaterThan(0);
    // What the crash left on disk: committed blobs, and perhaps renamed or temporary leftovers.
    const left = await blobFiles(dir);

    server = await serve(dir);
    const after = c();
    for (const i of acked) {
      const got = await after.get(`obj-${i}`);
      expect(md5(got.content), `acknowledged obj-${i}`).toBe(md5(content(i)));
    }
    const listed: string[] = [];
    let marker: string | undefined;
    for (;;) {
      const page = await after.list({ 'max-keys': 1000, ...(marker ? { marker } : {}) });
      listed.push(...(page.objects ?? []).map((o: any) => o.name));
      if (!page.isTruncated) break;
      marker = page.nextMarker;
    }
    for (const i of acked) expect(listed).toContain(`obj-${i}`);
    for (const name of listed) {
      const i = Number(name.slice(4));
      const got = await after.get(name);
      expect(md5(got.content), `visible ${name}`).toBe(md5(content(i)));
    }
    const uploads = await after.listUploads({ 'max-uploads': 1000 });
    for (const u of uploads.uploads ?? []) await after.abortMultipartUpload(u.name, u.uploadId);

    // The sweep (in the background after start) leaves exactly the blobs objects use.
    const objects = await Promise.all(listed.map((n) => after.head(n)));
    const wanted = objects.reduce(
      (n, h: any) =>
        n +
        (h.res.headers['x-oss-object-type'] === 'Multipart'
          ? Math.ceil(Number(h.res.headers['content-length']) / (128 * 1024))
          : 1),
      0,
    );
    // A graceful stop waits for the sweep; the database can be read once the server let go of it
    // (a SQLite store is held exclusively by its process).
    await server.stop();
    server = undefined;
    const files = await blobFiles(dir);
    expect(files).toEqual({ blobs: wanted, tmp: 0 });
    expect(left.blobs + left.tmp).toBeGreaterThanOrEqual(wanted);
  });
});
