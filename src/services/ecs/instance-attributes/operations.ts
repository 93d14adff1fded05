/**
 * @module ECS 2014-05-26 operations on what an instance has besides its place and state: its
 * system disk (DescribeDisks, ModifyDiskAttribute), its user data, its attributes
 * (ModifyInstanceAttribute: name, description, host name, password, user data, release protection,
 * burstable mode, jumbo frames, security groups), and the maintenance and private-pool attachment attributes
 * terraform-provider-alicloud's `alicloud_instance` reads after every change.
 */
import { defineOperation } from '../../../protocol/rpc-operation.js';
import { p, type Param } from '../../../protocol/rpc-schema.js';
import * as E from '../errors.js';
import { Description, HostName, InstanceName } from '../operations.js';
import { TagFilterParam } from '../tags/operations.js';
import { CREDIT_SPECIFICATIONS, DISK_CATEGORIES, MAINTENANCE_ACTIONS } from './model.js';
import {
  DiskDescription,
  DiskName,
  InstanceId,
  OptionalRegionId,
  Password,
  RegionId,
  UserData,
  ecsCheck,
} from './params.js';

/** `param`, except that an empty value is read as `''` (ModifyInstanceAttribute: clear or keep). */
function emptyOr<T>(param: Param<T>): Param<T | ''> {
  return {
    info: param.info,
    read: (bag, name) => (bag.get(name) === '' ? '' : param.read(bag, name)),
  };
}

const PageNumber = p.int({
  min: 1,
  max: 1_000_000,
  error: E.EcsInvalidPageNumber,
  doc: 'page, from 1',
});
const PageSize = (max: number) =>
  p.int({ min: 1, max, error: E.EcsInvalidPageSize, doc: `page size, 1-${max} (10)` });
const InstanceIdList = p.list(p.str({ max: 64 }), {
  max: 100,
  doc: 'instance ids (InstanceId.N), up to 100',
});

export const DescribeDisks = defineOperation({
  name: 'DescribeDisks',
  params: {
    RegionId,
    InstanceId: p.str({ max: 64, doc: "the instance's disks" }),
    DiskIds: p.jsonStringArray({
      maxItems: 100,
      error: E.InvalidDiskIdsMalformed,
      doc: 'JSON array of up to 100 disk ids, e.g. ["d-…"]',
    }),
    DiskType: p.str({ enum: ['all', 'system', 'data'], doc: 'all (default), system or data' }),
    Category: p.str({ max: 64, doc: `disk category (${DISK_CATEGORIES.join(', ')})` }),
    Status: p.str({ max: 32, doc: 'In_use, Available, …, All' }),
    ZoneId: p.str({ max: 64, doc: 'zone id' }),
    DiskName: p.str({ max: 128, doc: 'disk name' }),
    Portable: p.bool({ doc: 'portable disks (system disks are not)' }),
    Tag: TagFilterParam,
    PageNumber,
    PageSize: PageSize(100),
    NextToken: p.str({ max: 256, doc: 'token from the previous page (with MaxResults)' }),
    MaxResults: p.int({
      min: 1,
      max: 500,
      error: E.EcsInvalidPageSize,
      doc: 'page size in token mode, 1-500 (10)',
    }),
  },
  authz: ecsCheck('ecs:DescribeDisks', () => 'disk/*'),
  readOnly: true,
  doc: "List disks: each instance's system disk (yunbox has no data disks)",
});

export const ModifyDiskAttribute = defineOperation({
  name: 'ModifyDiskAttribute',
  params: {
    RegionId: OptionalRegionId,
    DiskId: p.str({ max: 64, doc: 'the disk' }),
    DiskIds: p.jsonStringArray({
      maxItems: 100,
      error: E.InvalidDiskIdsMalformed,
      doc: 'JSON array of disk ids (instead of DiskId)',
    }),
    DiskName: emptyOr(DiskName),
    Description: emptyOr(DiskDescription),
    DeleteWithInstance: p.bool({
      doc: 'accepted; a system disk is always released with its instance',
    }),
    DeleteAutoSnapshot: p.bool({ doc: 'accepted, not used' }),
    EnableAutoSnapshot: p.bool({ doc: 'accepted, not used' }),
    BurstingEnabled: p.bool({ doc: 'accepted, not used' }),
  },
  authz: ecsCheck('ecs:ModifyDiskAttribute', (i) => {
    const ids: string[] = [...(i.DiskId !== undefined ? [i.DiskId] : []), ...(i.DiskIds ?? [])];
    return ids.length ? ids.map((id) => `disk/${id}`) : 'disk/*';
  }),
  doc: 'Rename or re-describe disks',
});

export const DescribeUserData = defineOperation({
  name: 'DescribeUserData',
  params: { RegionId, InstanceId },
  authz: ecsCheck('ecs:DescribeUserData', (i) => `instance/${i.InstanceId}`),
  readOnly: true,
  doc: "Show an instance's user data (Base64; empty when none)",
});

export const ModifyInstanceAttribute = defineOperation({
  name: 'ModifyInstanceAttribute',
  params: {
    RegionId: OptionalRegionId,
    InstanceId,
    InstanceName: emptyOr(InstanceName),
    Description: emptyOr(Description),
    HostName: emptyOr(HostName),
    Password: emptyOr(Password),
    UserData,
    DeletionProtection: p.bool({ doc: 'release protection: DeleteInstance refuses while on' }),
    CreditSpecification: p.str({
      enum: CREDIT_SPECIFICATIONS,
      charsError: E.InvalidCreditSpecification,
      doc: 'burstable instances: Standard or Unlimited',
    }),
    EnableJumboFrame: p.bool({ doc: 'jumbo frames (recorded, shown)' }),
    SecurityGroupIds: p.list(p.str({ max: 100 }), {
      max: 16,
      doc: "the instance's security groups from now on (SecurityGroupIds.N): of its VPC, one type, up to 5; it leaves the others",
    }),
    ClientToken: p.str({ max: 64, doc: 'idempotency token (accepted, not used)' }),
  },
  authz: ecsCheck('ecs:ModifyInstanceAttribute', (i) => `instance/${i.InstanceId}`),
  doc: 'Change name, description, host name, password (not while Starting), user data and security groups (not during a transition), release protection; an empty Description or UserData clears it',
});

export const ModifyInstanceSpec = defineOperation({
  name: 'ModifyInstanceSpec',
  params: {
    InstanceId,
    InstanceType: p.required(p.str({ min: 1, max: 64, doc: 'the new instance type' })),
    AllowMigrateAcrossZone: p.bool({ doc: 'accepted (every type is offered in every zone here)' }),
    Async: p.bool({ doc: 'accepted: the change is done when the call returns' }),
    InternetMaxBandwidthOut: p.int({
      min: 0,
      max: 0,
      doc: 'public bandwidth: only 0 (yunbox instances have no public address)',
    }),
    InternetMaxBandwidthIn: p.int({
      min: 0,
      max: 0,
      doc: 'public bandwidth: only 0 (yunbox instances have no public address)',
    }),
    DryRun: p.bool({ doc: 'only check the request (DryRunOperation when it would pass)' }),
    ClientToken: p.str({ max: 64, doc: 'idempotency token (accepted, not used)' }),
  },
  authz: ecsCheck('ecs:ModifyInstanceSpec', (i) => `instance/${i.InstanceId}`),
  doc: "Change the instance type of a Stopped pay-as-you-go instance (a type of the image's architecture)",
});

export const DescribeInstanceMaintenanceAttributes = defineOperation({
  name: 'DescribeInstanceMaintenanceAttributes',
  params: { RegionId, InstanceId: InstanceIdList, PageNumber, PageSize: PageSize(100) },
  authz: ecsCheck('ecs:DescribeInstanceMaintenanceAttributes', () => 'instance/*'),
  readOnly: true,
  doc: 'Show maintenance windows, the action on maintenance and notification',
});

export const ModifyInstanceMaintenanceAttributes = defineOperation({
  name: 'ModifyInstanceMaintenanceAttributes',
  params: {
    RegionId,
    InstanceId: p.required(InstanceIdList),
    MaintenanceWindow: p.objectList(
      {
        StartTime: p.str({ max: 16, doc: 'HH:00:00Z' }),
        EndTime: p.str({ max: 16, doc: 'HH:00:00Z' }),
      },
      { max: 1, doc: 'the maintenance window, whole hours in UTC (MaintenanceWindow.1.StartTime)' },
    ),
    ActionOnMaintenance: p.str({
      enum: MAINTENANCE_ACTIONS,
      doc: `${MAINTENANCE_ACTIONS.join(', ')}`,
    }),
    NotifyOnMaintenance: p.bool({ doc: 'notify before maintenance' }),
  },
  authz: ecsCheck('ecs:ModifyInstanceMaintenanceAttributes', (i) =>
    (i.InstanceId as string[]).map((id) => `instance/${id}`),
  ),
  doc: 'Set the maintenance window, action and notification (recorded and shown)',
});

export const DescribeInstanceAttachmentAttributes = defineOperation({
  name: 'DescribeInstanceAttachmentAttributes',
  params: {
    RegionId,
    InstanceIds: p.required(
      p.jsonStringArray({
        maxItems: 100,
        error: E.InvalidInstanceIdsMalformed,
        doc: 'JSON array of up to 100 instance ids',
      }),
    ),
    PageNumber,
    PageSize: PageSize(100),
  },
  authz: ecsCheck('ecs:DescribeInstanceAttachmentAttributes', () => 'instance/*'),
  readOnly: true,
  doc: 'Show the private pool each instance uses (always none here)',
});
