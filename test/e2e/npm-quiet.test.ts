/**
 * A newcomer's first npm commands print no warning of ours (issue 19, item 1): no `.npmrc` key npm
 * does not know (`npm warn Unknown project config`), no Node warning at start-up, nothing
 * deprecated in the lock file. `npm start` and the test runner are run through npm, as README
 * says; `npm ci` itself is CI's first command (.ci/run), and what it could warn about of ours is
 * checked here from the files it reads.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/testing/spawn.js';

/** What a warning of npm or of Node looks like in their output. */
const WARNING = /npm warn|npm WARN|\(node:\d+\) \w*Warning|DeprecationWarning|ExperimentalWarning/;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'yunbox-npm-quiet-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Runs `npm ARGS` in the checkout with PATH and HOME only, until `ready` is seen or it ends. */
async function npm(args: string[], ready?: RegExp) {
  const child = spawn('npm', args, {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, npm_config_update_notifier: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: npm's child (the server) is stopped with it.
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = once(child, 'exit');
  const kill = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      // already gone
    }
  };
  const t = setTimeout(() => kill('SIGKILL'), 60_000);
  try {
    if (ready) {
      while (!ready.test(stderr + stdout) && child.exitCode === null) {
        await new Promise((r) => setTimeout(r, 50));
      }
      kill('SIGTERM');
    }
    const [code] = (await exited) as [number | null];
    return { code, stdout, stderr };
  } finally {
    clearTimeout(t);
  }
}

describe('npm prints no warning of ours', () => {
  it('has no .npmrc key npm does not know, and nothing deprecated in the lock file', async () => {
    const rc = join(REPO_ROOT, '.npmrc');
    if (existsSync(rc)) {
      // npm 10 knows no `build_from_source` (nor other node-gyp keys): it warns on every command.
      expect(await readFile(rc, 'utf8')).not.toMatch(/build_from_source|build-from-source/);
    }
    expect(await readFile(join(REPO_ROOT, 'package-lock.json'), 'utf8')).not.toContain(
      '"deprecated"',
    );
  });

  it('`npm start` starts yunbox without a warning', async () => {
    const r = await npm(
      [
        'start',
        '--',
        ...['--data', join(dir, 'data'), '--listen', '127.0.0.1:0'],
        ...['--tls-listen', 'off', '--metadata-listen', 'off'],
      ],
      /gateway\s+http:\/\/\S+/,
    );
    expect(r.stderr + r.stdout).toMatch(/gateway\s+http:\/\/127\.0\.0\.1:\d+/);
    expect(r.stderr + r.stdout).not.toMatch(WARNING);
  }, 90_000);

  it('the test runner, run through npm, starts without a warning', async () => {
    const r = await npm(['exec', '--', 'vitest', 'run', 'src/cli/argument-error.test.ts']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr + r.stdout).not.toMatch(WARNING);
  }, 90_000);
});
