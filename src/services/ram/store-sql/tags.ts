/**
 * @module RAM tags in SQL: rows of `ram_tags` (store/tag-table.ts, migration 0003), one per tag of
 * a role (by RoleId) or a custom policy (by its policy id). Roles and policies write their tags in
 * the transaction creating them and drop them in the one deleting them, after the row (roles.ts,
 * policies.ts); TagResources finds and locks the rows in the transaction adding tags
 * ({@link resourceRows}), so a racing delete leaves no tag behind.
 */
import { StoreError } from '../../../kernel/errors.js';
import type { ResourceTag } from '../../../kernel/tags.js';
import type { Db } from '../../../store/db.js';
import { TagTable, resourceRows, type ResourceRowsQuery } from '../../../store/tag-table.js';
import type { RamStore } from '../store.js';

/** RAM's tag table; resources are global, so every row's scope is empty. */
export const RAM_TAGS = new TagTable('ram_tags');

/** Where the resources of each RAM tag type are rows. */
const TAGGED: Record<'role' | 'policy', { table: string; column: string; entity: string }> = {
  role: { table: 'ram_roles', column: 'role_id', entity: 'Role' },
  policy: { table: 'ram_policies', column: 'policy_id', entity: 'Policy' },
};

type TagMethods = 'tagsOf' | 'addTags' | 'removeTags' | 'listTags';

/** The tag part of {@link RamStore}. */
export class RamTagSql implements Pick<RamStore, TagMethods> {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  tagsOf(accountId: string, type: 'role' | 'policy', ids: readonly string[]) {
    return RAM_TAGS.tagsOf(this.#db, accountId, type, ids);
  }

  /** StoreError NotFound (`Role`, `Policy`) when one of `ids` is gone, and nothing is written. */
  addTags(
    accountId: string,
    type: 'role' | 'policy',
    ids: readonly string[],
    tags: readonly ResourceTag[],
  ) {
    const where = TAGGED[type];
    const q: ResourceRowsQuery = {
      table: where.table,
      scope: { account_id: accountId },
      column: where.column,
    };
    return this.#db.transaction(async (tx) => {
      // INVARIANT: the resources stay locked until the tags are written (no orphan tag rows).
      const found = new Set(
        (await resourceRows(tx, q, ids, { lock: true })).map((r) => String(r[where.column])),
      );
      if (ids.some((id) => !found.has(id))) throw new StoreError('NotFound', where.entity);
      return RAM_TAGS.add(tx, accountId, '', type, ids, tags);
    });
  }

  removeTags(
    accountId: string,
    type: 'role' | 'policy',
    ids: readonly string[],
    keys: readonly string[] | 'all',
  ) {
    return RAM_TAGS.remove(this.#db, accountId, type, ids, keys);
  }

  listTags: RamStore['listTags'] = (q) => RAM_TAGS.list(this.#db, { ...q, scope: '' });
}
