/**
 * @module Restore cases for the shared store conformance suite: a restore row round-trips, is
 * found by bucket and key, changes only by compare-and-set (so two nodes cannot both start or
 * extend one restore), and goes with its object when the object is deleted or overwritten.
 */
import { expect } from 'vitest';
import type { ConformanceSuite } from '../../store/conformance/runner.js';
import { fixtureObject, bucket as ossBucket } from './conformance.js';
import type { OssObject } from './model.js';
import type { RestoreRecord } from './store.js';
import { OssSqlStore } from './store-sql.js';

const ACCT = '1000000000000003';

/** An Archive object of three bytes. */
const object = (b: string, key: string): OssObject =>
  fixtureObject(b, key, { size: 3, storageClass: 'Archive' });

function record(objectId: string, at: number): RestoreRecord {
  return {
    objectId,
    storageClass: 'Archive',
    tier: 'Standard',
    days: 1,
    requestedAt: at,
    readyAt: at + 60_000,
    expiresAt: at + 60_000 + 86_400_000,
  };
}

export const ossRestoreConformance: ConformanceSuite = {
  service: 'oss-restore',
  cases: [
    {
      name: 'a restore is stored, found by key from another node, and changed only by compare-and-set',
      async run({ db, another }) {
        const a = new OssSqlStore(db);
        const b = new OssSqlStore(await another());
        await a.createBucket(ossBucket('restore-c', ACCT), 100);
        const o = object('restore-c', 'k1');
        await a.putObject(o);
        await a.putObject(object('restore-c', 'k2'));
        expect(await a.getRestore(o.objectId)).toBeUndefined();
        const first = record(o.objectId, 5_000);
        expect(await a.putRestore(first, undefined)).toBe(true);
        // A second start, as another node racing the first, loses.
        expect(await b.putRestore(record(o.objectId, 6_000), undefined)).toBe(false);
        expect(await b.getRestore(o.objectId)).toEqual(first);
        const found = await b.restoresAt('restore-c', ['k1', 'k2', 'missing']);
        expect([...found.entries()]).toEqual([['k1', first]]);
        const extended = { ...first, days: 3, expiresAt: first.expiresAt + 2 * 86_400_000 };
        expect(await b.putRestore(extended, first)).toBe(true);
        // The first node's change, made from the row it read before, loses.
        expect(await a.putRestore({ ...first, days: 2 }, first)).toBe(false);
        expect(await a.getRestore(o.objectId)).toEqual(extended);
      },
    },
    {
      name: 'a restore goes with its object (deleted or overwritten); none for a missing object',
      async run({ db }) {
        const s = new OssSqlStore(db);
        await s.createBucket(ossBucket('restore-d', ACCT), 100);
        const o = object('restore-d', 'gone');
        await s.putObject(o);
        await s.putRestore(record(o.objectId, 1), undefined);
        await s.deleteObjects('restore-d', ['gone']);
        expect(await s.getRestore(o.objectId)).toBeUndefined();
        const old = object('restore-d', 'over');
        await s.putObject(old);
        await s.putRestore(record(old.objectId, 1), undefined);
        const fresh = object('restore-d', 'over');
        await s.putObject(fresh);
        expect(await s.getRestore(old.objectId)).toBeUndefined();
        expect((await s.restoresAt('restore-d', ['over'])).size).toBe(0);
        await expect(s.putRestore(record('no-such-object', 1), undefined)).rejects.toMatchObject({
          kind: 'NotFound',
        });
      },
    },
  ],
};
