/**
 * Terraform replay of `data "alicloud_zones"` (and `data "alicloud_regions"`, the usual region
 * lookup) with the official Tea ECS client, as terraform-provider-alicloud's
 * data_source_alicloud_zones.go reads them: DescribeAvailableResource (DestinationResource=Zone,
 * IoOptimized=optimized) for the zones not sold out, then DescribeZones (InstanceChargeType
 * PostPaid), keeping the zones whose AvailableInstanceTypes and AvailableDiskCategories hold the
 * configured `available_instance_type` and `available_disk_category`, sorted; with
 * `enable_details` it reads LocalName, AvailableInstanceTypes, AvailableResourceCreation and
 * AvailableDiskCategories. The provider's own documentation example is the first case. Runs on
 * the store YUNBOX_TEST_STORE selects (`npm run test:pg` runs it on PostgreSQL).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rootOf } from '../../src/testing/fixtures.js';
import { $Ecs, ecsClient } from '../../src/testing/sdk.js';
import { startTestServer, type TestServer } from '../../src/testing/server.js';
import type { EcsClient } from './provider-rpc.js';

let yb: TestServer;
let ecs: EcsClient;

beforeAll(async () => {
  yb = await startTestServer();
  ecs = ecsClient(yb, rootOf(yb));
});
afterAll(async () => {
  await yb?.close();
});

/** The data source's arguments this replay covers. */
interface ZonesArgs {
  available_instance_type?: string;
  available_disk_category?: string;
  available_resource_creation?: string;
  instance_charge_type?: string;
  enable_details?: boolean;
}

/** dataSourceAlicloudZonesRead for ECS resource kinds: the calls, then the provider's filter. */
async function readZones(args: ZonesArgs) {
  // ecsService.DescribeAvailableResources(d, meta, ZoneResource)
  const available = await ecs.describeAvailableResource(
    new $Ecs.DescribeAvailableResourceRequest({
      regionId: yb.region,
      destinationResource: 'Zone',
      ioOptimized: 'optimized',
      instanceChargeType: args.instance_charge_type ?? 'PostPaid',
    }),
  );
  const availableZones = available.body!.availableZones!.availableZone!;
  // "There are no available zones in the API DescribeAvailableResource response" is an error.
  expect(availableZones.length).toBeGreaterThan(0);
  const validZones = availableZones.filter((z) => z.status !== 'SoldOut');
  expect(validZones.length, 'There is no availability resources in the region').toBeGreaterThan(0);

  const described = await ecs.describeZones(
    new $Ecs.DescribeZonesRequest({
      regionId: yb.region,
      instanceChargeType: args.instance_charge_type ?? 'PostPaid',
    }),
  );
  const zones = described.body!.zones!.zone!;
  // "There are no availability zones in the region" is an error.
  expect(zones.length).toBeGreaterThan(0);
  const ids: string[] = [];
  const details: Record<string, unknown>[] = [];
  for (const zone of zones) {
    if (!validZones.some((v) => v.zoneId === zone.zoneId)) continue;
    const types = zone.availableInstanceTypes?.instanceTypes ?? [];
    if (types.length === 0) continue;
    if (args.available_instance_type && !types.includes(args.available_instance_type)) continue;
    const disks = zone.availableDiskCategories?.diskCategories ?? [];
    if (disks.length === 0) continue;
    if (args.available_disk_category && !disks.includes(args.available_disk_category)) continue;
    ids.push(zone.zoneId!);
    details.push({
      id: zone.zoneId,
      local_name: zone.localName,
      available_instance_types: types,
      available_resource_creation: zone.availableResourceCreation?.resourceTypes,
      available_disk_categories: disks,
    });
  }
  ids.sort();
  return { ids, zones: details };
}

describe('data "alicloud_zones"', () => {
  it('the documented example (cloud_efficiency, VSwitch, an instance type) finds every zone', async () => {
    const r = await readZones({
      available_disk_category: 'cloud_efficiency',
      available_resource_creation: 'VSwitch',
      available_instance_type: 'ecs.n4.large',
      enable_details: true,
    });
    expect(r.ids).toEqual('abcdefghijk'.split('').map((l) => `cn-hangzhou-${l}`));
    // `data.alicloud_zones.default.zones.0.id`, with the details enable_details reads.
    const first = r.zones.find((z) => z.id === r.ids[0])!;
    expect(first).toMatchObject({
      id: 'cn-hangzhou-a',
      local_name: expect.any(String),
      available_instance_types: expect.arrayContaining(['ecs.n4.large', 'ecs.g6.large']),
      available_resource_creation: expect.arrayContaining(['VSwitch', 'Instance']),
      available_disk_categories: expect.arrayContaining(['cloud_efficiency', 'cloud_essd']),
    });
  });

  it('finds no zone for an instance type or disk category yunbox does not offer', async () => {
    expect((await readZones({ available_instance_type: 'ecs.x99.huge' })).ids).toEqual([]);
    expect((await readZones({ available_disk_category: 'ephemeral_ssd' })).ids).toEqual([]);
    expect((await readZones({ instance_charge_type: 'PrePaid' })).ids).toHaveLength(11);
  });
});

describe('data "alicloud_regions"', () => {
  it('current = true finds the provider region, with its endpoint and local name', async () => {
    const r = await ecs.describeRegions(new $Ecs.DescribeRegionsRequest({ regionId: yb.region }));
    const regions = r.body!.regions!.region!;
    expect(regions.length, 'no matching regions found').toBeGreaterThan(0);
    const current = regions.filter((x) => x.regionId === yb.region);
    expect(current).toEqual([
      {
        regionId: 'cn-hangzhou',
        localName: expect.any(String),
        regionEndpoint: 'ecs.cn-hangzhou.aliyuncs.com',
        status: 'available',
      },
    ]);
  });
});
