/**
 * Migration 0003 on instances created before security groups existed, on SQLite and PostgreSQL:
 * the group ids they recorded become groups of their VPC with them as members (each id once), so
 * those groups are listed, refuse deletion while used, and are released with the instances.
 */
import { expect } from 'vitest';
import { StoreError } from '../../../kernel/errors.js';
import type { Db } from '../../../store/db.js';
import { migrate } from '../../../store/migrate.js';
import { allMigrations } from '../../index.js';
import { SecurityGroupSqlStore } from '../security-groups/store-sql.js';
import { EcsSqlStore } from '../store-sql.js';
import { m0001Init } from './0001-init.js';
import { m0002SettlesAtReal } from './0002-settles-at-real.js';
import { describeOnEachStore } from '../../../testing/each-store.js';

const ACCT = '1000000000000001';

/** Every migration before ECS's 0003, and two instances as that schema held them. */
async function legacyData(db: Db): Promise<void> {
  const before = allMigrations.map((set) =>
    set.service === 'ecs' ? { service: 'ecs', migrations: [m0001Init, m0002SettlesAtReal] } : set,
  );
  await migrate(db, before);
  const k = db.k;
  await k
    .insertInto('vpc_vpcs')
    .values({
      vpc_id: 'vpc-old',
      account_id: ACCT,
      region_id: 'cn-hangzhou',
      cidr_block: '10.0.0.0/8',
      vrouter_id: 'vrt-old',
      route_table_id: 'vtb-old',
      created_at: 1,
    })
    .execute();
  await k
    .insertInto('vpc_vswitches')
    .values({
      vswitch_id: 'vsw-old',
      account_id: ACCT,
      region_id: 'cn-hangzhou',
      vpc_id: 'vpc-old',
      zone_id: 'cn-hangzhou-i',
      cidr_block: '10.1.0.0/24',
      created_at: 1,
    })
    .execute();
  const instance = (id: string, seq: number, groups: string[]) => ({
    instance_id: id,
    account_id: ACCT,
    region_id: 'cn-hangzhou',
    zone_id: 'cn-hangzhou-i',
    seq,
    vpc_id: 'vpc-old',
    vswitch_id: 'vsw-old',
    vpc_cidr: '10.0.0.0/8',
    vswitch_cidr: '10.1.0.0/24',
    private_ip: `10.1.0.${seq}`,
    instance_name: id,
    host_name: id,
    image_id: 'img',
    instance_type: 'ecs.g6.large',
    security_group_ids: JSON.stringify(groups),
    serial_number: 's',
    status: 'Stopped',
    settles_at: 0,
    created_at: 5,
  });
  await k
    .insertInto('ecs_instances')
    .values([
      instance('i-old1', 1, ['sg-legacy1', 'sg-legacy1', 'sg-legacy2']),
      instance('i-old2', 2, ['sg-legacy2']),
      instance('i-old3', 3, []),
    ])
    .execute();
}

async function checks(db: Db): Promise<void> {
  await legacyData(db);
  expect(await migrate(db, allMigrations)).toContain('ecs/0003-security-groups');
  const groups = new SecurityGroupSqlStore(db);
  const ecs = new EcsSqlStore(db);
  const listed = await groups.listGroups(ACCT, 'cn-hangzhou', {});
  expect(listed.map((g) => [g.securityGroupId, g.vpcId, g.groupType])).toEqual([
    ['sg-legacy1', 'vpc-old', 'normal'],
    ['sg-legacy2', 'vpc-old', 'normal'],
  ]);
  expect((await ecs.getInstance('i-old1'))!.securityGroupIds).toEqual(['sg-legacy1', 'sg-legacy2']);
  const members = await groups.members(['sg-legacy1', 'sg-legacy2']);
  expect(members.get('sg-legacy1')).toEqual(['i-old1']);
  expect(members.get('sg-legacy2')).toEqual(['i-old1', 'i-old2']);
  let refused: unknown;
  try {
    await groups.deleteGroup(ACCT, 'sg-legacy2');
  } catch (e) {
    refused = e;
  }
  expect(refused instanceof StoreError && refused.entity).toBe('Instances');
  await ecs.deleteInstance('i-old1', { now: 10, real: 10 }, true);
  await groups.deleteGroup(ACCT, 'sg-legacy1');
  expect(await groups.getGroup(ACCT, 'sg-legacy1')).toBeUndefined();
}

describeOnEachStore('0003-security-groups on instances that recorded group ids', checks);
