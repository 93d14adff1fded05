/**
 * ECS tags of security groups, key pairs, system disks and network interfaces with
 * @alicloud/ecs20140526: `Tag.N` of CreateSecurityGroup, CreateKeyPair, ImportKeyPair and
 * RunInstances (which tags the instance, its system disk and its primary ENI),
 * TagResources/UntagResources/ListTagResources with ResourceType `securitygroup`, `keypair` (named
 * by key pair name, as terraform-provider-alicloud names them), `disk` and `eni`, and
 * DescribeSecurityGroups, DescribeKeyPairs, DescribeDisks and DescribeNetworkInterfaces showing and
 * filtering by the same tags; tags go with their resource; a re-created key pair of the same name
 * starts without them; refusals with ECS's codes change nothing. Runs on the store
 * YUNBOX_TEST_STORE selects.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createNetwork,
  createUserWithKey,
  grantCustomPolicy,
  rootOf,
  runTutorialInstance,
} from '../../../src/testing/fixtures.js';
import { outcome } from '../../../src/testing/failure.js';
import { $Ecs, ecsClient } from '../../../src/testing/sdk.js';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';

let yb: TestServer;
let ecs: ReturnType<typeof ecsClient>;
let region: string;
let net: { vpcId: string; vswitchId: string };

beforeAll(async () => {
  yb = await startTestServer();
  region = yb.region;
  ecs = ecsClient(yb, rootOf(yb));
  net = await createNetwork(yb, rootOf(yb));
});
afterAll(async () => {
  await yb?.close();
});

type Kv = Record<string, string>;
const asMap = (tags: Array<{ tagKey?: string; tagValue?: string }> | undefined): Kv =>
  Object.fromEntries((tags ?? []).map((t) => [t.tagKey!, t.tagValue!]));
const tagList = (tags: Kv) =>
  Object.entries(tags).map(([key, value]) => new $Ecs.TagResourcesRequestTag({ key, value }));

const tagResources = (type: string, resourceId: string[], tags: Kv) =>
  ecs.tagResources(
    new $Ecs.TagResourcesRequest({
      regionId: region,
      resourceType: type,
      resourceId,
      tag: tagList(tags),
    }),
  );
const untagResources = (type: string, resourceId: string[], keys: string[] | 'all') =>
  ecs.untagResources(
    new $Ecs.UntagResourcesRequest({
      regionId: region,
      resourceType: type,
      resourceId,
      ...(keys === 'all' ? { all: true } : { tagKey: keys }),
    }),
  );
/** RunInstances with Tag.N: the tutorial's instance carrying `tags`. */
const run = (tags: Kv) =>
  runTutorialInstance(ecs, region, net.vswitchId, {
    tag: Object.entries(tags).map(
      ([key, value]) => new $Ecs.RunInstancesRequestTag({ key, value }),
    ),
  });

/** ListTagResources of `type`, every page, as `id/key=value`. */
async function listed(type: string, req: Record<string, unknown> = {}): Promise<string[]> {
  const out: string[] = [];
  let nextToken: string | undefined;
  do {
    const body = (
      await ecs.listTagResources(
        new $Ecs.ListTagResourcesRequest({
          regionId: region,
          resourceType: type,
          ...req,
          ...(nextToken ? { nextToken } : {}),
        }),
      )
    ).body!;
    for (const t of body.tagResources!.tagResource!) {
      expect(t.resourceType).toBe(type);
      out.push(`${t.resourceId}/${t.tagKey}=${t.tagValue}`);
    }
    nextToken = body.nextToken || undefined;
  } while (nextToken);
  return out;
}

describe('security group tags', () => {
  const create = async (name: string, tags: Kv) =>
    (
      await ecs.createSecurityGroup(
        new $Ecs.CreateSecurityGroupRequest({
          regionId: region,
          vpcId: net.vpcId,
          securityGroupName: name,
          tag: Object.entries(tags).map(
            ([key, value]) => new $Ecs.CreateSecurityGroupRequestTag({ key, value }),
          ),
        }),
      )
    ).body!.securityGroupId!;
  const describeGroups = async (req: Record<string, unknown>) =>
    (
      await ecs.describeSecurityGroups(
        new $Ecs.DescribeSecurityGroupsRequest({ regionId: region, ...req }),
      )
    ).body!;
  const tagsOf = async (id: string) =>
    asMap(
      (await describeGroups({ securityGroupId: id })).securityGroups!.securityGroup![0]!.tags?.tag,
    );

  it('are set at creation, changed by the tag calls and read by DescribeSecurityGroups', async () => {
    const id = await create('sg-tagged', { env: 'dev', team: 'web' });
    expect(await listed('securitygroup', { resourceId: [id] })).toEqual([
      `${id}/env=dev`,
      `${id}/team=web`,
    ]);
    await tagResources('securitygroup', [id], { env: 'prod', owner: 'me' });
    await untagResources('securitygroup', [id], ['team', 'absent']);
    expect(await tagsOf(id)).toEqual({ env: 'prod', owner: 'me' });
    // ResourceType in another case is the same type.
    await tagResources('SecurityGroup', [id], { cased: 'yes' });
    expect(await tagsOf(id)).toEqual({ env: 'prod', owner: 'me', cased: 'yes' });
    await untagResources('securitygroup', [id], 'all');
    expect(await tagsOf(id)).toEqual({});
  });

  it('filter DescribeSecurityGroups (TotalCount counts what matches) and go with the group', async () => {
    const a = await create('sg-filter-a', { tier: 'front', zone: 'a' });
    const b = await create('sg-filter-b', { tier: 'back' });
    const names = (body: any) =>
      body.securityGroups.securityGroup.map((g: any) => g.securityGroupName as string);
    const tier = (value?: string) =>
      describeGroups({ tag: [new $Ecs.DescribeSecurityGroupsRequestTag({ key: 'tier', value })] });
    expect(names(await tier())).toEqual(['sg-filter-a', 'sg-filter-b']);
    const front = await tier('front');
    expect([front.totalCount, names(front)]).toEqual([1, ['sg-filter-a']]);
    const both = await describeGroups({
      tag: [
        new $Ecs.DescribeSecurityGroupsRequestTag({ key: 'tier' }),
        new $Ecs.DescribeSecurityGroupsRequestTag({ key: 'zone', value: 'a' }),
      ],
    });
    expect(names(both)).toEqual(['sg-filter-a']);
    const paged = await describeGroups({
      tag: [new $Ecs.DescribeSecurityGroupsRequestTag({ key: 'tier' })],
      pageSize: 1,
      pageNumber: 2,
    });
    expect([paged.totalCount, names(paged)]).toEqual([2, ['sg-filter-b']]);

    await ecs.deleteSecurityGroup(
      new $Ecs.DeleteSecurityGroupRequest({ regionId: region, securityGroupId: a }),
    );
    expect(await listed('securitygroup', { resourceId: [a, b] })).toEqual([`${b}/tier=back`]);
    expect(await outcome(tagResources('securitygroup', [a], { k: 'v' }))).toBe(
      '404 InvalidResourceId.NotFound',
    );
    expect(names(await tier())).toEqual(['sg-filter-b']);
  });

  it('are checked with ECS rules at creation, which then creates nothing', async () => {
    const before = (await describeGroups({})).totalCount;
    const bad = (tags: Array<{ key: string; value?: string }>) =>
      outcome(
        ecs.createSecurityGroup(
          new $Ecs.CreateSecurityGroupRequest({
            regionId: region,
            vpcId: net.vpcId,
            tag: tags.map((t) => new $Ecs.CreateSecurityGroupRequestTag(t)),
          }),
        ),
      );
    expect(await bad([{ key: 'acs:x', value: '1' }])).toBe('400 InvalidTagKey.Malformed');
    expect(await bad([{ key: 'k', value: 'http://x' }])).toBe('400 InvalidTagValue.Malformed');
    expect(
      await bad([
        { key: 'k', value: '1' },
        { key: 'k', value: '2' },
      ]),
    ).toBe('400 Duplicate.TagKey');
    expect((await describeGroups({})).totalCount).toBe(before);
  });
});

describe('key pair tags', () => {
  const describeKeys = async (req: Record<string, unknown>) =>
    (await ecs.describeKeyPairs(new $Ecs.DescribeKeyPairsRequest({ regionId: region, ...req })))
      .body!;
  const tagsOf = async (name: string) =>
    asMap((await describeKeys({ keyPairName: name })).keyPairs!.keyPair![0]!.tags?.tag);
  const createKey = (name: string, tags: Kv) =>
    ecs.createKeyPair(
      new $Ecs.CreateKeyPairRequest({
        regionId: region,
        keyPairName: name,
        tag: Object.entries(tags).map(
          ([key, value]) => new $Ecs.CreateKeyPairRequestTag({ key, value }),
        ),
      }),
    );
  const deleteKeys = (names: string[]) =>
    ecs.deleteKeyPairs(
      new $Ecs.DeleteKeyPairsRequest({ regionId: region, keyPairNames: JSON.stringify(names) }),
    );

  it('are named by key pair name in the tag calls and read by DescribeKeyPairs', async () => {
    await createKey('tagged-key', { env: 'dev' });
    const created = await createKey('other-key', {});
    expect(await tagsOf('tagged-key')).toEqual({ env: 'dev' });
    await tagResources('keypair', ['tagged-key', 'other-key'], { team: 'ops' });
    await untagResources('keypair', ['tagged-key'], ['env']);
    expect(await tagsOf('tagged-key')).toEqual({ team: 'ops' });
    expect(await listed('keypair', { resourceId: ['other-key'] })).toEqual(['other-key/team=ops']);
    const all = await listed('keypair');
    expect(all).toContain('tagged-key/team=ops');
    expect(all).toContain('other-key/team=ops');
    expect(all.some((e) => e.startsWith('skp-'))).toBe(false);
    // A name that is no key pair here, and the key pair's id, are not resources of the call.
    expect(await outcome(tagResources('keypair', ['no-such-key'], { k: 'v' }))).toBe(
      '404 InvalidResourceId.NotFound',
    );
    expect(await outcome(tagResources('keypair', [created.body!.keyPairId!], { k: 'v' }))).toBe(
      '404 InvalidResourceId.NotFound',
    );
    const filtered = await describeKeys({
      tag: [new $Ecs.DescribeKeyPairsRequestTag({ key: 'team', value: 'ops' })],
    });
    expect(filtered.totalCount).toBe(2);
    expect(
      (
        await describeKeys({
          tag: [
            new $Ecs.DescribeKeyPairsRequestTag({ key: 'team' }),
            new $Ecs.DescribeKeyPairsRequestTag({ key: 'env' }),
          ],
        })
      ).totalCount,
    ).toBe(0);
    await deleteKeys(['tagged-key', 'other-key']);
  });

  it('go with the key pair: one created again under the name starts without them', async () => {
    await createKey('reborn-key', { gen: '1' });
    await deleteKeys(['reborn-key']);
    expect(await listed('keypair', { resourceId: ['reborn-key'] })).toEqual([]);
    await createKey('reborn-key', {});
    expect(await tagsOf('reborn-key')).toEqual({});
    expect(await listed('keypair', { resourceId: ['reborn-key'] })).toEqual([]);
    await deleteKeys(['reborn-key']);
  });

  it('ImportKeyPair takes them too; bad ones are refused with ECS codes and create nothing', async () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
    const field = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
    const blob = Buffer.concat([field(Buffer.from('ssh-ed25519')), field(raw)]);
    const body = `ssh-ed25519 ${blob.toString('base64')}`;
    await ecs.importKeyPair(
      new $Ecs.ImportKeyPairRequest({
        regionId: region,
        keyPairName: 'imported-key',
        publicKeyBody: body,
        tag: [new $Ecs.ImportKeyPairRequestTag({ key: 'from', value: 'laptop' })],
      }),
    );
    expect(await tagsOf('imported-key')).toEqual({ from: 'laptop' });
    expect(await outcome(createKey('bad-key', { 'aliyun-x': '1' }))).toBe(
      '400 InvalidTagKey.Malformed',
    );
    expect(await outcome(createKey('bad-key', { k: 'https://x' }))).toBe(
      '400 InvalidTagValue.Malformed',
    );
    expect((await describeKeys({ keyPairName: 'bad-key' })).totalCount).toBe(0);
  });

  it('a RAM user needs ecs:TagResources on keypair/<name>', async () => {
    await createKey('guarded-key', {});
    const user = await createUserWithKey(yb, rootOf(yb), 'key-tagger');
    const asUser = ecsClient(yb, user);
    const tag = () =>
      outcome(
        asUser.tagResources(
          new $Ecs.TagResourcesRequest({
            regionId: region,
            resourceType: 'keypair',
            resourceId: ['guarded-key'],
            tag: tagList({ by: 'user' }),
          }),
        ),
      );
    expect(await tag()).toBe('403 Forbidden.RAM');
    await grantCustomPolicy(yb, rootOf(yb), 'key-tagger', 'TagOneKeyPair', [
      { Effect: 'Allow', Action: 'ecs:TagResources', Resource: 'acs:ecs:*:*:keypair/guarded-key' },
    ]);
    expect(await tag()).toBe('ok');
    expect(await tagsOf('guarded-key')).toEqual({ by: 'user' });
  });
});

describe('system disk tags', () => {
  const disks = async (req: Record<string, unknown>) =>
    (await ecs.describeDisks(new $Ecs.DescribeDisksRequest({ regionId: region, ...req }))).body!;
  const diskTags = async (instanceId: string) =>
    asMap((await disks({ instanceId })).disks!.disk![0]!.tags?.tag);

  it('RunInstances Tag.N tag the system disk too; the disk is then tagged on its own', async () => {
    const id = await run({ env: 'dev' });
    const diskId = `d-${id.slice(2)}`;
    expect(await diskTags(id)).toEqual({ env: 'dev' });
    expect(await listed('disk', { resourceId: [diskId] })).toEqual([`${diskId}/env=dev`]);
    await tagResources('disk', [diskId], { backup: 'daily' });
    await untagResources('disk', [diskId], ['env']);
    expect(await diskTags(id)).toEqual({ backup: 'daily' });
    // The instance keeps its own.
    const instance = (
      await ecs.describeInstances(
        new $Ecs.DescribeInstancesRequest({ regionId: region, instanceIds: JSON.stringify([id]) }),
      )
    ).body!.instances!.instance![0]!;
    expect(asMap(instance.tags?.tag)).toEqual({ env: 'dev' });
    // An instance id is no disk id.
    expect(await outcome(tagResources('disk', [id], { k: 'v' }))).toBe(
      '404 InvalidResourceId.NotFound',
    );
  });

  it('filter DescribeDisks and go with the instance', async () => {
    const a = await run({ disk: 'a' });
    const b = await run({ disk: 'b' });
    const ids = (body: any) => body.disks.disk.map((d: any) => d.instanceId as string);
    const byTag = (value?: string) =>
      disks({ tag: [new $Ecs.DescribeDisksRequestTag({ key: 'disk', value })] });
    const onlyB = await byTag('b');
    expect([onlyB.totalCount, ids(onlyB)]).toEqual([1, [b]]);
    expect(ids(await byTag())).toEqual([a, b]);
    expect(
      ids(
        await disks({
          diskIds: JSON.stringify([`d-${a.slice(2)}`]),
          tag: [new $Ecs.DescribeDisksRequestTag({ key: 'disk', value: 'b' })],
        }),
      ),
    ).toEqual([]);
    await ecs.deleteInstance(new $Ecs.DeleteInstanceRequest({ instanceId: a, force: true }));
    expect(await listed('disk', { resourceId: [`d-${a.slice(2)}`] })).toEqual([]);
    expect(ids(await byTag())).toEqual([b]);
    expect(await outcome(tagResources('disk', [`d-${a.slice(2)}`], { k: 'v' }))).toBe(
      '404 InvalidResourceId.NotFound',
    );
  });
});

describe('network interface tags', () => {
  const interfaces = async (req: Record<string, unknown>) =>
    (
      await ecs.describeNetworkInterfaces(
        new $Ecs.DescribeNetworkInterfacesRequest({ regionId: region, ...req }),
      )
    ).body!.networkInterfaceSets!.networkInterfaceSet!;
  const eniOf = (instanceId: string) => `eni-${instanceId.slice(2)}`;

  it('RunInstances Tag.N tag the primary ENI too; type eni is tagged, listed and shown on its own', async () => {
    const id = await run({ nic: 'one' });
    const eni = eniOf(id);
    const [shown] = await interfaces({ networkInterfaceId: [eni] });
    expect(asMap(shown!.tags?.tag)).toEqual({ nic: 'one' });
    await tagResources('eni', [eni], { role: 'front' });
    await untagResources('eni', [eni], ['nic']);
    expect(await listed('eni', { resourceId: [eni] })).toEqual([`${eni}/role=front`]);
    const [again] = await interfaces({ instanceId: id });
    expect(asMap(again!.tags?.tag)).toEqual({ role: 'front' });
    // The instance keeps its own; an instance id is no interface id.
    const instance = (
      await ecs.describeInstances(
        new $Ecs.DescribeInstancesRequest({ regionId: region, instanceIds: JSON.stringify([id]) }),
      )
    ).body!.instances!.instance![0]!;
    expect(asMap(instance.tags?.tag)).toEqual({ nic: 'one' });
    expect(await outcome(tagResources('eni', [id], { k: 'v' }))).toBe(
      '404 InvalidResourceId.NotFound',
    );
  });

  it('filter DescribeNetworkInterfaces and go with the instance', async () => {
    const a = await run({ nicset: 'a' });
    const b = await run({ nicset: 'b' });
    const byTag = async (value?: string) =>
      (
        await interfaces({
          tag: [new $Ecs.DescribeNetworkInterfacesRequestTag({ key: 'nicset', value })],
        })
      ).map((n) => n.instanceId);
    expect(await byTag('b')).toEqual([b]);
    expect(await byTag()).toEqual([a, b]);
    expect(await byTag('c')).toEqual([]);
    await ecs.deleteInstance(new $Ecs.DeleteInstanceRequest({ instanceId: a, force: true }));
    expect(await listed('eni', { resourceId: [eniOf(a)] })).toEqual([]);
    expect(await byTag()).toEqual([b]);
    expect(await outcome(tagResources('eni', [eniOf(a)], { k: 'v' }))).toBe(
      '404 InvalidResourceId.NotFound',
    );
  });
});
