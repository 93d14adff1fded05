/**
 * @module The step that moves tags kept as a JSON column of a resource's row
 * (`[{"key":…,"value":…}]`) into `ecs_tags` (store/tag-table.ts), for the migrations that did
 * so (0005 for instances, 0006 for security groups and key pairs). Migrations run it: what it
 * does must never change once released.
 */
import type { Db } from '../../../store/db.js';

/** A table whose rows kept their tags in a JSON column `tags`. */
export interface JsonTagsSource {
  table: string;
  /** The id column: tags are kept under its value. */
  id: string;
  /** The ResourceType the tags are kept as. */
  resourceType: string;
}

/**
 * Copies each row's tags into `ecs_tags` in their order (scope: the row's region) and empties the
 * column, which is no longer read. An entry without a string key, with an empty key or repeating
 * an earlier key, and a column that is not JSON, are dropped rather than failing the upgrade.
 */
export async function moveJsonTags(db: Db, source: JsonTagsSource): Promise<void> {
  const rows: any[] = await db.k
    .selectFrom(source.table)
    .select([source.id, 'account_id', 'region_id', 'tags'])
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
      .filter((t) => t.key !== '' && !seen.has(t.key) && seen.add(t.key))
      .map((t, position) => ({
        account_id: r.account_id,
        scope: r.region_id,
        resource_type: source.resourceType,
        resource_id: r[source.id],
        tag_key: t.key,
        tag_value: typeof t.value === 'string' ? t.value : '',
        position,
      }));
    if (values.length > 0) await db.k.insertInto('ecs_tags').values(values).execute();
    await db.k
      .updateTable(source.table)
      .set({ tags: '[]' })
      .where(source.id, '=', r[source.id])
      .execute();
  }
}
