/**
 * Migration 0004 on objects stored before versioning, on SQLite and PostgreSQL: each becomes the
 * current `null` version of its key with its bytes (segments) intact, the buckets are unversioned,
 * and versioned writes then stack on top of it.
 */
import { expect } from 'vitest';
import type { Db } from '../../../store/db.js';
import { migrate } from '../../../store/migrate.js';
import { describeOnEachStore } from '../../../testing/each-store.js';
import { allMigrations } from '../../index.js';
import { OssSqlStore } from '../store-sql.js';
import { m0001Init } from './0001-init.js';
import { m0002BucketConfigC1 } from './0002-bucket-config-c1.js';
import { m0003BucketConfigC2 } from './0003-bucket-config-c2.js';

/** Every migration before OSS's 0004, and a bucket with two objects as that schema held them. */
async function legacyData(db: Db): Promise<void> {
  const before = allMigrations.map((set) =>
    set.service === 'oss'
      ? { service: 'oss', migrations: [m0001Init, m0002BucketConfigC1, m0003BucketConfigC2] }
      : set,
  );
  await migrate(db, before);
  const k = db.k;
  await k
    .insertInto('oss_buckets')
    .values({
      name: 'old',
      account_id: '1000000000000001',
      region: 'cn-hangzhou',
      acl: 'private',
      storage_class: 'Standard',
      redundancy: 'LRS',
      created_at: 1,
    })
    .execute();
  for (const [key, id] of [
    ['a', 'oid-a'],
    ['b/c', 'oid-b'],
  ] as const) {
    await k
      .insertInto('oss_objects')
      .values({
        bucket: 'old',
        key,
        object_id: id,
        size: 2,
        etag: '"E"',
        crc64: '0',
        headers: '{}',
        acl: 'default',
        storage_class: 'Standard',
        object_type: 'Multipart',
        last_modified: 5,
      })
      .execute();
    await k
      .insertInto('oss_segments')
      .values(
        [0, 1].map((seq) => ({
          object_id: id,
          seq,
          blob_id: `${id}-${seq}`,
          size: 1,
          md5: 'M',
          crc64: '0',
        })),
      )
      .execute();
  }
}

async function checks(db: Db): Promise<void> {
  await legacyData(db);
  expect(await migrate(db, allMigrations)).toContain('oss/0004-versioning');
  const s = new OssSqlStore(db);
  const { bucket, object } = await s.getBucketAndObject('old', 'a');
  expect(bucket?.versioning).toBeUndefined();
  expect(object).toMatchObject({ objectId: 'oid-a', versionId: 'null', size: 2 });
  expect(object?.deleteMarker).toBeUndefined();
  expect(object?.segments.map((x) => x.blobId)).toEqual(['oid-a-0', 'oid-a-1']);
  expect((await s.listObjects('old', { prefix: '', limit: 10 })).map((o) => o.key)).toEqual([
    'a',
    'b/c',
  ]);
  expect(await s.referencedBlobs(['oid-b-1', 'x'])).toEqual(new Set(['oid-b-1']));
  await s.updateBucket('old', { versioning: 'Enabled' });
  await s.putObject(
    { ...object!, objectId: 'oid-a2', versionId: 'v2', segments: [] },
    { versioning: 'Enabled' },
  );
  const versions = await s.listVersions('old', { prefix: 'a', limit: 10 });
  expect(versions.map((v) => [v.versionId, v.isLatest])).toEqual([
    ['v2', true],
    ['null', false],
  ]);
}

describeOnEachStore('0004-versioning on objects stored before versioning', checks);
