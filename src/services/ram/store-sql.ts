/**
 * @module RAM storage in SQL, one implementation for SQLite and PostgreSQL (Kysely). Limits are
 * checked under a per-account lock; uniqueness and references by constraints.
 */
import type { Db } from '../../store/db.js';
import type { CacheSpec } from '../../store/read-cache.js';
import { StoreError } from '../../kernel/errors.js';
import type {
  AccessKey,
  Attachment,
  Group,
  Policy,
  PolicyType,
  PolicyVersion,
  PrincipalType,
  Role,
  User,
} from './model.js';
import { policyId as makePolicyId } from './model.js';
import type { Page, PageRequest, RamStore } from './store.js';
import { prepared } from '../../store/prepared.js';

// Hot lookups (every signed request, every authorisation), compiled once per dialect.
/**
 * The read cache of a principal's policy documents (every authorised request reads them). Any
 * write to a RAM table stales it: attachments, policies, versions, group membership, and the
 * principals whose deletion cascades.
 */
const DOCUMENT_CACHE: CacheSpec = {
  name: 'ram-documents',
  tables: [
    'ram_attachments',
    'ram_policies',
    'ram_policy_versions',
    'ram_group_members',
    'ram_groups',
    'ram_users',
    'ram_roles',
  ],
  // An entry holds every document of a principal (up to 30 of its own, and a user's groups'),
  // each up to 6 KiB: fewer entries than the other caches.
  max: 512,
};

/** The read cache of AccessKeys and their owners (every signed call resolves one). */
const KEY_CACHE: CacheSpec = {
  name: 'ram-keys',
  tables: ['ram_access_keys', 'ram_users'],
  max: 4096,
};

/** The read cache of roles, by name and by id (AssumeRole, credential resolution). */
const ROLE_CACHE: CacheSpec = { name: 'ram-roles', tables: ['ram_roles'], max: 4096 };

const Q = {
  accessKey: prepared((k, id: string) =>
    k.selectFrom('ram_access_keys').selectAll().where('access_key_id', '=', id),
  ),
  accessKeyWithUser: prepared((k, id: string) =>
    k
      .selectFrom('ram_access_keys as k')
      .leftJoin('ram_users as u', 'u.user_id', 'k.user_id')
      .selectAll('k')
      .select(['u.user_name', 'u.user_id as owner_user_id'])
      .where('k.access_key_id', '=', id),
  ),
  userById: prepared((k, id: string) =>
    k.selectFrom('ram_users').selectAll().where('user_id', '=', id),
  ),
  roleByName: prepared((k, account: string, name: string) =>
    k
      .selectFrom('ram_roles')
      .selectAll()
      .where('account_id', '=', account)
      .where('role_name', '=', name),
  ),
  roleById: prepared((k, id: string) =>
    k.selectFrom('ram_roles').selectAll().where('role_id', '=', id),
  ),
  // Default-version documents attached to a user directly or through its groups.
  userDocuments: prepared((k, userKey: string, userId: string) =>
    documents(k).where((eb: any) =>
      eb.or([
        eb('a.principal_key', '=', userKey),
        eb(
          'a.group_id',
          'in',
          eb
            .selectFrom('ram_group_members as m')
            .select('m.group_id')
            .where('m.user_id', '=', userId),
        ),
      ]),
    ),
  ),
  principalDocuments: prepared((k, key: string) => documents(k).where('a.principal_key', '=', key)),
};

function documents(k: any) {
  return k
    .selectFrom('ram_attachments as a')
    .innerJoin('ram_policies as p', 'p.policy_id', 'a.policy_id')
    .innerJoin('ram_policy_versions as v', (j: any) =>
      j.onRef('v.policy_id', '=', 'p.policy_id').onRef('v.version_id', '=', 'p.default_version'),
    )
    .select(['p.policy_name', 'p.policy_type', 'v.version_id', 'v.document']);
}

const toDocument = (r: any) => ({
  policyName: r.policy_name as string,
  policyType: r.policy_type as PolicyType,
  versionId: r.version_id as string,
  document: r.document as string,
});

const toRole = (r: any): Role => ({
  roleId: r.role_id,
  accountId: r.account_id,
  roleName: r.role_name,
  description: r.description,
  trustPolicy: r.trust_policy,
  maxSessionDuration: Number(r.max_session_duration),
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});
const toUser = (r: any): User => ({
  userId: r.user_id,
  accountId: r.account_id,
  userName: r.user_name,
  displayName: r.display_name,
  email: r.email,
  mobilePhone: r.mobile_phone,
  comments: r.comments,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});
const toGroup = (r: any): Group => ({
  groupId: r.group_id,
  accountId: r.account_id,
  groupName: r.group_name,
  comments: r.comments,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});
const toPolicy = (r: any): Policy => ({
  policyId: r.policy_id,
  accountId: r.account_id,
  policyType: r.policy_type,
  policyName: r.policy_name,
  description: r.description,
  defaultVersion: r.default_version,
  nextVersion: Number(r.next_version),
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});
const toVersion = (r: any): PolicyVersion => ({
  policyId: r.policy_id,
  versionId: r.version_id,
  document: r.document,
  createdAt: Number(r.created_at),
});
const toKey = (r: any): AccessKey => ({
  accessKeyId: r.access_key_id,
  accountId: r.account_id,
  ...(r.user_id ? { userId: r.user_id } : {}),
  secret: r.secret,
  status: r.status,
  createdAt: Number(r.created_at),
  ...(r.last_used_at != null ? { lastUsedAt: Number(r.last_used_at) } : {}),
});

function principalColumn(t: PrincipalType): 'role_id' | 'user_id' | 'group_id' {
  return t === 'Role' ? 'role_id' : t === 'User' ? 'user_id' : 'group_id';
}
function principalKey(t: PrincipalType, id: string): string {
  return `${t.toLowerCase()}:${id}`;
}

/** RAM storage over a {@link Db}. */
export class RamSqlStore implements RamStore {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  /** Runs `fn` against a store bound to one transaction. */
  transaction<T>(fn: (s: RamSqlStore) => Promise<T>): Promise<T> {
    return this.#db.transaction((tx) => fn(new RamSqlStore(tx)));
  }

  async #insert(table: string, values: Record<string, unknown>, entity: string): Promise<void> {
    try {
      await this.#db.k.insertInto(table).values(values).execute();
    } catch (e) {
      if (this.#db.dialect.isUniqueViolation(e)) throw new StoreError('AlreadyExists', entity);
      if (this.#db.dialect.isForeignKeyViolation(e)) throw new StoreError('NotFound', entity);
      throw e;
    }
  }

  async #page<T>(
    query: any,
    nameColumn: string,
    page: PageRequest,
    map: (r: any) => T,
    nameOf: (t: T) => string,
  ): Promise<Page<T>> {
    let q = query.orderBy(nameColumn).limit(page.limit + 1);
    if (page.after !== undefined) q = q.where(nameColumn, '>', page.after);
    const rows: any[] = await q.execute();
    const items = rows.slice(0, page.limit).map(map);
    return rows.length > page.limit ? { items, next: nameOf(items[items.length - 1]!) } : { items };
  }

  async #count(table: string, where: Record<string, unknown>): Promise<number> {
    let q = this.#db.k.selectFrom(table).select((eb: any) => eb.fn.countAll().as('n'));
    for (const [k, v] of Object.entries(where)) q = q.where(k, '=', v);
    const row: any = await q.executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  // ---- account and keys

  async getAccount() {
    const r: any = await this.#db.k.selectFrom('ram_accounts').selectAll().executeTakeFirst();
    return r ? { accountId: r.account_id, createdAt: Number(r.created_at) } : undefined;
  }

  async ensureAccount(accountId: string, now: number): Promise<string> {
    await this.#db.k
      .insertInto('ram_accounts')
      .values({ account_id: accountId, singleton: 1, created_at: now })
      .onConflict((oc: any) => oc.doNothing())
      .execute();
    const a = await this.getAccount();
    if (!a) throw new StoreError('Unavailable', 'ram_accounts', 'account row missing after insert');
    return a.accountId;
  }

  async ensureRootKey(
    accountId: string,
    wanted: { accessKeyId: string; secret: string } | undefined,
    generate: () => { accessKeyId: string; secret: string },
    now: number,
  ): Promise<{ key: AccessKey; created: boolean }> {
    return this.#db.withLock(`ram:root-key:${accountId}`, async (tx) => {
      const s = new RamSqlStore(tx);
      if (wanted) {
        const existing = await s.getAccessKey(wanted.accessKeyId);
        if (existing && (existing.userId !== undefined || existing.accountId !== accountId)) {
          throw new StoreError(
            'Conflict',
            'AccessKey',
            'the root access key id belongs to a RAM user',
          );
        }
        if (existing) {
          if (existing.secret !== wanted.secret || existing.status !== 'Active') {
            await tx.k
              .updateTable('ram_access_keys')
              .set({ secret: wanted.secret, status: 'Active' })
              .where('access_key_id', '=', wanted.accessKeyId)
              .execute();
          }
          return { key: { ...existing, secret: wanted.secret, status: 'Active' }, created: false };
        }
        const key: AccessKey = { ...wanted, accountId, status: 'Active', createdAt: now };
        await s.insertAccessKey(key);
        return { key, created: false };
      }
      const keys = (await s.listAccessKeys(accountId, undefined)).filter(
        (k) => k.status === 'Active',
      );
      if (keys[0]) return { key: keys[0], created: false };
      const key: AccessKey = { ...generate(), accountId, status: 'Active', createdAt: now };
      await s.insertAccessKey(key);
      return { key, created: true };
    });
  }

  async getAccessKey(accessKeyId: string) {
    const r = await Q.accessKey.first(this.#db, accessKeyId);
    return r ? toKey(r) : undefined;
  }

  getAccessKeyWithOwner(accessKeyId: string) {
    return this.#db.cached(KEY_CACHE, accessKeyId, async () => {
      const r: any = await Q.accessKeyWithUser.first(this.#db, accessKeyId);
      if (!r) return undefined;
      return {
        key: toKey(r),
        ...(r.owner_user_id
          ? { owner: { userId: r.owner_user_id as string, userName: r.user_name as string } }
          : {}),
      };
    });
  }

  async insertAccessKey(key: AccessKey, limitPerUser?: number) {
    await this.#db.withLock(`ram:keys:${key.accountId}`, async (tx) => {
      const s = new RamSqlStore(tx);
      if (key.userId && limitPerUser !== undefined) {
        const n = await s.#count('ram_access_keys', { user_id: key.userId });
        if (n >= limitPerUser) throw new StoreError('Conflict', 'LimitExceeded.User.AccessKey');
      }
      await s.#insert(
        'ram_access_keys',
        {
          access_key_id: key.accessKeyId,
          account_id: key.accountId,
          user_id: key.userId ?? null,
          secret: key.secret,
          status: key.status,
          created_at: key.createdAt,
          last_used_at: null,
        },
        'AccessKey',
      );
    });
  }

  async listAccessKeys(accountId: string, userId: string | undefined) {
    let q = this.#db.k
      .selectFrom('ram_access_keys')
      .selectAll()
      .where('account_id', '=', accountId)
      .orderBy('created_at')
      .orderBy('access_key_id');
    q = userId ? q.where('user_id', '=', userId) : q.where('user_id', 'is', null);
    return (await q.execute()).map(toKey);
  }

  async updateAccessKeyStatus(accessKeyId: string, status: AccessKey['status']) {
    const r = await this.#db.k
      .updateTable('ram_access_keys')
      .set({ status })
      .where('access_key_id', '=', accessKeyId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async deleteAccessKey(accessKeyId: string) {
    const r = await this.#db.k
      .deleteFrom('ram_access_keys')
      .where('access_key_id', '=', accessKeyId)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async touchAccessKey(accessKeyId: string, now: number) {
    await this.#db.k
      .updateTable('ram_access_keys')
      .set({ last_used_at: now })
      .where('access_key_id', '=', accessKeyId)
      .execute();
  }

  // ---- users

  async createUser(u: User, limit: number) {
    await this.#db.withLock(`ram:users:${u.accountId}`, async (tx) => {
      const s = new RamSqlStore(tx);
      if ((await s.#count('ram_users', { account_id: u.accountId })) >= limit) {
        throw new StoreError('Conflict', 'LimitExceeded.User');
      }
      await s.#insert(
        'ram_users',
        {
          user_id: u.userId,
          account_id: u.accountId,
          user_name: u.userName,
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
    const r = await this.#db.k
      .selectFrom('ram_users')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('user_name', '=', userName)
      .executeTakeFirst();
    return r ? toUser(r) : undefined;
  }

  async getUserById(userId: string) {
    const r = await Q.userById.first(this.#db, userId);
    return r ? toUser(r) : undefined;
  }

  listUsers(accountId: string, page: PageRequest) {
    return this.#page(
      this.#db.k.selectFrom('ram_users').selectAll().where('account_id', '=', accountId),
      'user_name',
      page,
      toUser,
      (u) => u.userName,
    );
  }

  async updateUser(u: User) {
    try {
      await this.#db.k
        .updateTable('ram_users')
        .set({
          user_name: u.userName,
          display_name: u.displayName,
          email: u.email,
          mobile_phone: u.mobilePhone,
          comments: u.comments,
          updated_at: u.updatedAt,
        })
        .where('user_id', '=', u.userId)
        .execute();
    } catch (e) {
      if (this.#db.dialect.isUniqueViolation(e)) throw new StoreError('AlreadyExists', 'User');
      throw e;
    }
  }

  async deleteUser(accountId: string, userName: string) {
    await this.#db.transaction(async (tx) => {
      const s = new RamSqlStore(tx);
      const u = await s.getUser(accountId, userName);
      if (!u) throw new StoreError('NotFound', 'User');
      if ((await s.#count('ram_access_keys', { user_id: u.userId })) > 0) {
        throw new StoreError('Conflict', 'User.AccessKey');
      }
      if ((await s.#count('ram_attachments', { user_id: u.userId })) > 0) {
        throw new StoreError('Conflict', 'User.Policy');
      }
      if ((await s.#count('ram_group_members', { user_id: u.userId })) > 0) {
        throw new StoreError('Conflict', 'User.Group');
      }
      await this.#deleteOrConflict(tx, 'ram_users', 'user_id', u.userId, 'User');
    });
  }

  /** Deletes a row; a foreign-key violation (a concurrent reference) is a Conflict. */
  async #deleteOrConflict(tx: Db, table: string, col: string, id: string, entity: string) {
    try {
      await tx.k.deleteFrom(table).where(col, '=', id).execute();
    } catch (e) {
      if (tx.dialect.isForeignKeyViolation(e)) throw new StoreError('Conflict', entity);
      throw e;
    }
  }

  // ---- groups

  async createGroup(g: Group, limit: number) {
    await this.#db.withLock(`ram:groups:${g.accountId}`, async (tx) => {
      const s = new RamSqlStore(tx);
      if ((await s.#count('ram_groups', { account_id: g.accountId })) >= limit) {
        throw new StoreError('Conflict', 'LimitExceeded.Group');
      }
      await s.#insert(
        'ram_groups',
        {
          group_id: g.groupId,
          account_id: g.accountId,
          group_name: g.groupName,
          comments: g.comments,
          created_at: g.createdAt,
          updated_at: g.updatedAt,
        },
        'Group',
      );
    });
  }

  async getGroup(accountId: string, groupName: string) {
    const r = await this.#db.k
      .selectFrom('ram_groups')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('group_name', '=', groupName)
      .executeTakeFirst();
    return r ? toGroup(r) : undefined;
  }

  listGroups(accountId: string, page: PageRequest) {
    return this.#page(
      this.#db.k.selectFrom('ram_groups').selectAll().where('account_id', '=', accountId),
      'group_name',
      page,
      toGroup,
      (g) => g.groupName,
    );
  }

  async updateGroup(g: Group) {
    try {
      await this.#db.k
        .updateTable('ram_groups')
        .set({ group_name: g.groupName, comments: g.comments, updated_at: g.updatedAt })
        .where('group_id', '=', g.groupId)
        .execute();
    } catch (e) {
      if (this.#db.dialect.isUniqueViolation(e)) throw new StoreError('AlreadyExists', 'Group');
      throw e;
    }
  }

  async deleteGroup(accountId: string, groupName: string) {
    await this.#db.transaction(async (tx) => {
      const s = new RamSqlStore(tx);
      const g = await s.getGroup(accountId, groupName);
      if (!g) throw new StoreError('NotFound', 'Group');
      if ((await s.#count('ram_group_members', { group_id: g.groupId })) > 0) {
        throw new StoreError('Conflict', 'Group.User');
      }
      if ((await s.#count('ram_attachments', { group_id: g.groupId })) > 0) {
        throw new StoreError('Conflict', 'Group.Policy');
      }
      await this.#deleteOrConflict(tx, 'ram_groups', 'group_id', g.groupId, 'Group');
    });
  }

  async addUserToGroup(groupId: string, userId: string, now: number, limitPerUser: number) {
    await this.#db.transaction(async (tx) => {
      const s = new RamSqlStore(tx);
      if ((await s.#count('ram_group_members', { user_id: userId })) >= limitPerUser) {
        throw new StoreError('Conflict', 'LimitExceeded.User.Group');
      }
      await s.#insert(
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
    return rows.map((r: any) => ({ ...toGroup(r), joinedAt: Number(r.joined_at) }));
  }

  listUsersForGroup(groupId: string, page: PageRequest) {
    return this.#page(
      this.#db.k
        .selectFrom('ram_group_members as m')
        .innerJoin('ram_users as u', 'u.user_id', 'm.user_id')
        .selectAll('u')
        .select('m.joined_at')
        .where('m.group_id', '=', groupId),
      'u.user_name',
      page,
      (r: any) => ({ ...toUser(r), joinedAt: Number(r.joined_at) }),
      (u) => u.userName,
    );
  }

  // ---- roles

  async createRole(r: Role, limit: number) {
    await this.#db.withLock(`ram:roles:${r.accountId}`, async (tx) => {
      const s = new RamSqlStore(tx);
      if ((await s.#count('ram_roles', { account_id: r.accountId })) >= limit) {
        throw new StoreError('Conflict', 'LimitExceeded.Role');
      }
      await s.#insert(
        'ram_roles',
        {
          role_id: r.roleId,
          account_id: r.accountId,
          role_name: r.roleName,
          description: r.description,
          trust_policy: r.trustPolicy,
          max_session_duration: r.maxSessionDuration,
          created_at: r.createdAt,
          updated_at: r.updatedAt,
        },
        'Role',
      );
    });
  }

  getRole(accountId: string, roleName: string) {
    return this.#db.cached(ROLE_CACHE, `${accountId}/${roleName}`, async () => {
      const r = await Q.roleByName.first(this.#db, accountId, roleName);
      return r ? toRole(r) : undefined;
    });
  }

  getRoleById(roleId: string) {
    return this.#db.cached(ROLE_CACHE, `#${roleId}`, async () => {
      const r = await Q.roleById.first(this.#db, roleId);
      return r ? toRole(r) : undefined;
    });
  }

  listRoles(accountId: string, page: PageRequest) {
    return this.#page(
      this.#db.k.selectFrom('ram_roles').selectAll().where('account_id', '=', accountId),
      'role_name',
      page,
      toRole,
      (r) => r.roleName,
    );
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
      const s = new RamSqlStore(tx);
      const r = await s.getRole(accountId, roleName);
      if (!r) throw new StoreError('NotFound', 'Role');
      if ((await s.#count('ram_attachments', { role_id: r.roleId })) > 0) {
        throw new StoreError('Conflict', 'Role.Policy');
      }
      await this.#deleteOrConflict(tx, 'ram_roles', 'role_id', r.roleId, 'Role');
    });
  }

  // ---- policies

  async upsertSystemPolicy(name: string, description: string, document: string, now: number) {
    const id = makePolicyId('*', 'System', name);
    // Serialised across nodes: ON CONFLICT arbitrates only one unique index, and the row has two.
    await this.#db.withLock('ram:system-policies', async (tx) => {
      const existing = await tx.k
        .selectFrom('ram_policy_versions')
        .select('document')
        .where('policy_id', '=', id)
        .where('version_id', '=', 'v1')
        .executeTakeFirst();
      if (existing && (existing as any).document === document) return;
      await tx.k
        .insertInto('ram_policies')
        .values({
          policy_id: id,
          account_id: '*',
          policy_type: 'System',
          policy_name: name,
          description,
          default_version: 'v1',
          next_version: 2,
          created_at: now,
          updated_at: now,
        })
        .onConflict((oc: any) =>
          oc.column('policy_id').doUpdateSet({ description, updated_at: now }),
        )
        .execute();
      await tx.k
        .insertInto('ram_policy_versions')
        .values({ policy_id: id, version_id: 'v1', document, created_at: now })
        .onConflict((oc: any) => oc.columns(['policy_id', 'version_id']).doUpdateSet({ document }))
        .execute();
    });
  }

  async createPolicy(p: Policy, document: string, limit: number) {
    await this.#db.withLock(`ram:policies:${p.accountId}`, async (tx) => {
      const s = new RamSqlStore(tx);
      const n = await s.#count('ram_policies', { account_id: p.accountId, policy_type: 'Custom' });
      if (n >= limit) throw new StoreError('Conflict', 'LimitExceeded.Policy');
      await s.#insert(
        'ram_policies',
        {
          policy_id: p.policyId,
          account_id: p.accountId,
          policy_type: p.policyType,
          policy_name: p.policyName,
          description: p.description,
          default_version: p.defaultVersion,
          next_version: p.nextVersion,
          created_at: p.createdAt,
          updated_at: p.updatedAt,
        },
        'Policy',
      );
      await s.#insert(
        'ram_policy_versions',
        { policy_id: p.policyId, version_id: p.defaultVersion, document, created_at: p.createdAt },
        'Policy.Version',
      );
    });
  }

  async getPolicy(accountId: string, type: PolicyType, name: string) {
    const r = await this.#db.k
      .selectFrom('ram_policies')
      .selectAll()
      .where('policy_id', '=', makePolicyId(accountId, type, name))
      .executeTakeFirst();
    return r ? toPolicy(r) : undefined;
  }

  async listPolicies(accountId: string, type: PolicyType | undefined, page: PageRequest) {
    const k = this.#db.k;
    let q = k
      .selectFrom('ram_policies as p')
      .selectAll('p')
      .select((eb: any) =>
        eb
          .selectFrom('ram_attachments as a')
          .select(eb.fn.countAll().as('n'))
          .whereRef('a.policy_id', '=', 'p.policy_id')
          .where('a.account_id', '=', accountId)
          .as('attachment_count'),
      );
    if (type === 'System') q = q.where('p.policy_type', '=', 'System');
    else if (type === 'Custom') q = q.where('p.policy_id', 'like', `custom:${accountId}:%`);
    else
      q = q.where((eb: any) =>
        eb.or([eb('p.account_id', '=', '*'), eb('p.account_id', '=', accountId)]),
      );
    // Order by type then name so the marker is one string: `<type>/<name>`.
    let ordered = q
      .orderBy('p.policy_type')
      .orderBy('p.policy_name')
      .limit(page.limit + 1);
    if (page.after !== undefined) {
      const slash = page.after.indexOf('/');
      const t = page.after.slice(0, slash);
      const n = page.after.slice(slash + 1);
      ordered = ordered.where((eb: any) =>
        eb.or([
          eb('p.policy_type', '>', t),
          eb.and([eb('p.policy_type', '=', t), eb('p.policy_name', '>', n)]),
        ]),
      );
    }
    const rows: any[] = await ordered.execute();
    const items = rows
      .slice(0, page.limit)
      .map((r) => ({ ...toPolicy(r), attachmentCount: Number(r.attachment_count ?? 0) }));
    const last = items[items.length - 1];
    return rows.length > page.limit && last
      ? { items, next: `${last.policyType}/${last.policyName}` }
      : { items };
  }

  async attachmentCount(policyId: string) {
    return this.#count('ram_attachments', { policy_id: policyId });
  }

  async updatePolicyDescription(policyId: string, description: string, now: number) {
    await this.#db.k
      .updateTable('ram_policies')
      .set({ description, updated_at: now })
      .where('policy_id', '=', policyId)
      .execute();
  }

  async deletePolicy(policyId: string, cascade: boolean) {
    await this.#db.transaction(async (tx) => {
      const s = new RamSqlStore(tx);
      const rows: any[] = await tx.k
        .selectFrom('ram_attachments')
        .select(['user_id', 'group_id', 'role_id'])
        .where('policy_id', '=', policyId)
        .execute();
      if (rows.some((r) => r.user_id)) throw new StoreError('Conflict', 'Policy.User');
      if (rows.some((r) => r.group_id)) throw new StoreError('Conflict', 'Policy.Group');
      if (rows.some((r) => r.role_id)) throw new StoreError('Conflict', 'Policy.Role');
      if (!cascade && (await s.#count('ram_policy_versions', { policy_id: policyId })) > 1) {
        throw new StoreError('Conflict', 'Policy.Version');
      }
      await tx.k.deleteFrom('ram_policy_versions').where('policy_id', '=', policyId).execute();
      await this.#deleteOrConflict(tx, 'ram_policies', 'policy_id', policyId, 'Policy.Role');
    });
  }

  async getPolicyVersion(policyId: string, versionId: string) {
    const r = await this.#db.k
      .selectFrom('ram_policy_versions')
      .selectAll()
      .where('policy_id', '=', policyId)
      .where('version_id', '=', versionId)
      .executeTakeFirst();
    return r ? toVersion(r) : undefined;
  }

  async listPolicyVersions(policyId: string) {
    const rows = await this.#db.k
      .selectFrom('ram_policy_versions')
      .selectAll()
      .where('policy_id', '=', policyId)
      .orderBy('created_at')
      .execute();
    return rows
      .map(toVersion)
      .sort(
        (a: PolicyVersion, b: PolicyVersion) =>
          Number(a.versionId.slice(1)) - Number(b.versionId.slice(1)),
      );
  }

  async createPolicyVersion(
    policyId: string,
    document: string,
    setAsDefault: boolean,
    rotate: boolean,
    limit: number,
    now: number,
  ) {
    return this.#db.withLock(`ram:policy:${policyId}`, async (tx) => {
      const s = new RamSqlStore(tx);
      const row: any = await tx.k
        .selectFrom('ram_policies')
        .selectAll()
        .where('policy_id', '=', policyId)
        .executeTakeFirst();
      if (!row) throw new StoreError('NotFound', 'Policy');
      const policy = toPolicy(row);
      const versions = await s.listPolicyVersions(policyId);
      if (versions.length >= limit) {
        if (!rotate) throw new StoreError('Conflict', 'LimitExceeded.Policy.Version');
        const oldest = versions.find((v) => v.versionId !== policy.defaultVersion);
        if (oldest) {
          await tx.k
            .deleteFrom('ram_policy_versions')
            .where('policy_id', '=', policyId)
            .where('version_id', '=', oldest.versionId)
            .execute();
        }
      }
      const versionId = `v${policy.nextVersion}`;
      await tx.k
        .insertInto('ram_policy_versions')
        .values({ policy_id: policyId, version_id: versionId, document, created_at: now })
        .execute();
      await tx.k
        .updateTable('ram_policies')
        .set({
          next_version: policy.nextVersion + 1,
          updated_at: now,
          ...(setAsDefault ? { default_version: versionId } : {}),
        })
        .where('policy_id', '=', policyId)
        .execute();
      return { policyId, versionId, document, createdAt: now };
    });
  }

  async setDefaultPolicyVersion(policyId: string, versionId: string, now: number) {
    await this.#db.transaction(async (tx) => {
      const s = new RamSqlStore(tx);
      if (!(await s.getPolicyVersion(policyId, versionId))) {
        throw new StoreError('NotFound', 'Policy.Version');
      }
      await tx.k
        .updateTable('ram_policies')
        .set({ default_version: versionId, updated_at: now })
        .where('policy_id', '=', policyId)
        .execute();
    });
  }

  async deletePolicyVersion(policyId: string, versionId: string) {
    await this.#db.transaction(async (tx) => {
      const row: any = await tx.k
        .selectFrom('ram_policies')
        .select('default_version')
        .where('policy_id', '=', policyId)
        .executeTakeFirst();
      if (!row) throw new StoreError('NotFound', 'Policy');
      if (row.default_version === versionId)
        throw new StoreError('Conflict', 'Policy.Version.Default');
      const r = await tx.k
        .deleteFrom('ram_policy_versions')
        .where('policy_id', '=', policyId)
        .where('version_id', '=', versionId)
        .executeTakeFirst();
      if (Number(r.numDeletedRows) === 0) throw new StoreError('NotFound', 'Policy.Version');
    });
  }

  // ---- attachments

  async attach(
    accountId: string,
    policy: Policy,
    principalType: PrincipalType,
    principalId: string,
    now: number,
    limit: number,
  ) {
    await this.#db.withLock(`ram:attach:${principalType}:${principalId}`, async (tx) => {
      const s = new RamSqlStore(tx);
      const existing: any[] = await tx.k
        .selectFrom('ram_attachments as a')
        .innerJoin('ram_policies as p', 'p.policy_id', 'a.policy_id')
        .select(['a.policy_id', 'p.policy_type'])
        .where('a.principal_key', '=', principalKey(principalType, principalId))
        .execute();
      if (existing.some((r) => r.policy_id === policy.policyId)) {
        throw new StoreError('AlreadyExists', `${principalType}.Policy`);
      }
      if (existing.filter((r) => r.policy_type === policy.policyType).length >= limit) {
        throw new StoreError('Conflict', `LimitExceeded.${principalType}.Policy`);
      }
      await s.#insert(
        'ram_attachments',
        {
          policy_id: policy.policyId,
          account_id: accountId,
          principal_key: principalKey(principalType, principalId),
          [principalColumn(principalType)]: principalId,
          attached_at: now,
        },
        `${principalType}.Policy`,
      );
    });
  }

  async detach(policyId: string, principalType: PrincipalType, principalId: string) {
    const r = await this.#db.k
      .deleteFrom('ram_attachments')
      .where('principal_key', '=', principalKey(principalType, principalId))
      .where('policy_id', '=', policyId)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async #attachments(where: (q: any) => any): Promise<Attachment[]> {
    const rows: any[] = await where(
      this.#db.k
        .selectFrom('ram_attachments as a')
        .innerJoin('ram_policies as p', 'p.policy_id', 'a.policy_id')
        .leftJoin('ram_roles as r', 'r.role_id', 'a.role_id')
        .leftJoin('ram_users as u', 'u.user_id', 'a.user_id')
        .leftJoin('ram_groups as g', 'g.group_id', 'a.group_id')
        .selectAll('p')
        .select([
          'a.attached_at',
          'a.role_id',
          'a.user_id',
          'a.group_id',
          'r.role_name',
          'u.user_name',
          'g.group_name',
        ]),
    )
      .orderBy('a.attached_at')
      .orderBy('p.policy_type')
      .orderBy('p.policy_name')
      .orderBy('a.principal_key')
      .execute();
    return rows.map((r) => {
      const principalType: PrincipalType = r.role_id ? 'Role' : r.user_id ? 'User' : 'Group';
      return {
        policy: toPolicy(r),
        principalType,
        principalId: r.role_id ?? r.user_id ?? r.group_id,
        principalName: r.role_name ?? r.user_name ?? r.group_name,
        attachedAt: Number(r.attached_at),
      };
    });
  }

  listAttachments(principalType: PrincipalType, principalId: string) {
    return this.#attachments((q) =>
      q.where('a.principal_key', '=', principalKey(principalType, principalId)),
    );
  }

  listEntitiesForPolicy(policyId: string) {
    return this.#attachments((q) => q.where('a.policy_id', '=', policyId));
  }

  userDocuments(userId: string) {
    const key = principalKey('User', userId);
    return this.#db.cached(DOCUMENT_CACHE, key, async () =>
      (await Q.userDocuments.rows(this.#db, key, userId)).map(toDocument),
    );
  }

  roleDocuments(roleId: string) {
    const key = principalKey('Role', roleId);
    return this.#db.cached(DOCUMENT_CACHE, key, async () =>
      (await Q.principalDocuments.rows(this.#db, key)).map(toDocument),
    );
  }

  async effectiveDocuments(principals: Array<{ type: PrincipalType; id: string }>) {
    if (principals.length === 0) return [];
    const rows: any[] = await this.#db.k
      .selectFrom('ram_attachments as a')
      .innerJoin('ram_policies as p', 'p.policy_id', 'a.policy_id')
      .innerJoin('ram_policy_versions as v', (j: any) =>
        j.onRef('v.policy_id', '=', 'p.policy_id').onRef('v.version_id', '=', 'p.default_version'),
      )
      .select(['p.policy_name', 'p.policy_type', 'v.version_id', 'v.document'])
      .where(
        'a.principal_key',
        'in',
        principals.map((x) => principalKey(x.type, x.id)),
      )
      .execute();
    return rows.map((r) => ({
      policyName: r.policy_name,
      policyType: r.policy_type,
      versionId: r.version_id,
      document: r.document,
    }));
  }
}
