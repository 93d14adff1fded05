/**
 * @module RAM (2015-05-01): roles, policies with versions, users, groups, access keys and
 * attachments, on the RPC gateway at `ram.aliyuncs.com`. Exports the module other services use.
 */
import { SYSTEM_POLICIES } from '../../policy/index.js';
import { bind, type RpcProduct } from '../../protocol/rpc-operation.js';
import type { Db } from '../../store/db.js';
import type { MigrationSet } from '../../store/migrate.js';
import { createRamApi, type RamApi } from './api.js';
import { NoPermission } from './errors.js';
import { ramHandlers } from './handlers.js';
import { m0001Init } from './migrations/0001-init.js';
import { m0002FoldedNames } from './migrations/0002-folded-names.js';
import * as O from './operations.js';
import { RamSqlStore } from './store-sql.js';
import type { RamStore } from './store.js';

export type { RamApi } from './api.js';

/** RAM's migrations. */
export const ramMigrations: MigrationSet = {
  service: 'ram',
  migrations: [m0001Init, m0002FoldedNames],
};

/** The RAM service: its RPC product, its store and the API other services use. */
export interface RamService {
  product: RpcProduct;
  store: RamStore;
  api: RamApi;
  /** Writes the built-in system policies (idempotent; run at every start). */
  seedSystemPolicies(now: number): Promise<void>;
}

/** Builds the RAM service over a database. */
export function createRamService(db: Db): RamService {
  const store = new RamSqlStore(db);
  const h = ramHandlers(store);
  const product: RpcProduct = {
    product: 'Ram',
    version: '2015-05-01',
    hostId: () => 'ram.aliyuncs.com',
    denied: (message, detail) => NoPermission(message, { AccessDeniedDetail: detail }),
    operations: [
      bind(O.CreateRole, h.createRole),
      bind(O.GetRole, h.getRole),
      bind(O.ListRoles, h.listRoles),
      bind(O.UpdateRole, h.updateRole),
      bind(O.DeleteRole, h.deleteRole),
      bind(O.CreatePolicy, h.createPolicy),
      bind(O.GetPolicy, h.getPolicy),
      bind(O.ListPolicies, h.listPolicies),
      bind(O.UpdatePolicyDescription, h.updatePolicyDescription),
      bind(O.DeletePolicy, h.deletePolicy),
      bind(O.CreatePolicyVersion, h.createPolicyVersion),
      bind(O.GetPolicyVersion, h.getPolicyVersion),
      bind(O.ListPolicyVersions, h.listPolicyVersions),
      bind(O.SetDefaultPolicyVersion, h.setDefaultPolicyVersion),
      bind(O.DeletePolicyVersion, h.deletePolicyVersion),
      bind(O.ListEntitiesForPolicy, h.listEntitiesForPolicy),
      bind(O.AttachPolicyToRole, h.attachPolicyToRole),
      bind(O.DetachPolicyFromRole, h.detachPolicyFromRole),
      bind(O.AttachPolicyToUser, h.attachPolicyToUser),
      bind(O.DetachPolicyFromUser, h.detachPolicyFromUser),
      bind(O.AttachPolicyToGroup, h.attachPolicyToGroup),
      bind(O.DetachPolicyFromGroup, h.detachPolicyFromGroup),
      bind(O.ListPoliciesForRole, h.listPoliciesForRole),
      bind(O.ListPoliciesForUser, h.listPoliciesForUser),
      bind(O.ListPoliciesForGroup, h.listPoliciesForGroup),
      bind(O.CreateUser, h.createUser),
      bind(O.GetUser, h.getUser),
      bind(O.ListUsers, h.listUsers),
      bind(O.UpdateUser, h.updateUser),
      bind(O.DeleteUser, h.deleteUser),
      bind(O.CreateAccessKey, h.createAccessKey),
      bind(O.ListAccessKeys, h.listAccessKeys),
      bind(O.UpdateAccessKey, h.updateAccessKey),
      bind(O.DeleteAccessKey, h.deleteAccessKey),
      bind(O.GetAccessKeyLastUsed, h.getAccessKeyLastUsed),
      bind(O.CreateGroup, h.createGroup),
      bind(O.GetGroup, h.getGroup),
      bind(O.ListGroups, h.listGroups),
      bind(O.UpdateGroup, h.updateGroup),
      bind(O.DeleteGroup, h.deleteGroup),
      bind(O.AddUserToGroup, h.addUserToGroup),
      bind(O.RemoveUserFromGroup, h.removeUserFromGroup),
      bind(O.ListGroupsForUser, h.listGroupsForUser),
      bind(O.ListUsersForGroup, h.listUsersForGroup),
    ],
  };
  return {
    product,
    store,
    api: createRamApi(store),
    async seedSystemPolicies(now) {
      for (const [name, p] of Object.entries(SYSTEM_POLICIES)) {
        await store.upsertSystemPolicy(name, p.description, p.document, now);
      }
    },
  };
}
