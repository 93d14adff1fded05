/**
 * Object operations through ali-oss (V1 with the IP endpoint, V4 path style with STS
 * credentials): PutObject with Content-MD5, metadata and content types, GetObject with ranges,
 * conditions and response-* overrides, HeadObject, GetObjectMeta, DeleteObject,
 * DeleteMultipleObjects, CopyObject, AppendObject, object ACLs, and ListObjects v1/v2 paging
 * with delimiters. Every write's CRC-64 header is checked against our own CRC of the bytes.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc64 } from '../../../src/blob/crc64.js';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';
import { ossClient, type OssClient } from '../../../src/testing/sdk.js';
import { rootOf } from '../../../src/testing/fixtures.js';
import { errorCode, md5b64, md5hex, rawOss, rootV1AndSessionV4 } from './helpers.js';

let yb: TestServer;
const BUCKET = 'objects-bucket';

beforeAll(async () => {
  yb = await startTestServer();
  await ossClient(yb, rootOf(yb)).putBucket(BUCKET);
});
afterAll(async () => {
  await yb?.close();
});

const clients = rootV1AndSessionV4(() => yb, BUCKET, [
  `acs:oss:*:*:${BUCKET}`,
  `acs:oss:*:*:${BUCKET}/*`,
]);

describe.each(clients)('objects as %s', (label, make) => {
  let c: OssClient;
  const p = label.startsWith('root') ? 'v1/' : 'v4/';
  beforeAll(async () => {
    c = await make();
  });

  it('puts and gets bytes with metadata, content type, ETag and CRC-64', async () => {
    const data = randomBytes(100_000);
    const key = `${p}dir/hello world+1 中文.bin`;
    const put = await c.put(key, data, {
      meta: { author: 'alice', Mixed: 'Case' },
      mime: 'application/x-yunbox',
      headers: { 'Cache-Control': 'no-cache', 'Content-Disposition': 'attachment' },
    });
    expect(put.res.status).toBe(200);
    expect(put.res.headers.etag).toBe(`"${md5hex(data).toUpperCase()}"`);
    expect(put.res.headers['x-oss-hash-crc64ecma']).toBe(crc64(data));
    expect(put.res.headers['x-oss-request-id']).toMatch(/^[0-9A-F-]{20,}$/);

    const got = await c.get(key);
    expect(got.content.equals(data)).toBe(true);
    expect(got.res.headers).toMatchObject({
      'content-type': 'application/x-yunbox',
      'cache-control': 'no-cache',
      'content-disposition': 'attachment',
      'x-oss-meta-author': 'alice',
      'x-oss-meta-mixed': 'Case',
      'x-oss-object-type': 'Normal',
      'x-oss-storage-class': 'Standard',
      'x-oss-hash-crc64ecma': crc64(data),
      'content-md5': md5b64(data),
      'accept-ranges': 'bytes',
    });
    expect(got.res.headers['last-modified']).toMatch(
      /^\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT$/,
    );

    const head = await c.head(key);
    expect(head.status).toBe(200);
    expect(head.meta).toEqual({ author: 'alice', mixed: 'Case' });
    expect(head.res.headers['content-length']).toBe(String(data.length));
    const meta = await c.getObjectMeta(key);
    expect(meta.res.headers.etag).toBe(put.res.headers.etag);
    expect(meta.res.headers['content-length']).toBe(String(data.length));
  });

  it('guesses the content type from the key when none is sent', async () => {
    await c.put(`${p}page.html`, Buffer.from('<b>x</b>'));
    expect((await c.head(`${p}page.html`)).res.headers['content-type']).toBe('text/html');
  });

  it('streams a chunked upload (no Content-Length)', async () => {
    const data = randomBytes(300_000);
    const r = await c.putStream(
      `${p}stream.bin`,
      Readable.from([data.subarray(0, 1000), data.subarray(1000)]),
    );
    expect(r.res.status).toBe(200);
    expect(r.res.headers['x-oss-hash-crc64ecma']).toBe(crc64(data));
    const s = await c.getStream(`${p}stream.bin`);
    const chunks: Buffer[] = [];
    for await (const chunk of s.stream) chunks.push(chunk);
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
  });

  it('serves ranges; the CRC header still describes the whole object', async () => {
    const data = randomBytes(1000);
    await c.put(`${p}range.bin`, data);
    const r = await c.get(`${p}range.bin`, { headers: { Range: 'bytes=10-19' } });
    expect(r.res.status).toBe(206);
    expect(r.content.equals(data.subarray(10, 20))).toBe(true);
    expect(r.res.headers['content-range']).toBe('bytes 10-19/1000');
    expect(r.res.headers['x-oss-hash-crc64ecma']).toBe(crc64(data));
    const suffix = await c.get(`${p}range.bin`, { headers: { Range: 'bytes=-5' } });
    expect(suffix.content.equals(data.subarray(995))).toBe(true);
    const open = await c.get(`${p}range.bin`, { headers: { Range: 'bytes=990-' } });
    expect(open.content.equals(data.subarray(990))).toBe(true);
    // Out of range: the whole object (200), unless x-oss-range-behavior: standard.
    const past = await c.get(`${p}range.bin`, { headers: { Range: 'bytes=2000-3000' } });
    expect(past.res.status).toBe(200);
    expect(past.content.length).toBe(1000);
    await expect(
      c.get(`${p}range.bin`, {
        headers: { Range: 'bytes=2000-3000', 'x-oss-range-behavior': 'standard' },
      }),
    ).rejects.toMatchObject({ status: 416, code: 'InvalidRange' });
    const clamped = await c.get(`${p}range.bin`, {
      headers: { Range: 'bytes=995-3000', 'x-oss-range-behavior': 'standard' },
    });
    expect(clamped.res.status).toBe(206);
    expect(clamped.content.equals(data.subarray(995))).toBe(true);
  });

  it('honours If-Match, If-None-Match, If-Modified-Since and response-* overrides', async () => {
    const put = await c.put(`${p}cond.txt`, Buffer.from('cond'));
    const etag = put.res.headers.etag;
    const notModified = await c.get(`${p}cond.txt`, { headers: { 'If-None-Match': etag } });
    expect(notModified.res.status).toBe(304);
    await expect(
      c.get(`${p}cond.txt`, { headers: { 'If-Match': '"0000"' } }),
    ).rejects.toMatchObject({ status: 412, code: 'PreconditionFailed' });
    const future = new Date(yb.clock.now().getTime() + 3600_000).toUTCString();
    expect(
      (await c.get(`${p}cond.txt`, { headers: { 'If-Modified-Since': future } })).res.status,
    ).toBe(304);
    await expect(
      c.head(`${p}cond.txt`, { headers: { 'If-Match': '"0000"' } }),
    ).rejects.toMatchObject({ status: 412, code: 'PreconditionFailed' });
    const o = await c.get(`${p}cond.txt`, {
      subres: { 'response-content-type': 'text/x-over', 'response-content-disposition': 'inline' },
    });
    expect(o.res.headers['content-type']).toBe('text/x-over');
    expect(o.res.headers['content-disposition']).toBe('inline');
  });

  it('deletes with 204, also for missing keys; HEAD of a missing key is NoSuchKey', async () => {
    await c.put(`${p}gone.txt`, Buffer.from('x'));
    expect((await c.delete(`${p}gone.txt`)).res.status).toBe(204);
    expect((await c.delete(`${p}gone.txt`)).res.status).toBe(204);
    await expect(c.head(`${p}gone.txt`)).rejects.toMatchObject({ status: 404, code: 'NoSuchKey' });
    await expect(c.get(`${p}gone.txt`)).rejects.toMatchObject({ status: 404, code: 'NoSuchKey' });
  });

  it('deletes many objects, verbose and quiet', async () => {
    const keys = [`${p}m/a b.txt`, `${p}m/x&y<z>'".txt`, `${p}m/c.txt`];
    for (const k of keys) await c.put(k, Buffer.from(k));
    const verbose = await c.deleteMulti([keys[0], keys[1], `${p}m/missing`]);
    expect(verbose.deleted.map((d: any) => d.Key).sort()).toEqual(
      [keys[0], keys[1], `${p}m/missing`].sort(),
    );
    const quiet = await c.deleteMulti([keys[2]], { quiet: true });
    expect(quiet.deleted).toEqual([]);
    expect((await c.list({ prefix: `${p}m/` })).objects ?? []).toEqual([]);
  });

  it('copies with COPY and REPLACE metadata directives', async () => {
    const data = randomBytes(2000);
    await c.put(`${p}src.bin`, data, { meta: { from: 'src' }, mime: 'application/x-src' });
    const copied = await c.copy(`${p}dst.bin`, `${p}src.bin`);
    expect(copied.res.status).toBe(200);
    expect(copied.data.etag).toBe(`"${md5hex(data).toUpperCase()}"`);
    expect(copied.data.lastModified).toMatch(/\.000Z$/);
    const h = await c.head(`${p}dst.bin`);
    expect(h.meta).toEqual({ from: 'src' });
    expect(h.res.headers['content-type']).toBe('application/x-src');
    expect((await c.get(`${p}dst.bin`)).content.equals(data)).toBe(true);

    await c.copy(`${p}dst2.bin`, `${p}src.bin`, { meta: { to: 'dst' } });
    expect((await c.head(`${p}dst2.bin`)).meta).toEqual({ to: 'dst' });
    // Onto itself: metadata only.
    await c.copy(`${p}src.bin`, `${p}src.bin`, { meta: { again: '1' } });
    const self = await c.get(`${p}src.bin`);
    expect(self.content.equals(data)).toBe(true);
    expect(self.res.headers['x-oss-meta-again']).toBe('1');
    await expect(
      c.copy(`${p}dst3.bin`, `${p}src.bin`, { headers: { 'If-Match': '"0000"' } }),
    ).rejects.toMatchObject({ status: 412, code: 'PreconditionFailed' });
    await expect(c.copy(`${p}dst4.bin`, `${p}nope.bin`)).rejects.toMatchObject({
      status: 404,
      code: 'NoSuchKey',
    });
  });

  it('appends, refusing a wrong position; the CRC covers every append', async () => {
    const a = Buffer.from('hello ');
    const b = Buffer.from('world');
    const r1 = await c.append(`${p}log.txt`, a);
    expect(r1.nextAppendPosition).toBe('6');
    expect(r1.res.headers['x-oss-hash-crc64ecma']).toBe(crc64(a));
    await expect(c.append(`${p}log.txt`, b, { position: '3' })).rejects.toMatchObject({
      status: 409,
      code: 'PositionNotEqualToLength',
    });
    const r2 = await c.append(`${p}log.txt`, b, { position: r1.nextAppendPosition });
    expect(r2.nextAppendPosition).toBe('11');
    expect(r2.res.headers['x-oss-hash-crc64ecma']).toBe(crc64(Buffer.concat([a, b])));
    const got = await c.get(`${p}log.txt`);
    expect(got.content.toString()).toBe('hello world');
    expect(got.res.headers['x-oss-object-type']).toBe('Appendable');
    expect(got.res.headers['x-oss-hash-crc64ecma']).toBe(crc64('hello world'));
    const ranged = await c.get(`${p}log.txt`, { headers: { Range: 'bytes=4-7' } });
    expect(ranged.content.toString()).toBe('o wo');
    await c.put(`${p}normal.txt`, Buffer.from('n'));
    await expect(c.append(`${p}normal.txt`, b, { position: '1' })).rejects.toMatchObject({
      status: 409,
      code: 'ObjectNotAppendable',
    });
  });

  it('sets and gets object ACLs', async () => {
    await c.put(`${p}acl.txt`, Buffer.from('x'));
    expect((await c.getACL(`${p}acl.txt`)).acl).toBe('default');
    await c.putACL(`${p}acl.txt`, 'public-read');
    const got = await c.getACL(`${p}acl.txt`);
    expect(got.acl).toBe('public-read');
    expect(got.owner.id).toBe(yb.accountId);
    await expect(c.putACL(`${p}acl.txt`, 'everyone')).rejects.toMatchObject({
      status: 400,
      code: 'InvalidArgument',
    });
  });

  it('refuses to overwrite with x-oss-forbid-overwrite', async () => {
    await c.put(`${p}once.txt`, Buffer.from('1'));
    await expect(
      c.put(`${p}once.txt`, Buffer.from('2'), { headers: { 'x-oss-forbid-overwrite': 'true' } }),
    ).rejects.toMatchObject({ status: 409, code: 'FileAlreadyExists' });
    expect((await c.get(`${p}once.txt`)).content.toString()).toBe('1');
  });
});

describe('listing', () => {
  let c: OssClient;
  const keys = [
    'ls/a.txt',
    'ls/b/1.txt',
    'ls/b/2.txt',
    'ls/c d/x.txt',
    'ls/e+f.txt',
    'ls/g/h/i.txt',
    'ls/中文.txt',
    'ls/z.txt',
  ];
  beforeAll(async () => {
    c = ossClient(yb, rootOf(yb), { bucket: BUCKET });
    for (const k of keys) await c.put(k, Buffer.from(k));
  });

  it('lists v1 pages with a delimiter, keys and prefixes counting together', async () => {
    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    for (;;) {
      const r = await c.list({
        prefix: 'ls/',
        delimiter: '/',
        'max-keys': 2,
        ...(marker ? { marker } : {}),
      });
      pages++;
      for (const o of r.objects ?? []) seen.push(o.name);
      for (const pfx of r.prefixes ?? []) seen.push(`[${pfx}]`);
      expect((r.objects ?? []).length + (r.prefixes ?? []).length).toBeLessThanOrEqual(2);
      if (!r.isTruncated) break;
      marker = r.nextMarker;
    }
    expect(seen.sort()).toEqual(
      [
        'ls/a.txt',
        '[ls/b/]',
        '[ls/c d/]',
        'ls/e+f.txt',
        '[ls/g/]',
        'ls/z.txt',
        'ls/中文.txt',
      ].sort(),
    );
    expect(pages).toBe(4);
    const first = await c.list({ prefix: 'ls/', 'max-keys': 3 });
    expect(first.objects.map((o: any) => o.name)).toEqual(['ls/a.txt', 'ls/b/1.txt', 'ls/b/2.txt']);
    expect(first.objects[0]).toMatchObject({ size: 8, type: 'Normal', storageClass: 'Standard' });
    expect(first.objects[0].owner.id).toBe(yb.accountId);
  });

  it('lists v2 pages with continuation tokens and start-after', async () => {
    const names: string[] = [];
    let token: string | undefined;
    for (;;) {
      const r = await c.listV2({
        prefix: 'ls/',
        'max-keys': 3,
        ...(token ? { 'continuation-token': token } : {}),
      });
      names.push(...(r.objects ?? []).map((o: any) => o.name));
      expect(r.keyCount).toBe((r.objects ?? []).length);
      if (!r.isTruncated) break;
      token = r.nextContinuationToken;
    }
    expect(names).toEqual([...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
    const after = await c.listV2({ prefix: 'ls/', 'start-after': 'ls/e+f.txt', delimiter: '/' });
    expect(after.objects.map((o: any) => o.name)).toEqual(['ls/z.txt', 'ls/中文.txt']);
    expect(after.prefixes).toEqual(['ls/g/']);
  });

  it('url-encodes keys and prefixes with encoding-type=url', async () => {
    const r = await c.list({ prefix: 'ls/c', delimiter: '/', 'encoding-type': 'url' });
    expect(r.prefixes).toEqual(['ls%2Fc%20d%2F']);
    const v2 = await c.listV2({ prefix: 'ls/e', 'encoding-type': 'url' });
    expect(v2.objects.map((o: any) => o.name)).toEqual(['ls%2Fe%2Bf.txt']);
  });

  it('refuses a bad max-keys and a forged continuation token', async () => {
    const r = await rawOss(yb, {
      bucket: BUCKET,
      query: [['max-keys', 'many']],
      creds: rootOf(yb),
    });
    expect({ status: r.status, code: errorCode(r) }).toEqual({
      status: 400,
      code: 'InvalidArgument',
    });
    const t = await rawOss(yb, {
      bucket: BUCKET,
      query: [
        ['list-type', '2'],
        ['continuation-token', '!!!'],
      ],
      creds: rootOf(yb),
    });
    expect({ status: t.status, code: errorCode(t) }).toEqual({
      status: 400,
      code: 'InvalidArgument',
    });
  });
});

describe('errors as the SDKs read them', () => {
  it('x-oss-request-id equals the error body’s RequestId; HEAD errors carry x-oss-err', async () => {
    const r = await rawOss(yb, { bucket: BUCKET, key: 'missing', creds: rootOf(yb) });
    expect(r.status).toBe(404);
    expect(r.headers['content-type']).toBe('application/xml');
    expect(r.text).toContain('<Code>NoSuchKey</Code>');
    expect(r.text).toContain(`<RequestId>${r.headers['x-oss-request-id']}</RequestId>`);
    expect(r.text).toContain('<HostId>localhost</HostId>');
    expect(r.text).toMatch(/<EC>\d{4}-\d{8}<\/EC>/);
    expect(r.headers['x-oss-ec']).toBe('0026-00000001');
    const h = await rawOss(yb, {
      method: 'HEAD',
      bucket: 'no-such-bucket',
      key: 'k',
      creds: rootOf(yb),
    });
    expect(h.status).toBe(404);
    expect(h.body.length).toBe(0);
    const xml = Buffer.from(String(h.headers['x-oss-err']), 'base64').toString('utf8');
    expect(xml).toContain('<Code>NoSuchBucket</Code>');
    expect(xml).toContain(`<RequestId>${h.headers['x-oss-request-id']}</RequestId>`);
  });

  it('ali-oss reports the code of a HEAD refused with 403 from x-oss-err', async () => {
    const anon = ossClient(
      yb,
      { accessKeyId: 'LTAInobodyhere000000', accessKeySecret: 'x'.repeat(30) },
      { bucket: BUCKET },
    );
    await expect(anon.head('v1/page.html')).rejects.toMatchObject({
      status: 403,
      code: 'InvalidAccessKeyId',
    });
  });
});
