/**
 * Bucket operations through ali-oss: ListBuckets with prefix/marker/max-keys, PutBucket (ACL,
 * storage class, region from the endpoint, re-create), GetBucketInfo/Location, DeleteBucket
 * (refused when not empty), ACLs, bucket policies and CORS with preflight.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';
import { ossClient, type OssClient } from '../../../src/testing/sdk.js';
import { rootOf } from '../../../src/testing/fixtures.js';
import { errorCode, policy, rawOss } from './helpers.js';

let yb: TestServer;
let oss: OssClient;

beforeAll(async () => {
  yb = await startTestServer();
  oss = ossClient(yb, rootOf(yb));
});
afterAll(async () => {
  await yb?.close();
});

describe('ListBuckets and PutBucket', () => {
  it('lists the account’s buckets with prefix, marker and max-keys', async () => {
    for (const n of ['list-a1', 'list-a2', 'list-a3', 'list-b1']) await oss.putBucket(n);
    const all = await oss.listBuckets({ prefix: 'list-' });
    expect(all.buckets.map((b: any) => b.name)).toEqual([
      'list-a1',
      'list-a2',
      'list-a3',
      'list-b1',
    ]);
    expect(all.owner.id).toBe(yb.accountId);
    expect(all.isTruncated).toBe(false);
    expect(all.buckets[0]).toMatchObject({ region: 'oss-cn-hangzhou', storageClass: 'Standard' });
    expect(all.buckets[0].creationDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);

    const p1 = await oss.listBuckets({ prefix: 'list-a', 'max-keys': 2 });
    expect(p1.buckets.map((b: any) => b.name)).toEqual(['list-a1', 'list-a2']);
    expect(p1.isTruncated).toBe(true);
    expect(p1.nextMarker).toBe('list-a2');
    const p2 = await oss.listBuckets({ prefix: 'list-a', 'max-keys': 2, marker: p1.nextMarker });
    expect(p2.buckets.map((b: any) => b.name)).toEqual(['list-a3']);
    expect(p2.isTruncated).toBe(false);
  });

  it('creates with an ACL and a storage class; GetBucketInfo and GetBucketAcl show them', async () => {
    const r = await oss.putBucket('info-bucket', { acl: 'public-read', storageClass: 'IA' });
    expect(r.bucket).toBe('info-bucket');
    const info = (await oss.getBucketInfo('info-bucket')).bucket;
    expect(info).toMatchObject({
      Name: 'info-bucket',
      Location: 'oss-cn-hangzhou',
      ExtranetEndpoint: 'oss-cn-hangzhou.aliyuncs.com',
      IntranetEndpoint: 'oss-cn-hangzhou-internal.aliyuncs.com',
      StorageClass: 'IA',
      Owner: { ID: yb.accountId, DisplayName: yb.accountId },
      AccessControlList: { Grant: 'public-read' },
    });
    expect((await oss.getBucketACL('info-bucket')).acl).toBe('public-read');
    await oss.putBucketACL('info-bucket', 'private');
    expect((await oss.getBucketACL('info-bucket')).acl).toBe('private');
    expect((await oss.getBucketLocation('info-bucket')).location).toBe('oss-cn-hangzhou');
  });

  it('re-creating an own bucket succeeds (and may change its ACL)', async () => {
    await oss.putBucket('again-bucket');
    await oss.putBucket('again-bucket', { acl: 'public-read-write' });
    expect((await oss.getBucketACL('again-bucket')).acl).toBe('public-read-write');
  });

  it('a name held by another account is BucketAlreadyExists', async () => {
    await yb.oss.store.createBucket(
      {
        name: 'someone-elses',
        accountId: '9999999999999999',
        region: 'cn-hangzhou',
        acl: 'private',
        storageClass: 'Standard',
        redundancy: 'LRS',
        createdAt: 0,
      },
      100,
    );
    await expect(oss.putBucket('someone-elses')).rejects.toMatchObject({
      status: 409,
      code: 'BucketAlreadyExists',
    });
    await expect(oss.getBucketInfo('someone-elses')).rejects.toMatchObject({
      status: 403,
      code: 'AccessDenied',
    });
  });

  it('takes the region from the endpoint, and refuses another region’s endpoint', async () => {
    const sh = ossClient(yb, rootOf(yb), { region: 'oss-cn-shanghai' });
    await sh.putBucket('shanghai-bucket');
    expect((await sh.getBucketLocation('shanghai-bucket')).location).toBe('oss-cn-shanghai');
    const v4 = ossClient(yb, rootOf(yb), {
      region: 'oss-cn-shanghai',
      v4: true,
      bucket: 'shanghai-bucket',
    });
    await v4.put('k', Buffer.from('v'));
    await expect(oss.getBucketInfo('shanghai-bucket')).rejects.toMatchObject({
      status: 403,
      code: 'AccessDenied',
    });
    const listed = await oss.listBuckets({ prefix: 'shanghai' });
    expect(listed.buckets[0]).toMatchObject({ name: 'shanghai-bucket', region: 'oss-cn-shanghai' });
  });

  it('refuses bad names, ACLs and storage classes with OSS codes', async () => {
    await expect(oss.putBucket('ab')).rejects.toThrow(); // ali-oss checks names itself
    const r = await rawOss(yb, { method: 'PUT', bucket: 'Bad_Name', creds: rootOf(yb) });
    expect({ status: r.status, code: errorCode(r) }).toEqual({
      status: 400,
      code: 'InvalidBucketName',
    });
    await expect(oss.putBucket('acl-bucket', { acl: 'public' })).rejects.toMatchObject({
      status: 400,
      code: 'InvalidArgument',
    });
    await expect(oss.putBucket('class-bucket', { storageClass: 'Frozen' })).rejects.toMatchObject({
      status: 400,
      code: 'InvalidArgument',
    });
    expect((await oss.listBuckets({ prefix: 'acl-bucket' })).buckets).toBeNull();
  });

  it('anonymous callers cannot list or create buckets', async () => {
    const list = await rawOss(yb, { headers: { host: 'oss-cn-hangzhou.aliyuncs.com' } });
    expect({ status: list.status, code: errorCode(list) }).toEqual({
      status: 403,
      code: 'AccessDenied',
    });
    expect(list.text).toContain('Anonymous access is forbidden for this operation.');
    const put = await rawOss(yb, { method: 'PUT', bucket: 'anon-bucket' });
    expect({ status: put.status, code: errorCode(put) }).toEqual({
      status: 403,
      code: 'AccessDenied',
    });
  });
});

describe('DeleteBucket', () => {
  it('refuses a bucket with objects or unfinished uploads, then deletes it (204)', async () => {
    await oss.putBucket('doomed');
    const c = ossClient(yb, rootOf(yb), { bucket: 'doomed' });
    await c.put('o', Buffer.from('x'));
    await expect(oss.deleteBucket('doomed')).rejects.toMatchObject({
      status: 409,
      code: 'BucketNotEmpty',
    });
    await c.delete('o');
    const up = await c.initMultipartUpload('big');
    await expect(oss.deleteBucket('doomed')).rejects.toMatchObject({ code: 'BucketNotEmpty' });
    await c.abortMultipartUpload('big', up.uploadId);
    const r = await oss.deleteBucket('doomed');
    expect(r.res.status).toBe(204);
    await expect(oss.getBucketInfo('doomed')).rejects.toMatchObject({
      status: 404,
      code: 'NoSuchBucket',
    });
  });
});

describe('bucket policy', () => {
  it('puts, gets and deletes a policy; refuses a malformed one', async () => {
    await oss.putBucket('policy-bucket');
    const doc = {
      Version: '1',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['oss:GetObject'],
          Principal: ['*'],
          Resource: ['acs:oss:*:*:policy-bucket/public/*'],
        },
      ],
    };
    await oss.putBucketPolicy('policy-bucket', doc);
    expect((await oss.getBucketPolicy('policy-bucket')).policy).toEqual(doc);
    await expect(
      oss.putBucketPolicy('policy-bucket', { Version: '1', Statement: [{ Effect: 'Maybe' }] }),
    ).rejects.toMatchObject({ status: 400, code: 'InvalidPolicyDocument' });
    const del = await oss.deleteBucketPolicy('policy-bucket');
    expect(del.status).toBe(204);
    // ali-oss turns the 404 NoSuchBucketPolicy into `policy: null` (lib/common/bucket/getBucketPolicy.js).
    expect(await oss.getBucketPolicy('policy-bucket')).toMatchObject({ policy: null, status: 404 });
    const raw = await rawOss(yb, {
      bucket: 'policy-bucket',
      query: [['policy', null]],
      creds: rootOf(yb),
    });
    expect({ status: raw.status, code: errorCode(raw) }).toEqual({
      status: 404,
      code: 'NoSuchBucketPolicy',
    });
  });

  it('policy text is stored as sent', async () => {
    await oss.putBucket('policy-text');
    const text = policy([
      {
        Effect: 'Deny',
        Action: 'oss:DeleteObject',
        Principal: ['*'],
        Resource: 'acs:oss:*:*:policy-text/*',
      },
    ]);
    const r = await rawOss(yb, {
      method: 'PUT',
      bucket: 'policy-text',
      query: [['policy', null]],
      body: text,
      creds: rootOf(yb),
    });
    expect(r.status).toBe(200);
    const got = await rawOss(yb, {
      bucket: 'policy-text',
      query: [['policy', null]],
      creds: rootOf(yb),
    });
    expect(got.text).toBe(text);
  });
});

describe('CORS', () => {
  it('puts, gets and deletes rules; preflight and actual requests follow them', async () => {
    await oss.putBucket('cors-bucket');
    const c = ossClient(yb, rootOf(yb), { bucket: 'cors-bucket' });
    await c.put('page.html', Buffer.from('<p>hi</p>'));
    const pre = () =>
      rawOss(yb, {
        method: 'OPTIONS',
        bucket: 'cors-bucket',
        key: 'page.html',
        headers: {
          origin: 'https://app.example.com',
          'access-control-request-method': 'PUT',
          'access-control-request-headers': 'X-OSS-Meta-A, Content-Type',
        },
      });
    const none = await pre();
    expect({ status: none.status, code: errorCode(none) }).toEqual({
      status: 403,
      code: 'AccessForbidden',
    });
    await expect(c.getBucketCORS('cors-bucket')).rejects.toMatchObject({
      status: 404,
      code: 'NoSuchCORSConfiguration',
    });

    await c.putBucketCORS('cors-bucket', [
      {
        allowedOrigin: 'https://*.example.com',
        allowedMethod: ['GET', 'PUT'],
        allowedHeader: ['x-oss-meta-*', 'content-type'],
        exposeHeader: ['ETag', 'x-oss-request-id'],
        maxAgeSeconds: '600',
      },
    ]);
    const rules = (await c.getBucketCORS('cors-bucket')).rules;
    expect(rules).toEqual([
      {
        allowedOrigin: 'https://*.example.com',
        allowedMethod: ['GET', 'PUT'],
        allowedHeader: ['x-oss-meta-*', 'content-type'],
        exposeHeader: ['ETag', 'x-oss-request-id'],
        maxAgeSeconds: '600',
      },
    ]);

    const ok = await pre();
    expect(ok.status).toBe(200);
    expect(ok.headers).toMatchObject({
      'access-control-allow-origin': 'https://app.example.com',
      'access-control-allow-methods': 'GET, PUT',
      'access-control-allow-headers': 'x-oss-meta-a, content-type',
      'access-control-expose-headers': 'ETag, x-oss-request-id',
      'access-control-max-age': '600',
    });
    const wrongOrigin = await rawOss(yb, {
      method: 'OPTIONS',
      bucket: 'cors-bucket',
      key: 'page.html',
      headers: { origin: 'https://evil.test', 'access-control-request-method': 'GET' },
    });
    expect(wrongOrigin.status).toBe(403);
    const wrongMethod = await rawOss(yb, {
      method: 'OPTIONS',
      bucket: 'cors-bucket',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'DELETE' },
    });
    expect(wrongMethod.status).toBe(403);

    const actual = await rawOss(yb, {
      bucket: 'cors-bucket',
      key: 'page.html',
      creds: rootOf(yb),
      headers: { origin: 'https://www.example.com' },
    });
    expect(actual.status).toBe(200);
    expect(actual.headers['access-control-allow-origin']).toBe('https://www.example.com');
    expect(actual.headers['access-control-expose-headers']).toBe('ETag, x-oss-request-id');

    expect((await c.deleteBucketCORS('cors-bucket')).res.status).toBe(204);
    expect((await pre()).status).toBe(403);
  });

  it('refuses malformed CORS XML', async () => {
    await oss.putBucket('cors-bad');
    const r = await rawOss(yb, {
      method: 'PUT',
      bucket: 'cors-bad',
      query: [['cors', null]],
      body: '<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod></CORSRule>',
      creds: rootOf(yb),
    });
    expect({ status: r.status, code: errorCode(r) }).toEqual({ status: 400, code: 'MalformedXML' });
  });
});
