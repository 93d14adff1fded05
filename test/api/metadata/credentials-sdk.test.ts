/**
 * The official credential client, unchanged: `@alicloud/credentials` (type `ecs_ram_role`) talks
 * to the hard-coded http://100.100.100.200; here its connections to that address are redirected
 * to one instance's plain-listener address (the SDK's HTTP code runs as is, only the TCP
 * destination changes; sandboxes do this with a network namespace). It discovers the role, gets
 * the credential (with tokens, and with HttpTokens=required), and its resilience shows against
 * each injected fault.
 */
import http from 'node:http';
import net from 'node:net';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../../../src/testing/server.js';
import { restoreClock } from '../../../src/testing/clock.js';
import { rpcCall } from '../../../src/protocol/rpc-client.js';
import { $Ecs, ecsClient, stsClient } from '../../../src/testing/sdk.js';
import { createEcsRole, rootOf } from '../../../src/testing/fixtures.js';
import { metadataServer, runningInstance, type RunningInstance } from './setup.js';

const require = createRequire(import.meta.url);
const Credential = require('@alicloud/credentials').default;
const { Config } = require('@alicloud/credentials');

let yb: TestServer;
let inst: RunningInstance;
let target: URL | undefined;
const original = http.Agent.prototype.createConnection;

beforeAll(async () => {
  yb = await metadataServer();
  await createEcsRole(yb, rootOf(yb), 'EcsRamRoleTest');
  inst = await runningInstance(yb, { roleName: 'EcsRamRoleTest' });
  target = new URL(inst.url);
  // Connections to 100.100.100.200:80 go to the instance's address instead.
  (http.Agent.prototype as any).createConnection = function (opts: any, cb: any) {
    if (target && opts.host === '100.100.100.200') {
      return net.createConnection({ host: target.hostname, port: Number(target.port) }, cb);
    }
    return original.call(this, opts, cb);
  };
});
afterAll(async () => {
  (http.Agent.prototype as any).createConnection = original;
  restoreClock();
  await yb?.close();
});

const fault = (Mode: string, extra: Record<string, string> = {}) =>
  rpcCall({
    endpoint: yb.endpoint,
    version: '2026-11-01',
    action: 'SetInstanceMetadataFault',
    params: { InstanceId: inst.instanceId, Mode, ...extra },
    credentials: rootOf(yb),
    signature: 'acs3',
  });

function client(extra: Record<string, unknown> = {}) {
  return new Credential(new Config({ type: 'ecs_ram_role', ...extra }));
}

async function outcome(c: any): Promise<string> {
  try {
    const m = await c.getCredential();
    return `ok ${m.accessKeyId.slice(0, 4)}`;
  } catch (e) {
    return `error ${(e as Error).message}`;
  }
}

describe('@alicloud/credentials ecs_ram_role against yunbox', () => {
  it('discovers the role and gets working credentials', async () => {
    const m = await client().getCredential();
    expect(m.type).toBe('ecs_ram_role');
    expect(m.accessKeyId).toMatch(/^STS\./);
    const who = await stsClient(yb, {
      accessKeyId: m.accessKeyId,
      accessKeySecret: m.accessKeySecret,
      securityToken: m.securityToken,
    }).getCallerIdentity();
    expect(who.body!.arn).toBe(
      `acs:ram::${yb.accountId}:assumed-role/EcsRamRoleTest/${inst.instanceId}`,
    );
  });

  it('works in security hardening mode, IMDSv1 disabled', async () => {
    await ecsClient(yb, rootOf(yb)).modifyInstanceMetadataOptions(
      new $Ecs.ModifyInstanceMetadataOptionsRequest({
        regionId: 'cn-hangzhou',
        instanceId: inst.instanceId,
        httpTokens: 'required',
      }),
    );
    expect(await outcome(client({ disableIMDSv1: true, roleName: 'EcsRamRoleTest' }))).toBe(
      'ok STS.',
    );
  });

  it('shows each fault: refused tokens, errors, slowness, expired credentials', async () => {
    // HttpTokens=required (previous test): without tokens nothing can be read.
    await fault('refuse-token');
    expect(await outcome(client({ disableIMDSv1: true }))).toMatch(
      /^error get metadata token failed with 403/,
    );
    expect(await outcome(client())).toMatch(/^error /);
    await ecsClient(yb, rootOf(yb)).modifyInstanceMetadataOptions(
      new $Ecs.ModifyInstanceMetadataOptionsRequest({
        regionId: 'cn-hangzhou',
        instanceId: inst.instanceId,
        httpTokens: 'optional',
      }),
    );
    // With tokens optional, the SDK silently falls back to token-less reads.
    expect(await outcome(client())).toBe('ok STS.');

    await fault('error', { StatusCode: '500' });
    expect(await outcome(client({ roleName: 'EcsRamRoleTest' }))).toMatch(/^error .*500/);

    // Slower than the SDK's 1 s read timeout.
    await fault('slow', { DelayMs: '1200' });
    expect(await outcome(client({ roleName: 'EcsRamRoleTest' }))).toMatch(/^error .*[Tt]imeout/);
    expect(
      await outcome(client({ roleName: 'EcsRamRoleTest', timeout: 3000, connectTimeout: 3000 })),
    ).toBe('ok STS.');

    // An already-expired credential is handed out; using it fails at STS.
    await fault('expired-credential');
    const m = await client({ roleName: 'EcsRamRoleTest' }).getCredential();
    const e = await stsClient(yb, {
      accessKeyId: m.accessKeyId,
      accessKeySecret: m.accessKeySecret,
      securityToken: m.securityToken,
    })
      .getCallerIdentity()
      .then(
        () => 'accepted',
        (err: any) => err.code,
      );
    expect(e).toBe('InvalidSecurityToken.Expired');
    await fault('none');
    expect(await outcome(client())).toBe('ok STS.');
  });
});
