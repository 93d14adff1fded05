/**
 * The ali-oss compatibility runner (issue 17, item 3) as a user runs it: `scripts/compat/ali-oss.ts`
 * with tsx against a local checkout of github:ali-sdk/ali-oss (`YUNBOX_ALI_OSS_SUITE`, default
 * /work/compat/ali-oss, its devDependencies installed), on two small files: sts.test.js reaches
 * STS over HTTPS at sts.aliyuncs.com (certificate checked against yunbox's CA) with the RAM user
 * and role the runner made, and OSS at `<bucket>.oss-cn-hangzhou.aliyuncs.com` on port 80 with
 * the STS bucket it made; signature.test.js has cloud box tests the runner leaves out. Then the
 * runner is interrupted mid-run and must leave nothing behind. With YUNBOX_TEST_STORE=postgres the
 * first run is on PostgreSQL (a schema of its own). Loopback only; root only (ports 80
 * and 443), skipped with the reason otherwise.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPgSchema, testStoreKind } from '../../src/testing/server.js';
import { REPO_ROOT } from '../../src/testing/spawn.js';

const SUITE = process.env.YUNBOX_ALI_OSS_SUITE ?? '/work/compat/ali-oss';
const isRoot = process.platform === 'linux' && process.getuid?.() === 0;
const skipReason = !isRoot
  ? 'needs root to bind ports 80 and 443'
  : !existsSync(join(SUITE, 'test', 'node', 'sts.test.js'))
    ? `no ali-oss checkout at \`${SUITE}\` (set YUNBOX_ALI_OSS_SUITE)`
    : !existsSync(join(SUITE, 'node_modules', 'mocha', 'bin', '_mocha'))
      ? `the checkout at \`${SUITE}\` has no devDependencies (npm ci --ignore-scripts there)`
      : undefined;

const RUNNER = join(REPO_ROOT, 'scripts', 'compat', 'ali-oss.ts');
let work = '';

/** A random 127.x.y.z for the runner's ports 80/443, so parallel runs never meet. */
const gateway = () =>
  `127.${200 + Math.floor(Math.random() * 50)}.${1 + Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;

function runner(args: string[], tmp: string) {
  // `node --import tsx`: one process, so a signal reaches the runner itself.
  const child = spawn(process.execPath, ['--import', 'tsx', RUNNER, '--suite', SUITE, ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: tmp },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return { child, out: () => stdout, err: () => stderr };
}

/** Whether something accepts connections on `host:port`. */
async function listening(host: string, port: number): Promise<boolean> {
  const s = connect({ host, port });
  try {
    await once(s, 'connect');
    return true;
  } catch {
    return false;
  } finally {
    s.destroy();
  }
}

/** What a run left in its TMPDIR (tsx's compile cache, `tsx-UID`, aside). */
async function leftovers(tmp: string): Promise<string[]> {
  return (await readdir(tmp)).filter((e) => !e.startsWith('tsx-'));
}

describe.skipIf(skipReason !== undefined)(
  `npm run compat:ali-oss${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    beforeAll(async () => {
      work = await mkdtemp(join(tmpdir(), 'yunbox-compat-e2e-'));
    });
    afterAll(async () => {
      if (work) await rm(work, { recursive: true, force: true });
    });

    it('runs ali-oss test files against yunbox on the real host names, then cleans up', async () => {
      const tmp = await mkdtemp(join(work, 'tmp-'));
      const ip = gateway();
      const report = join(work, 'report.json');
      // On PostgreSQL too (YUNBOX_TEST_STORE=postgres), in a schema of its own.
      const pg = testStoreKind() === 'postgres' ? await freshPgSchema() : undefined;
      const r = runner(
        [
          ...['--files', 'sts.test.js,signature.test.js', '--gateway', ip, '--report', report],
          ...(pg ? ['--store', pg.url] : []),
        ],
        tmp,
      );
      const [code] = (await once(r.child, 'exit')) as [number | null];
      await pg?.drop();
      const lines = r.out().trimEnd().split('\n');
      const last = lines.at(-1)!;
      expect(last, r.err()).toMatch(/^ali-oss suite: \d+ passed, \d+ failed$/);
      const [, passed, failed] = /(\d+) passed, (\d+) failed/.exec(last)!.map(Number);
      expect(code).toBe(failed === 0 ? 0 : 1);

      const json = JSON.parse(await readFile(report, 'utf8'));
      expect(json).toMatchObject({ passed, failed, suite: SUITE });
      const byFile = Object.fromEntries(json.files.map((f: any) => [f.file, f]));
      // sts.test.js: 8 tests in each of its two iterations (signature V1, then V4); all in scope.
      expect(byFile['sts.test.js']).toMatchObject({ excluded: 0 });
      expect(byFile['sts.test.js'].passed + byFile['sts.test.js'].failed).toBe(16);
      const state = (title: string) =>
        byFile['sts.test.js'].tests
          .filter((t: any) => t.fullTitle.endsWith(title))
          .map((t: any) => t.state);
      // STS over HTTPS (certificate checked), the RAM user and role the runner made.
      expect(state('assumeRole() should assume role')).toEqual(['passed', 'passed']);
      // OSS on port 80 at the STS bucket's virtual host, with the role's credentials.
      expect(state('should list objects using STS')).toEqual(['passed', 'passed']);
      // The cloud box half of signature.test.js is left out, with the reason.
      expect(byFile['signature.test.js']).toMatchObject({ excluded: 2 });
      expect(json.excluded.map((e: any) => e.feature)).toEqual(['cloud box', 'cloud box']);
      expect(r.out()).toMatch(/^sts\.test\.js +\d+ +\d+ +0 +\d+$/m);
      expect(r.out()).toContain('signature.test.js (2): cloud box:');

      // Nothing left: no forwarder, no temporary directory (yunbox's data was in it).
      expect(await listening(ip, 80)).toBe(false);
      expect(await listening(ip, 443)).toBe(false);
      expect(await leftovers(tmp)).toEqual([]);
    }, 300_000);

    it('cleans up when interrupted (Ctrl-C) mid-run', async () => {
      const tmp = await mkdtemp(join(work, 'tmp-'));
      const ip = gateway();
      const r = runner(['--files', 'sts.test.js', '--gateway', ip], tmp);
      // Wait until the forwarder is up and yunbox is serving, then interrupt.
      const started = Date.now();
      while (!/yunbox (http:\/\/\S+)/.test(r.err()) && Date.now() - started < 90_000)
        await new Promise((res) => setTimeout(res, 50));
      const gatewayUrl = /yunbox http:\/\/(\S+):(\d+) /.exec(r.err());
      expect(gatewayUrl, r.err()).not.toBeNull();
      r.child.kill('SIGINT');
      const [code] = (await once(r.child, 'exit')) as [number | null];
      expect(code, r.err()).toBe(130);
      expect(r.out(), r.err()).toMatch(/^ali-oss suite: \d+ passed, \d+ failed$/m);
      expect(await listening(ip, 80)).toBe(false);
      expect(await listening(gatewayUrl![1]!, Number(gatewayUrl![2]))).toBe(false);
      expect(await leftovers(tmp)).toEqual([]);
    }, 180_000);
  },
);
