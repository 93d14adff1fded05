/**
 * Where yunbox answered differently from OSS in features it has (issue 17, "Why"), each with
 * the request a real client sends: anonymous listing of public buckets, PutBucketACL on a bucket
 * that does not exist, OSS's wording of precondition and session-policy denials, bucket
 * policies without Principal, CORS `MaxAgeSeconds` -1 and `ResponseVary`, GetBucketInfo's
 * `ResourceGroupId`, V4 additional headers and wrong regions, and ListLiveChannel.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rootOf } from '../../../src/testing/fixtures.js';
import { ossClient, type OssClient } from '../../../src/testing/sdk.js';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';
import { errorCode, errorField, policy, rawOss, roleSession, userWithPolicy } from './helpers.js';

let yb: TestServer;
let root: OssClient;
const BUCKET = 'wire-fidelity';

beforeAll(async () => {
  yb = await startTestServer();
  root = ossClient(yb, rootOf(yb), { bucket: BUCKET });
  await root.putBucket(BUCKET);
  await root.put('a.txt', Buffer.from('hello'));
});
afterAll(async () => {
  await yb?.close();
});

describe('anonymous ListObjects', () => {
  it('is granted by a public-read or public-read-write bucket ACL, V1 and V2', async () => {
    for (const acl of ['public-read', 'public-read-write']) {
      const name = `anon-list-${acl}`;
      await root.putBucket(name);
      await root.putBucketACL(name, acl);
      await ossClient(yb, rootOf(yb), { bucket: name }).put('k.txt', Buffer.from('k'));
      // What an anonymous client (oss2 AnonymousAuth, a browser) sends: no signature at all.
      const v1 = await rawOss(yb, { bucket: name, query: [['max-keys', '10']] });
      expect(v1.status).toBe(200);
      expect(v1.text).toContain('<Key>k.txt</Key>');
      const v2 = await rawOss(yb, { bucket: name, query: [['list-type', '2']] });
      expect(v2.status).toBe(200);
      expect(v2.text).toContain('<Key>k.txt</Key>');
    }
  });

  it('stays denied on a private bucket', async () => {
    const r = await rawOss(yb, { bucket: BUCKET });
    expect([r.status, errorCode(r)]).toEqual([403, 'AccessDenied']);
  });
});

describe('PutBucketACL on a bucket that does not exist', () => {
  it('creates the bucket with that ACL (ali-oss test/node/bucket.test.js)', async () => {
    const name = 'acl-creates-bucket';
    const put = await root.putBucketACL(name, 'public-read');
    expect(put.res.status).toBe(200);
    expect(put.bucket).toBe(name);
    expect((await root.getBucketACL(name)).acl).toBe('public-read');
    expect((await root.getBucketInfo(name)).bucket.Name).toBe(name);
    const del = await root.deleteBucket(name);
    expect([200, 204]).toContain(del.res.status);
  });

  it('needs oss:PutBucket to create', async () => {
    const user = await userWithPolicy(
      yb,
      policy([{ Effect: 'Allow', Action: 'oss:PutBucketAcl', Resource: 'acs:oss:*:*:*' }]),
    );
    await expect(
      ossClient(yb, user).putBucketACL('acl-no-put-bucket', 'private'),
    ).rejects.toMatchObject({ status: 403, code: 'AccessDenied' });
    await expect(root.getBucketACL('acl-no-put-bucket')).rejects.toMatchObject({
      code: 'NoSuchBucket',
    });
  });
});

describe('messages in OSS’s words', () => {
  it('CopyObject preconditions name If-Match and If-Unmodified-Since', async () => {
    const head = await root.head('a.txt');
    const err = await root
      .copy('copy.txt', 'a.txt', { headers: { 'If-Match': 'foo-bar' } })
      .catch((e: any) => e);
    expect(err).toMatchObject({ name: 'PreconditionFailedError', status: 412 });
    expect(err.message).toBe(
      'At least one of the pre-conditions you specified did not hold. (condition: If-Match)',
    );
    const lastYear = new Date(head.res.headers.date);
    lastYear.setFullYear(lastYear.getFullYear() - 1);
    const err2 = await root
      .copy('copy.txt', 'a.txt', { headers: { 'If-Unmodified-Since': lastYear.toUTCString() } })
      .catch((e: any) => e);
    expect(err2.message).toBe(
      'At least one of the pre-conditions you specified did not hold. (condition: If-Unmodified-Since)',
    );
  });

  it("an STS session policy denial is `Access denied by authorizer's policy.`", async () => {
    // ali-oss test/node/sts.test.js: a session allowed PutObject only, then deleteMulti.
    const sts = await roleSession(
      yb,
      policy([{ Effect: 'Allow', Action: 'oss:*', Resource: '*' }]),
      {
        sessionPolicy: policy([
          { Effect: 'Allow', Action: ['oss:PutObject'], Resource: ['acs:oss:*:*:*'] },
        ]),
      },
    );
    const c = ossClient(yb, sts, { bucket: BUCKET });
    await c.put('sts-put1.js', Buffer.from('1'));
    const err = await c.deleteMulti(['sts-put1.js']).catch((e: any) => e);
    expect(err).toMatchObject({ status: 403, code: 'AccessDenied', ecCode: '0003-00000301' });
    expect(err.message).toBe("Access denied by authorizer's policy.");
    const raw = await rawOss(yb, { bucket: BUCKET, key: 'sts-put1.js', creds: sts });
    expect(errorField(raw, 'Explanation')).toContain('session policy');
  });
});

describe('bucket policy without Principal', () => {
  it('is accepted, returned as put, and applies to everyone as `"*"`', async () => {
    const name = 'policy-no-principal';
    await root.putBucket(name);
    const c = ossClient(yb, rootOf(yb), { bucket: name });
    await c.put('open.txt', Buffer.from('open'));
    // What oss2 tests/test_bucket.py puts: Action, Effect, Resource, no Principal.
    const doc = {
      Version: '1',
      Statement: [
        { Action: ['oss:GetObject'], Effect: 'Allow', Resource: [`acs:oss:*:*:${name}/*`] },
      ],
    };
    expect((await root.putBucketPolicy(name, doc)).status).toBe(200);
    expect((await root.getBucketPolicy(name)).policy).toEqual(doc);
    const anon = await rawOss(yb, { bucket: name, key: 'open.txt' });
    expect([anon.status, anon.text]).toEqual([200, 'open']);
  });
});

describe('CORS', () => {
  it('MaxAgeSeconds -1 is InvalidArgument naming the argument', async () => {
    const err = await root
      .putBucketCORS(BUCKET, [{ allowedOrigin: '*', allowedMethod: 'GET', maxAgeSeconds: -1 }])
      .catch((e: any) => e);
    expect(err).toMatchObject({ status: 400, code: 'InvalidArgument' });
    const raw = await rawOss(yb, {
      method: 'PUT',
      bucket: BUCKET,
      query: [['cors', null]],
      creds: rootOf(yb),
      body:
        '<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin>' +
        '<AllowedMethod>GET</AllowedMethod><MaxAgeSeconds>-1</MaxAgeSeconds></CORSRule>' +
        '</CORSConfiguration>',
    });
    expect([errorField(raw, 'ArgumentName'), errorField(raw, 'ArgumentValue')]).toEqual([
      'MaxAgeSeconds',
      '-1',
    ]);
  });

  it('GetBucketCors answers ResponseVary, false when it was not put', async () => {
    await root.putBucketCORS(BUCKET, [{ allowedOrigin: '*', allowedMethod: 'GET' }]);
    const raw = await rawOss(yb, { bucket: BUCKET, query: [['cors', null]], creds: rootOf(yb) });
    expect(errorField(raw, 'ResponseVary')).toBe('false');
  });
});

describe('GetBucketInfo', () => {
  it('carries ResourceGroupId (the account’s default group)', async () => {
    const info = await root.getBucketInfo(BUCKET);
    expect(info.bucket.ResourceGroupId).toMatch(/^rg-[0-9a-z]+$/);
    const other = await root.putBucket('info-second');
    expect(other.res.status).toBe(200);
    expect((await root.getBucketInfo('info-second')).bucket.ResourceGroupId).toBe(
      info.bucket.ResourceGroupId,
    );
  });
});

describe('V4', () => {
  it('accepts additional signed headers (range, host)', async () => {
    const c = ossClient(yb, rootOf(yb), { bucket: BUCKET, v4: true, style: 'path' });
    const got = await c.get('a.txt', {
      headers: { Range: 'bytes=0-1' },
      additionalHeaders: ['range'],
    });
    expect(got.content.toString()).toBe('he');
    const host = `localhost:${yb.address.slice(yb.address.lastIndexOf(':') + 1)}`;
    const url = await c.signatureUrlV4('GET', 60, { headers: { host } }, 'a.txt', ['host']);
    const res = await fetch(url);
    expect([res.status, await res.text()]).toEqual([200, 'hello']);
  });

  it('a signature for another region is InvalidArgument EC 0002-00000226', async () => {
    const c = ossClient(yb, rootOf(yb), {
      bucket: BUCKET,
      v4: true,
      style: 'path',
      region: 'oss-cn-beijing',
    });
    const err = await c.get('a.txt').catch((e: any) => e);
    // oss2 tests/test_exception_ec.py: the code, EC and message OSS answers.
    expect(err).toMatchObject({ status: 400, code: 'InvalidArgument', ecCode: '0002-00000226' });
    expect(err.message).toBe('Invalid signing region in Authorization header.');
    const head = await c.head('a.txt').catch((e: any) => e);
    expect(head).toMatchObject({ status: 400, code: 'InvalidArgument', ecCode: '0002-00000226' });
  });
});

describe('ListLiveChannel', () => {
  it('answers an empty list (ali-oss listChannels, oss2’s test clean-up)', async () => {
    const r = await root.listChannels();
    expect(r.res.status).toBe(200);
    expect(r.channels).toEqual([]);
    expect(r.isTruncated).toBe(false);
    const raw = await rawOss(yb, {
      bucket: BUCKET,
      query: [
        ['live', null],
        ['max-keys', '100'],
        ['prefix', 'p'],
      ],
      creds: rootOf(yb),
    });
    expect(raw.status).toBe(200);
    expect(raw.text).toContain('<ListLiveChannelResult>');
    expect(errorField(raw, 'Prefix')).toBe('p');
    expect(errorField(raw, 'MaxKeys')).toBe('100');
  });

  it('other live-channel calls are NotImplemented, never an object write', async () => {
    const r = await rawOss(yb, {
      method: 'PUT',
      bucket: BUCKET,
      key: 'channel',
      query: [['live', null]],
      creds: rootOf(yb),
      body: '<LiveChannelConfiguration/>',
    });
    expect(errorCode(r)).toBe('NotImplemented');
    await expect(root.head('channel')).rejects.toMatchObject({ status: 404 });
  });
});
