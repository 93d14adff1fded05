/**
 * The set-up both security-group test files share: a server, the root's ECS client, two VPCs
 * (the second for cross-VPC refusals) and a way to create a group in the first.
 */
import { afterAll, beforeAll } from 'vitest';
import { createNetwork, rootOf } from '../../../src/testing/fixtures.js';
import { $Ecs, ecsClient } from '../../../src/testing/sdk.js';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';

export const region = 'cn-hangzhou';

export interface SecurityGroupEnv {
  yb: TestServer;
  ecs: ReturnType<typeof ecsClient>;
  vpcId: string;
  otherVpcId: string;
}

/** Registers the file's beforeAll/afterAll; the fields are set once beforeAll has run. */
export function securityGroupEnv(): SecurityGroupEnv {
  const env = {} as SecurityGroupEnv;
  beforeAll(async () => {
    env.yb = await startTestServer();
    env.ecs = ecsClient(env.yb, rootOf(env.yb));
    env.vpcId = (await createNetwork(env.yb, rootOf(env.yb))).vpcId;
    env.otherVpcId = (
      await createNetwork(env.yb, rootOf(env.yb), {
        vpcCidr: '10.0.0.0/16',
        vswitchCidr: '10.0.0.0/24',
      })
    ).vpcId;
  });
  afterAll(async () => {
    await env.yb?.close();
  });
  return env;
}

/** A security group in `env`'s first VPC, with `extra` request fields; its id. */
export async function createGroup(
  env: SecurityGroupEnv,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const r = await env.ecs.createSecurityGroup(
    new $Ecs.CreateSecurityGroupRequest({ regionId: region, vpcId: env.vpcId, ...extra }),
  );
  return r.body!.securityGroupId!;
}
