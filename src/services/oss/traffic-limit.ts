/**
 * @module Single-connection bandwidth limits (`x-oss-traffic-limit`, a header, or a query
 * parameter of a presigned URL): OSS accepts 819200 to 838860800 bit/s (100 KB/s to 100 MB/s)
 * and answers `InvalidArgument` outside that range. yunbox honours the limit on the bytes it
 * streams: request bodies of PutObject, AppendObject and UploadPart, and the body of GetObject,
 * each paced by a token bucket in real time ({@link throttle}). CopyObject and UploadPartCopy
 * check the value; their bytes never cross the connection and are copied at full speed.
 */
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { invalidArgument } from './errors.js';

/** Lowest limit OSS accepts, in bit/s (100 KB/s). */
export const MIN_TRAFFIC_LIMIT = 819_200;
/** Highest limit OSS accepts, in bit/s (100 MB/s). */
export const MAX_TRAFFIC_LIMIT = 838_860_800;
/** The name of the header and of the query parameter. */
export const TRAFFIC_LIMIT = 'x-oss-traffic-limit';

/**
 * Operations that take the limit: their bodies are paced (request bodies of uploads, the object
 * of GetObject); copies check it but copy inside the server at full speed.
 */
export const THROTTLED_OPERATIONS: ReadonlySet<string> = new Set([
  'PutObject',
  'AppendObject',
  'UploadPart',
  'GetObject',
  'CopyObject',
  'UploadPartCopy',
]);

/**
 * The limit a request asks for (bit/s): the header, else the query parameter; `undefined` when
 * neither is given; `InvalidArgument` for anything but an integer within OSS's range.
 * @example
 * trafficLimit('819200', undefined) // 819200
 */
export function trafficLimit(
  header: string | undefined,
  query: string | null | undefined,
): number | undefined {
  const raw = header ?? (query === null ? '' : query);
  if (raw === undefined) return undefined;
  const value = /^\d{1,12}$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!(value >= MIN_TRAFFIC_LIMIT && value <= MAX_TRAFFIC_LIMIT)) {
    throw invalidArgument(
      `The value of ${TRAFFIC_LIMIT} must be between ${MIN_TRAFFIC_LIMIT} and ${MAX_TRAFFIC_LIMIT}.`,
      TRAFFIC_LIMIT,
      raw,
    );
  }
  return value;
}

/**
 * Paces `source` to `bitsPerSecond`: a token bucket holding at most a tenth of a second of
 * bytes, refilled in real time; chunks are cut to what the bucket allows, so the bytes come out
 * unchanged, in order, no faster than the limit (after the first tenth of a second).
 * @example
 * for await (const chunk of throttle(body, 819200)) write(chunk)
 */
export async function* throttle(
  source: AsyncIterable<Uint8Array>,
  bitsPerSecond: number,
): AsyncGenerator<Buffer> {
  const rate = bitsPerSecond / 8 / 1000; // bytes per ms
  const burst = Math.max(1024, Math.floor(rate * 100));
  let tokens = burst;
  let last = performance.now();
  for await (const raw of source) {
    let chunk = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.length);
    while (chunk.length > 0) {
      const now = performance.now();
      tokens = Math.min(burst, tokens + (now - last) * rate);
      last = now;
      if (tokens < 1) {
        await sleep(Math.ceil((Math.min(burst, chunk.length) - tokens) / rate));
        continue;
      }
      const n = Math.min(chunk.length, Math.floor(tokens));
      tokens -= n;
      yield chunk.subarray(0, n);
      chunk = chunk.subarray(n);
    }
  }
}

/** A readable stream of `source` paced by {@link throttle}; destroying it destroys `source`. */
export function throttledReadable(source: Readable, bitsPerSecond: number): Readable {
  const out = Readable.from(throttle(source, bitsPerSecond), { objectMode: false });
  out.once('close', () => {
    if (!source.destroyed) source.destroy();
  });
  return out;
}
