/**
 * The Tea OSS client (@alicloud/oss20190517) where it works: with `endpointType: 'ip'` it sends
 * path-style requests to an IP endpoint (its default, `<bucket>.<endpoint>`, needs DNS for the
 * bucket host; inside an instance sandbox that DNS exists). Limits of that generated client, seen
 * against yunbox and true of real OSS as well (the XML is the same): a listing with exactly one
 * entry fails its own array cast, and ListBuckets maps nothing (its model expects lower-case
 * element names).
 */
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';
import { ossClient, teaOssClient, $TeaOss as T } from '../../../src/testing/sdk.js';
import { rootOf } from '../../../src/testing/fixtures.js';

let yb: TestServer;
let tea: any;
beforeAll(async () => {
  yb = await startTestServer();
  const ali = ossClient(yb, rootOf(yb));
  await ali.putBucket('tea-bucket');
  ali.useBucket('tea-bucket');
  await ali.put('a.txt', Buffer.from('a'));
  await ali.put('b.txt', Buffer.from('b'));
  tea = teaOssClient(yb, yb.root);
});
afterAll(async () => {
  await yb?.close();
});

describe('@alicloud/oss20190517 (Tea OSS client)', () => {
  it('lists objects (v1 and v2)', async () => {
    const v1 = await tea.listObjects('tea-bucket', new T.ListObjectsRequest({}));
    expect(v1.body.contents.map((c: any) => c.key)).toEqual(['a.txt', 'b.txt']);
    const v2 = await tea.listObjectsV2('tea-bucket', new T.ListObjectsV2Request({ maxKeys: 10 }));
    expect(v2.body.contents.map((c: any) => c.key)).toEqual(['a.txt', 'b.txt']);
  });

  it('puts, heads, gets and deletes an object, with CRC-64 checked by the client', async () => {
    const put = await tea.putObject(
      'tea-bucket',
      'tea.txt',
      new T.PutObjectRequest({ body: Readable.from([Buffer.from('from tea')]) }),
    );
    expect(put.headers['x-oss-hash-crc64ecma']).toMatch(/^\d+$/);
    const head = await tea.headObject('tea-bucket', 'tea.txt', new T.HeadObjectRequest({}));
    expect(head.headers['content-length']).toBe('8');
    const got = await tea.getObject('tea-bucket', 'tea.txt', new T.GetObjectRequest({}));
    const chunks: Buffer[] = [];
    for await (const c of got.body) chunks.push(Buffer.from(c));
    expect(Buffer.concat(chunks).toString()).toBe('from tea');
    await tea.deleteObject('tea-bucket', 'tea.txt', new T.DeleteObjectRequest({}));
    await expect(
      tea.headObject('tea-bucket', 'tea.txt', new T.HeadObjectRequest({})),
    ).rejects.toBeDefined();
  });

  it('reads bucket info', async () => {
    const info = await tea.getBucketInfo('tea-bucket');
    expect(info.body.bucket.name).toBe('tea-bucket');
    expect(info.body.bucket.accessControlList.grant).toBe('private');
  });

  it('is refused with OSS error codes it understands', async () => {
    const bad = teaOssClient(yb, { ...yb.root, accessKeySecret: 'wrong-secret' });
    await expect(bad.listObjects('tea-bucket', new T.ListObjectsRequest({}))).rejects.toMatchObject(
      {
        code: 'SignatureDoesNotMatch',
      },
    );
  });
});
