/**
 * Structured logs carry a request id per request and never a secret: AccessKey secrets, STS
 * secrets and tokens, signatures.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveIn, type ServeProcess } from '../../src/testing/spawn.js';
import { $Ram, $Sts, ramClient, stsClient } from '../../src/testing/sdk.js';
import { createUserWithKey, ramTrustPolicy } from '../../src/testing/fixtures.js';
import { rpcCall } from '../../src/protocol/rpc-client.js';

const ROOT = {
  accessKeyId: 'LTAIlogsroot000000001',
  accessKeySecret: 'LogsRootSecretValue0000000001',
};
let s: ServeProcess;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'yunbox-logs-'));
  s = await serveIn(dir, { root: ROOT, logLevel: 'trace' });
});
afterAll(async () => {
  await s?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('logs', () => {
  it('have request ids and no secrets', async () => {
    const user = await createUserWithKey(s, ROOT, 'logger', ['AliyunSTSAssumeRoleAccess']);
    await ramClient(s, ROOT).createRole(
      new $Ram.CreateRoleRequest({
        roleName: 'logged',
        assumeRolePolicyDocument: ramTrustPolicy(['*']),
      }),
    );
    const r = await stsClient(s, user).assumeRole(
      new $Sts.AssumeRoleRequest({
        roleArn: `acs:ram::${(await stsClient(s, ROOT).getCallerIdentity()).body!.accountId}:role/logged`,
        roleSessionName: 'logs-session',
      }),
    );
    const c = r.body!.credentials!;
    await stsClient(s, {
      accessKeyId: c.accessKeyId!,
      accessKeySecret: c.accessKeySecret!,
      securityToken: c.securityToken!,
    }).getCallerIdentity();
    const bad = await rpcCall({
      endpoint: s.endpoint,
      version: '2015-04-01',
      action: 'GetCallerIdentity',
      credentials: { ...user, accessKeySecret: 'wrong-secret-value' },
    });
    expect(bad.json.Code).toBe('SignatureDoesNotMatch');
    // Logs are buffered and flushed at least every second.
    for (let i = 0; i < 40 && !s.stdout().includes('"action":"GetCallerIdentity"'); i++) {
      await new Promise((res) => setTimeout(res, 100));
    }
    await new Promise((res) => setTimeout(res, 1200));
    const logs = s.stdout();
    const lines = logs
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
    const requests = lines.filter((l) => l.msg === 'request');
    expect(requests.length).toBeGreaterThanOrEqual(8);
    for (const l of requests) expect(l.rid).toMatch(/^[0-9A-F-]{36}$/);
    expect(requests.some((l) => l.action === 'AssumeRole' && l.status === 200)).toBe(true);
    for (const secret of [
      ROOT.accessKeySecret,
      user.accessKeySecret,
      c.accessKeySecret!,
      c.securityToken!,
      'wrong-secret-value',
    ]) {
      expect(logs).not.toContain(secret);
      expect(s.stderr()).not.toContain(secret);
    }
    expect(logs).not.toMatch(/Signature=/);
  });
});
