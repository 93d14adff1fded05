/**
 * @module Cold start to healthy: wall time from spawning `node dist/yunbox.mjs serve` (SQLite,
 * HTTPS off) to the first `200` from `GET /_yunbox/health`, polled every 2 ms; against the time
 * `node -e ''` takes to start and exit. Measured on a fresh data directory (first start:
 * migrations, system policies, root key) and again on the same directory (a restart). Rounds of
 * yunbox and of the baseline alternate.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'node:http';
import { CLI, REPO_ROOT, freePort, stopChild } from '../lib/processes.js';
import { summarize } from '../lib/stats.js';
import type { Row, Scenario } from '../lib/types.js';

function healthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/_yunbox/health', agent: false, timeout: 1000 },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/** ms from spawn to the first healthy answer. */
async function timeToHealthy(dataDir: string, nodeFlags: string[]): Promise<number> {
  const port = await freePort();
  const metadataPort = await freePort();
  const start = performance.now();
  const child = spawn(
    process.execPath,
    [
      ...nodeFlags,
      CLI,
      'serve',
      '--data',
      dataDir,
      '--listen',
      `127.0.0.1:${port}`,
      '--tls-listen',
      'off',
      '--metadata-listen',
      `127.0.0.1:${metadataPort}`,
    ],
    {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      stdio: 'ignore',
    },
  );
  try {
    for (;;) {
      if (await healthy(port)) return performance.now() - start;
      if (child.exitCode !== null) throw new Error(`yunbox serve exited ${child.exitCode}`);
      if (performance.now() - start > 60_000) throw new Error('yunbox not healthy after 60 s');
      await new Promise((r) => setTimeout(r, 2));
    }
  } finally {
    await stopChild(child);
  }
}

/** ms for `node -e ''` to start and exit. */
async function timeEmptyNode(): Promise<number> {
  const start = performance.now();
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await once(child, 'exit');
  return performance.now() - start;
}

/** The scenario. */
export const coldStart: Scenario = {
  id: 'cold-start',
  title: 'cold start to healthy (yunbox serve, SQLite) vs node -e',
  async run(ctx) {
    const n = ctx.settings.startRounds;
    const fresh: number[] = [];
    const again: number[] = [];
    const base: number[] = [];
    await timeEmptyNode();
    for (let i = 0; i < n; i++) {
      const dir = await ctx.resources.tempDir('cold');
      base.push(await timeEmptyNode());
      fresh.push(await timeToHealthy(dir, ctx.settings.nodeFlags));
      base.push(await timeEmptyNode());
      again.push(await timeToHealthy(dir, ctx.settings.nodeFlags));
      ctx.log(
        `  round ${i + 1}/${n}: first start ${fresh.at(-1)!.toFixed(0)} ms, restart ` +
          `${again.at(-1)!.toFixed(0)} ms, node -e ${base.at(-2)!.toFixed(0)}/${base.at(-1)!.toFixed(0)} ms`,
      );
    }
    const b = summarize(base.map((value) => ({ value })));
    const rows: Row[] = [];
    for (const [name, list] of [
      ['cold start to healthy, fresh data dir (SQLite)', fresh],
      ['restart to healthy, existing data dir (SQLite)', again],
    ] as const) {
      const y = summarize(list.map((value) => ({ value })));
      rows.push({
        scenario: 'cold-start',
        name,
        unit: 'ms',
        status: 'ok',
        yunbox: y,
        baseline: { name: "node -e ''", stat: b },
        ratio: y.median / b.median,
        goals: [{ kind: 'over-baseline-at-most', value: 300, text: '< 300 ms over baseline' }],
      });
    }
    return rows;
  },
};
