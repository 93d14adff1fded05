/**
 * @module RAM storage in SQL, one implementation for SQLite and PostgreSQL (Kysely), in parts:
 *
 * ```
 * store-sql/keys.ts         the account row, AccessKeys (cached: every signed request)
 * store-sql/users.ts        users, groups, membership
 * store-sql/roles.ts        roles (cached by folded name and by id)
 * store-sql/policies.ts     policies, system and custom, and their versions
 * store-sql/attachments.ts  attachments, and the documents in force (cached: every authorisation)
 * store-sql/tags.ts         tags of roles and policies
 * store-sql/common.ts       row mappers, inserts, pages, lookups by folded name
 * ```
 *
 * Limits are checked under a per-account lock; uniqueness (names without regard to case,
 * migration 0002) and references by constraints. This class only routes each call to its part.
 */
import type { Db } from '../../store/db.js';
import type { RamStore } from './store.js';
import { RamAttachmentSql } from './store-sql/attachments.js';
import { RamKeySql } from './store-sql/keys.js';
import { RamPolicySql } from './store-sql/policies.js';
import { RamRoleSql } from './store-sql/roles.js';
import { RamTagSql } from './store-sql/tags.js';
import { RamUserSql } from './store-sql/users.js';

/** RAM storage over a {@link Db}. */
export class RamSqlStore implements RamStore {
  readonly #db: Db;
  readonly #keys: RamKeySql;
  readonly #users: RamUserSql;
  readonly #roles: RamRoleSql;
  readonly #policies: RamPolicySql;
  readonly #attachments: RamAttachmentSql;
  readonly #tags: RamTagSql;

  constructor(db: Db) {
    this.#db = db;
    this.#keys = new RamKeySql(db);
    this.#users = new RamUserSql(db);
    this.#roles = new RamRoleSql(db);
    this.#policies = new RamPolicySql(db);
    this.#attachments = new RamAttachmentSql(db);
    this.#tags = new RamTagSql(db);
  }

  /** Runs `fn` against a store bound to one transaction. */
  transaction<T>(fn: (s: RamSqlStore) => Promise<T>): Promise<T> {
    return this.#db.transaction((tx) => fn(new RamSqlStore(tx)));
  }

  // ---- account and keys
  getAccount: RamStore['getAccount'] = () => this.#keys.getAccount();
  ensureAccount: RamStore['ensureAccount'] = (...a) => this.#keys.ensureAccount(...a);
  createAccount: RamStore['createAccount'] = (...a) => this.#keys.createAccount(...a);
  listAccounts: RamStore['listAccounts'] = () => this.#keys.listAccounts();
  getAccountById: RamStore['getAccountById'] = (...a) => this.#keys.getAccountById(...a);
  ensureRootKey: RamStore['ensureRootKey'] = (...a) => this.#keys.ensureRootKey(...a);
  getAccessKey: RamStore['getAccessKey'] = (...a) => this.#keys.getAccessKey(...a);
  getAccessKeyWithOwner: RamStore['getAccessKeyWithOwner'] = (...a) =>
    this.#keys.getAccessKeyWithOwner(...a);
  insertAccessKey: RamStore['insertAccessKey'] = (...a) => this.#keys.insertAccessKey(...a);
  listAccessKeys: RamStore['listAccessKeys'] = (...a) => this.#keys.listAccessKeys(...a);
  updateAccessKeyStatus: RamStore['updateAccessKeyStatus'] = (...a) =>
    this.#keys.updateAccessKeyStatus(...a);
  deleteAccessKey: RamStore['deleteAccessKey'] = (...a) => this.#keys.deleteAccessKey(...a);
  touchAccessKey: RamStore['touchAccessKey'] = (...a) => this.#keys.touchAccessKey(...a);

  // ---- users and groups
  createUser: RamStore['createUser'] = (...a) => this.#users.createUser(...a);
  getUser: RamStore['getUser'] = (...a) => this.#users.getUser(...a);
  getUserById: RamStore['getUserById'] = (...a) => this.#users.getUserById(...a);
  listUsers: RamStore['listUsers'] = (...a) => this.#users.listUsers(...a);
  updateUser: RamStore['updateUser'] = (...a) => this.#users.updateUser(...a);
  deleteUser: RamStore['deleteUser'] = (...a) => this.#users.deleteUser(...a);
  createGroup: RamStore['createGroup'] = (...a) => this.#users.createGroup(...a);
  getGroup: RamStore['getGroup'] = (...a) => this.#users.getGroup(...a);
  listGroups: RamStore['listGroups'] = (...a) => this.#users.listGroups(...a);
  updateGroup: RamStore['updateGroup'] = (...a) => this.#users.updateGroup(...a);
  deleteGroup: RamStore['deleteGroup'] = (...a) => this.#users.deleteGroup(...a);
  addUserToGroup: RamStore['addUserToGroup'] = (...a) => this.#users.addUserToGroup(...a);
  removeUserFromGroup: RamStore['removeUserFromGroup'] = (...a) =>
    this.#users.removeUserFromGroup(...a);
  listGroupsForUser: RamStore['listGroupsForUser'] = (...a) => this.#users.listGroupsForUser(...a);
  listUsersForGroup: RamStore['listUsersForGroup'] = (...a) => this.#users.listUsersForGroup(...a);

  // ---- roles
  createRole: RamStore['createRole'] = (...a) => this.#roles.createRole(...a);
  getRole: RamStore['getRole'] = (...a) => this.#roles.getRole(...a);
  getRoleById: RamStore['getRoleById'] = (...a) => this.#roles.getRoleById(...a);
  listRoles: RamStore['listRoles'] = (...a) => this.#roles.listRoles(...a);
  updateRole: RamStore['updateRole'] = (...a) => this.#roles.updateRole(...a);
  deleteRole: RamStore['deleteRole'] = (...a) => this.#roles.deleteRole(...a);

  // ---- policies and versions
  upsertSystemPolicy: RamStore['upsertSystemPolicy'] = (...a) =>
    this.#policies.upsertSystemPolicy(...a);
  createPolicy: RamStore['createPolicy'] = (...a) => this.#policies.createPolicy(...a);
  getPolicy: RamStore['getPolicy'] = (...a) => this.#policies.getPolicy(...a);
  listPolicies: RamStore['listPolicies'] = (...a) => this.#policies.listPolicies(...a);
  attachmentCount: RamStore['attachmentCount'] = (...a) => this.#policies.attachmentCount(...a);
  updatePolicyDescription: RamStore['updatePolicyDescription'] = (...a) =>
    this.#policies.updatePolicyDescription(...a);
  deletePolicy: RamStore['deletePolicy'] = (...a) => this.#policies.deletePolicy(...a);
  getPolicyVersion: RamStore['getPolicyVersion'] = (...a) => this.#policies.getPolicyVersion(...a);
  listPolicyVersions: RamStore['listPolicyVersions'] = (...a) =>
    this.#policies.listPolicyVersions(...a);
  createPolicyVersion: RamStore['createPolicyVersion'] = (...a) =>
    this.#policies.createPolicyVersion(...a);
  setDefaultPolicyVersion: RamStore['setDefaultPolicyVersion'] = (...a) =>
    this.#policies.setDefaultPolicyVersion(...a);
  deletePolicyVersion: RamStore['deletePolicyVersion'] = (...a) =>
    this.#policies.deletePolicyVersion(...a);

  // ---- tags
  tagsOf: RamStore['tagsOf'] = (...a) => this.#tags.tagsOf(...a);
  addTags: RamStore['addTags'] = (...a) => this.#tags.addTags(...a);
  removeTags: RamStore['removeTags'] = (...a) => this.#tags.removeTags(...a);
  listTags: RamStore['listTags'] = (...a) => this.#tags.listTags(...a);

  // ---- attachments and documents in force
  attach: RamStore['attach'] = (...a) => this.#attachments.attach(...a);
  detach: RamStore['detach'] = (...a) => this.#attachments.detach(...a);
  listAttachments: RamStore['listAttachments'] = (...a) => this.#attachments.listAttachments(...a);
  listEntitiesForPolicy: RamStore['listEntitiesForPolicy'] = (...a) =>
    this.#attachments.listEntitiesForPolicy(...a);
  userDocuments: RamStore['userDocuments'] = (...a) => this.#attachments.userDocuments(...a);
  roleDocuments: RamStore['roleDocuments'] = (...a) => this.#attachments.roleDocuments(...a);
  effectiveDocuments: RamStore['effectiveDocuments'] = (...a) =>
    this.#attachments.effectiveDocuments(...a);
}
