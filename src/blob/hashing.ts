/**
 * @module The one loop every blob write runs: pull chunks from the source, hash them (MD5 and
 * CRC-64) as they pass, enforce the size bounds, and hand them on in batches to the store's sink.
 * Back-pressure is the loop itself: the next chunk is pulled only after the sink has taken the
 * batch, so memory holds at most one batch plus the source's own buffer.
 */
import { createHash } from 'node:crypto';
import { Crc64 } from './crc64.js';
import { BodyTimeout } from '../kernel/body.js';
import { BlobIncomplete, BlobTooLarge, type BlobWriteOptions } from './blob-store.js';

/** How {@link consumeHashed} batches. */
export interface BatchOptions extends BlobWriteOptions {
  /** Hand on a batch once it holds at least this many bytes. */
  batchBytes: number;
  /**
   * Every batch but the last holds exactly `batchBytes` (chunks are split with `subarray`, no
   * copy); for stores whose range reads need fixed-size chunks.
   */
  exact?: boolean;
}

/** What a finished consumption measured. */
export interface Consumed {
  size: number;
  md5: Buffer;
  crc64: string;
}

/**
 * Read `source` to its end, hashing, checking bounds and handing batches to `sink`.
 * @example
 * const { size, md5, crc64 } = await consumeHashed(req, { batchBytes: 1 << 20 }, async (b) => {
 *   await file.writev(b);
 * });
 */
export async function consumeHashed(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: BatchOptions,
  sink: (batch: Buffer[], bytes: number) => Promise<void>,
): Promise<Consumed> {
  const md5 = createHash('md5');
  const crc = new Crc64();
  const { batchBytes, exact = false, maxBytes, expectedBytes } = options;
  const limit = Math.min(maxBytes ?? Infinity, expectedBytes ?? Infinity);
  let size = 0;
  let batch: Buffer[] = [];
  let pending = 0;
  const give = async (out: Buffer[], n: number) => {
    try {
      await sink(out, n);
    } catch (e) {
      throw new SinkFailure(e);
    }
  };
  try {
    for await (const raw of source) {
      const chunk = Buffer.isBuffer(raw)
        ? raw
        : Buffer.from(raw.buffer, raw.byteOffset, raw.length);
      if (chunk.length === 0) continue;
      size += chunk.length;
      if (size > limit) {
        if (expectedBytes !== undefined && size > expectedBytes) {
          throw new BlobIncomplete('body longer than its declared length');
        }
        throw new BlobTooLarge(maxBytes!);
      }
      md5.update(chunk);
      crc.update(chunk);
      if (!exact) {
        batch.push(chunk);
        pending += chunk.length;
        if (pending >= batchBytes) {
          const out = batch;
          const n = pending;
          batch = [];
          pending = 0;
          await give(out, n);
        }
        continue;
      }
      let rest = chunk;
      while (pending + rest.length >= batchBytes) {
        const take = batchBytes - pending;
        batch.push(rest.subarray(0, take));
        rest = rest.subarray(take);
        const out = batch;
        batch = [];
        pending = 0;
        await give(out, batchBytes);
      }
      if (rest.length > 0) {
        batch.push(rest);
        pending += rest.length;
      }
    }
  } catch (e) {
    // Sink failures are the store's own and go through unchanged.
    if (e instanceof SinkFailure) throw e.cause;
    if (e instanceof BlobTooLarge || e instanceof BlobIncomplete) throw e;
    // A stalled body (the listener's idle timeout) is answered as a timeout, not a short body.
    if (e instanceof BodyTimeout) throw e;
    // Anything else came from the source (client disconnected, socket reset, body aborted).
    throw new BlobIncomplete(`request body incomplete: ${messageOf(e)}`);
  }
  if (expectedBytes !== undefined && size !== expectedBytes) {
    throw new BlobIncomplete(
      `request body shorter than its declared length (${size} of ${expectedBytes})`,
    );
  }
  if (pending > 0) await sink(batch, pending);
  return { size, md5: md5.digest(), crc64: crc.digest() };
}

/** Wraps an error thrown by the sink, to tell it apart from the source's. */
class SinkFailure extends Error {
  constructor(override readonly cause: unknown) {
    super('sink failed');
  }
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
