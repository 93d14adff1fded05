/**
 * @module What RAM handlers need from storage. One SQL implementation serves SQLite and
 * PostgreSQL (`store-sql.ts`). Methods that change several rows run in one transaction; unique
 * names are enforced by constraints and reported as `StoreError('AlreadyExists')`.
 */
import type { ResourceTag } from '../../kernel/tags.js';
import type { AddTagsResult, TagListQuery, TagMatch, TaggedEntry } from '../../store/tag-table.js';
import type {
  AccessKey,
  Account,
  Attachment,
  Group,
  Policy,
  PolicyType,
  PolicyVersion,
  PrincipalType,
  Role,
  User,
} from './model.js';

/** A policy document in force for a principal. */
export interface EffectiveDocument {
  policyName: string;
  policyType: PolicyType;
  versionId: string;
  document: string;
}

/** A page of a name-ordered listing. */
export interface Page<T> {
  items: T[];
  /** Name of the last item when more follow. */
  next?: string;
}

/** Page request: names strictly after `after`, at most `limit`. */
export interface PageRequest {
  after?: string;
  limit: number;
}

/** RAM storage. */
export interface RamStore {
  // account and keys
  /** The first account (the one the server made at its first start). */
  getAccount(): Promise<{ accountId: string; createdAt: number } | undefined>;
  /** Creates the first account if none exists (race-safe); returns the one that exists. */
  ensureAccount(accountId: string, now: number): Promise<string>;
  /**
   * Creates another account and its root AccessKey in one transaction. StoreError
   * `AlreadyExists` when the name (or id) is taken, `Conflict('LimitExceeded')` at `limit`.
   */
  createAccount(
    account: { accountId: string; accountName: string; createdAt: number },
    rootKey: { accessKeyId: string; secret: string },
    limit: number,
  ): Promise<{ account: Account; key: AccessKey }>;
  /** Every account, the first first, then in creation order. */
  listAccounts(): Promise<Account[]>;
  getAccountById(accountId: string): Promise<Account | undefined>;
  /**
   * The root AccessKey: `wanted` (inserted or updated), else the existing active one, else a new
   * one from `generate` (`created: true`). Race-safe across nodes.
   */
  ensureRootKey(
    accountId: string,
    wanted: { accessKeyId: string; secret: string } | undefined,
    generate: () => { accessKeyId: string; secret: string },
    now: number,
  ): Promise<{ key: AccessKey; created: boolean }>;
  getAccessKey(accessKeyId: string): Promise<AccessKey | undefined>;
  /** A key and, for a RAM user's key, its owner (one query: every signed request calls it). */
  getAccessKeyWithOwner(
    accessKeyId: string,
  ): Promise<{ key: AccessKey; owner?: { userId: string; userName: string } } | undefined>;
  insertAccessKey(key: AccessKey, limitPerUser?: number): Promise<void>;
  listAccessKeys(accountId: string, userId: string | undefined): Promise<AccessKey[]>;
  updateAccessKeyStatus(accessKeyId: string, status: AccessKey['status']): Promise<boolean>;
  deleteAccessKey(accessKeyId: string): Promise<boolean>;
  touchAccessKey(accessKeyId: string, now: number): Promise<void>;

  // users
  createUser(user: User, limit: number): Promise<void>;
  getUser(accountId: string, userName: string): Promise<User | undefined>;
  getUserById(userId: string): Promise<User | undefined>;
  listUsers(accountId: string, page: PageRequest): Promise<Page<User>>;
  updateUser(user: User): Promise<void>;
  /** Deletes when no keys, groups or policies remain; else throws Conflict naming what is left. */
  deleteUser(accountId: string, userName: string): Promise<void>;

  // groups
  createGroup(group: Group, limit: number): Promise<void>;
  getGroup(accountId: string, groupName: string): Promise<Group | undefined>;
  listGroups(accountId: string, page: PageRequest): Promise<Page<Group>>;
  updateGroup(group: Group): Promise<void>;
  deleteGroup(accountId: string, groupName: string): Promise<void>;
  addUserToGroup(groupId: string, userId: string, now: number, limitPerUser: number): Promise<void>;
  removeUserFromGroup(groupId: string, userId: string): Promise<boolean>;
  listGroupsForUser(userId: string): Promise<Array<Group & { joinedAt: number }>>;
  listUsersForGroup(groupId: string, page: PageRequest): Promise<Page<User & { joinedAt: number }>>;

  // roles
  /** Creates the role, with `tags` (checked by the caller) in the same transaction. */
  createRole(role: Role, limit: number, tags?: readonly ResourceTag[]): Promise<void>;
  getRole(accountId: string, roleName: string): Promise<Role | undefined>;
  getRoleById(roleId: string): Promise<Role | undefined>;
  /** With `tags`: only roles carrying every one of them. */
  listRoles(accountId: string, page: PageRequest, tags?: readonly TagMatch[]): Promise<Page<Role>>;
  updateRole(role: Role): Promise<void>;
  deleteRole(accountId: string, roleName: string): Promise<void>;

  // policies
  upsertSystemPolicy(
    name: string,
    description: string,
    document: string,
    now: number,
  ): Promise<void>;
  /** Creates the custom policy, with `tags` (checked by the caller) in the same transaction. */
  createPolicy(
    policy: Policy,
    document: string,
    limit: number,
    tags?: readonly ResourceTag[],
  ): Promise<void>;
  getPolicy(accountId: string, type: PolicyType, name: string): Promise<Policy | undefined>;
  /** With `tags`: only (custom) policies carrying every one of them. */
  listPolicies(
    accountId: string,
    type: PolicyType | undefined,
    page: PageRequest,
    tags?: readonly TagMatch[],
  ): Promise<Page<Policy & { attachmentCount: number }>>;
  attachmentCount(policyId: string): Promise<number>;
  updatePolicyDescription(policyId: string, description: string, now: number): Promise<void>;
  /** Deletes the policy; throws Conflict('Policy.User'|'Policy.Group'|'Policy.Role'|'Policy.Version'). */
  deletePolicy(policyId: string, cascade: boolean): Promise<void>;
  getPolicyVersion(policyId: string, versionId: string): Promise<PolicyVersion | undefined>;
  listPolicyVersions(policyId: string): Promise<PolicyVersion[]>;
  /**
   * Adds a version (optionally as default). When the limit is reached and `rotate` is set, deletes
   * the oldest non-default version first; else throws Conflict('LimitExceeded').
   */
  createPolicyVersion(
    policyId: string,
    document: string,
    setAsDefault: boolean,
    rotate: boolean,
    limit: number,
    now: number,
  ): Promise<PolicyVersion>;
  setDefaultPolicyVersion(policyId: string, versionId: string, now: number): Promise<void>;
  deletePolicyVersion(policyId: string, versionId: string): Promise<void>;

  // tags of roles (by RoleId) and custom policies (by policy id)
  tagsOf(
    accountId: string,
    type: 'role' | 'policy',
    ids: readonly string[],
  ): Promise<Map<string, ResourceTag[]>>;
  /** Merges `tags` into each resource, all or nothing (20 per resource at most); StoreError
   * NotFound when one of them is gone (its row is locked while the tags are written). */
  addTags(
    accountId: string,
    type: 'role' | 'policy',
    ids: readonly string[],
    tags: readonly ResourceTag[],
  ): Promise<AddTagsResult>;
  removeTags(
    accountId: string,
    type: 'role' | 'policy',
    ids: readonly string[],
    keys: readonly string[] | 'all',
  ): Promise<void>;
  listTags(q: Omit<TagListQuery, 'scope'>): Promise<{ entries: TaggedEntry[]; more: boolean }>;

  // attachments
  attach(
    accountId: string,
    policy: Policy,
    principalType: PrincipalType,
    principalId: string,
    now: number,
    limit: number,
  ): Promise<void>;
  detach(policyId: string, principalType: PrincipalType, principalId: string): Promise<boolean>;
  listAttachments(principalType: PrincipalType, principalId: string): Promise<Attachment[]>;
  listEntitiesForPolicy(policyId: string): Promise<Attachment[]>;
  /** Default-version documents attached to a user directly or through its groups (one query). */
  userDocuments(userId: string): Promise<EffectiveDocument[]>;
  /** Default-version documents attached to a role. */
  roleDocuments(roleId: string): Promise<EffectiveDocument[]>;
  /** Default-version documents of the policies attached to the principals, for authorisation. */
  effectiveDocuments(
    principals: Array<{ type: PrincipalType; id: string }>,
  ): Promise<
    Array<{ policyName: string; policyType: PolicyType; versionId: string; document: string }>
  >;
}
