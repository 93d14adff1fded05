/**
 * @module What the security group handlers need from storage. One SQL implementation serves SQLite
 * and PostgreSQL (`store-sql.ts`). Every change to a group's rules runs under that group's lock,
 * membership changes under the instance's; what a racing node could still break is held by
 * constraints: a rule's identity is unique in its group, and foreign keys keep a group from being
 * deleted while an instance is in it or another group's rule names it.
 */
import type { TagMatch } from '../../../store/tag-table.js';
import type { InnerAccessPolicy, RuleSpec, SecurityGroup, SecurityGroupRule } from './model.js';

/** Filters of a security group listing. */
export interface GroupFilter {
  securityGroupIds?: string[];
  vpcId?: string;
  name?: string;
  groupType?: string;
  /** Only groups carrying every one of these tags (`Tag.N`; no value: any value). */
  tags?: TagMatch[];
}

/** What ModifySecurityGroupAttribute and ModifySecurityGroupPolicy change (absent: unchanged). */
export interface GroupChanges {
  name?: string;
  description?: string;
  innerAccessPolicy?: InnerAccessPolicy;
}

/** What decides whether new rules fit in a group, checked under the group's lock. */
export interface RuleLimits {
  /** Most rules of the group, both directions. */
  maxRules: number;
  /** Most rules that name another group. */
  maxGroupRules: number;
}

/** Outcome of adding rules: how many were new, or which limit they would pass. */
export type AddRulesResult =
  { added: number } | { limit: 'rules' | 'groupRules'; count: number } | { missing: 'group' };

/** Outcome of removing rules: how many were removed, or the first that was not there. */
export type RemoveRulesResult = { removed: number } | { notFound: string } | { missing: 'group' };

/** Security group storage. */
export interface SecurityGroupStore {
  /**
   * Creates a group unless the account has `max` groups in the region already (checked under the
   * account's lock): `Conflict('Quota')`, `NotFound('Vpc')` when the VPC is gone.
   */
  createGroup(group: SecurityGroup, max: number): Promise<void>;
  getGroup(accountId: string, securityGroupId: string): Promise<SecurityGroup | undefined>;
  listGroups(accountId: string, regionId: string, filter: GroupFilter): Promise<SecurityGroup[]>;
  /** Changes a group's attributes; false when there is no such group. */
  updateGroup(accountId: string, securityGroupId: string, changes: GroupChanges): Promise<boolean>;
  /**
   * Deletes a group and its own rules: `NotFound`, `Conflict('Instances')` while an instance is in
   * it, `Conflict('Referenced')` while another group's rule names it.
   */
  deleteGroup(accountId: string, securityGroupId: string): Promise<void>;
  /** Rules of the groups, in the order they were added. */
  listRules(securityGroupIds: string[]): Promise<SecurityGroupRule[]>;
  /**
   * Adds the rules whose identity the group does not have yet (the others change nothing), all or
   * none, under the group's lock.
   */
  addRules(
    securityGroupId: string,
    rules: Array<RuleSpec & { ruleId: string }>,
    limits: RuleLimits,
    now: number,
  ): Promise<AddRulesResult>;
  /**
   * Removes rules of one direction, by id or by identity, all or none: `notFound` names the first
   * id or identity the group does not have.
   */
  removeRules(
    securityGroupId: string,
    which: { ruleIds: string[] } | { identities: string[] },
  ): Promise<RemoveRulesResult>;
  /**
   * Replaces one rule's definition (found by id); `Conflict('Duplicate')` when another rule of
   * the group has the new identity. False when there is no such rule.
   */
  replaceRule(securityGroupId: string, ruleId: string, next: RuleSpec): Promise<boolean>;
  /** Instance ids in each group. */
  members(securityGroupIds: string[]): Promise<Map<string, string[]>>;
  /**
   * Adds an instance to a group, under the instance's lock, keeping the instance's own list
   * (`security_group_ids`) in step. `check(current)` runs first and may throw to refuse.
   * `NotFound('SecurityGroup')` when the group is gone, `NotFound('Instance')`.
   */
  join(
    instanceId: string,
    securityGroupId: string,
    check: (current: string[]) => void,
  ): Promise<void>;
  /** Removes an instance from a group, the same way as {@link join}. */
  leave(
    instanceId: string,
    securityGroupId: string,
    check: (current: string[]) => void,
  ): Promise<void>;
  /**
   * Puts an instance in exactly `securityGroupIds` (ModifyInstanceAttribute), leaving the others,
   * the same way as {@link join}: all or nothing, `NotFound('SecurityGroup')` when one is gone.
   */
  replaceGroups(
    instanceId: string,
    securityGroupIds: readonly string[],
    check: (current: string[]) => void,
  ): Promise<void>;
}
