/**
 * @module Retention policy (WORM) cases for the shared store conformance suite: a policy is seen
 * by another node at once (node caches stay true); a void `InProgress` one is replaced, one in
 * effect never; abort, complete and extend change only a policy in the right state; two nodes
 * initiating at once store one; the policy goes with its bucket; every write and delete refuses,
 * inside its own transaction, to replace or remove a version under retention (racing writers of
 * one key leave the first version made).
 */
import { expect } from 'vitest';
import { StoreError } from '../../kernel/errors.js';
import { race, storeError } from '../../store/conformance/helpers.js';
import type { ConformanceSuite } from '../../store/conformance/runner.js';
import { fixtureObject, bucket as ossBucket } from './conformance.js';
import type { OssObject } from './model.js';
import { RETAINED, type BucketWorm } from './store.js';
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

const object = (b: string, key: string, lastModified: number): OssObject =>
  fixtureObject(b, key, { lastModified });

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
      name: 'a write or delete replacing a version modified after retainedAfter is refused, all or nothing',
      async run({ db }) {
        const s = new OssSqlStore(db);
        await s.createBucket(bucket('worm-keys'), 100);
        await s.putObject(object('worm-keys', 'old', 1000));
        await s.putObject(object('worm-keys', 'new', 5000));
        // Held: modified after 2000. Overwrites, appends and rewrites in place are refused.
        expect(
          await retained(s.putObject(object('worm-keys', 'new', 6000), { retainedAfter: 2000 })),
        ).toBe(true);
        const append = { ...object('worm-keys', 'new', 6000), objectType: 'Appendable' as const };
        await s.putObject(append);
        const seg = { blobId: 'a1', size: 1, md5Hex: 'A'.repeat(32), crc64: '1' };
        expect(await retained(s.appendObject(append, 1, seg, 7000, { retainedAfter: 2000 }))).toBe(
          true,
        );
        expect(
          await retained(s.updateObject('worm-keys', 'new', { acl: 'private' }, undefined, 2000)),
        ).toBe(true);
        expect(
          await s.updateObject('worm-keys', 'missing', { acl: 'private' }, undefined, 2000),
        ).toBe(false);
        expect(await s.updateObject('worm-keys', 'old', { acl: 'private' }, undefined, 2000)).toBe(
          true,
        );
        // A completion onto a held key is refused and leaves the upload as it was.
        await s.createUpload({
          uploadId: 'WU',
          bucket: 'worm-keys',
          key: 'new',
          initiated: 1,
          headers: {},
          acl: 'default',
          storageClass: 'Standard',
        });
        const done = { ...object('worm-keys', 'new', 8000), objectType: 'Multipart' as const };
        expect(await retained(s.completeUpload('WU', done, { retainedAfter: 2000 }))).toBe(true);
        expect((await s.getUpload('WU'))?.key).toBe('new');
        // Deletes: one held key refuses them all, whichever path.
        expect(await retained(s.deleteObjects('worm-keys', ['old', 'new'], 2000))).toBe(true);
        expect(
          await retained(
            s.deleteVersions('worm-keys', [{ key: 'old' }, { key: 'new' }], undefined, 9000, 2000),
          ),
        ).toBe(true);
        expect((await s.getObject('worm-keys', 'old'))?.lastModified).toBe(1000);
        expect((await s.getObject('worm-keys', 'new'))?.size).toBe(1);
        // Lifecycle expiry leaves a held object alone.
        const held = (await s.getObject('worm-keys', 'new'))!;
        expect(await s.expireObject('worm-keys', 'new', held.objectId, 9000, 2000)).toBeUndefined();
        expect(await s.getObject('worm-keys', 'new')).toBeDefined();
        // Not held (modified at or before retainedAfter, or no policy): everything passes.
        expect(await s.deleteObjects('worm-keys', ['old', 'missing'], 1000)).toHaveLength(1);
        expect(await s.expireObject('worm-keys', 'new', held.objectId, 9000, 6000)).toHaveLength(1);
        await s.abortUpload('WU');
        expect((await s.initiateBucketWorm(worm('worm-keys', 'K', 1), 0)).ok).toBe(true);
        await s.deleteBucket('worm-keys');
        expect(await s.getBucketWorm('worm-keys')).toBeUndefined();
        const e = await storeError(s.initiateBucketWorm(worm('worm-keys', 'L', 2), 0));
        expect(e).toBeInstanceOf(StoreError);
        expect(e.kind).toBe('NotFound');
      },
    },
    {
      name: 'with versioning, new versions and delete markers pass; removing a held version does not',
      async run({ db }) {
        const s = new OssSqlStore(db);
        await s.createBucket(bucket('worm-ver'), 100);
        const v = (id: string, at: number) => ({ ...object('worm-ver', 'k', at), versionId: id });
        await s.putObject(v('V1', 5000), { versioning: 'Enabled' });
        await s.putObject(v('V2', 6000), { versioning: 'Enabled', retainedAfter: 2000 });
        const marker = await s.deleteVersions('worm-ver', [{ key: 'k' }], 'Enabled', 7000, 2000);
        expect(marker.outcomes[0]?.deleteMarker).toBe(true);
        const markerId = marker.outcomes[0]!.deleteMarkerVersionId!;
        expect(
          await retained(
            s.deleteVersions(
              'worm-ver',
              [
                { key: 'k', versionId: markerId },
                { key: 'k', versionId: 'V1' },
              ],
              'Enabled',
              8000,
              2000,
            ),
          ),
        ).toBe(true);
        // The marker (no bytes) goes alone; V1 stays, and so does V2, now current again.
        await s.deleteVersions(
          'worm-ver',
          [{ key: 'k', versionId: markerId }],
          'Enabled',
          8000,
          2000,
        );
        const left = await s.listVersions('worm-ver', { prefix: '', limit: 10 });
        expect(left.map((x) => [x.versionId, x.isLatest])).toEqual([
          ['V2', true],
          ['V1', false],
        ]);
        // Under Suspended a write replaces the `null` version: held, refused.
        await s.putObject(v('null', 8500), { versioning: 'Suspended' });
        expect(
          await retained(
            s.putObject(v('null', 9000), { versioning: 'Suspended', retainedAfter: 2000 }),
          ),
        ).toBe(true);
        await s.deleteVersions(
          'worm-ver',
          ['V1', 'V2', 'null'].map((versionId) => ({ key: 'k', versionId })),
          'Enabled',
          9000,
          9000,
        );
        await s.deleteBucket('worm-ver');
      },
    },
    {
      name: 'writers of one key racing on two nodes: the first version made is never replaced',
      async run({ db, another }) {
        const a = new OssSqlStore(db);
        const b = new OssSqlStore(await another());
        await a.createBucket(bucket('worm-race-put'), 100);
        // Everything modified after 0 is held, so only a write finding the key free may land.
        const writers = Array.from(
          { length: 8 },
          (_, i) => () =>
            (i % 2 ? a : b).putObject(object('worm-race-put', 'k', 1000 + i), { retainedAfter: 0 }),
        );
        const results = await race(db, writers);
        const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
        expect(won).toHaveLength(1);
        for (const r of results) {
          if (r.status === 'rejected') expect(isRetainedError(r.reason)).toBe(true);
        }
        expect((await b.getObject('worm-race-put', 'k'))?.lastModified).toBe(1000 + won[0]!);
        await a.deleteObjects('worm-race-put', ['k']);
        await a.deleteBucket('worm-race-put');
      },
    },
  ],
};

/** True when `e` is the store's refusal of a version under retention. */
function isRetainedError(e: unknown): boolean {
  return e instanceof StoreError && e.kind === 'Conflict' && e.entity === RETAINED;
}

/** True when `p` rejects with the retention refusal (fails on success or any other error). */
async function retained(p: Promise<unknown>): Promise<boolean> {
  const e = await storeError(p);
  if (!isRetainedError(e)) throw e;
  return true;
}
