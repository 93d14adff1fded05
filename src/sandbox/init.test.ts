import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readdir, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  SANDBOX_INIT,
  SANDBOX_INIT_NAME,
  childPids,
  hostNameArgs,
  initChildSignaller,
  parentPid,
  pidNamespaceArgs,
} from './init.js';

const isLinux = process.platform === 'linux';
const isRoot = isLinux && process.getuid?.() === 0;
const rootReason = isRoot ? '' : ' (skipped: PID namespaces need root on Linux)';

/** A process under test: its output so far and how it ended. */
interface Run {
  child: ChildProcess;
  out: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(file: string, args: string[], path = process.env.PATH ?? '/usr/bin:/bin'): Run {
  const child = spawn(file, args, {
    env: { PATH: path },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exit = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  return { child, out: () => out, exit };
}

/**
 * `COMMAND…` under the init, in a PID namespace of its own, as a sandbox runs it (no network
 * namespace: nothing here needs one). Always in a new PID namespace: the init's `kill -1` must
 * never run anywhere else.
 */
function underInit(command: string[], path?: string): Run {
  const [unshare, ...args] = pidNamespaceArgs('unshare');
  return start(unshare!, [...args, ...command], path);
}

async function waitFor(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(!isLinux)('parentPid and childPids', () => {
  it("read a process's parent and children from /proc", async () => {
    const r = start('/bin/sh', ['-c', 'sleep 30 & sleep 30 & echo ready; wait']);
    try {
      await waitFor(() => r.out().includes('ready'));
      const kids = await childPids(r.child.pid!);
      expect(kids).toHaveLength(2);
      for (const k of kids) expect(await parentPid(k)).toBe(r.child.pid);
      expect(await parentPid(r.child.pid!)).toBe(process.pid);
    } finally {
      r.child.kill('SIGKILL');
      await r.exit;
    }
    expect(await parentPid(r.child.pid!)).toBeUndefined();
    expect(await childPids(r.child.pid!)).toEqual([]);
  });
});

describe.skipIf(!isRoot)(`the sandbox init${rootReason}`, () => {
  it('is PID 1, named, and the program PID 2, in a /proc of their own', async () => {
    const script = `echo "$$"; tr '\\0\\n' '| ' </proc/1/cmdline; echo; cd /proc && echo [0-9]*`;
    const r = underInit(['sh', '-c', script]);
    expect(await r.exit).toEqual({ code: 0, signal: null });
    const [self, cmdline, pids] = r.out().split('\n');
    expect(self).toBe('2');
    expect(cmdline).toBe(
      [
        '/bin/sh',
        '-c',
        SANDBOX_INIT.replaceAll('\n', ' '),
        SANDBOX_INIT_NAME,
        'sh',
        '-c',
        script,
        '',
      ].join('|'),
    );
    // The init, the program; nothing of the host.
    expect(pids).toBe('1 2');
  });

  it("exits with the program's status, 128 + the signal's number when one ended it", async () => {
    for (const [script, code] of [
      ['exit 7', 7],
      ['true', 0],
      ['kill -TERM $$', 143],
      ['kill -KILL $$', 137],
      ['exec no-such-command-here', 127],
    ] as const) {
      const r = underInit(['sh', '-c', script]);
      expect(await r.exit, script).toEqual({ code, signal: null });
    }
  });

  it('reaps orphans while the program runs', async () => {
    // Two orphans exit while the program still runs: the init must collect them (no zombie).
    const r = underInit([
      'sh',
      '-c',
      '(sleep 0.1 &); (sleep 0.1 &); sleep 1; cat /proc/[0-9]*/stat | grep -c ") Z " || true',
    ]);
    expect(await r.exit).toEqual({ code: 0, signal: null });
    expect(r.out()).toBe('0\n');
  });

  it('the program is not PID 1: signals it has no handler for end it', async () => {
    const r = underInit(['sleep', '300']);
    const send = initChildSignaller(r.child.pid!, () => r.child.exitCode !== null);
    // Sent at once: the signaller waits for the chain to exist.
    expect(await send('SIGTERM')).toBe(true);
    expect(await r.exit).toEqual({ code: 143, signal: null });
    expect(await send('SIGTERM')).toBe(false);
  });

  it('every signal forwarded reaches the program, once', async () => {
    const signals = ['INT', 'HUP', 'QUIT', 'USR1', 'USR2', 'WINCH'] as const;
    const traps = signals.map((s) => `trap 'echo ${s}' ${s}`).join('; ');
    const r = underInit([
      'sh',
      '-c',
      `${traps}; trap 'echo TERM; exit 5' TERM; echo ready; while :; do sleep 0.02; done`,
    ]);
    const send = initChildSignaller(r.child.pid!, () => r.child.exitCode !== null);
    await waitFor(() => r.out().includes('ready\n'));
    let expected = 'ready\n';
    for (const s of signals) {
      expect(await send(`SIG${s}`)).toBe(true);
      expected += `${s}\n`;
      await waitFor(() => r.out().length >= expected.length);
      expect(r.out()).toBe(expected);
    }
    expect(await send('SIGTERM')).toBe(true);
    expect(await r.exit).toEqual({ code: 5, signal: null });
    expect(r.out()).toBe(`${expected}TERM\n`);
  });

  it('ends what the program left: SIGTERM, then the namespace goes within its second', async () => {
    const r = underInit([
      'sh',
      '-c',
      [
        `sh -c 'trap "echo polite-done; exit 0" TERM; echo polite; while :; do sleep 0.02; done' &`,
        `sh -c 'trap "" TERM; echo stubborn; while :; do sleep 0.02; done' &`,
        'sleep 0.5',
        'exit 3',
      ].join('\n'),
    ]);
    await waitFor(() => r.out().includes('polite') && r.out().includes('stubborn'));
    const pidns = await readlink(`/proc/${r.child.pid}/ns/pid_for_children`);
    const started = Date.now();
    expect(await r.exit).toEqual({ code: 3, signal: null });
    // About 0.5 s of program, then up to 1 s for the stubborn one (slack for a busy machine).
    expect(Date.now() - started).toBeLessThan(5000);
    expect(r.out()).toContain('polite-done\n');
    // Nothing of that PID namespace is left on the host.
    const left: number[] = [];
    for (const e of await readdir('/proc')) {
      if (!/^\d+$/.test(e)) continue;
      try {
        if ((await readlink(`/proc/${e}/ns/pid`)) === pidns) left.push(Number(e));
      } catch {
        /* gone */
      }
    }
    expect(left).toEqual([]);
  });

  it("runs nothing found through PATH (it is root, and PATH is the caller's)", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'yunbox-init-path-'));
    try {
      for (const name of ['sleep', 'kill', '[', 'test']) {
        await writeFile(join(dir, name), `#!/bin/sh\ntouch ${dir}/ran-${name}\n`);
        await chmod(join(dir, name), 0o755);
      }
      // An orphan left behind, so that the init's ending runs too.
      const r = underInit(['/bin/sh', '-c', '/bin/sleep 5 & exit 4'], `${dir}:/usr/bin:/bin`);
      expect(await r.exit).toEqual({ code: 4, signal: null });
      for (const name of ['sleep', 'kill', '[', 'test']) {
        expect(existsSync(join(dir, `ran-${name}`)), name).toBe(false);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('signals nothing beyond its program unless it is PID 1', async () => {
    // In a throwaway PID namespace whose PID 1 is another shell, the init runs as PID 2+: a
    // neighbour it did not start must survive it.
    const [unshare, ...args] = pidNamespaceArgs('unshare');
    const r = start(unshare!, [
      ...args.slice(0, args.indexOf('--') + 1),
      '/bin/sh',
      '-c',
      'sleep 30 & b=$!; sh -c "$1" yunbox-init sh -c "sleep 0.2 & exit 0"; kill -0 "$b" && echo alive; kill "$b"',
      'outer',
      SANDBOX_INIT,
    ]);
    expect(await r.exit).toEqual({ code: 0, signal: null });
    expect(r.out()).toBe('alive\n');
  });

  it('the signaller gives up when the process it watches ends first', async () => {
    const r = start('/bin/sh', ['-c', 'exit 0']);
    await r.exit;
    const send = initChildSignaller(r.child.pid!, () => true);
    expect(await send('SIGTERM')).toBe(false);
  });
});

describe.skipIf(!isRoot)(`the sandbox host name${rootReason}`, () => {
  it("is the instance's inside, and the host keeps its own", async () => {
    const { hostname } = await import('node:os');
    const before = hostname();
    const r = underInit([...hostNameArgs('iZtest01Z'), 'sh', '-c', 'hostname; uname -n']);
    expect(await r.exit).toEqual({ code: 0, signal: null });
    expect(r.out()).toBe('iZtest01Z\niZtest01Z\n');
    expect(hostname()).toBe(before);
  });

  it('adds nothing without a host name', () => {
    expect(hostNameArgs(undefined)).toEqual([]);
    expect(hostNameArgs('')).toEqual([]);
  });
});
