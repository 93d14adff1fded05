/**
 * Fault injection through the Yunbox control API (SetInstanceMetadataFault, signed ACS3 with the
 * root credentials as the CLI does): each mode on one instance while another instance's service
 * stays healthy: slow (bounded, without blocking other requests), error (5xx), an already-expired
 * credential (refused by STS), refused tokens; `none` restores. Also who may set faults, and where
 * the plain listener serves an instance (DescribeInstanceMetadataEndpoint).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../../../src/testing/server.js';
import { restoreClock } from '../../../src/testing/clock.js';
import { rpcCall, type RpcCredentials } from '../../../src/protocol/rpc-client.js';
import { stsClient } from '../../../src/testing/sdk.js';
import { createEcsRole, createUserWithKey, rootOf } from '../../../src/testing/fixtures.js';
import {
  credentials,
  md,
  mdToken,
  metadataServer,
  runningInstance,
  type RunningInstance,
} from './setup.js';

let yb: TestServer;
let sick: RunningInstance;
let healthy: RunningInstance;

beforeAll(async () => {
  yb = await metadataServer();
  await createEcsRole(yb, rootOf(yb), 'EcsRamRoleTest');
  sick = await runningInstance(yb, { roleName: 'EcsRamRoleTest' });
  healthy = await runningInstance(yb, { roleName: 'EcsRamRoleTest' });
});
afterAll(async () => {
  restoreClock();
  await yb?.close();
});

function yunbox(
  action: string,
  params: Record<string, string>,
  creds: RpcCredentials = rootOf(yb),
) {
  return rpcCall({
    endpoint: yb.endpoint,
    version: '2026-11-01',
    action,
    params,
    credentials: creds,
    signature: 'acs3',
  });
}
const fault = (mode: string, extra: Record<string, string> = {}) =>
  yunbox('SetInstanceMetadataFault', { InstanceId: sick.instanceId, Mode: mode, ...extra });

describe('metadata faults', () => {
  it('are off by default', async () => {
    const r = await yunbox('DescribeInstanceMetadataFault', { InstanceId: sick.instanceId });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ InstanceId: sick.instanceId, Mode: 'none', DelayMs: 0 });
  });

  it('slow: delays every answer (bounded), without holding up other instances', async () => {
    const set = await fault('slow', { DelayMs: '400' });
    expect(set.json).toMatchObject({ Mode: 'slow', DelayMs: 400 });
    const started = performance.now();
    const slow = md(sick.url, '/latest/meta-data/instance-id');
    // Meanwhile the other instance answers at once: the delay is a timer, not a busy loop.
    const t0 = performance.now();
    expect((await md(healthy.url, '/latest/meta-data/instance-id')).status).toBe(200);
    expect(performance.now() - t0).toBeLessThan(300);
    expect((await slow).body).toBe(sick.instanceId);
    expect(performance.now() - started).toBeGreaterThanOrEqual(390);
    // A client with a short timeout gives up, as the SDKs do after 1 s.
    const aborted = await md(sick.url, '/latest/meta-data/instance-id', {
      signal: AbortSignal.timeout(100),
    }).then(
      () => 'answered',
      (e: Error) => e.name,
    );
    expect(aborted).toBe('TimeoutError');
    const tooLong = await fault('slow', { DelayMs: '600001' });
    expect(tooLong.status).toBe(400);
  });

  it('error: answers every request with the status given (500 by default)', async () => {
    await fault('error', { StatusCode: '503' });
    const r = await md(sick.url, '/latest/meta-data/ram/security-credentials/EcsRamRoleTest');
    expect([r.status, r.body]).toEqual([503, 'Service Unavailable']);
    expect(
      (
        await md(sick.url, '/latest/api/token', {
          method: 'PUT',
          headers: { 'x-aliyun-ecs-metadata-token-ttl-seconds': '60' },
        })
      ).status,
    ).toBe(503);
    await fault('error');
    expect((await md(sick.url, '/latest/meta-data/instance-id')).status).toBe(500);
    expect((await md(healthy.url, '/latest/meta-data/instance-id')).status).toBe(200);
  });

  it('expired-credential: serves a credential that has already expired', async () => {
    await fault('expired-credential');
    const c = await credentials(sick.url, 'EcsRamRoleTest');
    expect(Date.parse(c.Expiration)).toBeLessThan(yb.clock.now().getTime());
    expect(c.Code).toBe('Success');
    const e = await stsClient(yb, {
      accessKeyId: c.AccessKeyId,
      accessKeySecret: c.AccessKeySecret,
      securityToken: c.SecurityToken,
    })
      .getCallerIdentity()
      .then(
        () => undefined,
        (err: any) => err.code,
      );
    expect(e).toBe('InvalidSecurityToken.Expired');
    const fine = await credentials(healthy.url, 'EcsRamRoleTest');
    expect(Date.parse(fine.Expiration)).toBeGreaterThan(yb.clock.now().getTime());
  });

  it('refuse-token: token requests fail (403, or the status given); token-less reads still work', async () => {
    await fault('refuse-token');
    const put = () =>
      md(sick.url, '/latest/api/token', {
        method: 'PUT',
        headers: { 'x-aliyun-ecs-metadata-token-ttl-seconds': '21600' },
      });
    expect((await put()).status).toBe(403);
    expect((await md(sick.url, '/latest/meta-data/instance-id')).status).toBe(200);
    await fault('refuse-token', { StatusCode: '404' });
    expect((await put()).status).toBe(404);
    expect(await mdToken(healthy.url)).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('none: restores normal service', async () => {
    await fault('none');
    const r = await yunbox('DescribeInstanceMetadataFault', { InstanceId: sick.instanceId });
    expect(r.json).toMatchObject({ Mode: 'none', DelayMs: 0, StatusCode: 0 });
    expect((await md(sick.url, '/latest/meta-data/instance-id')).body).toBe(sick.instanceId);
    expect(await mdToken(sick.url)).toBeTypeOf('string');
  });

  it('need yunbox:SetInstanceMetadataFault and an existing instance', async () => {
    const user = await createUserWithKey(yb, rootOf(yb), 'no-faults');
    const denied = await yunbox(
      'SetInstanceMetadataFault',
      { InstanceId: sick.instanceId, Mode: 'error' },
      user,
    );
    expect([denied.status, denied.json.Code]).toEqual([403, 'Forbidden.RAM']);
    expect(denied.json.Message).toContain('yunbox:SetInstanceMetadataFault');
    const missing = await yunbox('SetInstanceMetadataFault', {
      InstanceId: 'i-doesnotexist000000',
      Mode: 'error',
    });
    expect([missing.status, missing.json.Code]).toEqual([404, 'InvalidInstanceId.NotFound']);
    const bad = await yunbox('SetInstanceMetadataFault', {
      InstanceId: sick.instanceId,
      Mode: 'explode',
    });
    expect(bad.status).toBe(400);
    expect((await md(sick.url, '/latest/meta-data/instance-id')).status).toBe(200);
  });
});

describe('DescribeInstanceMetadataEndpoint', () => {
  it("names the instance's loopback address and URL", async () => {
    const r = await yunbox('DescribeInstanceMetadataEndpoint', { InstanceId: sick.instanceId });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      InstanceId: sick.instanceId,
      Address: new URL(sick.url).hostname,
      Url: sick.url,
      Listening: true,
    });
  });
});
