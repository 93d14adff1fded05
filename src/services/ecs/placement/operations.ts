/**
 * @module ECS 2014-05-26 operations describing where instances can go (docs "DescribeRegions",
 * "DescribeZones", "DescribeAvailableResource", "DescribeInstanceTypeFamilies",
 * "DescribeImageSupportInstanceTypes"): what terraform-provider-alicloud's `alicloud_zones`,
 * `alicloud_instance_types` and `alicloud_images` data sources and its region check call.
 */
import { defineOperation } from '../../../protocol/rpc-operation.js';
import { p } from '../../../protocol/rpc-schema.js';
import { OptionalRegionId, RegionId, decimal, ecsCheck } from '../instance-attributes/params.js';

const AcceptLanguage = p.str({
  enum: ['zh-CN', 'en-US', 'ja'],
  doc: 'language of LocalName: zh-CN (default), en-US or ja',
});
const InstanceChargeType = p.str({
  enum: ['PrePaid', 'PostPaid'],
  doc: 'billing method (everything is on offer either way)',
});
const SpotStrategy = p.str({ max: 32, doc: 'accepted, not used' });

/** DescribeAvailableResource destinations. */
export const DESTINATIONS = [
  'Zone',
  'IoOptimized',
  'InstanceType',
  'SystemDisk',
  'DataDisk',
  'Network',
  'ddh',
] as const;

export const DescribeRegions = defineOperation({
  name: 'DescribeRegions',
  params: {
    RegionId: OptionalRegionId,
    AcceptLanguage,
    InstanceChargeType,
    ResourceType: p.str({ max: 32, doc: 'instance, disk, reservedinstance or scu (accepted)' }),
  },
  authz: ecsCheck('ecs:DescribeRegions', () => '*'),
  readOnly: true,
  doc: 'List the regions: the one yunbox serves',
});

export const DescribeZones = defineOperation({
  name: 'DescribeZones',
  params: {
    RegionId,
    AcceptLanguage,
    InstanceChargeType,
    SpotStrategy,
    Verbose: p.bool({ doc: 'list what each zone offers (true)' }),
  },
  authz: ecsCheck('ecs:DescribeZones', () => '*'),
  readOnly: true,
  doc: "List the region's zones and what each offers (every built-in instance type and disk category)",
});

export const DescribeAvailableResource = defineOperation({
  name: 'DescribeAvailableResource',
  params: {
    RegionId,
    DestinationResource: p.required(
      p.str({ enum: DESTINATIONS, doc: `what to list: ${DESTINATIONS.join(', ')}` }),
    ),
    ZoneId: p.str({ max: 64, doc: 'one zone' }),
    InstanceChargeType,
    SpotStrategy,
    SpotDuration: p.int({ min: 0, max: 6, doc: 'accepted, not used' }),
    IoOptimized: p.str({ enum: ['none', 'optimized'], doc: 'optimized (none offers nothing)' }),
    InstanceType: p.str({ max: 64, doc: 'instance type' }),
    Cores: p.int({ min: 1, max: 1024, doc: 'vCPUs of the instance types' }),
    Memory: decimal({ min: 0, max: 100_000, doc: 'memory (GiB) of the instance types' }),
    SystemDiskCategory: p.str({ max: 64, doc: 'system disk category' }),
    DataDiskCategory: p.str({ max: 64, doc: 'data disk category' }),
    NetworkCategory: p.str({ enum: ['vpc', 'classic'], doc: 'vpc (classic offers nothing)' }),
    ResourceType: p.str({ max: 32, doc: 'instance (default) or disk' }),
    Scope: p.str({ max: 32, doc: 'accepted, not used' }),
    DedicatedHostId: p.str({ max: 64, doc: 'accepted, not used' }),
  },
  authz: ecsCheck('ecs:DescribeAvailableResource', () => '*'),
  readOnly: true,
  doc: 'List what can be created in each zone: zones, instance types, disk categories, networks',
});

export const DescribeInstanceTypeFamilies = defineOperation({
  name: 'DescribeInstanceTypeFamilies',
  params: { RegionId, Generation: p.str({ max: 16, doc: 'ecs-1 … ecs-6' }) },
  authz: ecsCheck('ecs:DescribeInstanceTypeFamilies', () => '*'),
  readOnly: true,
  doc: 'List the built-in instance type families and their generations',
});

export const DescribeImageSupportInstanceTypes = defineOperation({
  name: 'DescribeImageSupportInstanceTypes',
  params: {
    RegionId,
    ImageId: p.str({ max: 128, doc: 'the image (or Filter.1.Key=imageId)' }),
    ActionType: p.str({ max: 32, doc: 'accepted, not used' }),
    Filter: p.objectList(
      { Key: p.str({ max: 32, doc: 'imageId' }), Value: p.str({ max: 128, doc: 'image id' }) },
      { max: 10, doc: 'filters (Filter.N.Key=imageId)' },
    ),
  },
  authz: ecsCheck('ecs:DescribeImageSupportInstanceTypes', () => '*'),
  readOnly: true,
  doc: 'List the instance types an image runs on (its architecture)',
});
