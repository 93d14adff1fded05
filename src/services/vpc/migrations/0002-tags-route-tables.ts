/**
 * @module Tags on VPCs, vSwitches and route tables (`Tag.N` of the creates, TagResources), and
 * the name, description and route propagation setting of each VPC's system route table
 * (ModifyRouteTableAttributes), kept on its VPC's row. Tags are a JSON array in the row, changed
 * under the resource's lock; rows written before hold none.
 */
import type { Migration } from '../../../store/migrate.js';

export const m0002TagsRouteTables: Migration = {
  name: '0002-tags-route-tables',
  async up(db) {
    const s = db.k.schema;
    await s
      .alterTable('vpc_vpcs')
      .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
      .execute();
    await s
      .alterTable('vpc_vpcs')
      .addColumn('route_table_name', 'text', (c) => c.notNull().defaultTo(''))
      .execute();
    await s
      .alterTable('vpc_vpcs')
      .addColumn('route_table_description', 'text', (c) => c.notNull().defaultTo(''))
      .execute();
    await s
      .alterTable('vpc_vpcs')
      .addColumn('route_propagation', 'integer', (c) => c.notNull().defaultTo(1))
      .execute();
    await s
      .alterTable('vpc_vpcs')
      .addColumn('route_table_tags', 'text', (c) => c.notNull().defaultTo('[]'))
      .execute();
    await s
      .alterTable('vpc_vswitches')
      .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
      .execute();
  },
};
