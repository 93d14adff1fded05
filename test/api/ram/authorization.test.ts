/**
 * Every control-plane call is authorised: root may do anything; a RAM user needs an Allow from its
 * own or its groups' policies; an assumed-role session gets its role's policies intersected with
 * the session policy. Denials name what decided.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';
import { $Ram, $Sts, ramClient, stsClient } from '../../../src/testing/sdk.js';
import { failure } from '../../../src/testing/failure.js';
import {
  ECS_TRUST_POLICY,
  createRamRole,
  createUserWithKey,
  grantCustomPolicy,
  ramTrustPolicy,
  rootOf,
  sessionCredentials,
} from '../../../src/testing/fixtures.js';

let yb: TestServer;
beforeAll(async () => {
  yb = await startTestServer();
});
afterAll(async () => {
  await yb?.close();
});

describe('RAM authorisation', () => {
  it('a user with no policy can do nothing; the denial says nothing allowed it', async () => {
    const u = await createUserWithKey(yb, rootOf(yb), 'nobody');
    const e = await failure(ramClient(yb, u).listRoles(new $Ram.ListRolesRequest({})));
    expect(e.code).toBe('NoPermission');
    expect(e.statusCode).toBe(403);
    expect(e.data.Message).toContain('ram:ListRoles');
    expect(e.data.AccessDeniedDetail).toMatchObject({
      AuthAction: 'ram:ListRoles',
      AuthPrincipalType: 'SubUser',
      AuthPrincipalDisplayName: 'nobody',
      NoPermissionType: 'ImplicitDeny',
    });
  });

  it('read-only policy: reads allowed, writes refused', async () => {
    const u = await createUserWithKey(yb, rootOf(yb), 'reader', ['AliyunRAMReadOnlyAccess']);
    const ram = ramClient(yb, u);
    await ram.listRoles(new $Ram.ListRolesRequest({}));
    await ram.listPolicies(new $Ram.ListPoliciesRequest({ policyType: 'System' }));
    const e = await failure(
      ram.createRole(
        new $Ram.CreateRoleRequest({
          roleName: 'x',
          assumeRolePolicyDocument: ramTrustPolicy(['*']),
        }),
      ),
    );
    expect(e.code).toBe('NoPermission');
    expect(e.data.Message).toContain('ram:CreateRole');
  });

  it('group policies apply to members; an explicit Deny wins and is named', async () => {
    const root = ramClient(yb, rootOf(yb));
    const u = await createUserWithKey(yb, rootOf(yb), 'member');
    await root.createGroup(new $Ram.CreateGroupRequest({ groupName: 'admins' }));
    await root.addUserToGroup(
      new $Ram.AddUserToGroupRequest({ groupName: 'admins', userName: 'member' }),
    );
    await root.attachPolicyToGroup(
      new $Ram.AttachPolicyToGroupRequest({
        groupName: 'admins',
        policyType: 'System',
        policyName: 'AliyunRAMFullAccess',
      }),
    );
    const ram = ramClient(yb, u);
    await ram.createRole(
      new $Ram.CreateRoleRequest({
        roleName: 'made-by-member',
        assumeRolePolicyDocument: ramTrustPolicy(['*']),
      }),
    );
    await grantCustomPolicy(yb, rootOf(yb), 'member', 'no-delete-roles', [
      { Sid: 'KeepRoles', Effect: 'Deny', Action: 'ram:DeleteRole', Resource: '*' },
    ]);
    const e = await failure(
      ram.deleteRole(new $Ram.DeleteRoleRequest({ roleName: 'made-by-member' })),
    );
    expect(e.code).toBe('NoPermission');
    expect(e.data.Message).toContain('no-delete-roles');
    expect(e.data.AccessDeniedDetail.NoPermissionType).toBe('ExplicitDeny');
    const decoded = JSON.parse(
      Buffer.from(e.data.AccessDeniedDetail.EncodedDiagnosticMessage, 'base64').toString(),
    );
    expect(decoded.MatchedPolicies[0]).toMatchObject({
      PolicyIdentifier: 'no-delete-roles',
      Effect: 'Deny',
    });
  });

  it('role session: role policies intersected with the session policy', async () => {
    const u = await createUserWithKey(yb, rootOf(yb), 'assumer', ['AliyunSTSAssumeRoleAccess']);
    await createRamRole(yb, rootOf(yb), 'ram-reader', [`acs:ram::${yb.accountId}:user/assumer`], {
      systemPolicies: ['AliyunRAMReadOnlyAccess'],
    });
    const session = async (policy?: object) => {
      const r = await stsClient(yb, u).assumeRole(
        new $Sts.AssumeRoleRequest({
          roleArn: `acs:ram::${yb.accountId}:role/ram-reader`,
          roleSessionName: 'sess',
          ...(policy ? { policy: JSON.stringify(policy) } : {}),
        }),
      );
      return ramClient(yb, sessionCredentials(r.body!.credentials!));
    };
    const full = await session();
    await full.listRoles(new $Ram.ListRolesRequest({}));
    await full.listUsers(new $Ram.ListUsersRequest({}));
    const e1 = await failure(full.createUser(new $Ram.CreateUserRequest({ userName: 'nope' })));
    expect(e1.code).toBe('NoPermission');

    const narrowed = await session({
      Version: '1',
      Statement: [{ Effect: 'Allow', Action: 'ram:ListRoles', Resource: '*' }],
    });
    await narrowed.listRoles(new $Ram.ListRolesRequest({}));
    const e2 = await failure(narrowed.listUsers(new $Ram.ListUsersRequest({})));
    expect(e2.code).toBe('NoPermission');
    expect(e2.data.AccessDeniedDetail.AuthPrincipalType).toBe('AssumedRoleUser');

    // A session policy can never add what the role does not have.
    const widened = await session({
      Version: '1',
      Statement: [{ Effect: 'Allow', Action: 'ram:*', Resource: '*' }],
    });
    const e3 = await failure(widened.createUser(new $Ram.CreateUserRequest({ userName: 'nope2' })));
    expect(e3.code).toBe('NoPermission');
  });

  it('the trust policy decides who may assume a role, and says so', async () => {
    const u = await createUserWithKey(yb, rootOf(yb), 'untrusted', ['AliyunSTSAssumeRoleAccess']);
    await ramClient(yb, rootOf(yb)).createRole(
      new $Ram.CreateRoleRequest({
        roleName: 'ecs-only',
        assumeRolePolicyDocument: ECS_TRUST_POLICY,
      }),
    );
    const e = await failure(
      stsClient(yb, u).assumeRole(
        new $Sts.AssumeRoleRequest({
          roleArn: `acs:ram::${yb.accountId}:role/ecs-only`,
          roleSessionName: 'x1',
        }),
      ),
    );
    expect(e.code).toBe('NoPermission');
    expect(e.data.Message).toContain('trust policy');
  });
});
