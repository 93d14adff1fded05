/**
 * @module The default blob store of one node: small blobs as rows of the metadata database,
 * the rest as files. A 1 KiB PUT to files pays for a file create, write, fsync, rename and
 * directory fsync; as a row it is one transaction, whose WAL flush concurrent PUTs share (group
 * commit), the way MinIO keeps small objects inside their metadata.
 *
 * A write whose declared length is at most {@link SMALL_BLOB_BYTES} goes to the database; one
 * of unknown length (chunked transfer) or longer goes to files. Blob ids are random in both, so
 * a read asks the database first (one indexed lookup) and then the files; deletes, listings and
 * sweeps cover both.
 */
import type { Readable } from 'node:stream';
import {
  BlobNotFound,
  type BlobInfo,
  type BlobStore,
  type BlobWriteOptions,
  type ByteRange,
} from './blob-store.js';

/** Largest declared length kept in the database (as the small-blob read cache). */
export const SMALL_BLOB_BYTES = 64 * 1024;

/** Small blobs in `rows`, the others in `files`. */
export class TieredBlobStore implements BlobStore {
  readonly kind: BlobStore['kind'];
  readonly #files: BlobStore;
  readonly #rows: BlobStore & { deleteHeld(blobIds: readonly string[]): Promise<string[]> };
  readonly #smallBytes: number;
  #doomed: string[] = [];
  #deleting: Promise<void> | undefined;

  constructor(
    files: BlobStore,
    rows: BlobStore & { deleteHeld(blobIds: readonly string[]): Promise<string[]> },
    smallBytes = SMALL_BLOB_BYTES,
  ) {
    this.kind = files.kind;
    this.#files = files;
    this.#rows = rows;
    this.#smallBytes = smallBytes;
  }

  write(
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    options: BlobWriteOptions = {},
  ): Promise<BlobInfo> {
    const small = options.expectedBytes !== undefined && options.expectedBytes <= this.#smallBytes;
    return (small ? this.#rows : this.#files).write(source, options);
  }

  async read(blobId: string, range?: ByteRange): Promise<Readable> {
    try {
      return await this.#rows.read(blobId, range);
    } catch (e) {
      if (!(e instanceof BlobNotFound)) throw e;
      return this.#files.read(blobId, range);
    }
  }

  /**
   * Deletes from both tiers. Calls made in the same turn of the event loop are deleted together
   * (replaced objects' blobs are dropped after each overwrite: one transaction for many).
   */
  delete(blobIds: readonly string[]): Promise<void> {
    this.#doomed.push(...blobIds);
    this.#deleting ??= new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      const batch = this.#doomed;
      this.#doomed = [];
      this.#deleting = undefined;
      const held = new Set(await this.#rows.deleteHeld(batch));
      await this.#files.delete(held.size === 0 ? batch : batch.filter((id) => !held.has(id)));
    });
    return this.#deleting;
  }

  async *list(olderThan: number): AsyncIterable<string> {
    yield* this.#rows.list(olderThan);
    yield* this.#files.list(olderThan);
  }

  async sweepIncomplete(olderThan: number): Promise<number> {
    return (
      (await this.#rows.sweepIncomplete(olderThan)) + (await this.#files.sweepIncomplete(olderThan))
    );
  }
}
