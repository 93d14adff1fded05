/**
 * The per-node read caches on PostgreSQL are coherent across nodes (issue 21): each round makes
 * a write through node A and, as soon as A acknowledged it, the request that depends on it
 * through node B, whose caches were warmed with the state before. Key status, policy
 * attachments (of a user, and of a role behind STS credentials), bucket ACLs and policies,
 * object bytes and deletes; many rounds each, with the official clients.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPgSchema } from '../../src/testing/server.js';
import { pgSkipReason } from '../../src/testing/pg.js';
import { serveIn, type ServeProcess } from '../../src/testing/spawn.js';
import { $Ram, $Sts, ossClient, ramClient, stsClient } from '../../src/testing/sdk.js';
import { createUserWithKey, ramTrustPolicy } from '../../src/testing/fixtures.js';

const skip = await pgSkipReason();
const ROOT = {
  accessKeyId: 'LTAIcoherentroot0001',
  accessKeySecret: 'CoherentRootSecret00000000001',
};
const BUCKET = 'coherent-bucket';
const ROUNDS = 50;

describe.skipIf(skip !== undefined)('read caches coherent across two PostgreSQL nodes', () => {
  let a: ServeProcess;
  let b: ServeProcess;
  let drop: () => Promise<void>;
  const dirs: string[] = [];
  let accountId: string;

  beforeAll(async () => {
    const schema = await freshPgSchema();
    drop = schema.drop;
    const start = async () => {
      const dir = await mkdtemp(join(tmpdir(), 'yunbox-coherent-'));
      dirs.push(dir);
      return serveIn(dir, { root: ROOT, args: ['--store', schema.url] });
    };
    [a, b] = await Promise.all([start(), start()]);
    await ossClient(a, ROOT, { bucket: BUCKET }).putBucket(BUCKET);
    const who = await stsClient(a, ROOT).getCallerIdentity();
    accountId = who.body!.accountId!;
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await drop?.();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('a disabled AccessKey is refused by the other node at once, an enabled one accepted', async () => {
    const user = await createUserWithKey(a, ROOT, 'key-toggler');
    const ram = ramClient(a, ROOT);
    const setStatus = (status: string) =>
      ram.updateAccessKey(
        new $Ram.UpdateAccessKeyRequest({
          userName: user.userName,
          userAccessKeyId: user.accessKeyId,
          status,
        }),
      );
    const onB = stsClient(b, user);
    for (let i = 0; i < ROUNDS; i++) {
      await expect(onB.getCallerIdentity()).resolves.toBeDefined();
      await setStatus('Inactive');
      await expect(onB.getCallerIdentity()).rejects.toMatchObject({
        code: 'InvalidAccessKeyId.Inactive',
      });
      await setStatus('Active');
    }
    await expect(onB.getCallerIdentity()).resolves.toBeDefined();
  });

  it('a detached policy no longer allows, on the other node, at once (user and role)', async () => {
    const ram = ramClient(a, ROOT);
    await ossClient(a, ROOT, { bucket: BUCKET }).put('readable.txt', Buffer.from('r'));
    const user = await createUserWithKey(a, ROOT, 'policy-toggler', ['AliyunSTSAssumeRoleAccess']);
    await ram.createRole(
      new $Ram.CreateRoleRequest({
        roleName: 'toggled-reader',
        assumeRolePolicyDocument: ramTrustPolicy(['*']),
      }),
    );
    const assumed = await stsClient(a, user).assumeRole(
      new $Sts.AssumeRoleRequest({
        roleArn: `acs:ram::${accountId}:role/toggled-reader`,
        roleSessionName: 'toggle',
      }),
    );
    const c = assumed.body!.credentials!;
    const viaRole = ossClient(b, {
      accessKeyId: c.accessKeyId!,
      accessKeySecret: c.accessKeySecret!,
      securityToken: c.securityToken!,
    });
    const viaUser = ossClient(b, user, { style: 'path', v4: true });
    const policy = { policyType: 'System', policyName: 'AliyunOSSReadOnlyAccess' };
    const userPolicy = { ...policy, userName: user.userName };
    const rolePolicy = { ...policy, roleName: 'toggled-reader' };
    for (let i = 0; i < ROUNDS; i++) {
      await expect(viaUser.getBucketInfo(BUCKET)).rejects.toMatchObject({ code: 'AccessDenied' });
      await expect(viaRole.getBucketInfo(BUCKET)).rejects.toMatchObject({ code: 'AccessDenied' });
      await ram.attachPolicyToUser(new $Ram.AttachPolicyToUserRequest(userPolicy));
      await ram.attachPolicyToRole(new $Ram.AttachPolicyToRoleRequest(rolePolicy));
      await expect(viaUser.getBucketInfo(BUCKET)).resolves.toBeDefined();
      await expect(viaRole.getBucketInfo(BUCKET)).resolves.toBeDefined();
      await ram.detachPolicyFromUser(new $Ram.DetachPolicyFromUserRequest(userPolicy));
      await ram.detachPolicyFromRole(new $Ram.DetachPolicyFromRoleRequest(rolePolicy));
    }
  });

  it('a bucket ACL or policy changed on one node decides the next request on the other', async () => {
    const ca = ossClient(a, ROOT, { bucket: BUCKET });
    await ca.put('public.txt', Buffer.from('public bytes'));
    const port = b.address.slice(b.address.lastIndexOf(':') + 1);
    const anonymous = () => fetch(`http://localhost:${port}/${BUCKET}/public.txt`);
    const user = await createUserWithKey(a, ROOT, 'bucket-policy-reader');
    const viaUser = ossClient(b, user, { bucket: BUCKET });
    const grant = {
      Version: '1',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['oss:GetObject'],
          Principal: [
            (await ramClient(a, ROOT).getUser(new $Ram.GetUserRequest({ userName: user.userName })))
              .body!.user!.userId!,
          ],
          Resource: [`acs:oss:*:${accountId}:${BUCKET}/*`],
        },
      ],
    };
    for (let i = 0; i < ROUNDS; i++) {
      expect((await anonymous()).status).toBe(403);
      await ca.putBucketACL(BUCKET, 'public-read');
      const open = await anonymous();
      expect(open.status).toBe(200);
      expect(await open.text()).toBe('public bytes');
      await ca.putBucketACL(BUCKET, 'private');

      await expect(viaUser.get('public.txt')).rejects.toMatchObject({ code: 'AccessDenied' });
      await ca.putBucketPolicy(BUCKET, grant);
      expect((await viaUser.get('public.txt')).content.toString()).toBe('public bytes');
      await ca.deleteBucketPolicy(BUCKET);
    }
    expect((await anonymous()).status).toBe(403);
  });

  it('an object overwritten or deleted on one node is served new, or 404, by the other', async () => {
    const ca = ossClient(a, ROOT, { bucket: BUCKET });
    const cb = ossClient(b, ROOT, { bucket: BUCKET, style: 'path', v4: true });
    for (let i = 0; i < ROUNDS; i++) {
      const bytes = randomBytes(64 + i);
      await ca.put('churn.bin', bytes);
      expect((await cb.get('churn.bin')).content.equals(bytes)).toBe(true);
      const again = randomBytes(32 + i);
      await ca.put('churn.bin', again);
      expect((await cb.get('churn.bin')).content.equals(again)).toBe(true);
      expect((await cb.head('churn.bin')).res.headers['content-length']).toBe(String(again.length));
      await ca.delete('churn.bin');
      await expect(cb.get('churn.bin')).rejects.toMatchObject({ status: 404, code: 'NoSuchKey' });
      await expect(cb.head('churn.bin')).rejects.toMatchObject({ status: 404 });
    }
  });
});
