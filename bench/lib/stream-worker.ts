/**
 * @module The large-object client, run as its own process
 * (`node --import tsx bench/lib/stream-worker.ts`): reads a {@link StreamJob} on stdin, PUTs
 * `bytes` generated from a 1 MiB buffer (honouring back-pressure, `Content-Length` set), then GETs
 * them back and discards them, and prints a {@link StreamResult} on stdout. One connection, as an
 * SDK's `put`/`get` of one object would use.
 */
import { request, type IncomingMessage } from 'node:http';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WireRequest } from './signing.js';

/** A PUT then GET of one large object. */
export interface StreamJob {
  url: string;
  bytes: number;
  /** The PUT's method, path and headers (signed; body generated here). */
  put: WireRequest;
  get: WireRequest;
}

/** Timings of a {@link StreamJob}. */
export interface StreamResult {
  putMs: number;
  getMs: number;
  putStatus: number;
  getStatus: number;
  getBytes: number;
  /** Response body of a failed request (first 500 bytes). */
  error?: string;
}

const CHUNK = randomBytes(1 << 20);

function send(
  url: string,
  r: WireRequest,
  body?: { bytes: number },
): Promise<{ res: IncomingMessage; text?: string }> {
  return new Promise((resolvePromise, reject) => {
    const req = request(
      `${url}${r.path}`,
      { method: r.method, headers: r.headers, agent: false },
      (res) => resolvePromise({ res }),
    );
    req.on('error', reject);
    if (!body) {
      req.end();
      return;
    }
    let left = body.bytes;
    const pump = () => {
      while (left > 0) {
        const n = Math.min(left, CHUNK.length);
        left -= n;
        if (!req.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n))) {
          req.once('drain', pump);
          return;
        }
      }
      req.end();
    };
    pump();
  });
}

async function drain(res: IncomingMessage): Promise<{ bytes: number; head: string }> {
  let bytes = 0;
  let head = '';
  for await (const chunk of res as AsyncIterable<Buffer>) {
    if (head.length < 500) head += chunk.subarray(0, 500).toString('utf8');
    bytes += chunk.length;
  }
  return { bytes, head: head.slice(0, 500) };
}

/** Runs a job in this process. */
export async function runStream(job: StreamJob): Promise<StreamResult> {
  const t0 = performance.now();
  const put = await send(job.url, job.put, { bytes: job.bytes });
  const putBody = await drain(put.res);
  const putMs = performance.now() - t0;
  const putStatus = put.res.statusCode ?? 0;
  if (putStatus !== 200) {
    return { putMs, getMs: NaN, putStatus, getStatus: 0, getBytes: 0, error: putBody.head };
  }
  const t1 = performance.now();
  const get = await send(job.url, job.get);
  const got = await drain(get.res);
  const getMs = performance.now() - t1;
  const getStatus = get.res.statusCode ?? 0;
  return {
    putMs,
    getMs,
    putStatus,
    getStatus,
    getBytes: got.bytes,
    ...(getStatus !== 200 ? { error: got.head } : {}),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  process.stdout.write(JSON.stringify(await runStream(JSON.parse(text) as StreamJob)) + '\n');
}
