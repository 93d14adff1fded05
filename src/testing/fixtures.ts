/**
 * @module Fixtures shared by tests: the tutorial's documents (../shared/seed), and helpers that
 * set up principals through the official SDK as a user would.
 */
import { $Ram, ramClient, type Endpointed, type TestCredentials } from './sdk.js';

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
