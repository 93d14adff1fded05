/**
 * ECS instances with @alicloud/ecs20140526 on the manual clock: the state machine with Alibaba's
 * state names (time-based, no timers), RunInstances, private addresses from the vSwitch (lowest
 * free, a requested one, none left), DescribeInstances filters and both pagination styles,
 * DescribeInstanceAttribute/Status, ModifyInstanceMetadataOptions, DryRun, the catalogue, and the
 * validation codes. Refusals store nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';
import { advanceClocks, followServerClock, restoreClock } from '../../../src/testing/clock.js';
import { $Ecs, ecsClient } from '../../../src/testing/sdk.js';
import {
  TUTORIAL_IMAGE,
  TUTORIAL_INSTANCE_TYPE,
  createNetwork,
  rootOf,
} from '../../../src/testing/fixtures.js';
import { rowCounts } from '../../../src/testing/snapshot.js';

let yb: TestServer;
let net: { vpcId: string; vswitchId: string; zoneId: string };
let ecs: ReturnType<typeof ecsClient>;

beforeAll(async () => {
  yb = await startTestServer({ clock: 'manual', clockStart: '2026-06-01T08:00:00Z' });
  followServerClock(yb);
  net = await createNetwork(yb, rootOf(yb), { vswitchCidr: '192.168.10.0/24' });
  ecs = ecsClient(yb, rootOf(yb));
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

const base = (extra: Record<string, unknown> = {}) => ({
  regionId: 'cn-hangzhou',
  imageId: TUTORIAL_IMAGE,
  instanceType: TUTORIAL_INSTANCE_TYPE,
  vSwitchId: net.vswitchId,
  ...extra,
});

async function status(instanceId: string): Promise<string> {
  const r = await ecs.describeInstanceStatus(
    new $Ecs.DescribeInstanceStatusRequest({ regionId: 'cn-hangzhou', instanceId: [instanceId] }),
  );
  return r.body!.instanceStatuses!.instanceStatus![0]!.status!;
}

describe('the state machine', () => {
  it('walks Pending -> Stopped -> Starting -> Running -> Stopping -> Stopped, on the clock', async () => {
    const id = (await ecs.createInstance(new $Ecs.CreateInstanceRequest(base()))).body!.instanceId!;
    expect(await status(id)).toBe('Pending');
    advanceClocks(yb, 1);
    expect(await status(id)).toBe('Pending');
    advanceClocks(yb, 1);
    expect(await status(id)).toBe('Stopped');
    const e = await error(ecs.stopInstance(new $Ecs.StopInstanceRequest({ instanceId: id })));
    expect([e.code, e.statusCode]).toEqual(['IncorrectInstanceStatus', 403]);
    expect(e.data.Message).toContain('is Stopped; StopInstance needs Running');

    const dry = await error(
      ecs.startInstance(new $Ecs.StartInstanceRequest({ instanceId: id, dryRun: true })),
    );
    expect(dry.code).toBe('DryRunOperation');
    expect(await status(id)).toBe('Stopped');

    await ecs.startInstance(new $Ecs.StartInstanceRequest({ instanceId: id }));
    expect(await status(id)).toBe('Starting');
    const twice = await error(ecs.startInstance(new $Ecs.StartInstanceRequest({ instanceId: id })));
    expect(twice.code).toBe('IncorrectInstanceStatus');
    advanceClocks(yb, 2);
    expect(await status(id)).toBe('Running');

    await ecs.rebootInstance(new $Ecs.RebootInstanceRequest({ instanceId: id }));
    expect(await status(id)).toBe('Starting');
    advanceClocks(yb, 2);
    expect(await status(id)).toBe('Running');

    const running = await error(
      ecs.deleteInstance(new $Ecs.DeleteInstanceRequest({ instanceId: id })),
    );
    expect(running.code).toBe('IncorrectInstanceStatus');
    await ecs.stopInstance(new $Ecs.StopInstanceRequest({ instanceId: id, forceStop: false }));
    expect(await status(id)).toBe('Stopping');
    advanceClocks(yb, 2);
    expect(await status(id)).toBe('Stopped');
    await ecs.deleteInstance(new $Ecs.DeleteInstanceRequest({ instanceId: id }));
    const gone = await error(
      ecs.describeInstanceAttribute(new $Ecs.DescribeInstanceAttributeRequest({ instanceId: id })),
    );
    expect([gone.code, gone.statusCode]).toEqual(['InvalidInstanceId.NotFound', 404]);
  });

  it('RunInstances starts them (Pending -> Running); Force releases a Running one', async () => {
    const r = await ecs.runInstances(
      new $Ecs.RunInstancesRequest(
        base({ amount: 3, instanceName: 'web', hostName: 'web', uniqueSuffix: true }),
      ),
    );
    const ids = r.body!.instanceIdSets!.instanceIdSet!;
    expect(ids).toHaveLength(3);
    expect(await status(ids[0]!)).toBe('Pending');
    advanceClocks(yb, 2);
    const d = await ecs.describeInstances(
      new $Ecs.DescribeInstancesRequest({
        regionId: 'cn-hangzhou',
        instanceIds: JSON.stringify(ids),
      }),
    );
    const listed = d.body!.instances!.instance!;
    expect(listed.map((i) => i.status)).toEqual(['Running', 'Running', 'Running']);
    expect(listed.map((i) => i.instanceName)).toEqual(['web001', 'web002', 'web003']);
    expect(listed.map((i) => i.hostName)).toEqual(['web001', 'web002', 'web003']);
    for (const id of ids) {
      await ecs.deleteInstance(new $Ecs.DeleteInstanceRequest({ instanceId: id, force: true }));
    }
  });
});

describe('addresses', () => {
  it('hands out the lowest free address, a requested one, and refuses duplicates and strays', async () => {
    const small = await createNetwork(yb, rootOf(yb), {
      vpcCidr: '10.8.0.0/16',
      vswitchCidr: '10.8.0.0/29',
      zoneId: 'cn-hangzhou-j',
    });
    const launch = (extra: Record<string, unknown> = {}) =>
      ecs.runInstances(
        new $Ecs.RunInstancesRequest(base({ vSwitchId: small.vswitchId, ...extra })),
      );
    const ipOf = async (id: string) =>
      (
        await ecs.describeInstanceAttribute(
          new $Ecs.DescribeInstanceAttributeRequest({ instanceId: id }),
        )
      ).body!.vpcAttributes!.privateIpAddress!.ipAddress![0];

    // A /29 has 8 addresses; the first and the last three are reserved: .1 to .4 are usable.
    const a = (await launch()).body!.instanceIdSets!.instanceIdSet![0]!;
    expect(await ipOf(a)).toBe('10.8.0.1');
    const b = (await launch({ privateIpAddress: '10.8.0.3' })).body!.instanceIdSets!
      .instanceIdSet![0]!;
    expect(await ipOf(b)).toBe('10.8.0.3');
    const before = await rowCounts(yb.db);
    const dup = await error(launch({ privateIpAddress: '10.8.0.3' }));
    expect(dup.code).toBe('InvalidPrivateIpAddress.Duplicated');
    const stray = await error(launch({ privateIpAddress: '10.8.0.6' }));
    expect(stray.code).toBe('InvalidPrivateIpAddress');
    const bad = await error(launch({ privateIpAddress: '10.8.0.300' }));
    expect(bad.code).toBe('InvalidPrivateIpAddress.Malformed');
    const tooMany = await error(launch({ amount: 3 }));
    expect(tooMany.code).toBe('QuotaExceeded.PrivateIpAddress');
    expect(await rowCounts(yb.db)).toEqual(before);
    const two = (await launch({ amount: 2 })).body!.instanceIdSets!.instanceIdSet!;
    expect([await ipOf(two[0]!), await ipOf(two[1]!)]).toEqual(['10.8.0.2', '10.8.0.4']);
    const full = await error(launch());
    expect(full.code).toBe('QuotaExceeded.PrivateIpAddress');
    // Releasing frees the address.
    await ecs.deleteInstance(new $Ecs.DeleteInstanceRequest({ instanceId: a, force: true }));
    const c = (await launch()).body!.instanceIdSets!.instanceIdSet![0]!;
    expect(await ipOf(c)).toBe('10.8.0.1');
  });
});

describe('DescribeInstances', () => {
  it('filters and pages (PageNumber/PageSize and NextToken/MaxResults)', async () => {
    const other = await createNetwork(yb, rootOf(yb), {
      vpcCidr: '10.20.0.0/16',
      vswitchCidr: '10.20.1.0/24',
      zoneId: 'cn-hangzhou-h',
    });
    const ids = (
      await ecs.runInstances(
        new $Ecs.RunInstancesRequest(
          base({
            vSwitchId: other.vswitchId,
            amount: 5,
            instanceName: 'batch',
            uniqueSuffix: true,
            tag: [new $Ecs.RunInstancesRequestTag({ key: 'team', value: 'blue' })],
          }),
        ),
      )
    ).body!.instanceIdSets!.instanceIdSet!;
    advanceClocks(yb, 2);
    await ecs.stopInstance(new $Ecs.StopInstanceRequest({ instanceId: ids[0] }));
    const q = (extra: Record<string, unknown>) =>
      ecs.describeInstances(
        new $Ecs.DescribeInstancesRequest({
          regionId: 'cn-hangzhou',
          vpcId: other.vpcId,
          ...extra,
        }),
      );
    expect((await q({})).body!.totalCount).toBe(5);
    expect(
      (await q({ status: 'Stopping' })).body!.instances!.instance!.map((i) => i.instanceId),
    ).toEqual([ids[0]]);
    expect((await q({ status: 'Running' })).body!.totalCount).toBe(4);
    expect((await q({ instanceName: 'batch00*' })).body!.totalCount).toBe(5);
    expect((await q({ instanceName: 'batch003' })).body!.totalCount).toBe(1);
    expect((await q({ zoneId: 'cn-hangzhou-i' })).body!.totalCount).toBe(0);
    expect(
      (
        await q({
          tag: [new $Ecs.DescribeInstancesRequestTag({ key: 'team', value: 'blue' })],
        })
      ).body!.totalCount,
    ).toBe(5);
    expect(
      (await q({ tag: [new $Ecs.DescribeInstancesRequestTag({ key: 'team', value: 'red' })] }))
        .body!.totalCount,
    ).toBe(0);
    expect(
      (
        await q({ privateIpAddresses: JSON.stringify(['10.20.1.2']) })
      ).body!.instances!.instance!.map((i) => i.instanceId),
    ).toEqual([ids[1]]);

    const p2 = (await q({ pageSize: 2, pageNumber: 2 })).body!;
    expect(p2).toMatchObject({ totalCount: 5, pageNumber: 2, pageSize: 2 });
    expect(p2.instances!.instance!.map((i) => i.instanceId)).toEqual(ids.slice(2, 4));

    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = (await q({ maxResults: 2, ...(token ? { nextToken: token } : {}) })).body!;
      seen.push(...page.instances!.instance!.map((i) => i.instanceId!));
      token = page.nextToken || undefined;
    } while (token);
    expect(seen).toEqual(ids);

    const bad = await error(q({ status: 'Sleeping' }));
    expect([bad.code, bad.statusCode]).toEqual(['InvalidStatus.NotFound', 404]);
    const malformed = await error(q({ instanceIds: 'i-abc' }));
    expect(malformed.code).toBe('InvalidInstanceIds.Malformed');
    const region = await error(
      ecs.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: 'cn-shanghai' })),
    );
    expect([region.code, region.statusCode]).toEqual(['InvalidRegionId.NotFound', 404]);
  });
});

describe('metadata options and launch validation', () => {
  it('ModifyInstanceMetadataOptions shows in MetadataOptions', async () => {
    const id = (
      await ecs.createInstance(new $Ecs.CreateInstanceRequest(base({ httpTokens: 'required' })))
    ).body!.instanceId!;
    const show = async () =>
      (
        await ecs.describeInstances(
          new $Ecs.DescribeInstancesRequest({
            regionId: 'cn-hangzhou',
            instanceIds: JSON.stringify([id]),
          }),
        )
      ).body!.instances!.instance![0]!.metadataOptions;
    expect(await show()).toMatchObject({ httpTokens: 'required', httpEndpoint: 'enabled' });
    await ecs.modifyInstanceMetadataOptions(
      new $Ecs.ModifyInstanceMetadataOptionsRequest({
        regionId: 'cn-hangzhou',
        instanceId: id,
        httpTokens: 'optional',
        httpEndpoint: 'disabled',
      }),
    );
    expect(await show()).toMatchObject({ httpTokens: 'optional', httpEndpoint: 'disabled' });
    const e = await error(
      ecs.modifyInstanceMetadataOptions(
        new $Ecs.ModifyInstanceMetadataOptionsRequest({
          regionId: 'cn-hangzhou',
          instanceId: id,
          httpEndpoint: 'sometimes',
        }),
      ),
    );
    expect([e.code, e.statusCode]).toEqual(['InvalidHttpEndpoint.NotSupported', 400]);
    const e2 = await error(
      ecs.modifyInstanceMetadataOptions(
        new $Ecs.ModifyInstanceMetadataOptionsRequest({
          regionId: 'cn-hangzhou',
          instanceId: id,
          httpTokens: 'always',
        }),
      ),
    );
    expect(e2.code).toBe('InvalidHttpTokens.NotSupported');
  });

  it('refuses bad launch parameters with their codes, storing nothing', async () => {
    const before = await rowCounts(yb.db);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ imageId: 'no_such_image.vhd' }, 'InvalidImageId.NotFound'],
      [{ instanceType: 'ecs.x99.huge' }, 'InvalidInstanceType.ValueNotSupported'],
      [{ instanceType: 'ecs.g8y.large' }, 'ImageNotSupportInstanceType'],
      [{ vSwitchId: 'vsw-doesnotexist0000000' }, 'InvalidVSwitchId.NotFound'],
      [{ zoneId: 'cn-hangzhou-a' }, 'InvalidParameter.Mismatch'],
      [{ userData: 'not base64!' }, 'InvalidUserData.Base64FormatInvalid'],
      // ECS takes 32 KB before Base64 (instance-attributes/model.ts): one byte more is refused.
      [
        { userData: Buffer.alloc(32 * 1024 + 1).toString('base64') },
        'InvalidUserData.SizeExceeded',
      ],
      [{ instanceName: '1-starts-with-a-digit' }, 'InvalidInstanceName.Malformed'],
      [{ hostName: '-bad-' }, 'InvalidHostName.Malformed'],
      [{ imageId: undefined }, 'MissingImageId'],
      [{ dryRun: true }, 'DryRunOperation'],
    ];
    for (const [extra, code] of cases) {
      const e = await error(ecs.createInstance(new $Ecs.CreateInstanceRequest(base(extra))));
      expect(e.code, JSON.stringify(extra).slice(0, 80)).toBe(code);
    }
    expect(await rowCounts(yb.db)).toEqual(before);
  });

  it('serves the built-in catalogue', async () => {
    const images = await ecs.describeImages(
      new $Ecs.DescribeImagesRequest({ regionId: 'cn-hangzhou', imageId: TUTORIAL_IMAGE }),
    );
    expect(images.body!.images!.image![0]).toMatchObject({
      imageId: TUTORIAL_IMAGE,
      OSType: 'linux',
      status: 'Available',
      imageOwnerAlias: 'system',
    });
    const all = await ecs.describeImages(
      new $Ecs.DescribeImagesRequest({ regionId: 'cn-hangzhou', pageSize: 100 }),
    );
    expect(all.body!.totalCount).toBeGreaterThanOrEqual(5);
    const types = await ecs.describeInstanceTypes(
      new $Ecs.DescribeInstanceTypesRequest({ instanceTypes: [TUTORIAL_INSTANCE_TYPE] }),
    );
    expect(types.body!.instanceTypes!.instanceType).toEqual([
      expect.objectContaining({
        instanceTypeId: 'ecs.g6.large',
        instanceTypeFamily: 'ecs.g6',
        cpuCoreCount: 2,
        memorySize: 8,
      }),
    ]);
    const paged = await ecs.describeInstanceTypes(
      new $Ecs.DescribeInstanceTypesRequest({ maxResults: 2 }),
    );
    expect(paged.body!.instanceTypes!.instanceType).toHaveLength(2);
    expect(paged.body!.nextToken).not.toBe('');
  });
});
