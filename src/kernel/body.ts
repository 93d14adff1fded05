/**
 * @module Reading request bodies: a small one whole, with a hard size bound (RPC forms, admin
 * JSON, OSS XML documents), or an object body as a stream of chunks ({@link streamBody}).
 *
 * Both tell the listener's guard (`kernel/limits.ts`) that the body is being read and how to stop
 * the read when the body stalls: a whole body must arrive within the request timeout, a stream
 * may not go idle for longer than the body idle timeout. The guard calls back with
 * {@link BodyTimeout}; the reader rejects with it and the service answers in its own format
 * (RPC error, OSS `RequestTimeout`) on a connection that is then closed.
 */
import type { IncomingMessage } from 'node:http';

/** The body was larger than allowed. */
export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`request body larger than ${limit} bytes`);
  }
}

/** The client went away or sent a body shorter than its Content-Length. */
export class BodyIncomplete extends Error {}

/**
 * The body stalled: not all of it arrived within the request timeout, or a stream received no
 * byte for the body idle timeout. A {@link BodyIncomplete}, so readers that know only that answer
 * a clear 400; the RPC pipeline and OSS answer it as a timeout.
 */
export class BodyTimeout extends BodyIncomplete {
  constructor(
    /** `whole`: the whole-body deadline passed; `stream`: the stream went idle. */
    readonly kind: 'whole' | 'stream',
    readonly seconds: number,
  ) {
    super(
      kind === 'whole'
        ? `request body not received within ${seconds} s`
        : `request body idle for ${seconds} s`,
    );
    this.name = 'BodyTimeout';
  }
}

/** How a body is being read, for the guard of its listener. */
export interface BodyReader {
  /** `whole`: read at once under the request timeout; `stream`: read as it comes, idle-limited. */
  readonly mode: 'whole' | 'stream';
  /** Stops the read with `error` (the read rejects with it). */
  fail(error: BodyTimeout): void;
}

// Set by readers while they read; read by the guard (kernel/limits.ts). Never from the wire.
const readers = new WeakMap<IncomingMessage, BodyReader>();

/** The reader of `req`'s body right now, if any (for the listener's guard). */
export function bodyReader(req: IncomingMessage): BodyReader | undefined {
  return readers.get(req);
}

/** Reads the whole body, failing with {@link BodyTooLarge} beyond `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(new BodyTooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const reader: BodyReader = { mode: 'whole', fail: (e) => finish(e) };
    const finish = (err: Error | undefined, body?: Buffer) => {
      if (done) return;
      done = true;
      if (readers.get(req) === reader) readers.delete(req);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      if (err) reject(err);
      else resolve(body!);
    };
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.resume();
        finish(new BodyTooLarge(limit));
        return;
      }
      chunks.push(c);
    };
    const onEnd = () => {
      if (!req.complete) finish(new BodyIncomplete('request body incomplete'));
      else finish(undefined, Buffer.concat(chunks, size));
    };
    const onError = (e: Error) => finish(new BodyIncomplete(e.message));
    const onAborted = () => finish(new BodyIncomplete('client aborted'));
    readers.set(req, reader);
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

/**
 * The body as chunks, as they arrive (object uploads). Unlike iterating `req` itself, stopping
 * early (a size bound, a timeout) leaves the connection open, so the error can still be answered.
 * Rejects with {@link BodyTimeout} when the guard finds the stream idle, {@link BodyIncomplete}
 * when the client goes away.
 * @example
 * await blobs.write(streamBody(req), { expectedBytes: length });
 */
export async function* streamBody(req: IncomingMessage): AsyncGenerator<Buffer, void, undefined> {
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const reader: BodyReader = {
    mode: 'stream',
    fail(e) {
      failure ??= e;
      wake?.();
    },
  };
  const onEvent = () => wake?.();
  readers.set(req, reader);
  req.on('readable', onEvent);
  req.on('end', onEvent);
  req.on('error', onEvent);
  req.on('close', onEvent);
  try {
    for (;;) {
      if (failure) throw failure;
      const chunk = req.read() as Buffer | null;
      if (chunk !== null) {
        yield chunk;
        continue;
      }
      if (req.readableEnded) return;
      if (req.destroyed) throw new BodyIncomplete('client aborted');
      await new Promise<void>((r) => (wake = r));
      wake = undefined;
    }
  } finally {
    if (readers.get(req) === reader) readers.delete(req);
    req.off('readable', onEvent);
    req.off('end', onEvent);
    req.off('error', onEvent);
    req.off('close', onEvent);
  }
}
