/**
 * @module Fixtures shared by tests: the tutorial's documents (../shared/seed), and helpers that
 * set up principals through the official SDK as a user would.
 */
import { $Ram, $Vpc, ramClient, vpcClient, type Endpointed, type TestCredentials } from './sdk.js';

/** The tutorial's trust policy: ECS may assume the role. */
export const ECS_TRUST_POLICY = JSON.stringify({
  Statement: [
    { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: ['ecs.aliyuncs.com'] } },
  ],
  Version: '1',
});

/** The tutorial's permission policy: OSS read-only. */
export const OSS_READ_POLICY = JSON.stringify({
  Statement: [{ Action: ['oss:Get*', 'oss:List*'], Effect: 'Allow', Resource: '*' }],
  Version: '1',
});

/** A trust policy naming RAM principals (account root, users, roles). */
export function ramTrustPolicy(principals: string[]): string {
  return JSON.stringify({
    Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { RAM: principals } }],
    Version: '1',
  });
}

/** Creates a RAM user with an AccessKey and the given system policies; returns its credentials. */
export async function createUserWithKey(
  server: Endpointed,
  root: TestCredentials,
  userName: string,
  systemPolicies: string[] = [],
): Promise<TestCredentials & { userName: string }> {
  const ram = ramClient(server, root);
  await ram.createUser(new $Ram.CreateUserRequest({ userName }));
  for (const policyName of systemPolicies) {
    await ram.attachPolicyToUser(
      new $Ram.AttachPolicyToUserRequest({ policyType: 'System', policyName, userName }),
    );
  }
  const key = await ram.createAccessKey(new $Ram.CreateAccessKeyRequest({ userName }));
  return {
    userName,
    accessKeyId: key.body!.accessKey!.accessKeyId!,
    accessKeySecret: key.body!.accessKey!.accessKeySecret!,
  };
}

/** Root credentials of a server. */
export function rootOf(yb: {
  root: { accessKeyId: string; accessKeySecret: string };
}): TestCredentials {
  return { accessKeyId: yb.root.accessKeyId, accessKeySecret: yb.root.accessKeySecret };
}

/** The tutorial's image and instance type (../shared/seed, step 2). */
export const TUTORIAL_IMAGE = 'centos_7_03_64_40G_alibase_20170503.vhd';
export const TUTORIAL_INSTANCE_TYPE = 'ecs.g6.large';

/**
 * Creates a VPC and a vSwitch through @alicloud/vpc20160428 (defaults: 192.168.0.0/16, and
 * 192.168.0.0/24 in zone `<region>-i`); returns their ids.
 */
export async function createNetwork(
  server: Endpointed & { region: string },
  creds: TestCredentials,
  opts: { vpcCidr?: string; vswitchCidr?: string; zoneId?: string } = {},
): Promise<{ vpcId: string; vswitchId: string; zoneId: string }> {
  const vpc = vpcClient(server, creds);
  const zoneId = opts.zoneId ?? `${server.region}-i`;
  const v = await vpc.createVpc(
    new $Vpc.CreateVpcRequest({
      regionId: server.region,
      cidrBlock: opts.vpcCidr ?? '192.168.0.0/16',
    }),
  );
  const s = await vpc.createVSwitch(
    new $Vpc.CreateVSwitchRequest({
      regionId: server.region,
      vpcId: v.body!.vpcId,
      zoneId,
      cidrBlock: opts.vswitchCidr ?? '192.168.0.0/24',
    }),
  );
  return { vpcId: v.body!.vpcId!, vswitchId: s.body!.vSwitchId!, zoneId };
}

/** Creates a role trusting ecs.aliyuncs.com (the tutorial's step 1), with OSS read access. */
export async function createEcsRole(
  server: Endpointed,
  root: TestCredentials,
  roleName = 'EcsRamRoleTest',
): Promise<void> {
  const ram = ramClient(server, root);
  await ram.createRole(
    new $Ram.CreateRoleRequest({ roleName, assumeRolePolicyDocument: ECS_TRUST_POLICY }),
  );
  await ram.attachPolicyToRole(
    new $Ram.AttachPolicyToRoleRequest({
      policyType: 'System',
      policyName: 'AliyunOSSReadOnlyAccess',
      roleName,
    }),
  );
}
