/**
 * @module RAM roles in SQL. AssumeRole, instance credentials and every role-session request read
 * roles, by name or by id, so both lookups are cached per node on SQLite; the name cache is keyed
 * by the folded name and holds every row sharing it (names.ts).
 */
import { StoreError } from '../../../kernel/errors.js';
import type { ResourceTag } from '../../../kernel/tags.js';
import type { Db } from '../../../store/db.js';
import type { TagMatch } from '../../../store/tag-table.js';
import { prepared } from '../../../store/prepared.js';
import type { CacheSpec } from '../../../store/read-cache.js';
import type { Role } from '../model.js';
import { foldName, pickByName, type NamedRow } from '../names.js';
import type { PageRequest, RamStore } from '../store.js';
import {
  deleteOrConflict,
  foldedColumns,
  insertRow,
  pageOf,
  refuseAtLimit,
  refuseIfReferenced,
  toRole,
  type Row,
} from './common.js';
import { RAM_TAGS } from './tags.js';

/** The read cache of roles, by folded name and by id (AssumeRole, credential resolution). */
const ROLE_CACHE: CacheSpec = { name: 'ram-roles', tables: ['ram_roles'], max: 4096 };

const Q = {
  rolesByFoldedName: prepared((k, account: string, folded: string) =>
    k
      .selectFrom('ram_roles')
      .selectAll()
      .where('account_id', '=', account)
      .where('name_fold', '=', folded),
  ),
  roleById: prepared((k, id: string) =>
    k.selectFrom('ram_roles').selectAll().where('role_id', '=', id),
  ),
};

type RoleMethods =
  'createRole' | 'getRole' | 'getRoleById' | 'listRoles' | 'updateRole' | 'deleteRole';

/** The role part of {@link RamStore}. */
export class RamRoleSql implements Pick<RamStore, RoleMethods> {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  async createRole(r: Role, limit: number, tags: readonly ResourceTag[] = []) {
    await this.#db.withLock(`ram:roles:${r.accountId}`, async (tx) => {
      const account = { account_id: r.accountId };
      await refuseAtLimit(tx, 'ram_roles', account, limit, 'LimitExceeded.Role');
      await insertRow(
        tx,
        'ram_roles',
        {
          role_id: r.roleId,
          account_id: r.accountId,
          role_name: r.roleName,
          ...foldedColumns(r.roleName),
          description: r.description,
          trust_policy: r.trustPolicy,
          max_session_duration: r.maxSessionDuration,
          created_at: r.createdAt,
          updated_at: r.updatedAt,
        },
        'Role',
      );
      await RAM_TAGS.insertNew(tx, r.accountId, '', 'role', r.roleId, tags);
    });
  }

  async getRole(accountId: string, roleName: string) {
    const folded = foldName(roleName);
    const rows = await this.#db.cached(ROLE_CACHE, `${accountId}/${folded}`, () =>
      Q.rolesByFoldedName.rows(this.#db, accountId, folded),
    );
    const r = pickByName(rows as Array<Row & NamedRow>, roleName, (x) => x.role_name as string);
    return r ? toRole(r) : undefined;
  }

  getRoleById(roleId: string) {
    return this.#db.cached(ROLE_CACHE, `#${roleId}`, async () => {
      const r = await Q.roleById.first(this.#db, roleId);
      return r ? toRole(r) : undefined;
    });
  }

  listRoles(accountId: string, page: PageRequest, tags: readonly TagMatch[] = []) {
    let q = this.#db.k.selectFrom('ram_roles').selectAll().where('account_id', '=', accountId);
    if (tags.length > 0)
      q = q.where(RAM_TAGS.carrying(accountId, 'role', 'ram_roles.role_id', tags));
    return pageOf(q, 'role_name', page, toRole, (r) => r.roleName);
  }

  async updateRole(r: Role) {
    await this.#db.k
      .updateTable('ram_roles')
      .set({
        description: r.description,
        trust_policy: r.trustPolicy,
        max_session_duration: r.maxSessionDuration,
        updated_at: r.updatedAt,
      })
      .where('role_id', '=', r.roleId)
      .execute();
  }

  async deleteRole(accountId: string, roleName: string) {
    await this.#db.transaction(async (tx) => {
      const r = await new RamRoleSql(tx).getRole(accountId, roleName);
      if (!r) throw new StoreError('NotFound', 'Role');
      await refuseIfReferenced(tx, 'ram_attachments', { role_id: r.roleId }, 'Role.Policy');
      await deleteOrConflict(tx, 'ram_roles', 'role_id', r.roleId, 'Role');
      await RAM_TAGS.deleteFor(tx, 'role', [r.roleId]);
    });
  }
}
