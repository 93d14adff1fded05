/**
 * Unit tests of the recorder with a fake store: writes are batched behind the requests, a store
 * that is down keeps the newest events up to the bound (dropping and counting the oldest) and
 * gets them once it is back, close() writes what is left, and bad facts never throw. Then the
 * gate every event passes: bounded (whatever its kind), unauthenticated ones sampled past the
 * rate with a summary of what was left out (at the next window, by a timer, or on close), and,
 * over a real SQLite store, the trail kept within its size, strangers' events within their share.
 */
import { describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../store/db.js';
import { migrate } from '../../store/migrate.js';
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { Principal } from '../../kernel/principal.js';
import type { MetadataTrailFacts } from '../ecs/index.js';
import type { OssTrailFacts } from '../oss/index.js';
import { MAX_FIELD_BYTES } from './bound.js';
import { trailMigrations } from './index.js';
import type { TrailEvent } from './model.js';
import { TrailRecorder } from './recorder.js';
import { TrailSqlStore } from './store-sql.js';
import {
  noUsage,
  type TrailPruneStep,
  type TrailQuery,
  type TrailStore,
  type TrailUsage,
} from './store.js';

const NO_USAGE = noUsage();

class FakeStore implements TrailStore {
  events: TrailEvent[] = [];
  appends = 0;
  down = false;
  async append(events: readonly TrailEvent[]): Promise<TrailUsage> {
    if (this.down) throw new Error('database unavailable');
    this.appends++;
    this.events.push(...events);
    return NO_USAGE;
  }
  async lookup(_q: TrailQuery): Promise<TrailEvent[]> {
    return this.events;
  }
  async prune(): Promise<number> {
    return 0;
  }
  async pruneToSize(): Promise<TrailPruneStep> {
    return { events: 0, bytes: 0, usage: NO_USAGE, done: true };
  }
  async usage(): Promise<TrailUsage> {
    return NO_USAGE;
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

  it("copies an OSS request on another account's bucket into the owner's trail, only then", async () => {
    const store = new FakeStore();
    const r = new TrailRecorder(store, { batchMs: 60_000 });
    const owner = '1000000000000001';
    const caller = '2000000000000002';
    const get = (
      label: string,
      principal: Principal,
      sharedWith: string | undefined,
    ): OssTrailFacts => ({
      base: {
        requestId: label,
        now: 1_700_000_000_000,
        log: undefined as unknown as Logger,
        accessLog: undefined as unknown as Logger,
        sourceIp: '127.0.0.1',
        secure: false,
        host: 'oss-cn-hangzhou.aliyuncs.com',
      },
      req: { headers: {} } as IncomingMessage,
      method: 'GET',
      status: 200,
      operation: 'GetObject',
      bucket: 'shared',
      key: 'a.txt',
      bucketOwner: owner,
      ...(sharedWith !== undefined ? { sharedWith } : {}),
      principal,
    });
    const bob: Principal = {
      kind: 'user',
      accountId: caller,
      userId: '2001',
      userName: 'bob',
      accessKeyId: 'LTAIbob',
    } as Principal;
    r.oss(get('cross', bob, owner));
    r.oss(get('own', { ...bob, accountId: owner } as Principal, owner));
    r.oss(get('anonymous', { kind: 'anonymous' }, owner));
    r.oss(get('unshared', bob, undefined));
    await r.close();
    const byRequest = (id: string) => store.events.filter((e) => e.requestId === id);
    const [mine, copy] = byRequest('cross');
    expect(mine).toMatchObject({ accountId: caller, userName: 'bob' });
    expect(mine!.callerAccountId).toBeUndefined();
    expect(copy).toMatchObject({ accountId: owner, callerAccountId: caller, userName: 'bob' });
    expect(copy!.eventId).not.toBe(mine!.eventId);
    // Same account, anonymous (attributed to the owner already), or nothing shared: one event.
    expect(store.events).toHaveLength(5);
    expect(byRequest('own')).toMatchObject([{ accountId: owner }]);
    expect(byRequest('anonymous')).toMatchObject([{ accountId: owner }]);
    expect(byRequest('unshared')).toMatchObject([{ accountId: caller }]);
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

/** An event of a request nobody signed, from `source`. */
function stranger(n: number, source = '203.0.113.9', over: Partial<TrailEvent> = {}): TrailEvent {
  return {
    eventId: `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`,
    eventTime: 1_700_000_000_000 + n,
    accountId: '',
    eventName: 'ListUsers',
    eventType: 'ApiCall',
    eventRW: 'Read',
    serviceName: 'Ram',
    eventSource: 'ram.aliyuncs.com',
    apiVersion: '2015-05-01',
    region: 'cn-hangzhou',
    sourceIp: source,
    userAgent: 'curl/8',
    requestId: `R-${n}`,
    errorCode: 'MissingParameter',
    errorMessage:
      'The input parameter "Signature" that is mandatory for processing this request is not supplied.',
    identityType: 'unknown',
    principalId: '',
    userName: '',
    roleName: '',
    accessKeyId: '',
    resourceType: '',
    resourceName: '',
    decision: 'none',
    decidedBy: '',
    resource: '',
    instanceId: '',
    requestParameters: {},
    ...over,
  };
}

async function trailDb(): Promise<Db> {
  const db = await openDb({ kind: 'sqlite', file: ':memory:' });
  await migrate(db, [trailMigrations]);
  return db;
}

describe('TrailRecorder: the gate every event passes', () => {
  it('bounds every event, whatever made it', async () => {
    const store = new FakeStore();
    const r = new TrailRecorder(store);
    r.metadata({ ...credentialRead(1), userAgent: 'u'.repeat(1_000_000) });
    r.record(
      stranger(2, '198.51.100.1', {
        requestParameters: { Big: 'b'.repeat(1_000_000) },
        errorMessage: 'e'.repeat(1_000_000),
      }),
    );
    await r.close();
    expect(store.events).toHaveLength(2);
    for (const e of store.events) {
      expect(JSON.stringify(e).length).toBeLessThan(8 * 1024);
      expect(e.flags).toEqual(['truncated']);
    }
    expect(Buffer.byteLength(store.events[0]!.userAgent)).toBeLessThanOrEqual(MAX_FIELD_BYTES);
  });

  it('samples unauthenticated events past the rate and summarises what it left out', async () => {
    const store = new FakeStore();
    let now = 1_000_000;
    const r = new TrailRecorder(store, {
      now: () => now,
      sampling: { perSource: 5, overall: 100, sampleEvery: 10, maxSampled: 60 },
    });
    for (let i = 0; i < 105; i++) r.record(stranger(i));
    // Signed events are never sampled.
    for (let i = 0; i < 50; i++) r.metadata(credentialRead(i));
    expect(r.notStored).toBe(90);
    now += 60_000;
    r.record(stranger(200));
    await r.flush();
    const strangers = store.events.filter((e) => e.identityType === 'unknown');
    expect(strangers).toHaveLength(5 + 10 + 1);
    expect(strangers.filter((e) => e.flags?.includes('sampled'))).toHaveLength(10);
    expect(store.events.filter((e) => e.identityType === 'ecs-instance')).toHaveLength(50);
    const [summary, ...more] = store.events.filter((e) => e.eventName === 'TrailEventsNotStored');
    expect(more).toEqual([]);
    expect(summary).toMatchObject({
      identityType: 'yunbox',
      accountId: '',
      serviceName: 'Actiontrail',
      requestParameters: {
        Seen: '105',
        StoredInFull: '5',
        Sampled: '10',
        NotStored: '90',
        Sources: '203.0.113.9=90',
      },
    });
    await r.close();
  });

  it('writes the summary when the window ends without more traffic, and on close', async () => {
    const store = new FakeStore();
    const r = new TrailRecorder(store, {
      batchMs: 5,
      sampling: { perSource: 1, sampleEvery: 1000, windowMs: 50 },
    });
    for (let i = 0; i < 10; i++) r.record(stranger(i));
    await new Promise((res) => setTimeout(res, 150));
    await r.flush();
    const summaries = () => store.events.filter((e) => e.eventName === 'TrailEventsNotStored');
    expect(summaries()).toHaveLength(1);
    expect(summaries()[0]!.requestParameters.NotStored).toBe('8');
    for (let i = 0; i < 4; i++) r.record(stranger(i));
    await r.close();
    expect(summaries()).toHaveLength(2);
    expect(summaries()[1]!.requestParameters.NotStored).toBe('2');
  });

  it('keeps the stored events within maxBytes, oldest first, and says how many went', async () => {
    const db = await trailDb();
    const store = new TrailSqlStore(db);
    const warnings: string[] = [];
    const log = { warn: (_o: unknown, msg: string) => warnings.push(msg), info: () => {} };
    const r = new TrailRecorder(store, { batchMs: 1, maxBytes: 64 * 1024 });
    r.configure({ log: log as any });
    for (let i = 0; i < 400; i++) r.metadata(credentialRead(i));
    await r.flush();
    await r.flush();
    const usage = await store.usage();
    expect(usage.bytes).toBeLessThanOrEqual(64 * 1024);
    expect(r.pruned).toBeGreaterThan(0);
    expect(usage.prunedEvents).toBe(r.pruned);
    expect(warnings.some((w) => /past --trail-max-bytes/.test(w))).toBe(true);
    const all = await store.lookup({
      accountId: '1000000000000001',
      start: 0,
      end: Number.MAX_SAFE_INTEGER,
      filters: [],
      direction: 'forward',
      limit: 1000,
    });
    // The newest survive; the oldest went; the notice counts them.
    const reads = all.filter((e) => e.eventName === 'GetInstanceRoleCredentials');
    expect(reads.at(-1)!.instanceId).toBe('i-399');
    expect(reads[0]!.instanceId).not.toBe('i-0');
    const notices = all.filter((e) => e.eventName === 'TrailEventsPruned');
    expect(notices.length).toBeGreaterThan(0);
    const counted = notices.reduce((n, e) => n + Number(e.requestParameters.PrunedEvents), 0);
    expect(counted).toBe(r.pruned);
    await r.close();
    await db.close();
  });

  it('keeps strangers’ events within their share: a flood cannot push signed events out', async () => {
    const db = await trailDb();
    const store = new TrailSqlStore(db);
    const r = new TrailRecorder(store, {
      batchMs: 1,
      maxBytes: 256 * 1024,
      sampling: { perSource: 1e9, overall: 1e9 },
    });
    for (let i = 0; i < 50; i++) r.metadata(credentialRead(i));
    await r.flush();
    const signed = (await store.usage()).bytes;
    for (let i = 0; i < 2000; i++) r.record(stranger(1000 + i, `10.0.${i >> 8}.${i & 255}`));
    await r.flush();
    await r.flush();
    const usage = await store.usage();
    expect(usage.unauthenticatedBytes).toBeLessThanOrEqual(64 * 1024);
    expect(usage.bytes - usage.unauthenticatedBytes).toBeGreaterThanOrEqual(signed);
    const all = await store.lookup({
      accountId: '1000000000000001',
      start: 0,
      end: Number.MAX_SAFE_INTEGER,
      filters: [{ field: 'eventName', value: 'GetInstanceRoleCredentials' }],
      direction: 'forward',
      limit: 1000,
    });
    expect(all).toHaveLength(50);
    await r.close();
    await db.close();
  });
});
