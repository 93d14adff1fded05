/**
 * @module Test helpers for instance sandboxes: whether this machine can run them (root on Linux
 * with iproute2; CI does), running a command inside a namespace without blocking the event loop
 * (the server answering it lives in the same process), listing what sandboxes leave behind and
 * the processes inside (by host pid: programs run in PID namespaces of their own), Running
 * instances of a spawned server, `yunbox instance exec` as a user runs it, what an
 * unprivileged user can read, and a place holding what programs in sandboxes load from this
 * checkout that `nobody` can read wherever the checkout is.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  accessSync,
  constants as fsConstants,
  existsSync,
  readFileSync,
  readdirSync,
} from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { netnsPids } from '../sandbox/host.js';
import { TUTORIAL_IMAGE, TUTORIAL_INSTANCE_TYPE, createNetwork } from './fixtures.js';
import { $Ecs, ecsClient, type TestCredentials } from './sdk.js';
import { CLI, REPO_ROOT, type ServeProcess } from './spawn.js';

function hasIp(): boolean {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin'];
  return dirs.some((d) => {
    if (!d) return false;
    try {
      accessSync(join(d, 'ip'), fsConstants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** True when sandboxes can run here: Linux, root, `ip`. */
export const isRootLinux = process.platform === 'linux' && process.getuid?.() === 0 && hasIp();

/** Why sandbox tests are skipped here (shown in the test name). */
export const sandboxSkipReason = isRootLinux
  ? ''
  : ' (skipped: instance sandboxes need root on Linux with iproute2)';

/** Output of a command run inside a namespace. */
export interface NsResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `args` inside namespace `netns` (`ip netns exec`), asynchronously, with a minimal
 * environment plus `env`; killed after `timeoutMs`.
 * @example
 * const r = await netnsExec(s.netns, ['curl', '-s', 'http://100.100.100.200/latest/meta-data/']);
 */
export function netnsExec(
  netns: string,
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 30_000,
): Promise<NsResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn('ip', ['netns', 'exec', netns, ...args], {
      env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(t);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(t);
      resolveRun({ code, stdout, stderr });
    });
  });
}

/** What exists of namespace `name`: its `/run/netns` entry and its `/etc/netns` directory. */
export function netnsTraces(name: string): { netns: boolean; etc: boolean } {
  return { netns: existsSync(join('/run/netns', name)), etc: existsSync(join('/etc/netns', name)) };
}

/** Sandbox namespaces of server `serverId` (`ybx-<serverId>-*`) in `/run/netns` or `/etc/netns`. */
export function serverNamespaces(serverId: string): string[] {
  const list = (dir: string) => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  };
  return [...new Set([...list('/run/netns'), ...list('/etc/netns')])].filter((n) =>
    n.startsWith(`ybx-${serverId}-`),
  );
}

/** True while process `pid` exists and has not exited (a zombie awaiting its reaper is dead). */
export function processAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}

/** A process in a sandbox's network namespace, as the host sees it. */
export interface SandboxProcess {
  /** Its pid on the host. */
  pid: number;
  /** Its pid in the PID namespace it runs in, when that is not the host's (`NSpid`, last). */
  nsPid?: number;
  uid: number;
  /** Its arguments, joined by spaces. */
  cmdline: string;
}

/**
 * Every process in namespace `netns`, seen from the host: programs started by `yunbox instance
 * exec` run in a PID namespace of their own, so the pids they print are not the host's.
 */
export async function sandboxProcesses(netns: string): Promise<SandboxProcess[]> {
  const out: SandboxProcess[] = [];
  for (const pid of await netnsPids(netns)) {
    try {
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
      const ns = /^NSpid:\s+(.*)$/m.exec(status)?.[1]?.trim().split(/\s+/) ?? [];
      const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
      out.push({
        pid,
        ...(ns.length > 1 ? { nsPid: Number(ns[ns.length - 1]) } : {}),
        uid,
        cmdline: cmdline.split('\0').filter(Boolean).join(' '),
      });
    } catch {
      /* gone */
    }
  }
  return out;
}

/**
 * The host pid of process `nsPid` of the program's PID namespace in sandbox `netns` (`nsPid`
 * itself for a process in the host's PID namespace, as `--as-root` programs are).
 */
export async function hostPid(netns: string, nsPid: number): Promise<number | undefined> {
  const inside = await sandboxProcesses(netns);
  return (
    inside.find((p) => p.nsPid === nsPid)?.pid ??
    inside.find((p) => p.nsPid === undefined && p.pid === nsPid)?.pid
  );
}

/**
 * Runs a Running instance (and waits for it) on a spawned server, optionally with an instance
 * role; a fresh VPC and vSwitch each time.
 */
export async function runningInstance(
  server: ServeProcess,
  root: TestCredentials,
  roleName?: string,
  region = 'cn-hangzhou',
): Promise<string> {
  const net = await createNetwork({ ...server, region }, root);
  const ecs = ecsClient(server, root);
  const r = await ecs.runInstances(
    new $Ecs.RunInstancesRequest({
      regionId: region,
      imageId: TUTORIAL_IMAGE,
      instanceType: TUTORIAL_INSTANCE_TYPE,
      vSwitchId: net.vswitchId,
      ...(roleName ? { ramRoleName: roleName } : {}),
    }),
  );
  const id = r.body!.instanceIdSets!.instanceIdSet![0]!;
  const until = Date.now() + 15_000;
  for (;;) {
    const s = await ecs.describeInstanceStatus(
      new $Ecs.DescribeInstanceStatusRequest({ regionId: region, instanceId: [id] }),
    );
    if (s.body!.instanceStatuses!.instanceStatus![0]!.status === 'Running') return id;
    if (Date.now() > until) throw new Error(`instance ${id} not Running in time`);
    await new Promise((x) => setTimeout(x, 200));
  }
}

/** How {@link instanceExec} runs the CLI. */
export interface InstanceExecOptions {
  /** Flags before `--` (e.g. `--user`, `--as-root`). */
  flags?: string[];
  /** The CLI's environment (PATH is added). */
  env?: NodeJS.ProcessEnv;
  /** The CLI's working directory (default: the repository). */
  cwd?: string;
  /** {@link startInstanceExec} only: a pipe on stdin (`child.stdin`) instead of nothing. */
  input?: boolean;
}

function execArgs(
  server: ServeProcess,
  dataDir: string,
  instanceId: string,
  command: string[],
  flags: string[],
): string[] {
  return [
    CLI,
    'instance',
    'exec',
    instanceId,
    '--endpoint',
    server.endpoint,
    '--data',
    dataDir,
    ...flags,
    '--',
    ...command,
  ];
}

/**
 * Where `instance exec` runs when a test names no directory: one every sandboxed user can enter,
 * wherever the checkout is (a clone in a 0700 directory would make exec say it cannot enter it).
 */
const EXEC_CWD = tmpdir();

/**
 * `yunbox instance exec INSTANCE --endpoint … --data DATA [flags] -- COMMAND…`, to completion.
 * @example
 * const r = await instanceExec(server, dir, id, ['id', '-u'], { flags: ['--user', 'daemon'] });
 */
export async function instanceExec(
  server: ServeProcess,
  dataDir: string,
  instanceId: string,
  command: string[],
  options: InstanceExecOptions = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const args = execArgs(server, dataDir, instanceId, command, options.flags ?? []);
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: options.cwd ?? EXEC_CWD,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(t);
      resolveRun({ code, stdout, stderr });
    });
  });
}

/** {@link instanceExec} left running: the child and its output so far. */
export function startInstanceExec(
  server: ServeProcess,
  dataDir: string,
  instanceId: string,
  command: string[],
  options: InstanceExecOptions = {},
): { child: ChildProcess; stdout: () => string; stderr: () => string } {
  const child = spawn(
    process.execPath,
    execArgs(server, dataDir, instanceId, command, options.flags ?? []),
    {
      cwd: options.cwd ?? EXEC_CWD,
      env: { PATH: process.env.PATH, ...options.env },
      stdio: [options.input ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  return { child, stdout: () => stdout, stderr: () => stderr };
}

/**
 * Which of `paths` user `uid`/`gid` (no supplementary group) can read, as the kernel decides:
 * a test's precondition when programs in a sandbox must load files from the checkout.
 */
export function readableBy(uid: number, gid: number, paths: string[]): Promise<boolean[]> {
  return accessibleBy(uid, gid, paths, 'r');
}

/**
 * Which of `paths` user `uid`/`gid` (no supplementary group) can read (`r`) or execute, for a
 * directory enter (`x`), as the kernel decides (`test -r`, `test -x` run as that user).
 */
export function accessibleBy(
  uid: number,
  gid: number,
  paths: string[],
  mode: 'r' | 'x',
): Promise<boolean[]> {
  return new Promise((resolveCheck, reject) => {
    const child = spawn(
      '/bin/sh',
      ['-c', `for p; do [ -${mode} "$p" ] && echo 1 || echo 0; done`, 'sh', ...paths],
      { uid, gid, cwd: '/', stdio: ['ignore', 'pipe', 'ignore'] },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', () =>
      resolveCheck(
        out
          .split('\n')
          .slice(0, paths.length)
          .map((l) => l === '1'),
      ),
    );
  });
}

/** uid and gid of `nobody`, whom programs in sandboxes run as unless told otherwise. */
export const NOBODY = 65534;

/** Where programs in a sandbox (running as `nobody`) find what they load from this checkout. */
export interface SandboxCheckout {
  /**
   * A directory `nobody` can enter holding `node_modules`, `dist` and `package.json` (so
   * `import 'yunbox'` resolves to the package itself): the repository when `nobody` can read it,
   * else a mirror of it. The working directory for the CLI and for `node -e` programs.
   */
  dir: string;
  /** The built CLI in {@link SandboxCheckout.dir}, for running it as `nobody`. */
  cli: string;
  /** `test-artifacts` in {@link SandboxCheckout.dir}: files for programs in a sandbox go here. */
  artifacts: string;
  /** True when {@link SandboxCheckout.dir} is a mirror (the repository is closed to `nobody`). */
  mirrored: boolean;
}

/** What programs in sandboxes load: `[path in the checkout, test -r or -x]`. */
const CHECKOUT_NEEDS: readonly (readonly [string, 'r' | 'x'])[] = [
  ['package.json', 'r'],
  [join('dist', 'yunbox.mjs'), 'r'],
  [join('node_modules', '@alicloud', 'credentials', 'package.json'), 'r'],
  ['test-artifacts', 'x'],
];

let checkout: Promise<SandboxCheckout> | undefined;

/**
 * A place `nobody` can read holding what programs in sandboxes load from this checkout (see
 * {@link SandboxCheckout}), made once per test process. CI clones the repository wherever it
 * likes, `/root/…` (mode 0700) included, which `nobody` cannot traverse: then this is a mirror
 * under the temporary directory (mode 0755) with `node_modules` and `dist` hard-linked (copied
 * across file systems), removed when this process ends, however it ends. Rejects, saying what and
 * why, when `nobody` still cannot read something, or cannot run node itself. Needs root.
 * @example
 * const checkout = await sandboxCheckout();
 * await instanceExec(server, dir, id, [process.execPath, '-e', script], { cwd: checkout.dir });
 */
export function sandboxCheckout(): Promise<SandboxCheckout> {
  checkout ??= sandboxCheckoutOf(REPO_ROOT);
  return checkout;
}

/** {@link sandboxCheckout} for the checkout at `root`, made afresh each call. */
export async function sandboxCheckoutOf(root: string): Promise<SandboxCheckout> {
  const [node] = await accessibleBy(NOBODY, NOBODY, [process.execPath], 'x');
  if (!node) {
    throw new Error(
      `programs in sandboxes run as nobody, who cannot run node (\`${process.execPath}\`): use a node installed where every user can read it (as /usr/bin/node)`,
    );
  }
  await mkdir(join(root, 'test-artifacts'), { recursive: true, mode: 0o755 });
  if ((await unreadableIn(root)).length === 0) return checkoutAt(root, false);
  const mirror = await mkdtemp(join(tmpdir(), 'yunbox-checkout-'));
  removeWhenThisProcessEnds(mirror);
  await chmod(mirror, 0o755);
  for (const name of ['node_modules', 'dist', 'package.json']) {
    await linkTree(join(root, name), join(mirror, name));
  }
  await mkdir(join(mirror, 'test-artifacts'));
  await chmod(join(mirror, 'test-artifacts'), 0o755);
  const unreadable = await unreadableIn(mirror);
  if (unreadable.length > 0) {
    throw new Error(
      `programs in sandboxes run as nobody, who cannot read ${unreadable.map((p) => `\`${p}\``).join(', ')} (a mirror of \`${root}\`, which nobody cannot read): make the checkout's files readable by every user`,
    );
  }
  return checkoutAt(mirror, true);
}

function checkoutAt(dir: string, mirrored: boolean): SandboxCheckout {
  return {
    dir,
    cli: join(dir, 'dist', 'yunbox.mjs'),
    artifacts: join(dir, 'test-artifacts'),
    mirrored,
  };
}

/** The paths of {@link CHECKOUT_NEEDS} under `dir` that `nobody` cannot read (or enter). */
async function unreadableIn(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const mode of ['r', 'x'] as const) {
    const paths = CHECKOUT_NEEDS.filter(([, m]) => m === mode).map(([p]) => join(dir, p));
    const ok = await accessibleBy(NOBODY, NOBODY, paths, mode);
    out.push(...paths.filter((_, i) => !ok[i]));
  }
  return out;
}

/** Runs `cp ARGS`, rejecting with its message when it fails. */
function cp(args: string[]): Promise<void> {
  return new Promise((resolveCopy, reject) => {
    const child = spawn('cp', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolveCopy() : reject(new Error(`cp ${args.join(' ')}: ${err.trim()}`)),
    );
  });
}

/**
 * `from` at `to` (a file or a whole tree), hard-linked (`cp -al`: no copy of the bytes, and a
 * file's mode is the original's), or copied where hard links cannot go (another file system).
 */
async function linkTree(from: string, to: string): Promise<void> {
  try {
    await cp(['-al', '--', from, to]);
  } catch {
    await rm(to, { recursive: true, force: true });
    await cp(['-a', '--', from, to]);
  }
}

/**
 * Removes `dir` when this process ends, however it ends: vitest stops its workers with SIGTERM,
 * which skips `exit` handlers. A detached `sh` waits on a pipe whose only writer is this process
 * (Node opens its pipes close-on-exec, so no other child inherits it); when this process is gone
 * the kernel closes it, `cat` sees the end, and `rm` runs.
 */
function removeWhenThisProcessEnds(dir: string): void {
  const watcher = spawn('/bin/sh', ['-c', 'cat >/dev/null; exec rm -rf -- "$1"', 'sh', dir], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  watcher.on('error', () => undefined);
  watcher.unref();
  (watcher.stdin as Socket).unref();
}
