/**
 * @module Names without regard to case: roles, users, groups and policies get `name_fold` (the
 * name with ASCII letters lower-cased, names.ts) and `legacy_dup`, unique together per account
 * (and policy type), so `AppRole` and `approle` can no longer both exist, even when two nodes
 * race; lookups by folded name use the same index.
 *
 * Data written before may hold names that differ only in case. None is lost or renamed: the
 * oldest of each group (created first, then lowest id) owns the folded name (`legacy_dup = ''`),
 * and each other one gets its own id as `legacy_dup`, which no other row can have, so the unique
 * index is built without conflict. Such a row stays reachable by its exact name (names.ts
 * `pickByName`); renaming it (UpdateUser, UpdateGroup) makes it an ordinary row.
 *
 * The fold is computed here in JavaScript, as at run time, not with SQL `lower()` (whose result
 * depends on PostgreSQL's locale).
 */
import type { Db } from '../../../store/db.js';
import type { Migration } from '../../../store/migrate.js';
import { foldName } from '../names.js';

/** The tables with names, their id and name columns, and what else scopes a name. */
const TABLES = [
  { table: 'ram_roles', id: 'role_id', name: 'role_name', scope: ['account_id'] },
  { table: 'ram_users', id: 'user_id', name: 'user_name', scope: ['account_id'] },
  { table: 'ram_groups', id: 'group_id', name: 'group_name', scope: ['account_id'] },
  {
    table: 'ram_policies',
    id: 'policy_id',
    name: 'policy_name',
    scope: ['account_id', 'policy_type'],
  },
] as const;

async function foldTable(db: Db, t: (typeof TABLES)[number]): Promise<void> {
  await db.k.schema
    .alterTable(t.table)
    .addColumn('name_fold', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.k.schema
    .alterTable(t.table)
    .addColumn('legacy_dup', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  const rows: Array<Record<string, unknown>> = await db.k
    .selectFrom(t.table)
    .select([t.id, t.name, 'created_at', ...t.scope])
    .orderBy('created_at')
    .orderBy(t.id)
    .execute();
  const owners = new Set<string>();
  for (const r of rows) {
    const id = String(r[t.id]);
    const fold = foldName(String(r[t.name]));
    const scoped = JSON.stringify([...t.scope.map((c) => r[c]), fold]);
    // Oldest first: the first row of a folded name owns it.
    const legacyDup = owners.has(scoped) ? id : '';
    owners.add(scoped);
    await db.k
      .updateTable(t.table)
      .set({ name_fold: fold, legacy_dup: legacyDup })
      .where(t.id, '=', id)
      .execute();
  }
  await db.k.schema
    .createIndex(`${t.table}_name_fold`)
    .on(t.table)
    .columns([...t.scope, 'name_fold', 'legacy_dup'])
    .unique()
    .execute();
}

export const m0002FoldedNames: Migration = {
  name: '0002-folded-names',
  async up(db) {
    for (const t of TABLES) await foldTable(db, t);
  },
};
