/**
 * A client that waits as the SDK waiters and Terraform do (polling DescribeInstances or
 * DescribeInstanceStatus until the state it wants) finishes under a manual clock nobody moves:
 * CreateInstance -> Stopped -> StartInstance -> Running -> StopInstance -> Stopped, with
 * @alicloud/ecs20140526 signing with this machine's time, each transition ending after its usual
 * two seconds of real time while yunbox's clock stands still. Moving the clock still settles a
 * transition at once. SQLite and, with `YUNBOX_TEST_STORE=postgres`, PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRANSITION_MS } from '../../../src/services/ecs/index.js';
import {
  TUTORIAL_IMAGE,
  TUTORIAL_INSTANCE_TYPE,
  createNetwork,
  rootOf,
} from '../../../src/testing/fixtures.js';
import { $Ecs, ecsClient } from '../../../src/testing/sdk.js';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';

const REGION = 'cn-hangzhou';
/** How long a waiter polls before giving up (the SDK waiters' own budgets are minutes). */
const WAIT_MS = 30_000;

let yb: TestServer;
let ecs: ReturnType<typeof ecsClient>;
let vswitchId: string;

beforeAll(async () => {
  yb = await startTestServer({ clock: 'manual', clockStart: '2026-06-01T08:00:00Z' });
  ({ vswitchId } = await createNetwork(yb, rootOf(yb)));
  ecs = ecsClient(yb, rootOf(yb));
});
afterAll(async () => {
  await yb?.close();
});

/**
 * Polls `read` every 500 ms until it answers `want`, as a waiter does; fails on any state but
 * `via` (the transition) and `want`, or after {@link WAIT_MS}.
 */
async function waitFor(read: () => Promise<string>, via: string, want: string): Promise<void> {
  const until = Date.now() + WAIT_MS;
  for (;;) {
    const s = await read();
    if (s === want) return;
    expect(s).toBe(via);
    if (Date.now() > until) throw new Error(`still ${s} after ${WAIT_MS} ms, not ${want}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** As Terraform's alicloud_instance does: DescribeInstances by id. */
const byDescribeInstances = (id: string) => async () => {
  const r = await ecs.describeInstances(
    new $Ecs.DescribeInstancesRequest({ regionId: REGION, instanceIds: JSON.stringify([id]) }),
  );
  return r.body!.instances!.instance![0]!.status!;
};

/** As the SDK's status waiters do: DescribeInstanceStatus. */
const byInstanceStatus = (id: string) => async () => {
  const r = await ecs.describeInstanceStatus(
    new $Ecs.DescribeInstanceStatusRequest({ regionId: REGION, instanceId: [id] }),
  );
  return r.body!.instanceStatuses!.instanceStatus![0]!.status!;
};

describe('waiting for a state under a manual clock nobody moves', () => {
  it('CreateInstance, wait Stopped, StartInstance, wait Running, StopInstance, wait Stopped', async () => {
    const frozen = yb.clock.now().getTime();
    const started = Date.now();
    const created = await ecs.createInstance(
      new $Ecs.CreateInstanceRequest({
        regionId: REGION,
        imageId: TUTORIAL_IMAGE,
        instanceType: TUTORIAL_INSTANCE_TYPE,
        vSwitchId: vswitchId,
      }),
    );
    const id = created.body!.instanceId!;
    await waitFor(byDescribeInstances(id), 'Pending', 'Stopped');
    // Not before its usual duration of real time.
    expect(Date.now() - started).toBeGreaterThanOrEqual(TRANSITION_MS.Pending);

    await ecs.startInstance(new $Ecs.StartInstanceRequest({ instanceId: id }));
    await waitFor(byInstanceStatus(id), 'Starting', 'Running');
    const running = await ecs.describeInstances(
      new $Ecs.DescribeInstancesRequest({ regionId: REGION, instanceIds: JSON.stringify([id]) }),
    );
    expect(running.body!.instances!.instance![0]!.startTime).not.toBe('');

    await ecs.stopInstance(new $Ecs.StopInstanceRequest({ instanceId: id }));
    await waitFor(byDescribeInstances(id), 'Stopping', 'Stopped');
    // Nobody moved the clock; a Stopped instance can be released.
    expect(yb.clock.now().getTime()).toBe(frozen);
    await ecs.deleteInstance(new $Ecs.DeleteInstanceRequest({ instanceId: id }));
  });

  it('RunInstances, wait Running; moving the clock still settles a transition at once', async () => {
    const run = await ecs.runInstances(
      new $Ecs.RunInstancesRequest({
        regionId: REGION,
        imageId: TUTORIAL_IMAGE,
        instanceType: TUTORIAL_INSTANCE_TYPE,
        vSwitchId: vswitchId,
      }),
    );
    const id = run.body!.instanceIdSets!.instanceIdSet![0]!;
    await waitFor(byInstanceStatus(id), 'Pending', 'Running');
    await ecs.stopInstance(new $Ecs.StopInstanceRequest({ instanceId: id }));
    yb.clock.advance(TRANSITION_MS.Stopping / 1000);
    expect(await byInstanceStatus(id)()).toBe('Stopped');
    await ecs.deleteInstance(new $Ecs.DeleteInstanceRequest({ instanceId: id }));
  });
});
