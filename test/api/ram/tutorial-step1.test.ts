/**
 * The tutorial's step 1 (../shared/seed): CreateRole "EcsRamRoleTest" trusting ecs.aliyuncs.com,
 * CreatePolicy "EcsRamRolePolicyTest" (oss:Get*, oss:List*), AttachPolicyToRole (Custom), then
 * read them back — with @alicloud/ram20150501 (ACS3 and v1) and @alicloud/pop-core.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';
import { $Ram, popClient, ramClient } from '../../../src/testing/sdk.js';
import { ECS_TRUST_POLICY, OSS_READ_POLICY, rootOf } from '../../../src/testing/fixtures.js';

let yb: TestServer;
beforeAll(async () => {
  yb = await startTestServer();
});
afterAll(async () => {
  await yb?.close();
});

describe('tutorial step 1 with @alicloud/ram20150501 (ACS3)', () => {
  it('creates the role, the policy, attaches it and reads them back', async () => {
    const ram = ramClient(yb, rootOf(yb));
    const role = await ram.createRole(
      new $Ram.CreateRoleRequest({
        roleName: 'EcsRamRoleTest',
        assumeRolePolicyDocument: ECS_TRUST_POLICY,
        description: 'tutorial role',
      }),
    );
    expect(role.statusCode).toBe(200);
    expect(role.body!.requestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(role.body!.role).toMatchObject({
      roleName: 'EcsRamRoleTest',
      arn: `acs:ram::${yb.accountId}:role/EcsRamRoleTest`,
      assumeRolePolicyDocument: ECS_TRUST_POLICY,
      description: 'tutorial role',
      maxSessionDuration: 3600,
    });
    expect(role.body!.role!.roleId).toMatch(/^\d{16,19}$/);
    expect(role.body!.role!.createDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const policy = await ram.createPolicy(
      new $Ram.CreatePolicyRequest({
        policyName: 'EcsRamRolePolicyTest',
        policyDocument: OSS_READ_POLICY,
      }),
    );
    expect(policy.body!.policy).toMatchObject({
      policyName: 'EcsRamRolePolicyTest',
      policyType: 'Custom',
      defaultVersion: 'v1',
    });

    await ram.attachPolicyToRole(
      new $Ram.AttachPolicyToRoleRequest({
        policyType: 'Custom',
        policyName: 'EcsRamRolePolicyTest',
        roleName: 'EcsRamRoleTest',
      }),
    );

    const got = await ram.getRole(new $Ram.GetRoleRequest({ roleName: 'EcsRamRoleTest' }));
    expect(got.body!.role!.assumeRolePolicyDocument).toBe(ECS_TRUST_POLICY);
    expect(got.body!.role!.updateDate).toMatch(/Z$/);

    const attached = await ram.listPoliciesForRole(
      new $Ram.ListPoliciesForRoleRequest({ roleName: 'EcsRamRoleTest' }),
    );
    expect(attached.body!.policies!.policy!.map((p) => [p.policyName, p.policyType])).toEqual([
      ['EcsRamRolePolicyTest', 'Custom'],
    ]);

    const gp = await ram.getPolicy(
      new $Ram.GetPolicyRequest({ policyName: 'EcsRamRolePolicyTest', policyType: 'Custom' }),
    );
    expect(gp.body!.defaultPolicyVersion!.policyDocument).toBe(OSS_READ_POLICY);
    expect(gp.body!.policy!.attachmentCount).toBe(1);

    const entities = await ram.listEntitiesForPolicy(
      new $Ram.ListEntitiesForPolicyRequest({
        policyName: 'EcsRamRolePolicyTest',
        policyType: 'Custom',
      }),
    );
    expect(entities.body!.roles!.role!.map((r) => r.roleName)).toEqual(['EcsRamRoleTest']);
  });

  it('works with signature v1 (signatureAlgorithm v2) too', async () => {
    const ram = ramClient(yb, rootOf(yb), { signatureAlgorithm: 'v2' });
    const roles = await ram.listRoles(new $Ram.ListRolesRequest({}));
    expect(roles.body!.roles!.role!.some((r) => r.roleName === 'EcsRamRoleTest')).toBe(true);
  });
});

describe('tutorial step 1 with @alicloud/pop-core (signature v1, GET and POST)', () => {
  it('creates, attaches and reads back', async () => {
    const pop = popClient(yb, rootOf(yb), '2015-05-01');
    const created = await pop.request('CreateRole', {
      RoleName: 'PopRole',
      AssumeRolePolicyDocument: ECS_TRUST_POLICY,
    });
    expect(created.Role.RoleName).toBe('PopRole');
    await pop.request(
      'CreatePolicy',
      {
        PolicyName: 'PopPolicy',
        PolicyDocument: OSS_READ_POLICY,
        Description: "read * ( ) ! ' ~ 中文",
      },
      { method: 'POST' },
    );
    await pop.request('AttachPolicyToRole', {
      PolicyType: 'Custom',
      PolicyName: 'PopPolicy',
      RoleName: 'PopRole',
    });
    const got = await pop.request('GetPolicy', { PolicyName: 'PopPolicy', PolicyType: 'Custom' });
    expect(got.Policy.Description).toBe("read * ( ) ! ' ~ 中文");
    const listed = await pop.request(
      'ListPoliciesForRole',
      { RoleName: 'PopRole' },
      { method: 'POST' },
    );
    expect(listed.Policies.Policy).toHaveLength(1);
  });

  it('answers XML when Format=XML is asked', async () => {
    const res = await fetch(`${yb.endpoint}/?Action=GetRole&Version=2015-05-01&Format=XML`);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('text/xml;charset=utf-8');
    const text = await res.text();
    expect(text).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?><Error><RequestId>[0-9A-F-]+<\/RequestId>/,
    );
    expect(text).toContain('<Code>MissingParameter</Code>');
  });
});
