/**
 * OSS versioning through ali-oss (and the Tea OSS client where it exposes it): the bucket's state,
 * version ids on every write, delete markers, the `null` version (objects from before versioning,
 * and writes under Suspended), reads, deletes, ACLs and copies of one version, ListObjectVersions
 * and its paging, restoring an old version by copy, bucket deletion with versions left, and the
 * `*Version` RAM actions deciding versioned access. Runs on SQLite and (YUNBOX_TEST_STORE) PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';
import { ossClient, teaOssClient, $TeaOss as T, type OssClient } from '../../../src/testing/sdk.js';
import { rootOf } from '../../../src/testing/fixtures.js';
import { errorCode, policy, rawOss, userWithPolicy } from './helpers.js';

let yb: TestServer;
let root: OssClient;

beforeAll(async () => {
  yb = await startTestServer();
  root = ossClient(yb, rootOf(yb));
});
afterAll(async () => {
  await yb?.close();
});

let n = 0;
/** A new bucket, with `before` written before versioning is enabled (unless `status` is none). */
async function versionedBucket(
  status: 'Enabled' | 'Suspended' | 'never',
  before: Record<string, string> = {},
): Promise<{ name: string; c: OssClient }> {
  const name = `vers-${++n}-${Date.now() % 100000}`;
  await root.putBucket(name);
  const c = ossClient(yb, rootOf(yb), { bucket: name });
  for (const [k, v] of Object.entries(before)) await c.put(k, Buffer.from(v));
  if (status !== 'never') await c.putBucketVersioning(name, status);
  return { name, c };
}

const text = async (c: OssClient, key: string, versionId?: string) =>
  (await c.get(key, versionId ? { versionId } : {})).content.toString();

async function failure(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a failure');
}

describe('Put/GetBucketVersioning and GetBucketInfo', () => {
  it('starts unset, goes Enabled then Suspended, and GetBucketInfo shows it once set', async () => {
    const { name, c } = await versionedBucket('never');
    expect((await c.getBucketVersioning(name)).versionStatus).toBeUndefined();
    expect((await c.getBucketInfo(name)).bucket.Versioning).toBeUndefined();
    await c.putBucketVersioning(name, 'Enabled');
    expect((await c.getBucketVersioning(name)).versionStatus).toBe('Enabled');
    expect((await c.getBucketInfo(name)).bucket.Versioning).toBe('Enabled');
    await c.putBucketVersioning(name, 'Suspended');
    expect((await c.getBucketVersioning(name)).versionStatus).toBe('Suspended');
  });

  it('never goes back to unversioned: any other status is MalformedXML', async () => {
    const { name } = await versionedBucket('Enabled');
    for (const status of ['Disabled', 'Off', '']) {
      const r = await rawOss(yb, {
        method: 'PUT',
        bucket: name,
        query: [['versioning', null]],
        body: `<VersioningConfiguration><Status>${status}</Status></VersioningConfiguration>`,
        creds: rootOf(yb),
      });
      expect(r.status).toBe(400);
      expect(errorCode(r)).toBe('MalformedXML');
    }
    expect((await root.getBucketVersioning(name)).versionStatus).toBe('Enabled');
  });
});

describe('versions of an Enabled bucket', () => {
  it('keeps every overwrite and delete, newest first, and the object from before is null', async () => {
    const { c } = await versionedBucket('Enabled', { k: 'v0' });
    const v1 = (await c.put('k', Buffer.from('v1'))).res.headers['x-oss-version-id'];
    const v2 = (await c.put('k', Buffer.from('v2'))).res.headers['x-oss-version-id'];
    expect(v1).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(v2).not.toBe(v1);
    const del = await c.delete('k');
    expect(del.res.status).toBe(204);
    expect(del.res.headers['x-oss-delete-marker']).toBe('true');
    const marker = del.res.headers['x-oss-version-id'];
    expect(marker).toBeTruthy();

    const list = await c.getBucketVersions({});
    expect(list.deleteMarker.map((m: any) => [m.name, m.versionId])).toEqual([['k', marker]]);
    expect(list.objects.map((o: any) => [o.versionId, o.isLatest])).toEqual([
      [v2, false],
      [v1, false],
      ['null', false],
    ]);
    // ListObjects shows current objects only: none here.
    expect((await c.list({})).objects ?? []).toEqual([]);

    expect(await text(c, 'k', v1)).toBe('v1');
    expect(await text(c, 'k', 'null')).toBe('v0');
    const head = await c.head('k', { versionId: v2 });
    expect(head.res.headers['x-oss-version-id']).toBe(v2);
  });

  it('answers NoSuchKey with the marker headers, 405 for the marker, NoSuchVersion, InvalidArgument', async () => {
    const { name, c } = await versionedBucket('Enabled');
    await c.put('gone', Buffer.from('x'));
    const marker = (await c.delete('gone')).res.headers['x-oss-version-id'];
    const get = await rawOss(yb, { bucket: name, key: 'gone', creds: rootOf(yb) });
    expect(get.status).toBe(404);
    expect(errorCode(get)).toBe('NoSuchKey');
    expect(get.headers['x-oss-delete-marker']).toBe('true');
    expect(get.headers['x-oss-version-id']).toBe(marker);

    const atMarker = await failure(c.get('gone', { versionId: marker }));
    expect(atMarker.status).toBe(405);
    expect(atMarker.code).toBe('MethodNotAllowed');

    const unknown = await rawOss(yb, {
      bucket: name,
      key: 'gone',
      query: [['versionId', 'CAEQNhiBgMDJgZCA0BYiIDc4MGZjZGI2OTBjOTRmNTE5NmU5NmFhZjhjYmY0']],
      creds: rootOf(yb),
    });
    expect(unknown.status).toBe(404);
    expect(errorCode(unknown)).toBe('NoSuchVersion');
    const meta = await failure(c.getObjectMeta('gone', { versionId: 'AAAAAAAAAAAAAAAAAAAAAAAA' }));
    expect(meta.status).toBe(404);

    for (const bad of ['', 'not a version!']) {
      const r = await rawOss(yb, {
        bucket: name,
        key: 'gone',
        query: [['versionId', bad]],
        creds: rootOf(yb),
      });
      expect(r.status).toBe(400);
      expect(errorCode(r)).toBe('InvalidArgument');
    }
  });

  it('restores an old version by copying it onto its key', async () => {
    const { c } = await versionedBucket('Enabled');
    const v1 = (await c.put('doc', Buffer.from('first'))).res.headers['x-oss-version-id'];
    await c.put('doc', Buffer.from('second'));
    await c.delete('doc');
    const copy = await c.copy('doc', 'doc', { versionId: v1 });
    expect(copy.res.status).toBe(200);
    const restored = copy.res.headers['x-oss-version-id'];
    expect(restored).toBeTruthy();
    expect(restored).not.toBe(v1);
    expect(copy.res.headers['x-oss-copy-source-version-id']).toBe(v1);
    expect(await text(c, 'doc')).toBe('first');
    const list = await c.getBucketVersions({ prefix: 'doc' });
    expect(list.objects.length).toBe(3);
    expect(list.deleteMarker.length).toBe(1);
    expect(list.objects[0]).toMatchObject({ versionId: restored, isLatest: true });
  });

  it('deletes a version for good; deleting the marker brings the previous version back', async () => {
    const { c } = await versionedBucket('Enabled');
    const v1 = (await c.put('p', Buffer.from('one'))).res.headers['x-oss-version-id'];
    const v2 = (await c.put('p', Buffer.from('two'))).res.headers['x-oss-version-id'];
    const gone = await c.delete('p', { versionId: v2 });
    expect(gone.res.headers['x-oss-version-id']).toBe(v2);
    expect(gone.res.headers['x-oss-delete-marker']).toBeUndefined();
    expect(await text(c, 'p')).toBe('one');
    const marker = (await c.delete('p')).res.headers['x-oss-version-id'];
    const undo = await c.delete('p', { versionId: marker });
    expect(undo.res.headers['x-oss-delete-marker']).toBe('true');
    expect((await c.head('p')).res.headers['x-oss-version-id']).toBe(v1);
  });

  it('DeleteMultipleObjects leaves markers, then deletes versions and markers by id', async () => {
    const { c } = await versionedBucket('Enabled');
    const keys = ['m/a', 'm/b'];
    const ids: string[] = [];
    for (const k of keys)
      ids.push((await c.put(k, Buffer.from(k))).res.headers['x-oss-version-id']);
    const first = await c.deleteMulti(keys);
    expect(first.deleted.map((d: any) => d.Key).sort()).toEqual(keys);
    expect(first.deleted.every((d: any) => d.DeleteMarker === 'true')).toBe(true);
    const markers = first.deleted.map((d: any) => d.DeleteMarkerVersionId);
    expect(markers.every((m: string) => m && m !== 'null')).toBe(true);

    const second = await c.deleteMulti(keys.map((key, i) => ({ key, versionId: ids[i] })));
    expect(second.deleted.map((d: any) => [d.Key, d.VersionId])).toEqual(
      keys.map((k, i) => [k, ids[i]]),
    );
    const third = await c.deleteMulti(
      first.deleted.map((d: any) => ({ key: d.Key, versionId: d.DeleteMarkerVersionId })),
    );
    expect(third.deleted.every((d: any) => d.DeleteMarker === 'true')).toBe(true);
    const left = await c.getBucketVersions({ prefix: 'm/' });
    expect(left.objects).toEqual([]);
    expect(left.deleteMarker).toEqual([]);
  });

  it('gives multipart completions, appends and ACLs of a version their version id', async () => {
    const { name, c } = await versionedBucket('Enabled');
    const { uploadId } = await c.initMultipartUpload('mp');
    const part = await c.uploadPart('mp', uploadId, 1, Buffer.from('part'), 0, 4);
    const done = await c.completeMultipartUpload('mp', uploadId, [{ number: 1, etag: part.etag }]);
    const mpVersion = done.res.headers['x-oss-version-id'];
    expect(mpVersion).toBeTruthy();
    expect((await c.head('mp')).res.headers['x-oss-version-id']).toBe(mpVersion);
    const copyUpload = await c.initMultipartUpload('mp-copy');
    const partCopy = await c.uploadPartCopy(
      'mp-copy',
      copyUpload.uploadId,
      1,
      '0-3',
      { sourceKey: 'mp', sourceBucketName: name },
      { versionId: mpVersion },
    );
    expect(partCopy.res.headers['x-oss-copy-source-version-id']).toBe(mpVersion);

    const a1 = await c.append('ap', Buffer.from('a'));
    const a2 = await c.append('ap', Buffer.from('b'), { position: a1.nextAppendPosition });
    // Appends change the current version in place (doc: AppendObject, versioning).
    expect(a2.res.headers['x-oss-version-id']).toBe(a1.res.headers['x-oss-version-id']);

    const old = (await c.put('acl', Buffer.from('1'))).res.headers['x-oss-version-id'];
    await c.put('acl', Buffer.from('2'));
    await c.putACL('acl', 'public-read', { versionId: old });
    expect((await c.getACL('acl', { versionId: old })).acl).toBe('public-read');
    expect((await c.getACL('acl')).acl).toBe('default');
  });

  it('refuses a versionId on writes and upload calls (InvalidArgument), never ignoring it', async () => {
    const { name, c } = await versionedBucket('Enabled');
    const v = (await c.put('k', Buffer.from('first'))).res.headers['x-oss-version-id'];
    const { uploadId } = await c.initMultipartUpload('k');
    const creds = rootOf(yb);
    const q = (extra: Array<[string, string | null]>) => [...extra, ['versionId', v]] as any;
    const calls: Array<[string, { method: string; query: any; headers?: any; body?: string }]> = [
      ['PutObject', { method: 'PUT', query: q([]), body: 'second' }],
      [
        'CopyObject',
        { method: 'PUT', query: q([]), headers: { 'x-oss-copy-source': `/${name}/k` } },
      ],
      ['PutSymlink', { method: 'PUT', query: q([['symlink', null]]) }],
      [
        'AppendObject',
        {
          method: 'POST',
          query: q([
            ['append', null],
            ['position', '0'],
          ]),
        },
      ],
      ['InitiateMultipartUpload', { method: 'POST', query: q([['uploads', null]]) }],
      [
        'UploadPart',
        {
          method: 'PUT',
          query: q([
            ['partNumber', '1'],
            ['uploadId', uploadId],
          ]),
          body: 'part',
        },
      ],
      ['ListParts', { method: 'GET', query: q([['uploadId', uploadId]]) }],
      [
        'CompleteMultipartUpload',
        {
          method: 'POST',
          query: q([['uploadId', uploadId]]),
          body: '<CompleteMultipartUpload></CompleteMultipartUpload>',
        },
      ],
      ['AbortMultipartUpload', { method: 'DELETE', query: q([['uploadId', uploadId]]) }],
    ];
    for (const [op, r] of calls) {
      const res = await rawOss(yb, {
        ...r,
        bucket: name,
        key: 'k',
        creds,
        headers: { 'x-oss-symlink-target': 'k', ...(r.headers ?? {}) },
      });
      expect([op, res.status, errorCode(res)]).toEqual([op, 400, 'InvalidArgument']);
      expect(res.text).toContain(`versionId is not supported by ${op}.`);
      if (op === 'AppendObject') expect(res.headers['x-oss-ec']).toBe('0016-00000504');
    }
    // Nothing was written, and the upload is still there.
    const { objects } = await c.getBucketVersions({});
    expect(objects.map((o: any) => o.versionId)).toEqual([v]);
    expect((await c.listParts('k', uploadId)).parts ?? []).toHaveLength(0);
    await c.abortMultipartUpload('k', uploadId);
  });

  it('gives a PostObject upload its version id', async () => {
    const { name, c } = await versionedBucket('Enabled');
    const before = (await c.put('form.bin', Buffer.from('old'))).res.headers['x-oss-version-id'];
    const s = c.calculatePostSignature({
      expiration: new Date(Date.now() + 600_000).toISOString(),
      conditions: [{ bucket: name }],
    });
    const form = new FormData();
    form.append('key', 'form.bin');
    form.append('OSSAccessKeyId', s.OSSAccessKeyId);
    form.append('policy', s.policy);
    form.append('Signature', s.Signature);
    form.append('file', new Blob([Buffer.from('new')]), 'form.bin');
    const port = yb.address.slice(yb.address.lastIndexOf(':') + 1);
    const r = await fetch(`http://localhost:${port}/${name}`, { method: 'POST', body: form });
    expect(r.status).toBe(204);
    const id = r.headers.get('x-oss-version-id');
    expect(id).toBeTruthy();
    expect(id).not.toBe(before);
    expect(await text(c, 'form.bin')).toBe('new');
    expect(await text(c, 'form.bin', before)).toBe('old');
  });

  it('pages ListObjectVersions with key and version-id markers, and rolls up prefixes', async () => {
    const { c } = await versionedBucket('Enabled');
    for (const k of ['a', 'b', 'b', 'b', 'c', 'd/1', 'd/2']) await c.put(k, Buffer.from(k));
    await c.delete('c');
    const all = await c.getBucketVersions({});
    const flat = (r: any) =>
      [...r.objects, ...r.deleteMarker].map((v: any) => `${v.name}@${v.versionId}`);
    expect(flat(all).length).toBe(8);
    const seen: string[] = [];
    let query: any = { maxKeys: 2 };
    for (let i = 0; i < 20; i++) {
      const page = await c.getBucketVersions(query);
      seen.push(...flat(page));
      if (!page.isTruncated) break;
      query = {
        maxKeys: 2,
        keyMarker: page.nextKeyMarker,
        versionIdMarker: page.nextVersionIdMarker,
      };
    }
    expect(seen.sort()).toEqual(flat(all).sort());
    const grouped = await c.getBucketVersions({ delimiter: '/' });
    expect(grouped.prefixes).toEqual(['d/']);
  });

  it('refuses deleting a bucket while versions or markers are left', async () => {
    const { name, c } = await versionedBucket('Enabled');
    const v = (await c.put('x', Buffer.from('x'))).res.headers['x-oss-version-id'];
    const marker = (await c.delete('x')).res.headers['x-oss-version-id'];
    const e = await failure(root.deleteBucket(name));
    expect(e.code).toBe('BucketNotEmpty');
    await c.delete('x', { versionId: v });
    await c.delete('x', { versionId: marker });
    expect((await root.deleteBucket(name)).res.status).toBe(204);
  });
});

describe('the null version under Suspended', () => {
  it('writes and deletes replace the null version and keep the others', async () => {
    const { name, c } = await versionedBucket('Enabled');
    const kept = (await c.put('s', Buffer.from('kept'))).res.headers['x-oss-version-id'];
    await c.putBucketVersioning(name, 'Suspended');
    expect((await c.put('s', Buffer.from('n1'))).res.headers['x-oss-version-id']).toBe('null');
    expect((await c.put('s', Buffer.from('n2'))).res.headers['x-oss-version-id']).toBe('null');
    let list = await c.getBucketVersions({ prefix: 's' });
    expect(list.objects.map((o: any) => o.versionId)).toEqual(['null', kept]);
    expect(await text(c, 's')).toBe('n2');
    const del = await c.delete('s');
    expect(del.res.headers['x-oss-version-id']).toBe('null');
    expect(del.res.headers['x-oss-delete-marker']).toBe('true');
    list = await c.getBucketVersions({ prefix: 's' });
    expect(list.objects.map((o: any) => o.versionId)).toEqual([kept]);
    expect(list.deleteMarker.map((m: any) => m.versionId)).toEqual(['null']);
    expect(await text(c, 's', kept)).toBe('kept');
  });

  it('an unversioned bucket answers no version header and honours forbid-overwrite', async () => {
    const { c } = await versionedBucket('never');
    const put = await c.put('u', Buffer.from('1'));
    expect(put.res.headers['x-oss-version-id']).toBeUndefined();
    const e = await failure(
      c.put('u', Buffer.from('2'), { headers: { 'x-oss-forbid-overwrite': 'true' } }),
    );
    expect(e.code).toBe('FileAlreadyExists');
    expect(await text(c, 'u', 'null')).toBe('1');
  });
});

describe('RAM decides versioned access with the *Version actions', () => {
  it('GetObject alone reads the current object, not a version; DeleteObject alone leaves markers', async () => {
    const { name, c } = await versionedBucket('Enabled');
    const v = (await c.put('r', Buffer.from('r'))).res.headers['x-oss-version-id'];
    const resource = [`acs:oss:*:*:${name}/*`];
    const plain = await userWithPolicy(
      yb,
      policy([
        { Effect: 'Allow', Action: ['oss:GetObject', 'oss:DeleteObject'], Resource: resource },
      ]),
    );
    const u = ossClient(yb, plain, { bucket: name });
    expect(await text(u, 'r')).toBe('r');
    expect((await failure(u.get('r', { versionId: v }))).code).toBe('AccessDenied');
    expect((await failure(u.delete('r', { versionId: v }))).code).toBe('AccessDenied');
    expect((await u.delete('r')).res.headers['x-oss-delete-marker']).toBe('true');

    const versioned = await userWithPolicy(
      yb,
      policy([
        {
          Effect: 'Allow',
          Action: ['oss:GetObject', 'oss:GetObjectVersion', 'oss:ListObjectVersions'],
          Resource: [...resource, `acs:oss:*:*:${name}`],
        },
      ]),
    );
    const w = ossClient(yb, versioned, { bucket: name });
    expect(await text(w, 'r', v)).toBe('r');
    expect((await w.getBucketVersions({})).objects.length).toBe(1);
    expect((await failure(u.getBucketVersions({}))).code).toBe('AccessDenied');
  });
});

describe('@alicloud/oss20190517 (Tea OSS client)', () => {
  // Its PutBucketVersioning cannot read the empty 200 OSS answers (the generated client parses
  // every `xml` body, and an empty one fails its own key listing), so ali-oss sets the state.
  it('gets the versioning state and lists versions', async () => {
    const { name, c } = await versionedBucket('Enabled');
    const tea = teaOssClient(yb, yb.root);
    const got = await tea.getBucketVersioning(name);
    expect(got.body.status).toBe('Enabled');
    await c.put('t1', Buffer.from('1'));
    await c.put('t1', Buffer.from('2'));
    const list = await tea.listObjectVersions(name, new T.ListObjectVersionsRequest({}));
    expect(list.body.versions.map((v: any) => v.key)).toEqual(['t1', 't1']);
    expect(list.body.versions[0].isLatest).toBe(true);
  });
});
