/**
 * @module Scenario `trail`: what recording one audit-trail event costs the serving event loop
 * (issue 21's goal: at most 5 µs), in process. The recorder is told of a signed OSS GET the way
 * the OSS protocol tells it (an STS role session, a V1 `Authorization` and a security token to
 * scrub, the allowing decision), in slices of 256 with the event loop free in between, waiting
 * for room when the buffer is full as the gateway does. The figure is the main thread's CPU time
 * per event until every event is stored (Linux `/proc`): copying the event's facts into the
 * buffer (compact.ts; the writer builds the event), handing batches to the writer (a structured
 * clone) and reading its answers, and collecting the garbage they leave. yunbox writes from its
 * writer thread (worker-store.ts, the server's path); the baseline builds and writes the same
 * events on the serving thread (TrailSqlStore, as before issue 21). The note gives the writer's
 * rate (events stored per second of wall time).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import type { OssTrailFacts } from '../../src/services/oss/index.js';
import { trailMigrations } from '../../src/services/trail/index.js';
import { TrailRecorder } from '../../src/services/trail/recorder.js';
import { TrailSqlStore } from '../../src/services/trail/store-sql.js';
import type { TrailStore } from '../../src/services/trail/store.js';
import { TrailWorkerStore } from '../../src/services/trail/worker-store.js';
import { openDb, type Db } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrate.js';
import { mainThreadCpuUs } from '../lib/load.js';
import { summarize } from '../lib/stats.js';
import type { BenchContext, Row, Scenario } from '../lib/types.js';

const SLICE = 256;

/** The facts of one signed GET of an STS role session (what oss/protocol.ts hands over). */
function getFacts(n: number): OssTrailFacts {
  const log = pino({ level: 'silent' });
  const token = 'CAIS' + 'x'.repeat(600);
  const req = {
    method: 'GET',
    url: '/bench/object-1k',
    headers: {
      host: 'bench.oss-cn-hangzhou.aliyuncs.com',
      'user-agent': 'aliyun-sdk-js/6.23.0 Node.js 20.20.2 on linux x64',
      date: 'Mon, 07 Dec 2026 21:00:00 GMT',
      'x-oss-security-token': token,
      authorization: 'OSS STS.NUbench0000000000000000:c2lnbmF0dXJlLW9mLXRoZS1yZXF1ZXN0PQ==',
    },
  } as unknown as IncomingMessage;
  return {
    base: {
      requestId: `6C1E0E5B-0000-4000-8000-${String(n).padStart(12, '0')}`,
      now: 1_765_000_000_000 + n,
      log,
      accessLog: log,
      sourceIp: '127.0.0.1',
      secure: false,
      host: 'bench.oss-cn-hangzhou.aliyuncs.com',
    },
    req,
    method: 'GET',
    status: 200,
    operation: 'GetObject',
    query: [],
    bucket: 'bench',
    key: 'object-1k',
    region: 'cn-hangzhou',
    bucketOwner: '1000000000000001',
    principal: {
      kind: 'role-session',
      accountId: '1000000000000001',
      roleId: '300000000000000001',
      roleName: 'bench-reader',
      sessionName: 'bench',
      accessKeyId: 'STS.NUbench0000000000000000',
      issuedAt: 1_765_000_000_000,
      expiresAt: 1_765_003_600_000,
    },
    decided: {
      action: 'oss:GetObject',
      resource: 'acs:oss:*:1000000000000001:bench/object-1k',
      decision: {
        decision: 'allow',
        explanation: 'allowed by policy `bench-read` (Custom) statement 1',
      } as never,
    },
  };
}

/** Main-thread CPU µs per event recorded through `recorder`, until all are stored. */
async function round(recorder: TrailRecorder, facts: OssTrailFacts[], events: number) {
  const before = mainThreadCpuUs(process.pid)!;
  const started = performance.now();
  for (let i = 0; i < events; i += SLICE) {
    const wait = recorder.room();
    if (wait !== undefined) await wait;
    const end = Math.min(events, i + SLICE);
    for (let j = i; j < end; j++) recorder.oss(facts[j % facts.length]!);
    await new Promise((r) => setImmediate(r));
  }
  await recorder.flush();
  const wallMs = performance.now() - started;
  const us = (mainThreadCpuUs(process.pid)! - before) / events;
  return { us, perSec: events / (wallMs / 1000) };
}

async function measure(
  ctx: BenchContext,
  label: string,
  open: (dir: string) => Promise<{ store: TrailStore; close(): Promise<void> }>,
) {
  const dir = await mkdtemp(join(tmpdir(), 'yunbox-bench-trail-'));
  const { store, close } = await open(dir);
  // Past the sampling: only signed events, so every one is stored (as GETs of a role session).
  const recorder = new TrailRecorder(store, { maxBytes: 1024 * 1024 * 1024 });
  const facts = Array.from({ length: 1024 }, (_, i) => getFacts(i));
  const events = ctx.settings.quick ? 20_000 : 100_000;
  try {
    await round(recorder, facts, Math.min(events, 10_000)); // warm-up
    const us: number[] = [];
    const rates: number[] = [];
    for (let r = 0; r < ctx.settings.rounds; r++) {
      const m = await round(recorder, facts, events);
      us.push(m.us);
      rates.push(m.perSec);
      ctx.log(
        `  ${label} round ${r + 1}/${ctx.settings.rounds}: ${m.us.toFixed(2)} µs/event on the event loop, ${Math.round(m.perSec)} events/s stored`,
      );
    }
    return { us, rates };
  } finally {
    await recorder.close();
    await close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function sqliteDb(dir: string): Promise<Db> {
  const db = await openDb({ kind: 'sqlite', file: join(dir, 'yunbox.db') });
  await migrate(db, [trailMigrations]);
  return db;
}

/** The scenario. */
export const trail: Scenario = {
  id: 'trail',
  title: 'audit trail: event-loop cost of recording one event (writer thread vs on the loop)',
  async run(ctx) {
    const worker = await measure(ctx, 'writer thread', async (dir) => {
      const store = new TrailWorkerStore({ kind: 'sqlite', file: join(dir, 'yunbox.db') });
      await store.ready();
      return { store, close: () => store.close() };
    });
    const onLoop = await measure(ctx, 'on the event loop', async (dir) => {
      const db = await sqliteDb(dir);
      return { store: new TrailSqlStore(db), close: () => db.close() };
    });
    const y = summarize(worker.us.map((value) => ({ value })));
    const b = summarize(onLoop.us.map((value) => ({ value })));
    const rate = summarize(worker.rates.map((value) => ({ value })));
    return [
      {
        scenario: 'trail',
        name: 'audit trail: recording one OSS GET event, serving event loop (SQLite, in process)',
        unit: 'µs',
        status: 'ok',
        yunbox: y,
        baseline: { name: 'written on the event loop (before issue 21)', stat: b },
        ratio: y.median / b.median,
        goals: [{ kind: 'at-most', value: 5, text: '≤ 5 µs' }],
        note: `writer thread stored ${Math.round(rate.median)} events/s`,
      } satisfies Row,
    ];
  },
};
