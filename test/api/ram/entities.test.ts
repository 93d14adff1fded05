/**
 * RAM entities through @alicloud/ram20150501: users, access keys, groups, policy versions,
 * List* pagination, and deletion of entities still in use refused with RAM's codes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';
import { $Ram, ramClient } from '../../../src/testing/sdk.js';
import { outcome } from '../../../src/testing/failure.js';
import { OSS_READ_POLICY, ramTrustPolicy, rootOf } from '../../../src/testing/fixtures.js';

let yb: TestServer;
let ram: ReturnType<typeof ramClient>;
beforeAll(async () => {
  yb = await startTestServer();
  ram = ramClient(yb, rootOf(yb));
});
afterAll(async () => {
  await yb?.close();
});

describe('users and access keys', () => {
  it('create, read, update, list keys, disable, delete in order', async () => {
    const u = await ram.createUser(
      new $Ram.CreateUserRequest({
        userName: 'dev',
        displayName: 'Dev One',
        email: 'dev@example.com',
        comments: 'c',
      }),
    );
    expect(u.body!.user).toMatchObject({
      userName: 'dev',
      displayName: 'Dev One',
      email: 'dev@example.com',
    });
    expect(await outcome(ram.createUser(new $Ram.CreateUserRequest({ userName: 'dev' })))).toBe(
      '409 EntityAlreadyExists.User',
    );
    expect(
      await outcome(ram.createUser(new $Ram.CreateUserRequest({ userName: 'bad name' }))),
    ).toBe('400 InvalidParameter.UserName.InvalidChars');
    expect(
      await outcome(ram.createUser(new $Ram.CreateUserRequest({ userName: 'x', email: 'nope' }))),
    ).toBe('400 InvalidParameter.Email.Format');
    const k1 = await ram.createAccessKey(new $Ram.CreateAccessKeyRequest({ userName: 'dev' }));
    expect(k1.body!.accessKey!.accessKeySecret).toMatch(/^\w{30}$/);
    await ram.createAccessKey(new $Ram.CreateAccessKeyRequest({ userName: 'dev' }));
    expect(
      await outcome(ram.createAccessKey(new $Ram.CreateAccessKeyRequest({ userName: 'dev' }))),
    ).toBe('409 LimitExceeded.User.AccessKey');
    const keys = await ram.listAccessKeys(new $Ram.ListAccessKeysRequest({ userName: 'dev' }));
    expect(keys.body!.accessKeys!.accessKey!.map((k) => k.status)).toEqual(['Active', 'Active']);
    expect(JSON.stringify(keys.body)).not.toContain(k1.body!.accessKey!.accessKeySecret!);
    await ram.updateAccessKey(
      new $Ram.UpdateAccessKeyRequest({
        userName: 'dev',
        userAccessKeyId: k1.body!.accessKey!.accessKeyId!,
        status: 'Inactive',
      }),
    );
    expect(await outcome(ram.deleteUser(new $Ram.DeleteUserRequest({ userName: 'dev' })))).toBe(
      '409 DeleteConflict.User.AccessKey',
    );
    for (const k of keys.body!.accessKeys!.accessKey!) {
      await ram.deleteAccessKey(
        new $Ram.DeleteAccessKeyRequest({ userName: 'dev', userAccessKeyId: k.accessKeyId! }),
      );
    }
    expect(
      await outcome(
        ram.deleteAccessKey(
          new $Ram.DeleteAccessKeyRequest({ userName: 'dev', userAccessKeyId: 'LTAInope' }),
        ),
      ),
    ).toBe('404 EntityNotExist.User.AccessKey');
    const upd = await ram.updateUser(
      new $Ram.UpdateUserRequest({
        userName: 'dev',
        newDisplayName: 'Dev Two',
        newUserName: 'dev2',
      }),
    );
    expect(upd.body!.user).toMatchObject({ userName: 'dev2', displayName: 'Dev Two' });
    await ram.deleteUser(new $Ram.DeleteUserRequest({ userName: 'dev2' }));
    expect(await outcome(ram.getUser(new $Ram.GetUserRequest({ userName: 'dev2' })))).toBe(
      '404 EntityNotExist.User',
    );
  });
});

describe('groups', () => {
  it('membership, listing, deletion refused while members remain', async () => {
    await ram.createUser(new $Ram.CreateUserRequest({ userName: 'g-user' }));
    await ram.createGroup(new $Ram.CreateGroupRequest({ groupName: 'team', comments: 'the team' }));
    await ram.addUserToGroup(
      new $Ram.AddUserToGroupRequest({ groupName: 'team', userName: 'g-user' }),
    );
    expect(
      await outcome(
        ram.addUserToGroup(
          new $Ram.AddUserToGroupRequest({ groupName: 'team', userName: 'g-user' }),
        ),
      ),
    ).toBe('409 EntityAlreadyExists.Group.User');
    const members = await ram.listUsersForGroup(
      new $Ram.ListUsersForGroupRequest({ groupName: 'team' }),
    );
    expect(members.body!.users!.user!.map((u) => u.userName)).toEqual(['g-user']);
    const groups = await ram.listGroupsForUser(
      new $Ram.ListGroupsForUserRequest({ userName: 'g-user' }),
    );
    expect(groups.body!.groups!.group!.map((g) => g.groupName)).toEqual(['team']);
    expect(await outcome(ram.deleteGroup(new $Ram.DeleteGroupRequest({ groupName: 'team' })))).toBe(
      '409 DeleteConflict.Group.User',
    );
    expect(await outcome(ram.deleteUser(new $Ram.DeleteUserRequest({ userName: 'g-user' })))).toBe(
      '409 DeleteConflict.User.Group',
    );
    await ram.removeUserFromGroup(
      new $Ram.RemoveUserFromGroupRequest({ groupName: 'team', userName: 'g-user' }),
    );
    await ram.deleteGroup(new $Ram.DeleteGroupRequest({ groupName: 'team' }));
    await ram.deleteUser(new $Ram.DeleteUserRequest({ userName: 'g-user' }));
  });
});

describe('policies', () => {
  it('versions: create, set default, limit, rotate, delete', async () => {
    await ram.createPolicy(
      new $Ram.CreatePolicyRequest({ policyName: 'ver', policyDocument: OSS_READ_POLICY }),
    );
    expect(
      await outcome(
        ram.createPolicy(
          new $Ram.CreatePolicyRequest({ policyName: 'ver', policyDocument: OSS_READ_POLICY }),
        ),
      ),
    ).toBe('409 EntityAlreadyExists.Policy');
    expect(
      await outcome(
        ram.createPolicy(
          new $Ram.CreatePolicyRequest({
            policyName: 'AdministratorAccess',
            policyDocument: OSS_READ_POLICY,
          }),
        ),
      ),
    ).toBe('409 EntityAlreadyExists.Policy');
    for (let i = 0; i < 4; i++) {
      await ram.createPolicyVersion(
        new $Ram.CreatePolicyVersionRequest({ policyName: 'ver', policyDocument: OSS_READ_POLICY }),
      );
    }
    expect(
      await outcome(
        ram.createPolicyVersion(
          new $Ram.CreatePolicyVersionRequest({
            policyName: 'ver',
            policyDocument: OSS_READ_POLICY,
          }),
        ),
      ),
    ).toBe('409 LimitExceeded.Policy.Version');
    const v = await ram.createPolicyVersion(
      new $Ram.CreatePolicyVersionRequest({
        policyName: 'ver',
        policyDocument: OSS_READ_POLICY,
        setAsDefault: true,
        rotateStrategy: 'DeleteOldestNonDefaultVersionWhenLimitExceeded',
      }),
    );
    expect(v.body!.policyVersion).toMatchObject({ versionId: 'v6', isDefaultVersion: true });
    const list = await ram.listPolicyVersions(
      new $Ram.ListPolicyVersionsRequest({ policyName: 'ver', policyType: 'Custom' }),
    );
    expect(list.body!.policyVersions!.policyVersion!.map((x) => x.versionId)).toEqual([
      'v1',
      'v3',
      'v4',
      'v5',
      'v6',
    ]);
    expect(
      await outcome(
        ram.deletePolicyVersion(
          new $Ram.DeletePolicyVersionRequest({ policyName: 'ver', versionId: 'v6' }),
        ),
      ),
    ).toBe('409 DeleteConflict.Policy.Version.Default');
    await ram.setDefaultPolicyVersion(
      new $Ram.SetDefaultPolicyVersionRequest({ policyName: 'ver', versionId: 'v3' }),
    );
    const got = await ram.getPolicyVersion(
      new $Ram.GetPolicyVersionRequest({
        policyName: 'ver',
        policyType: 'Custom',
        versionId: 'v3',
      }),
    );
    expect(got.body!.policyVersion!.isDefaultVersion).toBe(true);
    expect(
      await outcome(ram.deletePolicy(new $Ram.DeletePolicyRequest({ policyName: 'ver' }))),
    ).toBe('409 DeleteConflict.Policy.Version');
    await ram.deletePolicy(
      new $Ram.DeletePolicyRequest({ policyName: 'ver', cascadingDelete: true }),
    );
    expect(
      await outcome(
        ram.getPolicy(new $Ram.GetPolicyRequest({ policyName: 'ver', policyType: 'Custom' })),
      ),
    ).toBe('404 EntityNotExist.Policy');
  });

  it('system policies are listed and cannot be changed or deleted', async () => {
    const sys = await ram.listPolicies(
      new $Ram.ListPoliciesRequest({ policyType: 'System', maxItems: 1000 }),
    );
    const names = sys.body!.policies!.policy!.map((p) => p.policyName);
    for (const n of [
      'AdministratorAccess',
      'AliyunOSSFullAccess',
      'AliyunOSSReadOnlyAccess',
      'AliyunSTSAssumeRoleAccess',
      'AliyunECSFullAccess',
      'AliyunRAMFullAccess',
      'AliyunRAMReadOnlyAccess',
    ]) {
      expect(names).toContain(n);
    }
    const ro = await ram.getPolicy(
      new $Ram.GetPolicyRequest({ policyName: 'AliyunOSSReadOnlyAccess', policyType: 'System' }),
    );
    expect(JSON.parse(ro.body!.defaultPolicyVersion!.policyDocument!).Statement[0].Action).toEqual([
      'oss:Get*',
      'oss:List*',
    ]);
    expect(
      await outcome(
        ram.deletePolicy(new $Ram.DeletePolicyRequest({ policyName: 'AdministratorAccess' })),
      ),
    ).toBe('403 NoPermission.SystemPolicy');
    expect(
      await outcome(
        ram.getPolicy(new $Ram.GetPolicyRequest({ policyName: 'x', policyType: 'Other' })),
      ),
    ).toBe('400 InvalidParameter.PolicyType');
  });

  it('malformed documents are refused with the reason and location', async () => {
    let e: any;
    try {
      await ram.createPolicy(
        new $Ram.CreatePolicyRequest({
          policyName: 'broken',
          policyDocument: JSON.stringify({
            Version: '1',
            Statement: [
              {
                Effect: 'Allow',
                Action: 'oss:Get*',
                Resource: '*',
                Condition: { NoSuchOperator: { 'acs:SourceIp': '1.2.3.4' } },
              },
            ],
          }),
        }),
      );
    } catch (err) {
      e = err;
    }
    expect(e.code).toBe('MalformedPolicyDocument');
    expect(e.data.Message).toMatch(/NoSuchOperator/);
    expect(e.data.Message).toMatch(/\/Statement\/0\/Condition/);
  });
});

describe('pagination and in-use deletion', () => {
  it('ListRoles pages with MaxItems and Marker', async () => {
    for (let i = 0; i < 7; i++) {
      await ram.createRole(
        new $Ram.CreateRoleRequest({
          roleName: `page-${i}`,
          assumeRolePolicyDocument: ramTrustPolicy(['*']),
        }),
      );
    }
    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const r = await ram.listRoles(
        new $Ram.ListRolesRequest({ maxItems: 3, ...(marker ? { marker } : {}) }),
      );
      seen.push(...r.body!.roles!.role!.map((x) => x.roleName!));
      marker = r.body!.isTruncated ? r.body!.marker : undefined;
      expect(r.body!.roles!.role!.length).toBeLessThanOrEqual(3);
      pages++;
    } while (marker);
    expect(seen.filter((n) => n.startsWith('page-'))).toEqual(
      Array.from({ length: 7 }, (_, i) => `page-${i}`),
    );
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(await outcome(ram.listRoles(new $Ram.ListRolesRequest({ marker: '!!' })))).toBe(
      '400 InvalidParameter.Marker',
    );
    expect(await outcome(ram.listRoles(new $Ram.ListRolesRequest({ maxItems: 0 })))).toBe(
      '400 InvalidParameter.MaxItems',
    );
  });

  it('a policy attached to a role cannot be deleted, nor the role', async () => {
    await ram.createRole(
      new $Ram.CreateRoleRequest({
        roleName: 'busy',
        assumeRolePolicyDocument: ramTrustPolicy(['*']),
      }),
    );
    await ram.createPolicy(
      new $Ram.CreatePolicyRequest({ policyName: 'busy-pol', policyDocument: OSS_READ_POLICY }),
    );
    await ram.attachPolicyToRole(
      new $Ram.AttachPolicyToRoleRequest({
        roleName: 'busy',
        policyType: 'Custom',
        policyName: 'busy-pol',
      }),
    );
    expect(
      await outcome(
        ram.attachPolicyToRole(
          new $Ram.AttachPolicyToRoleRequest({
            roleName: 'busy',
            policyType: 'Custom',
            policyName: 'busy-pol',
          }),
        ),
      ),
    ).toBe('409 EntityAlreadyExists.Role.Policy');
    expect(
      await outcome(ram.deletePolicy(new $Ram.DeletePolicyRequest({ policyName: 'busy-pol' }))),
    ).toBe('409 DeleteConflict.Policy.Role');
    expect(await outcome(ram.deleteRole(new $Ram.DeleteRoleRequest({ roleName: 'busy' })))).toBe(
      '409 DeleteConflict.Role.Policy',
    );
    await ram.detachPolicyFromRole(
      new $Ram.DetachPolicyFromRoleRequest({
        roleName: 'busy',
        policyType: 'Custom',
        policyName: 'busy-pol',
      }),
    );
    expect(
      await outcome(
        ram.detachPolicyFromRole(
          new $Ram.DetachPolicyFromRoleRequest({
            roleName: 'busy',
            policyType: 'Custom',
            policyName: 'busy-pol',
          }),
        ),
      ),
    ).toBe('404 EntityNotExist.Role.Policy');
    await ram.deleteRole(new $Ram.DeleteRoleRequest({ roleName: 'busy' }));
    await ram.deletePolicy(new $Ram.DeletePolicyRequest({ policyName: 'busy-pol' }));
  });
});
