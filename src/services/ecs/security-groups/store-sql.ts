/**
 * @module Security group storage in SQL, one implementation for SQLite and PostgreSQL (Kysely).
 * Rule changes of a group run under the group's lock (a PostgreSQL advisory lock across nodes),
 * membership changes under the instance's, group creation under the account's (the quota); the
 * unique rule identity and the foreign keys (migration 0003) hold what a racing node could break.
 * Tags are rows of `ecs_tags` (tags/store.ts), written and deleted with the group.
 */
import { StoreError } from '../../../kernel/errors.js';
import type { Db } from '../../../store/db.js';
import type { Tag } from '../model.js';
import { ECS_TAGS, type TaggableType } from '../tags/store.js';
import {
  ruleIdentity,
  type RuleSpec,
  type SecurityGroup,
  type SecurityGroupRule,
} from './model.js';
import type {
  AddRulesResult,
  GroupChanges,
  GroupFilter,
  RemoveRulesResult,
  RuleLimits,
  SecurityGroupStore,
} from './store.js';

/** How ECS's tag calls find security groups (`securitygroup`, by id). */
export const taggableSecurityGroups: TaggableType = {
  table: 'ecs_security_groups',
  column: 'security_group_id',
};

/** A group row with its tags (rows of `ecs_tags`). */
const toGroup = (r: any, tags: Tag[] = []): SecurityGroup => ({
  securityGroupId: r.security_group_id,
  accountId: r.account_id,
  regionId: r.region_id,
  vpcId: r.vpc_id,
  name: r.group_name,
  description: r.description,
  groupType: r.group_type,
  innerAccessPolicy: r.inner_access_policy,
  tags,
  createdAt: Number(r.created_at),
});

const toRule = (r: any): SecurityGroupRule => ({
  ruleId: r.rule_id,
  securityGroupId: r.security_group_id,
  direction: r.direction,
  ipProtocol: r.ip_protocol,
  portRange: r.port_range,
  sourcePortRange: r.source_port_range,
  nicType: 'intranet',
  policy: r.policy,
  priority: Number(r.priority),
  description: r.description,
  remoteCidr: r.remote_cidr,
  remoteIpv6Cidr: r.remote_ipv6_cidr,
  remoteGroupId: r.remote_group_id ?? '',
  remoteGroupOwner: r.remote_group_owner,
  remotePrefixListId: r.remote_prefix_list_id,
  localCidr: r.local_cidr,
  localIpv6Cidr: r.local_ipv6_cidr,
  createdAt: Number(r.created_at),
});

/** A rule's columns (all but its id, group, position and creation time). */
function ruleColumns(r: RuleSpec) {
  return {
    identity: ruleIdentity(r),
    direction: r.direction,
    ip_protocol: r.ipProtocol,
    port_range: r.portRange,
    source_port_range: r.sourcePortRange,
    policy: r.policy,
    priority: r.priority,
    description: r.description,
    remote_cidr: r.remoteCidr,
    remote_ipv6_cidr: r.remoteIpv6Cidr,
    remote_group_id: r.remoteGroupId === '' ? null : r.remoteGroupId,
    remote_group_owner: r.remoteGroupOwner,
    remote_prefix_list_id: r.remotePrefixListId,
    local_cidr: r.localCidr,
    local_ipv6_cidr: r.localIpv6Cidr,
  };
}

const groupLock = (id: string) => `ecs:security-group:${id}`;
const instanceLock = (id: string) => `ecs:instance-groups:${id}`;

/**
 * Records that a new instance is in `groupIds`, inside the transaction that creates it (the
 * instance row's `security_group_ids` already lists them). `NotFound('SecurityGroup')` when a
 * group was deleted meanwhile.
 */
export async function insertMemberships(
  tx: Db,
  instanceId: string,
  groupIds: readonly string[],
): Promise<void> {
  for (const securityGroupId of new Set(groupIds)) {
    try {
      await tx.k
        .insertInto('ecs_security_group_members')
        .values({ security_group_id: securityGroupId, instance_id: instanceId })
        .execute();
    } catch (e) {
      if (tx.dialect.isForeignKeyViolation(e)) throw new StoreError('NotFound', 'SecurityGroup');
      throw e;
    }
  }
}

/** Security group storage over a {@link Db}. */
export class SecurityGroupSqlStore implements SecurityGroupStore {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  async createGroup(g: SecurityGroup, max: number): Promise<void> {
    // INVARIANT: counted and inserted under the account's lock, so the quota holds across nodes.
    await this.#db.withLock(`ecs:security-groups:${g.accountId}:${g.regionId}`, async (tx) => {
      const r: any = await tx.k
        .selectFrom('ecs_security_groups')
        .select((eb: any) => eb.fn.countAll().as('n'))
        .where('account_id', '=', g.accountId)
        .where('region_id', '=', g.regionId)
        .executeTakeFirst();
      if (Number(r.n) >= max) throw new StoreError('Conflict', 'Quota');
      try {
        await tx.k
          .insertInto('ecs_security_groups')
          .values({
            security_group_id: g.securityGroupId,
            account_id: g.accountId,
            region_id: g.regionId,
            vpc_id: g.vpcId,
            group_name: g.name,
            description: g.description,
            group_type: g.groupType,
            inner_access_policy: g.innerAccessPolicy,
            created_at: g.createdAt,
          })
          .execute();
      } catch (e) {
        if (tx.dialect.isForeignKeyViolation(e)) throw new StoreError('NotFound', 'Vpc');
        throw e;
      }
      await ECS_TAGS.insertNew(
        tx,
        g.accountId,
        g.regionId,
        'securitygroup',
        g.securityGroupId,
        g.tags,
      );
    });
  }

  /** Rows (of one account) with their tags. */
  #withTags(rows: any[]): Promise<SecurityGroup[]> {
    return ECS_TAGS.withTags(this.#db, 'securitygroup', rows, (r) => r.security_group_id, toGroup);
  }

  async getGroup(accountId: string, id: string): Promise<SecurityGroup | undefined> {
    const r = await this.#db.k
      .selectFrom('ecs_security_groups')
      .selectAll()
      .where('security_group_id', '=', id)
      .where('account_id', '=', accountId)
      .executeTakeFirst();
    return r ? (await this.#withTags([r]))[0] : undefined;
  }

  async listGroups(accountId: string, regionId: string, f: GroupFilter) {
    let q = this.#db.k
      .selectFrom('ecs_security_groups')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('region_id', '=', regionId);
    if (f.securityGroupIds) {
      q = q.where('security_group_id', 'in', f.securityGroupIds.length ? f.securityGroupIds : ['']);
    }
    if (f.vpcId !== undefined) q = q.where('vpc_id', '=', f.vpcId);
    if (f.name !== undefined) q = q.where('group_name', '=', f.name);
    if (f.groupType !== undefined) q = q.where('group_type', '=', f.groupType);
    if (f.tags && f.tags.length > 0) {
      q = q.where(
        ECS_TAGS.carrying(
          accountId,
          'securitygroup',
          'ecs_security_groups.security_group_id',
          f.tags,
        ),
      );
    }
    const rows = await q.orderBy('created_at').orderBy('security_group_id').execute();
    return this.#withTags(rows);
  }

  async updateGroup(accountId: string, id: string, c: GroupChanges): Promise<boolean> {
    const set: Record<string, unknown> = {};
    if (c.name !== undefined) set.group_name = c.name;
    if (c.description !== undefined) set.description = c.description;
    if (c.innerAccessPolicy !== undefined) set.inner_access_policy = c.innerAccessPolicy;
    if (Object.keys(set).length === 0) return (await this.getGroup(accountId, id)) !== undefined;
    const r = await this.#db.k
      .updateTable('ecs_security_groups')
      .set(set)
      .where('security_group_id', '=', id)
      .where('account_id', '=', accountId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async deleteGroup(accountId: string, id: string): Promise<void> {
    await this.#db.withLock(groupLock(id), async (tx) => {
      const group = await tx.k
        .selectFrom('ecs_security_groups')
        .select('security_group_id')
        .where('security_group_id', '=', id)
        .where('account_id', '=', accountId)
        .executeTakeFirst();
      if (!group) throw new StoreError('NotFound', 'SecurityGroup');
      const member = await tx.k
        .selectFrom('ecs_security_group_members')
        .select('instance_id')
        .where('security_group_id', '=', id)
        .executeTakeFirst();
      if (member) throw new StoreError('Conflict', 'Instances');
      const naming = await tx.k
        .selectFrom('ecs_security_group_rules')
        .select('rule_id')
        .where('remote_group_id', '=', id)
        .where('security_group_id', '!=', id)
        .executeTakeFirst();
      if (naming) throw new StoreError('Conflict', 'Referenced');
      try {
        // Its own rules go with it (ON DELETE CASCADE); memberships and other groups' rules
        // naming it refuse the delete (foreign keys) should another node add one meanwhile.
        await tx.k.deleteFrom('ecs_security_groups').where('security_group_id', '=', id).execute();
      } catch (e) {
        if (tx.dialect.isForeignKeyViolation(e)) throw new StoreError('Conflict', 'Instances');
        throw e;
      }
      // INVARIANT: no tag outlives its group (after the row: tags/store.ts resolveTagged).
      await ECS_TAGS.deleteFor(tx, 'securitygroup', [id]);
    });
  }

  async listRules(ids: string[]): Promise<SecurityGroupRule[]> {
    if (ids.length === 0) return [];
    const rows = await this.#db.k
      .selectFrom('ecs_security_group_rules')
      .selectAll()
      .where('security_group_id', 'in', ids)
      .orderBy('security_group_id')
      .orderBy('seq')
      .execute();
    return rows.map(toRule);
  }

  async addRules(
    securityGroupId: string,
    rules: Array<RuleSpec & { ruleId: string }>,
    limits: RuleLimits,
    now: number,
  ): Promise<AddRulesResult> {
    return this.#db.withLock(groupLock(securityGroupId), async (tx) => {
      // Write first: it locks the group's row (a racing delete waits) and, on SQLite, takes the
      // write lock before anything is read.
      const touched = await tx.k
        .updateTable('ecs_security_groups')
        .set({ security_group_id: securityGroupId })
        .where('security_group_id', '=', securityGroupId)
        .executeTakeFirst();
      if (Number(touched.numUpdatedRows) === 0) return { missing: 'group' as const };
      const existing = await tx.k
        .selectFrom('ecs_security_group_rules')
        .select(['identity', 'remote_group_id', 'seq'])
        .where('security_group_id', '=', securityGroupId)
        .execute();
      const known = new Set(existing.map((r: any) => r.identity as string));
      const fresh = rules.filter((r) => !known.has(ruleIdentity(r)));
      const total = existing.length + fresh.length;
      if (total > limits.maxRules) return { limit: 'rules' as const, count: total };
      const groupRules =
        existing.filter((r: any) => r.remote_group_id != null).length +
        fresh.filter((r) => r.remoteGroupId !== '').length;
      if (groupRules > limits.maxGroupRules) {
        return { limit: 'groupRules' as const, count: groupRules };
      }
      let seq = existing.reduce((m: number, r: any) => Math.max(m, Number(r.seq)), 0);
      for (const r of fresh) {
        try {
          await tx.k
            .insertInto('ecs_security_group_rules')
            .values({
              rule_id: r.ruleId,
              security_group_id: securityGroupId,
              seq: ++seq,
              created_at: now,
              ...ruleColumns(r),
            })
            .execute();
        } catch (e) {
          if (tx.dialect.isForeignKeyViolation(e)) throw new StoreError('NotFound', 'RemoteGroup');
          throw e;
        }
      }
      return { added: fresh.length };
    });
  }

  async removeRules(
    securityGroupId: string,
    which: { ruleIds: string[] } | { identities: string[] },
  ): Promise<RemoveRulesResult> {
    return this.#db.withLock(groupLock(securityGroupId), async (tx) => {
      const group = await tx.k
        .selectFrom('ecs_security_groups')
        .select('security_group_id')
        .where('security_group_id', '=', securityGroupId)
        .executeTakeFirst();
      if (!group) return { missing: 'group' as const };
      const rows = await tx.k
        .selectFrom('ecs_security_group_rules')
        .select(['rule_id', 'identity'])
        .where('security_group_id', '=', securityGroupId)
        .execute();
      const byId = new Map(rows.map((r: any) => [r.rule_id as string, r.rule_id as string]));
      const byIdentity = new Map(rows.map((r: any) => [r.identity as string, r.rule_id as string]));
      const wanted = 'ruleIds' in which ? which.ruleIds : which.identities;
      const lookup = 'ruleIds' in which ? byId : byIdentity;
      const ids: string[] = [];
      for (const w of wanted) {
        const id = lookup.get(w);
        if (id === undefined) return { notFound: w };
        ids.push(id);
      }
      if (ids.length > 0) {
        await tx.k.deleteFrom('ecs_security_group_rules').where('rule_id', 'in', ids).execute();
      }
      return { removed: ids.length };
    });
  }

  async replaceRule(securityGroupId: string, ruleId: string, next: RuleSpec): Promise<boolean> {
    return this.#db.withLock(groupLock(securityGroupId), async (tx) => {
      const identity = ruleIdentity(next);
      const clash = await tx.k
        .selectFrom('ecs_security_group_rules')
        .select('rule_id')
        .where('security_group_id', '=', securityGroupId)
        .where('identity', '=', identity)
        .where('rule_id', '!=', ruleId)
        .executeTakeFirst();
      if (clash) throw new StoreError('Conflict', 'Duplicate');
      try {
        const r = await tx.k
          .updateTable('ecs_security_group_rules')
          .set(ruleColumns(next))
          .where('rule_id', '=', ruleId)
          .where('security_group_id', '=', securityGroupId)
          .executeTakeFirst();
        return Number(r.numUpdatedRows) > 0;
      } catch (e) {
        if (tx.dialect.isForeignKeyViolation(e)) throw new StoreError('NotFound', 'RemoteGroup');
        if (tx.dialect.isUniqueViolation(e)) throw new StoreError('Conflict', 'Duplicate');
        throw e;
      }
    });
  }

  async members(ids: string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>(ids.map((id) => [id, []]));
    if (ids.length === 0) return out;
    const rows = await this.#db.k
      .selectFrom('ecs_security_group_members')
      .select(['security_group_id', 'instance_id'])
      .where('security_group_id', 'in', ids)
      .orderBy('instance_id')
      .execute();
    for (const r of rows as any[]) out.get(r.security_group_id)?.push(r.instance_id);
    return out;
  }

  async join(instanceId: string, groupId: string, check: (current: string[]) => void) {
    await this.#changeMembership(instanceId, check, async (tx, current) => {
      try {
        await tx.k
          .insertInto('ecs_security_group_members')
          .values({ security_group_id: groupId, instance_id: instanceId })
          .execute();
      } catch (e) {
        if (tx.dialect.isForeignKeyViolation(e)) throw new StoreError('NotFound', 'SecurityGroup');
        if (tx.dialect.isUniqueViolation(e)) throw new StoreError('Conflict', 'Member');
        throw e;
      }
      return [...current.filter((g) => g !== groupId), groupId];
    });
  }

  async leave(instanceId: string, groupId: string, check: (current: string[]) => void) {
    await this.#changeMembership(instanceId, check, async (tx, current) => {
      await tx.k
        .deleteFrom('ecs_security_group_members')
        .where('security_group_id', '=', groupId)
        .where('instance_id', '=', instanceId)
        .execute();
      return current.filter((g) => g !== groupId);
    });
  }

  async replaceGroups(
    instanceId: string,
    groupIds: readonly string[],
    check: (current: string[]) => void,
  ) {
    await this.#changeMembership(instanceId, check, async (tx, current) => {
      const leaving = current.filter((g) => !groupIds.includes(g));
      if (leaving.length > 0) {
        await tx.k
          .deleteFrom('ecs_security_group_members')
          .where('instance_id', '=', instanceId)
          .where('security_group_id', 'in', leaving)
          .execute();
      }
      await insertMemberships(
        tx,
        instanceId,
        groupIds.filter((g) => !current.includes(g)),
      );
      return [...groupIds];
    });
  }

  /** Runs a membership change under the instance's lock and writes the instance's new list. */
  async #changeMembership(
    instanceId: string,
    check: (current: string[]) => void,
    change: (tx: Db, current: string[]) => Promise<string[]>,
  ): Promise<void> {
    await this.#db.withLock(instanceLock(instanceId), async (tx) => {
      const row: any = await tx.k
        .selectFrom('ecs_instances')
        .select('security_group_ids')
        .where('instance_id', '=', instanceId)
        .executeTakeFirst();
      if (!row) throw new StoreError('NotFound', 'Instance');
      const current = JSON.parse(row.security_group_ids) as string[];
      check(current);
      const next = await change(tx, current);
      // INVARIANT: security_group_ids lists exactly the instance's membership rows.
      await tx.k
        .updateTable('ecs_instances')
        .set({ security_group_ids: JSON.stringify(next) })
        .where('instance_id', '=', instanceId)
        .execute();
    });
  }
}
