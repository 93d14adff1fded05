/**
 * Migration 0006 on security groups and key pairs written while their tags were a JSON column of
 * their row, on SQLite and PostgreSQL: each keeps its tags, in order, now rows of `ecs_tags` that
 * the stores and the Describe filters read; key pairs' under their id, so two key pairs of one
 * name in two regions keep their own; a malformed or repeated entry is dropped rather than
 * failing the upgrade, and the old columns are left empty.
 */
import { expect } from 'vitest';
import type { Db } from '../../../store/db.js';
import { migrate } from '../../../store/migrate.js';
import { vpcMigrations } from '../../vpc/index.js';
import { ecsMigrations } from '../index.js';
import { KeyPairSqlStore } from '../key-pairs/store-sql.js';
import { SecurityGroupSqlStore } from '../security-groups/store-sql.js';
import { ECS_TAGS } from '../tags/store.js';
import { describeOnEachStore } from '../../../testing/each-store.js';

const ACCT = '1000000000000001';
const REGION = 'cn-hangzhou';
const kv = (key: string, value: string) => ({ key, value });

/** Every ECS migration before 0006. */
const before = ecsMigrations.migrations.filter((m) => m.name < '0006');

async function checks(db: Db): Promise<void> {
  await migrate(db, [vpcMigrations, { service: 'ecs', migrations: before }]);
  await db.k
    .insertInto('vpc_vpcs')
    .values({
      vpc_id: 'vpc-1',
      account_id: ACCT,
      region_id: REGION,
      cidr_block: '10.0.0.0/8',
      vrouter_id: 'vrt-1',
      route_table_id: 'vtb-1',
      created_at: 1,
    })
    .execute();
  const group = (id: string, tags: string, createdAt: number) => ({
    security_group_id: id,
    account_id: ACCT,
    region_id: REGION,
    vpc_id: 'vpc-1',
    tags,
    created_at: createdAt,
  });
  await db.k
    .insertInto('ecs_security_groups')
    .values([
      group(
        'sg-tagged',
        JSON.stringify([
          { key: 'team', value: 'web' },
          { key: 'env', value: 'prod' },
          { key: 'team', value: 'again' },
          { key: '', value: 'no key' },
          { nokey: true },
        ]),
        1,
      ),
      group('sg-plain', '[]', 2),
      group('sg-broken', '{not json', 3),
    ])
    .execute();
  const keyPair = (id: string, name: string, region: string, tags: string) => ({
    key_pair_id: id,
    account_id: ACCT,
    region_id: region,
    key_pair_name: name,
    finger_print: '00:11',
    public_key: 'ssh-ed25519 AAAA',
    tags,
    created_at: 1,
  });
  await db.k
    .insertInto('ecs_key_pairs')
    .values([
      keyPair('skp-here', 'deploy', REGION, JSON.stringify([{ key: 'env', value: 'prod' }])),
      keyPair('skp-there', 'deploy', 'cn-beijing', JSON.stringify([{ key: 'env' }])),
    ])
    .execute();

  expect(await migrate(db, [vpcMigrations, ecsMigrations])).toEqual(['ecs/0006-tags-everywhere']);
  const groups = new SecurityGroupSqlStore(db);
  expect((await groups.getGroup(ACCT, 'sg-tagged'))!.tags).toEqual([
    kv('team', 'web'),
    kv('env', 'prod'),
  ]);
  expect((await groups.getGroup(ACCT, 'sg-plain'))!.tags).toEqual([]);
  expect((await groups.getGroup(ACCT, 'sg-broken'))!.tags).toEqual([]);
  const filtered = await groups.listGroups(ACCT, REGION, { tags: [{ key: 'env', value: 'prod' }] });
  expect(filtered.map((g) => g.securityGroupId)).toEqual(['sg-tagged']);

  const keyPairs = new KeyPairSqlStore(db);
  expect((await keyPairs.get(ACCT, REGION, 'deploy'))!.tags).toEqual([kv('env', 'prod')]);
  expect((await keyPairs.get(ACCT, 'cn-beijing', 'deploy'))!.tags).toEqual([kv('env', '')]);
  expect(
    (await keyPairs.list(ACCT, REGION, { tags: [{ key: 'env' }] })).map((k) => k.keyPairId),
  ).toEqual(['skp-here']);
  // Kept under the id, in each key pair's region.
  const rows: any[] = await db.k
    .selectFrom('ecs_tags')
    .select(['resource_type', 'resource_id', 'scope'])
    .where('resource_type', '=', 'keypair')
    .orderBy('resource_id')
    .execute();
  expect(rows).toEqual([
    { resource_type: 'keypair', resource_id: 'skp-here', scope: REGION },
    { resource_type: 'keypair', resource_id: 'skp-there', scope: 'cn-beijing' },
  ]);

  const left = async (table: string) =>
    ((await db.k.selectFrom(table).select('tags').execute()) as any[]).map((r) => r.tags);
  expect(await left('ecs_security_groups')).toEqual(['[]', '[]', '[]']);
  expect(await left('ecs_key_pairs')).toEqual(['[]', '[]']);

  // Tags now go with their resource.
  await groups.deleteGroup(ACCT, 'sg-tagged');
  await keyPairs.delete(['skp-here']);
  expect((await ECS_TAGS.tagsOf(db, ACCT, 'securitygroup', ['sg-tagged'])).size).toBe(0);
  expect((await ECS_TAGS.tagsOf(db, ACCT, 'keypair', ['skp-here', 'skp-there'])).size).toBe(1);
}

describeOnEachStore(
  '0006-tags-everywhere on security groups and key pairs with tags in their row',
  checks,
);
