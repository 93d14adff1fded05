/**
 * @module SSH key pairs, and what an instance has besides its place and state: its system disk,
 * its key pair, its password (a scrypt hash), release protection, the burstable performance
 * mode, jumbo frames and the maintenance attributes.
 *
 * Key pair names are unique per account and region by constraint. An instance references its key
 * pair by id (foreign key), so a key pair bound to an instance cannot be deleted and a deleted one
 * cannot be bound, on any node; the instance row also keeps the key pair's name and public key
 * (both never change) so the metadata service still reads one row. Rows written before this
 * migration get the defaults: a `cloud_efficiency` system disk of the image's default size
 * (NULL size, computed when read), no key pair, no password, protection off.
 */
import type { Migration } from '../../../store/migrate.js';

export const m0004InstanceAttributes: Migration = {
  name: '0004-instance-attributes',
  async up(db) {
    const s = db.k.schema;
    await s
      .createTable('ecs_key_pairs')
      .addColumn('key_pair_id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('region_id', 'text', (c) => c.notNull())
      .addColumn('key_pair_name', 'text', (c) => c.notNull())
      .addColumn('finger_print', 'text', (c) => c.notNull())
      .addColumn('public_key', 'text', (c) => c.notNull())
      .addColumn('resource_group_id', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('ecs_key_pairs_name', ['account_id', 'region_id', 'key_pair_name'])
      .execute();
    // SQLite adds one column per statement.
    const columns: Array<[string, string, (c: any) => any]> = [
      ['system_disk_category', 'text', (c) => c.notNull().defaultTo('cloud_efficiency')],
      ['system_disk_size', 'integer', (c) => c],
      ['system_disk_name', 'text', (c) => c.notNull().defaultTo('')],
      ['system_disk_description', 'text', (c) => c.notNull().defaultTo('')],
      ['system_disk_performance_level', 'text', (c) => c.notNull().defaultTo('')],
      ['key_pair_id', 'text', (c) => c.references('ecs_key_pairs.key_pair_id')],
      ['key_pair_name', 'text', (c) => c],
      ['public_key', 'text', (c) => c],
      ['password_hash', 'text', (c) => c],
      ['deletion_protection', 'integer', (c) => c.notNull().defaultTo(0)],
      ['credit_specification', 'text', (c) => c.notNull().defaultTo('')],
      ['jumbo_frame', 'integer', (c) => c.notNull().defaultTo(0)],
      ['maintenance', 'text', (c) => c],
    ];
    for (const [name, type, build] of columns) {
      await s
        .alterTable('ecs_instances')
        .addColumn(name, type as any, build)
        .execute();
    }
    await s
      .createIndex('ecs_instances_key_pair')
      .on('ecs_instances')
      .column('key_pair_id')
      .execute();
  },
};
