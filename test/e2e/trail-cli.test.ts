/**
 * `yunbox trail lookup` as a user runs it (the bundled CLI, dist/yunbox.mjs) against a spawned
 * `yunbox serve`: one line per event with time, principal, action, resource, decision, error
 * and request id; filters; `--json`; `--max` across pages; and its refusals.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rpcCall } from '../../src/protocol/rpc-client.js';
import {
  CLI,
  rootCredentialsIn,
  runNode,
  serveIn,
  type ServeProcess,
} from '../../src/testing/spawn.js';

let server: ServeProcess;
let dir: string;
let root: { accessKeyId: string; accessKeySecret: string };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'yunbox-trail-'));
  server = await serveIn(dir);
  root = await rootCredentialsIn(dir);
  const call = (action: string, params: Record<string, string>, credentials = root) =>
    rpcCall({ endpoint: server.endpoint, version: '2015-05-01', action, params, credentials });
  expect((await call('CreateUser', { UserName: 'dave' })).status).toBe(200);
  for (let i = 0; i < 3; i++)
    expect((await call('GetUser', { UserName: 'dave' })).status).toBe(200);
  const refused = await call(
    'ListUsers',
    {},
    { accessKeyId: 'LTAI5tCliUnknownKey000000', accessKeySecret: 'nope-nope-nope' },
  );
  expect(refused.json.Code).toBe('InvalidAccessKeyId.NotFound');
});
afterAll(async () => {
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const trail = (...args: string[]) =>
  runNode([CLI, 'trail', 'lookup', ...args, '--endpoint', server.endpoint, '--data', dir], {});

describe('yunbox trail lookup', () => {
  it('prints one line per event, newest first', async () => {
    const r = await trail('--max', '5');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    const cells = lines.map((l) => l.split(/\s{2,}/));
    expect(cells[0]).toEqual([
      expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
      'key/LTAI5tCliUnknownKey000000',
      'ram:ListUsers',
      '-',
      'none',
      'InvalidAccessKeyId.NotFound',
      expect.stringMatching(/^[0-9A-F-]{36}$/),
    ]);
    expect(cells[1]!.slice(1, 6)).toEqual([
      'root',
      'ram:GetUser',
      expect.stringMatching(/^acs:ram::\d+:user\/dave$/),
      'allow',
      '-',
    ]);
  });

  it('filters with --attr, pages up to --max, prints JSON', async () => {
    const created = await trail('--attr', 'EventName=CreateUser', '--attr', 'User=root');
    expect(created.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(created.stdout).toContain('ram:CreateUser');
    const two = await trail('--attr', 'EventName=GetUser', '--max', '2', '--json');
    const events = JSON.parse(two.stdout);
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({
      eventName: 'GetUser',
      userIdentity: { type: 'root-account' },
      additionalEventData: { Decision: 'allow' },
    });
    const forward = JSON.parse(
      (await trail('--attr', 'EventName=GetUser', '--forward', '--json')).stdout,
    );
    expect(
      forward
        .map((e: { eventId: string }) => e.eventId)
        .slice(-2)
        .reverse(),
    ).toEqual(events.map((e: { eventId: string }) => e.eventId));
    const none = await trail('--end', '2000-01-01T00:00:00Z', '--start', '1999-01-01T00:00:00Z');
    expect(none).toMatchObject({ code: 0, stdout: '' });
  });

  it('refuses bad options and says why calls fail', async () => {
    const bad = await trail('--attr', 'nokey');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--attr expects Key=Value, not `nokey`');
    const wrong = await trail('--attr', 'Colour=blue');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('InvalidParameter');
    const nocreds = await runNode(
      [CLI, 'trail', 'lookup', '--endpoint', server.endpoint, '--data', join(dir, 'nowhere')],
      {},
    );
    expect(nocreds.code).toBe(1);
    expect(nocreds.stderr).toContain('no root credentials');
  });
});
