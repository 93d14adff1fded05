/**
 * What an instance has besides its place and state, through @alicloud/ecs20140526 on the manual
 * clock: the system disk a launch describes (DescribeDisks, ModifyDiskAttribute), user data up to
 * 32 KB (DescribeUserData, served at /latest/user-data), ModifyInstanceAttribute for every field
 * with ECS's state rules (no password reset while Starting, no user data change during a
 * transition), the password kept only as a scrypt hash and never in the trail, release protection
 * refusing DeleteInstance, the burstable mode, ModifyInstanceSpec on a Stopped instance, and the
 * maintenance and attachment attributes.
 * Refused launches store nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../../src/services/ecs/instance-attributes/model.js';
import { advanceClocks, followServerClock, restoreClock } from '../../../src/testing/clock.js';
import { failure } from '../../../src/testing/failure.js';
import {
  TUTORIAL_IMAGE,
  TUTORIAL_INSTANCE_TYPE,
  createNetwork,
  rootOf,
} from '../../../src/testing/fixtures.js';
import { $Ecs, ecsClient } from '../../../src/testing/sdk.js';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';
import { rowCounts } from '../../../src/testing/snapshot.js';
import { lookupAll } from '../trail/helpers.js';

const PASSWORD = 'Tutorial-Step2.2!';

let yb: TestServer;
let ecs: ReturnType<typeof ecsClient>;
let vswitchId: string;

beforeAll(async () => {
  yb = await startTestServer({
    clock: 'manual',
    clockStart: '2026-07-01T08:00:00Z',
    metadataListen: '127.0.0.1:0',
  });
  followServerClock(yb);
  ({ vswitchId } = await createNetwork(yb, rootOf(yb), { vswitchCidr: '192.168.20.0/24' }));
  ecs = ecsClient(yb, rootOf(yb));
});
afterAll(async () => {
  restoreClock();
  await yb?.close();
});

const base = (extra: Record<string, unknown> = {}) => ({
  regionId: 'cn-hangzhou',
  imageId: TUTORIAL_IMAGE,
  instanceType: TUTORIAL_INSTANCE_TYPE,
  vSwitchId: vswitchId,
  ...extra,
});

async function run(extra: Record<string, unknown> = {}): Promise<string> {
  const r = await ecs.runInstances(new $Ecs.RunInstancesRequest(base(extra)));
  return r.body!.instanceIdSets!.instanceIdSet![0]!;
}

async function create(extra: Record<string, unknown> = {}): Promise<string> {
  const r = await ecs.createInstance(new $Ecs.CreateInstanceRequest(base(extra)));
  return r.body!.instanceId!;
}

const modify = (instanceId: string, extra: Record<string, unknown>) =>
  ecs.modifyInstanceAttribute(new $Ecs.ModifyInstanceAttributeRequest({ instanceId, ...extra }));

const attribute = async (instanceId: string) =>
  (await ecs.describeInstanceAttribute(new $Ecs.DescribeInstanceAttributeRequest({ instanceId })))
    .body!;

const describe1 = async (instanceId: string) =>
  (
    await ecs.describeInstances(
      new $Ecs.DescribeInstancesRequest({
        regionId: 'cn-hangzhou',
        instanceIds: JSON.stringify([instanceId]),
      }),
    )
  ).body!.instances!.instance![0]!;

const systemDisk = async (instanceId: string) =>
  (
    await ecs.describeDisks(
      new $Ecs.DescribeDisksRequest({ regionId: 'cn-hangzhou', instanceId, diskType: 'system' }),
    )
  ).body!.disks!.disk!;

async function passwordHash(instanceId: string): Promise<string | null> {
  const r: any = await yb.db.k
    .selectFrom('ecs_instances')
    .select('password_hash')
    .where('instance_id', '=', instanceId)
    .executeTakeFirst();
  return r.password_hash;
}

describe('launch attributes', () => {
  it('records the system disk, password, release protection and burstable mode the launch gives', async () => {
    const id = await run({
      systemDisk: new $Ecs.RunInstancesRequestSystemDisk({
        category: 'cloud_essd',
        size: 60,
        diskName: 'system-disk',
        description: 'the root volume',
      }),
      password: PASSWORD,
      deletionProtection: true,
    });
    const [disk] = await systemDisk(id);
    expect(disk).toMatchObject({
      diskId: `d-${id.slice(2)}`,
      instanceId: id,
      type: 'system',
      category: 'cloud_essd',
      size: 60,
      performanceLevel: 'PL1',
      diskName: 'system-disk',
      description: 'the root volume',
      status: 'In_use',
      device: '/dev/xvda',
      imageId: TUTORIAL_IMAGE,
      zoneId: 'cn-hangzhou-i',
      deleteWithInstance: true,
      portable: false,
      encrypted: false,
    });
    expect(disk!.attachments!.attachment![0]!.instanceId).toBe(id);
    const hash = await passwordHash(id);
    expect(hash).not.toContain(PASSWORD);
    expect(await verifyPassword(PASSWORD, hash!)).toBe(true);

    expect((await describe1(id)).deletionProtection).toBe(true);
    const refused = await failure(
      ecs.deleteInstance(new $Ecs.DeleteInstanceRequest({ instanceId: id, force: true })),
    );
    expect([refused.statusCode, refused.code]).toEqual([
      403,
      'InvalidOperation.DeletionProtection',
    ]);
    await modify(id, { deletionProtection: false });
    expect((await describe1(id)).deletionProtection).toBe(false);
    await ecs.deleteInstance(new $Ecs.DeleteInstanceRequest({ instanceId: id, force: true }));
    expect(await systemDisk(id)).toEqual([]);
  });

  it('defaults the system disk to cloud_efficiency of max(40 GiB, image size)', async () => {
    const centos40 = await run();
    const ubuntu20 = await run({ imageId: 'ubuntu_22_04_x64_20G_alibase_20240710.vhd' });
    expect((await systemDisk(centos40))[0]).toMatchObject({
      category: 'cloud_efficiency',
      size: 40,
      performanceLevel: '',
    });
    expect((await systemDisk(ubuntu20))[0]!.size).toBe(40);
    const burstable = await run({
      instanceType: 'ecs.t6-c1m1.large',
      creditSpecification: 'Unlimited',
    });
    expect((await describe1(burstable)).creditSpecification).toBe('Unlimited');
    expect((await describe1(centos40)).creditSpecification).toBe('');
  });

  it("refuses bad system disks, passwords, key pairs and modes with ECS's codes, storing nothing", async () => {
    const before = await rowCounts(yb.db, ['ecs_key_pairs']);
    const disk = (d: Record<string, unknown>) => ({
      systemDisk: new $Ecs.CreateInstanceRequestSystemDisk(d),
    });
    const cases: Array<[Record<string, unknown>, string]> = [
      [disk({ size: 10 }), '404 InvalidSystemDiskSize.LessThanMinSize'],
      [disk({ size: 4096 }), '404 InvalidSystemDiskSize.MoreThanMaxSize'],
      [disk({ size: 30 }), '404 InvalidSystemDiskSize.LessThanImageSize'],
      [disk({ category: 'cloud' }), '400 InvalidSystemDiskCategory.ValueNotSupported'],
      [disk({ diskName: '1-digit-first' }), '400 InvalidDiskName.Malformed'],
      [disk({ performanceLevel: 'PL9' }), '400 InvalidPerformanceLevel.Malformed'],
      [{ password: 'short1A' }, '400 InvalidPassword.Malformed'],
      [{ password: 'alllowercase' }, '400 InvalidPassword.Malformed'],
      [{ keyPairName: 'no-such-key-pair' }, '404 InvalidKeyPairName.NotFound'],
      [{ creditSpecification: 'Unlimited' }, '400 InvalidParameter.CreditSpecification'],
      [{ creditSpecification: 'Turbo' }, '400 InvalidParameter.CreditSpecification'],
      [{ dryRun: true, password: PASSWORD }, '400 DryRunOperation'],
    ];
    for (const [extra, expected] of cases) {
      const e = await failure(ecs.createInstance(new $Ecs.CreateInstanceRequest(base(extra))));
      expect(`${e.statusCode} ${e.code}`, JSON.stringify(extra).slice(0, 80)).toBe(expected);
    }
    expect(await rowCounts(yb.db, ['ecs_key_pairs'])).toEqual(before);
  });
});

describe('user data', () => {
  it('takes 32 KB before Base64, shows it in DescribeUserData and serves it to the instance', async () => {
    const raw = Buffer.alloc(32 * 1024);
    for (let i = 0; i < raw.length; i++) raw[i] = (i * 7 + 3) % 256;
    const id = await run({ userData: raw.toString('base64') });
    const d = await ecs.describeUserData(
      new $Ecs.DescribeUserDataRequest({ regionId: 'cn-hangzhou', instanceId: id }),
    );
    expect(d.body).toMatchObject({ instanceId: id, regionId: 'cn-hangzhou' });
    expect(d.body!.userData).toBe(raw.toString('base64'));
    advanceClocks(yb, 2);
    const url = await yb.metadata.urlFor(id);
    const served = await fetch(`${url}/latest/user-data`);
    expect(Buffer.compare(Buffer.from(await served.arrayBuffer()), raw)).toBe(0);

    // Changed on the Running instance (as the provider does before restarting it), then cleared.
    await modify(id, { userData: Buffer.from('#!/bin/sh\necho two\n').toString('base64') });
    expect(await fetch(`${url}/latest/user-data`).then((r) => r.text())).toBe(
      '#!/bin/sh\necho two\n',
    );
    await modify(id, { userData: '' });
    const none = await ecs.describeUserData(
      new $Ecs.DescribeUserDataRequest({ regionId: 'cn-hangzhou', instanceId: id }),
    );
    expect(none.body!.userData).toBe('');
    expect((await fetch(`${url}/latest/user-data`)).status).toBe(404);
    // The worst case on the wire: all `/`, each percent-encoded in the query string (131 KB).
    const slashes = Buffer.alloc(32 * 1024, 0xff).toString('base64');
    await modify(id, { userData: slashes });
    expect(
      (
        await ecs.describeUserData(
          new $Ecs.DescribeUserDataRequest({ regionId: 'cn-hangzhou', instanceId: id }),
        )
      ).body!.userData,
    ).toBe(slashes);
    const big = await failure(
      modify(id, { userData: Buffer.alloc(32 * 1024 + 1).toString('base64') }),
    );
    expect(big.code).toBe('InvalidUserData.SizeExceeded');
    const gone = await failure(
      ecs.describeUserData(
        new $Ecs.DescribeUserDataRequest({ regionId: 'cn-hangzhou', instanceId: 'i-nothere' }),
      ),
    );
    expect([gone.statusCode, gone.code]).toEqual([404, 'InvalidInstanceId.NotFound']);
  });
});

describe('ModifyInstanceAttribute', () => {
  it('changes name, description, host name and password, in the states ECS allows', async () => {
    // The tutorial's step 2.2: set the password of the instance CreateInstance made, then start it.
    const id = await create();
    await modify(id, { password: PASSWORD });
    expect(await verifyPassword(PASSWORD, (await passwordHash(id))!)).toBe(true);
    advanceClocks(yb, 2);
    await ecs.startInstance(new $Ecs.StartInstanceRequest({ instanceId: id }));

    // Starting: no password reset and no user data change; names still change.
    const starting = await failure(modify(id, { password: 'An0ther-Passw0rd' }));
    expect([starting.statusCode, starting.code]).toEqual([403, 'IncorrectInstanceStatus']);
    expect(starting.data.Message).toContain('is Starting');
    const ud = await failure(modify(id, { userData: Buffer.from('x').toString('base64') }));
    expect(ud.code).toBe('IncorrectInstanceStatus');
    expect(await verifyPassword(PASSWORD, (await passwordHash(id))!)).toBe(true);
    await modify(id, { instanceName: 'renamed-while-starting' });

    advanceClocks(yb, 2);
    await modify(id, {
      instanceName: 'web-1',
      description: 'front end',
      hostName: 'web-1.internal',
      password: 'An0ther-Passw0rd',
      enableJumboFrame: true,
    });
    const a = await attribute(id);
    expect(a).toMatchObject({
      instanceName: 'web-1',
      description: 'front end',
      hostName: 'web-1.internal',
      status: 'Running',
      enableJumboFrame: true,
    });
    expect(await verifyPassword('An0ther-Passw0rd', (await passwordHash(id))!)).toBe(true);
    const url = await yb.metadata.urlFor(id);
    expect(await fetch(`${url}/latest/meta-data/hostname`).then((r) => r.text())).toBe(
      'web-1.internal',
    );

    // Empty values: a description is cleared, a name or password left as it is.
    await modify(id, { description: '', instanceName: '', password: '' });
    expect(await attribute(id)).toMatchObject({ instanceName: 'web-1', description: '' });
  });

  it("refuses bad values with ECS's codes and changes nothing", async () => {
    const id = await run({ instanceName: 'keep-me' });
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ instanceName: '1bad' }, '400 InvalidInstanceName.Malformed'],
      [{ hostName: '-bad-' }, '400 InvalidHostName.Malformed'],
      [{ description: 'http://x' }, '400 InvalidDescription.Malformed'],
      [{ password: 'weakweak' }, '400 InvalidPassword.Malformed'],
      [{ userData: 'not base64!' }, '400 InvalidUserData.Base64FormatInvalid'],
      [{ creditSpecification: 'Unlimited' }, '400 InvalidParameter.CreditSpecification'],
      [{ instanceId: 'i-doesnotexist', instanceName: 'x1' }, '404 InvalidInstanceId.NotFound'],
    ];
    for (const [extra, expected] of cases) {
      const e = await failure(modify(id, { instanceName: 'changed', ...extra }));
      expect(`${e.statusCode} ${e.code}`, JSON.stringify(extra)).toBe(expected);
    }
    expect((await attribute(id)).instanceName).toBe('keep-me');
  });

  it('keeps the password out of the audit trail', async () => {
    const id = await run();
    await modify(id, { password: 'Tr41l-Secret-Pw' });
    await yb.services.trail.recorder.flush();
    const events = await lookupAll(yb, rootOf(yb));
    const e = events.find(
      (x) => x.eventName === 'ModifyInstanceAttribute' && x.requestParameters.InstanceId === id,
    );
    expect(e).toBeDefined();
    expect(e!.requestParameters).not.toHaveProperty('Password');
    expect(JSON.stringify(events)).not.toContain('Tr41l-Secret-Pw');
  });
});

describe('ModifyInstanceSpec', () => {
  it('changes the type of a Stopped instance, which DescribeInstances and the metadata then show', async () => {
    const spec = (instanceId: string, extra: Record<string, unknown>) =>
      ecs.modifyInstanceSpec(new $Ecs.ModifyInstanceSpecRequest({ instanceId, ...extra }));
    const id = await run();
    // Pending, then Running: refused, and nothing changes.
    for (const wait of [0, 3]) {
      advanceClocks(yb, wait);
      const e = await failure(spec(id, { instanceType: 'ecs.g6.xlarge' }));
      expect([e.statusCode, e.code]).toEqual([403, 'IncorrectInstanceStatus']);
    }
    expect((await describe1(id)).instanceType).toBe(TUTORIAL_INSTANCE_TYPE);
    await ecs.stopInstance(new $Ecs.StopInstanceRequest({ instanceId: id }));
    const stopping = await failure(spec(id, { instanceType: 'ecs.g6.xlarge' }));
    expect(stopping.code).toBe('IncorrectInstanceStatus');
    advanceClocks(yb, 3);
    const before = await rowCounts(yb.db);
    for (const [extra, code] of [
      [{ instanceType: 'ecs.nope.large' }, 'InvalidInstanceType.ValueNotSupported'],
      [{ instanceType: 'ecs.g8y.large' }, 'ImageNotSupportInstanceType'],
      [{ instanceType: 'ecs.g6.xlarge', dryRun: true }, 'DryRunOperation'],
      [{ instanceType: 'ecs.g6.xlarge', internetMaxBandwidthOut: 5 }, 'InvalidParameter'],
    ] as const) {
      expect((await failure(spec(id, extra))).code, code).toBe(code);
    }
    expect(await rowCounts(yb.db)).toEqual(before);
    expect((await describe1(id)).instanceType).toBe(TUTORIAL_INSTANCE_TYPE);

    await spec(id, { instanceType: 'ecs.g6.xlarge', allowMigrateAcrossZone: false });
    const after = await describe1(id);
    expect([after.instanceType, after.cpu, after.memory, after.status]).toEqual([
      'ecs.g6.xlarge',
      4,
      16384,
      'Stopped',
    ]);
    // Started again, it sees its new type.
    await ecs.startInstance(new $Ecs.StartInstanceRequest({ instanceId: id }));
    advanceClocks(yb, 3);
    const url = await yb.metadata.urlFor(id);
    expect(
      await fetch(`${url}/latest/meta-data/instance/instance-type`).then((r) => r.text()),
    ).toBe('ecs.g6.xlarge');
    const missing = await failure(spec('i-nope', { instanceType: 'ecs.g6.xlarge' }));
    expect([missing.statusCode, missing.code]).toEqual([404, 'InvalidInstanceId.NotFound']);
  });
});

describe('DescribeDisks and ModifyDiskAttribute', () => {
  it('filters and pages system disks', async () => {
    const ids = [await run(), await run(), await run()];
    const disks = (extra: Record<string, unknown>) =>
      ecs.describeDisks(new $Ecs.DescribeDisksRequest({ regionId: 'cn-hangzhou', ...extra }));
    const byIds = await disks({ diskIds: JSON.stringify(ids.map((i) => `d-${i.slice(2)}`)) });
    expect(byIds.body!.disks!.disk!.map((d) => d.instanceId)).toEqual(ids);
    expect(byIds.body!.totalCount).toBe(3);
    expect((await disks({ instanceId: ids[0], diskType: 'data' })).body!.disks!.disk).toEqual([]);
    expect(
      (await disks({ diskIds: JSON.stringify([`d-${ids[0]!.slice(2)}`]), category: 'cloud_ssd' }))
        .body!.disks!.disk,
    ).toEqual([]);
    const page2 = await disks({
      diskIds: JSON.stringify(ids.map((i) => `d-${i.slice(2)}`)),
      pageNumber: 2,
      pageSize: 2,
    });
    expect(page2.body!.disks!.disk!.map((d) => d.instanceId)).toEqual([ids[2]]);
    const first = await disks({
      maxResults: 2,
      diskIds: JSON.stringify(ids.map((i) => `d-${i.slice(2)}`)),
    });
    expect(first.body!.disks!.disk).toHaveLength(2);
    const rest = await disks({
      maxResults: 2,
      nextToken: first.body!.nextToken,
      diskIds: JSON.stringify(ids.map((i) => `d-${i.slice(2)}`)),
    });
    expect(rest.body!.disks!.disk!.map((d) => d.instanceId)).toEqual([ids[2]]);
    expect(rest.body!.nextToken).toBe('');
    expect((await failure(disks({ nextToken: 'garbage!' }))).code).toBe(
      'InvalidNextToken.Malformed',
    );
    expect((await failure(disks({ diskIds: 'not json' }))).code).toBe('InvalidDiskIds.Malformed');

    await ecs.modifyDiskAttribute(
      new $Ecs.ModifyDiskAttributeRequest({
        diskId: `d-${ids[0]!.slice(2)}`,
        diskName: 'renamed',
        description: 'described',
      }),
    );
    expect((await systemDisk(ids[0]!))[0]).toMatchObject({
      diskName: 'renamed',
      description: 'described',
    });
    const missing = await failure(
      ecs.modifyDiskAttribute(
        new $Ecs.ModifyDiskAttributeRequest({ diskId: 'd-nothere', diskName: 'x1' }),
      ),
    );
    expect([missing.statusCode, missing.code]).toEqual([404, 'InvalidDiskId.NotFound']);
  });
});

describe('maintenance and attachment attributes', () => {
  it('shows the defaults, records changes and refuses bad windows', async () => {
    const id = await run();
    const show = async () =>
      (
        await ecs.describeInstanceMaintenanceAttributes(
          new $Ecs.DescribeInstanceMaintenanceAttributesRequest({
            regionId: 'cn-hangzhou',
            instanceId: [id],
          }),
        )
      ).body!.maintenanceAttributes!.maintenanceAttribute![0]!;
    expect(await show()).toMatchObject({
      instanceId: id,
      maintenanceWindows: { maintenanceWindow: [] },
      actionOnMaintenance: {
        value: 'AutoRecover',
        defaultValue: 'AutoRecover',
        supportedValues: { supportedValue: ['Stop', 'AutoRecover', 'AutoRedeploy'] },
      },
      notifyOnMaintenance: false,
    });
    await ecs.modifyInstanceMaintenanceAttributes(
      new $Ecs.ModifyInstanceMaintenanceAttributesRequest({
        regionId: 'cn-hangzhou',
        instanceId: [id],
        maintenanceWindow: [
          new $Ecs.ModifyInstanceMaintenanceAttributesRequestMaintenanceWindow({
            startTime: '18:00:00Z',
            endTime: '21:00:00Z',
          }),
        ],
        actionOnMaintenance: 'AutoRedeploy',
        notifyOnMaintenance: true,
      }),
    );
    expect(await show()).toMatchObject({
      maintenanceWindows: { maintenanceWindow: [{ startTime: '18:00:00Z', endTime: '21:00:00Z' }] },
      actionOnMaintenance: { value: 'AutoRedeploy' },
      notifyOnMaintenance: true,
    });
    const bad = await failure(
      ecs.modifyInstanceMaintenanceAttributes(
        new $Ecs.ModifyInstanceMaintenanceAttributesRequest({
          regionId: 'cn-hangzhou',
          instanceId: [id],
          maintenanceWindow: [
            new $Ecs.ModifyInstanceMaintenanceAttributesRequestMaintenanceWindow({
              startTime: '18:30:00Z',
              endTime: '21:00:00Z',
            }),
          ],
        }),
      ),
    );
    expect(bad.code).toBe('InvalidParameter');

    const attach = await ecs.describeInstanceAttachmentAttributes(
      new $Ecs.DescribeInstanceAttachmentAttributesRequest({
        regionId: 'cn-hangzhou',
        instanceIds: JSON.stringify([id]),
      }),
    );
    expect(attach.body!.instances!.instance).toEqual([
      { instanceId: id, privatePoolOptionsMatchCriteria: 'None', privatePoolOptionsId: '' },
    ]);
  });
});
