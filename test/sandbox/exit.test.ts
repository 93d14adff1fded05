/**
 * A process that exits without closing its sandbox manager (process.exit, an uncaught exception)
 * still leaves nothing behind: the manager's `exit` hook removes its namespaces, their
 * /etc/netns entries, the processes inside, its pid file and its public CA copy. Needs root on
 * Linux.
 */
import { spawn } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  isRootLinux,
  netnsTraces,
  processAlive,
  sandboxSkipReason,
} from '../../src/testing/sandbox.js';
import { REPO_ROOT } from '../../src/testing/spawn.js';

const dir = join(REPO_ROOT, 'test-artifacts', `sandbox-exit-${process.pid}`);

const probe = (ending: string) => `
import { pino } from 'pino';
import { SandboxManager } from '../../src/sandbox/manager.ts';
import { spawn } from 'node:child_process';
const m = new SandboxManager({
  log: pino({ level: 'silent' }),
  region: 'cn-hangzhou',
  caDir: ${JSON.stringify(join(dir, 'ca'))},
  deps: () => ({
    gateway: (_req, res) => res.end(),
    instances: { get: async (a, id) => ({ instanceId: id, accountId: a ?? '1', status: 'Running' }) },
    metadata: async (_req, res) => { res.end(); },
  }),
});
const s = await m.create('1', 'i-exit');
const sleeper = spawn('ip', ['netns', 'exec', s.netns, 'sleep', '300'], { stdio: 'ignore', detached: true });
sleeper.unref();
await new Promise((r) => setTimeout(r, 300));
console.log(JSON.stringify({ netns: s.netns, server: m.serverId, sleeper: sleeper.pid }));
${ending}
`;

async function run(name: string, ending: string) {
  const file = join(dir, `${name}.mts`);
  await writeFile(file, probe(ending));
  return new Promise<{ code: number | null; stdout: string }>((resolveRun) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.on('close', (code) => resolveRun({ code, stdout }));
  });
}

describe.skipIf(!isRootLinux)(`sandboxes of a process that exits${sandboxSkipReason}`, () => {
  beforeAll(async () => {
    await mkdir(dir, { recursive: true });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const [name, ending, code] of [
    ['exit', 'process.exit(0);', 0],
    ['throw', "throw new Error('boom');", 1],
  ] as const) {
    it(`are removed on ${name}`, async () => {
      const r = await run(name, ending);
      expect(r.code).toBe(code);
      const { netns, server, sleeper } = JSON.parse(r.stdout) as {
        netns: string;
        server: string;
        sleeper: number;
      };
      expect(netnsTraces(netns)).toEqual({ netns: false, etc: false });
      expect(existsSync(`/run/yunbox/${server}.pid`)).toBe(false);
      expect(existsSync(`/run/yunbox/${server}-ca.pem`)).toBe(false);
      const until = Date.now() + 3000;
      while (processAlive(sleeper) && Date.now() < until)
        await new Promise((x) => setTimeout(x, 50));
      expect(processAlive(sleeper)).toBe(false);
    });
  }
});
