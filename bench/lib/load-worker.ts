/**
 * @module The load generator, run as its own process (`node --import tsx bench/lib/load-worker.ts`)
 * so that it never shares an event loop with the server it measures. Reads one {@link LoadJob}
 * as JSON on stdin, runs autocannon for the job's duration with a fixed number of connections,
 * and prints one {@link LoadResult} as JSON on stdout.
 *
 * Requests are either replayed from a fixed list (OSS V1 signatures may be replayed within the
 * skew window) or signed one by one (`rpcV1`: each RPC v1 request needs its own nonce).
 * Latency is recorded per 2xx response with sub-millisecond resolution (autocannon's own
 * histogram has 1 ms buckets).
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { percentile } from './stats.js';
import { RpcV1Signer, type RpcV1Spec, type WireRequest } from './signing.js';

/** A job for the load worker. */
export interface LoadJob {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  connections: number;
  durationSec: number;
  /** Seconds of load before the measured run, in the same process (not counted). */
  warmupSec?: number;
  /** Stop after this many requests instead of after the duration. */
  amount?: number;
  /** Requests replayed in turn (ignored with `rpcV1`). */
  requests?: WireRequest[];
  /** Sign every request afresh (GET `/?…`). */
  rpcV1?: RpcV1Spec;
  /** Host header for `rpcV1` requests (default the URL's). */
  host?: string;
}

/** What one run of the load worker measured. */
export interface LoadResult {
  durationSec: number;
  /** 2xx responses. */
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** 2xx responses per second. */
  rps: number;
  /** Response bytes per second (2xx). */
  bytesPerSec: number;
  p50Us: number;
  p90Us: number;
  p99Us: number;
  maxUs: number;
  statusCodes: Record<string, number>;
  /** The server's CPU time per answered request, in µs (set by the driver, not the worker). */
  cpuUsPerRequest?: number;
}

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return text;
}

function toAutocannon(r: WireRequest): autocannon.Request {
  return {
    method: r.method as autocannon.Request['method'],
    path: r.path,
    headers: r.headers,
    ...(r.bodyBase64 ? { body: Buffer.from(r.bodyBase64, 'base64') } : {}),
  };
}

/** Runs a job in this process (the worker's body; exported for tests of the harness itself). */
export async function runJob(job: LoadJob): Promise<LoadResult> {
  let requests: autocannon.Request[];
  if (job.rpcV1) {
    const signer = new RpcV1Signer(job.rpcV1);
    const host = job.host ?? new URL(job.url).host;
    requests = [
      {
        method: 'GET',
        path: '/',
        headers: { host },
        setupRequest: (req) => ({ ...req, path: signer.path() }),
      },
    ];
  } else if ((job.requests ?? []).length > 1) {
    // One cursor shared by every connection: autocannon would start each connection at the first
    // request, so with `amount` the same few keys would be sent over and over.
    const list = job.requests!.map(toAutocannon);
    let cursor = 0;
    requests = [
      {
        ...list[0]!,
        setupRequest: (req) => ({ ...req, ...list[cursor++ % list.length]! }),
      },
    ];
  } else {
    requests = (job.requests ?? []).map(toAutocannon);
  }
  if (requests.length === 0) throw new Error('load job has no requests');
  let latencies = new Float64Array(1 << 16);
  let n = 0;
  const record = (statusCode: number, responseTime: number) => {
    if (statusCode < 200 || statusCode > 299) return;
    if (n === latencies.length) {
      const bigger = new Float64Array(latencies.length * 2);
      bigger.set(latencies);
      latencies = bigger;
    }
    latencies[n++] = responseTime * 1000;
  };
  const run = (measured: boolean, seconds: number) =>
    new Promise<autocannon.Result>((resolve, reject) => {
      const instance = autocannon(
        {
          url: job.url,
          connections: job.connections,
          ...(job.amount && measured ? { amount: job.amount } : { duration: seconds }),
          pipelining: 1,
          timeout: 30,
          requests,
        },
        (err, res) => (err ? reject(err) : resolve(res)),
      );
      if (measured) {
        instance.on('response', (_client, statusCode, _bytes, responseTime) =>
          record(statusCode, responseTime),
        );
      }
    });
  if (job.warmupSec) await run(false, job.warmupSec);
  const result = await run(true, job.durationSec);
  const sample = latencies.subarray(0, n);
  const durationSec = result.duration;
  const statusCodes: Record<string, number> = {};
  for (const [code, v] of Object.entries(
    (result as unknown as { statusCodeStats?: Record<string, { count: number }> })
      .statusCodeStats ?? {},
  )) {
    statusCodes[code] = v.count;
  }
  return {
    durationSec,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    rps: result['2xx'] / durationSec,
    bytesPerSec: result.throughput.total / durationSec,
    p50Us: percentile(sample, 50),
    p90Us: percentile(sample, 90),
    p99Us: percentile(sample, 99),
    maxUs: percentile(sample, 100),
    statusCodes,
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const job = JSON.parse(await readStdin()) as LoadJob;
  const result = await runJob(job);
  process.stdout.write(JSON.stringify(result) + '\n');
}
