/**
 * @module Lifecycle cases for the shared store conformance suite: a bucket's rules round-trip,
 * are replaced and go with their bucket; a sweep is claimed by one node per boundary (and not
 * while another node's lease runs); expiring and transitioning an object act once, only on the
 * version decided on, and the expiry frees its blobs through the ordinary delete.
 */
import { expect } from 'vitest';
import { race, storeError } from '../../store/conformance/helpers.js';
import type { ConformanceSuite } from '../../store/conformance/runner.js';
import { fixtureObject, bucket as ossBucket } from './conformance.js';
import type { Bucket, OssObject } from './model.js';
import { OssSqlStore } from './store-sql.js';

const ACCT = '1000000000000003';
const DAY = 24 * 3600_000;

const bucket = (name: string): Bucket => ossBucket(name, ACCT);

const object = (b: string, key: string): OssObject => fixtureObject(b, key);

export const ossLifecycleConformance: ConformanceSuite = {
  service: 'oss-lifecycle',
  cases: [
    {
      name: 'lifecycle rules are stored, replaced, deleted, and go with their bucket',
      async run({ db, another }) {
        const a = new OssSqlStore(db);
        const b = new OssSqlStore(await another());
        await a.createBucket(bucket('lc-rules'), 100);
        expect(await b.getLifecycle('lc-rules')).toBeUndefined();
        await a.putLifecycle('lc-rules', '[1]', 0);
        await a.putLifecycle('lc-rules', '[2]', 5 * DAY);
        expect(await b.getLifecycle('lc-rules')).toBe('[2]');
        // Replacing the rules keeps the sweep bookkeeping (the first put's boundary).
        expect(await b.dueLifecycles(DAY, 10)).toContainEqual({
          bucket: 'lc-rules',
          sweptThrough: 0,
        });
        expect(await b.deleteLifecycle('lc-rules')).toBe(true);
        expect(await a.deleteLifecycle('lc-rules')).toBe(false);
        expect((await storeError(a.putLifecycle('lc-none', '[]', 0))).kind).toBe('NotFound');
        await a.putLifecycle('lc-rules', '[3]', 0);
        await a.deleteBucket('lc-rules');
        expect(await b.getLifecycle('lc-rules')).toBeUndefined();
      },
    },
    {
      name: 'one node claims a bucket per boundary, and none while another holds the lease',
      async run({ db, another }) {
        const a = new OssSqlStore(db);
        const b = new OssSqlStore(await another());
        await a.createBucket(bucket('lc-claim'), 100);
        await a.putLifecycle('lc-claim', '["rules"]', 0);
        const won = await race(db, [
          () => a.claimLifecycle('lc-claim', DAY, 0, 1000),
          () => b.claimLifecycle('lc-claim', DAY, 0, 1000),
        ]);
        const rules = won.map((r) => (r.status === 'fulfilled' ? r.value : 'error'));
        expect(rules.filter((r) => r === '["rules"]')).toHaveLength(1);
        expect(rules.filter((r) => r === undefined)).toHaveLength(1);
        expect(await a.dueLifecycles(DAY, 10)).not.toContainEqual(
          expect.objectContaining({ bucket: 'lc-claim' }),
        );
        expect(await b.leasedLifecycles(500, 10)).toContain('lc-claim');
        expect(await b.leasedLifecycles(1001, 10)).not.toContain('lc-claim');
        // The next boundary waits for the lease (real time 1000) unless it is given back.
        expect(await b.claimLifecycle('lc-claim', 2 * DAY, 500, 1500)).toBeUndefined();
        expect(await b.claimLifecycle('lc-claim', 2 * DAY, 1001, 2000)).toBe('["rules"]');
        await b.leaseLifecycle('lc-claim', null);
        expect(await a.leasedLifecycles(0, 10)).not.toContain('lc-claim');
        expect(await a.claimLifecycle('lc-claim', 3 * DAY, 0, 1000)).toBe('["rules"]');
      },
    },
    {
      name: 'an object expires once, only as the version decided on, its blobs freed',
      async run({ db, another }) {
        const a = new OssSqlStore(db);
        const b = new OssSqlStore(await another());
        await a.createBucket(bucket('lc-expire'), 100);
        const old = object('lc-expire', 'k');
        await a.putObject(old);
        const fresh = object('lc-expire', 'k2');
        await a.putObject(fresh);
        const [seen] = await b.lifecycleCandidates('lc-expire', '', undefined, 10);
        expect(seen).toMatchObject({ key: 'k', objectId: old.objectId, storageClass: 'Standard' });
        const done = await race(db, [
          () => a.expireObject('lc-expire', 'k', old.objectId, 1),
          () => b.expireObject('lc-expire', 'k', old.objectId, 1),
        ]);
        const values = done.map((r) => (r.status === 'fulfilled' ? r.value : 'error'));
        expect(values).toContainEqual([old.segments[0]!.blobId]);
        expect(values).toContainEqual(undefined);
        expect(await a.getObject('lc-expire', 'k')).toBeUndefined();
        // A newer write under the key is not the version decided on: left alone.
        const newer = { ...object('lc-expire', 'k2') };
        await a.putObject(newer);
        expect(await b.expireObject('lc-expire', 'k2', fresh.objectId, 1)).toBeUndefined();
        expect((await a.getObject('lc-expire', 'k2'))?.objectId).toBe(newer.objectId);
      },
    },
    {
      name: 'an object transitions once, from the class it had',
      async run({ db, another }) {
        const a = new OssSqlStore(db);
        const b = new OssSqlStore(await another());
        await a.createBucket(bucket('lc-move'), 100);
        const o = object('lc-move', 'cold/x');
        await a.putObject(o);
        const done = await race(db, [
          () => a.transitionObject('lc-move', 'cold/x', o.objectId, 'Standard', 'Archive'),
          () => b.transitionObject('lc-move', 'cold/x', o.objectId, 'Standard', 'Archive'),
        ]);
        expect(done.map((r) => r.status === 'fulfilled' && r.value).sort()).toEqual([false, true]);
        const got = await b.getObject('lc-move', 'cold/x');
        expect(got).toMatchObject({ storageClass: 'Archive', lastModified: 1000 });
        expect(await a.lifecycleCandidates('lc-move', 'cold/', undefined, 10)).toMatchObject([
          { key: 'cold/x', storageClass: 'Archive' },
        ]);
        expect(await a.lifecycleCandidates('lc-move', 'hot/', undefined, 10)).toEqual([]);
      },
    },
  ],
};
