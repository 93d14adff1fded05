/**
 * @module OSS bucket configuration (part 1) cases for the shared store conformance suite: the
 * configuration columns round-trip and clear, seen by another node; the account-level Block Public
 * Access upserts without a race; bucket statistics count per storage class.
 */
import { expect } from 'vitest';
import type { ConformanceSuite } from '../../store/conformance/runner.js';
import { bucket as ossBucket } from './conformance.js';
import type { Bucket, OssObject } from './model.js';
import { OssSqlStore } from './store-sql.js';

const ACCT = '1000000000000002';

const bucket = (name: string): Bucket => ossBucket(name, ACCT);

let seq = 0;
function object(b: string, key: string, size: number, storageClass: string): OssObject {
  const blobId = `c1-${++seq}`;
  return {
    bucket: b,
    key,
    objectId: `c1o-${seq}`,
    size,
    etag: '"00000000000000000000000000000000"',
    crc64: '0',
    objectType: 'Normal',
    storageClass,
    lastModified: 1000,
    headers: { 'x-oss-server-side-encryption': 'AES256' },
    acl: 'default',
    segments: [{ blobId, size, md5: '0'.repeat(32), crc64: '0' }],
  };
}

export const ossConfigConformance: ConformanceSuite = {
  service: 'oss-config',
  cases: [
    {
      name: 'bucket configuration is stored, cleared, and seen by another node',
      async run({ db, another }) {
        const a = new OssSqlStore(db);
        const b = new OssSqlStore(await another());
        await a.createBucket(bucket('conf-c1'), 100);
        expect(await b.getBucket('conf-c1')).not.toHaveProperty('encryption');
        const referer = {
          allowEmpty: false,
          allowTruncateQueryString: true,
          truncatePath: false,
          allow: ['https://*.example.com'],
          deny: ['https://bad.example.com'],
        };
        await a.updateBucket('conf-c1', {
          encryption: { sseAlgorithm: 'AES256' },
          referer,
          requestPayer: 'Requester',
          blockPublicAccess: false,
        });
        expect(await b.getBucket('conf-c1')).toMatchObject({
          encryption: { sseAlgorithm: 'AES256' },
          referer,
          requestPayer: 'Requester',
          blockPublicAccess: false,
        });
        // The object path reads the same bucket row.
        const both = await b.getBucketAndObject('conf-c1', 'missing');
        expect(both.bucket?.requestPayer).toBe('Requester');
        await b.updateBucket('conf-c1', {
          encryption: null,
          referer: null,
          requestPayer: null,
          blockPublicAccess: null,
        });
        const cleared = await a.getBucket('conf-c1');
        for (const k of ['encryption', 'referer', 'requestPayer', 'blockPublicAccess']) {
          expect(cleared).not.toHaveProperty(k);
        }
      },
    },
    {
      name: 'account Block Public Access upserts from two nodes and deletes',
      async run({ db, another }) {
        const a = new OssSqlStore(db);
        const b = new OssSqlStore(await another());
        expect(await a.getAccountPublicAccessBlock(ACCT)).toBeUndefined();
        await Promise.all([
          a.setAccountPublicAccessBlock(ACCT, true),
          b.setAccountPublicAccessBlock(ACCT, true),
        ]);
        expect(await b.getAccountPublicAccessBlock(ACCT)).toBe(true);
        await a.setAccountPublicAccessBlock(ACCT, false);
        expect(await b.getAccountPublicAccessBlock(ACCT)).toBe(false);
        expect(await a.getAccountPublicAccessBlock(ACCT)).toBe(false);
        await b.setAccountPublicAccessBlock(ACCT, null);
        expect(await a.getAccountPublicAccessBlock(ACCT)).toBeUndefined();
        expect(await a.getAccountPublicAccessBlock('another-account')).toBeUndefined();
      },
    },
    {
      name: 'bucket statistics count objects and bytes per storage class, uploads and parts',
      async run({ db }) {
        const s = new OssSqlStore(db);
        await s.createBucket(bucket('stat-c1'), 100);
        expect(await s.bucketStats('stat-c1')).toEqual({
          classes: [],
          deleteMarkers: 0,
          uploads: 0,
          parts: 0,
          partBytes: 0,
        });
        await s.putObject(object('stat-c1', 'a', 10, 'Standard'));
        await s.putObject(object('stat-c1', 'b', 20, 'Standard'));
        await s.putObject(object('stat-c1', 'c', 100, 'IA'));
        await s.putObject(object('stat-c1', 'd', 70 * 1024, 'IA'));
        await s.createUpload({
          uploadId: 'stat-up',
          bucket: 'stat-c1',
          key: 'e',
          initiated: 1,
          headers: {},
          acl: 'default',
          storageClass: 'Standard',
        });
        for (const n of [1, 2]) {
          await s.putPart({
            uploadId: 'stat-up',
            partNumber: n,
            blobId: `stat-part-${n}`,
            size: 5,
            etag: '"00000000000000000000000000000000"',
            crc64: '0',
            lastModified: 1,
          });
        }
        const stats = await s.bucketStats('stat-c1');
        const byClass = Object.fromEntries(stats.classes.map((c) => [c.storageClass, c]));
        expect(byClass).toEqual({
          Standard: { storageClass: 'Standard', objects: 2, bytes: 30, billedBytes: 2 * 65536 },
          IA: {
            storageClass: 'IA',
            objects: 2,
            bytes: 100 + 70 * 1024,
            billedBytes: 65536 + 70 * 1024,
          },
        });
        expect(stats).toMatchObject({ uploads: 1, parts: 2, partBytes: 10 });
      },
    },
  ],
};
