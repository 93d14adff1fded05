/**
 * @module Test helpers for instance sandboxes: whether this machine can run them (root on Linux
 * with iproute2; CI does), running a command inside a namespace without blocking the event loop
 * (the server answering it lives in the same process), and listing what sandboxes leave behind.
 */
import { spawn } from 'node:child_process';
import {
  accessSync,
  constants as fsConstants,
  existsSync,
  readFileSync,
  readdirSync,
} from 'node:fs';
import { delimiter, join } from 'node:path';

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
