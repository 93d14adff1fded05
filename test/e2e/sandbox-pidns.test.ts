/**
 * Programs in two sandboxes running as the same user cannot reach each other's processes (issue
 * 14, finding 2, the gap `nobody` left): a real `yunbox serve` started by root, instances A and B
 * each with a role, B's program (as `nobody`) holding B's role credentials in its environment and
 * a System V message queue, and `yunbox instance exec A -- …` (as `nobody` too) going for them. A
 * sees only its own processes (`ps`, `/proc`), and cannot trace B's program (PTRACE_ATTACH on its
 * host pid, which the test learns from the host), signal it, or read its `/proc/<pid>/environ`,
 * so it gets none of B's credentials; nor does it see B's IPC objects. The control runs the same
 * attacks as `nobody` in a sandbox without a PID namespace (how programs ran before) and gets
 * B's credentials. Also, what the PID namespace must keep working: a program is not PID 1
 * (forwarded signals end it), Ctrl-C on a terminal reaches it once, an interactive shell keeps
 * job control (Ctrl-C, Ctrl-Z), and removing the sandbox ends every process inside, the init
 * included. Needs root on Linux.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { constants as osConstants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { yunboxCall } from '../../src/cli/server-client.js';
import { createEcsRole } from '../../src/testing/fixtures.js';
import {
  NOBODY,
  hostPid,
  instanceExec,
  isRootLinux,
  netnsExec,
  netnsTraces,
  processAlive,
  runningInstance,
  sandboxCheckout,
  sandboxProcesses,
  sandboxSkipReason,
  startInstanceExec,
  type SandboxCheckout,
} from '../../src/testing/sandbox.js';
import { CLI, rootCredentialsIn, serveIn, type ServeProcess } from '../../src/testing/spawn.js';

const dirs: string[] = [];

/** Attaches to a process with PTRACE_ATTACH (and lets it go): `attached`, or `refused ERRNO`. */
const PTRACE = `import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
pid = int(sys.argv[1])
if libc.ptrace(16, pid, None, None) == 0:
    os.waitpid(pid, 0)
    libc.ptrace(17, pid, None, None)
    print('attached')
else:
    print('refused', ctypes.get_errno())
`;

/**
 * Runs argv on a terminal of its own, as from a shell, and types: `steps` (JSON) is a list of
 * `[trigger, keys]`, each typed once the output since the previous keys contains its trigger.
 * Prints `{code, out}` (code negative when a signal ended it).
 */
const PTY = `import json, os, pty, select, subprocess, sys, fcntl, termios, time
steps, argv = json.loads(sys.argv[1]), sys.argv[2:]
master, slave = pty.openpty()
def own():
    os.setsid()
    fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
p = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, preexec_fn=own)
os.close(slave)
out, since, deadline = b'', 0, time.time() + 30
while time.time() < deadline:
    r, _, _ = select.select([master], [], [], 0.05)
    if r:
        try:
            out += os.read(master, 65536)
        except OSError:
            break
        if steps and steps[0][0].encode() in out[since:]:
            os.write(master, steps.pop(0)[1].encode())
            since = len(out)
    elif p.poll() is not None:
        break
if p.poll() is None:
    p.kill()
print(json.dumps({'code': p.wait(), 'out': out.decode(errors='replace')}))
`;

const ERRNO_ESRCH = 3;

function yamaPtraceScope(): number {
  try {
    return Number(readFileSync('/proc/sys/kernel/yama/ptrace_scope', 'utf8').trim());
  } catch {
    return 0;
  }
}

describe.skipIf(!isRootLinux)(
  `programs in sandboxes see and reach only their own processes${sandboxSkipReason}`,
  () => {
    let server: ServeProcess;
    let dir: string;
    let root: Awaited<ReturnType<typeof rootCredentialsIn>>;
    let a: string;
    let b: string;
    let checkout: SandboxCheckout;
    let work: string;
    let busyB: ReturnType<typeof startInstanceExec>;
    let bNetns: string;
    let bPid: number;
    let bKeyId: string;

    const exec = (id: string, command: string[]) =>
      instanceExec(server, dir, id, command, { cwd: checkout.dir });

    beforeAll(async () => {
      checkout = await sandboxCheckout();
      dir = await mkdtemp(join(tmpdir(), 'yunbox-pidns-'));
      dirs.push(dir);
      work = join(checkout.artifacts, `pidns-${process.pid}`);
      dirs.push(work);
      await mkdir(work, { recursive: true });
      await chmod(work, 0o755);
      await writeFile(join(work, 'ptrace.py'), PTRACE, { mode: 0o644 });
      await writeFile(join(work, 'terminal.py'), PTY, { mode: 0o644 });
      server = await serveIn(dir);
      root = await rootCredentialsIn(dir);
      await createEcsRole(server, root, 'RoleA');
      await createEcsRole(server, root, 'RoleB');
      [a, b] = await Promise.all([
        runningInstance(server, root, 'RoleA'),
        runningInstance(server, root, 'RoleB'),
      ]);
      // B keeps its role credentials in its environment, and a message queue, and waits.
      busyB = startInstanceExec(
        server,
        dir,
        b,
        [
          'sh',
          '-c',
          'CREDS=$(curl -s http://100.100.100.200/latest/meta-data/ram/security-credentials/RoleB); export CREDS; ipcmk -Q >/dev/null; ip netns identify; echo $$; exec sleep 300',
        ],
        { cwd: checkout.dir },
      );
      const until = Date.now() + 15_000;
      while (busyB.stdout().split('\n').length < 3) {
        if (Date.now() > until) throw new Error(`B did not start: ${busyB.stderr()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const [netns, nsPid] = busyB.stdout().trim().split('\n') as [string, string];
      bNetns = netns;
      bPid = (await hostPid(bNetns, Number(nsPid)))!;
      // What there is to steal: B's program, as nobody, with B's credentials in its environment.
      const environ = await readFile(`/proc/${bPid}/environ`, 'utf8');
      bKeyId = /"AccessKeyId"\s*:\s*"(STS\.[^"]+)"/.exec(environ)?.[1] ?? '';
      expect(bKeyId).toMatch(/^STS\./);
      expect((await sandboxProcesses(bNetns)).find((p) => p.pid === bPid)?.uid).toBe(NOBODY);
    });

    afterAll(async () => {
      if (busyB && busyB.child.exitCode === null) {
        busyB.child.kill('SIGTERM');
        await once(busyB.child, 'exit');
      }
      await server?.stop();
      for (const d of dirs) await rm(d, { recursive: true, force: true });
    });

    it('sees only its own processes: ps, /proc, /proc/self, /proc/1', async () => {
      const r = await exec(a, [
        'sh',
        '-c',
        [
          'echo "self=$$ $(readlink /proc/self)"',
          'grep NSpid /proc/$$/status',
          'cd /proc && echo [0-9]*',
          'ps -eo pid=,user=,comm=',
          `test -e /proc/${bPid} && echo "sees ${bPid}" || echo "no ${bPid}"`,
          'cat /proc/1/environ >/dev/null 2>&1 && echo "read init environ" || echo "init environ refused"',
        ].join('; '),
      ]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const lines = r.stdout.trim().split('\n');
      // The program is PID 2, under the init (PID 1); `cat`, `ps` and the rest come after.
      expect(lines[0]).toMatch(/^self=2 \d+$/);
      expect(lines[1]).toBe('NSpid:\t2');
      expect(lines[2]!.split(' ').map(Number).slice(0, 2)).toEqual([1, 2]);
      const ps = lines.slice(3, -2).map((l) => l.trim().split(/\s+/));
      expect(ps[0]).toEqual(['1', 'root', 'sh']);
      expect(ps[1]).toEqual(['2', 'nobody', 'sh']);
      expect(ps.slice(2).every(([, user]) => user === 'nobody')).toBe(true);
      expect(ps.some(([, , comm]) => comm === 'sleep')).toBe(false);
      expect(lines.slice(-2)).toEqual([`no ${bPid}`, 'init environ refused']);
    });

    it("cannot trace, signal or read B's program, so not B's credentials; without the PID namespace it could", async () => {
      const attacks = [
        `python3 ${join(work, 'ptrace.py')} ${bPid}`,
        `kill -0 ${bPid} 2>/dev/null && echo signalled || echo no-signal`,
        `cat /proc/${bPid}/environ 2>/dev/null | grep -ao 'STS\\.[A-Za-z0-9]*' || echo no-environ`,
      ].join('; ');
      const r = await exec(a, ['sh', '-c', attacks]);
      expect(r.stderr).toBe('');
      expect(r.stdout.trim().split('\n')).toEqual([
        `refused ${ERRNO_ESRCH}`,
        'no-signal',
        'no-environ',
      ]);
      expect(r.stdout).not.toContain(bKeyId);
      // B's program is untouched: running, not traced.
      expect(processAlive(bPid)).toBe(true);
      expect(await readFile(`/proc/${bPid}/status`, 'utf8')).toMatch(/^TracerPid:\s+0$/m);

      // The control: the same attacks as nobody in A's network namespace, as programs ran before
      // (setpriv, no PID namespace), reach B's program and its credentials.
      const made = await yunboxCall(server.endpoint, root, 'CreateSandbox', {
        InstanceId: a,
        KeepAlive: 'true',
      });
      expect(made.ok).toBe(true);
      const control = made.ok ? made.body : {};
      try {
        const c = await netnsExec(String(control.NetnsName), [
          'setpriv',
          `--reuid=${NOBODY}`,
          `--regid=${NOBODY}`,
          '--clear-groups',
          '--',
          'sh',
          '-c',
          attacks,
        ]);
        const out = c.stdout.trim().split('\n');
        expect(out[0]).toBe(yamaPtraceScope() === 0 ? 'attached' : 'refused 1');
        expect(out[1]).toBe('signalled');
        expect(out[2]).toContain(bKeyId);
      } finally {
        await yunboxCall(server.endpoint, root, 'DeleteSandbox', {
          SandboxId: String(control.SandboxId),
        });
      }
    });

    it("does not see B's System V IPC objects", async () => {
      const inB = await netnsExec(bNetns, ['nsenter', `--target=${bPid}`, '--ipc', 'ipcs', '-q']);
      expect(inB.stdout.match(/^0x[0-9a-f]+ /gm)).toHaveLength(1);
      const r = await exec(a, ['sh', '-c', 'ipcmk -Q >/dev/null; ipcs -q']);
      expect(r.code).toBe(0);
      // Only the queue A made itself.
      expect(r.stdout.match(/^0x[0-9a-f]+ /gm)).toHaveLength(1);
      expect(r.stdout).toMatch(/^0x[0-9a-f]+ +\d+ +nobody /m);
    });

    it('is not PID 1: forwarded signals it has no handler for end it, with 128 + the number', async () => {
      for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT'] as const) {
        const run = startInstanceExec(
          server,
          dir,
          a,
          ['sh', '-c', 'ulimit -c 0; ip netns identify; exec sleep 300'],
          { cwd: checkout.dir },
        );
        const until = Date.now() + 15_000;
        while (!run.stdout().includes('\n')) {
          if (Date.now() > until) throw new Error(`no start: ${run.stderr()}`);
          await new Promise((r) => setTimeout(r, 20));
        }
        const netns = run.stdout().trim();
        run.child.kill(sig);
        const [code] = (await once(run.child, 'exit')) as [number | null];
        expect(code, sig).toBe(128 + osConstants.signals[sig]);
        expect(netnsTraces(netns)).toEqual({ netns: false, etc: false });
      }
    });

    /** `yunbox instance exec|shell` on a terminal, typing `steps` (see {@link PTY}). */
    const onTerminal = (steps: [string, string][], args: string[], env: NodeJS.ProcessEnv = {}) =>
      new Promise<{ code: number; out: string }>((resolveRun, reject) => {
        const cli = [process.execPath, CLI, 'instance', ...args.slice(0, 2)];
        const flags = ['--endpoint', server.endpoint, '--data', dir];
        const child = spawn(
          'python3',
          [join(work, 'terminal.py'), JSON.stringify(steps), ...cli, ...flags, ...args.slice(2)],
          {
            cwd: checkout.dir,
            env: { PATH: process.env.PATH, ...env },
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        );
        let out = '';
        let err = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (err += d));
        child.on('error', reject);
        child.on('close', () => {
          try {
            resolveRun(JSON.parse(out) as { code: number; out: string });
          } catch {
            reject(new Error(`terminal harness: ${out}${err}`));
          }
        });
      });

    it('on a terminal, Ctrl-C reaches the program once', async () => {
      const counter = [
        'import signal, time',
        'n = [0]',
        'signal.signal(signal.SIGINT, lambda *a: n.__setitem__(0, n[0] + 1))',
        "print('ready', flush=True)",
        'while n[0] == 0: time.sleep(0.01)',
        'time.sleep(0.5)',
        "print('interrupts=%d' % n[0], flush=True)",
      ].join('\n');
      const counted = await onTerminal(
        [['ready', '\x03']],
        ['exec', a, '--', 'python3', '-c', counter],
      );
      expect(counted.code).toBe(0);
      expect(counted.out).toContain('interrupts=1\r\n');
      // A program with no handler ends, as it would on the caller's own terminal.
      const ended = await onTerminal(
        [['ready', '\x03']],
        ['exec', a, '--', 'sh', '-c', 'echo ready; exec sleep 300'],
      );
      expect(ended.code).toBe(130);
    });

    it('instance shell on a terminal: job control works, Ctrl-C and Ctrl-Z reach the job', async () => {
      // `re""ady` is typed (and echoed), `ready` is what the job prints once it runs.
      const job = `sh -c 'echo re""ady; exec sleep 30'`;
      const r = await onTerminal(
        [
          ['exit to leave', `${job}\n`],
          ['ready', '\x03'],
          ['$ ', `echo "a=$?"; ${job}\n`],
          ['ready', '\x1a'],
          ['Stopped', 'kill %1; kill -CONT %1; wait %1; echo "b=$?"; exit 3\n'],
        ],
        ['shell', a],
        { SHELL: '/bin/bash' },
      );
      expect(r.out).toContain('a=130');
      expect(r.out).toContain('b=143');
      expect(r.code).toBe(3);
    });

    it('removing the sandbox ends every process inside, the init included', async () => {
      const run = startInstanceExec(
        server,
        dir,
        a,
        ['sh', '-c', "trap '' TERM HUP INT; ip netns identify; while :; do sleep 1; done"],
        { cwd: checkout.dir },
      );
      const until = Date.now() + 15_000;
      while (!run.stdout().includes('\n')) {
        if (Date.now() > until) throw new Error(`no start: ${run.stderr()}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      const netns = run.stdout().trim();
      // The host finds them all by their network namespace: unshare (the host's PID namespace),
      // the init (PID 1, root) and the program (PID 2, nobody), as the server's reaping does.
      const inside = await sandboxProcesses(netns);
      expect(inside.find((p) => p.nsPid === undefined)?.cmdline).toMatch(/^\S*unshare --pid /);
      expect(inside.find((p) => p.nsPid === 1)?.uid).toBe(0);
      expect(inside.find((p) => p.nsPid === 2)?.uid).toBe(NOBODY);
      const listed = await yunboxCall(server.endpoint, root, 'DescribeSandboxes', {});
      const sandboxes = listed.ok
        ? (listed.body.Sandboxes as { Sandbox: { SandboxId: string; NetnsName: string }[] }).Sandbox
        : [];
      const mine = sandboxes.find((s) => s.NetnsName === netns);
      expect(mine).toBeDefined();
      const deleted = await yunboxCall(server.endpoint, root, 'DeleteSandbox', {
        SandboxId: mine!.SandboxId,
      });
      expect(deleted.ok).toBe(true);
      for (const p of inside) expect(processAlive(p.pid), p.cmdline).toBe(false);
      expect(netnsTraces(netns)).toEqual({ netns: false, etc: false });
      const [code] = (await once(run.child, 'exit')) as [number | null];
      expect(code).not.toBe(0);
    });
  },
);
