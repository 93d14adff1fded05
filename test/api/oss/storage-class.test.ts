/**
 * OSS storage classes through ali-oss: Standard, IA, Archive, ColdArchive and DeepColdArchive on
 * PutObject, CopyObject (a new object, or changing the class in place), multipart uploads,
 * AppendObject (which cannot be ColdArchive or DeepColdArchive), PostObject and the bucket's
 * default; `x-oss-storage-class` on HeadObject and GetObject, `StorageClass` in listings; an
 * unknown class refused with OSS's error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';
import { ossClient } from '../../../src/testing/sdk.js';
import { rootOf } from '../../../src/testing/fixtures.js';
import { errorCode, rawOss } from './helpers.js';

let yb: TestServer;
let oss: any;
const BUCKET = 'class-bucket';
const CLASSES = ['Standard', 'IA', 'Archive', 'ColdArchive', 'DeepColdArchive'];

beforeAll(async () => {
  yb = await startTestServer();
  oss = ossClient(yb, rootOf(yb), { bucket: BUCKET });
  await oss.putBucket(BUCKET);
});
afterAll(async () => {
  await yb?.close();
});

async function failure(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  return undefined;
}

const classOf = async (key: string, client = oss) =>
  (await client.head(key)).res.headers['x-oss-storage-class'];

describe('PutObject', () => {
  it('stores each class; HeadObject, GetObject and listings show it', async () => {
    for (const c of CLASSES) {
      await oss.put(`put/${c}`, Buffer.from(c), { headers: { 'x-oss-storage-class': c } });
      expect(await classOf(`put/${c}`)).toBe(c);
    }
    expect((await oss.get('put/IA')).res.headers['x-oss-storage-class']).toBe('IA');
    const listed = await oss.list({ prefix: 'put/' });
    const v2 = await oss.listV2({ prefix: 'put/' });
    for (const page of [listed, v2]) {
      expect(Object.fromEntries(page.objects.map((o: any) => [o.name, o.storageClass]))).toEqual(
        Object.fromEntries(CLASSES.map((c) => [`put/${c}`, c])),
      );
    }
  });

  it('an unknown class is InvalidArgument, and nothing is stored', async () => {
    const err = await failure(
      oss.put('put/frozen', Buffer.from('x'), { headers: { 'x-oss-storage-class': 'Glacier' } }),
    );
    expect(err).toMatchObject({ status: 400, code: 'InvalidArgument' });
    expect(await failure(oss.head('put/frozen'))).toMatchObject({ status: 404 });
  });

  it('without the header an object takes the bucket’s class (PutBucket StorageClass)', async () => {
    const cold = ossClient(yb, rootOf(yb), { bucket: 'class-cold-bucket' });
    await cold.putBucket('class-cold-bucket', { StorageClass: 'ColdArchive' });
    expect((await cold.getBucketInfo('class-cold-bucket')).bucket.StorageClass).toBe('ColdArchive');
    await cold.put('default', Buffer.from('x'));
    expect(await classOf('default', cold)).toBe('ColdArchive');
    await cold.put('chosen', Buffer.from('x'), { headers: { 'x-oss-storage-class': 'IA' } });
    expect(await classOf('chosen', cold)).toBe('IA');
  });
});

describe('CopyObject', () => {
  it('copies into the class asked for; in place it changes the class and keeps the bytes', async () => {
    await oss.put('copy/src', Buffer.from('bytes'));
    await oss.copy('copy/dst', 'copy/src', {
      headers: { 'x-oss-storage-class': 'DeepColdArchive' },
    });
    expect(await classOf('copy/dst')).toBe('DeepColdArchive');
    await oss.copy('copy/src', 'copy/src', { headers: { 'x-oss-storage-class': 'IA' } });
    expect(await classOf('copy/src')).toBe('IA');
    expect((await oss.get('copy/src')).content.toString()).toBe('bytes');
    const err = await failure(
      oss.copy('copy/bad', 'copy/src', { headers: { 'x-oss-storage-class': 'Cold' } }),
    );
    expect(err).toMatchObject({ status: 400, code: 'InvalidArgument' });
  });
});

describe('multipart upload', () => {
  it('InitiateMultipartUpload’s class shows in ListMultipartUploads and on the completed object', async () => {
    const key = 'multipart/cold';
    const init = await oss.initMultipartUpload(key, {
      headers: { 'x-oss-storage-class': 'ColdArchive' },
    });
    const uploads = await oss.listUploads({ prefix: key });
    // ali-oss's listUploads() leaves StorageClass out of its result: read the XML it got.
    expect(uploads.uploads[0]).toMatchObject({ name: key, uploadId: init.uploadId });
    expect(String(uploads.res.data)).toContain('<StorageClass>ColdArchive</StorageClass>');
    const part = await oss.uploadPart(key, init.uploadId, 1, Buffer.from('part'), 0, 4);
    await oss.completeMultipartUpload(key, init.uploadId, [{ number: 1, etag: part.etag }]);
    expect(await classOf(key)).toBe('ColdArchive');
  });
  it('CompleteMultipartUpload refuses x-oss-storage-class (the class is chosen at initiation)', async () => {
    const key = 'multipart/late-class';
    const init = await oss.initMultipartUpload(key);
    const part = await oss.uploadPart(key, init.uploadId, 1, Buffer.from('part'), 0, 4);
    const body =
      '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber>' +
      `<ETag>${part.etag}</ETag></Part></CompleteMultipartUpload>`;
    const r = await rawOss(yb, {
      method: 'POST',
      bucket: BUCKET,
      key,
      query: [['uploadId', init.uploadId]],
      headers: { 'x-oss-storage-class': 'IA' },
      body,
      creds: rootOf(yb),
    });
    expect([r.status, errorCode(r)]).toEqual([400, 'OperationNotSupported']);
    await oss.completeMultipartUpload(key, init.uploadId, [{ number: 1, etag: part.etag }]);
    expect(await classOf(key)).toBe('Standard');
  });
});

describe('AppendObject', () => {
  it('takes Standard, IA and Archive; ColdArchive and DeepColdArchive are InvalidArgument', async () => {
    for (const c of ['IA', 'Archive']) {
      await oss.append(`append/${c}`, Buffer.from('a'), {
        headers: { 'x-oss-storage-class': c },
      });
      expect(await classOf(`append/${c}`)).toBe(c);
    }
    for (const c of ['ColdArchive', 'DeepColdArchive']) {
      const err = await failure(
        oss.append(`append/${c}`, Buffer.from('a'), { headers: { 'x-oss-storage-class': c } }),
      );
      expect(err).toMatchObject({ status: 400, code: 'InvalidArgument' });
      expect(await failure(oss.head(`append/${c}`))).toMatchObject({ status: 404 });
    }
  });
});

describe('PostObject', () => {
  it('the form’s x-oss-storage-class field sets the class', async () => {
    const p = {
      expiration: new Date(yb.clock.now().getTime() + 600_000).toISOString(),
      conditions: [{ bucket: BUCKET }],
    };
    const s = oss.calculatePostSignature(p);
    const form = new FormData();
    form.append('key', 'post/archived');
    form.append('OSSAccessKeyId', s.OSSAccessKeyId);
    form.append('policy', s.policy);
    form.append('Signature', s.Signature);
    form.append('x-oss-storage-class', 'Archive');
    form.append('file', new Blob([Buffer.from('posted')]), 'f.bin');
    const port = yb.address.slice(yb.address.lastIndexOf(':') + 1);
    const r = await fetch(`http://localhost:${port}/${BUCKET}`, { method: 'POST', body: form });
    expect(r.status).toBe(204);
    expect(await classOf('post/archived')).toBe('Archive');
  });
});
