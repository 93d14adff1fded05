/**
 * Who is asking is decided by where the request arrives, never by what it says: on the plain
 * listener each instance has its own loopback address, and nothing in a request (path, Host,
 * X-Forwarded-For, invented instance headers, another instance's token) makes one instance's
 * address serve another instance's metadata or credentials. Instances that are not Running, are
 * released, or addresses that belong to no instance answer 404.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../../../src/testing/server.js';
import { restoreClock } from '../../../src/testing/clock.js';
import { $Ecs, ecsClient } from '../../../src/testing/sdk.js';
import { createEcsRole, rootOf } from '../../../src/testing/fixtures.js';
import {
  advanceClocks,
  credentials,
  md,
  mdToken,
  metadataServer,
  runningInstance,
  type RunningInstance,
} from './setup.js';

let yb: TestServer;
let a: RunningInstance;
let b: RunningInstance;

beforeAll(async () => {
  yb = await metadataServer();
  await createEcsRole(yb, rootOf(yb), 'RoleA');
  await createEcsRole(yb, rootOf(yb), 'RoleB');
  a = await runningInstance(yb, { roleName: 'RoleA', hostName: 'host-a' });
  b = await runningInstance(yb, { roleName: 'RoleB', hostName: 'host-b' });
});
afterAll(async () => {
  restoreClock();
  await yb?.close();
});

describe('isolation between two instances', () => {
  it('gives each instance its own address, tree and credentials', async () => {
    expect(a.url).not.toBe(b.url);
    expect(new URL(a.url).hostname).toMatch(/^127\.77\.\d+\.\d+$/);
    expect((await md(a.url, '/latest/meta-data/instance-id')).body).toBe(a.instanceId);
    expect((await md(b.url, '/latest/meta-data/instance-id')).body).toBe(b.instanceId);
    expect((await md(a.url, '/latest/meta-data/hostname')).body).toBe('host-a');
    expect((await md(a.url, '/latest/meta-data/ram/security-credentials/')).body).toBe('RoleA');
    expect((await md(b.url, '/latest/meta-data/ram/security-credentials/')).body).toBe('RoleB');
    const ca = await credentials(a.url, 'RoleA');
    const cb = await credentials(b.url, 'RoleB');
    expect(ca.AccessKeyId).not.toBe(cb.AccessKeyId);
  });

  it("cannot be talked into serving the other instance's metadata", async () => {
    const bIp = (await md(b.url, '/latest/meta-data/private-ipv4')).body;
    const spoof = {
      Host: new URL(b.url).host,
      'X-Forwarded-For': bIp,
      'X-Real-IP': bIp,
      'X-Aliyun-Instance-Id': b.instanceId,
      Forwarded: `for=${bIp}`,
    };
    const r = await md(a.url, '/latest/meta-data/instance-id', { headers: spoof });
    expect(r.body).toBe(a.instanceId);
    const other = await md(a.url, '/latest/meta-data/ram/security-credentials/RoleB', {
      headers: spoof,
    });
    expect(other.status).toBe(404);
    const traversal = await md(
      a.url,
      `/latest/meta-data/../../${b.instanceId}/meta-data/instance-id`,
    );
    expect(traversal.body).not.toBe(b.instanceId);
    // A token obtained by B is worthless at A.
    const tokenB = await mdToken(b.url);
    const withB = await md(a.url, '/latest/meta-data/instance-id', {
      headers: { 'x-aliyun-ecs-metadata-token': tokenB },
    });
    expect(withB.status).toBe(401);
  });

  it('answers 404 on the base address and for instances not Running or released', async () => {
    expect((await md(yb.metadata.endpoint!, '/latest/meta-data/instance-id')).status).toBe(404);
    expect((await md(yb.metadata.endpoint!, '/')).status).toBe(404);

    const ecs = ecsClient(yb, rootOf(yb));
    await ecs.stopInstance(new $Ecs.StopInstanceRequest({ instanceId: b.instanceId }));
    expect((await md(b.url, '/latest/meta-data/instance-id')).status).toBe(404);
    advanceClocks(yb, 2);
    const stopped = await md(b.url, '/latest/meta-data/instance-id');
    expect(stopped.status).toBe(404);
    // The body says why, to whoever reads it (curl in a sandbox, a log line).
    expect(stopped.body).toBe(
      `Not Found: instance ${b.instanceId} is Stopped; its metadata service answers while it is Running`,
    );
    await ecs.startInstance(new $Ecs.StartInstanceRequest({ instanceId: b.instanceId }));
    expect((await md(b.url, '/latest/meta-data/instance-id')).status).toBe(404);
    advanceClocks(yb, 2);
    expect((await md(b.url, '/latest/meta-data/instance-id')).body).toBe(b.instanceId);

    await ecs.deleteInstance(
      new $Ecs.DeleteInstanceRequest({ instanceId: b.instanceId, force: true }),
    );
    const gone = await md(b.url, '/latest/meta-data/instance-id').then(
      (r) => r.status,
      () => 'closed',
    );
    expect([404, 'closed']).toContain(gone);
    expect(await yb.metadata.urlFor(b.instanceId)).toBeUndefined();
    // A's service is untouched.
    expect((await md(a.url, '/latest/meta-data/instance-id')).body).toBe(a.instanceId);
  });
});
