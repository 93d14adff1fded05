/**
 * `sandboxCheckout()` (src/testing/sandbox.ts), which lets sandbox tests pass wherever CI clones
 * the repository: on a stand-in checkout, it is the checkout itself when `nobody` can read it;
 * else a mirror that `nobody` can read, hard-linked (copied across file systems), where
 * `import 'yunbox'` still resolves to the package, gone once the process that made it is killed;
 * and it says what `nobody` cannot read (files closed to every user, node itself). Needs root (it
 * checks access as `nobody`).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, copyFile, link, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  NOBODY,
  isRootLinux,
  processAlive,
  sandboxCheckoutOf,
  sandboxSkipReason,
} from '../../src/testing/sandbox.js';
import { REPO_ROOT } from '../../src/testing/spawn.js';

const dirs: string[] = [];

/** A private directory (0700, as mkdtemp makes it), removed afterwards. */
async function privateDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'yunbox-checkout-test-'));
  dirs.push(d);
  return d;
}

/** A stand-in checkout at `root`: what programs in sandboxes load, files 0644 unless `mode`. */
async function fakeCheckout(root: string, mode = 0o644): Promise<void> {
  const files: Record<string, string> = {
    'package.json': JSON.stringify({
      name: 'yunbox',
      type: 'module',
      exports: { '.': './dist/index.js' },
    }),
    'dist/index.js': 'export const where = import.meta.url;\n',
    'dist/yunbox.mjs': '',
    'node_modules/@alicloud/credentials/package.json': '{"name":"@alicloud/credentials"}',
  };
  for (const [name, text] of Object.entries(files)) {
    const p = join(root, name);
    await mkdir(dirname(p), { recursive: true, mode: 0o755 });
    await chmod(dirname(p), 0o755);
    await writeFile(p, text);
    await chmod(p, mode);
  }
  await chmod(root, 0o755);
}

/** Runs `node …args` as `nobody` in `cwd`. */
function asNobody(args: string[], cwd: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, args, {
      uid: NOBODY,
      gid: NOBODY,
      cwd,
      env: { PATH: process.env.PATH },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code, out }));
  });
}

/**
 * Starts `node` (`nodePath`, by default this one) on a script that calls
 * `sandboxCheckoutOf(root)`, prints the result (or the error) as a JSON line and stays alive.
 */
function holder(root: string, nodePath = process.execPath) {
  const helper = pathToFileURL(join(REPO_ROOT, 'src', 'testing', 'sandbox.ts')).href;
  const script = `
const { sandboxCheckoutOf } = await import(${JSON.stringify(helper)});
try {
  console.log(JSON.stringify(await sandboxCheckoutOf(${JSON.stringify(root)})));
} catch (e) {
  console.log(JSON.stringify({ error: e.message }));
}
setInterval(() => {}, 1000);`;
  const child = spawn(nodePath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const result = async (): Promise<Record<string, unknown>> => {
    const until = Date.now() + 30_000;
    while (!out.includes('\n')) {
      if (Date.now() > until || child.exitCode !== null) throw new Error(`holder: ${err}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return JSON.parse(out.split('\n')[0]!) as Record<string, unknown>;
  };
  return { child, result };
}

async function gone(path: string, ms = 5000): Promise<boolean> {
  const until = Date.now() + ms;
  while (existsSync(path)) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

describe.skipIf(!isRootLinux)(
  `a checkout programs in sandboxes can read${sandboxSkipReason}`,
  () => {
    afterAll(async () => {
      for (const d of dirs) await rm(d, { recursive: true, force: true });
    });

    it('is the checkout itself when nobody can read it', async () => {
      const root = await privateDir();
      await fakeCheckout(root);
      expect(await sandboxCheckoutOf(root)).toEqual({
        dir: root,
        cli: join(root, 'dist', 'yunbox.mjs'),
        artifacts: join(root, 'test-artifacts'),
        mirrored: false,
      });
      expect((await stat(join(root, 'test-artifacts'))).isDirectory()).toBe(true);
    });

    it('else a hard-linked mirror nobody can read, gone once its process is killed', async () => {
      // As a clone under /root: the checkout's files are readable, a directory above is not.
      const root = join(await privateDir(), 'repo');
      await fakeCheckout(root);
      const h = holder(root);
      try {
        const c = (await h.result()) as { dir: string; cli: string; artifacts: string };
        expect(c).toEqual({
          dir: expect.stringMatching(new RegExp(`^${tmpdir()}/yunbox-checkout-\\w+$`)),
          cli: join(c.dir, 'dist', 'yunbox.mjs'),
          artifacts: join(c.dir, 'test-artifacts'),
          mirrored: true,
        });
        expect((await stat(c.dir)).mode & 0o777).toBe(0o755);
        expect((await stat(c.artifacts)).mode & 0o777).toBe(0o755);
        for (const f of ['node_modules/@alicloud/credentials/package.json', 'dist/yunbox.mjs']) {
          expect((await stat(join(c.dir, f))).ino, f).toBe((await stat(join(root, f))).ino);
        }
        // A program nobody runs from test-artifacts finds the package by its own name.
        await writeFile(
          join(c.artifacts, 'self.mjs'),
          "console.log((await import('yunbox')).where);",
        );
        expect(await asNobody([join(c.artifacts, 'self.mjs')], c.artifacts)).toEqual({
          code: 0,
          out: `${pathToFileURL(join(c.dir, 'dist', 'index.js')).href}\n`,
        });
        h.child.kill('SIGKILL');
        expect(await gone(c.dir)).toBe(true);
        expect(existsSync(join(root, 'node_modules/@alicloud/credentials/package.json'))).toBe(
          true,
        );
      } finally {
        h.child.kill('SIGKILL');
      }
    });

    it('copies where hard links cannot go (another file system)', async (ctx) => {
      const shm = '/dev/shm';
      if (!existsSync(shm) || (await stat(shm)).dev === (await stat(tmpdir())).dev) {
        ctx.skip(`${shm} is not another file system than ${tmpdir()} here`);
      }
      const closed = await mkdtemp(join(shm, 'yunbox-checkout-test-'));
      dirs.push(closed);
      const root = join(closed, 'repo');
      await fakeCheckout(root);
      const h = holder(root);
      try {
        const c = (await h.result()) as { dir: string; mirrored: boolean };
        expect(c.mirrored).toBe(true);
        const f = 'node_modules/@alicloud/credentials/package.json';
        expect((await stat(join(c.dir, f))).ino).not.toBe((await stat(join(root, f))).ino);
        expect(await asNobody(['-p', `require('./${f}').name`], c.dir)).toEqual({
          code: 0,
          out: '@alicloud/credentials\n',
        });
        h.child.kill('SIGKILL');
        expect(await gone(c.dir)).toBe(true);
      } finally {
        h.child.kill('SIGKILL');
      }
    });

    it('says which files nobody still cannot read', async () => {
      const root = join(await privateDir(), 'repo');
      await fakeCheckout(root, 0o600);
      const h = holder(root);
      try {
        const { error } = (await h.result()) as { error: string };
        const mirror =
          /^programs in sandboxes run as nobody, who cannot read `(\/\S+?)\/package\.json`/.exec(
            error,
          )?.[1];
        expect(mirror, error).toBeDefined();
        expect(error).toBe(
          `programs in sandboxes run as nobody, who cannot read ${[
            'package.json',
            'dist/yunbox.mjs',
            'node_modules/@alicloud/credentials/package.json',
          ]
            .map((f) => `\`${join(mirror!, f)}\``)
            .join(
              ', ',
            )} (a mirror of \`${root}\`, which nobody cannot read): make the checkout's files readable by every user`,
        );
        h.child.kill('SIGKILL');
        expect(await gone(mirror!)).toBe(true);
      } finally {
        h.child.kill('SIGKILL');
      }
    });

    it('says so when nobody cannot run node itself', async () => {
      const hidden = await privateDir();
      const node = join(hidden, 'node');
      await link(process.execPath, node).catch(() => copyFile(process.execPath, node));
      const root = await privateDir();
      await fakeCheckout(root);
      const h = holder(root, node);
      try {
        expect(await h.result()).toEqual({
          error: `programs in sandboxes run as nobody, who cannot run node (\`${node}\`): use a node installed where every user can read it (as /usr/bin/node)`,
        });
      } finally {
        h.child.kill('SIGKILL');
        const pid = h.child.pid!;
        const until = Date.now() + 5000;
        while (processAlive(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      }
    });
  },
);
