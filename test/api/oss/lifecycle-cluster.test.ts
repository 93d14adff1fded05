/**
 * Lifecycle rules on a two-node PostgreSQL cluster: both nodes' clocks pass the due midnight at
 * once and both runners sweep, yet every object is expired once, by one node, and the audit
 * trail holds exactly one event per object; either node's answers right after the move show
 * every bucket swept, whichever node swept it. PostgreSQL only (SQLite is a single-node store).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, testStoreKind, type TestServer } from '../../../src/testing/server.js';
import { ossClient } from '../../../src/testing/sdk.js';
import { rootOf } from '../../../src/testing/fixtures.js';
import { lookupAll } from '../trail/helpers.js';

const START = '2026-03-01T10:15:00Z';
const BUCKETS = ['lc-node-1', 'lc-node-2', 'lc-node-3', 'lc-node-4'];
const PER_BUCKET = 15;

describe.skipIf(testStoreKind() !== 'postgres')('lifecycle on two nodes', () => {
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    a = await startTestServer({ clock: 'manual', clockStart: START });
    b = await startTestServer({ clock: 'manual', clockStart: START, shareStoreWith: a });
    const root = ossClient(a, rootOf(a));
    for (const name of BUCKETS) {
      await root.putBucket(name);
      const c = ossClient(a, rootOf(a), { bucket: name });
      for (let i = 0; i < PER_BUCKET; i++) await c.put(`logs/${i}.txt`, Buffer.from('x'));
      await root.putBucketLifecycle(name, [
        { id: 'expire', prefix: 'logs/', status: 'Enabled', expiration: { days: 30 } },
      ]);
    }
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('expires each object once across the nodes, one trail event each', async () => {
    a.clock.advance(31 * 24 * 3600);
    b.clock.advance(31 * 24 * 3600);
    // Node B's answers wait for B's sweep, which waits for the buckets node A is sweeping.
    for (const name of BUCKETS) {
      const list = await ossClient(b, rootOf(a), { bucket: name }).list({ prefix: 'logs/' });
      expect(list.objects ?? []).toEqual([]);
    }
    await Promise.all([a.oss.lifecycle.idle(), b.oss.lifecycle.idle()]);
    await Promise.all([a.services.trail.recorder.flush(), b.services.trail.recorder.flush()]);
    const events = await lookupAll(a, rootOf(a), [['EventName', 'LifecycleExpireObject']], {
      StartTime: '2026-03-01T00:00:00Z',
      EndTime: '2026-04-15T00:00:00Z',
    });
    const keys = events.map(
      (e) => `${e.requestParameters.BucketName}/${e.requestParameters.ObjectName}`,
    );
    expect(keys).toHaveLength(BUCKETS.length * PER_BUCKET);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
