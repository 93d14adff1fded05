/**
 * @module RAM (2015-05-01): roles, policies with versions, users, groups, access keys and
 * attachments, on the RPC gateway at `ram.aliyuncs.com`. Exports the module other services use.
 */
import { SYSTEM_POLICIES } from '../../policy/index.js';
import {
  bind,
  type BoundOperation,
  type Handler,
  type OperationDecl,
  type RpcProduct,
} from '../../protocol/rpc-operation.js';
import type { ParamShape } from '../../protocol/rpc-schema.js';
import type { Db } from '../../store/db.js';
import type { MigrationSet } from '../../store/migrate.js';
import { createRamApi, type RamApi } from './api.js';
import { NoPermission } from './errors.js';
import { ramHandlers } from './handlers.js';
import { m0001Init } from './migrations/0001-init.js';
import { m0002FoldedNames } from './migrations/0002-folded-names.js';
import { m0003Tags } from './migrations/0003-tags.js';
import { m0004Accounts } from './migrations/0004-accounts.js';
import * as O from './operations.js';
import { RamSqlStore } from './store-sql.js';
import { withStoredNames } from './stored-names.js';
import { ramTagHandlers } from './tags/handlers.js';
import * as TagOps from './tags/operations.js';
import type { RamStore } from './store.js';

export type { RamApi } from './api.js';
export { foldName } from './names.js';
export { LIMITS as RAM_LIMITS, type Account } from './model.js';

/** RAM's migrations. */
export const ramMigrations: MigrationSet = {
  service: 'ram',
  migrations: [m0001Init, m0002FoldedNames, m0003Tags, m0004Accounts],
};

/** The RAM service: its RPC product, its store and the API other services use. */
export interface RamService {
  product: RpcProduct;
  store: RamStore;
  api: RamApi;
  /** Writes the built-in system policies (idempotent; run at every start). */
  seedSystemPolicies(now: number): Promise<void>;
}

/**
 * RAM's operations bound to their handlers over `store`. Calls naming an existing entity get its
 * stored spelling (stored-names.ts); those creating one, and the AccessKey calls (which authorise
 * in the handler), get the caller's.
 */
export function ramOperations(store: RamStore): BoundOperation[] {
  const h = ramHandlers(store);
  const tags = ramTagHandlers(store);
  const named = withStoredNames(store);
  const bindNamed = <S extends ParamShape>(decl: OperationDecl<S>, handler: Handler<S>) =>
    bind(decl, named(decl, handler));
  return [
    bind(O.CreateRole, h.createRole),
    bindNamed(O.GetRole, h.getRole),
    bind(O.ListRoles, h.listRoles),
    bindNamed(O.UpdateRole, h.updateRole),
    bindNamed(O.DeleteRole, h.deleteRole),
    bind(O.CreatePolicy, h.createPolicy),
    bindNamed(O.GetPolicy, h.getPolicy),
    bind(O.ListPolicies, h.listPolicies),
    bindNamed(O.UpdatePolicyDescription, h.updatePolicyDescription),
    bindNamed(O.DeletePolicy, h.deletePolicy),
    bindNamed(O.CreatePolicyVersion, h.createPolicyVersion),
    bindNamed(O.GetPolicyVersion, h.getPolicyVersion),
    bindNamed(O.ListPolicyVersions, h.listPolicyVersions),
    bindNamed(O.SetDefaultPolicyVersion, h.setDefaultPolicyVersion),
    bindNamed(O.DeletePolicyVersion, h.deletePolicyVersion),
    bindNamed(O.ListEntitiesForPolicy, h.listEntitiesForPolicy),
    bindNamed(O.AttachPolicyToRole, h.attachPolicyToRole),
    bindNamed(O.DetachPolicyFromRole, h.detachPolicyFromRole),
    bindNamed(O.AttachPolicyToUser, h.attachPolicyToUser),
    bindNamed(O.DetachPolicyFromUser, h.detachPolicyFromUser),
    bindNamed(O.AttachPolicyToGroup, h.attachPolicyToGroup),
    bindNamed(O.DetachPolicyFromGroup, h.detachPolicyFromGroup),
    bindNamed(O.ListPoliciesForRole, h.listPoliciesForRole),
    bindNamed(O.ListPoliciesForUser, h.listPoliciesForUser),
    bindNamed(O.ListPoliciesForGroup, h.listPoliciesForGroup),
    bind(O.CreateUser, h.createUser),
    bindNamed(O.GetUser, h.getUser),
    bind(O.ListUsers, h.listUsers),
    bindNamed(O.UpdateUser, h.updateUser),
    bindNamed(O.DeleteUser, h.deleteUser),
    bind(O.CreateAccessKey, h.createAccessKey),
    bind(O.ListAccessKeys, h.listAccessKeys),
    bind(O.UpdateAccessKey, h.updateAccessKey),
    bind(O.DeleteAccessKey, h.deleteAccessKey),
    bind(O.GetAccessKeyLastUsed, h.getAccessKeyLastUsed),
    bind(O.CreateGroup, h.createGroup),
    bindNamed(O.GetGroup, h.getGroup),
    bind(O.ListGroups, h.listGroups),
    bindNamed(O.UpdateGroup, h.updateGroup),
    bindNamed(O.DeleteGroup, h.deleteGroup),
    bindNamed(O.AddUserToGroup, h.addUserToGroup),
    bindNamed(O.RemoveUserFromGroup, h.removeUserFromGroup),
    bindNamed(O.ListGroupsForUser, h.listGroupsForUser),
    bindNamed(O.ListUsersForGroup, h.listUsersForGroup),
    bind(TagOps.TagResources, tags.tagResources),
    bind(TagOps.UntagResources, tags.untagResources),
    bind(TagOps.ListTagResources, tags.listTagResources),
  ];
}

/** Builds the RAM service over a database. */
export function createRamService(db: Db): RamService {
  const store = new RamSqlStore(db);
  const product: RpcProduct = {
    product: 'Ram',
    version: '2015-05-01',
    hostId: () => 'ram.aliyuncs.com',
    denied: (message, detail) => NoPermission(message, { AccessDeniedDetail: detail }),
    operations: ramOperations(store),
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
