/**
 * @module Security groups, their rules, and which instances are in them. A group references its
 * VPC (DeleteVpc is refused while groups remain); a rule belongs to its group (deleted with it) and
 * may name another group, which then cannot be deleted; a membership references both its group
 * (which cannot be deleted while it has members) and its instance (released with it). Rule
 * identities are unique per group, so two nodes cannot add the same rule twice.
 *
 * Instances keep their list in `security_group_ids` as before, now written together with the
 * membership rows. Group ids recorded on instances created before groups existed become groups of
 * the instance's VPC, so that every listed group exists and refuses deletion while used.
 */
import type { Migration } from '../../../store/migrate.js';

export const m0003SecurityGroups: Migration = {
  name: '0003-security-groups',
  async up(db) {
    const s = db.k.schema;
    await s
      .createTable('ecs_security_groups')
      .addColumn('security_group_id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('region_id', 'text', (c) => c.notNull())
      .addColumn('vpc_id', 'text', (c) => c.notNull().references('vpc_vpcs.vpc_id'))
      .addColumn('group_name', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('group_type', 'text', (c) => c.notNull().defaultTo('normal'))
      .addColumn('inner_access_policy', 'text', (c) => c.notNull().defaultTo('Accept'))
      .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await s
      .createIndex('ecs_security_groups_account')
      .on('ecs_security_groups')
      .columns(['account_id', 'region_id'])
      .execute();
    await s
      .createIndex('ecs_security_groups_vpc')
      .on('ecs_security_groups')
      .column('vpc_id')
      .execute();
    await s
      .createTable('ecs_security_group_rules')
      .addColumn('rule_id', 'text', (c) => c.primaryKey())
      .addColumn('security_group_id', 'text', (c) =>
        c.notNull().references('ecs_security_groups.security_group_id').onDelete('cascade'),
      )
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('identity', 'text', (c) => c.notNull())
      .addColumn('direction', 'text', (c) => c.notNull())
      .addColumn('ip_protocol', 'text', (c) => c.notNull())
      .addColumn('port_range', 'text', (c) => c.notNull())
      .addColumn('source_port_range', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('policy', 'text', (c) => c.notNull())
      .addColumn('priority', 'integer', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('remote_cidr', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('remote_ipv6_cidr', 'text', (c) => c.notNull().defaultTo(''))
      // NULL when the rule names no group (a foreign key cannot hold '').
      .addColumn('remote_group_id', 'text', (c) =>
        c.references('ecs_security_groups.security_group_id'),
      )
      .addColumn('remote_group_owner', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('remote_prefix_list_id', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('local_cidr', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('local_ipv6_cidr', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('ecs_security_group_rules_identity', ['security_group_id', 'identity'])
      .execute();
    await s
      .createIndex('ecs_security_group_rules_remote')
      .on('ecs_security_group_rules')
      .column('remote_group_id')
      .execute();
    await s
      .createTable('ecs_security_group_members')
      .addColumn('security_group_id', 'text', (c) =>
        c.notNull().references('ecs_security_groups.security_group_id'),
      )
      .addColumn('instance_id', 'text', (c) =>
        c.notNull().references('ecs_instances.instance_id').onDelete('cascade'),
      )
      .addPrimaryKeyConstraint('ecs_security_group_members_pk', [
        'security_group_id',
        'instance_id',
      ])
      .execute();
    await s
      .createIndex('ecs_security_group_members_instance')
      .on('ecs_security_group_members')
      .column('instance_id')
      .execute();

    // Existing instances: every group id they list becomes a group (of their VPC) with them in it.
    const instances = await db.k
      .selectFrom('ecs_instances')
      .select([
        'instance_id',
        'account_id',
        'region_id',
        'vpc_id',
        'security_group_ids',
        'created_at',
      ])
      .where('security_group_ids', '!=', '[]')
      .orderBy('seq')
      .execute();
    const created = new Set<string>();
    for (const i of instances as any[]) {
      const ids = [...new Set(JSON.parse(i.security_group_ids) as string[])];
      for (const id of ids) {
        if (!created.has(id)) {
          created.add(id);
          await db.k
            .insertInto('ecs_security_groups')
            .values({
              security_group_id: id,
              account_id: i.account_id,
              region_id: i.region_id,
              vpc_id: i.vpc_id,
              description: 'recorded on an instance before yunbox kept security groups',
              created_at: Number(i.created_at),
            })
            .execute();
        }
        await db.k
          .insertInto('ecs_security_group_members')
          .values({ security_group_id: id, instance_id: i.instance_id })
          .execute();
      }
      await db.k
        .updateTable('ecs_instances')
        .set({ security_group_ids: JSON.stringify(ids) })
        .where('instance_id', '=', i.instance_id)
        .execute();
    }
  },
};
