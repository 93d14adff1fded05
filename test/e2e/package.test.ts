/**
 * yunbox as a dependency (issue 19): `npm pack` of this checkout, installed with npm into an empty
 * project elsewhere, gives a working `npx yunbox serve` and `import { startYunbox } from 'yunbox'`.
 *
 * Offline: the project's `node_modules` starts with copies of yunbox's production dependencies
 * from this checkout's (`npm ls --omit=dev`, better-sqlite3 already built for this Node), then
 * `npm install --offline --ignore-scripts <tarball>` adds yunbox, keeping the dependencies it
 * finds satisfied: no registry, no native build.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/testing/spawn.js';

let tmp: string;
let app: string;

/** Runs `cmd args` in `cwd` with PATH and HOME only; resolves with its output. */
async function run(cmd: string, args: string[], cwd: string, timeoutMs = 120_000) {
  const child = spawn(cmd, args, {
    cwd,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      npm_config_update_notifier: 'false',
      npm_config_fund: 'false',
      npm_config_audit: 'false',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(t);
  return { code, stdout, stderr };
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'yunbox-pack-'));
  // The package as published: dist/ is built by `npm test` (and `prepare` would build it).
  const packed = await run(
    'npm',
    ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp],
    REPO_ROOT,
  );
  expect(packed.code, packed.stderr).toBe(0);
  const tarball = join(
    tmp,
    (JSON.parse(packed.stdout) as Array<{ filename: string }>)[0]!.filename,
  );

  app = join(tmp, 'app');
  await mkdir(join(app, 'node_modules'), { recursive: true });
  await writeFile(
    join(app, 'package.json'),
    JSON.stringify({ name: 'app', version: '1.0.0', private: true, type: 'module' }),
  );
  const deps = await run('npm', ['ls', '--omit=dev', '--all', '--parseable'], REPO_ROOT);
  const prefix = `${REPO_ROOT}/`;
  const paths = deps.stdout
    .split('\n')
    .filter((p) => p.startsWith(`${prefix}node_modules/`))
    .map((p) => p.slice(prefix.length))
    // Nested copies come with their parent.
    .filter((p) => p.indexOf('/node_modules/', 'node_modules/'.length) === -1);
  expect(paths).toContain('node_modules/better-sqlite3');
  for (const p of new Set(paths)) {
    await cp(join(REPO_ROOT, p), join(app, p), { recursive: true, verbatimSymlinks: true });
  }
  const installed = await run(
    'npm',
    ['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', tarball],
    app,
  );
  expect(installed.code, installed.stderr).toBe(0);
  expect(installed.stderr).not.toContain('Unknown project config');
}, 240_000);

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('the packed tarball, installed in another project', () => {
  it('runs `npx yunbox serve`', async () => {
    const child = spawn(
      'npx',
      [
        ...['--offline', 'yunbox', 'serve', '--data', './data', '--listen', '127.0.0.1:0'],
        ...['--tls-listen', 'off', '--metadata-listen', 'off', '--log-level', 'warn'],
      ],
      {
        cwd: app,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          npm_config_update_notifier: 'false',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
        // Its own process group: npx runs node as a child, and the whole group is stopped.
        detached: true,
      },
    );
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    try {
      for (let i = 0; i < 300 && !/gateway\s+http:\/\/\S+/.test(err); i++) {
        if (child.exitCode !== null) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const endpoint = /gateway\s+(http:\/\/\S+)/.exec(err)?.[1];
      expect(endpoint, err).toBeDefined();
      const health = await fetch(`${endpoint}/_yunbox/health`);
      expect(health.status).toBe(200);
      expect(err).toContain(join(app, 'data'));
    } finally {
      if (child.exitCode === null) {
        process.kill(-child.pid!, 'SIGTERM');
        const t = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 5000);
        await once(child, 'exit');
        clearTimeout(t);
      }
    }
  }, 60_000);

  it("gives `import { startYunbox } from 'yunbox'`", async () => {
    await writeFile(
      join(app, 'embed.mjs'),
      `import { startYunbox } from 'yunbox';
const yb = await startYunbox({ dataDir: './embedded', listen: '127.0.0.1:0', tlsListen: 'off', metadataListen: 'off', logLevel: 'warn' });
const health = await fetch(yb.endpoint + '/_yunbox/health');
console.log(health.status, yb.root.accessKeyId.startsWith('LTAI'), yb.accountId.length);
await yb.close();
`,
    );
    const r = await run(process.execPath, ['embed.mjs'], app, 60_000);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('200 true 16');
  }, 60_000);
});
