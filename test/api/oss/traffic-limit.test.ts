/**
 * `x-oss-traffic-limit` through ali-oss: PutObject, GetObject, UploadPart and presigned URLs
 * with a limit in OSS's range carry the bytes unchanged; a limit outside 819200-838860800 bit/s
 * is refused with InvalidArgument, as OSS does. The pacing itself is a unit test
 * (traffic-limit.test.ts); no timing is asserted here.
 */
import { createHash } from 'node:crypto';
import { get } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';
import { ossClient } from '../../../src/testing/sdk.js';
import { rootOf } from '../../../src/testing/fixtures.js';
import { errorCode, rawOss } from './helpers.js';

let yb: TestServer;
let c: any;
const LIMIT = String(100 * 1024 * 8);
const data = Buffer.alloc(160 * 1024);
for (let i = 0; i < data.length; i++) data[i] = (i * 13) % 256;
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

beforeAll(async () => {
  yb = await startTestServer();
  await ossClient(yb, rootOf(yb)).putBucket('throttled');
  c = ossClient(yb, rootOf(yb), { bucket: 'throttled' });
});
afterAll(async () => {
  await yb?.close();
});

function fetchUrl(url: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

describe('x-oss-traffic-limit', () => {
  it('PutObject and GetObject with a limit carry the bytes unchanged', async () => {
    const put = await c.put('big.bin', data, { headers: { 'x-oss-traffic-limit': LIMIT } });
    expect(put.res.status).toBe(200);
    const got = await c.get('big.bin', { headers: { 'x-oss-traffic-limit': LIMIT } });
    expect(md5(got.content)).toBe(md5(data));
  });

  it('UploadPart with a limit', async () => {
    const init = await c.initMultipartUpload('parts.bin');
    const r = await rawOss(yb, {
      method: 'PUT',
      bucket: 'throttled',
      key: 'parts.bin',
      query: [
        ['partNumber', '1'],
        ['uploadId', init.uploadId],
      ],
      headers: { 'x-oss-traffic-limit': LIMIT },
      body: data,
      creds: rootOf(yb),
    });
    expect(r.status).toBe(200);
    await c.completeMultipartUpload('parts.bin', init.uploadId, [
      { number: 1, etag: r.headers.etag },
    ]);
    expect(md5((await c.get('parts.bin')).content)).toBe(md5(data));
  });

  it('a presigned URL with trafficLimit downloads the object', async () => {
    await c.put('small.txt', Buffer.from('paced'));
    const path = ossClient(yb, rootOf(yb), { bucket: 'throttled', style: 'path' });
    const url = path.signatureUrl('small.txt', { trafficLimit: Number(LIMIT) });
    expect(url).toContain('x-oss-traffic-limit=819200');
    const r = await fetchUrl(url);
    expect([r.status, r.body.toString()]).toEqual([200, 'paced']);
    const bad = await fetchUrl(path.signatureUrl('small.txt', { trafficLimit: 1000 }));
    expect(bad.status).toBe(400);
    expect(bad.body.toString()).toContain('<Code>InvalidArgument</Code>');
  });

  it('refuses a limit outside 819200-838860800 bit/s with InvalidArgument', async () => {
    for (const v of ['819199', '838860801', 'fast']) {
      const put = await c
        .put('x.bin', Buffer.from('x'), { headers: { 'x-oss-traffic-limit': v } })
        .catch((e: any) => e);
      expect([put.status, put.code]).toEqual([400, 'InvalidArgument']);
      const r = await rawOss(yb, {
        bucket: 'throttled',
        key: 'big.bin',
        headers: { 'x-oss-traffic-limit': v },
        creds: rootOf(yb),
      });
      expect([r.status, errorCode(r)]).toEqual([400, 'InvalidArgument']);
      expect(r.text).toContain('<ArgumentName>x-oss-traffic-limit</ArgumentName>');
    }
    await expect(c.head('x.bin')).rejects.toMatchObject({ status: 404 });
    const copy = await c
      .copy('copy.bin', 'big.bin', { headers: { 'x-oss-traffic-limit': '1' } })
      .catch((e: any) => e);
    expect([copy.status, copy.code]).toEqual([400, 'InvalidArgument']);
    const copied = await c.copy('copy.bin', 'big.bin', {
      headers: { 'x-oss-traffic-limit': LIMIT },
    });
    expect(copied.res.status).toBe(200);
  });
});
