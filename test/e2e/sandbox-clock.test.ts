/**
 * Programs inside instances live on yunbox's clock (issue 15, item 2), as a user sees it: a real
 * `yunbox serve --clock manual` (SQLite, or PostgreSQL with YUNBOX_TEST_STORE=postgres), its clock
 * moved with `yunbox clock advance` while programs run in sandboxes (`yunbox instance exec`, as
 * nobody). `date +%s`, Node's `Date.now()` and Python's `time.time()` read yunbox's time, before
 * and after a move made while the program runs; monotonic time and a timer keep real pace across a
 * move; README's rotation script (the default credential chain, STS at its default endpoint) keeps
 * working through the rotation and past the old credential's expiry, its AccessKeyId changing
 * once; the tutorial's own Python code (oss2 with StsAuth, credentials from the metadata service)
 * lists the bucket before and after the rotation. Under the system clock nothing is preloaded,
 * and the caller's own LD_PRELOAD and FAKETIME never get in. Root on Linux only.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFaketimeLibrary } from '../../src/sandbox/faketime.js';
import { createEcsRole } from '../../src/testing/fixtures.js';
import {
  instanceExec,
  isRootLinux,
  sandboxCheckout,
  type SandboxCheckout,
  runningInstance,
  sandboxSkipReason,
} from '../../src/testing/sandbox.js';
import {
  cliClock,
  prepareOss2,
  runningInstanceOnClock,
  serverNow,
  startLineProgram,
} from '../../src/testing/sandbox-clock.js';
import { freshPgSchema, testStoreKind } from '../../src/testing/server.js';
import { ossClient, type TestCredentials } from '../../src/testing/sdk.js';
import {
  REPO_ROOT,
  rootCredentialsIn,
  serveIn,
  type ServeProcess,
} from '../../src/testing/spawn.js';

const NOBODY = 65534;
const PYTHON = '/usr/bin/python3';
const HOUR = 3600_000;
// Programs and their files live where `nobody` can read them, wherever the checkout is.
let checkout: SandboxCheckout;
let artifacts = '';
const cleanups: (() => Promise<unknown>)[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Reads the clock every way a program inside does, one JSON line per `now` on stdin; `timer N`
 * arms an N ms setTimeout and prints how long it took by each clock when it fires.
 */
const HARNESS = `
import { execFileSync } from 'node:child_process';
import { createInterface } from 'node:readline';
const run = (file, args) => execFileSync(file, args, { encoding: 'utf8' }).trim();
console.log(JSON.stringify({ ready: true, preload: process.env.LD_PRELOAD ?? null }));
for await (const line of createInterface({ input: process.stdin })) {
  const [what, arg] = line.split(' ');
  if (what === 'now') {
    const node = Date.now();
    const shell = Number(run('date', ['+%s'])) * 1000;
    const python = Number(run(${JSON.stringify(PYTHON)}, ['-c', 'import time; time.sleep(0.05); print(time.time())'])) * 1000;
    console.log(JSON.stringify({ node, shell, python }));
  } else if (what === 'timer') {
    const date = Date.now();
    const perf = performance.now();
    const hr = process.hrtime.bigint();
    setTimeout(() => console.log(JSON.stringify({
      date: Date.now() - date,
      perf: performance.now() - perf,
      hr: Number(process.hrtime.bigint() - hr) / 1e6,
    })), Number(arg));
  }
}
`;

/** The tutorial's step 4, as written, with the credentials read from the metadata service. */
const TUTORIAL_PY = `
import json
import urllib.request
from itertools import islice

import oss2

url = 'http://100.100.100.200/latest/meta-data/ram/security-credentials/EcsRamRoleTest'
c = json.loads(urllib.request.urlopen(url).read())
auth = oss2.StsAuth(c['AccessKeyId'], c['AccessKeySecret'], c['SecurityToken'])
bucket = oss2.Bucket(auth, 'oss-cn-hangzhou.aliyuncs.com', 'ramroletest')
for b in islice(oss2.ObjectIterator(bucket), 10):
    print(b.key)
print('key', c['AccessKeyId'])
`;

async function readmeSnippet(name: string): Promise<string> {
  const text = await readFile(join(REPO_ROOT, 'README.md'), 'utf8');
  const m = new RegExp(`<!-- readme-test: ${name} -->\\s*\`\`\`js\\n([\\s\\S]*?)\`\`\``).exec(text);
  if (!m) throw new Error(`README has no snippet ${name}`);
  return m[1]!;
}

/** Files libfaketime left in /dev/shm for nobody's processes that are gone. */
function shmLitter(): string[] {
  return readdirSync('/dev/shm').filter((n) => {
    const m = /^(?:faketime_shm_|sem\.faketime_sem_)(\d+)$/.exec(n);
    if (!m) return false;
    try {
      if (statSync(join('/dev/shm', n)).uid !== NOBODY) return false;
      readFileSync(`/proc/${m[1]}/stat`);
      return false;
    } catch {
      return true;
    }
  });
}

async function serve(dir: string, manualClock: boolean): Promise<ServeProcess> {
  const args: string[] = [];
  if (testStoreKind() === 'postgres') {
    const pg = await freshPgSchema();
    cleanups.push(() => pg.drop());
    args.push('--store', pg.url);
  }
  const server = await serveIn(dir, { manualClock, args });
  cleanups.push(() => server.stop());
  return server;
}

beforeAll(async () => {
  if (!isRootLinux) return;
  checkout = await sandboxCheckout();
  artifacts = join(checkout.artifacts, `sandbox-clock-${process.pid}`);
  await mkdir(artifacts, { recursive: true, mode: 0o755 });
  await chmod(artifacts, 0o755);
  await writeFile(join(artifacts, 'harness.mjs'), HARNESS, { mode: 0o644 });
  await writeFile(join(artifacts, 'rotation.mjs'), await readmeSnippet('instance-rotation'), {
    mode: 0o644,
  });
  await writeFile(join(artifacts, 'tutorial.py'), TUTORIAL_PY, { mode: 0o644 });
});

afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  await rm(artifacts, { recursive: true, force: true });
});

// Where they are missing, the tests that need them say so in their names (CI installs both).
const faketime = isRootLinux ? await findFaketimeLibrary() : undefined;
const faketimeSkip =
  isRootLinux && !faketime
    ? ' (skipped: libfaketime is not installed; Debian: apt-get install libfaketime)'
    : '';
const oss2 = isRootLinux && faketime ? await prepareOss2() : undefined;
const oss2Skip = oss2 && !oss2.ok ? ` (oss2 part skipped: ${oss2.reason})` : '';

describe.skipIf(!isRootLinux || !faketime)(
  `sandboxed programs on a manual clock${sandboxSkipReason}${faketimeSkip}`,
  () => {
    let server: ServeProcess;
    let dir: string;
    let root: TestCredentials;
    let timing: string;
    let rotation: { instanceId: string; attachedAt: number };

    beforeAll(async () => {
      if (oss2?.ok) cleanups.push(() => oss2.remove());
      dir = await mkdtemp(join(tmpdir(), 'yunbox-sandbox-clock-'));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      server = await serve(dir, true);
      root = await rootCredentialsIn(dir);
      await createEcsRole(server, root, 'EcsRamRoleTest');
      const oss = ossClient(server, root, { bucket: 'ramroletest' });
      await oss.putBucket('ramroletest');
      await oss.put('ramroletest.txt', Buffer.from('hello from the bucket'));
      // Both instances now: the test signs its own SDK calls with this machine's time, which the
      // moves below take hours from the server's (the CLI stamps its calls with the server's).
      timing = (await runningInstanceOnClock(server, dir, root, 'EcsRamRoleTest')).instanceId;
      rotation = await runningInstanceOnClock(server, dir, root, 'EcsRamRoleTest');
    });

    it(`README's rotation script: the default chain refreshes by itself, its AccessKeyId changes once, every call succeeds; the tutorial's oss2 code lists the bucket before and after${oss2Skip}`, async () => {
      const tutorial = async () => {
        if (!oss2?.ok) return undefined;
        const r = await instanceExec(
          server,
          dir,
          instanceId,
          [PYTHON, join(artifacts, 'tutorial.py')],
          {
            env: { PYTHONPATH: oss2.path },
            cwd: checkout.dir,
          },
        );
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        const lines = r.stdout.trim().split('\n');
        expect(lines.slice(0, -1)).toEqual(['ramroletest.txt']);
        return lines.at(-1)!.replace(/^key /, '');
      };

      const { instanceId, attachedAt } = rotation;
      const p = startLineProgram(
        server,
        dir,
        instanceId,
        [process.execPath, join(artifacts, 'rotation.mjs')],
        {},
        checkout.dir,
      );
      const call = async (n: number) => {
        if (n > 0) {
          await sleep(1100); // the program reads the moved offset at its next second
          p.send('');
        }
        const [time, key, arn] = (await p.line(n)).split(' ') as [string, string, string];
        expect(arn).toBe(
          `acs:ram::${(await rootCredentialsIn(dir)).accountId}:assumed-role/EcsRamRoleTest/${instanceId}`,
        );
        const yunbox = await serverNow(server);
        // yunbox's time (the host's is minutes to hours away), plus the real time since it was read.
        expect(Math.abs(Date.parse(time) - yunbox)).toBeLessThan(30_000);
        return key;
      };
      try {
        // (a) Before the rotation point (5.5 h after the role was attached).
        const a = await call(0);
        const pyBefore = await tutorial();
        // (b) Past the rotation and inside the SDK's refresh window, 10 minutes before expiry.
        await cliClock(
          server,
          dir,
          'set',
          new Date(attachedAt + 5 * HOUR + 50 * 60_000).toISOString(),
        );
        const b = await call(1);
        // (c) Past the first credential's expiry (6 h).
        await cliClock(server, dir, 'advance', '20m');
        expect((await serverNow(server)) - attachedAt).toBeGreaterThan(6 * HOUR);
        const c = await call(2);
        expect(b).not.toBe(a);
        expect(c).toBe(b);
        const pyAfter = await tutorial();
        if (oss2?.ok) {
          expect(pyBefore).toBe(a);
          expect(pyAfter).toBe(b);
        }
      } finally {
        expect(await p.end()).toBe(0);
      }
      expect(p.stderr()).toBe('');
      expect(p.lines()).toHaveLength(3);
    });

    it("date, Date.now() and time.time() read yunbox's time, before and after a move made while the program runs; timers keep real time", async () => {
      const instanceId = timing;
      const startedAt = Date.now();
      // The caller's own time settings never get in: the program reads yunbox's clock regardless.
      const p = startLineProgram(
        server,
        dir,
        instanceId,
        [process.execPath, join(artifacts, 'harness.mjs')],
        {
          FAKETIME: '-3650d',
          FAKETIME_TIMESTAMP_FILE: '/nonexistent',
        },
        checkout.dir,
      );
      try {
        const ready = JSON.parse(await p.line(0));
        expect(ready.preload).toMatch(/libfaketime(MT)?\.so\.1$/);

        // Before any move: yunbox's time (plus the real time since the sandbox was made).
        p.send('now');
        const before = JSON.parse(await p.line(1));
        const c1 = await serverNow(server);
        const sinceStart = Date.now() - startedAt;
        for (const k of ['node', 'shell', 'python'] as const) {
          expect(before[k] - c1, k).toBeGreaterThanOrEqual(-1000);
          expect(before[k] - c1, k).toBeLessThanOrEqual(sinceStart + 1000);
        }

        // An 8 s timer armed before a 6-hour move fires after 8 s of real time, not at the move.
        p.send('timer 8000');
        const armed = Date.now();
        await sleep(200);
        expect(await cliClock(server, dir, 'advance', '6h')).toMatch(/Z$/);
        const moved = Date.now();
        const timer = JSON.parse(await p.line(2));
        const real = Date.now() - armed;
        expect(moved - armed).toBeLessThan(8000); // the move happened while the timer ran
        expect(timer.perf).toBeGreaterThanOrEqual(7990);
        expect(timer.hr).toBeGreaterThanOrEqual(7990);
        expect(real).toBeGreaterThanOrEqual(7950);
        expect(timer.perf).toBeLessThan(real + 100);
        // ...while the wall clock it also read took the move.
        expect(timer.date).toBeGreaterThan(6 * HOUR);
        expect(timer.date).toBeLessThan(6 * HOUR + real + 2000);

        // After the move: the new time, in every reader.
        await sleep(1100);
        p.send('now');
        const after = JSON.parse(await p.line(3));
        const c2 = await serverNow(server);
        expect(c2 - c1).toBeGreaterThanOrEqual(6 * HOUR);
        const sinceMove = Date.now() - armed;
        for (const k of ['node', 'shell', 'python'] as const) {
          expect(after[k] - c2, k).toBeGreaterThanOrEqual(-1000);
          expect(after[k] - c2, k).toBeLessThanOrEqual(sinceMove + 1000);
        }
      } finally {
        expect(await p.end()).toBe(0);
      }
      expect(p.stderr()).toBe('');
    });

    it('leaves no shared memory of libfaketime behind', () => {
      expect(shmLitter()).toEqual([]);
    });
  },
);

describe.skipIf(!isRootLinux)(`sandboxed programs on the system clock${sandboxSkipReason}`, () => {
  it("get nothing preloaded, and the caller's own LD_PRELOAD and FAKETIME stay outside", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'yunbox-sandbox-sysclock-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const server = await serve(dir, false);
    const root = await rootCredentialsIn(dir);
    await createEcsRole(server, root, 'EcsRamRoleTest');
    const id = await runningInstance(server, root, 'EcsRamRoleTest');
    // Given to the CLI, which passes its environment on: libc (loaded anyway) as its preload, and
    // libfaketime's settings (inert in the CLI, which has no libfaketime).
    const libc = '/lib/x86_64-linux-gnu/libc.so.6';
    const r = await instanceExec(server, dir, id, ['sh', '-c', 'env; echo "now=$(date +%s)"'], {
      env: {
        ...(existsSync(libc) ? { LD_PRELOAD: libc } : {}),
        FAKETIME: '+3650d',
        FAKETIME_TIMESTAMP_FILE: '/etc/hostname',
        DONT_FAKE_MONOTONIC: '1',
      },
      cwd: checkout.dir,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const names = r.stdout.split('\n').map((l) => l.split('=')[0]);
    expect(
      names.filter((n) => /^(LD_PRELOAD|LD_AUDIT|FAKETIME|DONT_FAKE|NO_FAKE)/.test(n!)),
    ).toEqual([]);
    expect(names).not.toContain('PYTHONPATH');
    const now = Number(/^now=(\d+)$/m.exec(r.stdout)![1]) * 1000;
    expect(Math.abs(now - Date.now())).toBeLessThan(5000);
  });
});
