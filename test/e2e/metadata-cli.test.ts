/**
 * The metadata service as a user drives it, outside sandboxes: `yunbox serve --metadata-listen`
 * spawned, an instance with a role made through the ECS SDK, `yunbox instance metadata-url` to
 * find its address, the credentials read there (and accepted by STS), and
 * `yunbox instance fault` to break and heal it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, runNode, serveIn, type ServeProcess } from '../../src/testing/spawn.js';
import { $Ecs, ecsClient, stsClient } from '../../src/testing/sdk.js';
import {
  TUTORIAL_IMAGE,
  TUTORIAL_INSTANCE_TYPE,
  createEcsRole,
  createNetwork,
} from '../../src/testing/fixtures.js';

const ROOT = {
  accessKeyId: 'LTAImetadatacliroot1',
  accessKeySecret: 'MetadataCliRootSecret00000001',
};
let server: ServeProcess;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'yunbox-metadata-cli-'));
  server = await serveIn(dir, { metadata: true, manualClock: true, root: ROOT });
});
afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

const cli = (...args: string[]) =>
  runNode([CLI, ...args, '--endpoint', server.endpoint], {
    YUNBOX_ROOT_ACCESS_KEY_ID: ROOT.accessKeyId,
    YUNBOX_ROOT_ACCESS_KEY_SECRET: ROOT.accessKeySecret,
  });

describe('metadata outside sandboxes, with the CLI', () => {
  it('finds an instance’s metadata, reads its credentials, breaks and heals it', async () => {
    const yb = { ...server, region: 'cn-hangzhou' };
    await createEcsRole(yb, ROOT, 'EcsRamRoleTest');
    const { vswitchId } = await createNetwork(yb, ROOT);
    const run = await ecsClient(yb, ROOT).runInstances(
      new $Ecs.RunInstancesRequest({
        regionId: 'cn-hangzhou',
        imageId: TUTORIAL_IMAGE,
        instanceType: TUTORIAL_INSTANCE_TYPE,
        vSwitchId: vswitchId,
        ramRoleName: 'EcsRamRoleTest',
      }),
    );
    const instanceId = run.body!.instanceIdSets!.instanceIdSet![0]!;
    expect((await cli('clock', 'advance', '3s')).code).toBe(0);

    const found = await cli('instance', 'metadata-url', instanceId);
    expect(found.stderr).toBe('');
    expect(found.code).toBe(0);
    const url = found.stdout.trim();
    expect(url).toMatch(/^http:\/\/127\.77\.\d+\.\d+:\d+$/);

    const listing = await fetch(`${url}/latest/meta-data/ram/security-credentials/`);
    expect(await listing.text()).toBe('EcsRamRoleTest');
    const doc = (await (
      await fetch(`${url}/latest/meta-data/ram/security-credentials/EcsRamRoleTest`)
    ).json()) as { AccessKeyId: string; AccessKeySecret: string; SecurityToken: string };
    const who = await stsClient(yb, {
      accessKeyId: doc.AccessKeyId,
      accessKeySecret: doc.AccessKeySecret,
      securityToken: doc.SecurityToken,
    }).getCallerIdentity();
    expect(who.body!.arn).toContain(`assumed-role/EcsRamRoleTest/${instanceId}`);

    const broken = await cli('instance', 'fault', instanceId, 'error', '--status', '503');
    expect([broken.code, broken.stdout.trim()]).toEqual([
      0,
      `${instanceId}: metadata fault error (status 503)`,
    ]);
    expect((await fetch(`${url}/latest/meta-data/instance-id`)).status).toBe(503);
    const healed = await cli('instance', 'fault', instanceId, 'none');
    expect(healed.code).toBe(0);
    expect(await (await fetch(`${url}/latest/meta-data/instance-id`)).text()).toBe(instanceId);

    const bad = await cli('instance', 'fault', instanceId, 'explode');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown mode `explode`');
    const missing = await cli('instance', 'metadata-url', 'i-doesnotexist000000');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('InvalidInstanceId.NotFound');
  });
});
