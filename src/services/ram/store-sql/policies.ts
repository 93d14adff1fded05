/**
 * @module RAM policies and their versions in SQL. System policies are rows too (account `*`), so
 * attachments reference one table; names are unique per account and type without regard to case
 * (`name_fold`, migration 0002). Version changes of one policy are serialised by a lock.
 */
import { StoreError } from '../../../kernel/errors.js';
import type { ResourceTag } from '../../../kernel/tags.js';
import type { Db } from '../../../store/db.js';
import type { TagMatch } from '../../../store/tag-table.js';
import type { Policy, PolicyType, PolicyVersion } from '../model.js';
import { policyId as makePolicyId } from '../model.js';
import type { PageRequest, RamStore } from '../store.js';
import {
  countRows,
  deleteOrConflict,
  foldedColumns,
  insertRow,
  refuseAtLimit,
  rowByName,
  toPolicy,
  toVersion,
  type Row,
} from './common.js';
import { RAM_TAGS } from './tags.js';

type PolicyMethods =
  | 'upsertSystemPolicy'
  | 'createPolicy'
  | 'getPolicy'
  | 'listPolicies'
  | 'attachmentCount'
  | 'updatePolicyDescription'
  | 'deletePolicy'
  | 'getPolicyVersion'
  | 'listPolicyVersions'
  | 'createPolicyVersion'
  | 'setDefaultPolicyVersion'
  | 'deletePolicyVersion';

/** The policy and version part of {@link RamStore}. */
export class RamPolicySql implements Pick<RamStore, PolicyMethods> {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  async upsertSystemPolicy(name: string, description: string, document: string, now: number) {
    const id = makePolicyId('*', 'System', name);
    // Serialised across nodes: ON CONFLICT arbitrates only one unique index, and the row has more.
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
          ...foldedColumns(name),
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

  async createPolicy(
    p: Policy,
    document: string,
    limit: number,
    tags: readonly ResourceTag[] = [],
  ) {
    await this.#db.withLock(`ram:policies:${p.accountId}`, async (tx) => {
      const custom = { account_id: p.accountId, policy_type: 'Custom' };
      await refuseAtLimit(tx, 'ram_policies', custom, limit, 'LimitExceeded.Policy');
      await insertRow(
        tx,
        'ram_policies',
        {
          policy_id: p.policyId,
          account_id: p.accountId,
          policy_type: p.policyType,
          policy_name: p.policyName,
          ...foldedColumns(p.policyName),
          description: p.description,
          default_version: p.defaultVersion,
          next_version: p.nextVersion,
          created_at: p.createdAt,
          updated_at: p.updatedAt,
        },
        'Policy',
      );
      await insertRow(
        tx,
        'ram_policy_versions',
        { policy_id: p.policyId, version_id: p.defaultVersion, document, created_at: p.createdAt },
        'Policy.Version',
      );
      await RAM_TAGS.insertNew(tx, p.accountId, '', 'policy', p.policyId, tags);
    });
  }

  async getPolicy(accountId: string, type: PolicyType, name: string) {
    const r = await rowByName(
      this.#db,
      'ram_policies',
      'policy_name',
      { account_id: type === 'System' ? '*' : accountId, policy_type: type },
      name,
    );
    return r ? toPolicy(r) : undefined;
  }

  async listPolicies(
    accountId: string,
    type: PolicyType | undefined,
    page: PageRequest,
    tags: readonly TagMatch[] = [],
  ) {
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
    if (tags.length > 0) q = q.where(RAM_TAGS.carrying(accountId, 'policy', 'p.policy_id', tags));
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
    const rows: Row[] = await ordered.execute();
    const items = rows
      .slice(0, page.limit)
      .map((r) => ({ ...toPolicy(r), attachmentCount: Number(r.attachment_count ?? 0) }));
    const last = items[items.length - 1];
    return rows.length > page.limit && last
      ? { items, next: `${last.policyType}/${last.policyName}` }
      : { items };
  }

  async attachmentCount(policyId: string) {
    return countRows(this.#db, 'ram_attachments', { policy_id: policyId });
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
      const rows: Row[] = await tx.k
        .selectFrom('ram_attachments')
        .select(['user_id', 'group_id', 'role_id'])
        .where('policy_id', '=', policyId)
        .execute();
      if (rows.some((r) => r.user_id)) throw new StoreError('Conflict', 'Policy.User');
      if (rows.some((r) => r.group_id)) throw new StoreError('Conflict', 'Policy.Group');
      if (rows.some((r) => r.role_id)) throw new StoreError('Conflict', 'Policy.Role');
      if (!cascade && (await countRows(tx, 'ram_policy_versions', { policy_id: policyId })) > 1) {
        throw new StoreError('Conflict', 'Policy.Version');
      }
      await tx.k.deleteFrom('ram_policy_versions').where('policy_id', '=', policyId).execute();
      await deleteOrConflict(tx, 'ram_policies', 'policy_id', policyId, 'Policy.Role');
      await RAM_TAGS.deleteFor(tx, 'policy', [policyId]);
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
      const row: Row | undefined = await tx.k
        .selectFrom('ram_policies')
        .selectAll()
        .where('policy_id', '=', policyId)
        .executeTakeFirst();
      if (!row) throw new StoreError('NotFound', 'Policy');
      const policy = toPolicy(row);
      const versions = await new RamPolicySql(tx).listPolicyVersions(policyId);
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
      if (!(await new RamPolicySql(tx).getPolicyVersion(policyId, versionId))) {
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
      const row: Row | undefined = await tx.k
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
}
