/**
 * Instances in security groups with @alicloud/ecs20140526 on the manual clock: RunInstances and
 * CreateInstance check the groups they are given and DescribeInstances reports them; Join and
 * Leave by instance or by its primary network interface, and ModifyInstanceAttribute's
 * SecurityGroupIds, with ECS's status, VPC, type and count rules; DescribeNetworkInterfaces shows each instance's primary interface; DeleteSecurityGroup
 * and DeleteVpc are refused while the group is used; a RAM user needs ecs:* permissions on the
 * group. Refusals store nothing. SQLite, and PostgreSQL with `YUNBOX_TEST_STORE=postgres`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advanceClocks, followServerClock, restoreClock } from '../../../src/testing/clock.js';
import { failure, outcome } from '../../../src/testing/failure.js';
import {
  TUTORIAL_IMAGE,
  TUTORIAL_INSTANCE_TYPE,
  createNetwork,
  createUserWithKey,
  grantCustomPolicy,
  rootOf,
  runTutorialInstance,
} from '../../../src/testing/fixtures.js';
import { $Ecs, $Vpc, ecsClient, vpcClient } from '../../../src/testing/sdk.js';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';
import { rowCounts } from '../../../src/testing/snapshot.js';

let yb: TestServer;
let ecs: ReturnType<typeof ecsClient>;
let net: { vpcId: string; vswitchId: string; zoneId: string };
let other: { vpcId: string; vswitchId: string; zoneId: string };
const region = 'cn-hangzhou';

beforeAll(async () => {
  yb = await startTestServer({ clock: 'manual', clockStart: '2026-06-01T08:00:00Z' });
  followServerClock(yb);
  ecs = ecsClient(yb, rootOf(yb));
  net = await createNetwork(yb, rootOf(yb), { vswitchCidr: '192.168.7.0/24' });
  other = await createNetwork(yb, rootOf(yb), {
    vpcCidr: '10.0.0.0/16',
    vswitchCidr: '10.0.1.0/24',
  });
});
afterAll(async () => {
  restoreClock();
  await yb?.close();
});

async function group(extra: Record<string, unknown> = {}): Promise<string> {
  const r = await ecs.createSecurityGroup(
    new $Ecs.CreateSecurityGroupRequest({ regionId: region, vpcId: net.vpcId, ...extra }),
  );
  return r.body!.securityGroupId!;
}

function run(extra: Record<string, unknown>): Promise<string> {
  return runTutorialInstance(ecs, region, net.vswitchId, extra);
}

async function groupsOf(instanceId: string): Promise<string[]> {
  const r = await ecs.describeInstances(
    new $Ecs.DescribeInstancesRequest({
      regionId: region,
      instanceIds: JSON.stringify([instanceId]),
    }),
  );
  return r.body!.instances!.instance![0]!.securityGroupIds!.securityGroupId!;
}

const join = (extra: Record<string, unknown>) =>
  outcome(ecs.joinSecurityGroup(new $Ecs.JoinSecurityGroupRequest({ regionId: region, ...extra })));
const leave = (extra: Record<string, unknown>) =>
  outcome(
    ecs.leaveSecurityGroup(new $Ecs.LeaveSecurityGroupRequest({ regionId: region, ...extra })),
  );

describe('instances in security groups', () => {
  it('are launched into groups of their VPC, which DescribeInstances reports', async () => {
    const a = await group();
    const b = await group();
    const id = await run({ securityGroupIds: [a, b] });
    expect(await groupsOf(id)).toEqual([a, b]);
    const created = await ecs.createInstance(
      new $Ecs.CreateInstanceRequest({
        regionId: region,
        imageId: TUTORIAL_IMAGE,
        instanceType: TUTORIAL_INSTANCE_TYPE,
        vSwitchId: net.vswitchId,
        securityGroupId: a,
      }),
    );
    expect(await groupsOf(created.body!.instanceId!)).toEqual([a]);
    const listed = await ecs.describeSecurityGroups(
      new $Ecs.DescribeSecurityGroupsRequest({ regionId: region, securityGroupId: a }),
    );
    expect(listed.body!.securityGroups!.securityGroup![0]).toMatchObject({
      ecsCount: 2,
      availableInstanceAmount: 1998,
    });
  });

  it('refuse groups that are missing, of another VPC, of two types, repeated or more than 5', async () => {
    const mine = await group();
    const adv = await group({ securityGroupType: 'enterprise' });
    const elsewhere = (
      await ecs.createSecurityGroup(
        new $Ecs.CreateSecurityGroupRequest({ regionId: region, vpcId: other.vpcId }),
      )
    ).body!.securityGroupId!;
    const six = [mine];
    for (let n = 0; n < 5; n++) six.push(await group());
    const before = await rowCounts(yb.db);
    const launch = (extra: Record<string, unknown>) =>
      outcome(
        ecs.runInstances(
          new $Ecs.RunInstancesRequest({
            regionId: region,
            imageId: TUTORIAL_IMAGE,
            instanceType: TUTORIAL_INSTANCE_TYPE,
            vSwitchId: net.vswitchId,
            ...extra,
          }),
        ),
      );
    expect(await launch({ securityGroupId: 'sg-nope' })).toBe(
      '404 InvalidSecurityGroupId.NotFound',
    );
    expect(await launch({ securityGroupIds: [mine, elsewhere] })).toBe(
      '400 InvalidParameter.Mismatch',
    );
    expect(await launch({ securityGroupIds: [mine, adv] })).toBe(
      '400 InvalidOperation.MultiGroupType',
    );
    expect(await launch({ securityGroupIds: [mine, mine] })).toBe(
      '400 InvalidParameter.SecurityGroupIdRepeated',
    );
    expect(await launch({ securityGroupIds: six })).toBe('400 InstanceSecurityGroupLimitExceeded');
    expect(await rowCounts(yb.db)).toEqual(before);
  });

  it('join and leave groups, by instance or by network interface, with ECS’s rules', async () => {
    const first = await group();
    const second = await group();
    const adv = await group({ securityGroupType: 'enterprise' });
    const elsewhere = (
      await ecs.createSecurityGroup(
        new $Ecs.CreateSecurityGroupRequest({ regionId: region, vpcId: other.vpcId }),
      )
    ).body!.securityGroupId!;
    const id = await run({ securityGroupId: first });
    const eni = `eni-${id.slice(2)}`;
    // Pending for 2 s: neither Running nor Stopped.
    expect(await join({ instanceId: id, securityGroupId: second })).toBe(
      '403 IncorrectInstanceStatus',
    );
    advanceClocks(yb, 3);
    const before = await rowCounts(yb.db);
    expect(await join({ instanceId: id, securityGroupId: first })).toBe(
      '403 InvalidInstanceId.AlreadyExists',
    );
    expect(await join({ instanceId: id, securityGroupId: elsewhere })).toBe(
      '400 InvalidInstanceId.Mismatch',
    );
    expect(await join({ instanceId: id, securityGroupId: adv })).toBe(
      '400 InvalidOperation.MultiGroupType',
    );
    expect(await join({ instanceId: id, securityGroupId: 'sg-nope' })).toBe(
      '404 InvalidSecurityGroupId.NotFound',
    );
    expect(await join({ instanceId: 'i-nope', securityGroupId: second })).toBe(
      '404 InvalidInstanceId.NotFound',
    );
    expect(await join({ networkInterfaceId: 'eni-nope', securityGroupId: second })).toBe(
      '404 InvalidEniId.NotFound',
    );
    expect(await join({ instanceId: id, networkInterfaceId: eni, securityGroupId: second })).toBe(
      '403 InvalidParam.EniIdAndInstanceId.Conflict',
    );
    expect(await leave({ instanceId: id, securityGroupId: first })).toBe(
      '403 InstanceLastSecurityGroup',
    );
    expect(await leave({ instanceId: id, securityGroupId: second })).toBe(
      '400 InvalidSecurityGroupAssociation.NotFound',
    );
    expect(await rowCounts(yb.db)).toEqual(before);
    expect(await join({ networkInterfaceId: eni, securityGroupId: second })).toBe('ok');
    expect(await groupsOf(id)).toEqual([first, second]);
    expect(await leave({ instanceId: id, securityGroupId: first })).toBe('ok');
    expect(await groupsOf(id)).toEqual([second]);
    for (let n = 0; n < 4; n++)
      expect(await join({ instanceId: id, securityGroupId: await group() })).toBe('ok');
    expect(await join({ instanceId: id, securityGroupId: first })).toBe(
      '400 InstanceSecurityGroupLimitExceeded',
    );
  });

  it('move to other groups with ModifyInstanceAttribute SecurityGroupIds, as terraform changes security_groups', async () => {
    const first = await group();
    const second = await group();
    const third = await group();
    const adv = await group({ securityGroupType: 'enterprise' });
    const elsewhere = (
      await ecs.createSecurityGroup(
        new $Ecs.CreateSecurityGroupRequest({ regionId: region, vpcId: other.vpcId }),
      )
    ).body!.securityGroupId!;
    const id = await run({ securityGroupIds: [first, second] });
    const modify = (securityGroupIds: string[], extra: Record<string, unknown> = {}) =>
      outcome(
        ecs.modifyInstanceAttribute(
          new $Ecs.ModifyInstanceAttributeRequest({
            regionId: region,
            instanceId: id,
            securityGroupIds,
            ...extra,
          }),
        ),
      );
    // Pending for 2 s: the groups wait, as Join and Leave do.
    expect(await modify([third])).toBe('403 IncorrectInstanceStatus');
    advanceClocks(yb, 3);
    const before = await rowCounts(yb.db);
    expect(await modify([first, 'sg-nope'])).toBe('404 InvalidSecurityGroupId.NotFound');
    expect(await modify([first, elsewhere])).toBe('400 InvalidInstanceId.Mismatch');
    expect(await modify([first, adv])).toBe('400 InvalidOperation.MultiGroupType');
    expect(await modify([third, third])).toBe('400 InvalidParameter.SecurityGroupIdRepeated');
    const six = [first, second, third];
    for (let n = 0; n < 3; n++) six.push(await group());
    const counted = await rowCounts(yb.db);
    expect(await modify(six)).toBe('400 InstanceSecurityGroupLimitExceeded');
    // A refused change changes nothing, the instance's name included.
    expect(await modify([third, elsewhere], { instanceName: 'renamed' })).toBe(
      '400 InvalidInstanceId.Mismatch',
    );
    expect(await rowCounts(yb.db)).toEqual(counted);
    expect(before.ecs_security_group_members).toBe(counted.ecs_security_group_members);
    expect(await groupsOf(id)).toEqual([first, second]);

    expect(await modify([second, third], { instanceName: 'moved' })).toBe('ok');
    expect(await groupsOf(id)).toEqual([second, third]);
    const firstNow = await ecs.describeSecurityGroups(
      new $Ecs.DescribeSecurityGroupsRequest({ regionId: region, securityGroupId: first }),
    );
    expect(firstNow.body!.securityGroups!.securityGroup![0]!.ecsCount).toBe(0);
    const attr = await ecs.describeInstanceAttribute(
      new $Ecs.DescribeInstanceAttributeRequest({ instanceId: id }),
    );
    expect(attr.body!.instanceName).toBe('moved');
    expect(attr.body!.securityGroupIds!.securityGroupId).toEqual([second, third]);
    // Another type altogether is allowed when the list is of one type; first can go now.
    expect(await modify([adv])).toBe('ok');
    expect(await groupsOf(id)).toEqual([adv]);
    expect(
      await outcome(
        ecs.deleteSecurityGroup(
          new $Ecs.DeleteSecurityGroupRequest({ regionId: region, securityGroupId: first }),
        ),
      ),
    ).toBe('ok');
  });

  it('keep their groups from being deleted, and release them when released', async () => {
    const g = await group();
    const id = await run({ securityGroupId: g });
    const e = await failure(
      ecs.deleteSecurityGroup(
        new $Ecs.DeleteSecurityGroupRequest({ regionId: region, securityGroupId: g }),
      ),
    );
    expect([e.statusCode, e.code, e.data.Message]).toEqual([
      403,
      'DependencyViolation',
      expect.stringContaining('There is still instance(s)'),
    ]);
    await ecs.deleteInstance(new $Ecs.DeleteInstanceRequest({ instanceId: id, force: true }));
    await ecs.deleteSecurityGroup(
      new $Ecs.DeleteSecurityGroupRequest({ regionId: region, securityGroupId: g }),
    );
    expect(
      await outcome(
        ecs.describeSecurityGroupAttribute(
          new $Ecs.DescribeSecurityGroupAttributeRequest({ regionId: region, securityGroupId: g }),
        ),
      ),
    ).toBe('404 InvalidSecurityGroupId.NotFound');
  });

  it('keep their VPC from being deleted (DependencyViolation.SecurityGroup)', async () => {
    const vpc = vpcClient(yb, rootOf(yb));
    const v = (
      await vpc.createVpc(
        new $Vpc.CreateVpcRequest({ regionId: region, cidrBlock: '172.20.0.0/16' }),
      )
    ).body!.vpcId!;
    const g = (
      await ecs.createSecurityGroup(
        new $Ecs.CreateSecurityGroupRequest({ regionId: region, vpcId: v }),
      )
    ).body!.securityGroupId!;
    const e = await failure(
      vpc.deleteVpc(new $Vpc.DeleteVpcRequest({ regionId: region, vpcId: v })),
    );
    expect([e.statusCode, e.code]).toEqual([400, 'DependencyViolation.SecurityGroup']);
    await ecs.deleteSecurityGroup(
      new $Ecs.DeleteSecurityGroupRequest({ regionId: region, securityGroupId: g }),
    );
    await vpc.deleteVpc(new $Vpc.DeleteVpcRequest({ regionId: region, vpcId: v }));
  });
});

describe('network interfaces', () => {
  it("are each instance's primary interface, with its address, MAC, vSwitch and groups", async () => {
    const g = await group();
    const id = await run({ securityGroupId: g, privateIpAddress: '192.168.7.77' });
    const eni = `eni-${id.slice(2)}`;
    const list = async (extra: Record<string, unknown>) =>
      (
        await ecs.describeNetworkInterfaces(
          new $Ecs.DescribeNetworkInterfacesRequest({ regionId: region, ...extra }),
        )
      ).body!;
    const byId = await list({ networkInterfaceId: [eni] });
    expect(byId.totalCount).toBe(1);
    const n = byId.networkInterfaceSets!.networkInterfaceSet![0]!;
    expect(n).toMatchObject({
      networkInterfaceId: eni,
      type: 'Primary',
      status: 'InUse',
      instanceId: id,
      vpcId: net.vpcId,
      vSwitchId: net.vswitchId,
      zoneId: net.zoneId,
      privateIpAddress: '192.168.7.77',
      networkInterfaceTrafficMode: 'Standard',
    });
    expect(n.macAddress).toMatch(/^00:16:3e:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}$/);
    expect(n.securityGroupIds!.securityGroupId).toEqual([g]);
    expect(n.privateIpSets!.privateIpSet![0]).toMatchObject({
      privateIpAddress: '192.168.7.77',
      primary: true,
    });
    expect(n.attachment).toMatchObject({ instanceId: id, networkCardIndex: 0 });
    // The interface DescribeInstances names is this one.
    const inst = await ecs.describeInstances(
      new $Ecs.DescribeInstancesRequest({ regionId: region, instanceIds: JSON.stringify([id]) }),
    );
    const primary = inst.body!.instances!.instance![0]!.networkInterfaces!.networkInterface![0]!;
    expect([primary.networkInterfaceId, primary.macAddress]).toEqual([eni, n.macAddress]);
    const ids = (b: any) =>
      b.networkInterfaceSets.networkInterfaceSet.map((x: any) => x.networkInterfaceId);
    expect(ids(await list({ instanceId: id }))).toEqual([eni]);
    expect(ids(await list({ securityGroupId: g }))).toEqual([eni]);
    expect(ids(await list({ primaryIpAddress: '192.168.7.77' }))).toEqual([eni]);
    expect(ids(await list({ instanceId: id, type: 'Secondary' }))).toEqual([]);
    expect(ids(await list({ networkInterfaceId: ['eni-nope'] }))).toEqual([]);
    const t = await list({ vpcId: net.vpcId, maxResults: 1 });
    expect(ids(t)).toHaveLength(1);
    expect(t.nextToken).not.toBe('');
    expect(await outcome(list({ nextToken: 'bogus' }))).toBe('400 InvalidNextToken.Malformed');
    await ecs.deleteInstance(new $Ecs.DeleteInstanceRequest({ instanceId: id, force: true }));
    expect(ids(await list({ networkInterfaceId: [eni] }))).toEqual([]);
  });
});

describe('permissions', () => {
  it('a RAM user needs ecs:* on the group (Forbidden.RAM), and gets exactly what is granted', async () => {
    const g = await group();
    const nobody = await createUserWithKey(yb, rootOf(yb), 'sg-nobody');
    const e = await failure(
      ecsClient(yb, nobody).describeSecurityGroupAttribute(
        new $Ecs.DescribeSecurityGroupAttributeRequest({ regionId: region, securityGroupId: g }),
      ),
    );
    expect([e.statusCode, e.code]).toEqual([403, 'Forbidden.RAM']);
    expect(e.data.Message).toContain('ecs:DescribeSecurityGroupAttribute');
    const editor = await createUserWithKey(yb, rootOf(yb), 'sg-editor');
    await grantCustomPolicy(yb, rootOf(yb), 'sg-editor', 'OneGroupRules', [
      {
        Effect: 'Allow',
        Action: ['ecs:AuthorizeSecurityGroup', 'ecs:DescribeSecurityGroupAttribute'],
        Resource: `acs:ecs:*:*:securitygroup/${g}`,
      },
    ]);
    const client = ecsClient(yb, editor);
    await client.authorizeSecurityGroup(
      new $Ecs.AuthorizeSecurityGroupRequest({
        regionId: region,
        securityGroupId: g,
        permissions: [
          new $Ecs.AuthorizeSecurityGroupRequestPermissions({
            ipProtocol: 'tcp',
            portRange: '22/22',
            sourceCidrIp: '10.0.0.0/8',
          }),
        ],
      }),
    );
    const other = await group();
    expect(
      await outcome(
        client.authorizeSecurityGroup(
          new $Ecs.AuthorizeSecurityGroupRequest({
            regionId: region,
            securityGroupId: other,
            permissions: [
              new $Ecs.AuthorizeSecurityGroupRequestPermissions({
                ipProtocol: 'tcp',
                portRange: '22/22',
                sourceCidrIp: '10.0.0.0/8',
              }),
            ],
          }),
        ),
      ),
    ).toBe('403 Forbidden.RAM');
    expect(
      await outcome(
        client.deleteSecurityGroup(
          new $Ecs.DeleteSecurityGroupRequest({ regionId: region, securityGroupId: g }),
        ),
      ),
    ).toBe('403 Forbidden.RAM');
  });
});
