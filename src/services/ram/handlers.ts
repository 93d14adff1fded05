/**
 * @module RAM handlers, one per operation, named after it. They validate documents with the
 * policy engine, translate store failures to RAM's codes, and return wire-shaped outputs.
 */
import { compilePolicy, type PolicyKind } from '../../policy/index.js';
import { StoreError, type ServiceError } from '../../kernel/errors.js';
import type { HandlerContext } from '../../kernel/context.js';
import { accessKeyId, accessKeySecret } from '../../kernel/ids.js';
import { ramArn } from '../../kernel/principal.js';
import type { Handler } from '../../protocol/rpc-operation.js';
import type { ParamShape } from '../../protocol/rpc-schema.js';
import * as E from './errors.js';
import {
  LIMITS,
  decodeMarker,
  encodeMarker,
  groupToWire,
  newGroupId,
  newRoleId,
  newUserId,
  policyId,
  policyToWire,
  roleToWire,
  userToWire,
  versionToWire,
  wireTime,
  type Group,
  type Policy,
  type PolicyType,
  type PrincipalType,
  type Role,
  type User,
} from './model.js';
import type * as Ops from './operations.js';
import { parseTagJson, parseTagJsonFilter, tagsToWire } from './tags/handlers.js';
import type { Page, RamStore } from './store.js';

type H<D extends { params: ParamShape }> = Handler<D['params']>;

/** Validates a policy document, throwing MalformedPolicyDocument with the first diagnostic. */
export function checkDocument(doc: string, kind: PolicyKind): void {
  const r = compilePolicy(doc, kind);
  if (!r.ok) {
    const msg = r.diagnostics
      .slice(0, 3)
      .map((d) => `${d.message}${d.pointer ? ` (at ${d.pointer})` : ''}`)
      .join('; ');
    throw E.MalformedPolicyDocument(`The policy document is malformed: ${msg}.`);
  }
}

/** Maps a store failure on `entity` to the RAM error, rethrowing anything else. */
function mapStore(e: unknown, table: Record<string, () => ServiceError>): never {
  if (e instanceof StoreError) {
    const make = table[`${e.kind}:${e.entity}`] ?? table[e.entity];
    if (make) throw make();
  }
  throw e;
}

const limitErrors: Record<string, () => ServiceError> = {
  'Conflict:LimitExceeded.Role': () => E.LimitExceededRole(),
  'Conflict:LimitExceeded.User': () => E.LimitExceededUser(),
  'Conflict:LimitExceeded.Group': () => E.LimitExceededGroup(),
  'Conflict:LimitExceeded.Policy': () => E.LimitExceededPolicy(),
  'Conflict:LimitExceeded.Policy.Version': () => E.LimitExceededPolicyVersion(),
  'Conflict:LimitExceeded.User.AccessKey': () => E.LimitExceededUserAccessKey(),
  'Conflict:LimitExceeded.User.Group': () => E.LimitExceededUserGroup(),
  'Conflict:LimitExceeded.Role.Policy': () => E.LimitExceededRolePolicy(),
  'Conflict:LimitExceeded.User.Policy': () => E.LimitExceededUserPolicy(),
  'Conflict:LimitExceeded.Group.Policy': () => E.LimitExceededGroupPolicy(),
};

function pageRequest(marker: string | undefined, maxItems: number | undefined) {
  let after: string | undefined;
  if (marker !== undefined && marker !== '') {
    after = decodeMarker(marker);
    if (after === undefined) throw E.InvalidParameterMarker();
  }
  return { ...(after !== undefined ? { after } : {}), limit: maxItems ?? 100 };
}

function pageWire<T>(page: Page<T>, wrapper: string, item: string, map: (t: T) => unknown) {
  return {
    IsTruncated: page.next !== undefined,
    ...(page.next !== undefined ? { Marker: encodeMarker(page.next) } : {}),
    [wrapper]: { [item]: page.items.map(map) },
  };
}

/** The RAM handlers over a store. */
export function ramHandlers(store: RamStore) {
  const role = async (ctx: HandlerContext, roleName: string): Promise<Role> => {
    const r = await store.getRole(ctx.accountId, roleName);
    if (!r) throw E.EntityNotExistRole();
    return r;
  };
  const user = async (ctx: HandlerContext, userName: string): Promise<User> => {
    const u = await store.getUser(ctx.accountId, userName);
    if (!u) throw E.EntityNotExistUser();
    return u;
  };
  const group = async (ctx: HandlerContext, groupName: string): Promise<Group> => {
    const g = await store.getGroup(ctx.accountId, groupName);
    if (!g) throw E.EntityNotExistGroup();
    return g;
  };
  const policy = async (ctx: HandlerContext, type: string, name: string): Promise<Policy> => {
    const p = await store.getPolicy(ctx.accountId, type as PolicyType, name);
    if (!p) throw E.EntityNotExistPolicy();
    return p;
  };
  const customPolicy = async (ctx: HandlerContext, name: string): Promise<Policy> => {
    const p = await store.getPolicy(ctx.accountId, 'Custom', name);
    if (p) return p;
    if (await store.getPolicy(ctx.accountId, 'System', name)) throw E.NoPermissionSystemPolicy();
    throw E.EntityNotExistPolicy();
  };

  /** Resolves the user an AccessKey call is about: `UserName`, or the calling RAM user. */
  const keyOwner = async (
    ctx: HandlerContext,
    userName: string | undefined,
    action: string,
  ): Promise<User | undefined> => {
    if (userName === undefined) {
      if (ctx.principal.kind === 'user') {
        const self = await store.getUserById(ctx.principal.userId);
        if (!self) throw E.EntityNotExistUser();
        await ctx.authorize({ action, resource: ramArn(ctx.accountId, `user/${self.userName}`) });
        return self;
      }
      if (ctx.principal.kind === 'account') return undefined; // the root's own keys
      await ctx.authorize({ action, resource: ramArn(ctx.accountId, 'user/*') });
      throw E.EntityNotExistUser();
    }
    await ctx.authorize({ action, resource: ramArn(ctx.accountId, `user/${userName}`) });
    const u = await user(ctx, userName);
    // Named in another case: the user's own ARN must be allowed too (stored-names.ts).
    if (u.userName !== userName) {
      await ctx.authorize({ action, resource: ramArn(ctx.accountId, `user/${u.userName}`) });
    }
    return u;
  };

  const attachHandler =
    (type: PrincipalType, field: 'RoleName' | 'UserName' | 'GroupName') =>
    async (ctx: HandlerContext, input: any) => {
      const target =
        type === 'Role'
          ? (await role(ctx, input[field])).roleId
          : type === 'User'
            ? (await user(ctx, input[field])).userId
            : (await group(ctx, input[field])).groupId;
      const pol = await policy(ctx, input.PolicyType, input.PolicyName);
      try {
        await store.attach(
          ctx.accountId,
          pol,
          type,
          target,
          ctx.now,
          LIMITS.policiesPerPrincipal[pol.policyType],
        );
      } catch (e) {
        mapStore(e, {
          ...limitErrors,
          'AlreadyExists:Role.Policy': () => E.EntityAlreadyExistsRolePolicy(),
          'AlreadyExists:User.Policy': () => E.EntityAlreadyExistsUserPolicy(),
          'AlreadyExists:Group.Policy': () => E.EntityAlreadyExistsGroupPolicy(),
          'NotFound:Role.Policy': () => E.EntityNotExistRole(),
          'NotFound:User.Policy': () => E.EntityNotExistUser(),
          'NotFound:Group.Policy': () => E.EntityNotExistGroup(),
        });
      }
      return {};
    };

  const detachHandler =
    (type: PrincipalType, field: 'RoleName' | 'UserName' | 'GroupName') =>
    async (ctx: HandlerContext, input: any) => {
      const target =
        type === 'Role'
          ? (await role(ctx, input[field])).roleId
          : type === 'User'
            ? (await user(ctx, input[field])).userId
            : (await group(ctx, input[field])).groupId;
      const pol = await policy(ctx, input.PolicyType, input.PolicyName);
      if (!(await store.detach(pol.policyId, type, target))) {
        throw type === 'Role'
          ? E.EntityNotExistRolePolicy()
          : type === 'User'
            ? E.EntityNotExistUserPolicy()
            : E.EntityNotExistGroupPolicy();
      }
      return {};
    };

  const policiesFor = (type: PrincipalType) => async (id: string) => {
    const list = await store.listAttachments(type, id);
    return {
      Policies: {
        Policy: list.map((a) => ({
          PolicyName: a.policy.policyName,
          PolicyType: a.policy.policyType,
          Description: a.policy.description,
          DefaultVersion: a.policy.defaultVersion,
          AttachDate: wireTime(a.attachedAt),
        })),
      },
    };
  };

  const createRole: H<typeof Ops.CreateRole> = async (ctx, input) => {
    checkDocument(input.AssumeRolePolicyDocument, 'trust');
    const tags = parseTagJson(input.Tag);
    const r: Role = {
      roleId: newRoleId(),
      accountId: ctx.accountId,
      roleName: input.RoleName,
      description: input.Description ?? '',
      trustPolicy: input.AssumeRolePolicyDocument,
      maxSessionDuration: input.MaxSessionDuration ?? LIMITS.defaultMaxSessionDuration,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    };
    try {
      await store.createRole(r, LIMITS.rolesPerAccount, tags);
    } catch (e) {
      mapStore(e, {
        ...limitErrors,
        'AlreadyExists:Role': () =>
          E.EntityAlreadyExistsRole(`The role already exists:${input.RoleName}`),
      });
    }
    const { UpdateDate: _u, ...wire } = roleToWire(r);
    return { Role: wire };
  };

  const getRole: H<typeof Ops.GetRole> = async (ctx, input) => ({
    Role: roleToWire(await role(ctx, input.RoleName)),
  });

  const listRoles: H<typeof Ops.ListRoles> = async (ctx, input) => {
    const filter = parseTagJsonFilter(input.Tag);
    const page = await store.listRoles(
      ctx.accountId,
      pageRequest(input.Marker, input.MaxItems),
      filter,
    );
    const tags = await store.tagsOf(
      ctx.accountId,
      'role',
      page.items.map((r) => r.roleId),
    );
    return pageWire(page, 'Roles', 'Role', (r) => ({
      ...roleToWire(r, false),
      ...tagsToWire(tags.get(r.roleId)),
    }));
  };

  const updateRole: H<typeof Ops.UpdateRole> = async (ctx, input) => {
    // INVARIANT: what a store returns may come from a read cache and is frozen; build a new value.
    const old = await role(ctx, input.RoleName);
    if (input.NewAssumeRolePolicyDocument !== undefined) {
      checkDocument(input.NewAssumeRolePolicyDocument, 'trust');
    }
    const r: Role = {
      ...old,
      trustPolicy: input.NewAssumeRolePolicyDocument ?? old.trustPolicy,
      description: input.NewDescription ?? old.description,
      maxSessionDuration: input.NewMaxSessionDuration ?? old.maxSessionDuration,
      updatedAt: ctx.now,
    };
    await store.updateRole(r);
    return { Role: roleToWire(r) };
  };

  const deleteRole: H<typeof Ops.DeleteRole> = async (ctx, input) => {
    try {
      await store.deleteRole(ctx.accountId, input.RoleName);
    } catch (e) {
      mapStore(e, {
        'NotFound:Role': () => E.EntityNotExistRole(),
        'Conflict:Role.Policy': () => E.DeleteConflictRolePolicy(),
        'Conflict:Role': () => E.DeleteConflictRolePolicy(),
      });
    }
    return {};
  };

  const createPolicy: H<typeof Ops.CreatePolicy> = async (ctx, input) => {
    checkDocument(input.PolicyDocument, 'identity');
    const tags = parseTagJson(input.Tag);
    const system = await store.getPolicy(ctx.accountId, 'System', input.PolicyName);
    if (system) {
      throw E.EntityAlreadyExistsPolicy(
        `The policy has already been created, a system policy is named \`${system.policyName}\`.`,
      );
    }
    const pol: Policy = {
      policyId: policyId(ctx.accountId, 'Custom', input.PolicyName),
      accountId: ctx.accountId,
      policyType: 'Custom',
      policyName: input.PolicyName,
      description: input.Description ?? '',
      defaultVersion: 'v1',
      nextVersion: 2,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    };
    try {
      await store.createPolicy(pol, input.PolicyDocument, LIMITS.customPoliciesPerAccount, tags);
    } catch (e) {
      mapStore(e, {
        ...limitErrors,
        'AlreadyExists:Policy': () =>
          E.EntityAlreadyExistsPolicy(
            `The policy has already been created, policy name: ${input.PolicyName}.`,
          ),
      });
    }
    const { UpdateDate: _u, ...wire } = policyToWire(pol);
    return { Policy: wire };
  };

  const getPolicy: H<typeof Ops.GetPolicy> = async (ctx, input) => {
    const pol = await policy(ctx, input.PolicyType, input.PolicyName);
    const v = await store.getPolicyVersion(pol.policyId, pol.defaultVersion);
    const count = await store.attachmentCount(pol.policyId);
    return {
      Policy: { ...policyToWire(pol, count), PolicyDocument: v?.document ?? '' },
      ...(v ? { DefaultPolicyVersion: versionToWire(v, pol.defaultVersion) } : {}),
    };
  };

  const listPolicies: H<typeof Ops.ListPolicies> = async (ctx, input) => {
    let req;
    if (input.Marker !== undefined && input.Marker !== '') {
      const after = decodeMarker(input.Marker);
      if (after === undefined || !after.includes('/')) throw E.InvalidParameterMarker();
      req = { after, limit: input.MaxItems ?? 100 };
    } else req = { limit: input.MaxItems ?? 100 };
    const filter = parseTagJsonFilter(input.Tag);
    const page = await store.listPolicies(
      ctx.accountId,
      input.PolicyType as PolicyType | undefined,
      req,
      filter,
    );
    const custom = page.items.filter((x) => x.policyType === 'Custom').map((x) => x.policyId);
    const tags = await store.tagsOf(ctx.accountId, 'policy', custom);
    return pageWire(page, 'Policies', 'Policy', (x) => ({
      ...policyToWire(x, x.attachmentCount),
      ...tagsToWire(tags.get(x.policyId)),
    }));
  };

  const updatePolicyDescription: H<typeof Ops.UpdatePolicyDescription> = async (ctx, input) => {
    const old = await customPolicy(ctx, input.PolicyName);
    const pol: Policy = { ...old, description: input.NewDescription ?? '', updatedAt: ctx.now };
    await store.updatePolicyDescription(pol.policyId, pol.description, ctx.now);
    return { Policy: policyToWire(pol) };
  };

  const deletePolicy: H<typeof Ops.DeletePolicy> = async (ctx, input) => {
    const pol = await customPolicy(ctx, input.PolicyName);
    try {
      await store.deletePolicy(pol.policyId, input.CascadingDelete ?? false);
    } catch (e) {
      mapStore(e, {
        'Conflict:Policy.User': () => E.DeleteConflictPolicyUser(),
        'Conflict:Policy.Group': () => E.DeleteConflictPolicyGroup(),
        'Conflict:Policy.Role': () => E.DeleteConflictPolicyRole(),
        'Conflict:Policy.Version': () => E.DeleteConflictPolicyVersion(),
      });
    }
    return {};
  };

  const createPolicyVersion: H<typeof Ops.CreatePolicyVersion> = async (ctx, input) => {
    const pol = await customPolicy(ctx, input.PolicyName);
    checkDocument(input.PolicyDocument, 'identity');
    let v;
    try {
      v = await store.createPolicyVersion(
        pol.policyId,
        input.PolicyDocument,
        input.SetAsDefault ?? false,
        input.RotateStrategy === 'DeleteOldestNonDefaultVersionWhenLimitExceeded',
        LIMITS.versionsPerPolicy,
        ctx.now,
      );
    } catch (e) {
      mapStore(e, { ...limitErrors, 'NotFound:Policy': () => E.EntityNotExistPolicy() });
    }
    return {
      PolicyVersion: versionToWire(v, input.SetAsDefault ? v.versionId : pol.defaultVersion),
    };
  };

  const getPolicyVersion: H<typeof Ops.GetPolicyVersion> = async (ctx, input) => {
    const pol = await policy(ctx, input.PolicyType, input.PolicyName);
    const v = await store.getPolicyVersion(pol.policyId, input.VersionId);
    if (!v) throw E.EntityNotExistPolicyVersion();
    return { PolicyVersion: versionToWire(v, pol.defaultVersion) };
  };

  const listPolicyVersions: H<typeof Ops.ListPolicyVersions> = async (ctx, input) => {
    const pol = await policy(ctx, input.PolicyType, input.PolicyName);
    const versions = await store.listPolicyVersions(pol.policyId);
    return {
      PolicyVersions: { PolicyVersion: versions.map((v) => versionToWire(v, pol.defaultVersion)) },
    };
  };

  const setDefaultPolicyVersion: H<typeof Ops.SetDefaultPolicyVersion> = async (ctx, input) => {
    const pol = await customPolicy(ctx, input.PolicyName);
    try {
      await store.setDefaultPolicyVersion(pol.policyId, input.VersionId, ctx.now);
    } catch (e) {
      mapStore(e, { 'NotFound:Policy.Version': () => E.EntityNotExistPolicyVersion() });
    }
    return {};
  };

  const deletePolicyVersion: H<typeof Ops.DeletePolicyVersion> = async (ctx, input) => {
    const pol = await customPolicy(ctx, input.PolicyName);
    try {
      await store.deletePolicyVersion(pol.policyId, input.VersionId);
    } catch (e) {
      mapStore(e, {
        'NotFound:Policy.Version': () => E.EntityNotExistPolicyVersion(),
        'NotFound:Policy': () => E.EntityNotExistPolicy(),
        'Conflict:Policy.Version.Default': () => E.DeleteConflictPolicyVersionDefault(),
      });
    }
    return {};
  };

  const listEntitiesForPolicy: H<typeof Ops.ListEntitiesForPolicy> = async (ctx, input) => {
    const pol = await policy(ctx, input.PolicyType, input.PolicyName);
    const all = await store.listEntitiesForPolicy(pol.policyId);
    const roles = [];
    const users = [];
    const groups = [];
    for (const a of all) {
      if (a.principalType === 'Role') {
        const r = await store.getRoleById(a.principalId);
        if (r && r.accountId === ctx.accountId) {
          roles.push({
            RoleId: r.roleId,
            RoleName: r.roleName,
            Arn: ramArn(r.accountId, `role/${r.roleName}`),
            Description: r.description,
            AttachDate: wireTime(a.attachedAt),
          });
        }
      } else if (a.principalType === 'User') {
        const u = await store.getUserById(a.principalId);
        if (u && u.accountId === ctx.accountId) {
          users.push({
            UserId: u.userId,
            UserName: u.userName,
            DisplayName: u.displayName,
            AttachDate: wireTime(a.attachedAt),
          });
        }
      } else {
        const g = await store.getGroup(ctx.accountId, a.principalName);
        if (g) {
          groups.push({
            GroupName: g.groupName,
            Comments: g.comments,
            AttachDate: wireTime(a.attachedAt),
          });
        }
      }
    }
    return { Roles: { Role: roles }, Users: { User: users }, Groups: { Group: groups } };
  };

  const createUser: H<typeof Ops.CreateUser> = async (ctx, input) => {
    const u: User = {
      userId: newUserId(),
      accountId: ctx.accountId,
      userName: input.UserName,
      displayName: input.DisplayName ?? input.UserName,
      email: input.Email ?? '',
      mobilePhone: input.MobilePhone ?? '',
      comments: input.Comments ?? '',
      createdAt: ctx.now,
      updatedAt: ctx.now,
    };
    try {
      await store.createUser(u, LIMITS.usersPerAccount);
    } catch (e) {
      mapStore(e, { ...limitErrors, 'AlreadyExists:User': () => E.EntityAlreadyExistsUser() });
    }
    const { UpdateDate: _u, ...wire } = userToWire(u);
    return { User: wire };
  };

  const getUser: H<typeof Ops.GetUser> = async (ctx, input) => ({
    User: userToWire(await user(ctx, input.UserName)),
  });

  const listUsers: H<typeof Ops.ListUsers> = async (ctx, input) => {
    const page = await store.listUsers(ctx.accountId, pageRequest(input.Marker, input.MaxItems));
    return pageWire(page, 'Users', 'User', userToWire);
  };

  const updateUser: H<typeof Ops.UpdateUser> = async (ctx, input) => {
    const old = await user(ctx, input.UserName);
    const u: User = {
      ...old,
      userName: input.NewUserName ?? old.userName,
      displayName: input.NewDisplayName ?? old.displayName,
      email: input.NewEmail ?? old.email,
      mobilePhone: input.NewMobilePhone ?? old.mobilePhone,
      comments: input.NewComments ?? old.comments,
      updatedAt: ctx.now,
    };
    try {
      await store.updateUser(u);
    } catch (e) {
      mapStore(e, { 'AlreadyExists:User': () => E.EntityAlreadyExistsUser() });
    }
    return { User: userToWire(u) };
  };

  const deleteUser: H<typeof Ops.DeleteUser> = async (ctx, input) => {
    try {
      await store.deleteUser(ctx.accountId, input.UserName);
    } catch (e) {
      mapStore(e, {
        'NotFound:User': () => E.EntityNotExistUser(),
        'Conflict:User.AccessKey': () => E.DeleteConflictUserAccessKey(),
        'Conflict:User.Policy': () => E.DeleteConflictUserPolicy(),
        'Conflict:User.Group': () => E.DeleteConflictUserGroup(),
        'Conflict:User': () => E.DeleteConflictUserAccessKey(),
      });
    }
    return {};
  };

  const createAccessKey: H<typeof Ops.CreateAccessKey> = async (ctx, input) => {
    const owner = await keyOwner(ctx, input.UserName, 'ram:CreateAccessKey');
    const key = {
      accessKeyId: accessKeyId(),
      accountId: ctx.accountId,
      ...(owner ? { userId: owner.userId } : {}),
      secret: accessKeySecret(),
      status: 'Active' as const,
      createdAt: ctx.now,
    };
    try {
      await store.insertAccessKey(key, owner ? LIMITS.accessKeysPerUser : 5);
    } catch (e) {
      mapStore(e, limitErrors);
    }
    return {
      AccessKey: {
        AccessKeyId: key.accessKeyId,
        AccessKeySecret: key.secret,
        Status: key.status,
        CreateDate: wireTime(key.createdAt),
      },
    };
  };

  const ownedKey = async (
    ctx: HandlerContext,
    userName: string | undefined,
    id: string,
    action: string,
  ) => {
    const owner = await keyOwner(ctx, userName, action);
    const k = await store.getAccessKey(id);
    if (!k || k.accountId !== ctx.accountId || k.userId !== owner?.userId) {
      throw E.EntityNotExistUserAccessKey();
    }
    return k;
  };

  const listAccessKeys: H<typeof Ops.ListAccessKeys> = async (ctx, input) => {
    const owner = await keyOwner(ctx, input.UserName, 'ram:ListAccessKeys');
    const keys = await store.listAccessKeys(ctx.accountId, owner?.userId);
    return {
      AccessKeys: {
        AccessKey: keys.map((k) => ({
          AccessKeyId: k.accessKeyId,
          Status: k.status,
          CreateDate: wireTime(k.createdAt),
        })),
      },
    };
  };

  const updateAccessKey: H<typeof Ops.UpdateAccessKey> = async (ctx, input) => {
    const k = await ownedKey(ctx, input.UserName, input.UserAccessKeyId, 'ram:UpdateAccessKey');
    await store.updateAccessKeyStatus(k.accessKeyId, input.Status as 'Active' | 'Inactive');
    return {};
  };

  const deleteAccessKey: H<typeof Ops.DeleteAccessKey> = async (ctx, input) => {
    const k = await ownedKey(ctx, input.UserName, input.UserAccessKeyId, 'ram:DeleteAccessKey');
    await store.deleteAccessKey(k.accessKeyId);
    return {};
  };

  const getAccessKeyLastUsed: H<typeof Ops.GetAccessKeyLastUsed> = async (ctx, input) => {
    const k = await ownedKey(
      ctx,
      input.UserName,
      input.UserAccessKeyId,
      'ram:GetAccessKeyLastUsed',
    );
    return {
      AccessKeyLastUsed: { LastUsedDate: k.lastUsedAt !== undefined ? wireTime(k.lastUsedAt) : '' },
    };
  };

  const createGroup: H<typeof Ops.CreateGroup> = async (ctx, input) => {
    const g: Group = {
      groupId: newGroupId(),
      accountId: ctx.accountId,
      groupName: input.GroupName,
      comments: input.Comments ?? '',
      createdAt: ctx.now,
      updatedAt: ctx.now,
    };
    try {
      await store.createGroup(g, LIMITS.groupsPerAccount);
    } catch (e) {
      mapStore(e, { ...limitErrors, 'AlreadyExists:Group': () => E.EntityAlreadyExistsGroup() });
    }
    const { UpdateDate: _u, ...wire } = groupToWire(g);
    return { Group: wire };
  };

  const getGroup: H<typeof Ops.GetGroup> = async (ctx, input) => ({
    Group: groupToWire(await group(ctx, input.GroupName)),
  });

  const listGroups: H<typeof Ops.ListGroups> = async (ctx, input) => {
    const page = await store.listGroups(ctx.accountId, pageRequest(input.Marker, input.MaxItems));
    return pageWire(page, 'Groups', 'Group', groupToWire);
  };

  const updateGroup: H<typeof Ops.UpdateGroup> = async (ctx, input) => {
    const old = await group(ctx, input.GroupName);
    const g: Group = {
      ...old,
      groupName: input.NewGroupName ?? old.groupName,
      comments: input.NewComments ?? old.comments,
      updatedAt: ctx.now,
    };
    try {
      await store.updateGroup(g);
    } catch (e) {
      mapStore(e, { 'AlreadyExists:Group': () => E.EntityAlreadyExistsGroup() });
    }
    return { Group: groupToWire(g) };
  };

  const deleteGroup: H<typeof Ops.DeleteGroup> = async (ctx, input) => {
    try {
      await store.deleteGroup(ctx.accountId, input.GroupName);
    } catch (e) {
      mapStore(e, {
        'NotFound:Group': () => E.EntityNotExistGroup(),
        'Conflict:Group.User': () => E.DeleteConflictGroupUser(),
        'Conflict:Group.Policy': () => E.DeleteConflictGroupPolicy(),
        'Conflict:Group': () => E.DeleteConflictGroupUser(),
      });
    }
    return {};
  };

  const addUserToGroup: H<typeof Ops.AddUserToGroup> = async (ctx, input) => {
    const g = await group(ctx, input.GroupName);
    const u = await user(ctx, input.UserName);
    try {
      await store.addUserToGroup(g.groupId, u.userId, ctx.now, LIMITS.groupsPerUser);
    } catch (e) {
      mapStore(e, {
        ...limitErrors,
        'AlreadyExists:Group.User': () => E.EntityAlreadyExistsGroupUser(),
        'NotFound:Group.User': () => E.EntityNotExistUser(),
      });
    }
    return {};
  };

  const removeUserFromGroup: H<typeof Ops.RemoveUserFromGroup> = async (ctx, input) => {
    const g = await group(ctx, input.GroupName);
    const u = await user(ctx, input.UserName);
    if (!(await store.removeUserFromGroup(g.groupId, u.userId))) throw E.EntityNotExistGroupUser();
    return {};
  };

  const listGroupsForUser: H<typeof Ops.ListGroupsForUser> = async (ctx, input) => {
    const u = await user(ctx, input.UserName);
    const gs = await store.listGroupsForUser(u.userId);
    return {
      Groups: {
        Group: gs.map((g) => ({
          GroupId: g.groupId,
          GroupName: g.groupName,
          Comments: g.comments,
          JoinDate: wireTime(g.joinedAt),
        })),
      },
    };
  };

  const listUsersForGroup: H<typeof Ops.ListUsersForGroup> = async (ctx, input) => {
    const g = await group(ctx, input.GroupName);
    const page = await store.listUsersForGroup(
      g.groupId,
      pageRequest(input.Marker, input.MaxItems),
    );
    return pageWire(page, 'Users', 'User', (u) => ({
      UserName: u.userName,
      DisplayName: u.displayName,
      JoinDate: wireTime(u.joinedAt),
    }));
  };

  return {
    createRole,
    getRole,
    listRoles,
    updateRole,
    deleteRole,
    createPolicy,
    getPolicy,
    listPolicies,
    updatePolicyDescription,
    deletePolicy,
    createPolicyVersion,
    getPolicyVersion,
    listPolicyVersions,
    setDefaultPolicyVersion,
    deletePolicyVersion,
    listEntitiesForPolicy,
    attachPolicyToRole: attachHandler('Role', 'RoleName'),
    detachPolicyFromRole: detachHandler('Role', 'RoleName'),
    attachPolicyToUser: attachHandler('User', 'UserName'),
    detachPolicyFromUser: detachHandler('User', 'UserName'),
    attachPolicyToGroup: attachHandler('Group', 'GroupName'),
    detachPolicyFromGroup: detachHandler('Group', 'GroupName'),
    listPoliciesForRole: (async (ctx, input) =>
      policiesFor('Role')((await role(ctx, input.RoleName)).roleId)) as H<
      typeof Ops.ListPoliciesForRole
    >,
    listPoliciesForUser: (async (ctx, input) =>
      policiesFor('User')((await user(ctx, input.UserName)).userId)) as H<
      typeof Ops.ListPoliciesForUser
    >,
    listPoliciesForGroup: (async (ctx, input) =>
      policiesFor('Group')((await group(ctx, input.GroupName)).groupId)) as H<
      typeof Ops.ListPoliciesForGroup
    >,
    createUser,
    getUser,
    listUsers,
    updateUser,
    deleteUser,
    createAccessKey,
    listAccessKeys,
    updateAccessKey,
    deleteAccessKey,
    getAccessKeyLastUsed,
    createGroup,
    getGroup,
    listGroups,
    updateGroup,
    deleteGroup,
    addUserToGroup,
    removeUserFromGroup,
    listGroupsForUser,
    listUsersForGroup,
  };
}
