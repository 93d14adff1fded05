/**
 * Block Public Access, bucket and account level, with the requests oss2's
 * `put_bucket_public_access_block` / `put_public_access_block` send (ali-oss has no call for it):
 * stored and returned; while on, public ACLs and public bucket policy statements grant nothing and
 * new ones are refused; off again, what was there applies again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';
import { ossClient, type OssClient } from '../../../src/testing/sdk.js';
import { rootOf } from '../../../src/testing/fixtures.js';
import { errorCode, policy, rawOss, type RawResponse } from './helpers.js';

const BUCKET = 'pab-bucket';
let yb: TestServer;
let oss: OssClient;

beforeAll(async () => {
  yb = await startTestServer();
  oss = ossClient(yb, rootOf(yb));
  await oss.putBucket(BUCKET, { acl: 'public-read' });
  await ossClient(yb, rootOf(yb), { bucket: BUCKET }).put('p.txt', Buffer.from('public'));
});
afterAll(async () => {
  await yb?.close();
});

/** oss2 writes Python's `str(True)`. */
const DOC = (on: boolean) =>
  `<PublicAccessBlockConfiguration><BlockPublicAccess>${on ? 'True' : 'False'}</BlockPublicAccess></PublicAccessBlockConfiguration>`;

function pab(method: string, bucket?: string, on?: boolean): Promise<RawResponse> {
  return rawOss(yb, {
    method,
    ...(bucket !== undefined ? { bucket } : {}),
    query: [['publicAccessBlock', null]],
    ...(on !== undefined ? { body: DOC(on), headers: { 'content-type': 'application/xml' } } : {}),
    creds: rootOf(yb),
  });
}

const anonymousRead = () => rawOss(yb, { bucket: BUCKET, key: 'p.txt' });

describe('bucket level', () => {
  it('is false until set; put, get, delete', async () => {
    const none = await pab('GET', BUCKET);
    expect(none.status).toBe(200);
    expect(none.text).toContain('<BlockPublicAccess>false</BlockPublicAccess>');
    expect((await pab('PUT', BUCKET, true)).status).toBe(200);
    expect((await pab('GET', BUCKET)).text).toContain(
      '<BlockPublicAccess>true</BlockPublicAccess>',
    );
    expect((await pab('DELETE', BUCKET)).status).toBe(204);
    expect((await pab('GET', BUCKET)).text).toContain(
      '<BlockPublicAccess>false</BlockPublicAccess>',
    );
  });

  it('while on: the public-read ACL grants nothing and public ACLs are refused; off: it grants again', async () => {
    expect((await anonymousRead()).status).toBe(200);
    await pab('PUT', BUCKET, true);
    const denied = await anonymousRead();
    expect(denied.status).toBe(403);
    expect(errorCode(denied)).toBe('AccessDenied');
    expect(denied.text).toContain('Block Public Access is on');
    await expect(oss.putBucketACL(BUCKET, 'public-read-write')).rejects.toMatchObject({
      status: 403,
      code: 'AccessDenied',
    });
    const b = ossClient(yb, rootOf(yb), { bucket: BUCKET });
    await expect(b.putACL('p.txt', 'public-read')).rejects.toMatchObject({ code: 'AccessDenied' });
    await expect(
      b.put('q.txt', Buffer.from('q'), { headers: { 'x-oss-object-acl': 'public-read' } }),
    ).rejects.toMatchObject({ code: 'AccessDenied' });
    // Private settings stay possible, and the owner reads as ever.
    await b.put('q.txt', Buffer.from('q'), { headers: { 'x-oss-object-acl': 'private' } });
    expect((await b.get('p.txt')).content.toString()).toBe('public');
    await pab('PUT', BUCKET, false);
    expect((await anonymousRead()).status).toBe(200);
  });

  it('while on: a public bucket policy statement grants nothing, and a new one is refused', async () => {
    const PB = 'pab-policy';
    await oss.putBucket(PB);
    const pc = ossClient(yb, rootOf(yb), { bucket: PB });
    await pc.put('doc.txt', Buffer.from('doc'));
    const publicRead = policy([
      {
        Effect: 'Allow',
        Principal: ['*'],
        Action: ['oss:GetObject'],
        Resource: [`acs:oss:*:${yb.accountId}:${PB}/*`],
      },
    ]);
    await pc.putBucketPolicy(PB, JSON.parse(publicRead));
    const read = () => rawOss(yb, { bucket: PB, key: 'doc.txt' });
    expect((await read()).status).toBe(200);
    await pab('PUT', PB, true);
    expect((await read()).status).toBe(403);
    await expect(pc.putBucketPolicy(PB, JSON.parse(publicRead))).rejects.toMatchObject({
      status: 403,
      code: 'AccessDenied',
    });
    // A statement for named principals is not public and is accepted.
    const named = policy([
      {
        Effect: 'Allow',
        Principal: [yb.accountId],
        Action: ['oss:GetObject'],
        Resource: [`acs:oss:*:${yb.accountId}:${PB}/*`],
      },
    ]);
    await pc.putBucketPolicy(PB, JSON.parse(named));
    await pab('DELETE', PB);
  });

  it('refuses a value that is not a boolean', async () => {
    const r = await rawOss(yb, {
      method: 'PUT',
      bucket: BUCKET,
      query: [['publicAccessBlock', null]],
      body: '<PublicAccessBlockConfiguration><BlockPublicAccess>yes</BlockPublicAccess></PublicAccessBlockConfiguration>',
      creds: rootOf(yb),
    });
    expect(r.status).toBe(400);
    expect(errorCode(r)).toBe('InvalidArgument');
  });
});

describe('account level (service endpoint)', () => {
  it('put, get, delete; while on, every bucket of the account is covered', async () => {
    expect((await pab('GET')).text).toContain('<BlockPublicAccess>false</BlockPublicAccess>');
    expect((await pab('PUT', undefined, true)).status).toBe(200);
    expect((await pab('GET')).text).toContain('<BlockPublicAccess>true</BlockPublicAccess>');
    expect((await anonymousRead()).status).toBe(403);
    await expect(oss.putBucket('pab-new', { acl: 'public-read' })).rejects.toMatchObject({
      code: 'AccessDenied',
    });
    expect((await pab('DELETE')).status).toBe(204);
    expect((await anonymousRead()).status).toBe(200);
    await oss.putBucket('pab-new', { acl: 'public-read' });
  });

  it('is refused to anonymous callers', async () => {
    // On the service host name (on a bare `localhost`, an unsigned `/` is an RPC request).
    const r = await rawOss(yb, {
      query: [['publicAccessBlock', null]],
      headers: { host: 'oss-cn-hangzhou.aliyuncs.com' },
    });
    expect(r.status).toBe(403);
    expect(errorCode(r)).toBe('AccessDenied');
  });
});
