/**
 * Every bad input the OSS protocol must refuse, with OSS's code and status, and nothing stored:
 * malformed XML, wrong or malformed Content-MD5, invalid bucket names, hostile keys (which are
 * data, never paths), oversized headers and metadata, missing lengths, bodies cut off mid-upload
 * (no object, no part, no blob left), unknown methods and sub-resources. Requests are built by
 * hand (V1-signed) since the SDKs never send most of these.
 */
import { connect } from 'node:net';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';
import { rowCounts } from '../../../src/testing/snapshot.js';
import { ossClient, type OssClient } from '../../../src/testing/sdk.js';
import { rootOf } from '../../../src/testing/fixtures.js';
import {
  errorCode,
  md5b64,
  rawOss,
  requestPath,
  signedHeaders,
  type RawRequest,
  type RawResponse,
} from './helpers.js';

let yb: TestServer;
let c: OssClient;
const BUCKET = 'bad-input';

beforeAll(async () => {
  yb = await startTestServer();
  c = ossClient(yb, rootOf(yb), { bucket: BUCKET });
  await c.putBucket(BUCKET);
  await c.put('existing.txt', Buffer.from('keep me'));
});
afterAll(async () => {
  await yb?.close();
});

/** Blobs stored (complete or not) and temporary files. */
async function blobCount(): Promise<number> {
  let n = 0;
  for await (const _ of yb.oss.blobs.list(Date.now() + 3600_000)) n++;
  if (yb.oss.blobs.kind === 'fs') {
    n += (await readdir(join(yb.dataDir, 'blobs', 'tmp'))).length;
  }
  return n;
}

async function settled<T>(probe: () => Promise<T>, want: T, ms = 3000): Promise<T> {
  const until = Date.now() + ms;
  let v = await probe();
  while (v !== want && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 25));
    v = await probe();
  }
  return v;
}

async function refused(send: () => Promise<RawResponse>, code: string, status: number) {
  const rows = await rowCounts(yb.db);
  const blobs = await blobCount();
  const r = await send();
  expect({ status: r.status, code: errorCode(r) }).toEqual({ status, code });
  if (r.text) expect(r.text).toContain(`<RequestId>${r.headers['x-oss-request-id']}</RequestId>`);
  expect(await rowCounts(yb.db)).toEqual(rows);
  expect(await settled(blobCount, blobs)).toBe(blobs);
  return r;
}

const root = () => rootOf(yb);

describe('XML bodies', () => {
  const deleteMulti = (body: string) =>
    rawOss(yb, { method: 'POST', bucket: BUCKET, query: [['delete', null]], body, creds: root() });

  it('malformed, foreign or hostile XML is MalformedXML', async () => {
    for (const body of [
      '<Delete><Object><Key>existing.txt</Key></Object>',
      '<Other><Object><Key>existing.txt</Key></Object></Other>',
      '<Delete></Delete>',
      '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x "existing.txt">]><Delete><Object><Key>&x;</Key></Object></Delete>',
      '<Delete><Object><Key>&unknown;</Key></Object></Delete>',
      '<Delete><Quiet>maybe</Quiet><Object><Key>existing.txt</Key></Object></Delete>',
      '<Delete>' + '<Object><Key>k</Key></Object>'.repeat(1001) + '</Delete>',
      '\u00ff\u00fe<Delete/>',
    ]) {
      await refused(() => deleteMulti(body), 'MalformedXML', 400);
    }
    expect((await c.get('existing.txt')).content.toString()).toBe('keep me');
  });

  it('a body past the XML limit is EntityTooLarge', async () => {
    await refused(
      () => deleteMulti('<Delete>' + ' '.repeat(3 * 1024 * 1024) + '</Delete>'),
      'EntityTooLarge',
      400,
    );
  });

  it('a DeleteMultipleObjects body not matching its Content-MD5 is InvalidDigest', async () => {
    const body = '<Delete><Object><Key>existing.txt</Key></Object></Delete>';
    await refused(
      () =>
        rawOss(yb, {
          method: 'POST',
          bucket: BUCKET,
          query: [['delete', null]],
          body,
          headers: { 'content-md5': md5b64('other') },
          creds: root(),
        }),
      'InvalidDigest',
      400,
    );
  });

  it('a bad PutBucket configuration is MalformedXML', async () => {
    await refused(
      () =>
        rawOss(yb, {
          method: 'PUT',
          bucket: 'xml-bucket',
          body: '<CreateBucketConfiguration>',
          creds: root(),
        }),
      'MalformedXML',
      400,
    );
  });
});

describe('Content-MD5', () => {
  it('a body that does not match is InvalidDigest, and nothing is stored', async () => {
    await refused(
      () =>
        rawOss(yb, {
          method: 'PUT',
          bucket: BUCKET,
          key: 'md5.txt',
          body: 'actual bytes',
          headers: { 'content-md5': md5b64('other bytes') },
          creds: root(),
        }),
      'InvalidDigest',
      400,
    );
    await expect(c.head('md5.txt')).rejects.toMatchObject({ status: 404 });
  });

  it('an overwrite with a wrong MD5 keeps the old object', async () => {
    await refused(
      () =>
        rawOss(yb, {
          method: 'PUT',
          bucket: BUCKET,
          key: 'existing.txt',
          body: 'replacement',
          headers: { 'content-md5': md5b64('nope') },
          creds: root(),
        }),
      'InvalidDigest',
      400,
    );
    expect((await c.get('existing.txt')).content.toString()).toBe('keep me');
  });

  it('a malformed Content-MD5 is InvalidDigest before any byte is stored', async () => {
    await refused(
      () =>
        rawOss(yb, {
          method: 'PUT',
          bucket: BUCKET,
          key: 'md5b.txt',
          body: 'x',
          headers: { 'content-md5': 'not-base64-md5' },
          creds: root(),
        }),
      'InvalidDigest',
      400,
    );
  });

  it('the right MD5 is accepted (ali-oss always sends it)', async () => {
    const r = await rawOss(yb, {
      method: 'PUT',
      bucket: BUCKET,
      key: 'md5ok.txt',
      body: 'good',
      headers: { 'content-md5': md5b64('good') },
      creds: root(),
    });
    expect(r.status).toBe(200);
  });
});

describe('names', () => {
  it('invalid bucket names are InvalidBucketName, path or host style', async () => {
    for (const bucket of ['Bad_Bucket', 'ab', '..', '-lead', 'a'.repeat(64), 'with%20space']) {
      await refused(
        () =>
          rawOss(yb, {
            method: 'PUT',
            rawPath: `/${bucket}/k`,
            bucket: 'x',
            key: 'k',
            body: 'x',
            creds: root(),
          }),
        'InvalidBucketName',
        400,
      );
    }
    await refused(
      () =>
        rawOss(yb, {
          method: 'PUT',
          rawPath: '/k',
          headers: { host: 'bad_bucket.oss-cn-hangzhou.aliyuncs.com' },
          body: 'x',
        }),
      'InvalidBucketName',
      400,
    );
  });

  it('keys that OSS refuses are InvalidObjectName', async () => {
    for (const rawKey of [
      '/etc/passwd', // `/<bucket>//etc/passwd`: a key starting with `/`
      '%5Cwindows', // starts with a backslash
      'a%00b', // NUL
      '%C0%AF', // overlong `/`
      '%ED%A0%80', // a UTF-16 surrogate encoded as UTF-8
      '%FF%FE',
      'a%zz',
      'k'.repeat(1024),
    ]) {
      await refused(
        () =>
          rawOss(yb, { method: 'PUT', rawPath: `/${BUCKET}/${rawKey}`, body: 'x', creds: root() }),
        rawKey === 'a%zz' ? 'InvalidObjectName' : 'InvalidObjectName',
        400,
      );
    }
  });

  it('hostile-looking keys are data: stored, listed and read back, never paths', async () => {
    const keys = [
      '../../../../etc/passwd',
      '..\\..\\boot.ini',
      'a/../../b',
      '.',
      '..',
      'k'.repeat(1023),
      'é'.repeat(200),
    ];
    for (const key of keys) {
      // Sent as is: clients built on WHATWG URLs would resolve the dot segments first.
      const body = `data of ${key.slice(0, 20)}`;
      const put = await rawOss(yb, { method: 'PUT', bucket: BUCKET, key, body, creds: root() });
      expect(put.status).toBe(200);
      const got = await rawOss(yb, { bucket: BUCKET, key, creds: root() });
      expect(got.text).toBe(body);
    }
    const listed = (await c.list({ 'max-keys': 1000 })).objects.map((o: any) => o.name);
    for (const key of keys) expect(listed).toContain(key);
    if (yb.oss.blobs.kind === 'fs') {
      // Blob files are named by random ids only, two levels below DATA/blobs.
      for (const shard of await readdir(join(yb.dataDir, 'blobs'))) {
        expect(shard).toMatch(/^([0-9a-f]{2}|tmp)$/);
        for (const f of await readdir(join(yb.dataDir, 'blobs', shard))) {
          expect(f).toMatch(/^[0-9a-f]{32}$/);
        }
      }
    }
  });
});

describe('headers and lengths', () => {
  it('a request head over 16 KB is InvalidArgument; far over, HTTP refuses it (431)', async () => {
    await refused(
      () =>
        rawOss(yb, {
          method: 'PUT',
          bucket: BUCKET,
          key: 'big-header.txt',
          body: 'x',
          headers: { 'x-oss-big': 'v'.repeat(20_000) },
          creds: root(),
        }),
      'InvalidArgument',
      400,
    );
    const rows = await rowCounts(yb.db);
    const r = await rawOss(yb, {
      method: 'PUT',
      bucket: BUCKET,
      key: 'huge-header.txt',
      body: 'x',
      headers: { 'x-oss-big': 'v'.repeat(200_000) },
      creds: root(),
    }).catch(() => ({ status: 0 }) as RawResponse);
    expect([431, 0]).toContain(r.status);
    expect(await rowCounts(yb.db)).toEqual(rows);
  });

  it('user metadata over 8 KB is InvalidArgument', async () => {
    const headers: Record<string, string> = {};
    for (let i = 0; i < 5; i++) headers[`x-oss-meta-m${i}`] = 'v'.repeat(1800);
    await refused(
      () =>
        rawOss(yb, {
          method: 'PUT',
          bucket: BUCKET,
          key: 'meta.txt',
          body: 'x',
          headers,
          creds: root(),
        }),
      'InvalidArgument',
      400,
    );
  });

  it('a body without Content-Length or chunked encoding is MissingContentLength', async () => {
    const r: RawRequest = { method: 'PUT', bucket: BUCKET, key: 'nolen.txt', creds: root() };
    const headers = signedHeaders(yb, r);
    const res = await rawHttp(
      `PUT ${requestPath(r)} HTTP/1.1\r\nHost: localhost\r\n` +
        Object.entries(headers)
          .map(([k, v]) => `${k}: ${v}\r\n`)
          .join('') +
        'Connection: close\r\n\r\n',
    );
    expect(res).toMatch(/^HTTP\/1.1 411 /);
    expect(res).toContain('<Code>MissingContentLength</Code>');
  });

  it('a declared length over 5 GB is EntityTooLarge before any byte is read', async () => {
    const r: RawRequest = { method: 'PUT', bucket: BUCKET, key: 'huge.bin', creds: root() };
    const headers = signedHeaders(yb, r);
    const res = await rawHttp(
      `PUT ${requestPath(r)} HTTP/1.1\r\nHost: localhost\r\nContent-Length: ${6 * 1024 ** 3}\r\n` +
        Object.entries(headers)
          .map(([k, v]) => `${k}: ${v}\r\n`)
          .join('') +
        '\r\n',
    );
    expect(res).toMatch(/^HTTP\/1.1 400 /);
    expect(res).toContain('<Code>EntityTooLarge</Code>');
  });
});

/** Sends raw bytes, returns everything the server answers until it closes or 2 s pass. */
function rawHttp(head: string, body?: Buffer): Promise<string> {
  const port = Number(yb.address.slice(yb.address.lastIndexOf(':') + 1));
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    let out = '';
    const t = setTimeout(() => {
      s.destroy();
      resolve(out);
    }, 2000);
    s.on('data', (d) => {
      out += d.toString('latin1');
      if (/\r\n\r\n/.test(out) && /<\/Error>/.test(out)) {
        clearTimeout(t);
        s.destroy();
        resolve(out);
      }
    });
    s.on('error', reject);
    s.on('close', () => {
      clearTimeout(t);
      resolve(out);
    });
    s.write(head);
    if (body) s.write(body);
  });
}

/** Starts an upload, sends `sent` bytes of a declared `declared`, then drops the connection. */
async function cutOff(r: RawRequest, sent: number, declared: number | 'chunked'): Promise<void> {
  const headers = signedHeaders(yb, r);
  const port = Number(yb.address.slice(yb.address.lastIndexOf(':') + 1));
  const framing =
    declared === 'chunked' ? 'Transfer-Encoding: chunked\r\n' : `Content-Length: ${declared}\r\n`;
  await new Promise<void>((resolve) => {
    const s = connect(port, '127.0.0.1', () => {
      s.write(
        `${r.method} ${requestPath(r)} HTTP/1.1\r\nHost: localhost\r\n${framing}` +
          Object.entries(headers)
            .map(([k, v]) => `${k}: ${v}\r\n`)
            .join('') +
          '\r\n',
      );
      const chunk = Buffer.alloc(sent, 7);
      if (declared === 'chunked') s.write(`${sent.toString(16)}\r\n`);
      s.write(chunk, () => setTimeout(() => s.destroy(), 100));
    });
    s.on('close', () => resolve());
    s.on('error', () => resolve());
  });
}

describe('truncated bodies', () => {
  it('a client that disconnects mid-upload leaves no object and no blob', async () => {
    const rows = await rowCounts(yb.db);
    const blobs = await blobCount();
    await cutOff(
      { method: 'PUT', bucket: BUCKET, key: 'cut.bin', creds: root() },
      300_000,
      1_000_000,
    );
    await cutOff(
      { method: 'PUT', bucket: BUCKET, key: 'cut-chunked.bin', creds: root() },
      300_000,
      'chunked',
    );
    expect(await settled(blobCount, blobs)).toBe(blobs);
    expect(await rowCounts(yb.db)).toEqual(rows);
    await expect(c.head('cut.bin')).rejects.toMatchObject({ status: 404 });
    await expect(c.head('cut-chunked.bin')).rejects.toMatchObject({ status: 404 });
  });

  it('an overwrite cut off mid-upload leaves the old object intact', async () => {
    await cutOff(
      { method: 'PUT', bucket: BUCKET, key: 'existing.txt', creds: root() },
      50_000,
      200_000,
    );
    expect((await c.get('existing.txt')).content.toString()).toBe('keep me');
  });

  it('a part cut off mid-upload is not listed', async () => {
    const { uploadId } = await c.initMultipartUpload('cut-part.bin');
    const blobs = await blobCount();
    await cutOff(
      {
        method: 'PUT',
        bucket: BUCKET,
        key: 'cut-part.bin',
        query: [
          ['partNumber', '1'],
          ['uploadId', uploadId],
        ],
        creds: root(),
      },
      200_000,
      500_000,
    );
    expect(await settled(blobCount, blobs)).toBe(blobs);
    expect((await c.listParts('cut-part.bin', uploadId)).parts).toEqual([]);
    await c.abortMultipartUpload('cut-part.bin', uploadId);
  });
});

describe('methods and features', () => {
  it('an unknown method is MethodNotAllowed; an unsupported sub-resource NotImplemented', async () => {
    await refused(
      () => rawOss(yb, { method: 'PATCH', bucket: BUCKET, key: 'k', creds: root() }),
      'MethodNotAllowed',
      405,
    );
    await refused(
      () => rawOss(yb, { bucket: BUCKET, query: [['replication', null]], creds: root() }),
      'NotImplemented',
      501,
    );
    await refused(
      () =>
        rawOss(yb, {
          bucket: BUCKET,
          key: 'existing.txt',
          query: [['x-oss-process', 'image/resize,w_10']],
          creds: root(),
        }),
      'NotImplemented',
      501,
    );
  });

  it('RPC requests still reach the RPC gateway', async () => {
    const r = await fetch(`${yb.endpoint}/?Action=ListRoles&Version=2015-05-01`);
    expect(r.headers.get('x-acs-request-id')).toBeTruthy();
    expect(((await r.json()) as any).Code).toBe('MissingParameter');
  });
});
