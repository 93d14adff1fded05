/**
 * yunbox's own CLI survives any move of a manual clock: against a spawned `yunbox serve --clock
 * manual` (SQLite, or PostgreSQL with `YUNBOX_TEST_STORE=postgres`), after `yunbox clock advance
 * 7h` and after `yunbox clock set` a year ahead, `trail lookup`, `instance fault`, `instance
 * metadata-url`, `clock show` (and, as root on Linux, `instance exec`) all work, signing with this
 * machine's time. The instance's credential read before the move is refused with
 * `InvalidSecurityToken.Expired` (not a skew error) by the STS client signing with the host's
 * time, and the rotated one read after it is accepted.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEcsRole } from '../../src/testing/fixtures.js';
import { isRootLinux, runningInstance, sandboxSkipReason } from '../../src/testing/sandbox.js';
import { stsClient, type TestCredentials } from '../../src/testing/sdk.js';
import { freshPgSchema, testStoreKind } from '../../src/testing/server.js';
import { CLI, runNode, serveIn, type ServeProcess } from '../../src/testing/spawn.js';

const ROOT = {
  accessKeyId: 'LTAIclockmovesroot01',
  accessKeySecret: 'ClockMovesRootSecret000000001',
};
const ROLE = 'EcsRamRoleTest';

let server: ServeProcess;
let dir: string;
let dropSchema: (() => Promise<void>) | undefined;
let instanceId: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'yunbox-clock-moves-'));
  const args: string[] = [];
  if (testStoreKind() === 'postgres') {
    const schema = await freshPgSchema();
    dropSchema = schema.drop;
    args.push('--store', schema.url);
  }
  server = await serveIn(dir, { metadata: true, manualClock: true, root: ROOT, args });
  const yb = { ...server, region: 'cn-hangzhou' };
  await createEcsRole(yb, ROOT, ROLE);
  // Running after its two seconds of real time: nobody moves the clock for it.
  instanceId = await runningInstance(server, ROOT, ROLE);
});
afterAll(async () => {
  await server?.stop();
  await dropSchema?.();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const env = {
  YUNBOX_ROOT_ACCESS_KEY_ID: ROOT.accessKeyId,
  YUNBOX_ROOT_ACCESS_KEY_SECRET: ROOT.accessKeySecret,
};
const cli = (...args: string[]) => runNode([CLI, ...args, '--endpoint', server.endpoint], env);

/** A command that must succeed, quietly. */
async function ok(...args: string[]): Promise<string> {
  const r = await cli(...args);
  expect(r.stderr, `yunbox ${args.join(' ')}`).toBe('');
  expect(r.code, `yunbox ${args.join(' ')}`).toBe(0);
  return r.stdout;
}

/** The instance role's credential, as a program on the instance reads it. */
async function instanceCredential(): Promise<TestCredentials & { Expiration: string }> {
  const url = (await ok('instance', 'metadata-url', instanceId)).trim();
  expect(url).toMatch(/^http:\/\/127\.77\.\d+\.\d+:\d+$/);
  const doc = (await (
    await fetch(`${url}/latest/meta-data/ram/security-credentials/${ROLE}`)
  ).json()) as {
    AccessKeyId: string;
    AccessKeySecret: string;
    SecurityToken: string;
    Expiration: string;
  };
  return {
    accessKeyId: doc.AccessKeyId,
    accessKeySecret: doc.AccessKeySecret,
    securityToken: doc.SecurityToken,
    Expiration: doc.Expiration,
  };
}

/** Every command, after a move; `before` is the credential read before it, now expired. */
async function commandsWork(before: TestCredentials): Promise<TestCredentials> {
  const now = (await ok('clock', 'show')).trim();

  // instance metadata-url, and the credential it leads to: rotated, accepted.
  const after = await instanceCredential();
  expect(after.accessKeyId).not.toBe(before.accessKeyId);
  expect(Date.parse(after.Expiration)).toBeGreaterThan(Date.parse(now));
  const who = await stsClient(server, after).getCallerIdentity();
  expect(who.body!.arn).toContain(`assumed-role/${ROLE}/${instanceId}`);
  // The old one is past its expiry on yunbox's clock: the expiry code, never a skew error.
  const refused = await stsClient(server, before)
    .getCallerIdentity()
    .then(
      () => undefined,
      (e: any) => e,
    );
  expect(refused?.code).toBe('InvalidSecurityToken.Expired');

  // instance fault, both ways.
  expect((await ok('instance', 'fault', instanceId, 'error', '--status', '503')).trim()).toBe(
    `${instanceId}: metadata fault error (status 503)`,
  );
  expect((await ok('instance', 'fault', instanceId, 'none')).trim()).toContain(instanceId);

  // trail lookup: the fault just set is there, at yunbox's time.
  const events = JSON.parse(
    await ok('trail', 'lookup', '--attr', 'EventName=SetInstanceMetadataFault', '--json'),
  ) as Array<{ eventTime: string }>;
  expect(events.length).toBeGreaterThanOrEqual(2);
  expect(events[0]!.eventTime).toBe(now);
  return after;
}

describe('the CLI after the manual clock moves', () => {
  let credential: TestCredentials;

  it('works after `clock advance 7h`', async () => {
    credential = await instanceCredential();
    const before = (await ok('clock', 'show')).trim();
    const moved = (await ok('clock', 'advance', '7h')).trim();
    expect(Date.parse(moved) - Date.parse(before)).toBe(7 * 3600_000);
    credential = await commandsWork(credential);
  });

  it('works after `clock set` a year ahead', async () => {
    const now = Date.parse((await ok('clock', 'show')).trim());
    const target = new Date(now + 365 * 24 * 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    expect((await ok('clock', 'set', target)).trim()).toBe(target);
    credential = await commandsWork(credential);
  });

  it.skipIf(!isRootLinux)(`instance exec works after the moves${sandboxSkipReason}`, async () => {
    const r = await runNode(
      [
        CLI,
        'instance',
        'exec',
        instanceId,
        '--endpoint',
        server.endpoint,
        '--',
        'curl',
        '-sS',
        '-m',
        '5',
        'http://100.100.100.200/latest/meta-data/instance-id',
      ],
      env,
      30_000,
      // A directory the sandboxed user can enter, wherever the checkout is.
      tmpdir(),
    );
    expect(r.stderr).toBe('');
    expect([r.code, r.stdout]).toEqual([0, instanceId]);
  });
});
