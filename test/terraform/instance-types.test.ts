/**
 * Terraform replay of `data "alicloud_instance_types"` with the official Tea ECS client, as
 * terraform-provider-alicloud's data_source_alicloud_instance_types.go reads it:
 * DescribeAvailableResource (DestinationResource=InstanceType, IoOptimized=optimized, Cores and
 * Memory when set) mapping each type to its zones; DescribeInstanceTypes through RpcPost with the
 * provider's own parameters (InstanceTypeFamily, InstanceType, …), page by page on NextToken;
 * DescribeImageSupportInstanceTypes when `image_id` is set; then its client-side filter (vCPUs,
 * memory, ENIs, GPU) and the attributes it reads from each type (CpuCoreCount, MemorySize,
 * InstanceTypeFamily, EniQuantity, NvmeSupport, queue numbers, GPU, credits, local storage with
 * a numeric capacity). Runs on the store YUNBOX_TEST_STORE selects.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rootOf } from '../../src/testing/fixtures.js';
import { $Ecs, ecsClient } from '../../src/testing/sdk.js';
import { startTestServer, type TestServer } from '../../src/testing/server.js';
import { rpcPost, type EcsClient } from './provider-rpc.js';

let yb: TestServer;
let ecs: EcsClient;

beforeAll(async () => {
  yb = await startTestServer();
  ecs = ecsClient(yb, rootOf(yb));
});
afterAll(async () => {
  await yb?.close();
});

interface TypesArgs {
  availability_zone?: string;
  cpu_core_count?: number;
  memory_size?: number;
  instance_type_family?: string;
  instance_type?: string;
  image_id?: string;
  eni_amount?: number;
  sorted_by?: 'CPU' | 'Memory';
}

/** dataSourceAliCloudInstanceTypesRead: the calls, the filter, the attributes it sets. */
async function readInstanceTypes(args: TypesArgs) {
  const available = await ecs.describeAvailableResource(
    new $Ecs.DescribeAvailableResourceRequest({
      regionId: yb.region,
      destinationResource: 'InstanceType',
      ioOptimized: 'optimized',
      instanceChargeType: 'PostPaid',
      ...(args.cpu_core_count ? { cores: args.cpu_core_count } : {}),
      ...(args.memory_size ? { memory: args.memory_size } : {}),
    }),
  );
  const zones = available.body!.availableZones!.availableZone!;
  expect(zones.length, 'There are no available zones').toBeGreaterThan(0);
  const zoneId = args.availability_zone ?? '';
  let validZones = zones.filter((z) => z.status !== 'SoldOut');
  if (zoneId) {
    validZones = validZones.filter((z) => z.zoneId === zoneId);
    expect(validZones, `Availability zone ${zoneId} status is not available`).toHaveLength(1);
  }
  const typeZones = new Map<string, string[]>();
  for (const zone of validZones) {
    for (const r of zone.availableResources!.availableResource!) {
      for (const t of r.supportedResources!.supportedResource!) {
        if (t.status === 'SoldOut') continue;
        typeZones.set(t.value!, [...(typeZones.get(t.value!) ?? []), zone.zoneId!]);
      }
    }
  }

  const request: Record<string, unknown> = {};
  if (args.instance_type_family) request.InstanceTypeFamily = args.instance_type_family;
  if (args.instance_type) request.InstanceType = args.instance_type;
  const objects: any[] = [];
  for (let page = 0; page < 20; page++) {
    const r = await rpcPost(ecs, 'DescribeInstanceTypes', request);
    objects.push(...r.InstanceTypes.InstanceType);
    if (typeof r.NextToken === 'string' && r.NextToken !== '') request.NextToken = r.NextToken;
    else break;
  }

  let imageTypes: Set<string> | undefined;
  if (args.image_id) {
    const r = await rpcPost(ecs, 'DescribeImageSupportInstanceTypes', {
      ImageId: args.image_id,
      RegionId: yb.region,
    });
    imageTypes = new Set(r.InstanceTypes.InstanceType.map((t: any) => t.InstanceTypeId));
  }

  const kept = objects.filter(
    (o) =>
      typeZones.has(o.InstanceTypeId) &&
      (!imageTypes || imageTypes.has(o.InstanceTypeId)) &&
      (!args.cpu_core_count || o.CpuCoreCount === args.cpu_core_count) &&
      (!args.memory_size || o.MemorySize === args.memory_size) &&
      (args.eni_amount ?? 0) <= o.EniQuantity,
  );
  if (args.sorted_by === 'CPU') kept.sort((a, b) => a.CpuCoreCount - b.CpuCoreCount);
  if (args.sorted_by === 'Memory') kept.sort((a, b) => a.MemorySize - b.MemorySize);
  return kept.map((t) => ({
    id: t.InstanceTypeId,
    cpu_core_count: t.CpuCoreCount,
    memory_size: t.MemorySize,
    family: t.InstanceTypeFamily,
    eni_amount: t.EniQuantity,
    nvme_support: t.NvmeSupport,
    primary_eni_queue_number: t.PrimaryEniQueueNumber,
    secondary_eni_queue_number: t.SecondaryEniQueueNumber,
    eni_ipv6_address_quantity: t.EniIpv6AddressQuantity,
    maximum_queue_number_per_eni: t.MaximumQueueNumberPerEni,
    total_eni_queue_quantity: t.TotalEniQueueQuantity,
    eni_private_ip_address_quantity: t.EniPrivateIpAddressQuantity,
    availability_zones: [...(typeZones.get(t.InstanceTypeId) ?? [])].sort(),
    gpu: { amount: String(t.GPUAmount ?? 0), category: t.GPUSpec },
    burstable_instance: {
      initial_credit: String(t.InitialCredit ?? 0),
      baseline_credit: String(t.BaselineCredit ?? 0),
    },
    // `v.(json.Number).String()`: the capacity must be a number on the wire.
    local_storage: {
      amount: String(t.LocalStorageAmount ?? 0),
      category: t.LocalStorageCategory,
      capacity: typeof t.LocalStorageCapacity === 'number' ? String(t.LocalStorageCapacity) : 'NaN',
    },
  }));
}

describe('data "alicloud_instance_types"', () => {
  it('2 vCPUs and 8 GiB in the first zone: the types, with what the provider reads', async () => {
    const types = await readInstanceTypes({
      availability_zone: 'cn-hangzhou-a',
      cpu_core_count: 2,
      memory_size: 8,
    });
    expect(types.map((t) => t.id)).toEqual(
      expect.arrayContaining(['ecs.g6.large', 'ecs.g7.large', 'ecs.g8y.large']),
    );
    expect(types.every((t) => t.cpu_core_count === 2 && t.memory_size === 8)).toBe(true);
    expect(types.find((t) => t.id === 'ecs.g6.large')).toEqual({
      id: 'ecs.g6.large',
      cpu_core_count: 2,
      memory_size: 8,
      family: 'ecs.g6',
      eni_amount: 2,
      nvme_support: expect.any(String),
      primary_eni_queue_number: expect.any(Number),
      secondary_eni_queue_number: expect.any(Number),
      eni_ipv6_address_quantity: expect.any(Number),
      maximum_queue_number_per_eni: expect.any(Number),
      total_eni_queue_quantity: expect.any(Number),
      eni_private_ip_address_quantity: expect.any(Number),
      availability_zones: ['cn-hangzhou-a'],
      gpu: { amount: '0', category: '' },
      burstable_instance: { initial_credit: '0', baseline_credit: '0' },
      local_storage: { amount: '0', category: '', capacity: '0' },
    });
  });

  it('a family, one named type, an image, and the small burstable type of the examples', async () => {
    expect((await readInstanceTypes({ instance_type_family: 'ecs.t6' })).map((t) => t.id)).toEqual([
      'ecs.t6-c1m1.large',
    ]);
    expect((await readInstanceTypes({ instance_type: 'ecs.c7.large' })).map((t) => t.id)).toEqual([
      'ecs.c7.large',
    ]);
    expect(
      (await readInstanceTypes({ image_id: 'aliyun_3_arm64_20G_alibase_20240819.vhd' })).map(
        (t) => t.id,
      ),
    ).toEqual(['ecs.g8y.large']);
    const small = await readInstanceTypes({ cpu_core_count: 1, memory_size: 2 });
    expect(small.map((t) => [t.id, t.family, t.availability_zones.length])).toEqual([
      ['ecs.t5-lc1m2.small', 'ecs.t5', 11],
    ]);
    const byCpu = await readInstanceTypes({ sorted_by: 'CPU', eni_amount: 3 });
    expect(byCpu.map((t) => t.cpu_core_count)).toEqual(
      [...byCpu.map((t) => t.cpu_core_count)].sort((a, b) => a - b),
    );
    expect(byCpu.every((t) => t.eni_amount >= 3)).toBe(true);
  });

  it('an instance type yunbox does not offer finds no zone: the provider reports the error', async () => {
    const r = await ecs.describeAvailableResource(
      new $Ecs.DescribeAvailableResourceRequest({
        regionId: yb.region,
        destinationResource: 'InstanceType',
        ioOptimized: 'optimized',
        cores: 3,
      }),
    );
    expect(r.body!.availableZones!.availableZone).toEqual([]);
  });
});
