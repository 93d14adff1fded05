/**
 * The benchmark harness runs: `bench/run.ts --quick` on the smallest scenario (the in-process
 * policy decision against Cedar) exits 0, prints the table and writes its JSON; `--list` names
 * every scenario. How fast anything is, is not a test's business.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../src/testing/spawn.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function bench(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, out, err };
}

describe('npm run bench', () => {
  it('runs a quick scenario and prints the table', async () => {
    const results = await mkdtemp(join(tmpdir(), 'yunbox-bench-test-'));
    dirs.push(results);
    const r = await bench(['--quick', '--only', 'policy', '--results-dir', results]);
    expect(r.code, r.err + r.out).toBe(0);
    expect(r.out).toMatch(/^scenario\s+yunbox\s+baseline\s+ratio/m);
    expect(r.out).toContain('policy decision');
    expect(r.out).toMatch(/goals missed/);
    const [file] = (await readdir(results)).filter((f) => f.endsWith('.json'));
    const record = JSON.parse(await readFile(join(results, file!), 'utf8'));
    expect(record.rows[0]).toMatchObject({ scenario: 'policy', status: 'ok' });
    expect(record.machine.cores).toBeGreaterThan(0);
  });

  it('lists its scenarios', async () => {
    const r = await bench(['--list']);
    expect(r.code).toBe(0);
    for (const id of ['assume-role', 'policy', 'cold-start', 'rss', 'oss-get', 'metadata']) {
      expect(r.out).toContain(id);
    }
  });

  it('refuses an unknown scenario', async () => {
    const r = await bench(['--only', 'nope']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('unknown scenario `nope`');
  });
});
