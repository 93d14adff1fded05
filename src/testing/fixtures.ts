/**
 * @module Fixtures shared by tests: the tutorial's documents (../shared/seed), and helpers that
 * set up principals through the official SDK as a user would.
 */
import {
  $Ecs,
  $Ram,
  $Vpc,
  popClient,
  ramClient,
  vpcClient,
  type ecsClient,
  type Endpointed,
  type TestCredentials,
} from './sdk.js';

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

/**
 * A policy document (version 1) of `statements`, as CreatePolicy and AssumeRole take it.
 * @example
 * policyDocument([{ Effect: 'Deny', Action: 'ram:DeleteUser', Resource: '*' }]);
 */
export function policyDocument(statements: object[]): string {
  return JSON.stringify({ Version: '1', Statement: statements });
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

/**
 * Creates the custom policy `policyName` of `statements` and attaches it to the existing user
 * `userName`.
 * @example
 * await grantCustomPolicy(yb, rootOf(yb), 'carol', 'NoDeleting', [
 *   { Effect: 'Deny', Action: 'ram:DeleteUser', Resource: '*' },
 * ]);
 */
export async function grantCustomPolicy(
  server: Endpointed,
  root: TestCredentials,
  userName: string,
  policyName: string,
  statements: object[],
): Promise<void> {
  const ram = ramClient(server, root);
  await ram.createPolicy(
    new $Ram.CreatePolicyRequest({ policyName, policyDocument: policyDocument(statements) }),
  );
  await ram.attachPolicyToUser(
    new $Ram.AttachPolicyToUserRequest({ policyType: 'Custom', policyName, userName }),
  );
}

/**
 * The credentials of an AssumeRole answer (`body.credentials`), as the SDK clients take them.
 * @example
 * const r = await stsClient(yb, alice).assumeRole(request);
 * await stsClient(yb, sessionCredentials(r.body!.credentials!)).getCallerIdentity();
 */
export function sessionCredentials(c: {
  accessKeyId?: string;
  accessKeySecret?: string;
  securityToken?: string;
}): Required<TestCredentials> {
  return {
    accessKeyId: c.accessKeyId!,
    accessKeySecret: c.accessKeySecret!,
    securityToken: c.securityToken!,
  };
}

/**
 * Creates another account through the Yunbox API (CreateAccount, signed by `root`, the first
 * account's); returns its id and root credentials.
 * @example
 * const b = await createAccount(yb, rootOf(yb), 'team-b');
 * await createUserWithKey(yb, b.root, 'bob');
 */
export async function createAccount(
  server: Endpointed,
  root: TestCredentials,
  accountName: string,
): Promise<{ accountId: string; root: TestCredentials }> {
  const r = await popClient(server, root, '2026-11-01').request<{
    Account: { AccountId: string };
    RootAccessKey: { AccessKeyId: string; AccessKeySecret: string };
  }>('CreateAccount', { AccountName: accountName }, { method: 'POST' });
  return {
    accountId: r.Account.AccountId,
    root: {
      accessKeyId: r.RootAccessKey.AccessKeyId,
      accessKeySecret: r.RootAccessKey.AccessKeySecret,
    },
  };
}

/** Root credentials of a server. */
export function rootOf(yb: {
  root: { accessKeyId: string; accessKeySecret: string };
}): TestCredentials {
  return { accessKeyId: yb.root.accessKeyId, accessKeySecret: yb.root.accessKeySecret };
}

/**
 * An identity policy with two misspelt actions on its line 4: `oss:GetObjects` at column 36 and
 * `osss:List*` at column 54 (what `policy validate` and the console's policy advice point at).
 */
export const TYPO_POLICY = [
  '{',
  '  "Version": "1",',
  '  "Statement": [',
  '    {"Effect": "Allow", "Action": ["oss:GetObjects", "osss:List*"], "Resource": "*"}',
  '  ]',
  '}',
].join('\n');

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

/**
 * RunInstances (through @alicloud/ecs20140526) of one instance of the tutorial's image and type
 * in `vswitchId`, with any other request fields in `extra`; returns its id.
 */
export async function runTutorialInstance(
  ecs: ReturnType<typeof ecsClient>,
  region: string,
  vswitchId: string,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const r = await ecs.runInstances(
    new $Ecs.RunInstancesRequest({
      regionId: region,
      imageId: TUTORIAL_IMAGE,
      instanceType: TUTORIAL_INSTANCE_TYPE,
      vSwitchId: vswitchId,
      ...extra,
    }),
  );
  return r.body!.instanceIdSets!.instanceIdSet![0]!;
}

/** Creates a role trusting ecs.aliyuncs.com (the tutorial's step 1), with OSS read access. */
export async function createEcsRole(
  server: Endpointed,
  root: TestCredentials,
  roleName = 'EcsRamRoleTest',
): Promise<void> {
  await createRole(server, root, roleName, ECS_TRUST_POLICY, {
    systemPolicies: ['AliyunOSSReadOnlyAccess'],
  });
}

/**
 * Creates a role that the RAM principals `trusted` (ARNs, or account ids) may assume, with the
 * given system policies attached.
 * @example
 * await createRamRole(yb, rootOf(yb), 'AppRole', [`acs:ram::${yb.accountId}:root`]);
 */
export async function createRamRole(
  server: Endpointed,
  root: TestCredentials,
  roleName: string,
  trusted: string[],
  opts: RoleOptions = {},
): Promise<void> {
  await createRole(server, root, roleName, ramTrustPolicy(trusted), opts);
}

/** What {@link createRamRole} sets besides the trust policy. */
export interface RoleOptions {
  /** System policies attached to the role. */
  systemPolicies?: string[];
  /** MaxSessionDuration in seconds (RAM's default, 3600, when absent). */
  maxSessionDuration?: number;
}

async function createRole(
  server: Endpointed,
  root: TestCredentials,
  roleName: string,
  assumeRolePolicyDocument: string,
  opts: RoleOptions,
): Promise<void> {
  const ram = ramClient(server, root);
  await ram.createRole(
    new $Ram.CreateRoleRequest({
      roleName,
      assumeRolePolicyDocument,
      ...(opts.maxSessionDuration !== undefined
        ? { maxSessionDuration: opts.maxSessionDuration }
        : {}),
    }),
  );
  for (const policyName of opts.systemPolicies ?? []) {
    await ram.attachPolicyToRole(
      new $Ram.AttachPolicyToRoleRequest({ policyType: 'System', policyName, roleName }),
    );
  }
}
