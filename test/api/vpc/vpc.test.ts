/**
 * VPC with the official clients: @alicloud/vpc20160428 (ACS3 and signature v1) creates, lists
 * and deletes VPCs and vSwitches; CIDR blocks must be well formed, inside the VPC and not
 * overlapping; deletes are refused while something depends on them; a RAM user needs `vpc:*`
 * permissions; the ECS SDK's legacy 2014-05-26 calls reach the same data. Refusals store nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';
import { $Ecs, $Vpc, ecsClient, popClient, vpcClient } from '../../../src/testing/sdk.js';
import {
  TUTORIAL_IMAGE,
  TUTORIAL_INSTANCE_TYPE,
  createUserWithKey,
  rootOf,
} from '../../../src/testing/fixtures.js';
import { rowCounts } from '../../../src/testing/snapshot.js';

let yb: TestServer;
beforeAll(async () => {
  yb = await startTestServer();
});
afterAll(async () => {
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

describe('VPC API (2016-04-28)', () => {
  it('creates a VPC with the default block and shows it', async () => {
    const vpc = vpcClient(yb, rootOf(yb));
    const created = await vpc.createVpc(
      new $Vpc.CreateVpcRequest({ regionId: 'cn-hangzhou', vpcName: 'default-block' }),
    );
    expect(created.body!.vpcId).toMatch(/^vpc-[a-z0-9]{21}$/);
    expect(created.body!.VRouterId).toMatch(/^vrt-/);
    expect(created.body!.routeTableId).toMatch(/^vtb-/);
    const listed = await vpc.describeVpcs(
      new $Vpc.DescribeVpcsRequest({ regionId: 'cn-hangzhou', vpcId: created.body!.vpcId }),
    );
    expect(listed.body!.totalCount).toBe(1);
    const v = listed.body!.vpcs!.vpc![0]!;
    expect(v).toMatchObject({
      vpcId: created.body!.vpcId,
      vpcName: 'default-block',
      cidrBlock: '172.16.0.0/12',
      status: 'Available',
      regionId: 'cn-hangzhou',
      isDefault: false,
    });
    expect(v.creationTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(v.vSwitchIds!.vSwitchId).toEqual([]);
    const attr = await vpc.describeVpcAttribute(
      new $Vpc.DescribeVpcAttributeRequest({ regionId: 'cn-hangzhou', vpcId: v.vpcId }),
    );
    expect(attr.body!.cidrBlock).toBe('172.16.0.0/12');
    await vpc.deleteVpc(new $Vpc.DeleteVpcRequest({ regionId: 'cn-hangzhou', vpcId: v.vpcId }));
    const e = await error(
      vpc.describeVpcAttribute(
        new $Vpc.DescribeVpcAttributeRequest({ regionId: 'cn-hangzhou', vpcId: v.vpcId }),
      ),
    );
    expect(e.code).toBe('InvalidVpcId.NotFound');
    expect(e.statusCode).toBe(404);
  });

  it('creates vSwitches inside the VPC block, refusing overlaps and stray blocks', async () => {
    const vpc = vpcClient(yb, rootOf(yb), { signatureAlgorithm: 'v2' });
    const { body } = await vpc.createVpc(
      new $Vpc.CreateVpcRequest({ regionId: 'cn-hangzhou', cidrBlock: '10.0.0.0/16' }),
    );
    const vpcId = body!.vpcId!;
    const a = await vpc.createVSwitch(
      new $Vpc.CreateVSwitchRequest({
        regionId: 'cn-hangzhou',
        vpcId,
        zoneId: 'cn-hangzhou-i',
        cidrBlock: '10.0.1.0/24',
        vSwitchName: 'a',
      }),
    );
    expect(a.body!.vSwitchId).toMatch(/^vsw-/);
    const before = await rowCounts(yb.db);
    const refusals: Array<[Record<string, string>, string, number]> = [
      [{ cidrBlock: '10.0.1.128/25' }, 'InvalidCidrBlock.Overlapped', 400],
      [{ cidrBlock: '10.0.0.0/20' }, 'InvalidCidrBlock.Overlapped', 400],
      [{ cidrBlock: '10.1.0.0/24' }, 'InvalidParameter', 400],
      [{ cidrBlock: '10.0.2.1/24' }, 'InvalidCidrBlock.Malformed', 400],
      [{ cidrBlock: '10.0.0.0/30' }, 'InvalidCidrBlock.Malformed', 400],
      [{ cidrBlock: 'banana' }, 'InvalidCidrBlock.Malformed', 400],
      [{ zoneId: 'cn-shanghai-a' }, 'InvalidZoneId.NotFound', 404],
      [{ vpcId: 'vpc-doesnotexist000000000' }, 'InvalidVpcId.NotFound', 404],
      [{ regionId: 'cn-beijing' }, 'InvalidRegionId.NotFound', 404],
    ];
    for (const [override, code, status] of refusals) {
      const e = await error(
        vpc.createVSwitch(
          new $Vpc.CreateVSwitchRequest({
            regionId: 'cn-hangzhou',
            vpcId,
            zoneId: 'cn-hangzhou-i',
            cidrBlock: '10.0.9.0/24',
            ...override,
          }),
        ),
      );
      expect([e.code, e.statusCode], JSON.stringify(override)).toEqual([code, status]);
      expect(e.data.Message).toBeTypeOf('string');
    }
    expect(await rowCounts(yb.db)).toEqual(before);

    const listed = await vpc.describeVSwitches(
      new $Vpc.DescribeVSwitchesRequest({ regionId: 'cn-hangzhou', vpcId }),
    );
    expect(listed.body!.totalCount).toBe(1);
    expect(listed.body!.vSwitches!.vSwitch![0]).toMatchObject({
      vSwitchId: a.body!.vSwitchId,
      vpcId,
      zoneId: 'cn-hangzhou-i',
      cidrBlock: '10.0.1.0/24',
      vSwitchName: 'a',
      status: 'Available',
      // 256 addresses minus the first and the last three (doc "CreateVSwitch").
      availableIpAddressCount: 252,
    });
    const vpcs = await vpc.describeVpcs(
      new $Vpc.DescribeVpcsRequest({ regionId: 'cn-hangzhou', vpcId }),
    );
    expect(vpcs.body!.vpcs!.vpc![0]!.vSwitchIds!.vSwitchId).toEqual([a.body!.vSwitchId]);
  });

  it('refuses deletes while something depends on them', async () => {
    const root = rootOf(yb);
    const vpc = vpcClient(yb, root);
    const { body } = await vpc.createVpc(
      new $Vpc.CreateVpcRequest({ regionId: 'cn-hangzhou', cidrBlock: '192.168.0.0/16' }),
    );
    const vpcId = body!.vpcId!;
    const s = await vpc.createVSwitch(
      new $Vpc.CreateVSwitchRequest({
        regionId: 'cn-hangzhou',
        vpcId,
        zoneId: 'cn-hangzhou-k',
        cidrBlock: '192.168.3.0/24',
      }),
    );
    const vswitchId = s.body!.vSwitchId!;
    const inst = await ecsClient(yb, root).createInstance(
      new $Ecs.CreateInstanceRequest({
        regionId: 'cn-hangzhou',
        imageId: TUTORIAL_IMAGE,
        instanceType: TUTORIAL_INSTANCE_TYPE,
        vSwitchId: vswitchId,
      }),
    );
    const before = await rowCounts(yb.db);
    const e1 = await error(vpc.deleteVpc(new $Vpc.DeleteVpcRequest({ vpcId })));
    expect([e1.code, e1.statusCode]).toEqual(['DependencyViolation.VSwitch', 400]);
    const e2 = await error(
      vpc.deleteVSwitch(new $Vpc.DeleteVSwitchRequest({ vSwitchId: vswitchId })),
    );
    expect([e2.code, e2.statusCode]).toEqual(['DependencyViolation', 400]);
    expect(e2.data.Message).toContain(vswitchId);
    expect(await rowCounts(yb.db)).toEqual(before);

    const used = await vpc.describeVSwitchAttributes(
      new $Vpc.DescribeVSwitchAttributesRequest({ vSwitchId: vswitchId }),
    );
    expect(used.body!.availableIpAddressCount).toBe(251);

    await ecsClient(yb, root).deleteInstance(
      new $Ecs.DeleteInstanceRequest({ instanceId: inst.body!.instanceId, force: true }),
    );
    await vpc.deleteVSwitch(new $Vpc.DeleteVSwitchRequest({ vSwitchId: vswitchId }));
    await vpc.deleteVpc(new $Vpc.DeleteVpcRequest({ vpcId }));
    const gone = await vpc.describeVpcs(
      new $Vpc.DescribeVpcsRequest({ regionId: 'cn-hangzhou', vpcId }),
    );
    expect(gone.body!.totalCount).toBe(0);
  });

  it('needs vpc:* permissions for a RAM user, with Forbidden.RAM', async () => {
    const nobody = await createUserWithKey(yb, rootOf(yb), 'vpc-nobody');
    const reader = await createUserWithKey(yb, rootOf(yb), 'vpc-reader', [
      'AliyunVPCReadOnlyAccess',
    ]);
    const before = await rowCounts(yb.db);
    const e = await error(
      vpcClient(yb, nobody).createVpc(new $Vpc.CreateVpcRequest({ regionId: 'cn-hangzhou' })),
    );
    expect([e.code, e.statusCode]).toEqual(['Forbidden.RAM', 403]);
    expect(e.data.Message).toContain('vpc:CreateVpc');
    const e2 = await error(
      vpcClient(yb, reader).createVpc(new $Vpc.CreateVpcRequest({ regionId: 'cn-hangzhou' })),
    );
    expect(e2.code).toBe('Forbidden.RAM');
    expect(await rowCounts(yb.db)).toEqual(before);
    const ok = await vpcClient(yb, reader).describeVpcs(
      new $Vpc.DescribeVpcsRequest({ regionId: 'cn-hangzhou' }),
    );
    expect(ok.body!.totalCount).toBeGreaterThan(0);
  });

  it('pages VPC listings', async () => {
    const vpc = vpcClient(yb, rootOf(yb));
    for (let n = 0; n < 3; n++) {
      await vpc.createVpc(new $Vpc.CreateVpcRequest({ regionId: 'cn-hangzhou', vpcName: 'page' }));
    }
    const p1 = await vpc.describeVpcs(
      new $Vpc.DescribeVpcsRequest({
        regionId: 'cn-hangzhou',
        vpcName: 'page',
        pageSize: 2,
        pageNumber: 1,
      }),
    );
    const p2 = await vpc.describeVpcs(
      new $Vpc.DescribeVpcsRequest({
        regionId: 'cn-hangzhou',
        vpcName: 'page',
        pageSize: 2,
        pageNumber: 2,
      }),
    );
    expect(p1.body!.totalCount).toBe(3);
    expect(p1.body!.vpcs!.vpc).toHaveLength(2);
    expect(p2.body!.vpcs!.vpc).toHaveLength(1);
    const e = await error(
      vpc.describeVpcs(new $Vpc.DescribeVpcsRequest({ regionId: 'cn-hangzhou', pageSize: 51 })),
    );
    expect(e.code).toBe('InvalidPageSize');
  });
});

describe("the ECS SDK's legacy VPC calls (2014-05-26)", () => {
  it('create, list and delete the same VPCs and vSwitches (Tea SDK and pop-core)', async () => {
    const ecs = ecsClient(yb, rootOf(yb));
    const v = await ecs.createVpc(
      new $Ecs.CreateVpcRequest({
        regionId: 'cn-hangzhou',
        cidrBlock: '172.16.0.0/12',
        vpcName: 'legacy',
      }),
    );
    const s = await ecs.createVSwitch(
      new $Ecs.CreateVSwitchRequest({
        regionId: 'cn-hangzhou',
        vpcId: v.body!.vpcId,
        zoneId: 'cn-hangzhou-i',
        cidrBlock: '172.16.0.0/24',
        vSwitchName: 'legacy-vsw',
      }),
    );
    // The VPC API sees them.
    const viaVpc = await vpcClient(yb, rootOf(yb)).describeVSwitches(
      new $Vpc.DescribeVSwitchesRequest({ regionId: 'cn-hangzhou', vSwitchId: s.body!.vSwitchId }),
    );
    expect(viaVpc.body!.vSwitches!.vSwitch![0]!.vSwitchName).toBe('legacy-vsw');

    const pop = popClient(yb, rootOf(yb), '2014-05-26');
    const vpcs = await pop.request('DescribeVpcs', {
      RegionId: 'cn-hangzhou',
      VpcId: v.body!.vpcId,
    });
    expect(vpcs.Vpcs.Vpc[0].VSwitchIds.VSwitchId).toEqual([s.body!.vSwitchId]);
    const switches = await ecs.describeVSwitches(
      new $Ecs.DescribeVSwitchesRequest({ regionId: 'cn-hangzhou', vpcId: v.body!.vpcId }),
    );
    expect(switches.body!.vSwitches!.vSwitch![0]).toMatchObject({
      vSwitchId: s.body!.vSwitchId,
      cidrBlock: '172.16.0.0/24',
      availableIpAddressCount: 252,
    });
    await pop.request('DeleteVSwitch', { VSwitchId: s.body!.vSwitchId }, { method: 'POST' });
    await ecs.deleteVpc(
      new $Ecs.DeleteVpcRequest({ regionId: 'cn-hangzhou', vpcId: v.body!.vpcId }),
    );
    const after = await ecs.describeVpcs(
      new $Ecs.DescribeVpcsRequest({ regionId: 'cn-hangzhou', vpcId: v.body!.vpcId }),
    );
    expect(after.body!.totalCount).toBe(0);
  });
});
