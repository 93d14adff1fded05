/**
 * @module Object bytes, behind one interface (LocalStack S3ObjectStore, MinIO StorageAPI): a blob
 * is an immutable byte string named by a random id that says nothing about its content or the
 * object key it serves. The metadata store (services/oss) decides which blobs make up which
 * object; a blob store only writes, reads and deletes bytes.
 *
 * Writes hash as the bytes pass (MD5 and CRC-64, never a second read) and are durable when
 * {@link BlobStore.write} resolves; a write that fails (client gone, body too short or too long)
 * leaves nothing behind under a blob id. Two implementations: `fs/` (a directory, the default)
 * and `postgres/` (chunked rows, for several nodes).
 */
import { poolRandomBytes } from '../kernel/ids.js';
import type { Readable } from 'node:stream';

/** What a finished write reports. */
export interface BlobInfo {
  /** Random id, 32 lower-case hex digits. */
  blobId: string;
  /** Bytes written. */
  size: number;
  /** MD5 of the bytes (16 bytes). */
  md5: Buffer;
  /** CRC-64/XZ of the bytes, unsigned decimal (the `x-oss-hash-crc64ecma` form). */
  crc64: string;
}

/** Bounds of one write. */
export interface BlobWriteOptions {
  /** Refuse with {@link BlobTooLarge} once more than this many bytes arrived. */
  maxBytes?: number;
  /** The body must be exactly this long (a declared Content-Length); else {@link BlobIncomplete}. */
  expectedBytes?: number;
}

/** An inclusive byte range, as HTTP `Range` names it. */
export interface ByteRange {
  start: number;
  /** Inclusive. */
  end: number;
}

/** Where object bytes live. */
export interface BlobStore {
  /** `fs` or `postgres`, for logs and the health of a deployment. */
  readonly kind: 'fs' | 'postgres';
  /**
   * Stream `source` into a new blob, hashing on the way; resolves once the bytes are durable
   * (fsynced and renamed, or committed), or, for blobs kept in the metadata database, once they
   * are committed ahead of the durable metadata commit that will reference them (which then
   * makes them durable too). On failure nothing stays under any blob id.
   */
  write(
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    options?: BlobWriteOptions,
  ): Promise<BlobInfo>;
  /**
   * Open a blob (or a range of it) for reading. Resolves once the bytes are reachable (the file
   * is open), so a blob deleted afterwards still reads to the end on a POSIX file system.
   * Rejects with {@link BlobNotFound} when the blob does not exist.
   */
  read(blobId: string, range?: ByteRange): Promise<Readable>;
  /** Delete blobs; missing ones are ignored. */
  delete(blobIds: readonly string[]): Promise<void>;
  /**
   * Every blob id whose last write is older than `olderThan` (ms since the epoch, wall clock),
   * plus leftovers of failed writes, for the orphan sweep.
   */
  list(olderThan: number): AsyncIterable<string>;
  /** Remove leftovers of interrupted writes older than `olderThan` (temporary files, rows). */
  sweepIncomplete(olderThan: number): Promise<number>;
}

/** The body carried more bytes than allowed. */
export class BlobTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`blob larger than ${limit} bytes`);
    this.name = 'BlobTooLarge';
  }
}

/** The body ended early or overran its declared length, or the client went away. */
export class BlobIncomplete extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BlobIncomplete';
  }
}

/** A blob that does not (or no longer) exist. */
export class BlobNotFound extends Error {
  constructor(readonly blobId: string) {
    super(`blob \`${blobId}\` not found`);
    this.name = 'BlobNotFound';
  }
}

const BLOB_ID = /^[0-9a-f]{32}$/;

/**
 * A new random blob id (128 bits from the CSPRNG, hex).
 * @example
 * newBlobId() // '9f86d081884c7d659a2feaa0c55ad015'
 */
export function newBlobId(): string {
  return poolRandomBytes(16).toString('hex');
}

/** True when `id` has the shape of a blob id (checked before it is used in a path or query). */
export function isBlobId(id: string): boolean {
  return BLOB_ID.test(id);
}
