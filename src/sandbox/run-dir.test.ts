/**
 * @module Removal notices in the run directory: written whole, named after the namespace, and
 * swept once stale, for servers that no longer run (only theirs).
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunDir } from './run-dir.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('removal notices', () => {
  it('are written whole where the sandbox says, and swept per server', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'yunbox-rundir-'));
    dirs.push(dir);
    const mine = new RunDir(dir, 'aaaa0001');
    expect(mine.noticePath('ybx-aaaa0001-3')).toBe(join(dir, 'ybx-aaaa0001-3.removed'));
    await mine.writeNotice('ybx-aaaa0001-3', 'instance `i-1` is Stopped');
    mine.writeNoticeSync('ybx-aaaa0001-4', 'yunbox exited');
    await writeFile(join(dir, 'ybx-bbbb0002-1.removed'), 'another server\n');
    expect(await readFile(mine.noticePath('ybx-aaaa0001-3'), 'utf8')).toBe(
      'instance `i-1` is Stopped\n',
    );
    expect(await readFile(mine.noticePath('ybx-aaaa0001-4'), 'utf8')).toBe('yunbox exited\n');
    const other = new RunDir(dir, 'cccc0003');
    const alive = async (id: string) => id === 'bbbb0002';
    // Fresh notices of a stopped server stay a while: its CLIs may be reading them.
    await other.removeStaleNotices(alive);
    expect((await readdir(dir)).sort()).toEqual([
      'ybx-aaaa0001-3.removed',
      'ybx-aaaa0001-4.removed',
      'ybx-bbbb0002-1.removed',
    ]);
    await writeFile(join(dir, 'unrelated.removed'), 'not a notice\n');
    await other.removeStaleNotices(alive, 0);
    expect((await readdir(dir)).sort()).toEqual(['unrelated.removed', 'ybx-bbbb0002-1.removed']);
  });
});
