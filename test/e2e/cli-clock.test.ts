/**
 * The manual clock as a user drives it: `POST /_yunbox/clock` and `yunbox clock advance|set|show`
 * against a spawned `yunbox serve --clock manual`; refused with `--clock system`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, runNode, serveIn, type ServeProcess } from '../../src/testing/spawn.js';

let manual: ServeProcess;
let system: ServeProcess;
const dirs: string[] = [];

beforeAll(async () => {
  const start = async (args: string[]) => {
    const dir = await mkdtemp(join(tmpdir(), 'yunbox-clock-'));
    dirs.push(dir);
    return serveIn(dir, { args });
  };
  [manual, system] = await Promise.all([
    start(['--clock', 'manual', '--clock-start', '2026-01-01T00:00:00Z']),
    start([]),
  ]);
});
afterAll(async () => {
  await Promise.all([manual?.stop(), system?.stop()]);
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('manual clock', () => {
  it('moves with the admin endpoint', async () => {
    const post = (body: unknown) =>
      fetch(`${manual.endpoint}/_yunbox/clock`, { method: 'POST', body: JSON.stringify(body) });
    expect(await (await post({ advanceSeconds: 3600 })).json()).toEqual({
      now: '2026-01-01T01:00:00Z',
      mode: 'manual',
    });
    expect(await (await post({ now: '2026-02-01T00:00:00Z' })).json()).toEqual({
      now: '2026-02-01T00:00:00Z',
      mode: 'manual',
    });
    expect((await post({ advanceSeconds: 'x' })).status).toBe(400);
    expect(
      (await fetch(`${manual.endpoint}/_yunbox/clock`, { method: 'POST', body: '{' })).status,
    ).toBe(400);
  });

  it('moves with the CLI', async () => {
    const cli = (...args: string[]) => runNode([CLI, ...args, '--endpoint', manual.endpoint], {});
    expect((await cli('clock', 'set', '2026-03-01T00:00:00Z')).stdout).toBe(
      '2026-03-01T00:00:00Z\n',
    );
    expect((await cli('clock', 'advance', '6h')).stdout).toBe('2026-03-01T06:00:00Z\n');
    expect((await cli('clock', 'advance', '1h30m')).stdout).toBe('2026-03-01T07:30:00Z\n');
    expect((await cli('clock', 'show')).stdout).toBe('2026-03-01T07:30:00Z\n');
    const bad = await cli('clock', 'advance', 'soon');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('expected one duration');
  });

  it('is refused when the clock is the system clock', async () => {
    const r = await fetch(`${system.endpoint}/_yunbox/clock`, {
      method: 'POST',
      body: '{"advanceSeconds":1}',
    });
    expect(r.status).toBe(409);
    const cli = await runNode([CLI, 'clock', 'advance', '1h', '--endpoint', system.endpoint], {});
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain('--clock manual');
  });
});
