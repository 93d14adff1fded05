/**
 * @module The default blob store: one file per blob under `DATA/blobs/`, at
 * `blobs/<first two hex digits>/<blob id>`. A path is derived from the random blob id only, never
 * from an object key, so no key (`../`, absolute paths, NUL, odd UTF-8) can reach outside the
 * directory.
 *
 * A write goes to `blobs/tmp/<id>.tmp`, is fsynced, renamed into place, and the directory is
 * fsynced: once {@link FsBlobStore.write} resolves the bytes survive `kill -9` and power loss;
 * before that, at most a temporary file remains, which the startup sweep removes.
 */
import { constants } from 'node:fs';
import { mkdir, open, readdir, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
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
import { groupCommit } from '../../kernel/group-commit.js';

/** Bytes gathered before one `writev` (fewer system calls, no copies). */
const BATCH_BYTES = 1024 * 1024;
/**
 * Bytes written between background data syncs: what the final fsync may still have to write
 * back (every 32 MiB, before bench/notes.md item 23, left it 23-41 ms of a 64 MiB PUT here).
 */
const SYNC_EVERY = 8 * 1024 * 1024;
/** Read-stream buffer size. */
const READ_CHUNK = 256 * 1024;

async function writeAll(fh: FileHandle, buffers: Buffer[]): Promise<void> {
  let rest = buffers;
  while (rest.length > 0) {
    const { bytesWritten } = await fh.writev(rest);
    // INVARIANT: a short write is continued from where it stopped, never dropped.
    let skip = bytesWritten;
    const next: Buffer[] = [];
    for (const b of rest) {
      if (skip >= b.length) {
        skip -= b.length;
        continue;
      }
      next.push(skip > 0 ? b.subarray(skip) : b);
      skip = 0;
    }
    rest = next;
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const d = await open(dir, constants.O_RDONLY);
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

function isNotFound(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 'ENOENT';
}

/** Blobs as files in a directory. */
export class FsBlobStore implements BlobStore {
  readonly kind = 'fs' as const;
  readonly #root: string;
  readonly #tmp: string;
  readonly #shards = new Set<string>();
  /** Per shard directory: one fsync shared by the renames that came while another ran. */
  readonly #dirSyncs = new Map<string, () => Promise<void>>();

  private constructor(root: string) {
    this.#root = root;
    this.#tmp = join(root, 'tmp');
  }

  /**
   * Opens (creating when needed) a blob directory.
   * @example
   * const blobs = await FsBlobStore.open(join(dataDir, 'blobs'));
   */
  static async open(root: string): Promise<FsBlobStore> {
    await mkdir(join(root, 'tmp'), { recursive: true, mode: 0o700 });
    return new FsBlobStore(root);
  }

  /** Directory the blobs live in. */
  get root(): string {
    return this.#root;
  }

  #path(blobId: string): string {
    // INVARIANT: only well-formed ids become paths.
    if (!isBlobId(blobId)) throw new BlobNotFound(blobId);
    return join(this.#root, blobId.slice(0, 2), blobId);
  }

  async #shard(blobId: string): Promise<string> {
    const name = blobId.slice(0, 2);
    const dir = join(this.#root, name);
    if (!this.#shards.has(name)) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      // The new directory entry itself must be durable before a file inside it counts.
      await fsyncDir(this.#root);
      this.#shards.add(name);
    }
    return dir;
  }

  async write(
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    options: BlobWriteOptions = {},
  ): Promise<BlobInfo> {
    const blobId = newBlobId();
    const tmp = join(this.#tmp, `${blobId}.tmp`);
    const fh = await open(tmp, 'wx', 0o600);
    let open_ = true;
    let done = false;
    // One write in flight while the next batch is received and hashed. Every SYNC_EVERY bytes a
    // data sync starts behind the write, or, while one is still running, with the first batch
    // after it ends: the disk writes back while bytes arrive, and the final fsync only waits for
    // the last few MiB. Receiving never waits for these syncs (the one write in flight is the
    // back-pressure); they only start write-back early, the final fsync makes the blob durable.
    let writing: Promise<void> = Promise.resolve();
    let syncing: Promise<void> | undefined;
    let syncFailure: { error: unknown } | undefined;
    let unsynced = 0;
    try {
      const c = await consumeHashed(
        source,
        { ...options, batchBytes: BATCH_BYTES },
        async (batch, n) => {
          await writing;
          writing = writeAll(fh, batch);
          writing.catch(() => {}); // observed by the next await
          unsynced += n;
          if (unsynced >= SYNC_EVERY && syncing === undefined) {
            unsynced = 0;
            syncing = writing
              .then(() => fh.datasync())
              .catch((error: unknown) => {
                // INVARIANT: a failed sync fails the write, even if a later fsync succeeds (the
                // kernel reports a write-back error once).
                syncFailure ??= { error };
              })
              .finally(() => (syncing = undefined));
          }
        },
      );
      await writing;
      await syncing;
      if (syncFailure) throw syncFailure.error;
      await fh.sync();
      await fh.close();
      open_ = false;
      const dir = await this.#shard(blobId);
      await rename(tmp, join(dir, blobId));
      let syncDir = this.#dirSyncs.get(dir);
      if (!syncDir) this.#dirSyncs.set(dir, (syncDir = groupCommit(() => fsyncDir(dir))));
      await syncDir();
      done = true;
      return { blobId, size: c.size, md5: c.md5, crc64: c.crc64 };
    } finally {
      if (!done) {
        await writing.catch(() => {});
        await syncing;
        if (open_) await fh.close().catch(() => {});
        await unlink(tmp).catch(() => {});
      }
    }
  }

  async read(blobId: string, range?: ByteRange): Promise<Readable> {
    let fh: FileHandle;
    try {
      fh = await open(this.#path(blobId), constants.O_RDONLY);
    } catch (e) {
      if (isNotFound(e)) throw new BlobNotFound(blobId);
      throw e;
    }
    // A buffer no larger than what is read: small objects do not allocate READ_CHUNK each.
    const length = range ? range.end - range.start + 1 : (await fh.stat()).size;
    return fh.createReadStream({
      highWaterMark: Math.max(1, Math.min(READ_CHUNK, length)),
      ...(range ? { start: range.start, end: range.end } : {}),
    });
  }

  async delete(blobIds: readonly string[]): Promise<void> {
    for (const id of blobIds) {
      if (!isBlobId(id)) continue;
      await unlink(this.#path(id)).catch((e) => {
        if (!isNotFound(e)) throw e;
      });
    }
  }

  async *list(olderThan: number): AsyncIterable<string> {
    let shards: string[];
    try {
      shards = await readdir(this.#root);
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    for (const shard of shards) {
      if (!/^[0-9a-f]{2}$/.test(shard)) continue;
      let names: string[];
      try {
        names = await readdir(join(this.#root, shard));
      } catch (e) {
        if (isNotFound(e)) continue;
        throw e;
      }
      for (const name of names) {
        if (!isBlobId(name) || name.slice(0, 2) !== shard) continue;
        const s = await stat(join(this.#root, shard, name)).catch(() => undefined);
        if (s && s.mtimeMs < olderThan) yield name;
      }
    }
  }

  async sweepIncomplete(olderThan: number): Promise<number> {
    let removed = 0;
    for (const name of await readdir(this.#tmp).catch(() => [] as string[])) {
      const p = join(this.#tmp, name);
      const s = await stat(p).catch(() => undefined);
      if (s && s.mtimeMs < olderThan) {
        await unlink(p).catch(() => {});
        removed++;
      }
    }
    return removed;
  }
}
