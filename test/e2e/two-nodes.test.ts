/**
 * Two `yunbox serve` processes on one PostgreSQL database: a role created through one is visible
 * through the other, and STS credentials issued by one are accepted by the other.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { pgSkipReason } from '../../src/testing/pg.js';
import type { ServeProcess } from '../../src/testing/spawn.js';
import { twoNodesOnPostgres } from './two-node-cluster.js';
import { $Ram, $Sts, ramClient, stsClient } from '../../src/testing/sdk.js';
import { createUserWithKey, ramTrustPolicy } from '../../src/testing/fixtures.js';

const skip = await pgSkipReason();
const ROOT = {
  accessKeyId: 'LTAItwonodesroot0001',
  accessKeySecret: 'TwoNodesRootSecret0000000001',
};

describe.skipIf(skip !== undefined)('two nodes on one PostgreSQL', () => {
  const nodes = twoNodesOnPostgres('yunbox-node-', { root: ROOT });
  let a: ServeProcess;
  let b: ServeProcess;
  beforeAll(() => {
    ({ a, b } = nodes);
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
