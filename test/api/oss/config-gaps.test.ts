/**
 * Issue 17's remaining gaps, each with the request a real client sends: the Referer rules bind
 * PostObject forms (a browser upload carries its page's Referer and no Authorization header); an
 * anonymous `HEAD /` on a website bucket's virtual host answers the index document's headers, as
 * its GET serves the page; ListBuckets and PutBucket honour `x-oss-resource-group-id`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rootOf } from '../../../src/testing/fixtures.js';
import { ossClient, type OssClient } from '../../../src/testing/sdk.js';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';
import { errorCode, rawOss } from './helpers.js';

let yb: TestServer;
let root: OssClient;
let port: string;

beforeAll(async () => {
  yb = await startTestServer();
  root = ossClient(yb, rootOf(yb));
  port = yb.address.slice(yb.address.lastIndexOf(':') + 1);
});
afterAll(async () => {
  await yb?.close();
});

describe('PostObject and the Referer rules', () => {
  const BUCKET = 'referer-post';
  let c: OssClient;
  beforeAll(async () => {
    await root.putBucket(BUCKET);
    c = ossClient(yb, rootOf(yb), { bucket: BUCKET });
    await c.putBucketReferer(BUCKET, false, ['https://*.good.example.com/*']);
  });

  /** A form signed by ali-oss's calculatePostSignature, posted with `referer` (if any). */
  async function post(key: string, referer?: string) {
    const signed = c.calculatePostSignature({
      expiration: new Date(yb.clock.now().getTime() + 600_000).toISOString(),
      conditions: [{ bucket: BUCKET }],
    });
    const form = new FormData();
    for (const [k, v] of Object.entries({ key, ...signed })) form.append(k, String(v));
    form.append('file', new Blob([Buffer.from(`body of ${key}`)]), 'upload.txt');
    const r = await fetch(`http://localhost:${port}/${BUCKET}`, {
      method: 'POST',
      body: form,
      ...(referer !== undefined ? { headers: { referer } } : {}),
    });
    return { status: r.status, text: await r.text() };
  }

  it('refuses a form from a page off the whitelist, or with no Referer', async () => {
    for (const referer of ['https://evil.example.org/upload.html', undefined]) {
      const r = await post('refused.txt', referer);
      expect(r.status).toBe(403);
      expect(r.text).toContain('<Code>AccessDenied</Code>');
      expect(r.text).toContain('You are denied by bucket referer policy.');
    }
    expect(await failureCode(c.head('refused.txt'))).toBe('NoSuchKey');
  });

  it('accepts a form from a whitelisted page; signed requests are never checked', async () => {
    const r = await post('accepted.txt', 'https://www.good.example.com/upload.html');
    expect(r.status).toBe(204);
    expect((await c.get('accepted.txt')).content.toString()).toBe('body of accepted.txt');
  });
});

async function failureCode(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e: any) {
    return e.code;
  }
  return undefined;
}

describe('HEAD / on a website bucket', () => {
  const SITE = 'head-site';
  const PLAIN = 'head-plain';
  beforeAll(async () => {
    await root.putBucket(SITE);
    await root.putBucketACL(SITE, 'public-read');
    await root.putBucketWebsite(SITE, { index: 'index.html' });
    const s = ossClient(yb, rootOf(yb), { bucket: SITE });
    await s.put('index.html', Buffer.from('<h1>home</h1>'), { mime: 'text/html' });
    await root.putBucket(PLAIN);
    await root.putBucketACL(PLAIN, 'public-read');
  });

  /** An anonymous request to `bucket`'s virtual host, as a browser or a link checker sends it. */
  const browse = (bucket: string, method: string) =>
    rawOss(yb, { method, rawPath: '/', headers: { host: `${bucket}.localhost:${port}` } });

  it('answers the index document’s headers, as GET / serves its body', async () => {
    const get = await browse(SITE, 'GET');
    expect(get.status).toBe(200);
    expect(get.text).toBe('<h1>home</h1>');
    const head = await browse(SITE, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('13');
    expect(head.headers['content-type']).toBe('text/html');
    expect(head.headers.etag).toBe(get.headers.etag);
    expect(head.body.length).toBe(0);
  });

  it('is still no operation elsewhere: signed, path style, or a bucket without a website', async () => {
    const signed = await rawOss(yb, { method: 'HEAD', bucket: SITE, creds: rootOf(yb) });
    expect([signed.status, errorCode(signed)]).toEqual([405, 'MethodNotAllowed']);
    const pathStyle = await rawOss(yb, { method: 'HEAD', bucket: SITE });
    expect(pathStyle.status).toBe(405);
    const plain = await browse(PLAIN, 'HEAD');
    expect([plain.status, errorCode(plain)]).toEqual([405, 'MethodNotAllowed']);
  });
});

describe('ListBuckets by resource group', () => {
  it('keeps the buckets of the group named by x-oss-resource-group-id', async () => {
    await root.putBucket('rg-listed');
    const info: any = await root.getBucketInfo('rg-listed');
    const group = info.bucket.ResourceGroupId;
    expect(group).toMatch(/^rg-/);
    const mine = await root.listBuckets({}, { headers: { 'x-oss-resource-group-id': group } });
    expect(mine.buckets.map((b: any) => b.name)).toContain('rg-listed');
    const all = await root.listBuckets({});
    expect(mine.buckets).toHaveLength(all.buckets.length);
    const other = await root.listBuckets(
      {},
      { headers: { 'x-oss-resource-group-id': 'rg-aek2nkx3cmdxxxx' } },
    );
    expect(other.buckets ?? []).toEqual([]);
  });

  it('creates a bucket in the default group when PutBucket names it, and refuses any other', async () => {
    const info: any = await root.getBucketInfo('rg-listed');
    const group = info.bucket.ResourceGroupId;
    const put = (name: string, id: string) =>
      rawOss(yb, {
        method: 'PUT',
        bucket: name,
        headers: { 'x-oss-resource-group-id': id },
        creds: rootOf(yb),
      });
    expect((await put('rg-default', group)).status).toBe(200);
    const refused = await put('rg-other', 'rg-aek2nkx3cmdxxxx');
    expect([refused.status, errorCode(refused), refused.headers['x-oss-ec']]).toEqual([
      400,
      'InvalidArgument',
      '0039-00000003',
    ]);
    expect(await failureCode(root.getBucketInfo('rg-other'))).toBe('NoSuchBucket');
  });
});
