/**
 * @module RAM tags in SQL: rows of `ram_tags` (store/tag-table.ts, migration 0003), one per tag of
 * a role (by RoleId) or a custom policy (by its policy id). Roles and policies write their tags in
 * the transaction creating them and drop them in the one deleting them (roles.ts, policies.ts).
 */
import type { ResourceTag } from '../../../kernel/tags.js';
import type { Db } from '../../../store/db.js';
import { TagTable } from '../../../store/tag-table.js';
import type { RamStore } from '../store.js';

/** RAM's tag table; resources are global, so every row's scope is empty. */
export const RAM_TAGS = new TagTable('ram_tags');

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

  addTags(
    accountId: string,
    type: 'role' | 'policy',
    ids: readonly string[],
    tags: readonly ResourceTag[],
  ) {
    return RAM_TAGS.add(this.#db, accountId, '', type, ids, tags);
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
