/**
 * Migration 0005 on instances written before tags had their own table, on SQLite and PostgreSQL:
 * each instance keeps its tags, in order, now rows of `ecs_tags` that the store reads back; a
 * malformed or repeated entry of the old JSON column is dropped rather than failing the upgrade.
 */
import { expect } from 'vitest';
import type { Db } from '../../../store/db.js';
import { migrate } from '../../../store/migrate.js';
import { vpcMigrations } from '../../vpc/index.js';
import { ecsMigrations } from '../index.js';
import { EcsSqlStore } from '../store-sql.js';
import { m0001Init } from './0001-init.js';
import { m0002SettlesAtReal } from './0002-settles-at-real.js';
import { describeOnEachStore } from '../../../testing/each-store.js';

const ACCT = '1000000000000001';

async function checks(db: Db): Promise<void> {
  await migrate(db, [
    vpcMigrations,
    { service: 'ecs', migrations: [m0001Init, m0002SettlesAtReal] },
  ]);
  await db.k
    .insertInto('vpc_vpcs')
    .values({
      vpc_id: 'vpc-1',
      account_id: ACCT,
      region_id: 'cn-hangzhou',
      cidr_block: '10.0.0.0/8',
      vpc_name: '',
      description: '',
      vrouter_id: 'vrt-1',
      route_table_id: 'vtb-1',
      created_at: 1,
    })
    .execute();
  await db.k
    .insertInto('vpc_vswitches')
    .values({
      vswitch_id: 'vsw-1',
      account_id: ACCT,
      region_id: 'cn-hangzhou',
      vpc_id: 'vpc-1',
      zone_id: 'cn-hangzhou-i',
      cidr_block: '10.0.0.0/24',
      vswitch_name: '',
      description: '',
      created_at: 1,
    })
    .execute();
  const row = (id: string, seq: number, tags: string) => ({
    instance_id: id,
    account_id: ACCT,
    region_id: 'cn-hangzhou',
    zone_id: 'cn-hangzhou-i',
    seq,
    vpc_id: 'vpc-1',
    vswitch_id: 'vsw-1',
    vpc_cidr: '10.0.0.0/8',
    vswitch_cidr: '10.0.0.0/24',
    private_ip: `10.0.0.${seq}`,
    instance_name: id,
    host_name: id,
    image_id: 'img',
    instance_type: 'ecs.g6.large',
    tags,
    serial_number: 's',
    status: 'Running',
    settles_at: 0,
    created_at: 1,
  });
  await db.k
    .insertInto('ecs_instances')
    .values([
      row(
        'i-tagged',
        1,
        JSON.stringify([
          { key: 'b', value: '2' },
          { key: 'a', value: '1' },
          { key: 'b', value: 'again' },
          { nokey: true },
        ]),
      ),
      row('i-plain', 2, '[]'),
      row('i-broken', 3, '{not json'),
    ])
    .execute();
  // As a data directory from before security groups, instance attributes and tags upgrades.
  expect(await migrate(db, [vpcMigrations, ecsMigrations])).toEqual([
    'ecs/0003-security-groups',
    'ecs/0004-instance-attributes',
    'ecs/0005-tags-identity',
    'ecs/0006-tags-everywhere',
  ]);
  const s = new EcsSqlStore(db);
  expect((await s.getInstance('i-tagged'))!.tags).toEqual([
    { key: 'b', value: '2' },
    { key: 'a', value: '1' },
  ]);
  expect((await s.getInstance('i-plain'))!.tags).toEqual([]);
  expect((await s.getInstance('i-broken'))!.tags).toEqual([]);
  const left: any[] = await db.k.selectFrom('ecs_instances').select('tags').execute();
  expect(left.map((r) => r.tags)).toEqual(['[]', '[]', '[]']);
}

describeOnEachStore('0005-tags-identity on instances with tags in their row', checks);
