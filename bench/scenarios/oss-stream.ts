/**
 * @module PUT then GET of a 64 MiB object over loopback, V1-signed with STS credentials, one
 * connection each, against the bare node:http server copying the same bytes to a file and back
 * (a raw stream copy on the same disk). Figure: bytes moved (PUT + GET) per second.
 */
import { mainThreadCpuUs, processCpuUs, runStream } from '../lib/load.js';
import { BENCH_BUCKET, type BenchYunbox } from '../lib/resources.js';
import { ossV1Request, type Credentials } from '../lib/signing.js';
import type { StreamJob, StreamResult } from '../lib/stream-worker.js';
import { median, summarize } from '../lib/stats.js';
import type { Row, Scenario } from '../lib/types.js';
import { needsOss, ossReady } from './oss-common.js';

const NAME = 'PUT then GET 64 MiB object, V1 + STS (SQLite)';

/** A PUT-then-GET of `bytes` under `key` in the benchmark bucket, signed with `creds`. */
export function ossStreamJob(
  yb: BenchYunbox,
  creds: Credentials,
  key: string,
  bytes: number,
): StreamJob {
  return {
    url: yb.endpoint,
    bytes,
    put: ossV1Request({
      method: 'PUT',
      bucket: BENCH_BUCKET,
      key,
      contentType: 'application/octet-stream',
      contentLength: bytes,
      credentials: creds,
    }),
    get: ossV1Request({ method: 'GET', bucket: BENCH_BUCKET, key, credentials: creds }),
  };
}

/** Runs a stream job and checks it moved every byte both ways. */
export async function checkedStream(job: StreamJob): Promise<StreamResult> {
  const r = await runStream(job);
  if (r.putStatus !== 200 || r.getStatus !== 200 || r.getBytes !== job.bytes) {
    throw new Error(
      `stream of ${job.bytes} bytes: PUT ${r.putStatus}, GET ${r.getStatus}, ` +
        `${r.getBytes} bytes back${r.error ? `: ${r.error}` : ''}`,
    );
  }
  return r;
}

const mbps = (bytes: number, ms: number) => bytes / 1e6 / (ms / 1000);

/** The scenario. */
export const ossStream: Scenario = {
  id: 'oss-stream',
  title: 'OSS PUT then GET 64 MiB vs a raw stream copy to and from a file',
  unavailable: needsOss([
    {
      name: NAME,
      unit: 'MB/s',
      goals: [{ kind: 'ratio-at-least', ratio: 0.7, text: '≥ 70% of raw stream copy' }],
    },
  ]),
  async run(ctx) {
    const [yb, baseline] = await Promise.all([
      ctx.resources.yunbox('sqlite'),
      ctx.resources.baseline(),
    ]);
    await ossReady(yb);
    const bytes = ctx.settings.streamBytes;
    const mib = bytes / 2 ** 20;
    const ours: StreamResult[] = [];
    // yunbox's CPU time per PUT + GET (ms): its event loop, and the whole process (thread pool
    // writes and syncs included). Steadier than MB/s on a shared machine.
    const loopMs: number[] = [];
    const procMs: number[] = [];
    const theirs: StreamResult[] = [];
    const baseJob = (size = bytes): StreamJob => ({
      url: baseline.url,
      bytes: size,
      put: {
        method: 'PUT',
        path: '/file/big',
        headers: {
          'content-type': 'application/octet-stream',
          'content-length': String(size),
        },
      },
      get: { method: 'GET', path: '/file/big', headers: {} },
    });
    // Warm-up: one small transfer each.
    await checkedStream(ossStreamJob(yb, await yb.sts(), 'big-warm', 1 << 20));
    await checkedStream(baseJob(1 << 20));
    for (let round = 0; round < ctx.settings.rounds; round++) {
      const jobs = [
        async () => {
          const job = ossStreamJob(yb, await yb.sts(), 'big', bytes);
          const loop0 = mainThreadCpuUs(yb.pid);
          const proc0 = processCpuUs(yb.pid);
          ours.push(await checkedStream(job));
          const loop1 = mainThreadCpuUs(yb.pid);
          const proc1 = processCpuUs(yb.pid);
          if (loop0 !== undefined && loop1 !== undefined) loopMs.push((loop1 - loop0) / 1000);
          if (proc0 !== undefined && proc1 !== undefined) procMs.push((proc1 - proc0) / 1000);
        },
        async () => theirs.push(await checkedStream(baseJob())),
      ];
      if (round % 2) jobs.reverse();
      for (const j of jobs) await j();
      const o = ours.at(-1)!;
      const t = theirs.at(-1)!;
      ctx.log(
        `  round ${round + 1}/${ctx.settings.rounds}: yunbox PUT ${mbps(bytes, o.putMs).toFixed(0)} ` +
          `GET ${mbps(bytes, o.getMs).toFixed(0)} MB/s; raw copy PUT ${mbps(bytes, t.putMs).toFixed(0)} ` +
          `GET ${mbps(bytes, t.getMs).toFixed(0)} MB/s` +
          (loopMs.length > round && procMs.length > round
            ? `; yunbox CPU ${loopMs[round]!.toFixed(0)} ms event loop, ${procMs[round]!.toFixed(0)} ms process`
            : ''),
      );
    }
    const fig = (list: StreamResult[]) =>
      summarize(list.map((r) => ({ value: mbps(2 * bytes, r.putMs + r.getMs) })));
    const y = fig(ours);
    const b = fig(theirs);
    const split = (list: StreamResult[]) => {
      const put = summarize(list.map((r) => ({ value: mbps(bytes, r.putMs) }))).median;
      const get = summarize(list.map((r) => ({ value: mbps(bytes, r.getMs) }))).median;
      return `PUT ${put.toFixed(0)} / GET ${get.toFixed(0)} MB/s`;
    };
    return [
      {
        scenario: 'oss-stream',
        name: mib === 64 ? NAME : NAME.replace('64 MiB', `${mib} MiB`),
        unit: 'MB/s',
        status: 'ok',
        yunbox: y,
        baseline: { name: 'raw stream copy to a file', stat: b },
        ratio: y.median / b.median,
        goals: [{ kind: 'ratio-at-least', ratio: 0.7, text: '≥ 70% of raw stream copy' }],
        note:
          `yunbox ${split(ours)}; raw copy ${split(theirs)}` +
          (loopMs.length > 0 && procMs.length > 0
            ? `; yunbox CPU per PUT + GET: ${median(loopMs).toFixed(0)} ms event loop, ` +
              `${median(procMs).toFixed(0)} ms process (medians)`
            : ''),
      },
    ] satisfies Row[];
  },
};
