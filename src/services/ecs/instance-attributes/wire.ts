/**
 * @module Wire shapes of system disks and maintenance attributes (every list wrapper an array,
 * as the SDKs map them).
 */
import { ecsTime, type Instance, type Tag } from '../model.js';
import { MAINTENANCE_ACTIONS } from './model.js';
import { systemDiskIdOf } from './model.js';

/** Subscription expiry Alibaba shows for pay-as-you-go resources. */
const NEVER = '2099-12-31T15:59Z';

/** What DescribeDisks shows of a system disk (with its tags): `In_use` while its instance exists. */
export function systemDiskToWire(i: Instance, tags: readonly Tag[]) {
  const d = i.systemDisk;
  const created = ecsTime(i.createdAt);
  return {
    DiskId: systemDiskIdOf(i.instanceId),
    DiskName: d.name,
    Description: d.description,
    Type: 'system',
    Category: d.category,
    Size: d.size,
    PerformanceLevel: d.performanceLevel,
    Status: 'In_use',
    InstanceId: i.instanceId,
    Device: '/dev/xvda',
    ImageId: i.imageId,
    SourceSnapshotId: '',
    RegionId: i.regionId,
    ZoneId: i.zoneId,
    SerialNumber: systemDiskIdOf(i.instanceId).slice(2),
    DiskChargeType: 'PostPaid',
    Portable: false,
    DeleteWithInstance: true,
    DeleteAutoSnapshot: true,
    EnableAutoSnapshot: false,
    EnableAutomatedSnapshotPolicy: false,
    AutoSnapshotPolicyId: '',
    Encrypted: false,
    KMSKeyId: '',
    StorageClusterId: '',
    StorageSetId: '',
    ProvisionedIops: 0,
    BurstingEnabled: false,
    IOPS: 0,
    MultiAttach: 'Disabled',
    ResourceGroupId: '',
    ProductCode: '',
    CreationTime: created,
    AttachedTime: created,
    DetachedTime: '',
    ExpiredTime: NEVER,
    MountInstanceNum: 0,
    Attachments: {
      Attachment: [{ InstanceId: i.instanceId, Device: '/dev/xvda', AttachedTime: created }],
    },
    MountInstances: { MountInstance: [] as unknown[] },
    OperationLocks: { OperationLock: [] as unknown[] },
    Tags: { Tag: tags.map((t) => ({ TagKey: t.key, TagValue: t.value })) },
  };
}

/** What DescribeInstanceMaintenanceAttributes shows of an instance. */
export function maintenanceToWire(i: Instance) {
  const m = i.maintenance;
  return {
    InstanceId: i.instanceId,
    MaintenanceWindows: {
      MaintenanceWindow: m.windows.map((w) => ({ StartTime: w.startTime, EndTime: w.endTime })),
    },
    ActionOnMaintenance: {
      Value: m.action,
      DefaultValue: 'AutoRecover',
      SupportedValues: { SupportedValue: [...MAINTENANCE_ACTIONS] },
    },
    NotifyOnMaintenance: m.notify,
  };
}
