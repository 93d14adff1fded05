/**
 * System policies through @alicloud/ram20150501 as Terraform configurations attach them: the ones
 * for products yunbox does not serve (SLB, RDS, Container Registry, ACK, MNS, CloudMonitor, FC)
 * are listed by ListPolicies with their documents, attach by their lower-cased names to a role, a
 * user and a group, and list under the names as Alibaba spells them. Runs on the store
 * YUNBOX_TEST_STORE selects.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_POLICIES } from '../../../src/policy/system-policies.js';
import { createRamRole, rootOf } from '../../../src/testing/fixtures.js';
import { $Ram, ramClient } from '../../../src/testing/sdk.js';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';

let yb: TestServer;
let ram: ReturnType<typeof ramClient>;
beforeAll(async () => {
  yb = await startTestServer();
  ram = ramClient(yb, rootOf(yb));
  await createRamRole(yb, rootOf(yb), 'DeployRole', [`acs:ram::${yb.accountId}:root`]);
});
afterAll(async () => {
  await yb?.close();
});

const ADDED = [
  'AliyunSLBFullAccess',
  'AliyunRDSFullAccess',
  'AliyunContainerRegistryFullAccess',
  'AliyunContainerRegistryReadOnlyAccess',
  'AliyunCSFullAccess',
  'AliyunCSReadOnlyAccess',
  'AliyunMNSFullAccess',
  'AliyunCloudMonitorFullAccess',
  'AliyunCloudMonitorReadOnlyAccess',
  'AliyunFCReadOnlyAccess',
];

/** Every system policy ListPolicies answers, following its markers. */
async function listedSystemPolicies(): Promise<string[]> {
  const names: string[] = [];
  let marker: string | undefined;
  do {
    const r = await ram.listPolicies(
      new $Ram.ListPoliciesRequest({
        policyType: 'System',
        maxItems: 20,
        ...(marker && { marker }),
      }),
    );
    names.push(...r.body!.policies!.policy!.map((p) => p.policyName!));
    marker = r.body!.isTruncated ? r.body!.marker : undefined;
  } while (marker);
  return names;
}

describe('system policies Terraform configurations attach', () => {
  it('ListPolicies lists every system policy, the new ones among them', async () => {
    const names = await listedSystemPolicies();
    expect(new Set(names)).toEqual(new Set(Object.keys(SYSTEM_POLICIES)));
    for (const n of ADDED) expect(names, n).toContain(n);
  });

  it('GetPolicy answers the published or derived document', async () => {
    const r = await ram.getPolicy(
      new $Ram.GetPolicyRequest({
        policyType: 'System',
        policyName: 'aliyuncontainerregistryreadonlyaccess',
      }),
    );
    expect(r.body!.policy!.policyName).toBe('AliyunContainerRegistryReadOnlyAccess');
    expect(JSON.parse(r.body!.defaultPolicyVersion!.policyDocument!)).toEqual({
      Statement: [{ Action: ['cr:Get*', 'cr:List*', 'cr:Pull*'], Effect: 'Allow', Resource: '*' }],
      Version: '1',
    });
  });

  it('attach by lower-cased names to a role, a user and a group; listed as Alibaba spells them', async () => {
    for (const name of ['aliyunslbfullaccess', 'aliyunrdsfullaccess', 'aliyuncsreadonlyaccess']) {
      await ram.attachPolicyToRole(
        new $Ram.AttachPolicyToRoleRequest({
          policyType: 'System',
          policyName: name,
          roleName: 'deployrole',
        }),
      );
    }
    const forRole = await ram.listPoliciesForRole(
      new $Ram.ListPoliciesForRoleRequest({ roleName: 'DeployRole' }),
    );
    expect(forRole.body!.policies!.policy!.map((p) => p.policyName).sort()).toEqual([
      'AliyunCSReadOnlyAccess',
      'AliyunRDSFullAccess',
      'AliyunSLBFullAccess',
    ]);

    await ram.createUser(new $Ram.CreateUserRequest({ userName: 'ci' }));
    await ram.attachPolicyToUser(
      new $Ram.AttachPolicyToUserRequest({
        policyType: 'System',
        policyName: 'aliyuncloudmonitorreadonlyaccess',
        userName: 'ci',
      }),
    );
    const forUser = await ram.listPoliciesForUser(
      new $Ram.ListPoliciesForUserRequest({ userName: 'ci' }),
    );
    expect(forUser.body!.policies!.policy!.map((p) => [p.policyName, p.policyType])).toEqual([
      ['AliyunCloudMonitorReadOnlyAccess', 'System'],
    ]);

    await ram.createGroup(new $Ram.CreateGroupRequest({ groupName: 'builders' }));
    await ram.attachPolicyToGroup(
      new $Ram.AttachPolicyToGroupRequest({
        policyType: 'System',
        policyName: 'ALIYUNCONTAINERREGISTRYFULLACCESS',
        groupName: 'builders',
      }),
    );
    const forGroup = await ram.listPoliciesForGroup(
      new $Ram.ListPoliciesForGroupRequest({ groupName: 'builders' }),
    );
    expect(forGroup.body!.policies!.policy!.map((p) => p.policyName)).toEqual([
      'AliyunContainerRegistryFullAccess',
    ]);
  });
});
