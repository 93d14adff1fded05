/**
 * Symlinks through ali-oss (putSymlink, getSymlink, get and head through a link) and raw V1
 * requests: metadata, ACL and storage class on PutSymlink, `x-oss-forbid-overwrite`, a dangling
 * link (`SymlinkTargetNotExist`), a link to a link (`InvalidTargetType`), GetSymlink of an
 * ordinary object (`NotSymlink`), CopyObject of a link, and the target's read permission.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';
import { createRequire } from 'node:module';
import { ossClient, teaOssClient, $TeaOss as T, type OssClient } from '../../../src/testing/sdk.js';
import { rootOf } from '../../../src/testing/fixtures.js';
import { errorCode, policy, rawOss, userWithPolicy } from './helpers.js';

const TeaUtil = createRequire(import.meta.url)('@alicloud/tea-util');

const BUCKET = 'link-bucket';
let yb: TestServer;
let c: OssClient;
const root = () => rootOf(yb);

beforeAll(async () => {
  yb = await startTestServer();
  c = ossClient(yb, root(), { bucket: BUCKET });
  await c.putBucket(BUCKET);
  await c.put('oss/target-测试.js', Buffer.from('target bytes'), {
    headers: { 'content-type': 'application/javascript' },
  });
});
afterAll(async () => {
  await yb?.close();
});

describe('PutSymlink and GetSymlink', () => {
  it('creates a link with metadata and storage class; GetSymlink names the target', async () => {
    const put = await c.putSymlink('/oss/symlink-软链接.js', '/oss/target-测试.js', {
      storageClass: 'IA',
      meta: { uid: '1', slus: 'test.html' },
    } as any);
    expect(put.res.status).toBe(200);
    const got = await c.getSymlink('/oss/symlink-软链接.js');
    expect(got.targetName).toBe('oss/target-测试.js');
    const head = await c.head('/oss/symlink-软链接.js');
    expect(head.res.headers['x-oss-object-type']).toBe('Symlink');
    expect(head.meta).toEqual({ uid: '1', slus: 'test.html' });
    expect(head.res.headers['content-length']).toBe(String('target bytes'.length));
    // The listing shows the link itself.
    const list = await c.list({ prefix: 'oss/symlink' }, {});
    expect(list.objects!.map((o: any) => [o.name, o.type, o.size])).toEqual([
      ['oss/symlink-软链接.js', 'Symlink', 0],
    ]);
  });

  it('GET through a link serves the target’s bytes, ranges included', async () => {
    await c.putSymlink('link.js', 'oss/target-测试.js');
    const got = await c.get('link.js');
    expect(got.content.toString()).toBe('target bytes');
    expect(got.res.headers['x-oss-object-type']).toBe('Symlink');
    const target = await c.head('oss/target-测试.js');
    expect(got.res.headers.etag).toBe(target.res.headers.etag);
    const part = await c.get('link.js', { headers: { Range: 'bytes=0-5' } });
    expect(part.content.toString()).toBe('target');
    // The target's whole Content-MD5 goes with whole reads only.
    expect(got.res.headers['content-md5']).toBe(target.res.headers['content-md5']);
    expect(part.res.headers['content-md5']).toBeUndefined();
  });

  it('HeadObject answers the target’s length, ETag, class and MD5; GetObjectMeta the link’s own', async () => {
    await c.put('meta/target.txt', Buffer.from('the target, in IA'), {
      headers: { 'x-oss-storage-class': 'IA', 'x-oss-meta-side': 'target' },
    });
    await c.putSymlink('meta/link', 'meta/target.txt', { meta: { side: 'link' } });
    const target = (await c.head('meta/target.txt')).res.headers;
    const link = await c.getSymlink('meta/link');
    const head = await c.head('meta/link');
    const h = head.res.headers;
    expect([h['content-length'], h.etag, h['x-oss-storage-class'], h['content-md5']]).toEqual([
      target['content-length'],
      target.etag,
      'IA',
      target['content-md5'],
    ]);
    expect(h['content-md5']).toBe(
      Buffer.from(target.etag.replace(/"/g, ''), 'hex').toString('base64'),
    );
    // Last-Modified: the later of the link's and the target's; the rest is the link's.
    expect(Date.parse(h['last-modified'])).toBe(
      Math.max(Date.parse(target['last-modified']), Date.parse(link.res.headers['last-modified'])),
    );
    expect(h['x-oss-object-type']).toBe('Symlink');
    expect(head.meta).toEqual({ side: 'link' });
    // GetObjectMeta describes the link itself (doc: GetObjectMeta): its own ETag.
    const meta = await c.getObjectMeta('meta/link');
    expect(meta.res.headers.etag).toBe(link.res.headers.etag);
    expect(meta.res.headers.etag).not.toBe(target.etag);
    expect(meta.res.headers['last-modified']).toBe(link.res.headers['last-modified']);
  });

  it('GetSymlink of an ordinary object is NotSymlink; of a missing one NoSuchKey', async () => {
    await expect(c.getSymlink('oss/target-测试.js')).rejects.toMatchObject({
      code: 'NotSymlink',
      status: 400,
    });
    await expect(c.getSymlink('nothing.js')).rejects.toMatchObject({ code: 'NoSuchKey' });
    await expect(c.getSymlink('link.js', { versionId: 'CAEQ' })).rejects.toMatchObject({
      code: 'NoSuchVersion',
    });
  });

  it('a dangling link is SymlinkTargetNotExist; a link to a link InvalidTargetType', async () => {
    await c.putSymlink('dangling.js', 'not-there.js');
    await expect(c.get('dangling.js')).rejects.toMatchObject({
      code: 'SymlinkTargetNotExist',
      status: 404,
    });
    await expect(c.head('dangling.js')).rejects.toMatchObject({ status: 404 });
    await c.putSymlink('one.js', 'oss/target-测试.js');
    await c.putSymlink('two.js', 'one.js');
    // ali-oss's own test reads the code from x-oss-err on HEAD.
    await expect(c.head('two.js')).rejects.toMatchObject({ code: 'InvalidTargetType' });
    await expect(c.get('two.js')).rejects.toMatchObject({ code: 'InvalidTargetType' });
  });

  it('x-oss-forbid-overwrite, ACL and tags apply to the link itself', async () => {
    const r = await rawOss(yb, {
      method: 'PUT',
      bucket: BUCKET,
      key: 'link.js',
      query: [['symlink', null]],
      headers: {
        'x-oss-symlink-target': 'oss/target-%E6%B5%8B%E8%AF%95.js',
        'x-oss-forbid-overwrite': 'true',
      },
      creds: root(),
    });
    expect(r.status).toBe(409);
    expect(errorCode(r)).toBe('FileAlreadyExists');
    const t = await rawOss(yb, {
      method: 'PUT',
      bucket: BUCKET,
      key: 'tagged-link.js',
      query: [['symlink', null]],
      headers: {
        'x-oss-symlink-target': 'oss/target-%E6%B5%8B%E8%AF%95.js',
        'x-oss-object-acl': 'public-read',
        'x-oss-tagging': 'a=1',
      },
      creds: root(),
    });
    expect(t.status).toBe(200);
    expect((await c.getObjectTagging('tagged-link.js')).tag).toEqual({ a: '1' });
    expect((await c.getACL('tagged-link.js')).acl).toBe('public-read');
    const missing = await rawOss(yb, {
      method: 'PUT',
      bucket: BUCKET,
      key: 'no-target.js',
      query: [['symlink', null]],
      creds: root(),
    });
    expect(errorCode(missing)).toBe('InvalidArgument');
  });

  it('CopyObject of a link copies the link, not the bytes', async () => {
    await c.copy('link-copy.js', 'link.js');
    expect((await c.getSymlink('link-copy.js')).targetName).toBe('oss/target-测试.js');
    expect((await c.get('link-copy.js')).content.toString()).toBe('target bytes');
  });

  it('reading through a link needs read access to the target as well', async () => {
    await c.put('secret/data.txt', Buffer.from('secret'));
    await c.putSymlink('public/alias.txt', 'secret/data.txt');
    const user = await userWithPolicy(
      yb,
      policy([
        {
          Effect: 'Allow',
          Action: ['oss:GetObject'],
          Resource: [`acs:oss:*:*:${BUCKET}/public/*`],
        },
      ]),
    );
    const u = ossClient(yb, user, { bucket: BUCKET });
    expect((await u.getSymlink('public/alias.txt')).targetName).toBe('secret/data.txt');
    await expect(u.get('public/alias.txt')).rejects.toMatchObject({ code: 'AccessDenied' });
  });
});

describe('@alicloud/oss20190517 (Tea OSS client)', () => {
  // The generated client parses every answer of these calls as XML; PutObjectTagging,
  // PutBucketTags, PutSymlink and GetSymlink answer with no body (as on OSS), so the client's own
  // parser fails after the server has done the work (`not a valid value for parameter`), as it
  // would against OSS. Its puts send a bare `<TagSet>` root, which yunbox takes.
  const EMPTY_BODY = 'not a valid value for parameter';

  it('reads and deletes tags; its puts reach the server', async () => {
    const tea = teaOssClient(yb, yb.root);
    const tagging = (pairs: Array<[string, string]>) =>
      new T.Tagging({
        tagSet: new T.TagSet({ tags: pairs.map(([key, value]) => new T.Tag({ key, value })) }),
      });
    await c.put('tea.txt', Buffer.from('tea'));
    await expect(
      tea.putObjectTagging(
        BUCKET,
        'tea.txt',
        new T.PutObjectTaggingRequest({
          tagging: tagging([
            ['a', '1'],
            ['b', '2'],
          ]),
        }),
      ),
    ).rejects.toThrow(EMPTY_BODY);
    const got = await tea.getObjectTagging(BUCKET, 'tea.txt', new T.GetObjectTaggingRequest({}));
    expect(got.body.tagSet.tags.map((t: any) => [t.key, t.value])).toEqual([
      ['a', '1'],
      ['b', '2'],
    ]);
    const del = await tea.deleteObjectTagging(
      BUCKET,
      'tea.txt',
      new T.DeleteObjectTaggingRequest({}),
    );
    expect(del.statusCode).toBe(204);
    expect((await c.getObjectTagging('tea.txt')).tag).toEqual({});

    await expect(
      tea.putBucketTags(
        BUCKET,
        new T.PutBucketTagsRequest({
          tagging: tagging([
            ['env', 'dev'],
            ['team', 'a'],
          ]),
        }),
      ),
    ).rejects.toThrow(EMPTY_BODY);
    const bucketTags = await tea.getBucketTags(BUCKET);
    expect(bucketTags.body.tagSet.tags.map((t: any) => [t.key, t.value])).toEqual([
      ['env', 'dev'],
      ['team', 'a'],
    ]);
    expect((await tea.deleteBucketTags(BUCKET)).statusCode).toBe(204);
    expect((await c.getBucketTags(BUCKET)).tag).toEqual({});

    await expect(
      tea.putSymlinkWithOptions(
        BUCKET,
        'tea-link.txt',
        new T.PutSymlinkHeaders({ symlinkTargetKey: 'tea.txt' }),
        new TeaUtil.RuntimeOptions({}),
      ),
    ).rejects.toThrow(EMPTY_BODY);
    expect((await c.getSymlink('tea-link.txt')).targetName).toBe('tea.txt');
    expect((await c.get('tea-link.txt')).content.toString()).toBe('tea');
  });
});
