/**
 * Requester pays through ali-oss (putBucketRequestPayment, getBucketRequestPayment, the
 * `isRequestPay` client option that sends `x-oss-request-payer: requester`) and the Tea OSS client
 * (GetBucketRequestPayment): the owning account needs nothing, anonymous callers are refused even
 * where the ACL is public, and callers from another account must acknowledge the charge, in a
 * header when they sign in the header and in the URL when they presign.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';
import { ossClient, type OssClient, teaOssClient } from '../../../src/testing/sdk.js';
import { rootOf } from '../../../src/testing/fixtures.js';
import { errorCode, policy, rawOss } from './helpers.js';

const OWN = 'payer-own';
const THEIRS = 'payer-theirs';
const OTHER_ACCOUNT = '9999999999999998';
let yb: TestServer;
let oss: OssClient;

beforeAll(async () => {
  yb = await startTestServer();
  oss = ossClient(yb, rootOf(yb));
  await oss.putBucket(OWN, { acl: 'public-read' });
  // A bucket of another account whose policy lets this account's root read and write it.
  await yb.oss.store.createBucket(
    {
      name: THEIRS,
      accountId: OTHER_ACCOUNT,
      region: 'cn-hangzhou',
      acl: 'private',
      storageClass: 'Standard',
      redundancy: 'LRS',
      createdAt: Date.now(),
      policy: policy([
        {
          Effect: 'Allow',
          Principal: [yb.accountId],
          Action: ['oss:GetObject', 'oss:PutObject'],
          Resource: [`acs:oss:*:${OTHER_ACCOUNT}:${THEIRS}/*`],
        },
      ]),
    },
    100,
  );
  await yb.oss.store.updateBucket(THEIRS, { requestPayer: 'Requester' });
});
afterAll(async () => {
  await yb?.close();
});

describe('Put/GetBucketRequestPayment', () => {
  it('BucketOwner by default; ali-oss sets Requester; the Tea client reads it', async () => {
    expect((await oss.getBucketRequestPayment(OWN)).payer).toBe('BucketOwner');
    await oss.putBucketRequestPayment(OWN, 'Requester');
    expect((await oss.getBucketRequestPayment(OWN)).payer).toBe('Requester');
    const tea = teaOssClient(yb, yb.root);
    expect((await tea.getBucketRequestPayment(OWN)).body.payer).toBe('Requester');
  });

  it('refuses a Payer other than BucketOwner or Requester', async () => {
    const r = await rawOss(yb, {
      method: 'PUT',
      bucket: OWN,
      query: [['requestPayment', null]],
      body: '<RequestPaymentConfiguration><Payer>requester</Payer></RequestPaymentConfiguration>',
      creds: rootOf(yb),
    });
    expect(r.status).toBe(400);
    expect(errorCode(r)).toBe('InvalidArgument');
    const m = await rawOss(yb, {
      method: 'PUT',
      bucket: OWN,
      query: [['requestPayment', null]],
      body: '<RequestPaymentConfiguration/>',
      creds: rootOf(yb),
    });
    expect(errorCode(m)).toBe('MalformedXML');
  });
});

describe('enforcement', () => {
  it('the owner needs no header; anonymous callers are refused although the ACL is public', async () => {
    const own = ossClient(yb, rootOf(yb), { bucket: OWN });
    await own.put('o.txt', Buffer.from('own'));
    expect((await own.get('o.txt')).content.toString()).toBe('own');
    const anon = await rawOss(yb, { bucket: OWN, key: 'o.txt' });
    expect(anon.status).toBe(403);
    expect(errorCode(anon)).toBe('AccessDenied');
    expect(anon.text).toContain('<EC>0003-00000701</EC>');
    await oss.putBucketRequestPayment(OWN, 'BucketOwner');
    expect((await rawOss(yb, { bucket: OWN, key: 'o.txt' })).status).toBe(200);
  });

  it('another account must send x-oss-request-payer: requester (ali-oss isRequestPay)', async () => {
    const plain = ossClient(yb, rootOf(yb), { bucket: THEIRS });
    await expect(plain.put('x.txt', Buffer.from('x'))).rejects.toMatchObject({
      status: 403,
      code: 'AccessDenied',
      ecCode: '0003-00000703',
    });
    const payer = ossClient(yb, rootOf(yb), { bucket: THEIRS, extra: { isRequestPay: true } });
    await payer.put('x.txt', Buffer.from('paid'));
    expect((await payer.get('x.txt')).content.toString()).toBe('paid');
  });

  it('a presigned URL carries it as a query parameter', async () => {
    const c = ossClient(yb, rootOf(yb), { bucket: THEIRS, style: 'path' });
    const without = new URL(c.signatureUrl('x.txt', { expires: 300 }));
    const r = await rawOss(yb, { rawPath: without.pathname, query: [...without.searchParams] });
    expect(r.status).toBe(403);
    expect(r.text).toContain('<EC>0003-00000702</EC>');
    const paid = new URL(
      c.signatureUrl('x.txt', {
        expires: 300,
        subResource: { 'x-oss-request-payer': 'requester' },
      }),
    );
    const ok = await rawOss(yb, { rawPath: paid.pathname, query: [...paid.searchParams] });
    expect(ok.status).toBe(200);
    expect(ok.text).toBe('paid');
  });
});
