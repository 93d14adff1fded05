/**
 * Two `yunbox serve` processes on one PostgreSQL database: a role created through one is visible
 * through the other, and STS credentials issued by one are accepted by the other.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPgSchema } from '../../src/testing/server.js';
import { pgSkipReason } from '../../src/testing/pg.js';
import { serveIn, type ServeProcess } from '../../src/testing/spawn.js';
import { $Ram, $Sts, ramClient, stsClient } from '../../src/testing/sdk.js';
import { createUserWithKey, ramTrustPolicy } from '../../src/testing/fixtures.js';

const skip = await pgSkipReason();
const ROOT = {
  accessKeyId: 'LTAItwonodesroot0001',
  accessKeySecret: 'TwoNodesRootSecret0000000001',
};

describe.skipIf(skip !== undefined)('two nodes on one PostgreSQL', () => {
  let a: ServeProcess;
  let b: ServeProcess;
  let drop: () => Promise<void>;
  const dirs: string[] = [];

  beforeAll(async () => {
    const schema = await freshPgSchema();
    drop = schema.drop;
    const start = async () => {
      const dir = await mkdtemp(join(tmpdir(), 'yunbox-node-'));
      dirs.push(dir);
      return serveIn(dir, { root: ROOT, args: ['--store', schema.url] });
    };
    [a, b] = await Promise.all([start(), start()]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await drop?.();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('shares roles and verifies each other’s STS credentials', async () => {
    const ramA = ramClient(a, ROOT);
    const created = await ramA.createRole(
      new $Ram.CreateRoleRequest({
        roleName: 'shared',
        assumeRolePolicyDocument: ramTrustPolicy(['*']),
      }),
    );
    const accountId = created.body!.role!.arn!.split(':')[3]!;
    const got = await ramClient(b, ROOT).getRole(new $Ram.GetRoleRequest({ roleName: 'shared' }));
    expect(got.body!.role!.roleId).toBe(created.body!.role!.roleId);

    // The same name through the other node is refused by the database constraint.
    await expect(
      ramClient(b, ROOT).createRole(
        new $Ram.CreateRoleRequest({
          roleName: 'shared',
          assumeRolePolicyDocument: ramTrustPolicy(['*']),
        }),
      ),
    ).rejects.toMatchObject({ code: 'EntityAlreadyExists.Role' });

    const user = await createUserWithKey(a, ROOT, 'node-user', ['AliyunSTSAssumeRoleAccess']);
    const assumed = await stsClient(a, user).assumeRole(
      new $Sts.AssumeRoleRequest({
        roleArn: `acs:ram::${accountId}:role/shared`,
        roleSessionName: 'from-a',
      }),
    );
    const c = assumed.body!.credentials!;
    const who = await stsClient(b, {
      accessKeyId: c.accessKeyId!,
      accessKeySecret: c.accessKeySecret!,
      securityToken: c.securityToken!,
    }).getCallerIdentity();
    expect(who.body!.arn).toBe(`acs:ram::${accountId}:assumed-role/shared/from-a`);
  });
});
