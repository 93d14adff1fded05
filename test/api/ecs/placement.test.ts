/**
 * Regions, zones and what they offer, through @alicloud/ecs20140526: DescribeRegions (the served
 * region, its endpoint, local names by AcceptLanguage), DescribeZones (every zone with every
 * built-in type and disk category; Verbose=false), DescribeAvailableResource for each destination
 * and its filters (types by vCPU and memory, disk categories with sizes, nothing for what yunbox
 * does not offer), DescribeInstanceTypeFamilies, DescribeImageSupportInstanceTypes, and
 * DescribeInstanceTypes' new filters. And the promise behind them: whatever these calls offer,
 * CreateInstance accepts — every (zone, type, image, system disk category) they list passes a
 * DryRun launch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from '../../../src/testing/failure.js';
import { createNetwork, rootOf } from '../../../src/testing/fixtures.js';
import { $Ecs, ecsClient } from '../../../src/testing/sdk.js';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';

let yb: TestServer;
let ecs: ReturnType<typeof ecsClient>;

beforeAll(async () => {
  yb = await startTestServer();
  ecs = ecsClient(yb, rootOf(yb));
});
afterAll(async () => {
  await yb?.close();
});

const available = (destinationResource: string, extra: Record<string, unknown> = {}) =>
  ecs
    .describeAvailableResource(
      new $Ecs.DescribeAvailableResourceRequest({
        regionId: 'cn-hangzhou',
        destinationResource,
        ...extra,
      }),
    )
    .then((r) => r.body!.availableZones!.availableZone!);

const values = (zone: $Ecs.DescribeAvailableResourceResponseBodyAvailableZonesAvailableZone) =>
  zone.availableResources!.availableResource![0]!.supportedResources!.supportedResource!.map(
    (s) => s.value,
  );

describe('regions and zones', () => {
  it('lists the served region with its endpoint, in the language asked', async () => {
    const zh = await ecs.describeRegions(new $Ecs.DescribeRegionsRequest({}));
    expect(zh.body!.regions!.region).toEqual([
      {
        regionId: 'cn-hangzhou',
        localName: '华东1（杭州）',
        regionEndpoint: 'ecs.cn-hangzhou.aliyuncs.com',
        status: 'available',
      },
    ]);
    const en = await ecs.describeRegions(
      new $Ecs.DescribeRegionsRequest({ acceptLanguage: 'en-US' }),
    );
    expect(en.body!.regions!.region![0]!.localName).toBe('China (Hangzhou)');
  });

  it("lists the region's zones and what each offers", async () => {
    const r = await ecs.describeZones(
      new $Ecs.DescribeZonesRequest({ regionId: 'cn-hangzhou', acceptLanguage: 'en-US' }),
    );
    const zones = r.body!.zones!.zone!;
    expect(zones.map((z) => z.zoneId)).toEqual(
      'abcdefghijk'.split('').map((l) => `cn-hangzhou-${l}`),
    );
    const i = zones.find((z) => z.zoneId === 'cn-hangzhou-i')!;
    expect(i.localName).toBe('China (Hangzhou) Zone I');
    expect(i.availableResourceCreation!.resourceTypes).toEqual(
      expect.arrayContaining(['VSwitch', 'Instance', 'Disk']),
    );
    expect(i.availableDiskCategories!.diskCategories).toEqual(
      expect.arrayContaining(['cloud_efficiency', 'cloud_essd']),
    );
    expect(i.availableInstanceTypes!.instanceTypes).toEqual(
      expect.arrayContaining(['ecs.g6.large', 'ecs.n4.large', 'ecs.t5-lc1m2.small']),
    );
    const brief = await ecs.describeZones(
      new $Ecs.DescribeZonesRequest({ regionId: 'cn-hangzhou', verbose: false }),
    );
    expect(brief.body!.zones!.zone![0]!.availableInstanceTypes).toBeUndefined();
    const other = await failure(
      ecs.describeZones(new $Ecs.DescribeZonesRequest({ regionId: 'cn-beijing' })),
    );
    expect(other.code).toBe('InvalidRegionId.NotFound');
  });
});

describe('DescribeAvailableResource', () => {
  it('answers each destination, and filters types by vCPU and memory', async () => {
    const zones = await available('Zone', { ioOptimized: 'optimized' });
    expect(zones).toHaveLength(11);
    expect(zones[0]).toMatchObject({ regionId: 'cn-hangzhou', status: 'Available' });
    expect(values(zones[0]!)).toEqual([zones[0]!.zoneId]);

    const twoByEight = await available('InstanceType', {
      zoneId: 'cn-hangzhou-i',
      cores: 2,
      memory: 8,
    });
    expect(twoByEight.map((z) => z.zoneId)).toEqual(['cn-hangzhou-i']);
    expect(values(twoByEight[0]!)).toEqual(
      expect.arrayContaining(['ecs.g6.large', 'ecs.g7.large', 'ecs.g8y.large']),
    );
    expect(values(twoByEight[0]!)).not.toContain('ecs.c6.large');
    const small = await available('InstanceType', { cores: 1, memory: 2 });
    expect(values(small[0]!)).toEqual(['ecs.t5-lc1m2.small']);

    const sys = await available('SystemDisk', {
      zoneId: 'cn-hangzhou-j',
      instanceType: 'ecs.g6.large',
    });
    const disks =
      sys[0]!.availableResources!.availableResource![0]!.supportedResources!.supportedResource!;
    expect(disks.find((d) => d.value === 'cloud_essd')).toMatchObject({
      min: 20,
      max: 2048,
      unit: 'GiB',
    });
    expect(values((await available('Network'))[0]!)).toEqual(['vpc']);
    expect(values((await available('IoOptimized'))[0]!)).toEqual(['optimized']);
  });

  it('offers nothing yunbox does not have', async () => {
    expect(await available('InstanceType', { instanceType: 'ecs.x99.huge' })).toEqual([]);
    expect(await available('Zone', { ioOptimized: 'none' })).toEqual([]);
    expect(await available('Zone', { networkCategory: 'classic' })).toEqual([]);
    expect(await available('SystemDisk', { systemDiskCategory: 'cloud' })).toEqual([]);
    expect(await available('ddh')).toEqual([]);
    expect(await available('Zone', { zoneId: 'cn-hangzhou-z' })).toEqual([]);
    expect((await failure(available('Everything'))).code).toBe('InvalidParameter');
    expect((await failure(available('Zone', { memory: 'lots' }))).code).toBe('InvalidParameter');
  });
});

describe('types, families and images', () => {
  it('lists families with generations, and the types an image runs on', async () => {
    const families = await ecs.describeInstanceTypeFamilies(
      new $Ecs.DescribeInstanceTypeFamiliesRequest({ regionId: 'cn-hangzhou' }),
    );
    const list = families.body!.instanceTypeFamilies!.instanceTypeFamily!;
    expect(list).toEqual(
      expect.arrayContaining([
        { instanceTypeFamilyId: 'ecs.g6', generation: 'ecs-4' },
        { instanceTypeFamilyId: 'ecs.t6', generation: 'ecs-4' },
        { instanceTypeFamilyId: 'ecs.g8y', generation: 'ecs-6' },
      ]),
    );
    const arm = await ecs.describeImageSupportInstanceTypes(
      new $Ecs.DescribeImageSupportInstanceTypesRequest({
        regionId: 'cn-hangzhou',
        imageId: 'aliyun_3_arm64_20G_alibase_20240819.vhd',
      }),
    );
    expect(arm.body!.instanceTypes!.instanceType!.map((t) => t.instanceTypeId)).toEqual([
      'ecs.g8y.large',
    ]);
    const nope = await failure(
      ecs.describeImageSupportInstanceTypes(
        new $Ecs.DescribeImageSupportInstanceTypesRequest({
          regionId: 'cn-hangzhou',
          imageId: 'nope.vhd',
        }),
      ),
    );
    expect(nope.code).toBe('InvalidImageId.NotFound');
  });

  it("filters DescribeInstanceTypes by the provider's parameters", async () => {
    const r = await ecs.describeInstanceTypes(
      new $Ecs.DescribeInstanceTypesRequest({
        minimumCpuCoreCount: 4,
        maximumMemorySize: 16,
        instanceTypeFamilies: ['ecs.g6', 'ecs.g7'],
      }),
    );
    expect(r.body!.instanceTypes!.instanceType!.map((t) => t.instanceTypeId)).toEqual([
      'ecs.g6.xlarge',
      'ecs.g7.xlarge',
    ]);
    const t6 = await ecs.describeInstanceTypes(
      new $Ecs.DescribeInstanceTypesRequest({ instanceTypeFamily: 'ecs.t6' }),
    );
    expect(t6.body!.instanceTypes!.instanceType!.map((t) => t.instanceTypeId)).toEqual([
      'ecs.t6-c1m1.large',
    ]);
  });
});

describe('consistency with CreateInstance', () => {
  it('every zone, type, image and system disk category offered launches (DryRun)', async () => {
    const zones = (await available('Zone')).map((z) => z.zoneId!);
    const images = (
      await ecs.describeImages(
        new $Ecs.DescribeImagesRequest({ regionId: 'cn-hangzhou', pageSize: 100 }),
      )
    ).body!.images!.image!;
    let launches = 0;
    for (const [n, zoneId] of zones.entries()) {
      const { vswitchId } = await createNetwork(yb, rootOf(yb), {
        vpcCidr: `10.${n}.0.0/16`,
        vswitchCidr: `10.${n}.0.0/24`,
        zoneId,
      });
      const types = values((await available('InstanceType', { zoneId }))[0]!);
      const categories = values((await available('SystemDisk', { zoneId }))[0]!);
      for (const image of images) {
        const supported = (
          await ecs.describeImageSupportInstanceTypes(
            new $Ecs.DescribeImageSupportInstanceTypesRequest({
              regionId: 'cn-hangzhou',
              imageId: image.imageId,
            }),
          )
        ).body!.instanceTypes!.instanceType!.map((t) => t.instanceTypeId);
        for (const type of types.filter((t) => supported.includes(t))) {
          // One category per combination, rotating, keeps the call count down.
          const category = categories[launches % categories.length]!;
          const e = await failure(
            ecs.createInstance(
              new $Ecs.CreateInstanceRequest({
                regionId: 'cn-hangzhou',
                zoneId,
                vSwitchId: vswitchId,
                imageId: image.imageId,
                instanceType: type,
                systemDisk: new $Ecs.CreateInstanceRequestSystemDisk({ category }),
                dryRun: true,
              }),
            ),
          );
          expect(e.code, `${zoneId} ${type} ${image.imageId} ${category}`).toBe('DryRunOperation');
          launches++;
        }
      }
    }
    expect(launches).toBeGreaterThan(11 * 10);
  });
});
