/**
 * Terraform replay of `resource "alicloud_instance"` with `role_name`, `user_data`, `key_name`,
 * `password`, `host_name`, `instance_name`, `description`, system disk settings, tags,
 * `volume_tags` and release protection, using the official Tea ECS client, in the order and with
 * the parameters of terraform-provider-alicloud's resource_alicloud_instance.go:
 *
 * - create: RunInstances through RpcPost (the request map flattened as the Go client sends it,
 *   plain-text user data Base64-encoded, `Tag.N` from `tags`), the wait for Running on
 *   DescribeInstances, the update pass a new resource makes (for this configuration only
 *   setVolumeTags: DescribeDisks by InstanceId, then UntagResources/TagResources of type `disk` on
 *   every disk found, from the system disk's tags, which RunInstances set from `tags`, to
 *   `volume_tags`), then the read;
 * - read: DescribeInstances (with AdditionalAttributes), DescribeDisks (DiskType=system, the first
 *   disk's InstanceId must be the instance; its Tags are `volume_tags`), DescribeUserData,
 *   DescribeInstanceRamRole,
 *   DescribeNetworkInterfaces for the primary ENI (twice), DescribeInstanceMaintenanceAttributes,
 *   DescribeInstanceAttribute (its InstanceId must match), DescribeInstanceAttachmentAttributes,
 *   DescribeInstances through RpcPost; every attribute it sets is compared with the configuration
 *   (an empty plan);
 * - update: tags (UntagResources, TagResources of type `instance`), `volume_tags` (as above),
 *   ModifyInstanceAttribute (name, description,
 *   user data, host name, password, release protection), the stop and start a password change
 *   needs, DetachKeyPair/AttachKeyPair and a reboot for `key_name`,
 *   DetachInstanceRamRole/AttachInstanceRamRole for `role_name`, then the read again;
 * - delete: DeleteInstance with Force, and the wait until DescribeInstances no longer finds it.
 *
 * The metadata service is checked to follow each change as the instance sees it. Runs on the store YUNBOX_TEST_STORE selects
 * (`npm run test:pg` runs it on PostgreSQL).
 */
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../src/services/ecs/instance-attributes/model.js';
import { followServerClock, restoreClock } from '../../src/testing/clock.js';
import { failure } from '../../src/testing/failure.js';
import { createEcsRole, createNetwork, rootOf } from '../../src/testing/fixtures.js';
import { $Ecs, ecsClient } from '../../src/testing/sdk.js';
import { startTestServer, type TestServer } from '../../src/testing/server.js';
import { tagsToMap } from './network-replay.js';
import {
  describeInstance,
  rpcPost,
  setResourceTags,
  waitForState,
  type EcsClient,
} from './provider-rpc.js';

let yb: TestServer;
let ecs: EcsClient;
let net: { vpcId: string; vswitchId: string; zoneId: string };
let securityGroupId: string;

/** The part of an `alicloud_instance` configuration this replay sets. */
interface InstanceConfig {
  availability_zone: string;
  security_groups: string[];
  instance_type: string;
  image_id: string;
  system_disk_category: string;
  system_disk_name: string;
  system_disk_description: string;
  instance_name: string;
  description: string;
  host_name: string;
  password: string;
  user_data: string;
  role_name: string;
  key_name: string;
  vswitch_id: string;
  deletion_protection: boolean;
  tags: Record<string, string>;
  volume_tags: Record<string, string>;
}

/** `base64.StdEncoding.DecodeString` succeeds: the provider sends such user data as it is. */
const isBase64 = (s: string) => /^[A-Za-z0-9+/]*={0,2}$/.test(s) && s.length % 4 === 0;
const userDataOf = (v: string) => (isBase64(v) ? v : Buffer.from(v).toString('base64'));
/** userDataHashSum: what state keeps of plain-text user data. */
const userDataHash = (b64: string) =>
  createHash('sha1').update(Buffer.from(b64, 'base64')).digest('hex');

beforeAll(async () => {
  yb = await startTestServer({
    clock: 'manual',
    clockStart: '2026-08-01T00:00:00Z',
    metadataListen: '127.0.0.1:0',
  });
  followServerClock(yb);
  ecs = ecsClient(yb, rootOf(yb));
  // The configuration's other resources: alicloud_vpc, alicloud_vswitch, alicloud_ram_role (two
  // roles trusting ECS), alicloud_key_pair (two), alicloud_security_group.
  net = await createNetwork(yb, rootOf(yb), {
    vswitchCidr: '172.16.0.0/24',
    vpcCidr: '172.16.0.0/16',
  });
  await createEcsRole(yb, rootOf(yb), 'TfEcsRoleOne');
  await createEcsRole(yb, rootOf(yb), 'TfEcsRoleTwo');
  for (const name of ['tf-key-one', 'tf-key-two']) {
    await rpcPost(ecs, 'CreateKeyPair', { RegionId: yb.region, KeyPairName: name });
  }
  const sg = await rpcPost(ecs, 'CreateSecurityGroup', {
    RegionId: yb.region,
    VpcId: net.vpcId,
    SecurityGroupName: 'terraform-example',
    Description: 'foo',
  });
  securityGroupId = sg.SecurityGroupId;
});
afterAll(async () => {
  restoreClock();
  await yb?.close();
});

/** resourceAliCloudInstanceCreate's request map for `c`. */
function runInstancesRequest(c: InstanceConfig): Record<string, unknown> {
  const request: Record<string, unknown> = {
    RegionId: yb.region,
    ClientToken: `RunInstances-${randomUUID()}`,
    InstanceType: c.instance_type,
    ImageId: c.image_id,
    ZoneId: c.availability_zone,
    'SystemDisk.DiskName': c.system_disk_name,
    'SystemDisk.Description': c.system_disk_description,
    'SystemDisk.Category': c.system_disk_category,
    InstanceName: c.instance_name,
    Description: c.description,
    HostName: c.host_name,
    Password: c.password,
    UserData: userDataOf(c.user_data),
    RamRoleName: c.role_name,
    KeyPairName: c.key_name,
    DryRun: false,
    DeletionProtection: c.deletion_protection,
    VSwitchId: c.vswitch_id,
  };
  Object.entries(c.tags).forEach(([k, v], i) => {
    request[`Tag.${i + 1}.Key`] = k;
    request[`Tag.${i + 1}.Value`] = v;
  });
  if (c.security_groups.length > 0) request.SecurityGroupIds = c.security_groups;
  return request;
}

/** resourceAliCloudInstanceRead: every call, and the attributes it sets. */
async function readInstance(id: string, opts: { isNew: boolean; roleChanged: boolean }) {
  const instance = await describeInstance(ecs, yb.region, id);
  expect(instance, `DescribeInstances found ${id}`).toBeDefined();
  const i = instance!;
  const state: Record<string, unknown> = {};

  const disks = await rpcPost(ecs, 'DescribeDisks', {
    RegionId: yb.region,
    InstanceId: id,
    DiskType: 'system',
  });
  const sys = disks.Disks.Disk[0];
  expect(sys?.InstanceId, 'the system disk is the instance’s').toBe(id);
  Object.assign(state, {
    system_disk_category: sys.Category,
    system_disk_name: sys.DiskName,
    system_disk_description: sys.Description,
    system_disk_size: sys.Size,
    system_disk_auto_snapshot_policy_id: sys.AutoSnapshotPolicyId,
    system_disk_storage_cluster_id: sys.StorageClusterId,
    system_disk_encrypted: sys.Encrypted,
    system_disk_kms_key_id: sys.KMSKeyId,
    system_disk_provisioned_iops: sys.ProvisionedIops,
    system_disk_id: sys.DiskId,
    system_disk_performance_level: sys.PerformanceLevel,
    ...(sys.Tags ? { volume_tags: tagsToMap(sys.Tags.Tag) } : {}),
  });

  Object.assign(state, {
    instance_name: i.instanceName,
    resource_group_id: i.resourceGroupId,
    description: i.description,
    status: i.status,
    availability_zone: i.zoneId,
    host_name: i.hostName,
    image_id: i.imageId,
    instance_type: i.instanceType,
    internet_max_bandwidth_out: i.internetMaxBandwidthOut,
    internet_max_bandwidth_in: i.internetMaxBandwidthIn,
    instance_charge_type: i.instanceChargeType,
    key_name: i.keyPairName,
    spot_strategy: i.spotStrategy,
    internet_charge_type: i.internetChargeType,
    deletion_protection: i.deletionProtection,
    credit_specification: i.creditSpecification,
    tags: Object.fromEntries((i.tags?.tag ?? []).map((t) => [t.tagKey, t.tagValue])),
    stopped_mode: i.stoppedMode,
    public_ip: i.publicIpAddress?.ipAddress?.[0] ?? '',
    vpc_id: i.vpcAttributes!.vpcId,
    vswitch_id: i.vpcAttributes!.vSwitchId,
    private_ip: i.vpcAttributes!.privateIpAddress!.ipAddress![0],
    security_groups: i.securityGroupIds!.securityGroupId,
    http_tokens: i.metadataOptions!.httpTokens,
    http_endpoint: i.metadataOptions!.httpEndpoint,
    cpu: i.cpu,
    memory: i.memory,
    os_name: i.OSName,
    os_type: i.OSType,
    dedicated_host_id: i.dedicatedHostAttribute?.dedicatedHostId,
    create_time: i.creationTime,
    start_time: i.startTime,
    expired_time: i.expiredTime,
  });

  const ud = await ecs.describeUserData(
    new $Ecs.DescribeUserDataRequest({ regionId: yb.region, instanceId: id }),
  );
  state.user_data_b64 = ud.body!.userData;

  if (i.vpcAttributes!.vSwitchId && (!opts.isNew || opts.roleChanged)) {
    const roles = await ecs.describeInstanceRamRole(
      new $Ecs.DescribeInstanceRamRoleRequest({
        regionId: yb.region,
        instanceIds: JSON.stringify([id]),
      }),
    );
    const set = roles.body!.instanceRamRoleSets!.instanceRamRoleSet!;
    if (set.length >= 1) state.role_name = set[0]!.ramRoleName;
  }

  const primary = i.networkInterfaces!.networkInterface!.find((n) => n.type === 'Primary');
  expect(primary?.networkInterfaceId).toBeTruthy();
  state.primary_ip_address = primary!.primaryIpAddress;
  // Once in the loop over the interfaces, once more for the primary one.
  for (let n = 0; n < 2; n++) {
    const eni = await rpcPost(ecs, 'DescribeNetworkInterfaces', {
      RegionId: yb.region,
      NetworkInterfaceId: [primary!.networkInterfaceId],
    });
    expect(eni.NetworkInterfaceSets.NetworkInterfaceSet[0].NetworkInterfaceId).toBe(
      primary!.networkInterfaceId,
    );
  }

  const maintenance = await rpcPost(ecs, 'DescribeInstanceMaintenanceAttributes', {
    RegionId: yb.region,
    InstanceId: [id],
  });
  const m = maintenance.MaintenanceAttributes.MaintenanceAttribute[0];
  expect(m.InstanceId).toBe(id);
  state.maintenance_time = m.MaintenanceWindows.MaintenanceWindow;
  state.maintenance_action = m.ActionOnMaintenance.Value;
  state.maintenance_notify = m.NotifyOnMaintenance;

  const attribute = await ecs.describeInstanceAttribute(
    new $Ecs.DescribeInstanceAttributeRequest({ instanceId: id, regionId: yb.region }),
  );
  expect(attribute.body!.instanceId, 'DescribeInstanceAttribute answers for the instance').toBe(id);
  state.enable_jumbo_frame = attribute.body!.enableJumboFrame;

  const attachment = await rpcPost(ecs, 'DescribeInstanceAttachmentAttributes', {
    InstanceIds: `["${id}"]`,
    RegionId: yb.region,
  });
  expect(attachment.Instances.Instance.length).toBeGreaterThan(0);
  state.private_pool_options_match_criteria =
    attachment.Instances.Instance[0].PrivatePoolOptionsMatchCriteria;
  state.private_pool_options_id = attachment.Instances.Instance[0].PrivatePoolOptionsId;

  const again = await rpcPost(ecs, 'DescribeInstances', {
    RegionId: yb.region,
    InstanceIds: JSON.stringify([id]),
    AdditionalAttributes: ['META_OPTIONS', 'NETWORK_PRIMARY_ENI_IP', 'CPU_OPTIONS_TOPOLOGY_TYPE'],
  });
  const raw = again.Instances.Instance[0];
  expect(raw.InstanceId).toBe(id);
  state.spot_interruption_behavior = raw.SpotInterruptionBehavior;
  state.cpu_options = [
    { core_count: raw.CpuOptions.CoreCount, threads_per_core: raw.CpuOptions.ThreadsPerCore },
  ];
  return state;
}

/**
 * The provider's setVolumeTags: DescribeDisks by InstanceId, then updateTags of type `disk` on
 * every disk found, from `old` (for a new resource: the system disk's tags as read, which it
 * answers) to `next`.
 */
async function setVolumeTags(
  id: string,
  old: Record<string, string> | undefined,
  next: Record<string, string>,
): Promise<Record<string, string>> {
  const r = await rpcPost(ecs, 'DescribeDisks', { RegionId: yb.region, InstanceId: id });
  const disks = r.Disks.Disk as any[];
  expect(disks.length, 'the instance has a disk').toBeGreaterThan(0);
  const system = disks.find((d) => d.Type === 'system');
  const from = old ?? tagsToMap(system?.Tags?.Tag);
  const ids = disks.map((d) => d.DiskId as string);
  await setResourceTags(ecs, yb.region, 'disk', ids, from, next);
  return from;
}

/** What `terraform plan` would change: the configured attributes whose state differs. */
function planDiff(c: InstanceConfig, state: Record<string, unknown>): string[] {
  const diff: string[] = [];
  const same = (k: string, want: unknown, got: unknown) => {
    if (JSON.stringify(want) !== JSON.stringify(got)) {
      diff.push(`${k}: ${JSON.stringify(got)} -> ${JSON.stringify(want)}`);
    }
  };
  for (const k of [
    'availability_zone',
    'instance_type',
    'image_id',
    'system_disk_category',
    'system_disk_name',
    'system_disk_description',
    'instance_name',
    'description',
    'host_name',
    'role_name',
    'key_name',
    'vswitch_id',
    'deletion_protection',
  ] as const) {
    same(k, c[k], state[k]);
  }
  same(
    'security_groups',
    [...c.security_groups].sort(),
    [...(state.security_groups as string[])].sort(),
  );
  same('tags', c.tags, state.tags);
  same('volume_tags', c.volume_tags, state.volume_tags);
  // Plain-text user_data is kept as its hash.
  same(
    'user_data',
    userDataHash(userDataOf(c.user_data)),
    userDataHash(state.user_data_b64 as string),
  );
  return diff;
}

async function passwordHash(id: string): Promise<string> {
  const r: any = await yb.db.k
    .selectFrom('ecs_instances')
    .select('password_hash')
    .where('instance_id', '=', id)
    .executeTakeFirst();
  return r.password_hash;
}

describe('resource "alicloud_instance"', () => {
  let id: string;
  let v1: InstanceConfig;

  it('create -> read: an empty plan', async () => {
    v1 = {
      availability_zone: net.zoneId,
      security_groups: [securityGroupId],
      instance_type: 'ecs.g6.large',
      image_id: 'ubuntu_18_04_64_20G_alibase_20190624.vhd',
      system_disk_category: 'cloud_efficiency',
      system_disk_name: 'terraform-example',
      system_disk_description: 'test_foo_system_disk_description',
      instance_name: 'terraform-example',
      description: 'created by terraform',
      host_name: 'tf-host',
      password: 'Tf-Passw0rd!',
      user_data: '#!/bin/sh\necho hello from terraform\n',
      role_name: 'TfEcsRoleOne',
      key_name: 'tf-key-one',
      vswitch_id: net.vswitchId,
      deletion_protection: true,
      tags: { Created: 'TF', For: 'acceptance test' },
      volume_tags: { tag1: 'test', Tag2: 'Test' },
    };
    const r = await rpcPost(ecs, 'RunInstances', runInstancesRequest(v1));
    id = r.InstanceIdSets.InstanceIdSet[0];
    expect(id).toMatch(/^i-/);
    await waitForState(yb, ecs, id, ['Pending', 'Starting', 'Stopped'], 'Running');
    // resourceAliCloudInstanceUpdate on a new resource: only setVolumeTags, from the tags the
    // system disk got from RunInstances.
    expect(await setVolumeTags(id, undefined, v1.volume_tags)).toEqual(v1.tags);
    const state = await readInstance(id, { isNew: true, roleChanged: true });
    expect(planDiff(v1, state)).toEqual([]);
    expect(state).toMatchObject({
      status: 'Running',
      system_disk_size: 40,
      system_disk_id: `d-${id.slice(2)}`,
      system_disk_performance_level: '',
      system_disk_encrypted: false,
      instance_charge_type: 'PostPaid',
      vpc_id: net.vpcId,
      http_endpoint: 'enabled',
      http_tokens: 'optional',
      maintenance_time: [],
      maintenance_action: 'AutoRecover',
      maintenance_notify: false,
      enable_jumbo_frame: false,
      private_pool_options_match_criteria: 'None',
      spot_interruption_behavior: 'Terminate',
      public_ip: '',
    });
    expect(await verifyPassword(v1.password, await passwordHash(id))).toBe(true);

    // The instance sees its configuration.
    const url = await yb.metadata.urlFor(id);
    const get = (p: string) => fetch(`${url}/latest/${p}`).then((x) => x.text());
    expect(await get('user-data')).toBe(v1.user_data);
    expect(await get('meta-data/hostname')).toBe('tf-host');
    expect(await get('meta-data/ram/security-credentials/')).toBe('TfEcsRoleOne');
    const keys = JSON.parse(await get('meta-data/all'))['public-keys'];
    expect(Object.keys(keys)).toHaveLength(1);
  });

  it('update -> read: tags, volume tags, attributes, password (stop, start), key pair (reboot), role', async () => {
    const v2: InstanceConfig = {
      ...v1,
      instance_name: 'terraform-example-2',
      description: 'updated by terraform',
      host_name: 'tf-host-2',
      password: 'Tf-Passw0rd-2!',
      user_data: '#!/bin/sh\necho second boot\n',
      key_name: 'tf-key-two',
      role_name: 'TfEcsRoleTwo',
      deletion_protection: false,
      tags: { Created: 'TF', For: 'update test' },
      volume_tags: { tag1: 'test' },
    };
    // setTags: UntagResources for keys removed or changed, TagResources for the new map.
    await setResourceTags(ecs, yb.region, 'instance', [id], v1.tags, v2.tags);
    // setVolumeTags: from the configuration's old volume tags to the new, on every disk.
    await setVolumeTags(id, v1.volume_tags, v2.volume_tags);

    // modifyInstanceAttribute: one call with every changed attribute; a reboot is needed.
    await rpcPost(ecs, 'ModifyInstanceAttribute', {
      RegionId: yb.region,
      ClientToken: `ModifyInstanceAttribute-${randomUUID()}`,
      InstanceId: id,
      InstanceName: v2.instance_name,
      Description: v2.description,
      UserData: userDataOf(v2.user_data),
      HostName: v2.host_name,
      Password: v2.password,
      DeletionProtection: v2.deletion_protection,
    });
    // The password update makes the provider stop the Running instance and start it again.
    expect((await describeInstance(ecs, yb.region, id))!.status).toBe('Running');
    await ecs.stopInstance(
      new $Ecs.StopInstanceRequest({ regionId: yb.region, instanceId: id, forceStop: false }),
    );
    await waitForState(yb, ecs, id, ['Pending', 'Running', 'Stopping'], 'Stopped');
    await ecs.startInstance(new $Ecs.StartInstanceRequest({ instanceId: id }));
    await waitForState(yb, ecs, id, ['Pending', 'Starting', 'Stopped'], 'Running');

    // key_name: detach the old, attach the new, reboot the Running instance, wait for Running.
    const before = await describeInstance(ecs, yb.region, id);
    const keyRequest = (name: string) => ({
      RegionId: yb.region,
      InstanceIds: JSON.stringify([id]),
      KeyPairName: name,
    });
    await rpcPost(ecs, 'DetachKeyPair', keyRequest(v1.key_name));
    await rpcPost(ecs, 'AttachKeyPair', keyRequest(v2.key_name));
    expect(before!.status).toBe('Running');
    await rpcPost(ecs, 'RebootInstance', { InstanceId: id, ForceStop: true });
    await waitForState(yb, ecs, id, [], 'Running');

    // role_name: detach the old role, attach the new one, wait for Running.
    await rpcPost(ecs, 'DetachInstanceRamRole', {
      RegionId: yb.region,
      InstanceIds: JSON.stringify([id]),
      RamRoleName: v1.role_name,
    });
    await rpcPost(ecs, 'AttachInstanceRamRole', {
      RegionId: yb.region,
      InstanceIds: JSON.stringify([id]),
      RamRoleName: v2.role_name,
    });
    await waitForState(yb, ecs, id, [], 'Running');

    const state = await readInstance(id, { isNew: false, roleChanged: false });
    expect(planDiff(v2, state)).toEqual([]);
    expect(await verifyPassword(v2.password, await passwordHash(id))).toBe(true);
    const url = await yb.metadata.urlFor(id);
    const get = (p: string) => fetch(`${url}/latest/${p}`).then((x) => x.text());
    expect(await get('user-data')).toBe(v2.user_data);
    expect(await get('meta-data/hostname')).toBe('tf-host-2');
    expect(await get('meta-data/ram/security-credentials/')).toBe('TfEcsRoleTwo');
    const kp = await rpcPost(ecs, 'DescribeKeyPairs', {
      RegionId: yb.region,
      KeyPairName: 'tf-key-two',
      IncludePublicKey: true,
    });
    const keys = JSON.parse(await get('meta-data/all'))['public-keys'];
    expect(Object.values(keys)).toEqual([{ 'openssh-key': kp.KeyPairs.KeyPair[0].PublicKey }]);
  });

  it('delete: DeleteInstance with Force, then DescribeInstances finds nothing', async () => {
    await ecs.deleteInstance(new $Ecs.DeleteInstanceRequest({ instanceId: id, force: true }));
    await waitForState(yb, ecs, id, ['Pending', 'Running', 'Stopped', 'Stopping'], undefined);
    // The key pairs can go now (terraform destroys them after the instance).
    await rpcPost(ecs, 'DeleteKeyPairs', {
      RegionId: yb.region,
      KeyPairNames: JSON.stringify(['tf-key-one', 'tf-key-two']),
    });
    // A refresh of the deleted instance reads nothing: the resource leaves the state.
    expect(await describeInstance(ecs, yb.region, id)).toBeUndefined();
  });

  it('release protection refuses the provider’s delete, which does not retry that code', async () => {
    const c: InstanceConfig = {
      ...v1,
      instance_name: 'protected',
      key_name: '',
      role_name: '',
      deletion_protection: true,
    };
    const request = runInstancesRequest(c);
    delete request.KeyPairName;
    delete request.RamRoleName;
    const r = await rpcPost(ecs, 'RunInstances', request);
    const protectedId = r.InstanceIdSets.InstanceIdSet[0];
    await waitForState(yb, ecs, protectedId, ['Pending', 'Starting', 'Stopped'], 'Running');
    const e = await failure(
      ecs.deleteInstance(new $Ecs.DeleteInstanceRequest({ instanceId: protectedId, force: true })),
    );
    expect([e.statusCode, e.code]).toEqual([403, 'InvalidOperation.DeletionProtection']);
    await rpcPost(ecs, 'ModifyInstanceAttribute', {
      RegionId: yb.region,
      InstanceId: protectedId,
      DeletionProtection: false,
    });
    await ecs.deleteInstance(
      new $Ecs.DeleteInstanceRequest({ instanceId: protectedId, force: true }),
    );
    await waitForState(
      yb,
      ecs,
      protectedId,
      ['Pending', 'Running', 'Stopped', 'Stopping'],
      undefined,
    );
  });
});
