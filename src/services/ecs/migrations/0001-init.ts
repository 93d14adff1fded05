/**
 * @module ECS schema: instances, and a counter that hands out instance sequence numbers. An
 * instance references its vSwitch (VPC's table), so a vSwitch cannot be deleted while instances
 * use it; `(vswitch_id, private_ip)` and `seq` are unique, so two nodes can never hand out the same
 * address or sequence number. Metadata options, the attached role and fault settings are columns
 * of the instance: everything the metadata service needs is one row.
 */
import type { Migration } from '../../../store/migrate.js';

export const m0001Init: Migration = {
  name: '0001-init',
  async up(db) {
    const s = db.k.schema;
    await s
      .createTable('ecs_counters')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('value', 'bigint', (c) => c.notNull())
      .execute();
    await db.k.insertInto('ecs_counters').values({ name: 'instance-seq', value: 0 }).execute();
    await s
      .createTable('ecs_instances')
      .addColumn('instance_id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('region_id', 'text', (c) => c.notNull())
      .addColumn('zone_id', 'text', (c) => c.notNull())
      .addColumn('seq', 'bigint', (c) => c.notNull().unique())
      .addColumn('vpc_id', 'text', (c) => c.notNull())
      .addColumn('vswitch_id', 'text', (c) => c.notNull().references('vpc_vswitches.vswitch_id'))
      .addColumn('vpc_cidr', 'text', (c) => c.notNull())
      .addColumn('vswitch_cidr', 'text', (c) => c.notNull())
      .addColumn('private_ip', 'text', (c) => c.notNull())
      .addColumn('instance_name', 'text', (c) => c.notNull())
      .addColumn('host_name', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('image_id', 'text', (c) => c.notNull())
      .addColumn('instance_type', 'text', (c) => c.notNull())
      .addColumn('user_data', 'text')
      .addColumn('security_group_ids', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('serial_number', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('transition', 'text')
      .addColumn('settles_at', 'bigint', (c) => c.notNull())
      .addColumn('started_at', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('ram_role_name', 'text')
      .addColumn('role_attached_at', 'bigint')
      .addColumn('role_generation', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('role_policy', 'text')
      .addColumn('http_endpoint', 'text', (c) => c.notNull().defaultTo('enabled'))
      .addColumn('http_tokens', 'text', (c) => c.notNull().defaultTo('optional'))
      .addColumn('http_hop_limit', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('metadata_tags', 'text', (c) => c.notNull().defaultTo('disabled'))
      .addColumn('fault_mode', 'text', (c) => c.notNull().defaultTo('none'))
      .addColumn('fault_delay_ms', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('fault_status', 'integer', (c) => c.notNull().defaultTo(0))
      .addUniqueConstraint('ecs_instances_private_ip', ['vswitch_id', 'private_ip'])
      .execute();
    await s
      .createIndex('ecs_instances_account')
      .on('ecs_instances')
      .columns(['account_id', 'region_id'])
      .execute();
  },
};
