/**
 * Raw UTF-8 bytes in `x-oss-meta-*` headers, as ali-oss sends them with
 * `headerEncoding: 'latin1'` (ali-oss test/node/object.test.js "options.headerEncoding"): the V1
 * and V4 signatures are over the bytes received, and the bytes are stored and returned unchanged
 * by PutObject, HeadObject, GetObject, CopyObject and putMeta (a copy onto itself).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rootOf } from '../../../src/testing/fixtures.js';
import { ossClient, type OssClient } from '../../../src/testing/sdk.js';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';
import { rawOss, rootV1AndSessionV4 } from './helpers.js';

let yb: TestServer;
const BUCKET = 'header-bytes';
const UTF8 = '阿达的大多';
// What ali-oss puts in the header and what it reads back: one character per UTF-8 byte.
const LATIN1 = Buffer.from(UTF8).toString('latin1');

beforeAll(async () => {
  yb = await startTestServer();
  await ossClient(yb, rootOf(yb)).putBucket(BUCKET);
});
afterAll(async () => {
  await yb?.close();
});

const clients = rootV1AndSessionV4(() => yb, BUCKET, [`acs:oss:*:*:${BUCKET}/*`]);

describe.each(clients)("headerEncoding 'latin1' with %s", (label, make) => {
  let c: OssClient;
  const p = label.startsWith('root') ? 'v1/' : 'v4/';
  beforeAll(async () => {
    c = await make();
    c.options.headerEncoding = 'latin1';
  });

  it('puts raw UTF-8 metadata and returns the same bytes', async () => {
    const put = await c.put(`${p}latin1.txt`, Buffer.from('hello'), { meta: { a: UTF8 } });
    expect(put.res.status).toBe(200);
    const head = await c.head(`${p}latin1.txt`);
    expect(head.meta.a).toBe(LATIN1);
    // On the wire: exactly the UTF-8 bytes of the value.
    const raw = await rawOss(yb, { bucket: BUCKET, key: `${p}latin1.txt`, creds: rootOf(yb) });
    expect(Buffer.from(String(raw.headers['x-oss-meta-a']), 'latin1').toString('utf8')).toBe(UTF8);
  });

  it('copies with raw UTF-8 metadata, also to a key with Chinese characters', async () => {
    for (const to of [`${p}copy-latin1.txt`, `${p}copy-latin1-中文.txt`]) {
      const r = await c.copy(to, `${p}latin1.txt`, { meta: { a: UTF8 } });
      expect(r.res.status).toBe(200);
      expect((await c.head(to)).meta.a).toBe(LATIN1);
    }
  });

  it('replaces metadata with putMeta', async () => {
    const r = await c.putMeta(`${p}latin1.txt`, { b: UTF8 });
    expect(r.res.status).toBe(200);
    expect((await c.head(`${p}latin1.txt`)).meta.b).toBe(LATIN1);
  });
});
