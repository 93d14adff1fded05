/**
 * Every RAM Update* through @alicloud/ram20150501 against a real server (SQLite with its read
 * caches by default, PostgreSQL with YUNBOX_TEST_STORE=postgres): the response and a following
 * Get* (or List*) show the change. UpdateRole is read first so that the role is in the cache when
 * it is updated (it answered 500 InternalError for that).
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

describe('UpdateRole', () => {
  const trustA = () => ramTrustPolicy([`acs:ram::${yb.accountId}:root`]);
  const trustB = () => ramTrustPolicy([`acs:ram::${yb.accountId}:user/ci`]);
  const getRole = async (roleName: string) =>
    (await ram.getRole(new $Ram.GetRoleRequest({ roleName }))).body!.role!;

  it('changes each parameter alone, then all together, as the response and GetRole show', async () => {
    await ram.createRole(
      new $Ram.CreateRoleRequest({
        roleName: 'Updated',
        assumeRolePolicyDocument: trustA(),
        description: 'first',
      }),
    );
    const created = await getRole('Updated');
    const steps: Array<[Partial<$Ram.UpdateRoleRequest>, Partial<$Ram.GetRoleResponseBodyRole>]> = [
      [{ newDescription: 'second' }, { description: 'second' }],
      [{ newAssumeRolePolicyDocument: trustB() }, { assumeRolePolicyDocument: trustB() }],
      [{ newMaxSessionDuration: 7200 }, { maxSessionDuration: 7200 }],
      [
        {
          newDescription: 'all',
          newAssumeRolePolicyDocument: trustA(),
          newMaxSessionDuration: 43200,
        },
        { description: 'all', assumeRolePolicyDocument: trustA(), maxSessionDuration: 43200 },
      ],
      [{ newDescription: '' }, { description: '', maxSessionDuration: 43200 }],
      [{}, { description: '', maxSessionDuration: 43200 }],
    ];
    for (const [change, shown] of steps) {
      await getRole('Updated'); // cached now, on SQLite
      const r = await ram.updateRole(
        new $Ram.UpdateRoleRequest({ roleName: 'Updated', ...change }),
      );
      expect(r.statusCode).toBe(200);
      expect(r.body!.role).toMatchObject({
        roleName: 'Updated',
        roleId: created.roleId,
        arn: created.arn,
        ...shown,
      });
      expect(await getRole('Updated')).toMatchObject({ roleId: created.roleId, ...shown });
    }
    expect((await getRole('Updated')).createDate).toBe(created.createDate);
  });

  it('refuses a bad document or duration and a missing role, changing nothing', async () => {
    const before = await getRole('Updated');
    expect(
      await outcome(
        ram.updateRole(
          new $Ram.UpdateRoleRequest({ roleName: 'Updated', newAssumeRolePolicyDocument: '{' }),
        ),
      ),
    ).toBe('400 MalformedPolicyDocument');
    expect(
      await outcome(
        ram.updateRole(
          new $Ram.UpdateRoleRequest({ roleName: 'Updated', newMaxSessionDuration: 60 }),
        ),
      ),
    ).toBe('400 InvalidParameter.MaxSessionDuration');
    expect(
      await outcome(
        ram.updateRole(new $Ram.UpdateRoleRequest({ roleName: 'nope', newDescription: 'x' })),
      ),
    ).toBe('404 EntityNotExist.Role');
    expect(await getRole('Updated')).toEqual(before);
  });
});

describe('UpdateUser', () => {
  it('changes each field, renames, and refuses a name taken in any case', async () => {
    await ram.createUser(new $Ram.CreateUserRequest({ userName: 'u-old' }));
    await ram.createUser(new $Ram.CreateUserRequest({ userName: 'Taken' }));
    const r = await ram.updateUser(
      new $Ram.UpdateUserRequest({
        userName: 'u-old',
        newDisplayName: 'New Name',
        newEmail: 'new@example.com',
        newMobilePhone: '86-18600000000',
        newComments: 'changed',
      }),
    );
    const shown = {
      userName: 'u-old',
      displayName: 'New Name',
      email: 'new@example.com',
      mobilePhone: '86-18600000000',
      comments: 'changed',
    };
    expect(r.body!.user).toMatchObject(shown);
    expect(
      (await ram.getUser(new $Ram.GetUserRequest({ userName: 'u-old' }))).body!.user,
    ).toMatchObject(shown);
    expect(
      await outcome(
        ram.updateUser(new $Ram.UpdateUserRequest({ userName: 'u-old', newUserName: 'TAKEN' })),
      ),
    ).toBe('409 EntityAlreadyExists.User');
    const renamed = await ram.updateUser(
      new $Ram.UpdateUserRequest({ userName: 'u-old', newUserName: 'U-New' }),
    );
    expect(renamed.body!.user).toMatchObject({ ...shown, userName: 'U-New' });
    expect(await outcome(ram.getUser(new $Ram.GetUserRequest({ userName: 'u-old' })))).toBe(
      '404 EntityNotExist.User',
    );
    const got = await ram.getUser(new $Ram.GetUserRequest({ userName: 'u-new' }));
    expect(got.body!.user).toMatchObject({ ...shown, userName: 'U-New' });
    // A case-only rename of one's own name is a rename.
    await ram.updateUser(new $Ram.UpdateUserRequest({ userName: 'u-new', newUserName: 'u-new' }));
    const listed = await ram.listUsers(new $Ram.ListUsersRequest({}));
    expect(listed.body!.users!.user!.map((u) => u.userName)).toContain('u-new');
  });
});

describe('UpdateGroup', () => {
  it('changes comments, renames, and refuses a name taken in any case', async () => {
    await ram.createGroup(new $Ram.CreateGroupRequest({ groupName: 'g-old', comments: 'a' }));
    await ram.createGroup(new $Ram.CreateGroupRequest({ groupName: 'Other' }));
    const r = await ram.updateGroup(
      new $Ram.UpdateGroupRequest({ groupName: 'g-old', newComments: 'b' }),
    );
    expect(r.body!.group).toMatchObject({ groupName: 'g-old', comments: 'b' });
    expect(
      (await ram.getGroup(new $Ram.GetGroupRequest({ groupName: 'g-old' }))).body!.group,
    ).toMatchObject({ groupName: 'g-old', comments: 'b' });
    expect(
      await outcome(
        ram.updateGroup(new $Ram.UpdateGroupRequest({ groupName: 'g-old', newGroupName: 'OTHER' })),
      ),
    ).toBe('409 EntityAlreadyExists.Group');
    const renamed = await ram.updateGroup(
      new $Ram.UpdateGroupRequest({ groupName: 'g-old', newGroupName: 'G-New', newComments: 'c' }),
    );
    expect(renamed.body!.group).toMatchObject({ groupName: 'G-New', comments: 'c' });
    expect(
      (await ram.getGroup(new $Ram.GetGroupRequest({ groupName: 'g-new' }))).body!.group,
    ).toMatchObject({ groupName: 'G-New', comments: 'c' });
  });
});

describe('UpdatePolicyDescription', () => {
  it('changes the description; system policies are refused', async () => {
    await ram.createPolicy(
      new $Ram.CreatePolicyRequest({
        policyName: 'Described',
        policyDocument: OSS_READ_POLICY,
        description: 'old',
      }),
    );
    const r = await ram.updatePolicyDescription(
      new $Ram.UpdatePolicyDescriptionRequest({ policyName: 'Described', newDescription: 'new' }),
    );
    expect(r.body!.policy).toMatchObject({ policyName: 'Described', description: 'new' });
    const got = await ram.getPolicy(
      new $Ram.GetPolicyRequest({ policyName: 'Described', policyType: 'Custom' }),
    );
    expect(got.body!.policy).toMatchObject({ policyName: 'Described', description: 'new' });
    expect(
      await outcome(
        ram.updatePolicyDescription(
          new $Ram.UpdatePolicyDescriptionRequest({
            policyName: 'AliyunOSSReadOnlyAccess',
            newDescription: 'x',
          }),
        ),
      ),
    ).toBe('403 NoPermission.SystemPolicy');
  });
});

describe('UpdateAccessKey', () => {
  it('deactivates and reactivates a key, as ListAccessKeys shows', async () => {
    await ram.createUser(new $Ram.CreateUserRequest({ userName: 'keyed' }));
    const k = await ram.createAccessKey(new $Ram.CreateAccessKeyRequest({ userName: 'keyed' }));
    const id = k.body!.accessKey!.accessKeyId!;
    const status = async () =>
      (
        await ram.listAccessKeys(new $Ram.ListAccessKeysRequest({ userName: 'keyed' }))
      ).body!.accessKeys!.accessKey!.find((x) => x.accessKeyId === id)!.status;
    for (const s of ['Inactive', 'Active', 'Inactive']) {
      const r = await ram.updateAccessKey(
        new $Ram.UpdateAccessKeyRequest({ userName: 'keyed', userAccessKeyId: id, status: s }),
      );
      expect(r.statusCode).toBe(200);
      expect(await status()).toBe(s);
    }
  });
});
