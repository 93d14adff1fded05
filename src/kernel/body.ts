/**
 * @module Reading a small request body with a hard size bound (RPC forms, XML configuration
 * documents). Object bodies never come through here: they stream.
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
    const finish = (err: Error | undefined, body?: Buffer) => {
      if (done) return;
      done = true;
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
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}
