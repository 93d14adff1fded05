/**
 * Server-side encryption through ali-oss (and the Tea OSS client for the bucket rule):
 * `x-oss-server-side-encryption` stored and echoed on every write and read answer (PutObject,
 * GetObject, HeadObject, GetObjectMeta, CopyObject, AppendObject, the multipart calls, PostObject),
 * the bucket default applied to new objects and shown in GetBucketInfo, and KMS, which yunbox does
 * not have, refused with OSS's `KmsServiceNotEnabled` rather than ignored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';
import { ossClient, type OssClient, teaOssClient, $TeaOss as T } from '../../../src/testing/sdk.js';
import { rootOf } from '../../../src/testing/fixtures.js';
import { errorCode, policy, rawOss, userWithPolicy } from './helpers.js';

const BUCKET = 'sse-bucket';
const SSE = 'x-oss-server-side-encryption';
let yb: TestServer;
let oss: OssClient;

beforeAll(async () => {
  yb = await startTestServer();
  const root = ossClient(yb, rootOf(yb));
  await root.putBucket(BUCKET);
  oss = ossClient(yb, rootOf(yb), { bucket: BUCKET });
});
afterAll(async () => {
  await yb?.close();
});

async function refusal(
  p: Promise<unknown>,
): Promise<{ code: string; status: number; ec?: string }> {
  try {
    await p;
  } catch (e: any) {
    return { code: e.code, status: e.status, ec: e.ecCode };
  }
  throw new Error('expected a refusal');
}

describe('x-oss-server-side-encryption on objects', () => {
  it('PutObject stores AES256 and every read answers it', async () => {
    const put = await oss.put('aes.txt', Buffer.from('secret'), { headers: { [SSE]: 'AES256' } });
    expect(put.res.headers[SSE]).toBe('AES256');
    const got = await oss.get('aes.txt');
    expect(got.content.toString()).toBe('secret');
    expect(got.res.headers[SSE]).toBe('AES256');
    expect((await oss.head('aes.txt')).res.headers[SSE]).toBe('AES256');
    expect((await oss.getObjectMeta('aes.txt')).res.headers[SSE]).toBe('AES256');
    // An object written without it has none.
    await oss.put('plain.txt', Buffer.from('plain'));
    expect((await oss.head('plain.txt')).res.headers[SSE]).toBeUndefined();
  });

  it('SM4 (OSS-managed) is stored too', async () => {
    const put = await oss.put('sm4.txt', Buffer.from('x'), { headers: { [SSE]: 'SM4' } });
    expect(put.res.headers[SSE]).toBe('SM4');
    expect((await oss.head('sm4.txt')).res.headers[SSE]).toBe('SM4');
  });

  it('KMS is refused with KmsServiceNotEnabled, and nothing is stored', async () => {
    const r = await refusal(oss.put('kms.txt', Buffer.from('x'), { headers: { [SSE]: 'KMS' } }));
    expect(r).toEqual({ code: 'KmsServiceNotEnabled', status: 403, ec: '0005-00000218' });
    await expect(oss.head('kms.txt')).rejects.toMatchObject({ status: 404 });
    const raw = await rawOss(yb, {
      method: 'PUT',
      bucket: BUCKET,
      key: 'kms-raw.txt',
      headers: { [SSE]: 'KMS', 'x-oss-server-side-data-encryption': 'SM4' },
      body: 'x',
      creds: rootOf(yb),
    });
    expect(raw.status).toBe(403);
    expect(raw.text).toContain('<EC>0005-00000218</EC>');
  });

  it('an unknown algorithm is InvalidEncryptionAlgorithmError; a KMS-only header alone is InvalidArgument', async () => {
    const r = await refusal(oss.put('bad.txt', Buffer.from('x'), { headers: { [SSE]: 'DES' } }));
    expect(r).toMatchObject({ code: 'InvalidEncryptionAlgorithmError', status: 400 });
    const data = await refusal(
      oss.put('bad.txt', Buffer.from('x'), {
        headers: { [SSE]: 'AES256', 'x-oss-server-side-data-encryption': 'SM4' },
      }),
    );
    expect(data).toMatchObject({ code: 'InvalidArgument', status: 400 });
    const key = await refusal(
      oss.put('bad.txt', Buffer.from('x'), {
        headers: { 'x-oss-server-side-encryption-key-id': 'k' },
      }),
    );
    expect(key).toMatchObject({ code: 'InvalidArgument', status: 400 });
  });

  it('CopyObject encrypts the copy as its request says, not as the source was', async () => {
    const copied = await oss.copy('copy-aes.txt', 'aes.txt');
    expect(copied.res.headers[SSE]).toBeUndefined();
    expect((await oss.head('copy-aes.txt')).res.headers[SSE]).toBeUndefined();
    const again = await oss.copy('copy-sm4.txt', 'plain.txt', { headers: { [SSE]: 'SM4' } });
    expect(again.res.headers[SSE]).toBe('SM4');
    expect((await oss.head('copy-sm4.txt')).res.headers[SSE]).toBe('SM4');
    const r = await refusal(oss.copy('copy-kms.txt', 'plain.txt', { headers: { [SSE]: 'KMS' } }));
    expect(r.code).toBe('KmsServiceNotEnabled');
  });

  it('AppendObject: the first append chooses, later ones echo it', async () => {
    const first = await oss.append('app.log', Buffer.from('a'), { headers: { [SSE]: 'AES256' } });
    expect(first.res.headers[SSE]).toBe('AES256');
    const next = await oss.append('app.log', Buffer.from('b'), {
      position: first.nextAppendPosition,
    });
    expect(next.res.headers[SSE]).toBe('AES256');
    expect((await oss.head('app.log')).res.headers[SSE]).toBe('AES256');
  });

  it('multipart: initiate chooses; parts may not; complete and reads echo it', async () => {
    const init = await oss.initMultipartUpload('mp.bin', { headers: { [SSE]: 'AES256' } });
    expect(init.res.headers[SSE]).toBe('AES256');
    const part = await oss.uploadPart('mp.bin', init.uploadId, 1, Buffer.from('part one'), 0, 8);
    expect(part.res.headers[SSE]).toBe('AES256');
    const refused = await rawOss(yb, {
      method: 'PUT',
      bucket: BUCKET,
      key: 'mp.bin',
      query: [
        ['partNumber', '2'],
        ['uploadId', init.uploadId],
      ],
      headers: { [SSE]: 'AES256' },
      body: 'two',
      creds: rootOf(yb),
    });
    expect(refused.status).toBe(400);
    expect(errorCode(refused)).toBe('InvalidArgument');
    const done = await oss.completeMultipartUpload('mp.bin', init.uploadId, [
      { number: 1, etag: part.etag },
    ]);
    expect(done.res.headers[SSE]).toBe('AES256');
    const got = await oss.get('mp.bin');
    expect(got.content.toString()).toBe('part one');
    expect(got.res.headers[SSE]).toBe('AES256');
  });
});

describe('bucket default encryption', () => {
  const DEF = 'sse-default';
  let b: OssClient;
  beforeAll(async () => {
    await ossClient(yb, rootOf(yb)).putBucket(DEF);
    b = ossClient(yb, rootOf(yb), { bucket: DEF });
  });

  it('GetBucketEncryption without a rule is NoSuchServerSideEncryptionRule', async () => {
    const r = await refusal(b.getBucketEncryption(DEF));
    expect(r).toMatchObject({ code: 'NoSuchServerSideEncryptionRule', status: 404 });
    const info = (await b.getBucketInfo(DEF)).bucket;
    expect(info.ServerSideEncryptionRule).toEqual({ SSEAlgorithm: 'None' });
  });

  it('put, get (and in GetBucketInfo), applied to new objects, delete (ali-oss)', async () => {
    const put = await b.putBucketEncryption(DEF, { SSEAlgorithm: 'AES256' });
    expect(put.status).toBe(200);
    const got = await b.getBucketEncryption(DEF);
    expect(got.encryption).toEqual({ SSEAlgorithm: 'AES256' });
    expect((await b.getBucketInfo(DEF)).bucket.ServerSideEncryptionRule).toEqual({
      SSEAlgorithm: 'AES256',
    });
    const obj = await b.put('by-default.txt', Buffer.from('d'));
    expect(obj.res.headers[SSE]).toBe('AES256');
    expect((await b.head('by-default.txt')).res.headers[SSE]).toBe('AES256');
    // The request's own choice wins over the default.
    const own = await b.put('own.txt', Buffer.from('o'), { headers: { [SSE]: 'SM4' } });
    expect(own.res.headers[SSE]).toBe('SM4');
    const init = await b.initMultipartUpload('mp-default.bin');
    expect(init.res.headers[SSE]).toBe('AES256');
    const del = await b.deleteBucketEncryption(DEF);
    expect(del.status).toBe(204);
    expect((await b.put('after.txt', Buffer.from('a'))).res.headers[SSE]).toBeUndefined();
    // The object written under the default keeps it.
    expect((await b.head('by-default.txt')).res.headers[SSE]).toBe('AES256');
  });

  it('KMS as the default is refused (no KMS), KMSMasterKeyID with AES256 is InvalidArgument, an unknown algorithm is InvalidEncryptionAlgorithmError', async () => {
    const kms = await refusal(
      b.putBucketEncryption(DEF, { SSEAlgorithm: 'KMS', KMSMasterKeyID: 'key-1' }),
    );
    expect(kms).toMatchObject({ code: 'KmsServiceNotEnabled', status: 403 });
    const key = await refusal(
      b.putBucketEncryption(DEF, { SSEAlgorithm: 'AES256', KMSMasterKeyID: 'key-1' }),
    );
    expect(key).toMatchObject({ code: 'InvalidArgument', status: 400 });
    const alg = await refusal(b.putBucketEncryption(DEF, { SSEAlgorithm: 'random' }));
    expect(alg).toMatchObject({ code: 'InvalidEncryptionAlgorithmError', status: 400 });
    const none = await refusal(b.getBucketEncryption(DEF));
    expect(none.code).toBe('NoSuchServerSideEncryptionRule');
  });

  it('the Tea OSS client puts (its own document shape), gets and deletes the rule', async () => {
    const tea = teaOssClient(yb, yb.root);
    // The client sends <ApplyServerSideEncryptionByDefault> as the document root, and then
    // fails to parse the empty 200 answer as XML (it would on OSS too); the rule is stored.
    await tea
      .putBucketEncryption(
        DEF,
        new T.PutBucketEncryptionRequest({
          serverSideEncryptionRule: new T.ServerSideEncryptionRule({
            applyServerSideEncryptionByDefault: new T.ApplyServerSideEncryptionByDefault({
              SSEAlgorithm: 'SM4',
            }),
          }),
        }),
      )
      .catch(() => {});
    const got = await tea.getBucketEncryption(DEF);
    expect(got.body.applyServerSideEncryptionByDefault.SSEAlgorithm).toBe('SM4');
    await tea.deleteBucketEncryption(DEF);
    await expect(tea.getBucketEncryption(DEF)).rejects.toMatchObject({
      code: 'NoSuchServerSideEncryptionRule',
    });
  });

  it('is authorised as oss:PutBucketEncryption / oss:GetBucketEncryption', async () => {
    const user = await userWithPolicy(
      yb,
      policy([
        {
          Effect: 'Allow',
          Action: ['oss:GetBucketEncryption'],
          Resource: [`acs:oss:*:*:${DEF}`],
        },
      ]),
    );
    const u = ossClient(yb, user);
    await b.putBucketEncryption(DEF, { SSEAlgorithm: 'AES256' });
    expect((await u.getBucketEncryption(DEF)).encryption).toEqual({ SSEAlgorithm: 'AES256' });
    await expect(u.putBucketEncryption(DEF, { SSEAlgorithm: 'SM4' })).rejects.toMatchObject({
      status: 403,
      code: 'AccessDenied',
    });
    await expect(u.deleteBucketEncryption(DEF)).rejects.toMatchObject({ code: 'AccessDenied' });
    await b.deleteBucketEncryption(DEF);
  });

  it('refuses documents that are not a ServerSideEncryptionRule, and oversized ones', async () => {
    const put = (body: string) =>
      rawOss(yb, {
        method: 'PUT',
        bucket: DEF,
        query: [['encryption', null]],
        headers: { 'content-type': 'application/xml' },
        body,
        creds: rootOf(yb),
      });
    expect(errorCode(await put('not xml'))).toBe('MalformedXML');
    expect(errorCode(await put('<ServerSideEncryptionRule/>'))).toBe('MalformedXML');
    expect(errorCode(await put('<Other><SSEAlgorithm>AES256</SSEAlgorithm></Other>'))).toBe(
      'MalformedXML',
    );
    const big = await put(
      `<ServerSideEncryptionRule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm><KMSMasterKeyID>${'k'.repeat(20_000)}</KMSMasterKeyID></ApplyServerSideEncryptionByDefault></ServerSideEncryptionRule>`,
    );
    expect(big.status).toBe(400);
    expect(errorCode(big)).toBe('EntityTooLarge');
    await expect(b.getBucketEncryption(DEF)).rejects.toMatchObject({
      code: 'NoSuchServerSideEncryptionRule',
    });
  });
});
