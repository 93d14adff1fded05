/**
 * @module ECS tags and the instance identity key. Tags of every ECS resource type become rows of
 * `ecs_tags` (store/tag-table.ts); instances' tags, kept until now as a JSON column of their row,
 * move there (the column stays, emptied, no longer read). `ecs_identity_keys` holds the key and
 * certificate that sign instance identity documents (metadata/identity.ts), shared by every node.
 */
import type { Migration } from '../../../store/migrate.js';
import { createTagTable } from '../../../store/tag-table.js';

export const m0005TagsIdentity: Migration = {
  name: '0005-tags-identity',
  async up(db) {
    await createTagTable(db, 'ecs_tags');
    const rows: any[] = await db.k
      .selectFrom('ecs_instances')
      .select(['instance_id', 'account_id', 'region_id', 'tags'])
      .where('tags', '<>', '[]')
      .execute();
    for (const r of rows) {
      let tags: unknown;
      try {
        tags = JSON.parse(r.tags);
      } catch {
        tags = [];
      }
      const seen = new Set<string>();
      const values = (Array.isArray(tags) ? tags : [])
        .filter((t): t is { key: string; value?: string } => typeof t?.key === 'string')
        .filter((t) => !seen.has(t.key) && seen.add(t.key))
        .map((t, position) => ({
          account_id: r.account_id,
          scope: r.region_id,
          resource_type: 'instance',
          resource_id: r.instance_id,
          tag_key: t.key,
          tag_value: typeof t.value === 'string' ? t.value : '',
          position,
        }));
      if (values.length > 0) await db.k.insertInto('ecs_tags').values(values).execute();
      await db.k
        .updateTable('ecs_instances')
        .set({ tags: '[]' })
        .where('instance_id', '=', r.instance_id)
        .execute();
    }
    await db.k.schema
      .createTable('ecs_identity_keys')
      .addColumn('key_id', 'text', (c) => c.primaryKey())
      .addColumn('key_pem', 'text', (c) => c.notNull())
      .addColumn('certificate_pem', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
  },
};
