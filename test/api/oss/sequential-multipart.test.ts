/**
 * Sequential multipart uploads (`POST /<key>?uploads&sequential`, as oss2 sends them with
 * `params={'sequential': ''}`): parts must come in order (the next number, or the last again),
 * else `PartNotSequential`; the completed object answers GetObject with the whole object's
 * Content-MD5, which a plain multipart object does not (oss2's test_multipart_sequential).
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';
import { ossClient } from '../../../src/testing/sdk.js';
import { rootOf } from '../../../src/testing/fixtures.js';
import { errorCode, rawOss } from './helpers.js';

let yb: TestServer;
let c: any;
const part1 = Buffer.alloc(100 * 1024, 1);
const part2 = Buffer.from('the end');

beforeAll(async () => {
  yb = await startTestServer();
  await ossClient(yb, rootOf(yb)).putBucket('seq-bucket');
  c = ossClient(yb, rootOf(yb), { bucket: 'seq-bucket' });
});
afterAll(async () => {
  await yb?.close();
});

async function initiate(key: string, sequential: boolean): Promise<string> {
  const r = await rawOss(yb, {
    method: 'POST',
    bucket: 'seq-bucket',
    key,
    query: sequential
      ? [
          ['uploads', null],
          ['sequential', null],
        ]
      : [['uploads', null]],
    creds: rootOf(yb),
  });
  expect(r.status).toBe(200);
  return /<UploadId>([^<]+)<\/UploadId>/.exec(r.text)![1]!;
}

function uploadPart(key: string, uploadId: string, n: number, body: Buffer) {
  return rawOss(yb, {
    method: 'PUT',
    bucket: 'seq-bucket',
    key,
    query: [
      ['partNumber', String(n)],
      ['uploadId', uploadId],
    ],
    body,
    creds: rootOf(yb),
  });
}

describe('sequential multipart upload', () => {
  it('keeps the whole object’s Content-MD5, which a plain upload does not', async () => {
    for (const sequential of [false, true]) {
      const key = sequential ? 'seq.bin' : 'plain.bin';
      const id = await initiate(key, sequential);
      const r1 = await uploadPart(key, id, 1, part1);
      const r2 = await uploadPart(key, id, 2, part2);
      await c.completeMultipartUpload(key, id, [
        { number: 1, etag: r1.headers.etag },
        { number: 2, etag: r2.headers.etag },
      ]);
      const got = await c.get(key);
      expect(got.content.equals(Buffer.concat([part1, part2]))).toBe(true);
      const md5 = got.res.headers['content-md5'];
      if (sequential) {
        expect(md5).toBe(
          createHash('md5')
            .update(Buffer.concat([part1, part2]))
            .digest('base64'),
        );
      } else expect(md5).toBeUndefined();
    }
  });

  it('refuses a part out of order with PartNotSequential, and takes a retry of the last', async () => {
    const id = await initiate('order.bin', true);
    let r = await uploadPart('order.bin', id, 2, part2);
    expect([r.status, errorCode(r)]).toEqual([400, 'PartNotSequential']);
    r = await uploadPart('order.bin', id, 1, part1);
    expect(r.status).toBe(200);
    r = await uploadPart('order.bin', id, 1, part1); // a retry
    expect(r.status).toBe(200);
    r = await uploadPart('order.bin', id, 3, part2);
    expect([r.status, errorCode(r)]).toEqual([400, 'PartNotSequential']);
    r = await uploadPart('order.bin', id, 2, part2);
    expect(r.status).toBe(200);
    // A plain upload takes any order.
    const plain = await initiate('any.bin', false);
    expect((await uploadPart('any.bin', plain, 5, part2)).status).toBe(200);
  });
});
