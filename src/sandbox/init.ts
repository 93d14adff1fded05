/**
 * @module The PID namespace of a sandboxed program and its init. Programs of two sandboxes that
 * run as the same user must not reach each other's processes: where the kernel lets a user trace
 * its own processes (no Yama), a program in instance A could ptrace one in instance B and act from
 * inside B's network namespace, with B's credentials. So each program runs in a PID namespace of
 * its own, with a `/proc` of its own (in the mount namespace `ip netns exec` makes), and an IPC
 * namespace of its own (System V IPC and POSIX message queues): it sees, signals, traces and reads
 * `/proc/<pid>` of its own processes only.
 *
 * ```
 * ip netns exec <netns> unshare --pid --fork --mount-proc --ipc --uts --   host pid namespace
 *   /bin/sh -c SANDBOX_INIT yunbox-init                                    PID 1, root
 *     /bin/sh -c SET_HOST_NAME yunbox-hostname NAME                        PID 2, root, then exec:
 *     setpriv … -- /bin/sh -c 'exec "$@"' sh COMMAND…                      PID 2, the user
 * ```
 *
 * The UTS namespace gives the sandbox the instance's host name ({@link hostNameArgs}), so that
 * `hostname` and `uname -n` agree with `/etc/hostname` (which `ip netns exec` mounts from
 * `/etc/netns/<netns>/`) instead of printing the host's.
 *
 * PID 1 of a namespace gets only the signals it has a handler for, so the program must not be
 * PID 1 (a Node or Python program would ignore SIGTERM and SIGINT). The init is a POSIX shell
 * script, not a Node one: it must reap orphans (they become PID 1's children), which a shell's
 * wait does and Node cannot (it waits only for the children it spawned). It runs the program in
 * the foreground rather than forwarding signals to it: a POSIX shell starts a background command
 * with SIGINT and SIGQUIT ignored, for good, so Ctrl-C would no longer stop it. Nothing needs to
 * signal the init: yunbox's CLI sends what it forwards to the init's child, found from the host's
 * `/proc` ({@link initChildSignaller}); a terminal's keys reach the program's process group;
 * removing a sandbox signals every process in its network namespace. When the program ends, the
 * init sends SIGTERM to what it left behind, gives it up to a second (as removing a sandbox does),
 * and exits with the program's status (128 + the signal's number when a signal ended it); the
 * kernel then kills whatever is left in the namespace.
 */
import { readFile, readdir } from 'node:fs/promises';

/**
 * The init: runs its arguments in the foreground (the shell reaps every child meanwhile, orphans
 * included), then ends what the program left (only as PID 1, where `kill -1` means this
 * namespace) and exits with the program's status. It runs as root with the caller's environment,
 * so it looks nothing up in PATH (a directory there may be writable by the program's user): its
 * arguments start with an absolute path, and the rest are shell builtins and `/bin/sleep`.
 */
export const SANDBOX_INIT = [
  '"$@"',
  's=$?',
  'if [ "$$" = 1 ] && kill -s TERM -- -1 2>/dev/null; then',
  '  n=0',
  '  while [ "$n" -lt 20 ]; do',
  '    set -- /proc/[0-9]*',
  '    [ "$#" -gt 1 ] || break',
  '    /bin/sleep 0.05',
  '    n=$((n + 1))',
  '  done',
  'fi',
  'exit "$s"',
].join('\n');

/** `$0` of the init, what `ps` shows for PID 1 inside a sandbox. */
export const SANDBOX_INIT_NAME = 'yunbox-init';

/**
 * The arguments that run the rest of the command line in a PID and IPC namespace of its own, with
 * a fresh `/proc`, under {@link SANDBOX_INIT}. Needs root (the caller is `ip netns exec`).
 * @example
 * [ip, 'netns', 'exec', netns, ...pidNamespaceArgs('/usr/bin/unshare'), ...dropped, 'id']
 */
export function pidNamespaceArgs(unshare: string): string[] {
  return [
    unshare,
    '--pid',
    '--fork',
    '--mount-proc',
    '--ipc',
    '--uts',
    '--',
    '/bin/sh',
    '-c',
    SANDBOX_INIT,
    SANDBOX_INIT_NAME,
  ];
}

/**
 * Sets the host name of the calling UTS namespace to `$1`, then runs the rest of its arguments in
 * its place (exec: no extra process). Root, no PATH lookup (shell builtins and `/proc` only).
 * Where it cannot be written (a read-only `/proc/sys`) the host's name stays, with one line on
 * stderr; the kernel keeps the first 64 bytes of a longer name (ECS host names are shorter).
 */
export const SET_HOST_NAME = [
  'h=$1',
  'shift',
  'if ! { printf "%s\\n" "$h" >/proc/sys/kernel/hostname; } 2>/dev/null; then',
  '  printf "%s\\n" "yunbox: cannot set the host name to $h in the sandbox" >&2',
  'fi',
  'exec "$@"',
].join('\n');

/**
 * The arguments that give the UTS namespace they run in the host name `hostName` before the rest
 * of the command line (nothing when there is none to set). Needs root and a UTS namespace of its
 * own (`unshare --uts`, as {@link pidNamespaceArgs} makes), else it would rename the host.
 * @example
 * [...pidNamespaceArgs(unshare), ...hostNameArgs('iZbp1Z'), ...dropped, 'hostname'] // prints iZbp1Z
 */
export function hostNameArgs(hostName: string | undefined): string[] {
  return hostName ? ['/bin/sh', '-c', SET_HOST_NAME, 'yunbox-hostname', hostName] : [];
}

/** Parent of process `pid` (`/proc/<pid>/stat` field 4), or undefined when it is gone. */
export async function parentPid(pid: number): Promise<number | undefined> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: split after its last ')'.
    const ppid = Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(ppid) ? ppid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Children of process `pid`: `/proc/<pid>/task/<pid>/children`, else (a kernel without it) a scan
 * of every process's parent.
 */
export async function childPids(pid: number): Promise<number[]> {
  try {
    const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8');
    return text.split(' ').filter(Boolean).map(Number);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return [];
  }
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return [];
  }
  const pids = entries.filter((e) => /^\d+$/.test(e)).map(Number);
  const parents = await Promise.all(pids.map(parentPid));
  return pids.filter((_, i) => parents[i] === pid);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Delivers signals to the process the init started (the program, or `script` with a terminal),
 * given `outer`, the host pid of the process that made the namespace (`unshare`, which `ip netns
 * exec` became): outer → init → that process. Found on the first signal, waiting for it while
 * the chain starts (until `ended()`, or `waitMs`); checked again before every delivery, so that a
 * pid reused after the program ended is never signalled. Resolves true when it was delivered.
 */
export function initChildSignaller(
  outer: number,
  ended: () => boolean,
  options: { waitMs?: number; pollMs?: number } = {},
): (signal: NodeJS.Signals) => Promise<boolean> {
  const waitMs = options.waitMs ?? 10_000;
  const pollMs = options.pollMs ?? 10;
  let chain: Promise<{ init: number; child: number } | undefined> | undefined;
  const find = async () => {
    const until = Date.now() + waitMs;
    for (;;) {
      const [init] = await childPids(outer);
      const [child] = init === undefined ? [] : await childPids(init);
      if (init !== undefined && child !== undefined) return { init, child };
      if (ended() || Date.now() > until) return undefined;
      await sleep(pollMs);
    }
  };
  return async (signal) => {
    chain ??= find();
    const found = await chain;
    if (!found) chain = undefined;
    if (!found || ended()) return false;
    const [childParent, initParent] = await Promise.all([
      parentPid(found.child),
      parentPid(found.init),
    ]);
    if (childParent !== found.init || initParent !== outer) return false;
    try {
      process.kill(found.child, signal);
      return true;
    } catch {
      return false;
    }
  };
}
