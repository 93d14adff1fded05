/**
 * Unit tests of the recorder with a fake store: writes are batched behind the requests, a store
 * that is down keeps the newest events up to the bound (dropping and counting the oldest) and
 * gets them once it is back, close() writes what is left, and bad facts never throw.
 */
import { describe, expect, it } from 'vitest';
import type { MetadataTrailFacts } from '../ecs/index.js';
import type { TrailEvent } from './model.js';
import { TrailRecorder } from './recorder.js';
import type { TrailQuery, TrailStore } from './store.js';

class FakeStore implements TrailStore {
  events: TrailEvent[] = [];
  appends = 0;
  down = false;
  async append(events: readonly TrailEvent[]): Promise<void> {
    if (this.down) throw new Error('database unavailable');
    this.appends++;
    this.events.push(...events);
  }
  async lookup(_q: TrailQuery): Promise<TrailEvent[]> {
    return this.events;
  }
  async prune(): Promise<number> {
    return 0;
  }
}

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

describe('TrailRecorder', () => {
  it('writes in batches behind the requests', async () => {
    const store = new FakeStore();
    const r = new TrailRecorder(store, { batchMs: 20 });
    for (let i = 0; i < 10; i++) r.metadata(credentialRead(i));
    expect(store.events).toHaveLength(0);
    await new Promise((res) => setTimeout(res, 80));
    expect(store.events).toHaveLength(10);
    expect(store.appends).toBe(1);
    expect(store.events[0]).toMatchObject({
      eventName: 'GetInstanceRoleCredentials',
      identityType: 'ecs-instance',
      instanceId: 'i-0',
      resource: 'acs:ram::1000000000000001:role/EcsRole',
      resourceType: 'ACS::RAM::Role',
      decision: 'none',
    });
    await r.close();
  });

  it('keeps only credential and token requests of the metadata service', async () => {
    const store = new FakeStore();
    const r = new TrailRecorder(store);
    r.metadata({ ...credentialRead(1), path: '/latest/meta-data/instance-id' });
    r.metadata({ ...credentialRead(2), path: '/latest/api/token', method: 'PUT' });
    r.metadata({ ...credentialRead(3), status: 401 });
    await r.flush();
    expect(store.events.map((e) => [e.eventName, e.errorCode])).toEqual([
      ['CreateMetadataToken', ''],
      ['GetInstanceRoleCredentials', 'Unauthorized'],
    ]);
    await r.close();
  });

  it('drops the oldest beyond its bound while the store is down, then catches up', async () => {
    const store = new FakeStore();
    store.down = true;
    const r = new TrailRecorder(store, { batchMs: 5, maxQueue: 50 });
    for (let i = 0; i < 30; i++) r.metadata(credentialRead(i));
    await r.flush();
    for (let i = 30; i < 80; i++) r.metadata(credentialRead(i));
    expect(r.pending).toBe(50);
    expect(r.dropped).toBe(30);
    store.down = false;
    await r.flush();
    expect(r.pending).toBe(0);
    expect(store.events.map((e) => e.instanceId)).toEqual(
      Array.from({ length: 50 }, (_, i) => `i-${i + 30}`),
    );
    await r.close();
  });

  it('writes what is left on close, and records nothing after', async () => {
    const store = new FakeStore();
    const r = new TrailRecorder(store, { batchMs: 60_000 });
    r.metadata(credentialRead(1));
    await r.close();
    expect(store.events).toHaveLength(1);
    r.metadata(credentialRead(2));
    await r.flush();
    expect(store.events).toHaveLength(1);
  });

  it('never throws into a pipeline, whatever it is given', async () => {
    const store = new FakeStore();
    const r = new TrailRecorder(store);
    expect(() => r.rpc({} as any)).not.toThrow();
    expect(() => r.oss({} as any)).not.toThrow();
    expect(() => r.metadata({} as any)).not.toThrow();
    await r.close();
  });
});
