/**
 * ECS RamRoleName in any case (RAM names ignore case), through @alicloud/ecs20140526:
 * CreateInstance with `ecsramroletest` for EcsRamRoleTest, AttachInstanceRamRole,
 * DescribeInstanceRamRole (by instance and by role name) and DetachInstanceRamRole all find the
 * role and answer its name as created; `ram:PassRole` is checked on the caller's spelling and on
 * the role's own ARN, so a Deny written with the real name still applies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';
import { followServerClock, restoreClock } from '../../../src/testing/clock.js';
import { $Ecs, ecsClient } from '../../../src/testing/sdk.js';
import { failure } from '../../../src/testing/failure.js';
import {
  TUTORIAL_IMAGE,
  TUTORIAL_INSTANCE_TYPE,
  createEcsRole,
  createNetwork,
  createUserWithKey,
  grantCustomPolicy,
  rootOf,
} from '../../../src/testing/fixtures.js';
import { rowCounts } from '../../../src/testing/snapshot.js';

let yb: TestServer;
let ecs: ReturnType<typeof ecsClient>;
let vswitchId: string;

beforeAll(async () => {
  yb = await startTestServer({ clock: 'manual', clockStart: '2026-05-01T00:00:00Z' });
  followServerClock(yb);
  await createEcsRole(yb, rootOf(yb), 'EcsRamRoleTest');
  vswitchId = (await createNetwork(yb, rootOf(yb))).vswitchId;
  ecs = ecsClient(yb, rootOf(yb));
});
afterAll(async () => {
  restoreClock();
  await yb?.close();
});

const instance = (ramRoleName?: string) =>
  new $Ecs.CreateInstanceRequest({
    regionId: 'cn-hangzhou',
    imageId: TUTORIAL_IMAGE,
    instanceType: TUTORIAL_INSTANCE_TYPE,
    vSwitchId: vswitchId,
    ...(ramRoleName !== undefined ? { ramRoleName } : {}),
  });

const rolesOf = async (req: Record<string, unknown>) =>
  (
    await ecs.describeInstanceRamRole(
      new $Ecs.DescribeInstanceRamRoleRequest({ regionId: 'cn-hangzhou', ...req }),
    )
  ).body!.instanceRamRoleSets!.instanceRamRoleSet!.map((x) => [x.instanceId, x.ramRoleName]);

describe('RamRoleName in another case', () => {
  it('CreateInstance with a lower-cased RamRoleName; Describe answers the name as created', async () => {
    const id = (await ecs.createInstance(instance('ecsramroletest'))).body!.instanceId!;
    expect(await rolesOf({ instanceIds: JSON.stringify([id]) })).toEqual([[id, 'EcsRamRoleTest']]);
    expect(await rolesOf({ ramRoleName: 'ECSRAMROLETEST' })).toEqual([[id, 'EcsRamRoleTest']]);

    const d = await ecs.detachInstanceRamRole(
      new $Ecs.DetachInstanceRamRoleRequest({
        regionId: 'cn-hangzhou',
        instanceIds: JSON.stringify([id]),
        ramRoleName: 'ecsRamRoleTest',
      }),
    );
    expect(d.body!.failCount).toBe(0);
    expect(d.body!.ramRoleName).toBe('EcsRamRoleTest');
    expect(await rolesOf({ instanceIds: JSON.stringify([id]) })).toEqual([]);

    const a = await ecs.attachInstanceRamRole(
      new $Ecs.AttachInstanceRamRoleRequest({
        regionId: 'cn-hangzhou',
        instanceIds: JSON.stringify([id]),
        ramRoleName: 'ECSRAMROLETEST',
      }),
    );
    expect([a.body!.failCount, a.body!.ramRoleName]).toEqual([0, 'EcsRamRoleTest']);
    expect(await rolesOf({ instanceIds: JSON.stringify([id]) })).toEqual([[id, 'EcsRamRoleTest']]);
  });

  it('a role missing in every case is InvalidRamRole.NotFound, storing nothing', async () => {
    const before = await rowCounts(yb.db);
    const e = await failure(ecs.createInstance(instance('ecsramroletest2')));
    expect([e.code, e.statusCode]).toEqual(['InvalidRamRole.NotFound', 404]);
    expect(await rowCounts(yb.db)).toEqual(before);
  });

  it('ram:PassRole denied on the real name stops a lower-cased RamRoleName', async () => {
    const carol = await createUserWithKey(yb, rootOf(yb), 'carol');
    await grantCustomPolicy(yb, rootOf(yb), 'carol', 'LaunchButNotThatRole', [
      { Effect: 'Allow', Action: ['ecs:CreateInstance', 'ram:PassRole'], Resource: '*' },
      {
        Effect: 'Deny',
        Action: 'ram:PassRole',
        Resource: `acs:ram::${yb.accountId}:role/EcsRamRoleTest`,
      },
    ]);
    const before = await rowCounts(yb.db);
    const e = await failure(ecsClient(yb, carol).createInstance(instance('ecsramroletest')));
    expect([e.code, e.statusCode]).toEqual(['InvalidUser.PassRoleForbidden', 403]);
    expect(e.data.Message).toContain('LaunchButNotThatRole');
    expect(await rowCounts(yb.db)).toEqual(before);
    // Without a role the same user may launch.
    const ok = await ecsClient(yb, carol).createInstance(instance());
    expect(ok.body!.instanceId).toMatch(/^i-/);
  });
});
