/**
 * @module OSS versioning cases for the shared store conformance suite: versions written on one
 * node listed on another (keys in byte order, each key's versions newest first, paged after a
 * version), racing versioned writes keeping every version and one current, delete markers and
 * permanent deletes promoting the next newest, the `null` version replaced under Suspended, and
 * listings of current objects skipping markers and old versions.
 */
import { expect } from 'vitest';
import { storeError } from '../../store/conformance/helpers.js';
import type { ConformanceSuite } from '../../store/conformance/runner.js';
import { bucket } from './conformance.js';
import { newVersionId, type OssObject, type VersioningStatus } from './model.js';
import { OssSqlStore } from './store-sql.js';

let seq = 0;
function version(b: string, key: string, versioning: VersioningStatus | undefined): OssObject {
  const n = ++seq;
  return {
    bucket: b,
    key,
    objectId: `vo${n}`,
    versionId: versioning === 'Enabled' ? newVersionId(n) : 'null',
    size: 1,
    etag: '"00000000000000000000000000000000"',
    crc64: '0',
    objectType: 'Normal',
    storageClass: 'Standard',
    lastModified: n,
    headers: {},
    acl: 'default',
    segments: [{ blobId: `vb${n}`, size: 1, md5: '0'.repeat(32), crc64: '0' }],
  };
}

const range = { prefix: '', limit: 1000 };

export const ossVersioningConformance: ConformanceSuite = {
  service: 'oss-versioning',
  cases: [
    {
      name: 'versions written on one node are listed on another, newest first, and page after a version',
      async run({ db, another }) {
        const a = new OssSqlStore(db);
        const b = new OssSqlStore(await another());
        await a.createBucket(bucket('vlist'), 100);
        await a.putObject(version('vlist', 'k', undefined));
        await a.updateBucket('vlist', { versioning: 'Enabled' });
        const v1 = version('vlist', 'k', 'Enabled');
        const v2 = version('vlist', 'k', 'Enabled');
        await a.putObject(v1, { versioning: 'Enabled' });
        await a.putObject(v2, { versioning: 'Enabled' });
        await a.putObject(version('vlist', 'j', 'Enabled'), { versioning: 'Enabled' });
        expect((await b.getBucket('vlist'))?.versioning).toBe('Enabled');
        const all = await b.listVersions('vlist', range);
        expect(all.map((v) => [v.key, v.versionId, v.isLatest])).toEqual([
          ['j', expect.any(String), true],
          ['k', v2.versionId, true],
          ['k', v1.versionId, false],
          ['k', 'null', false],
        ]);
        expect((await b.getBucketAndObject('vlist', 'k')).object?.objectId).toBe(v2.objectId);
        expect((await b.getObjectVersion('vlist', 'k', 'null'))?.segments.length).toBe(1);
        const after = await b.listVersions('vlist', {
          prefix: '',
          lower: { key: 'k', inclusive: false, id: v2.versionId! },
          limit: 10,
        });
        expect(after.map((v) => v.versionId)).toEqual([v1.versionId, 'null']);
        expect((await b.listObjects('vlist', range)).map((o) => o.key)).toEqual(['j', 'k']);
      },
    },
    {
      name: 'racing versioned writes on two nodes keep every version and one current',
      async run({ db, another }) {
        const a = new OssSqlStore(db);
        const b = new OssSqlStore(await another());
        await a.createBucket(bucket('vrace'), 100);
        const writes = Array.from({ length: 8 }, () => version('vrace', 'k', 'Enabled'));
        await Promise.all(
          writes.map((w, i) => (i % 2 ? a : b).putObject(w, { versioning: 'Enabled' })),
        );
        const all = await a.listVersions('vrace', range);
        expect(all.length).toBe(8);
        expect(all.filter((v) => v.isLatest).length).toBe(1);
        expect(new Set(all.map((v) => v.versionId)).size).toBe(8);
        expect((await a.getObject('vrace', 'k'))?.versionId).toBe(all[0]!.versionId);
      },
    },
    {
      name: 'a delete marker hides the key; deleting versions for good promotes the next newest',
      async run({ db }) {
        const s = new OssSqlStore(db);
        await s.createBucket(bucket('vdel'), 100);
        const v1 = version('vdel', 'k', 'Enabled');
        const v2 = version('vdel', 'k', 'Enabled');
        await s.putObject(v1, { versioning: 'Enabled' });
        await s.putObject(v2, { versioning: 'Enabled' });
        const del = await s.deleteVersions('vdel', [{ key: 'k' }], 'Enabled', 5);
        const marker = del.outcomes[0]!;
        expect(marker.deleteMarker).toBe(true);
        expect(del.dropped).toEqual([]);
        expect(await s.getObject('vdel', 'k')).toBeUndefined();
        expect((await s.getBucketAndObject('vdel', 'k')).object?.deleteMarker).toBe(true);
        expect(await s.listObjects('vdel', range)).toEqual([]);
        const stats = await s.bucketStats('vdel');
        expect(stats.deleteMarkers).toBe(1);
        expect(stats.classes.reduce((n, c) => n + c.objects, 0)).toBe(2);

        const undo = await s.deleteVersions(
          'vdel',
          [{ key: 'k', versionId: marker.deleteMarkerVersionId! }],
          'Enabled',
          6,
        );
        expect(undo.outcomes[0]).toMatchObject({ deleteMarker: true });
        expect((await s.getObject('vdel', 'k'))?.objectId).toBe(v2.objectId);
        const gone = await s.deleteVersions(
          'vdel',
          [{ key: 'k', versionId: v2.versionId! }],
          'Enabled',
          7,
        );
        expect(gone.dropped).toEqual(v2.segments.map((x) => x.blobId));
        expect((await s.getObject('vdel', 'k'))?.objectId).toBe(v1.objectId);
        expect(
          (await s.deleteVersions('vdel', [{ key: 'k', versionId: 'nope' }], 'Enabled', 8))
            .outcomes,
        ).toEqual([{ key: 'k', versionId: 'nope' }]);
      },
    },
    {
      name: 'forbidOverwrite refuses a key with a current object under versioning, not a marker',
      async run({ db }) {
        const s = new OssSqlStore(db);
        await s.createBucket(bucket('vforbid'), 100);
        await s.putObject(version('vforbid', 'k', 'Enabled'), { versioning: 'Enabled' });
        const again = version('vforbid', 'k', 'Enabled');
        const refused = await storeError(
          s.putObject(again, { versioning: 'Enabled', forbidOverwrite: true }),
        );
        expect(refused.kind).toBe('AlreadyExists');
        await s.deleteVersions('vforbid', [{ key: 'k' }], 'Enabled', 3);
        await s.putObject(again, { versioning: 'Enabled', forbidOverwrite: true });
        expect((await s.getObject('vforbid', 'k'))?.objectId).toBe(again.objectId);
        expect((await s.listVersions('vforbid', range)).length).toBe(3);
      },
    },
    {
      name: 'under Suspended a write or delete replaces the null version and keeps the others',
      async run({ db }) {
        const s = new OssSqlStore(db);
        await s.createBucket(bucket('vsus'), 100);
        const kept = version('vsus', 'k', 'Enabled');
        await s.putObject(kept, { versioning: 'Enabled' });
        const n1 = version('vsus', 'k', 'Suspended');
        const n2 = version('vsus', 'k', 'Suspended');
        await s.putObject(n1, { versioning: 'Suspended' });
        expect(await s.putObject(n2, { versioning: 'Suspended' })).toEqual(
          n1.segments.map((x) => x.blobId),
        );
        expect((await s.listVersions('vsus', range)).map((v) => v.versionId)).toEqual([
          'null',
          kept.versionId,
        ]);
        const del = await s.deleteVersions('vsus', [{ key: 'k' }], 'Suspended', 9);
        expect(del.outcomes[0]).toEqual({
          key: 'k',
          deleteMarker: true,
          deleteMarkerVersionId: 'null',
        });
        expect(del.dropped).toEqual(n2.segments.map((x) => x.blobId));
        const left = await s.listVersions('vsus', range);
        expect(left.map((v) => [v.versionId, v.deleteMarker, v.isLatest])).toEqual([
          ['null', true, true],
          [kept.versionId, false, false],
        ]);
      },
    },
  ],
};
