/**
 * GetBucketStat through ali-oss (`getBucketStat`) and DescribeRegions with the request oss2's
 * `Service.describe_regions` sends (`GET /?regions`, ali-oss has no call for it), and `?regionList`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';
import { ossClient } from '../../../src/testing/sdk.js';
import { rootOf } from '../../../src/testing/fixtures.js';
import { errorCode, rawOss } from './helpers.js';

const BUCKET = 'stat-bucket';
let yb: TestServer;

beforeAll(async () => {
  yb = await startTestServer();
  await ossClient(yb, rootOf(yb)).putBucket(BUCKET);
});
afterAll(async () => {
  await yb?.close();
});

describe('GetBucketStat', () => {
  it('an empty bucket has zeros', async () => {
    const { stat, res } = await ossClient(yb, rootOf(yb)).getBucketStat(BUCKET);
    expect(res.status).toBe(200);
    expect(stat).toMatchObject({
      Storage: '0',
      ObjectCount: '0',
      MultipartUploadCount: '0',
      LiveChannelCount: '0',
      StandardStorage: '0',
      StandardObjectCount: '0',
      InfrequentAccessObjectCount: '0',
    });
    expect(Number(stat.LastModifiedTime)).toBeGreaterThan(1_600_000_000);
  });

  it('counts objects and bytes per storage class, and unfinished uploads', async () => {
    const c = ossClient(yb, rootOf(yb), { bucket: BUCKET });
    await c.put('a.txt', Buffer.alloc(100));
    await c.put('b.txt', Buffer.alloc(50));
    await c.put('ia.bin', Buffer.alloc(1000), { headers: { 'x-oss-storage-class': 'IA' } });
    await c.put('arch.bin', Buffer.alloc(10), { headers: { 'x-oss-storage-class': 'Archive' } });
    const { uploadId } = await c.initMultipartUpload('open.bin');
    await c.uploadPart('open.bin', uploadId, 1, Buffer.alloc(7), 0, 7);
    const { stat } = await c.getBucketStat(BUCKET);
    expect(stat).toMatchObject({
      Storage: String(100 + 50 + 1000 + 10 + 7),
      ObjectCount: '4',
      MultipartUploadCount: '1',
      MultipartPartCount: '1',
      MultipartPartStorage: '7',
      StandardStorage: '150',
      StandardObjectCount: '2',
      // IA and archive classes bill 64 KB at least per object; the real size is beside it.
      InfrequentAccessStorage: String(64 * 1024),
      InfrequentAccessRealStorage: '1000',
      InfrequentAccessObjectCount: '1',
      ArchiveStorage: String(64 * 1024),
      ArchiveRealStorage: '10',
      ArchiveObjectCount: '1',
      ColdArchiveObjectCount: '0',
      DeepColdArchiveObjectCount: '0',
    });
  });

  it('needs oss:GetBucketStat', async () => {
    const r = await rawOss(yb, { bucket: BUCKET, query: [['stat', null]] });
    expect(r.status).toBe(403);
    expect(errorCode(r)).toBe('AccessDenied');
  });
});

describe('DescribeRegions', () => {
  const service = { host: 'oss-cn-hangzhou.aliyuncs.com' };

  it('lists the region yunbox serves, with its endpoints', async () => {
    for (const sub of ['regions', 'regionList']) {
      const r = await rawOss(yb, {
        query: [[sub, '']],
        headers: service,
        creds: rootOf(yb),
      });
      expect(r.status).toBe(200);
      expect(r.text).toContain(
        '<RegionInfoList><RegionInfo><Region>oss-cn-hangzhou</Region>' +
          '<InternetEndpoint>oss-cn-hangzhou.aliyuncs.com</InternetEndpoint>' +
          '<InternalEndpoint>oss-cn-hangzhou-internal.aliyuncs.com</InternalEndpoint>' +
          '<AccelerateEndpoint>oss-accelerate.aliyuncs.com</AccelerateEndpoint>' +
          '</RegionInfo></RegionInfoList>',
      );
    }
  });

  it('one region by its OSS id; none for a region yunbox does not serve', async () => {
    const one = await rawOss(yb, {
      query: [['regions', 'oss-cn-hangzhou']],
      headers: service,
      creds: rootOf(yb),
    });
    expect(one.text).toContain('<Region>oss-cn-hangzhou</Region>');
    const other = await rawOss(yb, {
      query: [['regions', 'oss-us-west-1']],
      headers: service,
      creds: rootOf(yb),
    });
    expect(other.status).toBe(200);
    expect(other.text).not.toContain('<RegionInfo>');
  });

  it('refuses anonymous callers', async () => {
    const r = await rawOss(yb, { query: [['regions', '']], headers: service });
    expect(r.status).toBe(403);
  });
});
