/**
 * @module VPC schema: VPCs and their vSwitches. A vSwitch references its VPC, so a VPC cannot be
 * deleted while vSwitches remain, even when the delete races a create on another node.
 */
import type { Migration } from '../../../store/migrate.js';

export const m0001Init: Migration = {
  name: '0001-init',
  async up(db) {
    const s = db.k.schema;
    await s
      .createTable('vpc_vpcs')
      .addColumn('vpc_id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('region_id', 'text', (c) => c.notNull())
      .addColumn('cidr_block', 'text', (c) => c.notNull())
      .addColumn('vpc_name', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('vrouter_id', 'text', (c) => c.notNull())
      .addColumn('route_table_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await s
      .createIndex('vpc_vpcs_account')
      .on('vpc_vpcs')
      .columns(['account_id', 'region_id'])
      .execute();
    await s
      .createTable('vpc_vswitches')
      .addColumn('vswitch_id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('region_id', 'text', (c) => c.notNull())
      .addColumn('vpc_id', 'text', (c) => c.notNull().references('vpc_vpcs.vpc_id'))
      .addColumn('zone_id', 'text', (c) => c.notNull())
      .addColumn('cidr_block', 'text', (c) => c.notNull())
      .addColumn('vswitch_name', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await s.createIndex('vpc_vswitches_vpc').on('vpc_vswitches').column('vpc_id').execute();
  },
};
