/**
 * @module Conformance cases of ECS tags (`ecs_tags`, store/tag-table.ts), on both dialects: an
 * instance's, its system disk's, a security group's and a key pair's tags are written with it,
 * read and filtered by on every node, and go with it; key pairs' are kept under their id, so
 * same-named key pairs elsewhere keep their own; tag calls find only the caller's resources in
 * the region; a tag call racing a delete leaves no tag behind; merges keep order and overwrite
 * values; two nodes adding tags at once never pass 20 on a resource; listings page in a stable
 * order.
 */
import { expect } from 'vitest';
import { race } from '../../../store/conformance/helpers.js';
import type { ConformanceSuite } from '../../../store/conformance/runner.js';
import type { Db } from '../../../store/db.js';
import { VpcSqlStore } from '../../vpc/store-sql.js';
import { taggableSystemDisks } from '../instance-attributes/store-sql.js';
import { KeyPairSqlStore, taggableKeyPairs } from '../key-pairs/store-sql.js';
import { DEFAULT_METADATA_OPTIONS } from '../model.js';
import type { SecurityGroup } from '../security-groups/model.js';
import { SecurityGroupSqlStore, taggableSecurityGroups } from '../security-groups/store-sql.js';
import { EcsSqlStore } from '../store-sql.js';
import type { NewInstance } from '../store.js';
import { ECS_TAGS, callIdsOf, resolveTagged } from './store.js';

const ACCT = '1000000000000001';
const REGION = 'cn-hangzhou';

async function vswitch(db: Db, vswitchId: string, cidrBlock: string): Promise<void> {
  const vpc = new VpcSqlStore(db);
  await vpc.createVpc({
    vpcId: `vpc-${vswitchId}`,
    accountId: ACCT,
    regionId: REGION,
    cidrBlock: '10.0.0.0/8',
    vpcName: '',
    description: '',
    vRouterId: 'vrt-x',
    routeTableId: 'vtb-x',
    createdAt: 1,
  });
  await vpc.createVSwitch({
    vswitchId,
    accountId: ACCT,
    regionId: REGION,
    vpcId: `vpc-${vswitchId}`,
    zoneId: 'cn-hangzhou-i',
    cidrBlock,
    vswitchName: '',
    description: '',
    createdAt: 1,
  });
}

function instance(id: string, vswitchId: string, tags: NewInstance['tags']): NewInstance {
  return {
    instanceId: id,
    accountId: ACCT,
    regionId: REGION,
    zoneId: 'cn-hangzhou-i',
    vpcId: `vpc-${vswitchId}`,
    vswitchId,
    vpcCidr: '10.0.0.0/8',
    vswitchCidr: '10.9.0.0/24',
    instanceName: id,
    hostName: 'host',
    description: '',
    imageId: 'img',
    instanceType: 'ecs.g6.large',
    securityGroupIds: [],
    tags,
    serialNumber: 'serial',
    status: 'Stopped',
    transition: 'Pending',
    settlesAt: 10,
    settlesAtReal: 10,
    createdAt: 1,
    metadata: DEFAULT_METADATA_OPTIONS,
  };
}

const kv = (key: string, value = '') => ({ key, value });

function group(id: string, vpcId: string, tags: SecurityGroup['tags']): SecurityGroup {
  return {
    securityGroupId: id,
    accountId: ACCT,
    regionId: REGION,
    vpcId,
    name: id,
    description: '',
    groupType: 'normal',
    innerAccessPolicy: 'Accept',
    tags,
    createdAt: 1,
  };
}

function keyPair(id: string, name: string, regionId: string, tags: SecurityGroup['tags']) {
  return {
    keyPairId: id,
    accountId: ACCT,
    regionId,
    keyPairName: name,
    fingerPrint: '00:11',
    publicKey: 'ssh-ed25519 AAAA',
    resourceGroupId: '',
    tags,
    createdAt: 1,
  };
}

/** The ids `resolveTagged` maps, as [call id, kept id] pairs. */
const pairs = (m: Map<string, string>) => [...m.entries()].sort();

export const ecsTagsConformance: ConformanceSuite = {
  service: 'ecs-tags',
  cases: [
    {
      name: "an instance's tags are written with it, read with it, and deleted with it",
      async run({ db, another }) {
        await vswitch(db, 'vsw-tags', '10.9.0.0/24');
        const a = new EcsSqlStore(db);
        const b = new EcsSqlStore(await another());
        const [i] = await a.createInstances([
          instance('i-tags0000000000000001', 'vsw-tags', [kv('env', 'dev'), kv('team', 'a')]),
        ]);
        expect(i!.tags).toEqual([kv('env', 'dev'), kv('team', 'a')]);
        expect((await b.getInstance(i!.instanceId))!.tags).toEqual(i!.tags);
        expect((await b.listInstances(ACCT, REGION, {}))[0]!.tags).toEqual(i!.tags);
        // Merged: the changed value keeps its place, new keys follow.
        expect(
          await ECS_TAGS.add(
            db,
            ACCT,
            REGION,
            'instance',
            [i!.instanceId],
            [kv('owner', 'me'), kv('env', 'prod')],
          ),
        ).toEqual({ ok: true });
        expect((await a.getInstance(i!.instanceId))!.tags).toEqual([
          kv('env', 'prod'),
          kv('team', 'a'),
          kv('owner', 'me'),
        ]);
        await ECS_TAGS.remove(db, ACCT, 'instance', [i!.instanceId], ['team', 'absent']);
        expect((await b.getInstance(i!.instanceId))!.tags.map((t) => t.key)).toEqual([
          'env',
          'owner',
        ]);
        expect(await a.deleteInstance(i!.instanceId, { now: 0, real: 0 }, true)).toBe(true);
        expect((await ECS_TAGS.tagsOf(db, ACCT, 'instance', [i!.instanceId])).size).toBe(0);
      },
    },
    {
      name: 'two nodes adding tags at once never pass 20 tags on a resource',
      async run({ db, another }) {
        const db2 = await another();
        const base = Array.from({ length: 15 }, (_, n) => kv(`base${n}`));
        await ECS_TAGS.add(db, ACCT, REGION, 'disk', ['d-race'], base);
        const five = (p: string) => Array.from({ length: 5 }, (_, n) => kv(`${p}${n}`));
        const results = await race(db, [
          () => ECS_TAGS.add(db, ACCT, REGION, 'disk', ['d-race'], five('x')),
          () => ECS_TAGS.add(db2, ACCT, REGION, 'disk', ['d-race'], five('y')),
        ]);
        const oks = results.map((r) => r.status === 'fulfilled' && r.value.ok);
        expect(oks.filter(Boolean)).toHaveLength(1);
        const tags = (await ECS_TAGS.tagsOf(db, ACCT, 'disk', ['d-race'])).get('d-race')!;
        expect(tags).toHaveLength(20);
        // All or nothing: one resource over the limit writes nothing to the others.
        const r = await ECS_TAGS.add(db, ACCT, REGION, 'disk', ['d-free', 'd-race'], [kv('z')]);
        expect(r).toEqual({ ok: false, resourceId: 'd-race', count: 21 });
        expect((await ECS_TAGS.tagsOf(db, ACCT, 'disk', ['d-free'])).size).toBe(0);
      },
    },
    {
      name: 'listings are scoped to account, region and type, filtered, and page in a stable order',
      async run({ db }) {
        for (const id of ['sg-3', 'sg-1', 'sg-2']) {
          await ECS_TAGS.add(db, ACCT, REGION, 'securitygroup', [id], [kv('b', id), kv('a', id)]);
        }
        await ECS_TAGS.add(db, ACCT, 'cn-beijing', 'securitygroup', ['sg-elsewhere'], [kv('a')]);
        await ECS_TAGS.add(db, '2000000000000002', REGION, 'securitygroup', ['sg-x'], [kv('a')]);
        await ECS_TAGS.add(db, ACCT, REGION, 'instance', ['i-other'], [kv('a')]);
        const q = { accountId: ACCT, scope: REGION, resourceType: 'securitygroup' };
        const all = await ECS_TAGS.list(db, { ...q, limit: 50 });
        expect(all.more).toBe(false);
        expect(all.entries.map((e) => `${e.resourceId}:${e.key}`)).toEqual([
          'sg-1:a',
          'sg-1:b',
          'sg-2:a',
          'sg-2:b',
          'sg-3:a',
          'sg-3:b',
        ]);
        const first = await ECS_TAGS.list(db, { ...q, limit: 4 });
        expect(first.more).toBe(true);
        const last = first.entries[3]!;
        const rest = await ECS_TAGS.list(db, {
          ...q,
          limit: 4,
          after: { resourceId: last.resourceId, key: last.key },
        });
        expect([...first.entries, ...rest.entries]).toEqual(all.entries);
        expect(rest.more).toBe(false);
        const some = await ECS_TAGS.list(db, {
          ...q,
          resourceIds: ['sg-2', 'sg-9'],
          limit: 50,
        });
        expect(some.entries.map((e) => e.resourceId)).toEqual(['sg-2', 'sg-2']);
        const matching = await ECS_TAGS.list(db, {
          ...q,
          match: (tags) => tags.some((t) => t.value === 'sg-3'),
          limit: 50,
        });
        expect(matching.entries.map((e) => e.resourceId)).toEqual(['sg-3', 'sg-3']);
      },
    },
    {
      name: "a system disk carries its instance's launch tags, is found by its d- id, filters listings and goes with the instance",
      async run({ db, another }) {
        await vswitch(db, 'vsw-disk', '10.9.0.0/24');
        const a = new EcsSqlStore(db);
        const db2 = await another();
        const b = new EcsSqlStore(db2);
        const [i, j] = await a.createInstances([
          instance('i-disk0000000000000001', 'vsw-disk', [kv('env', 'dev')]),
          instance('i-disk0000000000000002', 'vsw-disk', [kv('env', 'prod')]),
        ]);
        const disk = 'd-disk0000000000000001';
        expect((await ECS_TAGS.tagsOf(db2, ACCT, 'disk', [disk])).get(disk)).toEqual([
          kv('env', 'dev'),
        ]);
        expect(
          pairs(
            await resolveTagged(db2, taggableSystemDisks, ACCT, REGION, [
              disk,
              i!.instanceId,
              'd-nothing',
              'd-',
            ]),
          ),
        ).toEqual([[disk, disk]]);
        expect(
          (await resolveTagged(db2, taggableSystemDisks, ACCT, 'cn-beijing', [disk])).size,
        ).toBe(0);
        expect(
          (await resolveTagged(db2, taggableSystemDisks, '2000000000000002', REGION, [disk])).size,
        ).toBe(0);
        const byDiskTag = async (tags: Array<{ key?: string; value?: string }>) =>
          (await b.listInstances(ACCT, REGION, { systemDiskTags: tags })).map((x) => x.instanceId);
        expect(await byDiskTag([{ key: 'env', value: 'dev' }])).toEqual([i!.instanceId]);
        expect(await byDiskTag([{ key: 'env' }])).toEqual([i!.instanceId, j!.instanceId]);
        expect(await byDiskTag([{ value: 'dev' }])).toEqual([]);
        // The disk's tags are its own: untagging it leaves the instance's.
        await ECS_TAGS.remove(db, ACCT, 'disk', [disk], 'all');
        expect(await byDiskTag([{ key: 'env', value: 'dev' }])).toEqual([]);
        expect((await b.getInstance(i!.instanceId))!.tags).toEqual([kv('env', 'dev')]);
        expect(await a.deleteInstance(j!.instanceId, { now: 0, real: 0 }, true)).toBe(true);
        expect((await ECS_TAGS.tagsOf(db, ACCT, 'disk', ['d-disk0000000000000002'])).size).toBe(0);
      },
    },
    {
      name: "a security group's tags are written with it, filter listings on every node and go with it",
      async run({ db, another }) {
        await vswitch(db, 'vsw-sgtags', '10.9.0.0/24');
        const vpcId = 'vpc-vsw-sgtags';
        const a = new SecurityGroupSqlStore(db);
        const db2 = await another();
        const b = new SecurityGroupSqlStore(db2);
        await a.createGroup(group('sg-tags1', vpcId, [kv('env', 'prod'), kv('team', 'web')]), 100);
        await a.createGroup(group('sg-tags2', vpcId, [kv('env', 'dev')]), 100);
        await a.createGroup(group('sg-tags3', vpcId, []), 100);
        expect((await b.getGroup(ACCT, 'sg-tags1'))!.tags).toEqual([
          kv('env', 'prod'),
          kv('team', 'web'),
        ]);
        const filtered = async (tags: Array<{ key?: string; value?: string }>) =>
          (await b.listGroups(ACCT, REGION, { tags })).map((g) => g.securityGroupId);
        expect(await filtered([{ key: 'env' }])).toEqual(['sg-tags1', 'sg-tags2']);
        expect(await filtered([{ key: 'env', value: 'dev' }])).toEqual(['sg-tags2']);
        expect(await filtered([{ key: 'env' }, { key: 'team', value: 'web' }])).toEqual([
          'sg-tags1',
        ]);
        expect(await filtered([{ key: 'team', value: 'db' }])).toEqual([]);
        expect(await filtered([{ value: 'prod' }])).toEqual([]);
        expect(await filtered([])).toEqual(['sg-tags1', 'sg-tags2', 'sg-tags3']);
        expect(
          pairs(
            await resolveTagged(db2, taggableSecurityGroups, ACCT, REGION, ['sg-tags1', 'sg-no']),
          ),
        ).toEqual([['sg-tags1', 'sg-tags1']]);
        expect(
          (
            await resolveTagged(db2, taggableSecurityGroups, '2000000000000002', REGION, [
              'sg-tags1',
            ])
          ).size,
        ).toBe(0);
        await ECS_TAGS.add(db2, ACCT, REGION, 'securitygroup', ['sg-tags2'], [kv('env', 'test')]);
        expect((await a.getGroup(ACCT, 'sg-tags2'))!.tags).toEqual([kv('env', 'test')]);
        await a.deleteGroup(ACCT, 'sg-tags1');
        expect((await ECS_TAGS.tagsOf(db2, ACCT, 'securitygroup', ['sg-tags1'])).size).toBe(0);
      },
    },
    {
      name: "a key pair's tags are kept under its id: a same-named key pair elsewhere keeps its own, and they go with it",
      async run({ db, another }) {
        const a = new KeyPairSqlStore(db);
        const db2 = await another();
        const b = new KeyPairSqlStore(db2);
        await a.create(keyPair('skp-tags-here', 'deploy', REGION, [kv('env', 'prod')]), 500);
        await a.create(keyPair('skp-tags-there', 'deploy', 'cn-beijing', [kv('env', 'dev')]), 500);
        await a.create(keyPair('skp-tags-bare', 'bare', REGION, []), 500);
        expect((await b.get(ACCT, REGION, 'deploy'))!.tags).toEqual([kv('env', 'prod')]);
        expect((await b.get(ACCT, 'cn-beijing', 'deploy'))!.tags).toEqual([kv('env', 'dev')]);
        const named = async (tags: Array<{ key?: string; value?: string }>) =>
          (await b.list(ACCT, REGION, { tags })).map((k) => k.keyPairName);
        expect(await named([{ key: 'env' }])).toEqual(['deploy']);
        expect(await named([{ key: 'env', value: 'dev' }])).toEqual([]);
        expect(await named([])).toEqual(['bare', 'deploy']);
        // Calls name key pairs; tags are kept under the id of the one in the call's region.
        expect(
          pairs(await resolveTagged(db2, taggableKeyPairs, ACCT, REGION, ['deploy', 'nope'])),
        ).toEqual([['deploy', 'skp-tags-here']]);
        expect(
          pairs(await resolveTagged(db2, taggableKeyPairs, ACCT, 'cn-beijing', ['deploy'])),
        ).toEqual([['deploy', 'skp-tags-there']]);
        expect(
          [
            ...(
              await callIdsOf(db2, taggableKeyPairs, ACCT, ['skp-tags-here', 'skp-tags-there'])
            ).entries(),
          ].sort(),
        ).toEqual([
          ['skp-tags-here', 'deploy'],
          ['skp-tags-there', 'deploy'],
        ]);
        expect(await b.delete(['skp-tags-here'])).toEqual({ deleted: 1 });
        const left = await ECS_TAGS.tagsOf(db, ACCT, 'keypair', [
          'skp-tags-here',
          'skp-tags-there',
        ]);
        expect([...left.keys()]).toEqual(['skp-tags-there']);
      },
    },
    {
      name: 'a tag call racing the delete of its resource leaves no tag behind',
      async run({ db, another }) {
        await vswitch(db, 'vsw-sgrace', '10.9.0.0/24');
        const a = new SecurityGroupSqlStore(db);
        const db2 = await another();
        const b = new SecurityGroupSqlStore(db2);
        for (let n = 0; n < 5; n++) {
          const id = `sg-race${n}`;
          await a.createGroup(group(id, 'vpc-vsw-sgrace', [kv('was', 'here')]), 100);
          // As TagResources does: find and lock the group, then tag it, in one transaction.
          const tagging = () =>
            db.transaction(async (tx) => {
              const found = await resolveTagged(tx, taggableSecurityGroups, ACCT, REGION, [id], {
                lock: true,
              });
              if (found.size === 0) return 'not found';
              await ECS_TAGS.add(
                tx,
                ACCT,
                REGION,
                'securitygroup',
                [...found.values()],
                [kv('late', String(n))],
              );
              return 'tagged';
            });
          const results = await race<unknown>(db, [tagging, () => b.deleteGroup(ACCT, id)]);
          expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
          expect(await a.getGroup(ACCT, id)).toBeUndefined();
          expect((await ECS_TAGS.tagsOf(db, ACCT, 'securitygroup', [id])).size).toBe(0);
        }
      },
    },
  ],
};
