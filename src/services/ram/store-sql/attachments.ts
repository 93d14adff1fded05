/**
 * @module Policy attachments in SQL, and the documents in force for a principal (every authorised
 * request reads them: prepared queries, cached per node on SQLite). An attachment's
 * `principal_key` (`role:<id>` …) is its principal; the per-type columns are foreign keys.
 */
import { StoreError } from '../../../kernel/errors.js';
import type { Db } from '../../../store/db.js';
import { prepared } from '../../../store/prepared.js';
import type { CacheSpec } from '../../../store/read-cache.js';
import type { Attachment, Policy, PrincipalType } from '../model.js';
import type { RamStore } from '../store.js';
import {
  insertRow,
  principalColumn,
  principalKey,
  toDocument,
  toPolicy,
  type Row,
} from './common.js';

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

function documents(k: any) {
  return k
    .selectFrom('ram_attachments as a')
    .innerJoin('ram_policies as p', 'p.policy_id', 'a.policy_id')
    .innerJoin('ram_policy_versions as v', (j: any) =>
      j.onRef('v.policy_id', '=', 'p.policy_id').onRef('v.version_id', '=', 'p.default_version'),
    )
    .select(['p.policy_name', 'p.policy_type', 'v.version_id', 'v.document']);
}

// Hot lookups (every authorisation), compiled once per dialect.
const Q = {
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

type AttachmentMethods =
  | 'attach'
  | 'detach'
  | 'listAttachments'
  | 'listEntitiesForPolicy'
  | 'userDocuments'
  | 'roleDocuments'
  | 'effectiveDocuments';

/** The attachment part of {@link RamStore}. */
export class RamAttachmentSql implements Pick<RamStore, AttachmentMethods> {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  async attach(
    accountId: string,
    policy: Policy,
    principalType: PrincipalType,
    principalId: string,
    now: number,
    limit: number,
  ) {
    await this.#db.withLock(`ram:attach:${principalType}:${principalId}`, async (tx) => {
      const existing: Row[] = await tx.k
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
      await insertRow(
        tx,
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
    const rows: Row[] = await where(
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
    const rows: Row[] = await documents(this.#db.k)
      .where(
        'a.principal_key',
        'in',
        principals.map((x) => principalKey(x.type, x.id)),
      )
      .execute();
    return rows.map(toDocument);
  }
}
