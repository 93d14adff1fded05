/**
 * Multipart upload through ali-oss: a 64 MiB file in 8 MiB parts (V4, STS credentials), the
 * combined CRC-64 of the whole object, ListParts and ListMultipartUploads paging, part
 * replacement, UploadPartCopy (and ali-oss's multipartUploadCopy), abort (204), and OSS's limits
 * and errors at completion.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Crc64, crc64, crc64CombineParts } from '../../../src/blob/crc64.js';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';
import { ossClient, type OssClient } from '../../../src/testing/sdk.js';
import { rootOf } from '../../../src/testing/fixtures.js';
import { errorCode, md5hex, policy, rawOss, roleSession } from './helpers.js';

let yb: TestServer;
let c: OssClient;
let dir: string;
const BUCKET = 'multipart-bucket';

beforeAll(async () => {
  yb = await startTestServer();
  await ossClient(yb, rootOf(yb)).putBucket(BUCKET);
  c = ossClient(yb, rootOf(yb), { bucket: BUCKET });
  dir = await mkdtemp(join(tmpdir(), 'yunbox-mp-'));
});
afterAll(async () => {
  await yb?.close();
  await rm(dir, { recursive: true, force: true });
});

const MiB = 1024 * 1024;

describe('a 64 MiB multipart upload', () => {
  it('uploads 8 parts in parallel with STS credentials (V4) and reads back byte for byte', async () => {
    const file = join(dir, 'big.bin');
    const data = randomBytes(64 * MiB);
    await writeFile(file, data);
    const sts = await roleSession(
      yb,
      policy([
        {
          Effect: 'Allow',
          Action: ['oss:PutObject', 'oss:GetObject'],
          Resource: `acs:oss:*:*:${BUCKET}/*`,
        },
      ]),
    );
    const client = ossClient(yb, sts, { bucket: BUCKET, style: 'path', v4: true });
    const progress: number[] = [];
    const r = await client.multipartUpload('big/file.bin', file, {
      partSize: 8 * MiB,
      parallel: 4,
      progress: (p: number) => {
        progress.push(p);
      },
    });
    expect(r.res.status).toBe(200);
    expect(progress[progress.length - 1]).toBe(1);
    const etag = r.res.headers.etag as string;
    expect(etag).toMatch(/^"[0-9A-F]{32}-8"$/);
    // The whole object's CRC-64, as oss2 predicts it by combining the parts' CRCs.
    const whole = crc64(data);
    expect(r.res.headers['x-oss-hash-crc64ecma']).toBe(whole);
    const parts = Array.from({ length: 8 }, (_, i) => ({
      crc64: crc64(data.subarray(i * 8 * MiB, (i + 1) * 8 * MiB)),
      size: 8 * MiB,
    }));
    expect(crc64CombineParts(parts)).toBe(whole);

    const head = await client.head('big/file.bin');
    expect(head.res.headers).toMatchObject({
      'content-length': String(64 * MiB),
      'x-oss-object-type': 'Multipart',
      'x-oss-hash-crc64ecma': whole,
      etag,
    });
    const got = await client.getStream('big/file.bin');
    const md5 = createHash('md5');
    const crc = new Crc64();
    for await (const chunk of got.stream) {
      md5.update(chunk);
      crc.update(chunk);
    }
    expect(md5.digest('hex')).toBe(md5hex(data));
    expect(crc.digest()).toBe(whole);
    const range = await client.get('big/file.bin', {
      headers: { Range: `bytes=${8 * MiB - 10}-${8 * MiB + 9}` },
    });
    expect(range.content.equals(data.subarray(8 * MiB - 10, 8 * MiB + 10))).toBe(true);

    // Parts are not copied on completion: 8 blobs make the object, nothing is left behind.
    expect(await yb.oss.store.listUploads(BUCKET, { prefix: 'big/', limit: 10 })).toEqual([]);
    const obj = await yb.oss.store.getObject(BUCKET, 'big/file.bin');
    expect(obj!.segments).toHaveLength(8);
  });

  it('copies the 64 MiB object with UploadPartCopy (ali-oss multipartUploadCopy)', async () => {
    const r = await c.multipartUploadCopy(
      'big/copy.bin',
      { sourceKey: 'big/file.bin', sourceBucketName: BUCKET },
      { partSize: 16 * MiB, parallel: 2 },
    );
    expect(r.res.status).toBe(200);
    const a = await c.head('big/file.bin');
    const b = await c.head('big/copy.bin');
    expect(b.res.headers['x-oss-hash-crc64ecma']).toBe(a.res.headers['x-oss-hash-crc64ecma']);
    expect(b.res.headers['content-length']).toBe(a.res.headers['content-length']);
  });
});

describe('multipart steps', () => {
  const part = (n: number, size = 100 * 1024) => Buffer.alloc(size, n);

  async function upload(key: string, sizes: number[]) {
    const { uploadId } = await c.initMultipartUpload(key, {
      meta: { kind: 'mp' },
      mime: 'text/x-mp',
    });
    const parts: Array<{ number: number; etag: string }> = [];
    for (const [i, size] of sizes.entries()) {
      const r = await c.uploadPart(key, uploadId, i + 1, part(i + 1, size), 0, size);
      parts.push({ number: i + 1, etag: r.etag });
    }
    return { uploadId, parts };
  }

  it('answers UploadPart with the ETag and CRC-64 of the part', async () => {
    const { uploadId } = await c.initMultipartUpload('steps/a.txt');
    const r = await c.uploadPart('steps/a.txt', uploadId, 1, part(1), 0, 100 * 1024);
    expect(r.etag).toBe(`"${md5hex(part(1)).toUpperCase()}"`);
    expect(r.res.headers['x-oss-hash-crc64ecma']).toBe(crc64(part(1)));
    await c.abortMultipartUpload('steps/a.txt', uploadId);
  });

  it('replaces a re-uploaded part; completes with metadata from initiation', async () => {
    const { uploadId, parts } = await upload('steps/b.txt', [100 * 1024, 100 * 1024, 10]);
    const again = await c.uploadPart('steps/b.txt', uploadId, 2, part(9), 0, 100 * 1024);
    parts[1] = { number: 2, etag: again.etag };
    const listed = await c.listParts('steps/b.txt', uploadId);
    expect(listed.parts.map((p: any) => [p.PartNumber, p.ETag, p.Size])).toEqual([
      ['1', parts[0]!.etag, String(100 * 1024)],
      ['2', again.etag, String(100 * 1024)],
      ['3', parts[2]!.etag, '10'],
    ]);
    const page = await c.listParts('steps/b.txt', uploadId, { 'max-parts': 2 });
    expect(page.isTruncated).toBe('true'); // ali-oss passes the XML text through
    expect(page.nextPartNumberMarker).toBe('2');
    const rest = await c.listParts('steps/b.txt', uploadId, { 'part-number-marker': '2' });
    expect([rest.parts].flat().map((p: any) => p.PartNumber)).toEqual(['3']); // one Part: not an array
    const done = await c.completeMultipartUpload('steps/b.txt', uploadId, parts);
    expect(done.res.status).toBe(200);
    expect(done.etag).toMatch(/^"[0-9A-F]{32}-3"$/); // ali-oss reads the ETag header
    expect(done.res.data.toString()).toContain(
      `<Location>http://${BUCKET}.oss-cn-hangzhou.aliyuncs.com/steps/b.txt</Location>`,
    );
    const got = await c.get('steps/b.txt');
    expect(got.content.equals(Buffer.concat([part(1), part(9), part(3, 10)]))).toBe(true);
    expect(got.res.headers['x-oss-meta-kind']).toBe('mp');
    expect(got.res.headers['content-type']).toBe('text/x-mp');
    expect(got.res.headers['x-oss-hash-crc64ecma']).toBe(crc64(got.content));
    // Completed: the upload is gone.
    await expect(c.listParts('steps/b.txt', uploadId)).rejects.toMatchObject({
      status: 404,
      code: 'NoSuchUpload',
    });
  });

  it('enforces OSS’s limits and checks at completion', async () => {
    const small = await upload('steps/small.txt', [10, 10]);
    await expect(
      c.completeMultipartUpload('steps/small.txt', small.uploadId, small.parts),
    ).rejects.toMatchObject({
      status: 400,
      code: 'EntityTooSmall',
    });
    const { uploadId, parts } = await upload('steps/c.txt', [100 * 1024, 100 * 1024]);
    await expect(
      c.completeMultipartUpload('steps/c.txt', uploadId, [{ number: 1, etag: '"0000"' }, parts[1]]),
    ).rejects.toMatchObject({ status: 400, code: 'InvalidPart' });
    await expect(
      c.completeMultipartUpload('steps/c.txt', uploadId, [
        parts[0],
        { number: 7, etag: parts[1]!.etag },
      ]),
    ).rejects.toMatchObject({ status: 400, code: 'InvalidPart' });
    // ali-oss sorts parts itself; an unsorted list needs a raw request.
    const body =
      '<CompleteMultipartUpload>' +
      [parts[1]!, parts[0]!]
        .map((p) => `<Part><PartNumber>${p.number}</PartNumber><ETag>${p.etag}</ETag></Part>`)
        .join('') +
      '</CompleteMultipartUpload>';
    const unordered = await rawOss(yb, {
      method: 'POST',
      bucket: BUCKET,
      key: 'steps/c.txt',
      query: [['uploadId', uploadId]],
      body,
      creds: rootOf(yb),
    });
    expect({ status: unordered.status, code: errorCode(unordered) }).toEqual({
      status: 400,
      code: 'InvalidPartOrder',
    });
    const malformed = await rawOss(yb, {
      method: 'POST',
      bucket: BUCKET,
      key: 'steps/c.txt',
      query: [['uploadId', uploadId]],
      body: '<CompleteMultipartUpload><Part>',
      creds: rootOf(yb),
    });
    expect(errorCode(malformed)).toBe('MalformedXML');
    for (const n of ['0', '10001', 'x']) {
      const r = await rawOss(yb, {
        method: 'PUT',
        bucket: BUCKET,
        key: 'steps/c.txt',
        query: [
          ['partNumber', n],
          ['uploadId', uploadId],
        ],
        body: 'x',
        creds: rootOf(yb),
      });
      expect({ status: r.status, code: errorCode(r) }).toEqual({
        status: 400,
        code: 'InvalidArgument',
      });
      expect(r.text).toContain('<ArgumentName>PartNumber</ArgumentName>');
    }
    await expect(
      c.uploadPart('steps/c.txt', 'NOSUCHUPLOAD', 1, part(1), 0, 10),
    ).rejects.toMatchObject({
      status: 404,
      code: 'NoSuchUpload',
    });
    await expect(
      c.uploadPart('steps/other.txt', uploadId, 1, part(1), 0, 10),
    ).rejects.toMatchObject({
      code: 'NoSuchUpload',
    });
    // The upload survives failed completions; it completes once the list is right.
    expect((await c.completeMultipartUpload('steps/c.txt', uploadId, parts)).res.status).toBe(200);
  });

  it('aborts with 204, dropping the parts', async () => {
    const { uploadId } = await upload('steps/d.txt', [100 * 1024]);
    const r = await c.abortMultipartUpload('steps/d.txt', uploadId);
    expect(r.res.status).toBe(204);
    await expect(c.abortMultipartUpload('steps/d.txt', uploadId)).rejects.toMatchObject({
      status: 404,
      code: 'NoSuchUpload',
    });
  });

  it('lists uploads by key and id, with a delimiter and markers', async () => {
    const ids: string[] = [];
    for (const k of ['up/a', 'up/a', 'up/b', 'up/sub/c', 'up/sub/d']) {
      ids.push((await c.initMultipartUpload(k)).uploadId);
    }
    const all = await c.listUploads({ prefix: 'up/' });
    expect(all.uploads.map((u: any) => u.name)).toEqual([
      'up/a',
      'up/a',
      'up/b',
      'up/sub/c',
      'up/sub/d',
    ]);
    expect(all.uploads[0].initiated).toMatch(/\.000Z$/);
    const grouped = await c.listUploads({ prefix: 'up/', delimiter: '/' });
    expect(grouped.uploads.map((u: any) => u.name)).toEqual(['up/a', 'up/a', 'up/b']);
    const first = await c.listUploads({ prefix: 'up/', 'max-uploads': 1 });
    expect(first.isTruncated).toBe(true);
    expect(first.nextKeyMarker).toBe('up/a');
    const next = await c.listUploads({
      prefix: 'up/',
      'key-marker': first.nextKeyMarker,
      'upload-id-marker': first.nextUploadIdMarker,
    });
    expect(next.uploads.map((u: any) => u.name)).toEqual(['up/a', 'up/b', 'up/sub/c', 'up/sub/d']);
    for (const [i, k] of ['up/a', 'up/a', 'up/b', 'up/sub/c', 'up/sub/d'].entries()) {
      await c.abortMultipartUpload(k, ids[i]);
    }
  });

  it('copies a range of an object into a part', async () => {
    const src = randomBytes(300 * 1024);
    await c.put('steps/src.bin', src);
    const { uploadId } = await c.initMultipartUpload('steps/e.bin');
    const p1 = await c.uploadPartCopy('steps/e.bin', uploadId, 1, `0-${200 * 1024 - 1}`, {
      sourceKey: 'steps/src.bin',
      sourceBucketName: BUCKET,
    });
    const p2 = await c.uploadPart('steps/e.bin', uploadId, 2, Buffer.from('tail'), 0, 4);
    await c.completeMultipartUpload('steps/e.bin', uploadId, [
      { number: 1, etag: p1.res.headers.etag },
      { number: 2, etag: p2.etag },
    ]);
    const got = await c.get('steps/e.bin');
    expect(
      got.content.equals(Buffer.concat([src.subarray(0, 200 * 1024), Buffer.from('tail')])),
    ).toBe(true);
  });

  it('a stream read of a file works as a part', async () => {
    const file = join(dir, 'p.bin');
    const data = randomBytes(150 * 1024);
    await writeFile(file, data);
    const { uploadId } = await c.initMultipartUpload('steps/f.bin');
    const r = await c.uploadPart('steps/f.bin', uploadId, 1, file, 0, data.length);
    await c.completeMultipartUpload('steps/f.bin', uploadId, [{ number: 1, etag: r.etag }]);
    const chunks: Buffer[] = [];
    for await (const ch of createReadStream(file)) chunks.push(ch as Buffer);
    expect((await c.get('steps/f.bin')).content.equals(Buffer.concat(chunks))).toBe(true);
  });
});
