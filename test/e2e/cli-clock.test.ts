/**
 * The clock as a user drives it: `yunbox clock show|advance|set` against a spawned
 * `yunbox serve --clock manual`, through the signed Yunbox API (root credentials from `--data`),
 * stamped with the server's time (its manual clock is months from this machine's); the unsigned
 * `POST /_yunbox/clock` of old refused, saying where the clock moves now; moves refused with
 * `--clock system`, naming `--clock manual`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, runNode, serveIn, type ServeProcess } from '../../src/testing/spawn.js';

let manual: ServeProcess;
let system: ServeProcess;
let manualDir: string;
let systemDir: string;
const dirs: string[] = [];

beforeAll(async () => {
  const start = async (args: string[]) => {
    const dir = await mkdtemp(join(tmpdir(), 'yunbox-clock-'));
    dirs.push(dir);
    return { dir, server: await serveIn(dir, { args }) };
  };
  const [m, s] = await Promise.all([
    start(['--clock', 'manual', '--clock-start', '2026-01-01T00:00:00Z']),
    start([]),
  ]);
  [manual, manualDir, system, systemDir] = [m.server, m.dir, s.server, s.dir];
});
afterAll(async () => {
  await Promise.all([manual?.stop(), system?.stop()]);
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const cli = (server: ServeProcess, dir: string, ...args: string[]) =>
  runNode([CLI, ...args, '--endpoint', server.endpoint, '--data', dir], {});

describe('manual clock', () => {
  it('moves with the CLI, through the signed API', async () => {
    const run = (...args: string[]) => cli(manual, manualDir, ...args);
    expect((await run('clock', 'show')).stdout).toBe('2026-01-01T00:00:00Z\n');
    expect((await run('clock', 'set', '2026-03-01T00:00:00Z')).stdout).toBe(
      '2026-03-01T00:00:00Z\n',
    );
    expect((await run('clock', 'advance', '6h')).stdout).toBe('2026-03-01T06:00:00Z\n');
    expect((await run('clock', 'advance', '1h30m')).stdout).toBe('2026-03-01T07:30:00Z\n');
    expect((await run('clock', 'show')).stdout).toBe('2026-03-01T07:30:00Z\n');
    const bad = await run('clock', 'advance', 'soon');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('expected one duration');
    expect((await run('clock', 'advance', '-1h')).code).toBe(2);
    // Backwards is refused by the server, and the clock stays.
    const back = await run('clock', 'set', '2026-02-01T00:00:00Z');
    expect(back.code).toBe(1);
    expect(back.stderr).toContain('InvalidNow.BeforeCurrentTime');
    expect((await run('clock', 'show')).stdout).toBe('2026-03-01T07:30:00Z\n');
  });

  it('needs the root credentials', async () => {
    const r = await runNode(
      [
        CLI,
        'clock',
        'advance',
        '1h',
        '--endpoint',
        manual.endpoint,
        '--data',
        join(manualDir, 'x'),
      ],
      {},
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no root credentials');
  });

  it('no longer moves with an unsigned POST /_yunbox/clock', async () => {
    const before = await (await fetch(`${manual.endpoint}/_yunbox/clock`)).json();
    const r = await fetch(`${manual.endpoint}/_yunbox/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advanceSeconds: 3600 }),
    });
    expect(r.status).toBe(410);
    expect(((await r.json()) as { error: string }).error).toContain('yunbox clock');
    expect(await (await fetch(`${manual.endpoint}/_yunbox/clock`)).json()).toEqual(before);
  });

  it('is refused when the clock is the system clock', async () => {
    const shown = await cli(system, systemDir, 'clock', 'show');
    expect(shown.code).toBe(0);
    expect(Math.abs(Date.parse(shown.stdout.trim()) - Date.now())).toBeLessThan(60_000);
    for (const args of [
      ['clock', 'advance', '1h'],
      ['clock', 'set', '2999-01-01T00:00:00Z'],
    ]) {
      const r = await cli(system, systemDir, ...args);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('OperationDenied.ClockNotManual');
      expect(r.stderr).toContain('--clock manual');
    }
  });
});
