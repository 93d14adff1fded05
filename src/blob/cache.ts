/**
 * @module A bounded in-memory cache of small blobs, for the hot path of small GETs (no file open,
 * read and close per request). Safe on any number of nodes: a blob id names one immutable byte
 * string forever and is never reused, so a cached entry can only be stale in the sense of being
 * no longer referenced, and the metadata store alone decides which blob a request gets.
 */
import type { BlobStore } from './blob-store.js';

/** Least-recently-used cache of small blob contents. */
export class SmallBlobCache {
  readonly #entries = new Map<string, Buffer>();
  #bytes = 0;
  /**
   * @param maxEntryBytes largest blob kept (bigger ones are always streamed)
   * @param maxTotalBytes total bytes kept
   */
  constructor(
    readonly maxEntryBytes = 64 * 1024,
    readonly maxTotalBytes = 32 * 1024 * 1024,
  ) {}

  /** The cached bytes of `blobId`, refreshed as most recently used. */
  get(blobId: string): Buffer | undefined {
    const hit = this.#entries.get(blobId);
    if (hit !== undefined) {
      this.#entries.delete(blobId);
      this.#entries.set(blobId, hit);
    }
    return hit;
  }

  /** Keeps `data` (when small enough), evicting the least recently used entries. */
  set(blobId: string, data: Buffer): void {
    if (data.length > this.maxEntryBytes || this.#entries.has(blobId)) return;
    this.#entries.set(blobId, data);
    this.#bytes += data.length;
    for (const [id, b] of this.#entries) {
      if (this.#bytes <= this.maxTotalBytes) break;
      this.#entries.delete(id);
      this.#bytes -= b.length;
    }
  }

  /** Forgets blobs (deleted ones; optional, since ids are never reused). */
  delete(blobIds: readonly string[]): void {
    for (const id of blobIds) {
      const b = this.#entries.get(id);
      if (b !== undefined) {
        this.#entries.delete(id);
        this.#bytes -= b.length;
      }
    }
  }

  /** Entries held. */
  get size(): number {
    return this.#entries.size;
  }
}

/**
 * The whole of a small blob as one buffer: from the cache, or read once and cached.
 * @example
 * const bytes = await readSmallBlob(blobs, cache, segment.blobId);
 */
export async function readSmallBlob(
  store: BlobStore,
  cache: SmallBlobCache,
  blobId: string,
): Promise<Buffer> {
  const hit = cache.get(blobId);
  if (hit !== undefined) return hit;
  const chunks: Buffer[] = [];
  for await (const c of await store.read(blobId)) chunks.push(c as Buffer);
  const data = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  cache.set(blobId, data);
  return data;
}
