/**
 * @module ECS tags and the instance identity key. Tags of every ECS resource type become rows of
 * `ecs_tags` (store/tag-table.ts); instances' tags, kept until now as a JSON column of their row,
 * move there (the column stays, emptied, no longer read). `ecs_identity_keys` holds the key and
 * certificate that sign instance identity documents (metadata/identity.ts), shared by every node.
 */
import type { Migration } from '../../../store/migrate.js';
import { createTagTable } from '../../../store/tag-table.js';
import { moveJsonTags } from './json-tags.js';

export const m0005TagsIdentity: Migration = {
  name: '0005-tags-identity',
  async up(db) {
    await createTagTable(db, 'ecs_tags');
    await moveJsonTags(db, { table: 'ecs_instances', id: 'instance_id', resourceType: 'instance' });
    await db.k.schema
      .createTable('ecs_identity_keys')
      .addColumn('key_id', 'text', (c) => c.primaryKey())
      .addColumn('key_pem', 'text', (c) => c.notNull())
      .addColumn('certificate_pem', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
  },
};
