/**
 * The Yunbox sandbox API (CreateSandbox, DescribeSandboxes, DeleteSandbox) on a real yunbox with
 * real ECS instances (created through @alicloud/ecs20140526, manual clock): a Running instance
 * gets a sandbox whose 100.100.100.200 serves that instance's metadata (the ECS metadata handler);
 * unknown, stopped and other accounts' instances refuse; RAM decides `yunbox:*Sandbox` on
 * `acs:yunbox::<account>:instance/<id>`; a sandbox goes when its instance stops. Needs root on
 * Linux for the sandboxes themselves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { yunboxCall } from '../../src/cli/server-client.js';
import {
  TUTORIAL_IMAGE,
  TUTORIAL_INSTANCE_TYPE,
  createNetwork,
  createUserWithKey,
  rootOf,
} from '../../src/testing/fixtures.js';
import {
  isRootLinux,
  netnsExec,
  netnsTraces,
  sandboxSkipReason,
} from '../../src/testing/sandbox.js';
import { $Ecs, $Ram, ecsClient, ramClient } from '../../src/testing/sdk.js';
import { startTestServer, type TestServer } from '../../src/testing/server.js';

let yb: TestServer;
let running: string;
let other: string;

const call = (action: string, params: Record<string, string>, creds = rootOf(yb)) =>
  yunboxCall(yb.endpoint, creds, action, params);

async function runInstance(): Promise<string> {
  const net = await createNetwork(yb, rootOf(yb));
  const r = await ecsClient(yb, rootOf(yb)).runInstances(
    new $Ecs.RunInstancesRequest({
      regionId: yb.region,
      imageId: TUTORIAL_IMAGE,
      instanceType: TUTORIAL_INSTANCE_TYPE,
      vSwitchId: net.vswitchId,
      hostName: 'sandbox-host',
    }),
  );
  return r.body!.instanceIdSets!.instanceIdSet![0]!;
}

describe.skipIf(!isRootLinux)(`Yunbox sandbox API${sandboxSkipReason}`, () => {
  beforeAll(async () => {
    yb = await startTestServer({ clock: 'manual' });
    running = await runInstance();
    other = await runInstance();
    yb.clock.advance(3);
  });
  afterAll(async () => {
    await yb?.close();
  });

  it("makes a sandbox whose metadata service is the instance's", async () => {
    const created = await call('CreateSandbox', { InstanceId: running, KeepAlive: 'true' });
    expect(created.ok).toBe(true);
    const s = (created as { body: Record<string, any> }).body;
    expect(s).toMatchObject({
      InstanceId: running,
      NetnsName: expect.stringMatching(/^ybx-[0-9a-f]{8}-\d+$/),
      SandboxId: expect.stringMatching(/^sbx-/),
      MetadataAddress: '100.100.100.200',
      GatewayAddress: '100.100.2.136',
      HostName: 'sandbox-host',
      KeepAlive: true,
      Env: { NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/yunbox-ca.pem' },
    });
    const md = (path: string) =>
      netnsExec(s.NetnsName, ['curl', '-sS', `http://100.100.100.200/latest/meta-data/${path}`]);
    expect((await md('instance-id')).stdout).toBe(running);
    expect((await md('private-ipv4')).stdout).toBe(s.PrivateIpAddress);
    expect((await md('hostname')).stdout).toBe('sandbox-host');
    expect((await netnsExec(s.NetnsName, ['getent', 'hosts', 'sandbox-host'])).stdout).toContain(
      s.PrivateIpAddress,
    );

    const listed = await call('DescribeSandboxes', {});
    expect(listed.ok && listed.body).toMatchObject({
      TotalCount: 1,
      Sandboxes: { Sandbox: [{ SandboxId: s.SandboxId, InstanceId: running }] },
    });
    const filtered = await call('DescribeSandboxes', { InstanceId: other });
    expect(filtered.ok && filtered.body.TotalCount).toBe(0);

    expect((await call('DeleteSandbox', { SandboxId: s.SandboxId })).ok).toBe(true);
    expect(netnsTraces(s.NetnsName)).toEqual({ netns: false, etc: false });
    expect(await call('DeleteSandbox', { SandboxId: s.SandboxId })).toMatchObject({
      ok: false,
      code: 'InvalidSandboxId.NotFound',
    });
  });

  it('refuses unknown and stopped instances', async () => {
    expect(await call('CreateSandbox', { InstanceId: 'i-doesnotexist' })).toMatchObject({
      ok: false,
      code: 'InvalidInstanceId.NotFound',
    });
    expect(await call('CreateSandbox', {})).toMatchObject({
      ok: false,
      code: 'MissingInstanceId',
    });
  });

  it('lets RAM decide yunbox:CreateSandbox and yunbox:DeleteSandbox on the instance', async () => {
    const user = await createUserWithKey(yb, rootOf(yb), 'sandboxer');
    expect(await call('CreateSandbox', { InstanceId: running }, user)).toMatchObject({
      ok: false,
      code: 'Forbidden.RAM',
    });
    const ram = ramClient(yb, rootOf(yb));
    await ram.createPolicy(
      new $Ram.CreatePolicyRequest({
        policyName: 'SandboxOne',
        policyDocument: JSON.stringify({
          Version: '1',
          Statement: [
            {
              Effect: 'Allow',
              Action: ['yunbox:CreateSandbox', 'yunbox:DescribeSandboxes'],
              Resource: `acs:yunbox::${yb.accountId}:instance/${running}`,
            },
          ],
        }),
      }),
    );
    await ram.attachPolicyToUser(
      new $Ram.AttachPolicyToUserRequest({
        policyType: 'Custom',
        policyName: 'SandboxOne',
        userName: 'sandboxer',
      }),
    );
    expect(await call('CreateSandbox', { InstanceId: other }, user)).toMatchObject({
      code: 'Forbidden.RAM',
    });
    const created = await call('CreateSandbox', { InstanceId: running }, user);
    expect(created.ok).toBe(true);
    const id = (created as { body: Record<string, any> }).body.SandboxId as string;
    expect(await call('DeleteSandbox', { SandboxId: id }, user)).toMatchObject({
      code: 'Forbidden.RAM',
    });
    expect((await call('DeleteSandbox', { SandboxId: id })).ok).toBe(true);
  });

  it('removes the sandbox when the instance stops, and refuses stopped instances', async () => {
    const created = await call('CreateSandbox', { InstanceId: other, KeepAlive: 'true' });
    expect(created.ok).toBe(true);
    const netns = (created as { body: Record<string, any> }).body.NetnsName as string;
    await ecsClient(yb, rootOf(yb)).stopInstance(
      new $Ecs.StopInstanceRequest({ instanceId: other }),
    );
    // Its metadata stops at once (the ECS handler serves Running instances only)...
    const r = await netnsExec(netns, [
      'curl',
      '-sf',
      '-m',
      '5',
      'http://100.100.100.200/latest/meta-data/instance-id',
    ]);
    expect(r.code).not.toBe(0);
    // ...and the sandbox goes within the status check interval (1 s).
    const until = Date.now() + 5000;
    while ((netnsTraces(netns).netns || netnsTraces(netns).etc) && Date.now() < until)
      await new Promise((x) => setTimeout(x, 50));
    expect(netnsTraces(netns)).toEqual({ netns: false, etc: false });
    yb.clock.advance(3);
    expect(await call('CreateSandbox', { InstanceId: other })).toMatchObject({
      ok: false,
      code: 'IncorrectInstanceStatus',
    });
  });
});
