/**
 * @module OSS's cases for the shared store conformance suite: bucket names unique across nodes
 * under a race, listing order (UTF-8 byte order on both dialects) and pagination with delimiters,
 * part replacement, completion and abort races, appends at a stale position, the orphan sweep's
 * view of referenced blobs, and the database blob store.
 */
import { expect } from 'vitest';
import { StoreError } from '../../kernel/errors.js';
import { race, storeError } from '../../store/conformance/helpers.js';
import type { ConformanceSuite } from '../../store/conformance/runner.js';
import { PostgresBlobStore } from '../../blob/postgres/postgres-blob-store.js';
import { listGrouped } from './handlers/listing.js';
import type { Bucket, OssObject, Part, Upload } from './model.js';
import { OssSqlStore } from './store-sql.js';

const ACCT = '1000000000000001';

/** A private Standard bucket of `accountId` in cn-hangzhou (the other OSS suites use it too). */
export function bucket(name: string, accountId = ACCT): Bucket {
  return {
    name,
    accountId,
    region: 'cn-hangzhou',
    acl: 'private',
    storageClass: 'Standard',
    redundancy: 'LRS',
    createdAt: 1,
  };
}

let fixtureSeq = 0;
/**
 * A one-segment Standard object of `b` at `key`, modified at 1000, with ids no other fixture
 * shares, and `over` applied (the segment follows `over.size`). The OSS suites' one fixture.
 * @example
 * fixtureObject('b', 'k', { storageClass: 'Archive', size: 3 })
 */
export function fixtureObject(b: string, key: string, over: Partial<OssObject> = {}): OssObject {
  const n = ++fixtureSeq;
  const size = over.size ?? 1;
  return {
    bucket: b,
    key,
    objectId: `fx-${n}`,
    size,
    etag: '"00000000000000000000000000000000"',
    crc64: '0',
    objectType: 'Normal',
    storageClass: 'Standard',
    lastModified: 1000,
    headers: {},
    acl: 'default',
    segments: [{ blobId: `fxb-${n}`, size, md5: '0'.repeat(32), crc64: '0' }],
    ...over,
  };
}

let seq = 0;
function object(b: string, key: string, blobs: string[] = [`b${++seq}`]): OssObject {
  return {
    bucket: b,
    key,
    objectId: `o${++seq}-${key.length}`,
    size: blobs.length,
    etag: '"00000000000000000000000000000000"',
    crc64: '0',
    objectType: 'Normal',
    storageClass: 'Standard',
    lastModified: 1000,
    headers: { 'content-type': 'text/plain' },
    acl: 'default',
    segments: blobs.map((blobId) => ({ blobId, size: 1, md5: '0'.repeat(32), crc64: '0' })),
  };
}

function upload(b: string, key: string, id: string): Upload {
  return {
    uploadId: id,
    bucket: b,
    key,
    initiated: 1,
    headers: {},
    acl: 'default',
    storageClass: 'Standard',
  };
}

function part(uploadId: string, n: number, blobId: string): Part {
  return {
    uploadId,
    partNumber: n,
    blobId,
    size: 1,
    etag: `"${blobId.padEnd(32, '0').toUpperCase()}"`,
    crc64: '0',
    lastModified: 1,
  };
}

export const ossConformance: ConformanceSuite = {
  service: 'oss',
  cases: [
    {
      name: 'reads see every write, through the same handle or another (node caches stay true)',
      async run({ db, another }) {
        const a = new OssSqlStore(db);
        const b = new OssSqlStore(await another());
        await a.createBucket(bucket('seen'), 100);
        const first = object('seen', 'k');
        await a.putObject(first);
        // Read twice: the second may be served from a node cache.
        for (let i = 0; i < 2; i++) {
          const r = await a.getBucketAndObject('seen', 'k');
          expect(r.object?.objectId).toBe(first.objectId);
          expect(r.bucket?.acl).toBe('private');
        }
        const second = object('seen', 'k');
        await b.putObject(second);
        expect((await a.getBucketAndObject('seen', 'k')).object?.objectId).toBe(second.objectId);
        expect((await a.getObject('seen', 'k'))?.objectId).toBe(second.objectId);
        await b.updateBucket('seen', { acl: 'public-read' });
        expect((await a.getBucket('seen'))?.acl).toBe('public-read');
        expect((await a.getBucketAndObject('seen', 'k')).bucket?.acl).toBe('public-read');
        await b.deleteObjects('seen', ['k']);
        expect((await a.getBucketAndObject('seen', 'k')).object).toBeUndefined();
        const third = object('seen', 'k');
        await a.putObject(third);
        expect((await b.getBucketAndObject('seen', 'k')).object?.objectId).toBe(third.objectId);
        expect((await a.getBucketAndObject('seen', 'k')).object?.objectId).toBe(third.objectId);
      },
    },
    {
      name: 'bucket names are unique across accounts, even when two nodes race',
      async run({ db, another }) {
        const a = new OssSqlStore(db);
        const b = new OssSqlStore(await another());
        const results = await Promise.allSettled([
          a.createBucket(bucket('race', '1111111111111111'), 100),
          b.createBucket(bucket('race', '2222222222222222'), 100),
        ]);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
        expect(failed.reason).toBeInstanceOf(StoreError);
        expect(failed.reason.kind).toBe('AlreadyExists');
        const winner = await b.getBucket('race');
        expect(['1111111111111111', '2222222222222222']).toContain(winner?.accountId);
      },
    },
    {
      name: 'the bucket quota holds under concurrent creates',
      async run({ db, another }) {
        const a = new OssSqlStore(db);
        const b = new OssSqlStore(await another());
        const made = await Promise.allSettled(
          Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).createBucket(bucket(`q-${i}`), 4)),
        );
        expect(made.filter((r) => r.status === 'fulfilled')).toHaveLength(4);
        expect(await a.listBuckets(ACCT, 'q-', '', 100)).toHaveLength(4);
      },
    },
    {
      name: 'a bucket with objects or uploads is not deleted',
      async run({ db }) {
        const s = new OssSqlStore(db);
        await s.createBucket(bucket('full'), 100);
        await s.putObject(object('full', 'k'));
        expect((await storeError(s.deleteBucket('full'))).kind).toBe('Conflict');
        await s.deleteObjects('full', ['k']);
        await s.createUpload(upload('full', 'k', 'U1'));
        expect((await storeError(s.deleteBucket('full'))).kind).toBe('Conflict');
        await s.abortUpload('U1');
        await s.deleteBucket('full');
        expect(await s.getBucket('full')).toBeUndefined();
        expect((await storeError(s.deleteBucket('full'))).kind).toBe('NotFound');
      },
    },
    {
      name: 'keys list in UTF-8 byte order, with prefix bounds',
      async run({ db }) {
        const s = new OssSqlStore(db);
        await s.createBucket(bucket('order'), 100);
        // Byte order: 'A' < 'a' < 'b' < 'é' (C3 A9) < '中' (E4 B8 AD) < U+FFFD (EF BF BD) < '😀' (F0..)
        const keys = ['😀', 'b', '中', 'a', '\uFFFD', 'A', 'é', 'a/', 'a/b', 'a0', 'a.'];
        for (const k of keys) await s.putObject(object('order', k));
        const all = (await s.listObjects('order', { prefix: '', limit: 100 })).map((o) => o.key);
        expect(all).toEqual(['A', 'a', 'a.', 'a/', 'a/b', 'a0', 'b', 'é', '中', '\uFFFD', '😀']);
        const underA = (await s.listObjects('order', { prefix: 'a/', limit: 100 })).map(
          (o) => o.key,
        );
        expect(underA).toEqual(['a/', 'a/b']);
        const after = await s.listObjects('order', {
          prefix: '',
          lower: { key: 'é', inclusive: false },
          limit: 2,
        });
        expect(after.map((o) => o.key)).toEqual(['中', '\uFFFD']);
      },
    },
    {
      name: 'listing pages with a delimiter: prefixes roll up, markers resume after them',
      async run({ db }) {
        const s = new OssSqlStore(db);
        await s.createBucket(bucket('pages'), 100);
        const keys = ['a', 'd/1', 'd/2', 'd/3', 'e', 'f/x/1', 'f/y', 'g', 'h/'];
        for (const k of keys) await s.putObject(object('pages', k));
        const fetch = (prefix: string) => (lower: any, limit: number) =>
          s.listObjects('pages', { prefix, ...(lower ? { lower } : {}), limit });
        const seen: string[] = [];
        let after: { key: string } | undefined;
        for (let i = 0; i < 10; i++) {
          const page = await listGrouped(fetch(''), {
            prefix: '',
            delimiter: '/',
            max: 2,
            ...(after ? { after } : {}),
          });
          seen.push(...page.items.map((o) => o.key), ...page.prefixes.map((p) => `[${p}]`));
          if (!page.truncated) break;
          after = page.next!;
        }
        expect(seen).toEqual(['a', '[d/]', 'e', '[f/]', 'g', '[h/]']);
        const sub = await listGrouped(fetch('f/'), { prefix: 'f/', delimiter: '/', max: 10 });
        expect(sub.items.map((o) => o.key)).toEqual(['f/y']);
        expect(sub.prefixes).toEqual(['f/x/']);
        expect(sub.truncated).toBe(false);
      },
    },
    {
      name: 'an overwrite returns the replaced blobs; forbid-overwrite refuses',
      async run({ db }) {
        const s = new OssSqlStore(db);
        await s.createBucket(bucket('over'), 100);
        expect(await s.putObject(object('over', 'k', ['x1', 'x2']))).toEqual([]);
        expect((await s.putObject(object('over', 'k', ['y1']))).sort()).toEqual(['x1', 'x2']);
        const e = await storeError(
          s.putObject(object('over', 'k', ['z1']), { forbidOverwrite: true }),
        );
        expect(e.kind).toBe('AlreadyExists');
        expect((await s.getObject('over', 'k'))!.segments.map((x) => x.blobId)).toEqual(['y1']);
        expect(await s.referencedBlobs(['x1', 'y1', 'z1'])).toEqual(new Set(['y1']));
        expect((await storeError(s.putObject(object('nobucket', 'k')))).kind).toBe('NotFound');
      },
    },
    {
      name: 'concurrent writes of one key from two nodes leave exactly one object',
      async run({ db, another }) {
        const a = new OssSqlStore(db);
        const b = new OssSqlStore(await another());
        await a.createBucket(bucket('same'), 100);
        const dropped = await Promise.all(
          Array.from({ length: 6 }, (_, i) =>
            (i % 2 ? a : b).putObject(object('same', 'k', [`w${i}`])),
          ),
        );
        const o = await a.getObject('same', 'k');
        const kept = o!.segments[0]!.blobId;
        expect(dropped.flat().sort()).toEqual(
          ['w0', 'w1', 'w2', 'w3', 'w4', 'w5'].filter((w) => w !== kept).sort(),
        );
      },
    },
    {
      name: 'a re-uploaded part replaces the old one and returns its blob',
      async run({ db, another }) {
        const a = new OssSqlStore(db);
        const b = new OssSqlStore(await another());
        await a.createBucket(bucket('parts'), 100);
        await a.createUpload(upload('parts', 'big', 'UP'));
        expect(await a.putPart(part('UP', 1, 'p1a'))).toBeUndefined();
        expect(await b.putPart(part('UP', 1, 'p1b'))).toBe('p1a');
        const racing = await Promise.all([
          a.putPart(part('UP', 2, 'p2a')),
          b.putPart(part('UP', 2, 'p2b')),
        ]);
        expect(racing.filter((x) => x !== undefined)).toHaveLength(1);
        const parts = await a.allParts('UP');
        expect(parts.map((p) => p.partNumber)).toEqual([1, 2]);
        expect(parts[0]!.blobId).toBe('p1b');
        expect((await a.listParts('UP', 1, 10)).map((p) => p.partNumber)).toEqual([2]);
        expect((await storeError(a.putPart(part('NOPE', 1, 'px')))).kind).toBe('NotFound');
      },
    },
    {
      name: 'completing an upload keeps the chosen parts and returns the others; twice fails',
      async run({ db, another }) {
        const a = new OssSqlStore(db);
        const b = new OssSqlStore(await another());
        await a.createBucket(bucket('done'), 100);
        await a.createUpload(upload('done', 'k', 'UC'));
        for (const [n, id] of [
          [1, 'c1'],
          [2, 'c2'],
          [3, 'c3'],
        ] as const)
          await a.putPart(part('UC', n, id));
        await a.putObject(object('done', 'k', ['old']));
        const obj = { ...object('done', 'k', ['c1', 'c3']), objectType: 'Multipart' as const };
        const results = await Promise.allSettled([
          a.completeUpload('UC', obj),
          b.completeUpload('UC', { ...obj, objectId: 'other' }),
        ]);
        const ok = results.filter((r) => r.status === 'fulfilled') as PromiseFulfilledResult<
          string[]
        >[];
        expect(ok).toHaveLength(1);
        expect(ok[0]!.value.sort()).toEqual(['c2', 'old']);
        const bad = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
        expect(bad.reason.kind).toBe('NotFound');
        expect((await a.getObject('done', 'k'))!.segments.map((s) => s.blobId)).toEqual([
          'c1',
          'c3',
        ]);
        expect(await a.getUpload('UC')).toBeUndefined();
        expect(await a.allParts('UC')).toEqual([]);
      },
    },
    {
      name: 'uploads list by key then upload id, resuming after both markers',
      async run({ db }) {
        const s = new OssSqlStore(db);
        await s.createBucket(bucket('ups'), 100);
        for (const [k, id] of [
          ['b', 'U2'],
          ['a', 'U9'],
          ['b', 'U1'],
          ['c/d', 'U3'],
        ] as const) {
          await s.createUpload(upload('ups', k, id));
        }
        const all = await s.listUploads('ups', { prefix: '', limit: 10 });
        expect(all.map((u) => `${u.key}:${u.uploadId}`)).toEqual([
          'a:U9',
          'b:U1',
          'b:U2',
          'c/d:U3',
        ]);
        const next = await s.listUploads('ups', {
          prefix: '',
          lower: { key: 'b', inclusive: false, id: 'U1' },
          limit: 10,
        });
        expect(next.map((u) => u.uploadId)).toEqual(['U2', 'U3']);
      },
    },
    {
      name: 'appends at a stale position are refused; racing appends keep one',
      async run({ db, another }) {
        const a = new OssSqlStore(db);
        const b = new OssSqlStore(await another());
        await a.createBucket(bucket('app'), 100);
        const create = { ...object('app', 'log', []), objectType: 'Appendable' as const, size: 3 };
        const seg = (id: string, size = 3) => ({
          blobId: id,
          size,
          md5Hex: 'A'.repeat(32),
          crc64: '1',
        });
        expect((await a.appendObject(create, 1, seg('s0'), 1)).ok).toBe(false);
        expect((await a.appendObject(create, 0, seg('s1'), 1)).ok).toBe(true);
        const race = await Promise.all([
          a.appendObject(create, 3, seg('s2'), 2),
          b.appendObject(create, 3, seg('s3'), 2),
        ]);
        expect(race.filter((r) => r.ok)).toHaveLength(1);
        expect(race.find((r) => !r.ok)).toEqual({ ok: false, reason: 'position', length: 6 });
        const o = await a.getObject('app', 'log');
        expect(o!.size).toBe(6);
        expect(o!.segments).toHaveLength(2);
        await a.putObject(object('app', 'plain'));
        expect(await a.appendObject({ ...create, key: 'plain' }, 1, seg('s4'), 3)).toEqual({
          ok: false,
          reason: 'not-appendable',
        });
      },
    },
    {
      name: 'the database blob store streams chunks and ranges across handles',
      async run({ db, another }) {
        const w = new PostgresBlobStore(db, 1024);
        const r = new PostgresBlobStore(await another(), 1024);
        const data = Buffer.alloc(5000);
        for (let i = 0; i < data.length; i++) data[i] = (i * 7) % 251;
        const info = await w.write([data.subarray(0, 1500), data.subarray(1500)]);
        expect(info.size).toBe(5000);
        const read = async (range?: { start: number; end: number }) => {
          const chunks: Buffer[] = [];
          for await (const c of await r.read(info.blobId, range)) chunks.push(c as Buffer);
          return Buffer.concat(chunks);
        };
        expect((await read()).equals(data)).toBe(true);
        expect((await read({ start: 1000, end: 3071 })).equals(data.subarray(1000, 3072))).toBe(
          true,
        );
        const listed: string[] = [];
        for await (const id of r.list(Date.now() + 1000)) listed.push(id);
        expect(listed).toContain(info.blobId);
        await r.delete([info.blobId]);
        await expect(r.read(info.blobId)).rejects.toThrow(/not found/);
      },
    },
    {
      name: 'a sequential upload keeps its flag; the last part number is the highest stored',
      async run({ db }) {
        const s = new OssSqlStore(db);
        await s.createBucket(bucket('seq'), 100);
        await s.createUpload({ ...upload('seq', 'k', 'SEQ1'), sequential: true });
        await s.createUpload(upload('seq', 'k', 'PLAIN1'));
        expect((await s.getUpload('SEQ1'))?.sequential).toBe(true);
        expect((await s.getUpload('PLAIN1'))?.sequential).toBeUndefined();
        expect(await s.lastPartNumber('SEQ1')).toBe(0);
        await s.putPart(part('SEQ1', 1, 'sq1'));
        await s.putPart(part('SEQ1', 3, 'sq3'));
        await s.putPart(part('SEQ1', 2, 'sq2'));
        expect(await s.lastPartNumber('SEQ1')).toBe(3);
      },
    },
    {
      name: 'website and logging settings are stored with the bucket and seen by every node',
      async run({ db, another }) {
        const a = new OssSqlStore(db);
        const b = new OssSqlStore(await another());
        await a.createBucket(bucket('site'), 100);
        await a.getBucket('site'); // cached on this node
        await b.updateBucket('site', { website: '{"suffix":"index.html"}', logging: '{"t":1}' });
        const seen = await a.getBucket('site');
        expect(seen?.website).toBe('{"suffix":"index.html"}');
        expect(seen?.logging).toBe('{"t":1}');
        await b.updateBucket('site', { website: null });
        expect((await a.getBucket('site'))?.website).toBeUndefined();
        expect((await a.getBucket('site'))?.logging).toBe('{"t":1}');
      },
    },
    {
      name: 'inventory configurations: replace by id, byte-ordered pages, a quota, gone with the bucket',
      async run({ db, another }) {
        const a = new OssSqlStore(db);
        const b = new OssSqlStore(await another());
        await a.createBucket(bucket('inv'), 100);
        for (const id of ['b', 'a', 'Z', 'é'])
          await a.putInventory('inv', id, `{"id":"${id}"}`, 3 + 1, 1000);
        await b.putInventory('inv', 'a', '{"id":"a","v":2}', 4, 1000);
        expect(await b.getInventory('inv', 'a')).toBe('{"id":"a","v":2}');
        expect(await a.getInventory('inv', 'missing')).toBeUndefined();
        expect((await a.listInventories('inv', '', 10)).map((r) => r.id)).toEqual([
          'Z',
          'a',
          'b',
          'é',
        ]);
        expect((await a.listInventories('inv', 'a', 2)).map((r) => r.id)).toEqual(['b', 'é']);
        expect((await storeError(a.putInventory('inv', 'new', '{}', 4, 1000))).kind).toBe(
          'Conflict',
        );
        await a.putInventory('inv', 'b', '{"v":3}', 4, 1000); // replacing stays within the quota
        // Two nodes racing for the last place: one wins.
        expect(await b.deleteInventory('inv', 'Z')).toBe(true);
        expect(await b.deleteInventory('inv', 'Z')).toBe(false);
        const raced = await race(db, [
          () => a.putInventory('inv', 'x1', '{}', 4, 1000),
          () => b.putInventory('inv', 'x2', '{}', 4, 1000),
        ]);
        expect(raced.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        expect((await storeError(a.putInventory('gone', 'x', '{}', 4, 1000))).kind).toBe(
          'NotFound',
        );
        // Reports: due by their time, claimed once.
        const due = (await a.dueInventories(1000, 100)).map((r) => r.id);
        expect(due).toHaveLength(4);
        expect(due).toEqual(expect.arrayContaining(['a', 'b', 'é']));
        expect(await a.dueInventories(999, 100)).toEqual([]);
        const claims = await race(db, [
          () => a.claimInventoryRun('inv', 'a', 1000, 5000),
          () => b.claimInventoryRun('inv', 'a', 1000, 5000),
        ]);
        expect(claims.filter((r) => r.status === 'fulfilled' && r.value)).toHaveLength(1);
        expect((await a.dueInventories(1000, 100)).map((r) => r.id)).not.toContain('a');
        await a.deleteBucket('inv');
        await a.createBucket(bucket('inv'), 100);
        expect(await a.listInventories('inv', '', 10)).toEqual([]);
      },
    },
  ],
};
