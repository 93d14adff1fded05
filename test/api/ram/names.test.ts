/**
 * RAM names without regard to case, through @alicloud/ram20150501: a case variant of a role,
 * user, group or policy cannot be created; every call naming one finds it in any case and answers
 * its name as created; a system policy is attached by its lower-cased name. Authorisation checks
 * the caller's spelling and the entity's own: a Deny on `role/AppRole` stops `approle` too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';
import { $Ram, ramClient } from '../../../src/testing/sdk.js';
import { failure, outcome } from '../../../src/testing/failure.js';
import {
  OSS_READ_POLICY,
  createRamRole,
  createUserWithKey,
  grantCustomPolicy,
  ramTrustPolicy,
  rootOf,
} from '../../../src/testing/fixtures.js';

let yb: TestServer;
let ram: ReturnType<typeof ramClient>;
beforeAll(async () => {
  yb = await startTestServer();
  ram = ramClient(yb, rootOf(yb));
  await createRamRole(yb, rootOf(yb), 'AppRole', [`acs:ram::${yb.accountId}:root`]);
});
afterAll(async () => {
  await yb?.close();
});

describe('roles', () => {
  it('a case variant is refused; any case finds the role, answered as created', async () => {
    expect(
      await outcome(
        ram.createRole(
          new $Ram.CreateRoleRequest({
            roleName: 'approle',
            assumeRolePolicyDocument: ramTrustPolicy(['*']),
          }),
        ),
      ),
    ).toBe('409 EntityAlreadyExists.Role');
    const r = await ram.getRole(new $Ram.GetRoleRequest({ roleName: 'APPROLE' }));
    expect(r.body!.role).toMatchObject({
      roleName: 'AppRole',
      arn: `acs:ram::${yb.accountId}:role/AppRole`,
    });
    const listed = await ram.listRoles(new $Ram.ListRolesRequest({}));
    expect(listed.body!.roles!.role!.map((x) => x.roleName)).toEqual(['AppRole']);
    const u = await ram.updateRole(
      new $Ram.UpdateRoleRequest({ roleName: 'approle', newDescription: 'found' }),
    );
    expect(u.body!.role).toMatchObject({ roleName: 'AppRole', description: 'found' });
  });

  it('AttachPolicyToRole with a lower-cased system policy; lists show the names as created', async () => {
    await ram.attachPolicyToRole(
      new $Ram.AttachPolicyToRoleRequest({
        policyType: 'System',
        policyName: 'aliyunossreadonlyaccess',
        roleName: 'approle',
      }),
    );
    const l = await ram.listPoliciesForRole(
      new $Ram.ListPoliciesForRoleRequest({ roleName: 'AppRole' }),
    );
    expect(l.body!.policies!.policy!.map((p) => [p.policyName, p.policyType])).toEqual([
      ['AliyunOSSReadOnlyAccess', 'System'],
    ]);
    expect(
      await outcome(
        ram.attachPolicyToRole(
          new $Ram.AttachPolicyToRoleRequest({
            policyType: 'System',
            policyName: 'AliyunOSSReadOnlyAccess',
            roleName: 'AppRole',
          }),
        ),
      ),
    ).toBe('409 EntityAlreadyExists.Role.Policy');
    const p = await ram.getPolicy(
      new $Ram.GetPolicyRequest({ policyName: 'ALIYUNOSSREADONLYACCESS', policyType: 'System' }),
    );
    expect(p.body!.policy!.policyName).toBe('AliyunOSSReadOnlyAccess');
    const e = await ram.listEntitiesForPolicy(
      new $Ram.ListEntitiesForPolicyRequest({
        policyName: 'aliyunossreadonlyaccess',
        policyType: 'System',
      }),
    );
    expect(e.body!.roles!.role!.map((x) => x.roleName)).toEqual(['AppRole']);
    expect(await outcome(ram.deleteRole(new $Ram.DeleteRoleRequest({ roleName: 'approle' })))).toBe(
      '409 DeleteConflict.Role.Policy',
    );
    await ram.detachPolicyFromRole(
      new $Ram.DetachPolicyFromRoleRequest({
        policyType: 'System',
        policyName: 'AliyunOssReadOnlyAccess',
        roleName: 'APProle',
      }),
    );
    const after = await ram.listPoliciesForRole(
      new $Ram.ListPoliciesForRoleRequest({ roleName: 'approle' }),
    );
    expect(after.body!.policies!.policy).toEqual([]);
  });
});

describe('users, groups and policies', () => {
  it('case variants are refused; any case finds them', async () => {
    await ram.createUser(new $Ram.CreateUserRequest({ userName: 'Alice' }));
    expect(await outcome(ram.createUser(new $Ram.CreateUserRequest({ userName: 'alice' })))).toBe(
      '409 EntityAlreadyExists.User',
    );
    expect(
      (await ram.getUser(new $Ram.GetUserRequest({ userName: 'ALICE' }))).body!.user!.userName,
    ).toBe('Alice');
    await ram.createGroup(new $Ram.CreateGroupRequest({ groupName: 'Devs' }));
    expect(await outcome(ram.createGroup(new $Ram.CreateGroupRequest({ groupName: 'devs' })))).toBe(
      '409 EntityAlreadyExists.Group',
    );
    await ram.addUserToGroup(
      new $Ram.AddUserToGroupRequest({ groupName: 'DEVS', userName: 'alice' }),
    );
    const members = await ram.listUsersForGroup(
      new $Ram.ListUsersForGroupRequest({ groupName: 'devs' }),
    );
    expect(members.body!.users!.user!.map((u) => u.userName)).toEqual(['Alice']);
    const groups = await ram.listGroupsForUser(
      new $Ram.ListGroupsForUserRequest({ userName: 'alice' }),
    );
    expect(groups.body!.groups!.group!.map((g) => g.groupName)).toEqual(['Devs']);

    await ram.createPolicy(
      new $Ram.CreatePolicyRequest({ policyName: 'ReadAll', policyDocument: OSS_READ_POLICY }),
    );
    expect(
      await outcome(
        ram.createPolicy(
          new $Ram.CreatePolicyRequest({ policyName: 'readall', policyDocument: OSS_READ_POLICY }),
        ),
      ),
    ).toBe('409 EntityAlreadyExists.Policy');
    const sys = await failure(
      ram.createPolicy(
        new $Ram.CreatePolicyRequest({
          policyName: 'administratoraccess',
          policyDocument: OSS_READ_POLICY,
        }),
      ),
    );
    expect([sys.statusCode, sys.code]).toEqual([409, 'EntityAlreadyExists.Policy']);
    expect(sys.data.Message).toContain('AdministratorAccess');
    await ram.attachPolicyToUser(
      new $Ram.AttachPolicyToUserRequest({
        policyType: 'Custom',
        policyName: 'READALL',
        userName: 'aLiCe',
      }),
    );
    const forUser = await ram.listPoliciesForUser(
      new $Ram.ListPoliciesForUserRequest({ userName: 'alice' }),
    );
    expect(forUser.body!.policies!.policy!.map((p) => p.policyName)).toEqual(['ReadAll']);
  });
});

describe('authorisation sees both spellings', () => {
  it('a Deny on the real name stops a call in another case; an Allow must cover both', async () => {
    const admin = await createUserWithKey(yb, rootOf(yb), 'careful');
    await grantCustomPolicy(yb, rootOf(yb), 'careful', 'KeepAppRole', [
      { Effect: 'Allow', Action: 'ram:*', Resource: '*' },
      {
        Effect: 'Deny',
        Action: 'ram:DeleteRole',
        Resource: `acs:ram:*:${yb.accountId}:role/AppRole`,
      },
    ]);
    const e = await failure(
      ramClient(yb, admin).deleteRole(new $Ram.DeleteRoleRequest({ roleName: 'approle' })),
    );
    expect([e.statusCode, e.code]).toEqual([403, 'NoPermission']);
    expect(e.data.AccessDeniedDetail.NoPermissionType).toBe('ExplicitDeny');
    const why = JSON.parse(
      Buffer.from(e.data.AccessDeniedDetail.EncodedDiagnosticMessage, 'base64').toString(),
    );
    expect(why.AuthResource).toBe(`acs:ram::${yb.accountId}:role/AppRole`);
    expect((await ram.getRole(new $Ram.GetRoleRequest({ roleName: 'AppRole' }))).statusCode).toBe(
      200,
    );

    const reader = await createUserWithKey(yb, rootOf(yb), 'reader');
    await grantCustomPolicy(yb, rootOf(yb), 'reader', 'ReadAppRole', [
      {
        Effect: 'Allow',
        Action: 'ram:GetRole',
        Resource: `acs:ram:*:${yb.accountId}:role/AppRole`,
      },
    ]);
    const asReader = ramClient(yb, reader);
    await asReader.getRole(new $Ram.GetRoleRequest({ roleName: 'AppRole' }));
    expect(await outcome(asReader.getRole(new $Ram.GetRoleRequest({ roleName: 'approle' })))).toBe(
      '403 NoPermission',
    );
  });
});
