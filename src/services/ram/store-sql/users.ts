/**
 * @module RAM users, groups and group membership in SQL. Names are unique per account without
 * regard to case (`name_fold`, migration 0002); counts against the account's limits are taken
 * under a per-account lock.
 */
import { StoreError } from '../../../kernel/errors.js';
import type { Db } from '../../../store/db.js';
import { prepared } from '../../../store/prepared.js';
import type { Group, User } from '../model.js';
import type { PageRequest, RamStore } from '../store.js';
import {
  deleteOrConflict,
  foldedColumns,
  insertRow,
  pageOf,
  refuseAtLimit,
  refuseIfReferenced,
  renamedColumns,
  rowByName,
  toGroup,
  toUser,
  updateOrExists,
  type Row,
} from './common.js';

const Q = {
  userById: prepared((k, id: string) =>
    k.selectFrom('ram_users').selectAll().where('user_id', '=', id),
  ),
};

type UserMethods =
  | 'createUser'
  | 'getUser'
  | 'getUserById'
  | 'listUsers'
  | 'updateUser'
  | 'deleteUser'
  | 'createGroup'
  | 'getGroup'
  | 'listGroups'
  | 'updateGroup'
  | 'deleteGroup'
  | 'addUserToGroup'
  | 'removeUserFromGroup'
  | 'listGroupsForUser'
  | 'listUsersForGroup';

/** The user and group part of {@link RamStore}. */
export class RamUserSql implements Pick<RamStore, UserMethods> {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  // ---- users

  async createUser(u: User, limit: number) {
    await this.#db.withLock(`ram:users:${u.accountId}`, async (tx) => {
      const account = { account_id: u.accountId };
      await refuseAtLimit(tx, 'ram_users', account, limit, 'LimitExceeded.User');
      await insertRow(
        tx,
        'ram_users',
        {
          user_id: u.userId,
          account_id: u.accountId,
          user_name: u.userName,
          ...foldedColumns(u.userName),
          display_name: u.displayName,
          email: u.email,
          mobile_phone: u.mobilePhone,
          comments: u.comments,
          created_at: u.createdAt,
          updated_at: u.updatedAt,
        },
        'User',
      );
    });
  }

  async getUser(accountId: string, userName: string) {
    const r = await rowByName(
      this.#db,
      'ram_users',
      'user_name',
      { account_id: accountId },
      userName,
    );
    return r ? toUser(r) : undefined;
  }

  async getUserById(userId: string) {
    const r = await Q.userById.first(this.#db, userId);
    return r ? toUser(r) : undefined;
  }

  listUsers(accountId: string, page: PageRequest) {
    return pageOf(
      this.#db.k.selectFrom('ram_users').selectAll().where('account_id', '=', accountId),
      'user_name',
      page,
      toUser,
      (u) => u.userName,
    );
  }

  async updateUser(u: User) {
    await updateOrExists(
      this.#db,
      this.#db.k
        .updateTable('ram_users')
        .set((eb: any) => ({
          user_name: u.userName,
          ...renamedColumns(eb, 'user_name', u.userName),
          display_name: u.displayName,
          email: u.email,
          mobile_phone: u.mobilePhone,
          comments: u.comments,
          updated_at: u.updatedAt,
        }))
        .where('user_id', '=', u.userId),
      'User',
    );
  }

  async deleteUser(accountId: string, userName: string) {
    await this.#db.transaction(async (tx) => {
      const u = await new RamUserSql(tx).getUser(accountId, userName);
      if (!u) throw new StoreError('NotFound', 'User');
      await refuseIfReferenced(tx, 'ram_access_keys', { user_id: u.userId }, 'User.AccessKey');
      await refuseIfReferenced(tx, 'ram_attachments', { user_id: u.userId }, 'User.Policy');
      await refuseIfReferenced(tx, 'ram_group_members', { user_id: u.userId }, 'User.Group');
      await deleteOrConflict(tx, 'ram_users', 'user_id', u.userId, 'User');
    });
  }

  // ---- groups

  async createGroup(g: Group, limit: number) {
    await this.#db.withLock(`ram:groups:${g.accountId}`, async (tx) => {
      const account = { account_id: g.accountId };
      await refuseAtLimit(tx, 'ram_groups', account, limit, 'LimitExceeded.Group');
      await insertRow(
        tx,
        'ram_groups',
        {
          group_id: g.groupId,
          account_id: g.accountId,
          group_name: g.groupName,
          ...foldedColumns(g.groupName),
          comments: g.comments,
          created_at: g.createdAt,
          updated_at: g.updatedAt,
        },
        'Group',
      );
    });
  }

  async getGroup(accountId: string, groupName: string) {
    const r = await rowByName(
      this.#db,
      'ram_groups',
      'group_name',
      { account_id: accountId },
      groupName,
    );
    return r ? toGroup(r) : undefined;
  }

  listGroups(accountId: string, page: PageRequest) {
    return pageOf(
      this.#db.k.selectFrom('ram_groups').selectAll().where('account_id', '=', accountId),
      'group_name',
      page,
      toGroup,
      (g) => g.groupName,
    );
  }

  async updateGroup(g: Group) {
    await updateOrExists(
      this.#db,
      this.#db.k
        .updateTable('ram_groups')
        .set((eb: any) => ({
          group_name: g.groupName,
          ...renamedColumns(eb, 'group_name', g.groupName),
          comments: g.comments,
          updated_at: g.updatedAt,
        }))
        .where('group_id', '=', g.groupId),
      'Group',
    );
  }

  async deleteGroup(accountId: string, groupName: string) {
    await this.#db.transaction(async (tx) => {
      const g = await new RamUserSql(tx).getGroup(accountId, groupName);
      if (!g) throw new StoreError('NotFound', 'Group');
      await refuseIfReferenced(tx, 'ram_group_members', { group_id: g.groupId }, 'Group.User');
      await refuseIfReferenced(tx, 'ram_attachments', { group_id: g.groupId }, 'Group.Policy');
      await deleteOrConflict(tx, 'ram_groups', 'group_id', g.groupId, 'Group');
    });
  }

  async addUserToGroup(groupId: string, userId: string, now: number, limitPerUser: number) {
    await this.#db.transaction(async (tx) => {
      const groups = { user_id: userId };
      await refuseAtLimit(
        tx,
        'ram_group_members',
        groups,
        limitPerUser,
        'LimitExceeded.User.Group',
      );
      await insertRow(
        tx,
        'ram_group_members',
        { group_id: groupId, user_id: userId, joined_at: now },
        'Group.User',
      );
    });
  }

  async removeUserFromGroup(groupId: string, userId: string) {
    const r = await this.#db.k
      .deleteFrom('ram_group_members')
      .where('group_id', '=', groupId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async listGroupsForUser(userId: string) {
    const rows = await this.#db.k
      .selectFrom('ram_group_members as m')
      .innerJoin('ram_groups as g', 'g.group_id', 'm.group_id')
      .selectAll('g')
      .select('m.joined_at')
      .where('m.user_id', '=', userId)
      .orderBy('g.group_name')
      .execute();
    return rows.map((r: Row) => ({ ...toGroup(r), joinedAt: Number(r.joined_at) }));
  }

  listUsersForGroup(groupId: string, page: PageRequest) {
    return pageOf(
      this.#db.k
        .selectFrom('ram_group_members as m')
        .innerJoin('ram_users as u', 'u.user_id', 'm.user_id')
        .selectAll('u')
        .select('m.joined_at')
        .where('m.group_id', '=', groupId),
      'u.user_name',
      page,
      (r: Row) => ({ ...toUser(r), joinedAt: Number(r.joined_at) }),
      (u) => u.userName,
    );
  }
}
