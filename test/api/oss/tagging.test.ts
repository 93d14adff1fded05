/**
 * Object and bucket tags through ali-oss (put/get/deleteObjectTagging, put/get/deleteBucketTags,
 * listBuckets by tag) and raw V1 requests for what ali-oss cannot send (`x-oss-tagging` on
 * writes, `x-oss-tagging-directive`, bodies its client-side checks would refuse), with OSS's
 * errors; RAM's `oss:*Tagging` actions decide; and 501 for sub-resources yunbox does not serve.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';
import { ossClient, type OssClient } from '../../../src/testing/sdk.js';
import { rootOf } from '../../../src/testing/fixtures.js';
import { errorCode, policy, rawOss, userWithPolicy } from './helpers.js';

const BUCKET = 'tag-bucket';
let yb: TestServer;
let c: OssClient;

const root = () => rootOf(yb);

function taggingXml(tags: Array<[string, string]>): string {
  const inner = tags.map(([k, v]) => `<Tag><Key>${k}</Key><Value>${v}</Value></Tag>`).join('');
  return `<Tagging><TagSet>${inner}</TagSet></Tagging>`;
}

beforeAll(async () => {
  yb = await startTestServer();
  c = ossClient(yb, root(), { bucket: BUCKET });
  await c.putBucket(BUCKET);
});
afterAll(async () => {
  await yb?.close();
});

describe('object tags', () => {
  it('puts, gets, replaces and deletes the tags of an object', async () => {
    await c.put('t.txt', Buffer.from('x'));
    expect((await c.getObjectTagging('t.txt')).tag).toEqual({});
    expect((await c.putObjectTagging('t.txt', { a: '1', b: '2' })).status).toBe(200);
    expect((await c.getObjectTagging('t.txt')).tag).toEqual({ a: '1', b: '2' });
    const head = await c.head('t.txt');
    expect(head.res.headers['x-oss-tagging-count']).toBe('2');
    await c.putObjectTagging('t.txt', { a: '1' });
    expect((await c.getObjectTagging('t.txt')).tag).toEqual({ a: '1' });
    expect((await c.deleteObjectTagging('t.txt')).status).toBe(204);
    expect((await c.getObjectTagging('t.txt')).tag).toEqual({});
    expect((await c.head('t.txt')).res.headers['x-oss-tagging-count']).toBeUndefined();
  });

  it('a missing object is NoSuchKey; a versionId other than null NoSuchVersion', async () => {
    await expect(c.getObjectTagging('absent.txt')).rejects.toMatchObject({ code: 'NoSuchKey' });
    await c.put('v.txt', Buffer.from('x'));
    await expect(c.getObjectTagging('v.txt', { versionId: 'CAEQ' })).rejects.toMatchObject({
      code: 'NoSuchVersion',
      status: 404,
    });
    expect((await c.getObjectTagging('v.txt', { versionId: 'null' })).tag).toEqual({});
  });

  it('refuses tags OSS refuses, with InvalidTag', async () => {
    await c.put('bad.txt', Buffer.from('x'));
    const put = (tags: Array<[string, string]>) =>
      rawOss(yb, {
        method: 'PUT',
        bucket: BUCKET,
        key: 'bad.txt',
        query: [['tagging', null]],
        body: taggingXml(tags),
        creds: root(),
      });
    const eleven = Array.from({ length: 11 }, (_, i): [string, string] => [`k${i}`, 'v']);
    for (const tags of [
      eleven,
      [['a'.repeat(129), 'v']],
      [['k', 'v'.repeat(257)]],
      [['%@abc', 'v']],
      [['k', '%abc']],
      [['', 'v']],
      [
        ['dup', '1'],
        ['dup', '2'],
      ],
    ] as Array<Array<[string, string]>>) {
      const r = await put(tags);
      expect(r.status).toBe(400);
      expect(errorCode(r)).toBe('InvalidTag');
    }
    // The limits themselves, and letters of any script, are fine.
    const ok = await put([
      ['a'.repeat(128), 'v'.repeat(256)],
      ['+-.: =/_', '中文'],
    ]);
    expect(ok.status).toBe(200);
    expect((await c.getObjectTagging('bad.txt')).tag).toEqual({
      ['a'.repeat(128)]: 'v'.repeat(256),
      '+-.: =/_': '中文',
    });
    const malformed = await rawOss(yb, {
      method: 'PUT',
      bucket: BUCKET,
      key: 'bad.txt',
      query: [['tagging', null]],
      body: '<Tagging><TagSet><Tag>',
      creds: root(),
    });
    expect(errorCode(malformed)).toBe('MalformedXML');
  });

  it('x-oss-tagging tags PutObject, AppendObject (first append) and multipart uploads', async () => {
    const put = await rawOss(yb, {
      method: 'PUT',
      bucket: BUCKET,
      key: 'h.txt',
      headers: { 'x-oss-tagging': 'k1=v1&k2=v2&k3' },
      body: 'hello',
      creds: root(),
    });
    expect(put.status).toBe(200);
    expect((await c.getObjectTagging('h.txt')).tag).toEqual({ k1: 'v1', k2: 'v2', k3: '' });
    const got = await c.get('h.txt');
    expect(got.res.headers['x-oss-tagging-count']).toBe('3');
    // URL-encoded keys and values.
    const enc = await rawOss(yb, {
      method: 'PUT',
      bucket: BUCKET,
      key: 'enc.txt',
      headers: { 'x-oss-tagging': `${encodeURIComponent(' +/ ')}=${encodeURIComponent('中文')}` },
      body: 'x',
      creds: root(),
    });
    expect(enc.status).toBe(200);
    expect((await c.getObjectTagging('enc.txt')).tag).toEqual({ ' +/ ': '中文' });
    const bad = await rawOss(yb, {
      method: 'PUT',
      bucket: BUCKET,
      key: 'bad-h.txt',
      headers: { 'x-oss-tagging': 'aa=bb=cc' },
      body: 'x',
      creds: root(),
    });
    expect(bad.status).toBe(400);
    expect(errorCode(bad)).toBe('InvalidArgument');
    await expect(c.head('bad-h.txt')).rejects.toMatchObject({ status: 404 });

    const app = await rawOss(yb, {
      method: 'POST',
      bucket: BUCKET,
      key: 'app.txt',
      query: [
        ['append', null],
        ['position', '0'],
      ],
      headers: { 'x-oss-tagging': 'a=1' },
      body: 'ab',
      creds: root(),
    });
    expect(app.status).toBe(200);
    expect((await c.getObjectTagging('app.txt')).tag).toEqual({ a: '1' });

    const init = await rawOss(yb, {
      method: 'POST',
      bucket: BUCKET,
      key: 'mp.bin',
      query: [['uploads', null]],
      headers: { 'x-oss-tagging': 'm=1' },
      creds: root(),
    });
    const uploadId = /<UploadId>([^<]+)</.exec(init.text)![1]!;
    const part = await c.uploadPart('mp.bin', uploadId, 1, Buffer.from('part'), 0, 4);
    await c.completeMultipartUpload('mp.bin', uploadId, [{ number: 1, etag: part.etag }]);
    expect((await c.getObjectTagging('mp.bin')).tag).toEqual({ m: '1' });
  });

  it('PostObject takes x-oss-tagging as a form field', async () => {
    const p = {
      expiration: new Date(yb.clock.now().getTime() + 600_000).toISOString(),
      conditions: [{ bucket: BUCKET }, ['starts-with', '$key', 'forms/']],
    };
    const s = c.calculatePostSignature(p);
    const form = new FormData();
    for (const [k, v] of Object.entries({
      key: 'forms/tagged.txt',
      OSSAccessKeyId: s.OSSAccessKeyId,
      policy: s.policy,
      Signature: s.Signature,
      'x-oss-tagging': 'src=form&n=1',
    })) {
      form.append(k, v);
    }
    form.append('file', new Blob([Buffer.from('form')]), 'f.txt');
    const port = yb.address.slice(yb.address.lastIndexOf(':') + 1);
    const r = await fetch(`http://localhost:${port}/${BUCKET}`, { method: 'POST', body: form });
    expect(r.status).toBe(204);
    expect((await c.getObjectTagging('forms/tagged.txt')).tag).toEqual({ src: 'form', n: '1' });
  });

  it('CopyObject copies tags by default and replaces them with x-oss-tagging-directive: Replace', async () => {
    await rawOss(yb, {
      method: 'PUT',
      bucket: BUCKET,
      key: 'src.txt',
      headers: { 'x-oss-tagging': 'k1=v1&k2=v2' },
      body: 'src',
      creds: root(),
    });
    await c.copy('copy1.txt', 'src.txt');
    expect((await c.getObjectTagging('copy1.txt')).tag).toEqual({ k1: 'v1', k2: 'v2' });
    const copy = (key: string, headers: Record<string, string>) =>
      rawOss(yb, {
        method: 'PUT',
        bucket: BUCKET,
        key,
        headers: { 'x-oss-copy-source': `/${BUCKET}/src.txt`, ...headers },
        creds: root(),
      });
    expect(
      (await copy('copy2.txt', { 'x-oss-tagging-directive': 'Replace', 'x-oss-tagging': 'n=1' }))
        .status,
    ).toBe(200);
    expect((await c.getObjectTagging('copy2.txt')).tag).toEqual({ n: '1' });
    await copy('copy3.txt', { 'x-oss-tagging-directive': 'REPLACE' });
    expect((await c.getObjectTagging('copy3.txt')).tag).toEqual({});
    // Onto itself: the tags are rewritten in place.
    await copy('src.txt', { 'x-oss-tagging-directive': 'Replace', 'x-oss-tagging': 's=1' });
    expect((await c.getObjectTagging('src.txt')).tag).toEqual({ s: '1' });
    const bad = await copy('copy4.txt', { 'x-oss-tagging-directive': 'Merge' });
    expect(errorCode(bad)).toBe('InvalidArgument');
  });

  it('overwriting or deleting an object drops its tags', async () => {
    await c.put('gone.txt', Buffer.from('x'));
    await c.putObjectTagging('gone.txt', { a: '1' });
    await c.put('gone.txt', Buffer.from('y'));
    expect((await c.getObjectTagging('gone.txt')).tag).toEqual({});
    await c.putObjectTagging('gone.txt', { a: '1' });
    await c.delete('gone.txt');
    await c.put('gone.txt', Buffer.from('z'));
    expect((await c.getObjectTagging('gone.txt')).tag).toEqual({});
  });

  it('RAM decides with oss:PutObjectTagging, oss:GetObjectTagging and oss:DeleteObjectTagging', async () => {
    await c.put('ram.txt', Buffer.from('x'));
    const user = await userWithPolicy(
      yb,
      policy([
        {
          Effect: 'Allow',
          Action: ['oss:GetObjectTagging', 'oss:PutObject'],
          Resource: [`acs:oss:*:*:${BUCKET}/*`],
        },
      ]),
    );
    const u = ossClient(yb, user, { bucket: BUCKET });
    expect((await u.getObjectTagging('ram.txt')).tag).toEqual({});
    await expect(u.putObjectTagging('ram.txt', { a: '1' })).rejects.toMatchObject({
      code: 'AccessDenied',
    });
    await expect(u.deleteObjectTagging('ram.txt')).rejects.toMatchObject({ code: 'AccessDenied' });
    // Tagging on upload needs oss:PutObjectTagging too; without it the write is refused whole.
    const r = await rawOss(yb, {
      method: 'PUT',
      bucket: BUCKET,
      key: 'ram2.txt',
      headers: { 'x-oss-tagging': 'a=1' },
      body: 'x',
      creds: user,
    });
    expect(errorCode(r)).toBe('AccessDenied');
    expect((await u.put('ram2.txt', Buffer.from('x'))).res.status).toBe(200);
  });
});

describe('tags of versions', () => {
  it('tags each version on its own, and a versionId needs the *VersionTagging action too', async () => {
    const name = 'tag-versions';
    const v = ossClient(yb, root(), { bucket: name });
    await v.putBucket(name);
    await v.putBucketVersioning(name, 'Enabled');
    const v1 = (await v.put('k', Buffer.from('one'))).res.headers['x-oss-version-id'] as string;
    const v2 = (await v.put('k', Buffer.from('two'))).res.headers['x-oss-version-id'] as string;
    await v.putObjectTagging('k', { old: 'yes' }, { versionId: v1 });
    await v.putObjectTagging('k', { cur: 'yes' });
    expect((await v.getObjectTagging('k', { versionId: v1 })).tag).toEqual({ old: 'yes' });
    expect((await v.getObjectTagging('k', { versionId: v2 })).tag).toEqual({ cur: 'yes' });
    expect((await v.head('k', { versionId: v1 })).res.headers['x-oss-tagging-count']).toBe('1');
    await v.deleteObjectTagging('k', { versionId: v1 });
    expect((await v.getObjectTagging('k', { versionId: v1 })).tag).toEqual({});
    expect((await v.getObjectTagging('k')).tag).toEqual({ cur: 'yes' });
    // Allowed the plain tagging actions only: the current version yes, a named one no.
    const creds = await userWithPolicy(
      yb,
      policy([
        {
          Effect: 'Allow',
          Action: ['oss:GetObjectTagging', 'oss:PutObjectTagging'],
          Resource: [`acs:oss:*:*:${name}/*`],
        },
      ]),
    );
    const u = ossClient(yb, creds, { bucket: name });
    expect((await u.getObjectTagging('k')).tag).toEqual({ cur: 'yes' });
    for (const call of [
      () => u.getObjectTagging('k', { versionId: v1 }),
      () => u.putObjectTagging('k', { a: 'b' }, { versionId: v1 }),
    ]) {
      const err: any = await call().then(
        () => undefined,
        (e: any) => e,
      );
      expect(err?.code).toBe('AccessDenied');
    }
  });
});

describe('tag condition keys', () => {
  it('oss:ExistingObjectTag/<key> decides reads; oss:RequestObjectTag/<key> decides tagging', async () => {
    await rawOss(yb, {
      method: 'PUT',
      bucket: BUCKET,
      key: 'cond/open.txt',
      headers: { 'x-oss-tagging': 'level=public' },
      body: 'open',
      creds: root(),
    });
    await c.put('cond/closed.txt', Buffer.from('closed'));
    const user = await userWithPolicy(
      yb,
      policy([
        {
          Effect: 'Allow',
          Action: ['oss:GetObject'],
          Resource: [`acs:oss:*:*:${BUCKET}/cond/*`],
          Condition: { StringEquals: { 'oss:ExistingObjectTag/level': 'public' } },
        },
        {
          Effect: 'Allow',
          Action: ['oss:PutObjectTagging', 'oss:PutObject'],
          Resource: [`acs:oss:*:*:${BUCKET}/cond/*`],
          Condition: { StringEquals: { 'oss:RequestObjectTag/team': 'blue' } },
        },
      ]),
    );
    const u = ossClient(yb, user, { bucket: BUCKET });
    expect((await u.get('cond/open.txt')).content.toString()).toBe('open');
    await expect(u.get('cond/closed.txt')).rejects.toMatchObject({ code: 'AccessDenied' });
    await expect(u.head('cond/closed.txt')).rejects.toMatchObject({ status: 403 });
    expect((await u.putObjectTagging('cond/closed.txt', { team: 'blue' })).status).toBe(200);
    await expect(u.putObjectTagging('cond/closed.txt', { team: 'red' })).rejects.toMatchObject({
      code: 'AccessDenied',
    });
    const put = (tagging: string) =>
      rawOss(yb, {
        method: 'PUT',
        bucket: BUCKET,
        key: 'cond/new.txt',
        headers: { 'x-oss-tagging': tagging },
        body: 'x',
        creds: user,
      });
    expect((await put('team=blue')).status).toBe(200);
    expect(errorCode(await put('team=red'))).toBe('AccessDenied');
  });

  it('oss:BucketTag/<key> decides by the bucket’s tags, in RAM and bucket policies', async () => {
    const prod = ossClient(yb, root(), { bucket: 'tag-cond-prod' });
    const dev = ossClient(yb, root(), { bucket: 'tag-cond-dev' });
    await prod.putBucket('tag-cond-prod');
    await dev.putBucket('tag-cond-dev');
    await prod.putBucketTags('tag-cond-prod', { env: 'prod' });
    await dev.putBucketTags('tag-cond-dev', { env: 'dev' });
    await prod.put('k.txt', Buffer.from('prod data'));
    await dev.put('k.txt', Buffer.from('dev data'));
    const user = await userWithPolicy(
      yb,
      policy([
        {
          Effect: 'Allow',
          Action: ['oss:GetObject', 'oss:PutObject'],
          Resource: ['acs:oss:*:*:*'],
          Condition: { StringEquals: { 'oss:BucketTag/env': 'prod' } },
        },
      ]),
    );
    const asUser = (bucket: string) => ossClient(yb, user, { bucket });
    expect((await asUser('tag-cond-prod').get('k.txt')).content.toString()).toBe('prod data');
    await asUser('tag-cond-prod').put('u.txt', Buffer.from('by the user'));
    await expect(asUser('tag-cond-dev').get('k.txt')).rejects.toMatchObject({
      code: 'AccessDenied',
      status: 403,
    });
    await expect(asUser('tag-cond-dev').put('u.txt', Buffer.from('no'))).rejects.toMatchObject({
      code: 'AccessDenied',
    });
    // The tags are read as the request finds them: retagged, the bucket changes hands.
    await dev.putBucketTags('tag-cond-dev', { env: 'prod' });
    expect((await asUser('tag-cond-dev').get('k.txt')).content.toString()).toBe('dev data');
    // A bucket policy denying by the bucket's own tag.
    await prod.putBucketPolicy('tag-cond-prod', {
      Version: '1',
      Statement: [
        {
          Effect: 'Deny',
          Action: ['oss:GetObject'],
          Principal: ['*'],
          Resource: ['acs:oss:*:*:tag-cond-prod/*'],
          Condition: { StringEquals: { 'oss:BucketTag/env': 'prod' } },
        },
      ],
    });
    await expect(asUser('tag-cond-prod').get('k.txt')).rejects.toMatchObject({
      code: 'AccessDenied',
    });
    await prod.putBucketTags('tag-cond-prod', { env: 'frozen' });
    // No longer denied by the bucket policy; no longer allowed by the RAM policy either.
    const denied = await asUser('tag-cond-prod')
      .get('k.txt')
      .catch((e: any) => e);
    expect(denied.code).toBe('AccessDenied');
    expect(denied.message).toBe('You have no right to access this object.');
  });
});

describe('bucket tags', () => {
  it('puts, gets, replaces and deletes the tags of a bucket', async () => {
    expect((await c.getBucketTags(BUCKET)).tag).toEqual({});
    await c.putBucketTags(BUCKET, { a: '1', b: '2' });
    expect((await c.getBucketTags(BUCKET)).tag).toEqual({ a: '1', b: '2' });
    await c.putBucketTags(BUCKET, { a: '1' });
    expect((await c.getBucketTags(BUCKET)).tag).toEqual({ a: '1' });
    expect((await c.deleteBucketTags(BUCKET)).status).toBe(204);
    expect((await c.getBucketTags(BUCKET)).tag).toEqual({});
  });

  it('deletes only the keys of ?tagging=k1,k2', async () => {
    await c.putBucketTags(BUCKET, { a: '1', b: '2', c: '3' });
    const r = await rawOss(yb, {
      method: 'DELETE',
      bucket: BUCKET,
      query: [['tagging', 'a,c']],
      creds: root(),
    });
    expect(r.status).toBe(204);
    expect((await c.getBucketTags(BUCKET)).tag).toEqual({ b: '2' });
    await c.deleteBucketTags(BUCKET);
  });

  it('refuses tags OSS refuses, with InvalidTag', async () => {
    const put = (tags: Array<[string, string]>) =>
      rawOss(yb, {
        method: 'PUT',
        bucket: BUCKET,
        query: [['tagging', null]],
        body: taggingXml(tags),
        creds: root(),
      });
    const many = Array.from({ length: 21 }, (_, i): [string, string] => [`k${i}`, 'v']);
    for (const tags of [
      many,
      [['a'.repeat(65), 'v']],
      [['k', 'v'.repeat(129)]],
      [['Aliyun-x', 'v']],
      [['http://x', 'v']],
      [
        ['d', '1'],
        ['d', '2'],
      ],
    ] as Array<Array<[string, string]>>) {
      const r = await put(tags);
      expect(r.status).toBe(400);
      expect(errorCode(r)).toBe('InvalidTag');
    }
    // Bucket tags take characters object tags do not (oss2's test_bucket_tagging).
    expect((await put([['%@abc', '++123%']])).status).toBe(200);
    await c.deleteBucketTags(BUCKET);
  });

  it('ListBuckets filters by tag-key/tag-value and by ali-oss’s tagging form', async () => {
    await c.putBucket('tag-list-0');
    await c.putBucket('tag-list-1');
    await c.putBucketTags('tag-list-0', { a: '1', b: '2' });
    await c.putBucketTags('tag-list-1', { a: '2' });
    const { buckets } = await c.listBuckets({
      prefix: 'tag-list-',
      subres: { tagging: '"a":"1","b":"2"' },
    } as any);
    expect(buckets!.map((b: any) => b.name)).toEqual(['tag-list-0']);
    expect((buckets![0] as any).tag).toEqual({ a: '1', b: '2' });
    const byKey = await c.listBuckets({ prefix: 'tag-list-', 'tag-key': 'a' } as any);
    expect(byKey.buckets!.map((b: any) => b.name)).toEqual(['tag-list-0', 'tag-list-1']);
    const byValue = await c.listBuckets({
      prefix: 'tag-list-',
      'tag-key': 'a',
      'tag-value': '2',
    } as any);
    expect(byValue.buckets!.map((b: any) => b.name)).toEqual(['tag-list-1']);
    // Deleting a bucket forgets its tags.
    await c.deleteBucket('tag-list-1');
    await c.putBucket('tag-list-1');
    expect((await c.getBucketTags('tag-list-1')).tag).toEqual({});
  });

  it('RAM decides with oss:PutBucketTagging, oss:GetBucketTagging, oss:DeleteBucketTagging', async () => {
    const user = await userWithPolicy(
      yb,
      policy([
        { Effect: 'Allow', Action: ['oss:GetBucketTagging'], Resource: [`acs:oss:*:*:${BUCKET}`] },
      ]),
    );
    const u = ossClient(yb, user, { bucket: BUCKET });
    expect((await u.getBucketTags(BUCKET)).tag).toEqual({});
    await expect(u.putBucketTags(BUCKET, { a: '1' })).rejects.toMatchObject({
      code: 'AccessDenied',
    });
    await expect(u.deleteBucketTags(BUCKET)).rejects.toMatchObject({ code: 'AccessDenied' });
  });
});

describe('sub-resources yunbox does not serve', () => {
  it('answer 501 NotImplemented naming the feature, whatever the method, never 405', async () => {
    await c.put('nf.txt', Buffer.from('x'));
    const cases: Array<{ method: string; key?: string; sub: string }> = [
      // Features yunbox does not have (versioning, restore, lifecycle and WORM are served now).
      { method: 'PUT', sub: 'replication' },
      { method: 'GET', sub: 'replication' },
      { method: 'POST', sub: 'replication' },
      { method: 'GET', sub: 'transferAcceleration' },
      { method: 'PUT', sub: 'qos' },
      { method: 'GET', key: 'nf.txt', sub: 'objectInfo' },
      { method: 'POST', sub: 'metaQuery' },
      { method: 'POST', key: 'nf.txt', sub: 'tagging' },
      { method: 'POST', key: 'nf.txt', sub: 'symlink' },
      { method: 'POST', sub: 'acl' },
      // Another operation's sub-resource is never served as the plain operation.
      { method: 'DELETE', key: 'nf.txt', sub: 'acl' },
      { method: 'DELETE', key: 'nf.txt', sub: 'symlink' },
      { method: 'PUT', key: 'nf.txt', sub: 'uploads' },
      { method: 'GET', sub: 'delete' },
    ];
    for (const k of cases) {
      const r = await rawOss(yb, {
        method: k.method,
        bucket: BUCKET,
        ...(k.key !== undefined ? { key: k.key } : {}),
        query: [[k.sub, null]],
        creds: root(),
      });
      expect([k, r.status]).toEqual([k, 501]);
      expect(errorCode(r)).toBe('NotImplemented');
      expect(r.text).toContain(`<Feature>${k.sub}</Feature>`);
    }
    // The object is untouched by any of them.
    expect((await c.get('nf.txt')).content.toString()).toBe('x');
  });
});
