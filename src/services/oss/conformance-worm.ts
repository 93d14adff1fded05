/**
 * @module Retention policy (WORM) cases for the shared store conformance suite: a policy is seen
 * by another node at once (node caches stay true); a void `InProgress` one is replaced, one in
 * effect never; abort, complete and extend change only a policy in the right state; two nodes
 * initiating at once store one; the policy goes with its bucket; retained keys are found by time.
 */
import { expect } from 'vitest';
import { StoreError } from '../../kernel/errors.js';
import { race, storeError } from '../../store/conformance/helpers.js';
import type { ConformanceSuite } from '../../store/conformance/runner.js';
import { bucket as ossBucket } from './conformance.js';
import type { OssObject } from './model.js';
import type { BucketWorm } from './store.js';
import { OssSqlStore } from './store-sql.js';

const ACCT = '1000000000000003';
const DAY = 86_400_000;

const bucket = (name: string) => ossBucket(name, ACCT);

const worm = (b: string, wormId: string, createdAt: number, days = 1): BucketWorm => ({
  bucket: b,
  wormId,
  state: 'InProgress',
  days,
  createdAt,
});

let seq = 0;
function object(b: string, key: string, lastModified: number): OssObject {
  const blobId = `w-${++seq}`;
  return {
    bucket: b,
    key,
    objectId: `wo-${seq}`,
    size: 1,
    etag: '"00000000000000000000000000000000"',
    crc64: '0',
    objectType: 'Normal',
    storageClass: 'Standard',
    lastModified,
    headers: {},
    acl: 'default',
    segments: [{ blobId, size: 1, md5: '0'.repeat(32), crc64: '0' }],
  };
}

export const ossWormConformance: ConformanceSuite = {
  service: 'oss-worm',
  cases: [
    {
      name: 'a policy moves InProgress -> Locked -> longer, each change seen by another node',
      async run({ db, another }) {
        const a = new OssSqlStore(db);
        const b = new OssSqlStore(await another());
        await a.createBucket(bucket('worm-life'), 100);
        // Read before any policy, so a node cache holds the absence.
        expect(await b.getBucketWorm('worm-life')).toBeUndefined();
        expect(await a.initiateBucketWorm(worm('worm-life', 'W1', 10 * DAY, 3), 9 * DAY)).toEqual({
          ok: true,
        });
        expect(await b.getBucketWorm('worm-life')).toEqual(worm('worm-life', 'W1', 10 * DAY, 3));
        // Extending is for locked policies only; completing needs the right id.
        expect(await a.extendBucketWorm('worm-life', 'W1', 5)).toBe(false);
        expect(await a.completeBucketWorm('worm-life', 'W2', 9 * DAY)).toBe(false);
        expect(await a.completeBucketWorm('worm-life', 'W1', 9 * DAY)).toBe(true);
        expect((await b.getBucketWorm('worm-life'))?.state).toBe('Locked');
        // A locked policy cannot be aborted, completed again, shortened or restarted.
        expect(await a.abortBucketWorm('worm-life', 100 * DAY)).toBe(false);
        expect(await a.completeBucketWorm('worm-life', 'W1', 9 * DAY)).toBe(false);
        expect(await a.extendBucketWorm('worm-life', 'W1', 2)).toBe(false);
        expect(await a.extendBucketWorm('worm-life', 'W1', 3)).toBe(false);
        const again = await a.initiateBucketWorm(worm('worm-life', 'W3', 100 * DAY), 99 * DAY);
        expect(again).toMatchObject({ ok: false, existing: { wormId: 'W1', state: 'Locked' } });
        expect(await b.extendBucketWorm('worm-life', 'W1', 4)).toBe(true);
        expect(await a.getBucketWorm('worm-life')).toMatchObject({ days: 4, state: 'Locked' });
      },
    },
    {
      name: 'an InProgress policy in effect blocks a new one; a void one is replaced; abort removes it',
      async run({ db }) {
        const s = new OssSqlStore(db);
        await s.createBucket(bucket('worm-void'), 100);
        expect((await s.initiateBucketWorm(worm('worm-void', 'A', 10 * DAY), 9 * DAY)).ok).toBe(
          true,
        );
        // Still in effect (created after `voidBefore`): refused, the first returned.
        const second = await s.initiateBucketWorm(worm('worm-void', 'B', 10 * DAY + 5), 9 * DAY);
        expect(second).toMatchObject({ ok: false, existing: { wormId: 'A' } });
        // A day later it is void: it cannot be completed or aborted, and a new one replaces it.
        expect(await s.completeBucketWorm('worm-void', 'A', 10 * DAY)).toBe(false);
        expect(await s.abortBucketWorm('worm-void', 10 * DAY)).toBe(false);
        expect((await s.initiateBucketWorm(worm('worm-void', 'C', 11 * DAY), 10 * DAY)).ok).toBe(
          true,
        );
        expect((await s.getBucketWorm('worm-void'))?.wormId).toBe('C');
        expect(await s.abortBucketWorm('worm-void', 10 * DAY)).toBe(true);
        expect(await s.getBucketWorm('worm-void')).toBeUndefined();
        expect(await s.abortBucketWorm('worm-void', 10 * DAY)).toBe(false);
      },
    },
    {
      name: 'two nodes initiating at once store exactly one policy',
      async run({ db, another }) {
        const a = new OssSqlStore(db);
        const b = new OssSqlStore(await another());
        await a.createBucket(bucket('worm-race'), 100);
        const results = await race(db, [
          () => a.initiateBucketWorm(worm('worm-race', 'X', 5 * DAY), 4 * DAY),
          () => b.initiateBucketWorm(worm('worm-race', 'Y', 5 * DAY), 4 * DAY),
        ]);
        const values = results.map((r) => (r.status === 'fulfilled' ? r.value : r.reason));
        expect(values.filter((v) => v.ok === true)).toHaveLength(1);
        const loser = values.find((v) => v.ok === false);
        const stored = await a.getBucketWorm('worm-race');
        expect(loser.existing.wormId).toBe(stored?.wormId);
      },
    },
    {
      name: 'retained keys are found by modification time; the policy goes with its bucket',
      async run({ db }) {
        const s = new OssSqlStore(db);
        await s.createBucket(bucket('worm-keys'), 100);
        await s.putObject(object('worm-keys', 'old', 1000));
        await s.putObject(object('worm-keys', 'new', 5000));
        const keys = ['old', 'new', 'missing', 'new'];
        expect(await s.keysModifiedAfter('worm-keys', keys, 2000)).toEqual(['new']);
        expect(await s.keysModifiedAfter('worm-keys', keys, 5000)).toEqual([]);
        expect((await s.keysModifiedAfter('worm-keys', keys, 0)).sort()).toEqual(['new', 'old']);
        const many = Array.from({ length: 1200 }, (_, i) => `k${i}`).concat(['new']);
        expect(await s.keysModifiedAfter('worm-keys', many, 0)).toEqual(['new']);
        expect((await s.initiateBucketWorm(worm('worm-keys', 'K', 1), 0)).ok).toBe(true);
        await s.deleteObjects('worm-keys', ['old', 'new']);
        await s.deleteBucket('worm-keys');
        expect(await s.getBucketWorm('worm-keys')).toBeUndefined();
        const e = await storeError(s.initiateBucketWorm(worm('worm-keys', 'L', 2), 0));
        expect(e).toBeInstanceOf(StoreError);
        expect(e.kind).toBe('NotFound');
      },
    },
  ],
};
