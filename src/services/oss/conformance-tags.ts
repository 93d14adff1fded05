/**
 * @module Object and bucket tag cases for the shared store conformance suite: tags written with
 * an object in its transaction, read back in order with the object's tag count, replaced and
 * cleared, gone with the object (overwrite, delete) and with the bucket; a multipart upload keeps
 * its tags until completion; buckets filtered by tag, seen by another node.
 */
import { expect } from 'vitest';
import { isStoreError } from '../../kernel/errors.js';
import type { ConformanceSuite } from '../../store/conformance/runner.js';
import { fixtureObject, bucket as ossBucket } from './conformance.js';
import type { Bucket, OssObject, Tag } from './model.js';
import { OssSqlStore } from './store-sql.js';

const ACCT = '1000000000000005';
const bucket = (name: string): Bucket => ossBucket(name, ACCT);

const object = (b: string, key: string, tags?: Tag[]): OssObject =>
  fixtureObject(b, key, { headers: { 'content-type': 'text/plain' }, ...(tags ? { tags } : {}) });

const T = (key: string, value = ''): Tag => ({ key, value });

export const ossTagsConformance: ConformanceSuite = {
  service: 'oss-tags',
  cases: [
    {
      name: 'object tags are written with the object, replaced, and go with it',
      async run({ db, another }) {
        const a = new OssSqlStore(db);
        const b = new OssSqlStore(await another());
        await a.createBucket(bucket('tags-o'), 100);
        const o = object('tags-o', 'k', [T('z', '1'), T('a', '2')]);
        await a.putObject(o);
        expect((await b.getObject('tags-o', 'k'))?.tagCount).toBe(2);
        // In the order given, not by key.
        expect(await b.getObjectTags(o.objectId)).toEqual([T('z', '1'), T('a', '2')]);
        await a.putObjectTags(o.objectId, [T('b', '3')]);
        expect(await b.getObjectTags(o.objectId)).toEqual([T('b', '3')]);
        await a.putObjectTags(o.objectId, []);
        expect(await b.getObjectTags(o.objectId)).toEqual([]);
        expect(await b.getObject('tags-o', 'k')).not.toHaveProperty('tagCount');
        await a.putObjectTags(o.objectId, [T('c')]);
        // An overwrite is a new object row: the old one's tags go with it.
        const o2 = object('tags-o', 'k');
        await a.putObject(o2);
        expect(await b.getObjectTags(o.objectId)).toEqual([]);
        expect(await b.getObjectTags(o2.objectId)).toEqual([]);
        // Tagging an object row that is gone is NotFound.
        const e = await a.putObjectTags(o.objectId, [T('x')]).catch((x) => x);
        expect(isStoreError(e, 'NotFound')).toBe(true);
        await a.putObjectTags(o2.objectId, [T('d')]);
        await a.deleteObjects('tags-o', ['k']);
        expect(await b.getObjectTags(o2.objectId)).toEqual([]);
      },
    },
    {
      name: 'a multipart upload keeps its tags until it completes',
      async run({ db }) {
        const s = new OssSqlStore(db);
        await s.createBucket(bucket('tags-u'), 100);
        await s.createUpload({
          uploadId: 'tags-up-1',
          bucket: 'tags-u',
          key: 'mp',
          initiated: 1,
          headers: {},
          acl: 'default',
          storageClass: 'Standard',
          tags: [T('m', '1')],
        });
        const up = await s.getUpload('tags-up-1');
        expect(up?.tags).toEqual([T('m', '1')]);
        const o = { ...object('tags-u', 'mp'), tags: up!.tags! };
        await s.completeUpload('tags-up-1', o);
        expect(await s.getObjectTags(o.objectId)).toEqual([T('m', '1')]);
      },
    },
    {
      name: 'bucket tags: replaced, removed by key, filtered on, gone with the bucket',
      async run({ db, another }) {
        const a = new OssSqlStore(db);
        const b = new OssSqlStore(await another());
        for (const n of ['tags-b0', 'tags-b1', 'tags-b2']) await a.createBucket(bucket(n), 100);
        await a.putBucketTags('tags-b0', [T('env', 'dev'), T('team', 'a')]);
        await a.putBucketTags('tags-b1', [T('env', 'prod')]);
        expect(await b.getBucketTags('tags-b0')).toEqual([T('env', 'dev'), T('team', 'a')]);
        const names = async (filters: Array<{ key: string; value?: string }>, marker = '') =>
          (await b.listBucketsTagged(ACCT, 'tags-b', marker, 10, filters)).map((x) => x.name);
        expect(await names([{ key: 'env' }])).toEqual(['tags-b0', 'tags-b1']);
        expect(await names([{ key: 'env', value: 'prod' }])).toEqual(['tags-b1']);
        expect(await names([{ key: 'env' }, { key: 'team', value: 'a' }])).toEqual(['tags-b0']);
        expect(await names([{ key: 'env' }], 'tags-b0')).toEqual(['tags-b1']);
        expect(await names([{ key: 'nope' }])).toEqual([]);
        const all = await b.bucketTagsOf(['tags-b0', 'tags-b1', 'tags-b2']);
        expect([...all.keys()].sort()).toEqual(['tags-b0', 'tags-b1']);
        await a.deleteBucketTags('tags-b0', ['team']);
        expect(await b.getBucketTags('tags-b0')).toEqual([T('env', 'dev')]);
        await a.deleteBucketTags('tags-b0', 'all');
        expect(await b.getBucketTags('tags-b0')).toEqual([]);
        await a.deleteBucket('tags-b1');
        await a.createBucket(bucket('tags-b1'), 100);
        expect(await b.getBucketTags('tags-b1')).toEqual([]);
        const e = await a.putBucketTags('tags-none', [T('x')]).catch((x) => x);
        expect(isStoreError(e, 'NotFound')).toBe(true);
      },
    },
  ],
};
