/**
 * @module Conformance cases of ECS tags (`ecs_tags`, store/tag-table.ts), on both dialects: an
 * instance's tags are written with it and go with it; merges keep order and overwrite values;
 * two nodes adding tags at once never pass 20 on a resource; listings page in a stable order.
 */
import { expect } from 'vitest';
import { race } from '../../../store/conformance/helpers.js';
import type { ConformanceSuite } from '../../../store/conformance/runner.js';
import type { Db } from '../../../store/db.js';
import { VpcSqlStore } from '../../vpc/store-sql.js';
import { DEFAULT_METADATA_OPTIONS } from '../model.js';
import { EcsSqlStore } from '../store-sql.js';
import type { NewInstance } from '../store.js';
import { ECS_TAGS } from './store.js';

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
  ],
};
