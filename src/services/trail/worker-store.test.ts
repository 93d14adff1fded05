/**
 * The recorder with its writer thread (worker-store.ts, worker.ts) on a SQLite file: events of
 * many batches are all stored, in the order they were recorded, once `close()` returns; a new
 * writer on the same file finds them. And back-pressure: while the store is slow the buffer
 * fills past its high water mark, `room()` makes callers wait, and lets them go once the store
 * has caught up.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MetadataTrailFacts } from '../ecs/index.js';
import type { TrailEvent } from './model.js';
import { MAX_BATCH, TrailRecorder } from './recorder.js';
import { noUsage, type TrailPruneStep, type TrailStore, type TrailUsage } from './store.js';
import { TrailWorkerStore, trailLocation } from './worker-store.js';

function credentialRead(n: number): MetadataTrailFacts {
  return {
    instanceId: `i-${n}`,
    now: 1_700_000_000_000 + n,
    method: 'GET',
    path: '/latest/meta-data/ram/security-credentials/EcsRole',
    status: 200,
    sourceIp: '127.77.0.1',
    accountId: '1000000000000001',
    region: 'cn-hangzhou',
  };
}

/** Every event of the test account, oldest first (at most `n` + 10). */
function lookupAll(store: TrailWorkerStore, n: number) {
  return store.lookup({
    accountId: '1000000000000001',
    start: 0,
    end: Number.MAX_SAFE_INTEGER,
    filters: [],
    direction: 'forward',
    limit: n + 10,
  });
}

describe('TrailRecorder with its writer thread', () => {
  it('stores every event recorded before close, in order, in its own file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'yunbox-trail-worker-'));
    try {
      const main = { kind: 'sqlite' as const, file: join(dir, 'yunbox.db') };
      expect(trailLocation(main)).toEqual({ kind: 'sqlite', file: join(dir, 'yunbox-trail.db') });
      const n = MAX_BATCH * 3 + 7;
      const store = new TrailWorkerStore(main);
      const r = new TrailRecorder(store);
      for (let i = 0; i < n; i++) r.metadata(credentialRead(i));
      await r.close();
      await store.close();

      const again = new TrailWorkerStore(main);
      try {
        const found = await lookupAll(again, n);
        expect(found.map((e) => e.instanceId)).toEqual(
          Array.from({ length: n }, (_, i) => `i-${i}`),
        );
        expect((await again.usage()).events).toBe(n);
      } finally {
        await again.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('exits when idle and starts again on the next event, losing and reordering nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'yunbox-trail-idle-'));
    try {
      const main = { kind: 'sqlite' as const, file: join(dir, 'yunbox.db') };
      const store = new TrailWorkerStore(main, { idleMs: 30 });
      const r = new TrailRecorder(store, { batchMs: 1 });
      let n = 0;
      for (let i = 0; i < 5; i++) r.metadata(credentialRead(n++));
      await r.flush();
      expect(store.running).toBe(true);
      // Caught as it retires (it is closing its database): what comes now waits for it, then
      // goes to a new writer.
      while (store.running) await new Promise((res) => setImmediate(res));
      for (let i = 0; i < 5; i++) r.metadata(credentialRead(n++));
      await r.flush();
      expect(store.starts).toBe(2);
      // Bursts around the idle time, so that some land while a writer is closing.
      for (let round = 0; round < 12; round++) {
        for (let i = 0; i < 20; i++) r.metadata(credentialRead(n++));
        await new Promise((res) => setTimeout(res, 20 + (round % 4) * 8));
      }
      await r.close();
      await store.close();
      expect(store.running).toBe(false);
      expect(store.starts).toBeGreaterThan(2);

      const again = new TrailWorkerStore(main, { idleMs: 0 });
      try {
        const found = await lookupAll(again, n);
        expect(found.map((e) => e.instanceId)).toEqual(
          Array.from({ length: n }, (_, i) => `i-${i}`),
        );
      } finally {
        await again.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps a writer on an in-memory database, whose events would go with it', async () => {
    const store = new TrailWorkerStore({ kind: 'sqlite', file: ':memory:' }, { idleMs: 10 });
    try {
      await store.ready();
      await new Promise((res) => setTimeout(res, 100));
      expect(store.running).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('answers a failed operation with its error and keeps serving', async () => {
    const store = new TrailWorkerStore({ kind: 'sqlite', file: ':memory:' });
    try {
      // Not an event: the insert fails on its NOT NULL columns, inside the thread.
      await expect(store.appendSerialised('{"eventTime":1}')).rejects.toThrow();
      expect((await store.usage()).events).toBe(0);
    } finally {
      await store.close();
    }
  });
});

/** A store whose writes wait until released. */
class GatedStore implements TrailStore {
  events: TrailEvent[] = [];
  #open: Promise<void> = new Promise(() => undefined);
  #release: () => void = () => undefined;
  constructor() {
    this.close();
  }
  close(): void {
    this.#open = new Promise((r) => (this.#release = r));
  }
  release(): void {
    this.#release();
  }
  async append(events: readonly TrailEvent[]): Promise<TrailUsage> {
    await this.#open;
    this.events.push(...events);
    return noUsage();
  }
  async lookup(): Promise<TrailEvent[]> {
    return this.events;
  }
  async prune(): Promise<number> {
    return 0;
  }
  async pruneToSize(): Promise<TrailPruneStep> {
    return { events: 0, bytes: 0, usage: noUsage(), done: true };
  }
  async usage(): Promise<TrailUsage> {
    return noUsage();
  }
}

describe('TrailRecorder back-pressure', () => {
  it('makes callers wait for room while the store is behind, and drops nothing', async () => {
    const store = new GatedStore();
    const r = new TrailRecorder(store, { batchMs: 1, maxQueue: 20 });
    for (let i = 0; i < 5; i++) r.metadata(credentialRead(i));
    expect(r.room()).toBeUndefined();
    // The first batch is taken and stuck in the store; the next ones fill the buffer.
    await new Promise((res) => setTimeout(res, 10));
    for (let i = 5; i < 15; i++) r.metadata(credentialRead(i));
    const wait = r.room();
    expect(wait).toBeDefined();
    let done: boolean | undefined;
    void wait!.then((v) => (done = v));
    await new Promise((res) => setTimeout(res, 10));
    expect(done).toBeUndefined();
    store.release();
    expect(await wait).toBe(true);
    await r.close();
    expect(r.dropped).toBe(0);
    expect(store.events.map((e) => e.instanceId)).toEqual(
      Array.from({ length: 15 }, (_, i) => `i-${i}`),
    );
  });
});
