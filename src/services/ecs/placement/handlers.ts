/**
 * @module Handlers of the placement operations (`operations.ts`) over the placement catalogue
 * (`catalogue.ts`): one region, its zones, and in each every built-in instance type and disk
 * category, so whatever these calls offer, CreateInstance and RunInstances accept.
 */
import { INSTANCE_TYPES, findImage, type InstanceTypeInfo } from '../catalogue.js';
import * as E from '../errors.js';
import { checkRegion, type H } from '../handler-deps.js';
import {
  DATA_DISK_SIZE,
  DISK_CATEGORIES,
  RESOURCE_CREATION,
  SYSTEM_DISK_SIZE,
  familiesWithGeneration,
  generationOf,
  languageOf,
  regionLocalName,
  zoneLocalName,
  zonesOfRegion,
} from './catalogue.js';
import type * as Ops from './operations.js';

const available = (value: string, extra: Record<string, unknown> = {}) => ({
  Value: value,
  Status: 'Available',
  StatusCategory: 'WithStock',
  ...extra,
});

/** The instance types an image runs on: those of its architecture. */
export function typesForImage(architecture: 'x86_64' | 'arm64'): InstanceTypeInfo[] {
  return INSTANCE_TYPES.filter((t) => (t.architecture === 'ARM') === (architecture === 'arm64'));
}

/** The placement handlers. */
export function placementHandlers() {
  const describeRegions: H<typeof Ops.DescribeRegions> = async (ctx, input) => {
    const lang = languageOf(input.AcceptLanguage);
    return {
      Regions: {
        Region: [
          {
            RegionId: ctx.region,
            LocalName: regionLocalName(ctx.region, lang),
            RegionEndpoint: `ecs.${ctx.region}.aliyuncs.com`,
            Status: 'available',
          },
        ],
      },
    };
  };

  const describeZones: H<typeof Ops.DescribeZones> = async (ctx, input) => {
    const regionId = checkRegion(ctx, input.RegionId);
    const lang = languageOf(input.AcceptLanguage);
    const types = INSTANCE_TYPES.map((t) => t.instanceTypeId);
    const families = [...new Set(INSTANCE_TYPES.map((t) => t.family))];
    const generations = [...new Set(INSTANCE_TYPES.map(generationOf))].sort();
    return {
      Zones: {
        Zone: zonesOfRegion(regionId).map((zoneId) => ({
          ZoneId: zoneId,
          LocalName: zoneLocalName(zoneId, regionId, lang),
          ZoneType: 'AvailabilityZone',
          ...(input.Verbose === false
            ? {}
            : {
                AvailableResourceCreation: { ResourceTypes: [...RESOURCE_CREATION] },
                AvailableDiskCategories: { DiskCategories: [...DISK_CATEGORIES] },
                AvailableVolumeCategories: { VolumeCategories: [...DISK_CATEGORIES] },
                AvailableInstanceTypes: { InstanceTypes: types },
                AvailableDedicatedHostTypes: { DedicatedHostType: [] as string[] },
                DedicatedHostGenerations: { DedicatedHostGeneration: [] as string[] },
                AvailableResources: {
                  ResourcesInfo: [
                    {
                      IoOptimized: true,
                      SystemDiskCategories: { supportedSystemDiskCategory: [...DISK_CATEGORIES] },
                      DataDiskCategories: { supportedDataDiskCategory: [...DISK_CATEGORIES] },
                      InstanceTypes: { supportedInstanceType: types },
                      InstanceTypeFamilies: { supportedInstanceTypeFamily: families },
                      InstanceGenerations: { supportedInstanceGeneration: generations },
                      NetworkTypes: { supportedNetworkCategory: ['vpc'] },
                    },
                  ],
                },
              }),
        })),
      },
    };
  };

  const describeAvailableResource: H<typeof Ops.DescribeAvailableResource> = async (ctx, input) => {
    const regionId = checkRegion(ctx, input.RegionId);
    const none = { AvailableZones: { AvailableZone: [] as unknown[] } };
    const types = INSTANCE_TYPES.filter(
      (t) =>
        (input.InstanceType === undefined || t.instanceTypeId === input.InstanceType) &&
        (input.Cores === undefined || t.cpu === input.Cores) &&
        (input.Memory === undefined || t.memory === input.Memory),
    );
    const typeAsked =
      input.InstanceType !== undefined || input.Cores !== undefined || input.Memory !== undefined;
    const category = (c: string | undefined) =>
      c === undefined || (DISK_CATEGORIES as readonly string[]).includes(c);
    // What yunbox does not offer: non-optimized I/O, the classic network, dedicated hosts,
    // reserved instances, disk categories outside the list, instance types it does not have.
    if (
      input.IoOptimized === 'none' ||
      input.NetworkCategory === 'classic' ||
      input.DestinationResource === 'ddh' ||
      (input.ResourceType !== undefined && !['instance', 'disk'].includes(input.ResourceType)) ||
      !category(input.SystemDiskCategory) ||
      !category(input.DataDiskCategory) ||
      (typeAsked && types.length === 0)
    ) {
      return none;
    }
    const zones = zonesOfRegion(regionId).filter(
      (z) => input.ZoneId === undefined || input.ZoneId === '' || z === input.ZoneId,
    );
    const disks = (c: string | undefined, size: { min: number; max: number }) =>
      DISK_CATEGORIES.filter((x) => c === undefined || x === c).map((x) =>
        available(x, { Min: size.min, Max: size.max, Unit: 'GiB' }),
      );
    const resources = (zoneId: string) => {
      switch (input.DestinationResource) {
        case 'Zone':
          return [available(zoneId)];
        case 'IoOptimized':
          return [available('optimized')];
        case 'InstanceType':
          return types.map((t) => available(t.instanceTypeId));
        case 'SystemDisk':
          return disks(input.SystemDiskCategory, SYSTEM_DISK_SIZE);
        case 'DataDisk':
          return disks(input.DataDiskCategory, DATA_DISK_SIZE);
        default:
          return [available('vpc')];
      }
    };
    return {
      AvailableZones: {
        AvailableZone: zones.map((zoneId) => ({
          RegionId: regionId,
          ZoneId: zoneId,
          Status: 'Available',
          StatusCategory: 'WithStock',
          AvailableResources: {
            AvailableResource: [
              {
                Type: input.DestinationResource,
                SupportedResources: { SupportedResource: resources(zoneId) },
              },
            ],
          },
        })),
      },
    };
  };

  const describeInstanceTypeFamilies: H<typeof Ops.DescribeInstanceTypeFamilies> = async (
    ctx,
    input,
  ) => {
    checkRegion(ctx, input.RegionId);
    return {
      InstanceTypeFamilies: {
        InstanceTypeFamily: familiesWithGeneration()
          .filter((f) => input.Generation === undefined || f.generation === input.Generation)
          .map((f) => ({ InstanceTypeFamilyId: f.family, Generation: f.generation })),
      },
    };
  };

  const describeImageSupportInstanceTypes: H<typeof Ops.DescribeImageSupportInstanceTypes> = async (
    ctx,
    input,
  ) => {
    const regionId = checkRegion(ctx, input.RegionId);
    const imageId =
      input.ImageId ?? input.Filter?.find((f) => f.Key?.toLowerCase() === 'imageid')?.Value;
    if (imageId === undefined || imageId === '') {
      throw E.EcsMissingParameter(
        'The input parameter "ImageId" that is mandatory for processing this request is not supplied.',
      );
    }
    const image = findImage(imageId);
    if (!image) {
      throw E.InvalidImageIdNotFound(
        `The specified ImageId does not exist: \`${imageId}\` (DescribeImages lists the built-in images).`,
      );
    }
    return {
      RegionId: regionId,
      ImageId: image.imageId,
      InstanceTypes: {
        InstanceType: typesForImage(image.architecture).map((t) => ({
          InstanceTypeId: t.instanceTypeId,
          InstanceTypeFamily: t.family,
          CpuCoreCount: t.cpu,
          MemorySize: t.memory,
        })),
      },
    };
  };

  return {
    describeRegions,
    describeZones,
    describeAvailableResource,
    describeInstanceTypeFamilies,
    describeImageSupportInstanceTypes,
  };
}
