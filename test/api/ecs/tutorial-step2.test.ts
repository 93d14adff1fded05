/**
 * The tutorial's step 2 (../shared/seed) with @alicloud/ecs20140526 (ACS3 and signature v1) and
 * @alicloud/pop-core: a VPC and a vSwitch, CreateInstance with the tutorial's parameters and
 * RamRoleName, StartInstance; AttachInstanceRamRole (InstanceIds as a JSON array) to a second
 * instance. And its refusals, each with Alibaba's code, naming what was missing, storing nothing:
 * no vSwitch, a RAM user without `ram:PassRole`, a role that does not trust ECS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';
import { advanceClocks, followServerClock, restoreClock } from '../../../src/testing/clock.js';
import { $Ecs, $Ram, ecsClient, popClient, ramClient } from '../../../src/testing/sdk.js';
import {
  TUTORIAL_IMAGE,
  TUTORIAL_INSTANCE_TYPE,
  createEcsRole,
  createUserWithKey,
  ramTrustPolicy,
  rootOf,
} from '../../../src/testing/fixtures.js';
import { rowCounts } from '../../../src/testing/snapshot.js';

let yb: TestServer;
let vswitchId: string;

beforeAll(async () => {
  yb = await startTestServer({ clock: 'manual', clockStart: '2026-05-01T00:00:00Z' });
  followServerClock(yb);
  await createEcsRole(yb, rootOf(yb), 'EcsRamRoleTest');
  const ecs = ecsClient(yb, rootOf(yb));
  const vpc = await ecs.createVpc(
    new $Ecs.CreateVpcRequest({ regionId: 'cn-hangzhou', cidrBlock: '192.168.0.0/16' }),
  );
  const vsw = await ecs.createVSwitch(
    new $Ecs.CreateVSwitchRequest({
      regionId: 'cn-hangzhou',
      vpcId: vpc.body!.vpcId,
      zoneId: 'cn-hangzhou-i',
      cidrBlock: '192.168.1.0/24',
    }),
  );
  vswitchId = vsw.body!.vSwitchId!;
});
afterAll(async () => {
  restoreClock();
  await yb?.close();
});

async function error(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

const tutorialInstance = (extra: Record<string, unknown> = {}) =>
  new $Ecs.CreateInstanceRequest({
    regionId: 'cn-hangzhou',
    imageId: TUTORIAL_IMAGE,
    instanceType: TUTORIAL_INSTANCE_TYPE,
    vSwitchId: vswitchId,
    ramRoleName: 'EcsRamRoleTest',
    ...extra,
  });

async function status(instanceId: string): Promise<string> {
  const r = await ecsClient(yb, rootOf(yb)).describeInstanceAttribute(
    new $Ecs.DescribeInstanceAttributeRequest({ instanceId }),
  );
  return r.body!.status!;
}

describe('tutorial step 2 with @alicloud/ecs20140526', () => {
  let first: string;

  it('creates an instance with the role (Pending, then Stopped) and starts it (Starting, then Running)', async () => {
    const ecs = ecsClient(yb, rootOf(yb));
    const created = await ecs.createInstance(
      tutorialInstance({ instanceName: 'tutorial', hostName: 'tutorial-host' }),
    );
    first = created.body!.instanceId!;
    expect(first).toMatch(/^i-[a-z0-9]{20}$/);
    expect(await status(first)).toBe('Pending');
    const early = await error(
      ecs.startInstance(new $Ecs.StartInstanceRequest({ instanceId: first })),
    );
    expect([early.code, early.statusCode]).toEqual(['IncorrectInstanceStatus', 403]);
    expect(early.data.Message).toContain('Pending');

    advanceClocks(yb, 2);
    expect(await status(first)).toBe('Stopped');
    await ecs.startInstance(new $Ecs.StartInstanceRequest({ instanceId: first }));
    expect(await status(first)).toBe('Starting');
    advanceClocks(yb, 2);
    expect(await status(first)).toBe('Running');

    const d = await ecs.describeInstances(
      new $Ecs.DescribeInstancesRequest({
        regionId: 'cn-hangzhou',
        instanceIds: JSON.stringify([first]),
      }),
    );
    const i = d.body!.instances!.instance![0]!;
    expect(i).toMatchObject({
      instanceId: first,
      instanceName: 'tutorial',
      hostName: 'tutorial-host',
      imageId: TUTORIAL_IMAGE,
      instanceType: TUTORIAL_INSTANCE_TYPE,
      zoneId: 'cn-hangzhou-i',
      status: 'Running',
      instanceNetworkType: 'vpc',
      cpu: 2,
      memory: 8192,
    });
    expect(i.vpcAttributes!.vSwitchId).toBe(vswitchId);
    expect(i.vpcAttributes!.privateIpAddress!.ipAddress).toEqual(['192.168.1.1']);
    expect(i.creationTime).toBe('2026-05-01T00:00Z');
    expect(i.startTime).toBe('2026-05-01T00:00Z');

    const roles = await ecs.describeInstanceRamRole(
      new $Ecs.DescribeInstanceRamRoleRequest({
        regionId: 'cn-hangzhou',
        instanceIds: JSON.stringify([first]),
      }),
    );
    expect(roles.body!.instanceRamRoleSets!.instanceRamRoleSet).toEqual([
      expect.objectContaining({ instanceId: first, ramRoleName: 'EcsRamRoleTest' }),
    ]);
  });

  it('attaches the role to a second instance with AttachInstanceRamRole', async () => {
    const ecs = ecsClient(yb, rootOf(yb));
    const second = (await ecs.createInstance(tutorialInstance({ ramRoleName: undefined }))).body!
      .instanceId!;
    const r = await ecs.attachInstanceRamRole(
      new $Ecs.AttachInstanceRamRoleRequest({
        regionId: 'cn-hangzhou',
        ramRoleName: 'EcsRamRoleTest',
        instanceIds: JSON.stringify([second]),
      }),
    );
    expect(r.body).toMatchObject({ ramRoleName: 'EcsRamRoleTest', totalCount: 1, failCount: 0 });
    expect(r.body!.attachInstanceRamRoleResults!.attachInstanceRamRoleResult).toEqual([
      expect.objectContaining({ instanceId: second, success: true, code: '200' }),
    ]);
    const byRole = await ecs.describeInstanceRamRole(
      new $Ecs.DescribeInstanceRamRoleRequest({
        regionId: 'cn-hangzhou',
        ramRoleName: 'EcsRamRoleTest',
      }),
    );
    expect(byRole.body!.totalCount).toBe(2);
    expect(
      byRole.body!.instanceRamRoleSets!.instanceRamRoleSet!.map((s) => s.instanceId).sort(),
    ).toEqual([first, second].sort());

    // An instance holds one role: a second one is a per-instance failure inside a 200.
    await createEcsRole(yb, rootOf(yb), 'OtherEcsRole');
    const again = await ecs.attachInstanceRamRole(
      new $Ecs.AttachInstanceRamRoleRequest({
        regionId: 'cn-hangzhou',
        ramRoleName: 'OtherEcsRole',
        instanceIds: JSON.stringify([second]),
      }),
    );
    expect(again.body).toMatchObject({ totalCount: 1, failCount: 1 });
    const res = again.body!.attachInstanceRamRoleResults!.attachInstanceRamRoleResult![0]!;
    expect(res.success).toBe(false);
    expect(res.message).toContain('EcsRamRoleTest');

    const detached = await ecs.detachInstanceRamRole(
      new $Ecs.DetachInstanceRamRoleRequest({
        regionId: 'cn-hangzhou',
        instanceIds: JSON.stringify([second]),
      }),
    );
    expect(detached.body).toMatchObject({
      ramRoleName: 'EcsRamRoleTest',
      totalCount: 1,
      failCount: 0,
    });
    expect(
      detached.body!.detachInstanceRamRoleResults!.detachInstanceRamRoleResult![0]!
        .instanceRamRoleSets!.instanceRamRoleSet,
    ).toEqual([expect.objectContaining({ instanceId: second, ramRoleName: 'EcsRamRoleTest' })]);
    const none = await ecs.describeInstanceRamRole(
      new $Ecs.DescribeInstanceRamRoleRequest({
        regionId: 'cn-hangzhou',
        instanceIds: JSON.stringify([second]),
      }),
    );
    expect(none.body!.totalCount).toBe(0);
  });

  it('works with signature v1 (signatureAlgorithm v2) too', async () => {
    const ecs = ecsClient(yb, rootOf(yb), { signatureAlgorithm: 'v2' });
    const r = await ecs.describeInstances(
      new $Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou' }),
    );
    expect(r.body!.totalCount).toBeGreaterThanOrEqual(2);
  });
});

describe('tutorial step 2 with @alicloud/pop-core', () => {
  it('creates, starts, attaches and lists (GET and POST)', async () => {
    const pop = popClient(yb, rootOf(yb), '2014-05-26');
    const created = await pop.request('CreateInstance', {
      RegionId: 'cn-hangzhou',
      ImageId: TUTORIAL_IMAGE,
      InstanceType: TUTORIAL_INSTANCE_TYPE,
      VSwitchId: vswitchId,
      RamRoleName: 'EcsRamRoleTest',
      InstanceName: 'pop',
      'SystemDisk.Category': 'cloud_essd',
      Tag: [{ Key: 'env', Value: 'test' }],
    });
    const id = created.InstanceId as string;
    advanceClocks(yb, 2);
    await pop.request('StartInstance', { InstanceId: id }, { method: 'POST' });
    advanceClocks(yb, 2);
    const listed = await pop.request('DescribeInstances', {
      RegionId: 'cn-hangzhou',
      InstanceIds: JSON.stringify([id]),
      PageSize: 10,
    });
    expect(listed.Instances.Instance[0].Status).toBe('Running');
    expect(listed.Instances.Instance[0].Tags.Tag).toEqual([{ TagKey: 'env', TagValue: 'test' }]);
    const other = await pop.request('CreateInstance', {
      RegionId: 'cn-hangzhou',
      ImageId: TUTORIAL_IMAGE,
      InstanceType: TUTORIAL_INSTANCE_TYPE,
      VSwitchId: vswitchId,
    });
    const attached = await pop.request(
      'AttachInstanceRamRole',
      {
        RegionId: 'cn-hangzhou',
        RamRoleName: 'EcsRamRoleTest',
        InstanceIds: JSON.stringify([other.InstanceId]),
      },
      { method: 'POST' },
    );
    expect(attached.FailCount).toBe(0);
    const roles = await pop.request('DescribeInstanceRamRole', {
      RegionId: 'cn-hangzhou',
      InstanceIds: JSON.stringify([id, other.InstanceId]),
    });
    expect(roles.TotalCount).toBe(2);
  });
});

describe('refusals (tutorial step 2)', () => {
  it('refuses a role without a vSwitch: RAM roles are for VPC instances', async () => {
    const before = await rowCounts(yb.db);
    const e = await error(
      ecsClient(yb, rootOf(yb)).createInstance(tutorialInstance({ vSwitchId: undefined })),
    );
    expect([e.code, e.statusCode]).toEqual(['InvalidNetworkType.MismatchRamRole', 403]);
    expect(e.data.Message).toContain('VSwitchId');
    const e2 = await error(
      ecsClient(yb, rootOf(yb)).createInstance(
        tutorialInstance({ vSwitchId: undefined, ramRoleName: undefined }),
      ),
    );
    expect(e2.code).toBe('InvalidVSwitchId.Necessary');
    expect(await rowCounts(yb.db)).toEqual(before);
  });

  it('refuses a RAM user with ecs:CreateInstance but without ram:PassRole', async () => {
    const root = rootOf(yb);
    const ram = ramClient(yb, root);
    const doc = (actions: string[]) =>
      JSON.stringify({
        Version: '1',
        Statement: actions.map((Action) => ({ Action, Resource: '*', Effect: 'Allow' })),
      });
    await ram.createPolicy(
      new $Ram.CreatePolicyRequest({
        policyName: 'create-only',
        policyDocument: doc(['ecs:CreateInstance', 'ecs:AttachInstanceRamRole']),
      }),
    );
    // The tutorial's policy, with [ECS RAM Action] = ecs:CreateInstance.
    await ram.createPolicy(
      new $Ram.CreatePolicyRequest({
        policyName: 'create-and-pass',
        policyDocument: doc(['ecs:CreateInstance', 'ecs:AttachInstanceRamRole', 'ram:PassRole']),
      }),
    );
    const alice = await createUserWithKey(yb, root, 'alice');
    await ram.attachPolicyToUser(
      new $Ram.AttachPolicyToUserRequest({
        policyType: 'Custom',
        policyName: 'create-only',
        userName: 'alice',
      }),
    );
    const nobody = await createUserWithKey(yb, root, 'nobody');

    const before = await rowCounts(yb.db);
    const e0 = await error(ecsClient(yb, nobody).createInstance(tutorialInstance()));
    expect([e0.code, e0.statusCode]).toEqual(['Forbidden.RAM', 403]);
    expect(e0.data.Message).toContain('ecs:CreateInstance');

    const e = await error(ecsClient(yb, alice).createInstance(tutorialInstance()));
    expect([e.code, e.statusCode]).toEqual(['InvalidUser.PassRoleForbidden', 403]);
    expect(e.data.Message).toMatch(
      /^The RAM user does not have the privilege to pass a RAM role\./,
    );
    expect(e.data.Message).toContain('ram:PassRole');
    expect(e.data.Message).toContain(`acs:ram::${yb.accountId}:role/EcsRamRoleTest`);
    expect(e.data.AccessDeniedDetail.AuthAction).toBe('ram:PassRole');
    expect(await rowCounts(yb.db)).toEqual(before);

    // The same through pop-core (signature v1).
    const e1 = await error(
      popClient(yb, alice, '2014-05-26').request('RunInstances', {
        RegionId: 'cn-hangzhou',
        ImageId: TUTORIAL_IMAGE,
        InstanceType: TUTORIAL_INSTANCE_TYPE,
        VSwitchId: vswitchId,
        RamRoleName: 'EcsRamRoleTest',
      }),
    );
    expect(e1.code).toBe('Forbidden.RAM');

    // AttachInstanceRamRole needs PassRole too.
    const target = (
      await ecsClient(yb, root).createInstance(tutorialInstance({ ramRoleName: undefined }))
    ).body!.instanceId!;
    const mid = await rowCounts(yb.db);
    const e2 = await error(
      ecsClient(yb, alice).attachInstanceRamRole(
        new $Ecs.AttachInstanceRamRoleRequest({
          regionId: 'cn-hangzhou',
          ramRoleName: 'EcsRamRoleTest',
          instanceIds: JSON.stringify([target]),
        }),
      ),
    );
    expect([e2.code, e2.statusCode]).toEqual(['InvalidUser.PassRoleForbidden', 403]);
    expect(await rowCounts(yb.db)).toEqual(mid);
    const stillNone = await ecsClient(yb, root).describeInstanceRamRole(
      new $Ecs.DescribeInstanceRamRoleRequest({
        regionId: 'cn-hangzhou',
        instanceIds: JSON.stringify([target]),
      }),
    );
    expect(stillNone.body!.totalCount).toBe(0);

    // With the tutorial's policy (the action and ram:PassRole) it works.
    await ram.detachPolicyFromUser(
      new $Ram.DetachPolicyFromUserRequest({
        policyType: 'Custom',
        policyName: 'create-only',
        userName: 'alice',
      }),
    );
    await ram.attachPolicyToUser(
      new $Ram.AttachPolicyToUserRequest({
        policyType: 'Custom',
        policyName: 'create-and-pass',
        userName: 'alice',
      }),
    );
    const ok = await ecsClient(yb, alice).createInstance(tutorialInstance());
    expect(ok.body!.instanceId).toMatch(/^i-/);
    const attached = await ecsClient(yb, alice).attachInstanceRamRole(
      new $Ecs.AttachInstanceRamRoleRequest({
        regionId: 'cn-hangzhou',
        ramRoleName: 'EcsRamRoleTest',
        instanceIds: JSON.stringify([target]),
      }),
    );
    expect(attached.body!.failCount).toBe(0);
  });

  it('refuses a role that does not trust ecs.aliyuncs.com (401 on create, 404 on attach)', async () => {
    const root = rootOf(yb);
    await ramClient(yb, root).createRole(
      new $Ram.CreateRoleRequest({
        roleName: 'NotForEcs',
        assumeRolePolicyDocument: ramTrustPolicy([`acs:ram::${yb.accountId}:root`]),
      }),
    );
    const before = await rowCounts(yb.db);
    const e = await error(
      ecsClient(yb, root).createInstance(tutorialInstance({ ramRoleName: 'NotForEcs' })),
    );
    expect([e.code, e.statusCode]).toEqual(['InvalidRamRole.NotEcsRole', 401]);
    expect(e.data.Message).toMatch(
      /^The specified ram role is not authorized for ecs, please check your role policy\./,
    );
    expect(e.data.Message).toContain('ecs.aliyuncs.com');
    expect(await rowCounts(yb.db)).toEqual(before);

    const target = (
      await ecsClient(yb, root).createInstance(tutorialInstance({ ramRoleName: undefined }))
    ).body!.instanceId!;
    const mid = await rowCounts(yb.db);
    const e2 = await error(
      ecsClient(yb, root).attachInstanceRamRole(
        new $Ecs.AttachInstanceRamRoleRequest({
          regionId: 'cn-hangzhou',
          ramRoleName: 'NotForEcs',
          instanceIds: JSON.stringify([target]),
        }),
      ),
    );
    expect([e2.code, e2.statusCode]).toEqual(['InvalidRamRole.NotEcsRole', 404]);
    const e3 = await error(
      ecsClient(yb, root).attachInstanceRamRole(
        new $Ecs.AttachInstanceRamRoleRequest({
          regionId: 'cn-hangzhou',
          ramRoleName: 'NoSuchRole',
          instanceIds: JSON.stringify([target]),
        }),
      ),
    );
    expect([e3.code, e3.statusCode]).toEqual(['InvalidRamRole.NotFound', 404]);
    const e4 = await error(
      ecsClient(yb, root).attachInstanceRamRole(
        new $Ecs.AttachInstanceRamRoleRequest({
          regionId: 'cn-hangzhou',
          ramRoleName: 'EcsRamRoleTest',
          instanceIds: target,
        }),
      ),
    );
    expect([e4.code, e4.statusCode]).toEqual(['InvalidInstanceIds.Malformed', 400]);
    const e5 = await error(
      ecsClient(yb, root).attachInstanceRamRole(
        new $Ecs.AttachInstanceRamRoleRequest({
          regionId: 'cn-hangzhou',
          ramRoleName: 'EcsRamRoleTest',
          instanceIds: JSON.stringify(['i-doesnotexist000000']),
        }),
      ),
    );
    expect([e5.code, e5.statusCode]).toEqual(['InvalidInstanceId.NotFound', 404]);
    expect(await rowCounts(yb.db)).toEqual(mid);
  });
});
