/**
 * @module Reading several blobs as one byte string (a multipart object is the concatenation of
 * its parts, an appendable object of its appends): a byte range of the whole is mapped onto the
 * blobs it covers, which are opened one after another as the reader pulls, so memory holds one
 * blob's read buffer at a time.
 */
import { Readable } from 'node:stream';
import type { BlobStore, ByteRange } from './blob-store.js';

/** One blob of a concatenation, with its size. */
export interface BlobSegment {
  blobId: string;
  size: number;
}

/** The pieces of `segments` that `range` covers, each with a range inside its blob. */
export function segmentRanges(
  segments: readonly BlobSegment[],
  range?: ByteRange,
): Array<{ blobId: string; range: ByteRange; whole: boolean }> {
  const total = segments.reduce((n, s) => n + s.size, 0);
  const start = range?.start ?? 0;
  const end = Math.min(range?.end ?? total - 1, total - 1);
  const out: Array<{ blobId: string; range: ByteRange; whole: boolean }> = [];
  let base = 0;
  for (const s of segments) {
    const segStart = base;
    const segEnd = base + s.size - 1;
    base += s.size;
    if (s.size === 0 || segEnd < start || segStart > end) continue;
    const lo = Math.max(start, segStart) - segStart;
    const hi = Math.min(end, segEnd) - segStart;
    out.push({
      blobId: s.blobId,
      range: { start: lo, end: hi },
      whole: lo === 0 && hi === s.size - 1,
    });
  }
  return out;
}

/**
 * Open the bytes `range` (default: all) of the concatenation of `segments`. The first blob is
 * opened before this resolves (so a missing blob fails before any response is sent); the others
 * when the reader gets to them.
 * @example
 * const body = await readConcatenated(blobs, object.segments, { start: 0, end: 99 });
 * body.pipe(res);
 */
export async function readConcatenated(
  store: BlobStore,
  segments: readonly BlobSegment[],
  range?: ByteRange,
): Promise<Readable> {
  const pieces = segmentRanges(segments, range);
  if (pieces.length === 0) return Readable.from([], { objectMode: false });
  const open = (i: number) => {
    const p = pieces[i]!;
    // Always with the range: the size is known, so the store need not look it up.
    return store.read(p.blobId, p.range);
  };
  const first = await open(0);
  if (pieces.length === 1) return first;
  let current: Readable | undefined = first;
  async function* all(): AsyncGenerator<Buffer> {
    try {
      for (let i = 0; i < pieces.length; i++) {
        const stream: Readable = i === 0 ? first : await open(i);
        current = stream;
        for await (const chunk of stream) yield chunk as Buffer;
      }
    } finally {
      current?.destroy();
    }
  }
  return Readable.from(all(), { objectMode: false });
}
