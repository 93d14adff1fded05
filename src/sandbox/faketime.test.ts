import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock, SystemClock } from '../kernel/clock.js';
import {
  PYTHON_SITECUSTOMIZE,
  SandboxClock,
  faketimeEnv,
  findFaketimeLibrary,
  offsetFileText,
  offsetLine,
  sandboxClockPaths,
  sweepFaketimeLitter,
} from './faketime.js';
import { withPreload } from './run-as.js';

const HOUR = 3600_000;
const log = pino({ level: 'silent' });

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'yunbox-faketime-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The offset a file says, in ms, read the way libfaketime does (atof after the sign). */
function offsetOf(path: string): number {
  const line = readFileSync(path, 'utf8')
    .split('\n')
    .find((l) => l.length > 1 && !'#; '.includes(l[0]!))!;
  return Math.round(Number.parseFloat(line) * 1000);
}

describe('offsetLine', () => {
  it("is yunbox's clock minus the host's, signed seconds to the millisecond", () => {
    expect(offsetLine(Date.UTC(2026, 0, 1, 6), Date.UTC(2026, 0, 1))).toBe('+21600.000');
    expect(offsetLine(1000, 2500)).toBe('-1.500');
    expect(offsetLine(5, 5)).toBe('+0.000');
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 253402300799000 }),
        fc.integer({ min: 0, max: 4102444800000 }),
        (clock, real) => {
          const line = offsetLine(clock, real);
          expect(line).toMatch(/^[+-]\d+\.\d{3}$/);
          expect(Math.round(Number.parseFloat(line) * 1000)).toBe(clock - real);
        },
      ),
    );
  });

  it('sits after a comment line libfaketime skips', () => {
    expect(offsetFileText(2000, 1000)).toBe(
      "# yunbox: its clock minus the host's, seconds (libfaketime)\n+1.000\n",
    );
  });
});

describe('SandboxClock', () => {
  const library = '/usr/lib/faketime/libfaketimeMT.so.1';

  it('under the system clock adds nothing and writes nothing', async () => {
    const paths = sandboxClockPaths(dir, 's1');
    const t = new SandboxClock({
      clock: new SystemClock(),
      paths,
      prepare: async () => undefined,
      log,
      findLibrary: async () => library,
    });
    expect(await t.forSandbox()).toEqual({ env: {}, clockMode: 'system', followsClock: true });
    expect(await readdir(dir)).toEqual([]);
  });

  it('under a manual clock writes the offset, follows every move at once, resyncs, and stops', async () => {
    let real = Date.UTC(2026, 5, 1);
    const clock = new ManualClock(real);
    const paths = sandboxClockPaths(dir, 's1');
    let prepared = 0;
    const t = new SandboxClock({
      clock,
      paths,
      prepare: async () => void prepared++,
      log,
      findLibrary: async () => library,
      resyncMs: 60_000,
      realNow: () => real,
    });
    const time = await t.forSandbox();
    expect(prepared).toBe(1);
    expect(time).toEqual({
      env: faketimeEnv(library, paths),
      clockMode: 'manual',
      followsClock: true,
    });
    expect(time.env).toMatchObject({
      LD_PRELOAD: library,
      FAKETIME_TIMESTAMP_FILE: join(dir, 's1-clock.faketime'),
      FAKETIME_DONT_FAKE_MONOTONIC: '1',
      FAKETIME_FORCE_MONOTONIC_FIX: '0',
      NO_FAKE_STAT: '1',
      PYTHONPATH: join(dir, 's1-python'),
    });
    expect(offsetOf(paths.offsetFile)).toBe(0);
    expect(statSync(paths.offsetFile).mode & 0o777).toBe(0o644);
    expect(statSync(paths.pythonDir).mode & 0o777).toBe(0o755);
    expect(readFileSync(join(paths.pythonDir, 'sitecustomize.py'), 'utf8')).toBe(
      PYTHON_SITECUSTOMIZE,
    );

    // A move is in the file before advance() returns.
    real += 5000;
    clock.advance(6 * HOUR);
    expect(offsetOf(paths.offsetFile)).toBe(6 * HOUR - 5000);
    // Standing still: rewritten once the last write is resyncMs old, pulling real time's drift back.
    real += 59_000;
    t.resync();
    expect(offsetOf(paths.offsetFile)).toBe(6 * HOUR - 5000);
    real += 1000;
    t.resync();
    expect(offsetOf(paths.offsetFile)).toBe(6 * HOUR - 65_000);
    // Another sandbox rewrites it too; the Python fix is written once.
    real += 10;
    await t.forSandbox();
    expect(offsetOf(paths.offsetFile)).toBe(6 * HOUR - 65_010);
    expect(await readdir(dir)).toEqual(['s1-clock.faketime', 's1-python']);
    t.close();
    clock.advance(HOUR);
    t.resync();
    expect(offsetOf(paths.offsetFile)).toBe(6 * HOUR - 65_010);
  });

  it('without libfaketime warns once and preloads nothing', async () => {
    const warnings: string[] = [];
    const warnLog = pino(
      { level: 'warn' },
      { write: (line: string) => void warnings.push(JSON.parse(line).msg) },
    );
    const t = new SandboxClock({
      clock: new ManualClock(),
      paths: sandboxClockPaths(dir, 's1'),
      prepare: async () => undefined,
      log: warnLog,
      findLibrary: async () => undefined,
    });
    for (let i = 0; i < 2; i++) {
      expect(await t.forSandbox()).toEqual({ env: {}, clockMode: 'manual', followsClock: false });
    }
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^libfaketime not found: .*apt-get install libfaketime/);
  });
});

describe('sweepFaketimeLitter', () => {
  it('removes the pairs of processes that are gone, of this user only, and nothing else', async () => {
    const dead = 2 ** 22 + 7; // above any pid_max
    const names = [
      `faketime_shm_${dead}`,
      `sem.faketime_sem_${dead}`,
      `faketime_shm_${process.pid}`,
      `sem.faketime_sem_${process.pid}`,
      'PostgreSQL.123',
      `faketime_shm_${dead}x`,
    ];
    for (const n of names) await writeFile(join(dir, n), '');
    // A link with a litter name is not litter: it stays, and so does what it points to.
    await symlink(join(dir, 'PostgreSQL.123'), join(dir, `faketime_shm_${dead + 1}`));
    names.push(`faketime_shm_${dead + 1}`);
    const uid = process.getuid?.() ?? 0;
    expect(await sweepFaketimeLitter(uid + 1, dir)).toBe(0);
    expect(await sweepFaketimeLitter(uid, dir)).toBe(2);
    expect((await readdir(dir)).sort()).toEqual(names.slice(2).sort());
    expect(await sweepFaketimeLitter(uid, join(dir, 'none'))).toBe(0);
  });
});

// The real library, where it is installed (CI installs Debian's libfaketime).
const installed = await findFaketimeLibrary();
describe.skipIf(!installed || process.platform !== 'linux')(
  `libfaketime as sandboxes preload it${installed ? '' : ' (skipped: libfaketime not installed)'}`,
  () => {
    async function setup(offsetMs: number) {
      const clock = new ManualClock(Date.now() + offsetMs);
      const t = new SandboxClock({
        clock,
        paths: sandboxClockPaths(dir, `t${offsetMs}`),
        prepare: async () => undefined,
        log,
        findLibrary: async () => installed,
      });
      const { env } = await t.forSandbox();
      const { LD_PRELOAD, ...rest } = env;
      const run = (command: string[], pythonPath?: string) => {
        const [file, ...args] = withPreload(LD_PRELOAD, command);
        const r = spawnSync(file!, args, {
          env: {
            PATH: '/usr/bin:/bin',
            ...rest,
            ...(pythonPath ? { PYTHONPATH: `${rest.PYTHONPATH}:${pythonPath}` } : {}),
          },
          encoding: 'utf8',
        });
        expect(r.stderr).toBe('');
        expect(r.status).toBe(0);
        return r.stdout.trim();
      };
      return { clock, run };
    }

    it("`date` reads yunbox's clock, ahead or behind, and a move", async () => {
      const { clock, run } = await setup(30 * 24 * HOUR);
      const first = Number(run(['date', '+%s'])) * 1000;
      expect(Math.abs(first - clock.now())).toBeLessThan(2000);
      clock.advance(6 * HOUR);
      const second = Number(run(['date', '+%s'])) * 1000;
      expect(Math.abs(second - clock.now())).toBeLessThan(2000);
      const behind = await setup(-400 * 24 * HOUR);
      expect(
        Math.abs(Number(behind.run(['date', '+%s'])) * 1000 - behind.clock.now()),
      ).toBeLessThan(2000);
    });

    it('a timed wait on the monotonic clock sleeps instead of spinning (Atomics.wait)', async () => {
      const { run } = await setup(6 * HOUR);
      const out = run([
        process.execPath,
        '-e',
        'const a = new Int32Array(new SharedArrayBuffer(4)); const c = process.cpuUsage(); const t = performance.now(); Atomics.wait(a, 0, 0, 500); const u = process.cpuUsage(c); console.log(performance.now() - t, (u.user + u.system) / 1000)',
      ]);
      const [waited, cpu] = out.split(' ').map(Number) as [number, number];
      expect(waited).toBeGreaterThanOrEqual(499);
      // Spinning would use about all of the 500 ms; sleeping uses next to none.
      expect(cpu).toBeLessThan(250);
    });

    it.skipIf(!existsSync('/usr/bin/python3'))(
      "Python's time.time() follows, time.sleep works on the real monotonic clock, and the sitecustomize it hides still runs",
      async () => {
        const { clock, run } = await setup(6 * HOUR);
        const next = join(dir, 'next');
        await mkdir(next);
        await writeFile(join(next, 'sitecustomize.py'), 'print("next sitecustomize")\n');
        const out = run(
          [
            '/usr/bin/python3',
            '-c',
            'import time, subprocess\nm = time.monotonic()\ntime.sleep(0.2)\nsubprocess.run(["true"], timeout=5)\nprint(time.time(), time.monotonic() - m)',
          ],
          next,
        );
        const [first, second] = out.split('\n') as [string, string];
        expect(first).toBe('next sitecustomize');
        const [wall, slept] = second.split(' ').map(Number) as [number, number];
        expect(Math.abs(wall * 1000 - clock.now())).toBeLessThan(2000);
        expect(slept).toBeGreaterThanOrEqual(0.2);
        expect(slept).toBeLessThan(5);
      },
    );
  },
);
