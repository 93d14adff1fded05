/**
 * Two `yunbox serve` processes on one PostgreSQL, with the PostgreSQL blob store (the default
 * there): objects written through one node (simple, multipart, appended) are listed and read,
 * byte for byte, through the other; deletes and bucket names are shared; STS credentials and
 * presigned URLs issued on one node work on the other.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { pgSkipReason } from '../../src/testing/pg.js';
import type { ServeProcess } from '../../src/testing/spawn.js';
import { twoNodesOnPostgres } from './two-node-cluster.js';
import { $Ram, $Sts, ossClient, ramClient, stsClient } from '../../src/testing/sdk.js';
import { createUserWithKey, ramTrustPolicy } from '../../src/testing/fixtures.js';

const skip = await pgSkipReason();
const ROOT = {
  accessKeyId: 'LTAIossnodesroot0001',
  accessKeySecret: 'OssNodesRootSecret00000000001',
};
const BUCKET = 'shared-bucket';
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

describe.skipIf(skip !== undefined)('OSS on two nodes sharing PostgreSQL', () => {
  const nodes = twoNodesOnPostgres('yunbox-ossnode-', { root: ROOT });
  const dirs = nodes.dirs;
  let a: ServeProcess;
  let b: ServeProcess;
  beforeAll(() => {
    ({ a, b } = nodes);
  });

  it('an object written through one node is listed and read through the other', async () => {
    const ca = ossClient(a, ROOT, { bucket: BUCKET });
    const cb = ossClient(b, ROOT, { bucket: BUCKET, style: 'path', v4: true });
    await ca.putBucket(BUCKET);
    await expect(cb.putBucket(BUCKET)).resolves.toBeDefined(); // the same owner: no-op
    const simple = randomBytes(5 * 1024 * 1024 + 123);
    const multi = randomBytes(3 * 1024 * 1024);
    await ca.put('simple.bin', simple);
    await ca.multipartUpload('multi.bin', multi, { partSize: 1024 * 1024 });
    await ca.append('log.txt', Buffer.from('from a;'));
    await cb.append('log.txt', Buffer.from('from b'), { position: '7' });

    const listed = await cb.list({});
    expect(listed.objects.map((o: any) => [o.name, o.size])).toEqual([
      ['log.txt', 13],
      ['multi.bin', multi.length],
      ['simple.bin', simple.length],
    ]);
    expect(md5((await cb.get('simple.bin')).content)).toBe(md5(simple));
    expect(md5((await cb.get('multi.bin')).content)).toBe(md5(multi));
    expect((await ca.get('log.txt')).content.toString()).toBe('from a;from b');
    const range = await cb.get('simple.bin', { headers: { Range: 'bytes=1048570-1048589' } });
    expect(range.content.equals(simple.subarray(1048570, 1048590))).toBe(true);
    const ha = await ca.head('multi.bin');
    const hb = await cb.head('multi.bin');
    expect(hb.res.headers['x-oss-hash-crc64ecma']).toBe(ha.res.headers['x-oss-hash-crc64ecma']);

    // Bytes live in PostgreSQL, not in either node's data directory.
    for (const d of dirs) {
      const entries = await readdir(d);
      expect(entries).not.toContain('blobs');
    }

    await cb.delete('simple.bin');
    await expect(ca.head('simple.bin')).rejects.toMatchObject({ status: 404 });
  });

  it('STS credentials and presigned URLs from one node work on the other', async () => {
    const ram = ramClient(a, ROOT);
    const created = await ram.createRole(
      new $Ram.CreateRoleRequest({
        roleName: 'oss-reader',
        assumeRolePolicyDocument: ramTrustPolicy(['*']),
      }),
    );
    const accountId = created.body!.role!.arn!.split(':')[3]!;
    await ram.attachPolicyToRole(
      new $Ram.AttachPolicyToRoleRequest({
        policyType: 'System',
        policyName: 'AliyunOSSReadOnlyAccess',
        roleName: 'oss-reader',
      }),
    );
    const user = await createUserWithKey(a, ROOT, 'oss-node-user', ['AliyunSTSAssumeRoleAccess']);
    const r = await stsClient(a, user).assumeRole(
      new $Sts.AssumeRoleRequest({
        roleArn: `acs:ram::${accountId}:role/oss-reader`,
        roleSessionName: 'node-session',
      }),
    );
    const cr = r.body!.credentials!;
    const sts = {
      accessKeyId: cr.accessKeyId!,
      accessKeySecret: cr.accessKeySecret!,
      securityToken: cr.securityToken!,
    };
    const onB = ossClient(b, sts, { bucket: BUCKET });
    expect((await onB.get('log.txt')).content.toString()).toBe('from a;from b');
    await expect(onB.put('x.txt', Buffer.from('x'))).rejects.toMatchObject({
      code: 'AccessDenied',
    });
    const url = ossClient(a, sts, { bucket: BUCKET, style: 'path' }).signatureUrl('log.txt', {
      expires: 60,
    });
    const port = b.address.slice(b.address.lastIndexOf(':') + 1);
    const onOther = url.replace(/localhost:\d+/, `localhost:${port}`);
    expect(await (await fetch(onOther)).text()).toBe('from a;from b');
  });

  it('tags and symlinks written through one node are seen through the other', async () => {
    const ca = ossClient(a, ROOT, { bucket: BUCKET });
    const cb = ossClient(b, ROOT, { bucket: BUCKET, style: 'path', v4: true });
    await ca.put('tagged.txt', Buffer.from('tagged'));
    await ca.putObjectTagging('tagged.txt', { env: 'dev' });
    expect((await cb.getObjectTagging('tagged.txt')).tag).toEqual({ env: 'dev' });
    expect((await cb.head('tagged.txt')).res.headers['x-oss-tagging-count']).toBe('1');
    await cb.putBucketTags(BUCKET, { team: 'a' });
    expect((await ca.getBucketTags(BUCKET)).tag).toEqual({ team: 'a' });
    await ca.putSymlink('link.txt', 'tagged.txt');
    expect((await cb.get('link.txt')).content.toString()).toBe('tagged');
    await cb.delete('tagged.txt');
    await expect(ca.get('link.txt')).rejects.toMatchObject({ code: 'SymlinkTargetNotExist' });
  });
});
