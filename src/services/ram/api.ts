/**
 * @module What RAM offers other services (the exported module, STYLE §4): role and key lookups,
 * and the identity-side policy sets of a principal for every authorisation decision.
 */
import { compilePolicy, type PolicyRef } from '../../policy/index.js';
import type { IdentityPolicies, IdentityPolicySource } from '../../kernel/authorizer.js';
import type { Principal } from '../../kernel/principal.js';
import type { AccessKey, Role, User } from './model.js';
import type { RamStore } from './store.js';

/** RAM, as other services see it. */
export interface RamApi extends IdentityPolicySource {
  getRole(accountId: string, roleName: string): Promise<Role | undefined>;
  getRoleById(roleId: string): Promise<Role | undefined>;
  getAccessKey(accessKeyId: string): Promise<AccessKey | undefined>;
  /** A key with its owning user, in one query (credential resolution). */
  getAccessKeyWithOwner: RamStore['getAccessKeyWithOwner'];
  getUserById(userId: string): Promise<User | undefined>;
  /** The accounts (`yunbox account`): the first is the operator's, made at the first start. */
  listAccounts: RamStore['listAccounts'];
  /** The first account's id (the one the server made at its first start). */
  firstAccountId(): Promise<string | undefined>;
  getAccountById: RamStore['getAccountById'];
  createAccount: RamStore['createAccount'];
}

/** Compiles stored documents into policy references (compilation is cached by content). */
function toRefs(
  docs: Array<{ policyName: string; policyType: string; versionId: string; document: string }>,
): PolicyRef[] {
  const out: PolicyRef[] = [];
  for (const d of docs) {
    // Written before the wildcard limits existed, a document keeps its Deny statements.
    const c = compilePolicy(d.document, 'identity', { patternLimits: false });
    // INVARIANT: stored documents passed validation when written; one that no longer compiles
    // (engine got stricter) grants nothing.
    if (c.ok) {
      out.push({
        name: d.policyName,
        type: d.policyType === 'System' ? 'System' : 'Custom',
        version: d.versionId,
        policy: c.policy,
      });
    }
  }
  return out;
}

/** Builds the RAM API over a store. */
export function createRamApi(store: RamStore): RamApi {
  return {
    getRole: (a, n) => store.getRole(a, n),
    getRoleById: (id) => store.getRoleById(id),
    getAccessKey: (id) => store.getAccessKey(id),
    getAccessKeyWithOwner: (id) => store.getAccessKeyWithOwner(id),
    getUserById: (id) => store.getUserById(id),
    listAccounts: () => store.listAccounts(),
    firstAccountId: async () => (await store.getAccount())?.accountId,
    getAccountById: (id) => store.getAccountById(id),
    createAccount: (...a) => store.createAccount(...a),
    async policiesFor(principal: Principal): Promise<IdentityPolicies> {
      switch (principal.kind) {
        case 'account':
          return { identity: [], isRoot: true };
        case 'anonymous':
          return { identity: [], isRoot: false };
        case 'user':
          return { identity: toRefs(await store.userDocuments(principal.userId)), isRoot: false };
        case 'role-session': {
          const identity = toRefs(await store.roleDocuments(principal.roleId));
          if (principal.sessionPolicy === undefined) return { identity, isRoot: false };
          const c = compilePolicy(principal.sessionPolicy, 'session');
          const session: PolicyRef[] = c.ok
            ? [{ name: 'session policy', type: 'Session', policy: c.policy }]
            : [];
          return { identity, session, isRoot: false };
        }
      }
    },
  };
}
