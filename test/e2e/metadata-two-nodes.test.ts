/**
 * The metadata service on two nodes sharing one PostgreSQL database, each with its own plain
 * listener: an instance created through one node is served by both (each binds the instance's
 * 127.77.X.Y address on its own port), with the identical credential in a window, tokens issued by
 * one node accepted by the other, and a fault set through one node applied by both.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPgSchema, startTestServer, type TestServer } from '../../src/testing/server.js';
import { pgSkipReason } from '../../src/testing/pg.js';
import { followServerClock, restoreClock } from '../../src/testing/clock.js';
import { rpcCall } from '../../src/protocol/rpc-client.js';
import { $Ecs, ecsClient } from '../../src/testing/sdk.js';
import {
  TUTORIAL_IMAGE,
  TUTORIAL_INSTANCE_TYPE,
  createEcsRole,
  createNetwork,
  rootOf,
} from '../../src/testing/fixtures.js';

const skip = await pgSkipReason();
const START = '2030-03-01T00:00:00Z';

describe.skipIf(skip !== undefined)('metadata on two nodes, one PostgreSQL', () => {
  let a: TestServer;
  let b: TestServer;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const schema = await freshPgSchema();
    drop = schema.drop;
    const opts = {
      store: schema.url,
      clock: 'manual',
      clockStart: START,
      metadataListen: '127.0.0.1:0',
    } as const;
    a = await startTestServer(opts);
    b = await startTestServer(opts);
    followServerClock(a);
  });
  afterAll(async () => {
    restoreClock();
    await a?.close();
    await b?.close();
    await drop?.();
  });

  const both = (seconds: number) => {
    a.clock.advance(seconds);
    b.clock.advance(seconds);
  };

  it('serves one instance identically from both nodes', async () => {
    expect(b.accountId).toBe(a.accountId);
    const root = rootOf(a);
    await createEcsRole(a, root, 'EcsRamRoleTest');
    const { vswitchId } = await createNetwork(a, root);
    const run = await ecsClient(a, root).runInstances(
      new $Ecs.RunInstancesRequest({
        regionId: 'cn-hangzhou',
        imageId: TUTORIAL_IMAGE,
        instanceType: TUTORIAL_INSTANCE_TYPE,
        vSwitchId: vswitchId,
        ramRoleName: 'EcsRamRoleTest',
      }),
    );
    const id = run.body!.instanceIdSets!.instanceIdSet![0]!;
    both(3);
    const urlA = (await a.metadata.urlFor(id))!;
    const urlB = (await b.metadata.urlFor(id))!;
    expect(new URL(urlA).hostname).toBe(new URL(urlB).hostname);
    expect(urlA).not.toBe(urlB);

    const path = '/latest/meta-data/ram/security-credentials/EcsRamRoleTest';
    const docA = await (await fetch(urlA + path)).text();
    const docB = await (await fetch(urlB + path)).text();
    expect(docB).toBe(docA);
    expect(JSON.parse(docA).Code).toBe('Success');

    const token = await (
      await fetch(`${urlA}/latest/api/token`, {
        method: 'PUT',
        headers: { 'x-aliyun-ecs-metadata-token-ttl-seconds': '300' },
      })
    ).text();
    const viaB = await fetch(`${urlB}/latest/meta-data/instance-id`, {
      headers: { 'x-aliyun-ecs-metadata-token': token },
    });
    expect([viaB.status, await viaB.text()]).toEqual([200, id]);

    const set = await rpcCall({
      endpoint: a.endpoint,
      version: '2026-11-01',
      action: 'SetInstanceMetadataFault',
      params: { InstanceId: id, Mode: 'error', StatusCode: '502' },
      credentials: root,
      signature: 'acs3',
    });
    expect(set.status).toBe(200);
    expect((await fetch(`${urlB}/latest/meta-data/instance-id`)).status).toBe(502);
    expect((await fetch(`${urlA}/latest/meta-data/instance-id`)).status).toBe(502);
  });
});
