/**
 * Security hardening mode: `PUT /latest/api/token` with a TTL of 1-21600 s, the token header on
 * reads, refusal of missing, invalid, expired and foreign tokens when the instance requires them
 * (HttpTokens=required, at launch or with ModifyInstanceMetadataOptions), refusal of token requests
 * carrying X-Forwarded-For, and HttpEndpoint=disabled. Token expiry follows the manual clock.
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
let hardened: RunningInstance;
let normal: RunningInstance;
const TOKEN = 'x-aliyun-ecs-metadata-token';

beforeAll(async () => {
  yb = await metadataServer();
  await createEcsRole(yb, rootOf(yb), 'EcsRamRoleTest');
  hardened = await runningInstance(yb, { roleName: 'EcsRamRoleTest', httpTokens: 'required' });
  normal = await runningInstance(yb);
});
afterAll(async () => {
  restoreClock();
  await yb?.close();
});

const modify = (instanceId: string, o: Record<string, string>) =>
  ecsClient(yb, rootOf(yb)).modifyInstanceMetadataOptions(
    new $Ecs.ModifyInstanceMetadataOptionsRequest({ regionId: 'cn-hangzhou', instanceId, ...o }),
  );

describe('security hardening mode', () => {
  it('requires a token on every read when HttpTokens=required', async () => {
    const bare = await md(hardened.url, '/latest/meta-data/instance-id');
    expect([bare.status, bare.body]).toEqual([401, 'Unauthorized']);
    expect((await md(hardened.url, '/latest/meta-data/ram/security-credentials/')).status).toBe(
      401,
    );
    const token = await mdToken(hardened.url);
    expect(token).not.toMatch(/\s/);
    const ok = await md(hardened.url, '/latest/meta-data/instance-id', {
      headers: { [TOKEN]: token },
    });
    expect([ok.status, ok.body]).toEqual([200, hardened.instanceId]);
    const doc = await credentials(hardened.url, 'EcsRamRoleTest', token);
    expect(doc.Code).toBe('Success');
    // Reusable until its TTL ends, mixed-case header name too.
    const again = await md(hardened.url, '/latest/meta-data/hostname', {
      headers: { 'X-aliyun-ecs-metadata-token': token },
    });
    expect(again.status).toBe(200);
  });

  it('refuses invalid, expired and foreign tokens (401), also when tokens are optional', async () => {
    const forged = await md(normal.url, '/latest/meta-data/instance-id', {
      headers: { [TOKEN]: 'AQAEAExampleDummyMetadataToken000000000000000001' },
    });
    expect(forged.status).toBe(401);

    const short = await mdToken(hardened.url, 60);
    advanceClocks(yb, 59);
    expect(
      (await md(hardened.url, '/latest/meta-data/instance-id', { headers: { [TOKEN]: short } }))
        .status,
    ).toBe(200);
    advanceClocks(yb, 1);
    expect(
      (await md(hardened.url, '/latest/meta-data/instance-id', { headers: { [TOKEN]: short } }))
        .status,
    ).toBe(401);

    // A token is valid only on the instance that obtained it.
    const ofNormal = await mdToken(normal.url);
    const foreign = await md(hardened.url, '/latest/meta-data/instance-id', {
      headers: { [TOKEN]: ofNormal },
    });
    expect(foreign.status).toBe(401);
    const tampered = ofNormal.slice(0, -2) + (ofNormal.endsWith('A') ? 'BB' : 'AA');
    expect(
      (await md(normal.url, '/latest/meta-data/instance-id', { headers: { [TOKEN]: tampered } }))
        .status,
    ).toBe(401);
  });

  it('validates token requests: TTL 1-21600, no X-Forwarded-For, PUT only', async () => {
    const put = (headers: Record<string, string>) =>
      md(normal.url, '/latest/api/token', { method: 'PUT', headers });
    for (const ttl of ['0', '21601', '-5', 'abc', '1.5']) {
      const r = await put({ 'x-aliyun-ecs-metadata-token-ttl-seconds': ttl });
      expect([r.status, r.body], ttl).toEqual([400, 'Bad Request']);
    }
    expect((await put({})).status).toBe(400);
    expect((await put({ 'x-aliyun-ecs-metadata-token-ttl-seconds': '1' })).status).toBe(200);
    expect((await put({ 'x-aliyun-ecs-metadata-token-ttl-seconds': '21600' })).status).toBe(200);
    const xff = await put({
      'x-aliyun-ecs-metadata-token-ttl-seconds': '21600',
      'X-Forwarded-For': '198.51.100.7',
    });
    expect([xff.status, xff.body]).toEqual([403, 'Forbidden']);
    const get = await md(normal.url, '/latest/api/token');
    expect(get.status).toBe(405);
  });

  it('follows ModifyInstanceMetadataOptions: tokens required or optional, endpoint disabled', async () => {
    await modify(normal.instanceId, { httpTokens: 'required' });
    expect((await md(normal.url, '/latest/meta-data/instance-id')).status).toBe(401);
    await modify(normal.instanceId, { httpTokens: 'optional' });
    expect((await md(normal.url, '/latest/meta-data/instance-id')).status).toBe(200);

    await modify(normal.instanceId, { httpEndpoint: 'disabled' });
    const r = await md(normal.url, '/latest/meta-data/instance-id');
    expect([r.status, r.body]).toEqual([403, 'Forbidden']);
    const put = await md(normal.url, '/latest/api/token', {
      method: 'PUT',
      headers: { 'x-aliyun-ecs-metadata-token-ttl-seconds': '21600' },
    });
    expect(put.status).toBe(403);
    await modify(normal.instanceId, { httpEndpoint: 'enabled' });
    expect((await md(normal.url, '/latest/meta-data/instance-id')).status).toBe(200);
  });
});
