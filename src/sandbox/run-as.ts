/**
 * @module Who a program in a sandbox runs as, and how it is started so that it stays that user.
 * `yunbox instance exec|shell` runs as root (entering a namespace needs it), the program must not:
 * root could read the data directory (every secret, the STS sealing key) and enter the other
 * sandboxes. Node cannot enter a namespace, and `ip netns exec` needs root, so root is dropped
 * after entering it, by util-linux's `setpriv`, inside a PID namespace of the program's own
 * (`sandbox/init.ts`: programs of other sandboxes running as the same user are out of its sight
 * and reach):
 *
 * ```
 * ip netns exec <netns> unshare --pid --fork --mount-proc --ipc -- /bin/sh -c INIT yunbox-init
 *     setpriv --reuid=U --regid=G --clear-groups --inh-caps=-all --ambient-caps=-all
 *     --bounding-set=-all --no-new-privs -- /bin/sh -c 'exec "$@"' sh COMMAND…
 * ```
 *
 * No capability in any set, no supplementary group, and `no_new_privs`, so setuid programs inside
 * (sudo, su) cannot become root again. The program must not share the caller's terminal either:
 * on a terminal it controls, `TIOCSTI` types into the shell that started yunbox (root's). Without
 * a terminal on stdin and stdout it runs in a session of its own, with no controlling terminal;
 * with one, util-linux's `script` (started by the init, as root) gives it a terminal of its own
 * and relays.
 *
 * The user: `--user NAME|UID`, else the one who ran sudo (`SUDO_UID`, `SUDO_GID`), else `nobody`;
 * never uid 0 or gid 0 without `--as-root`. HOME is that user's when they can enter it, else a
 * fresh private directory under /tmp, removed afterwards; the working directory stays the
 * caller's when they can enter it, else HOME. Access is checked by the kernel, as that user.
 *
 * A library to preload (libfaketime under the manual clock, `faketime.ts`) is set by that last
 * shell, for the program alone: `ip` and `setpriv` run as root without it (libfaketime would make
 * them root's shared memory that the program, no longer root, could not open).
 */
import { spawn } from 'node:child_process';
import { chown, mkdtemp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findExecutable, runCommand } from './host.js';
import { hostNameArgs, pidNamespaceArgs } from './init.js';

/** Who runs the program when neither `--user` nor sudo says. */
export const DEFAULT_SANDBOX_USER = 'nobody';
/** The group used when a user has none but root's, or none known (`nogroup`, the overflow gid). */
export const OVERFLOW_GID = 65534;
/** Prefix of the temporary HOME made for a user whose own cannot be entered. */
export const TEMPORARY_HOME_PREFIX = '/tmp/yunbox-home-';

/** One `/etc/passwd` entry (the fields yunbox uses). */
export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

/** An unprivileged user a program runs as. */
export interface SandboxUser {
  uid: number;
  gid: number;
  /** Login name, when the user database knows the uid. */
  name?: string;
  /** Home directory from the user database (it may not exist). */
  home?: string;
  /** Where the choice came from: `--user`, `SUDO_UID`, or the default. */
  from: 'user' | 'sudo' | 'default';
}

/** Who runs the program: root (only with `--as-root`) or an unprivileged user. */
export type SandboxIdentity = { root: true } | ({ root: false } & SandboxUser);

/** Outcome of {@link resolveSandboxIdentity}; `usage` marks a mistake in the arguments. */
export type IdentityResult =
  { ok: true; identity: SandboxIdentity } | { ok: false; error: string; usage: boolean };

const MAX_ID = 4_294_967_294;
const USER_NAME = /^[A-Za-z0-9_.][A-Za-z0-9_.-]{0,63}\$?$/;
const NUMERIC = /^\d{1,10}$/;

/**
 * One line of `/etc/passwd` (`name:password:uid:gid:gecos:home:shell`), or undefined.
 * @example
 * parsePasswdLine('nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin')
 * // { name: 'nobody', uid: 65534, gid: 65534, home: '/nonexistent' }
 */
export function parsePasswdLine(line: string): PasswdEntry | undefined {
  const f = line.split(':');
  if (f.length < 7) return undefined;
  const [name, , uid, gid, , home] = f as [string, string, string, string, string, string];
  if (!name || !NUMERIC.test(uid) || !NUMERIC.test(gid)) return undefined;
  const u = Number(uid);
  const g = Number(gid);
  if (u > MAX_ID || g > MAX_ID) return undefined;
  return { name, uid: u, gid: g, home };
}

/**
 * The user database's entry for a name or a uid: `getent passwd` (NSS: files, LDAP, …), else
 * `/etc/passwd` when getent is missing.
 */
export async function lookupPasswd(key: string): Promise<PasswdEntry | undefined> {
  if (!USER_NAME.test(key) && !NUMERIC.test(key)) return undefined;
  const getent = await findExecutable('getent');
  if (getent) {
    const r = await runCommand(getent, ['passwd', key], { timeoutMs: 5000 });
    return r.code === 0 ? parsePasswdLine(r.stdout.split('\n')[0] ?? '') : undefined;
  }
  let text: string;
  try {
    text = await readFile('/etc/passwd', 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const e = parsePasswdLine(line);
    if (e && (NUMERIC.test(key) ? e.uid === Number(key) : e.name === key)) return e;
  }
  return undefined;
}

/** What decides who runs the program. */
export interface IdentityRequest {
  /** `--user NAME|UID`. */
  user?: string;
  /** `--as-root`. */
  asRoot?: boolean;
  /** The caller's environment (`SUDO_UID`, `SUDO_GID`, `SUDO_USER`). */
  env: NodeJS.ProcessEnv;
}

const ROOT_REFUSED =
  'runs the program as root: pass `--as-root` for that (it can then read every secret)';

/**
 * Who runs the program: `--as-root` is root; `--user NAME|UID` that user; else the user who ran
 * sudo (`SUDO_UID`, `SUDO_GID`; not when that is root); else `nobody`. Uid 0 is refused without
 * `--as-root`; gid 0 becomes {@link OVERFLOW_GID}.
 * @example
 * const r = await resolveSandboxIdentity({ user: 'daemon', env: process.env });
 */
export async function resolveSandboxIdentity(
  req: IdentityRequest,
  lookup: (key: string) => Promise<PasswdEntry | undefined> = lookupPasswd,
): Promise<IdentityResult> {
  const fail = (error: string, usage = false): IdentityResult => ({ ok: false, error, usage });
  if (req.asRoot) {
    return req.user !== undefined
      ? fail('`--as-root` and `--user` exclude each other', true)
      : { ok: true, identity: { root: true } };
  }
  const user = (
    u: number,
    g: number | undefined,
    e: PasswdEntry | undefined,
    from: SandboxUser['from'],
    name?: string,
  ): IdentityResult => {
    const gid = g ?? e?.gid ?? OVERFLOW_GID;
    const n = e?.name ?? name;
    return {
      ok: true,
      identity: {
        root: false,
        uid: u,
        gid: gid === 0 ? OVERFLOW_GID : gid,
        ...(n !== undefined ? { name: n } : {}),
        ...(e?.home.startsWith('/') ? { home: e.home } : {}),
        from,
      },
    };
  };
  if (req.user !== undefined) {
    const key = req.user;
    if (NUMERIC.test(key)) {
      const uid = Number(key);
      if (uid > MAX_ID) return fail(`\`--user ${key}\` is not a user id`, true);
      if (uid === 0) return fail(`\`--user ${key}\` ${ROOT_REFUSED}`, true);
      return user(uid, undefined, await lookup(key), 'user');
    }
    if (!USER_NAME.test(key)) return fail(`\`--user ${key}\` is not a user name or id`, true);
    const e = await lookup(key);
    if (!e) return fail(`no user \`${key}\` on this machine`);
    if (e.uid === 0) return fail(`\`--user ${key}\` ${ROOT_REFUSED}`, true);
    return user(e.uid, undefined, e, 'user');
  }
  const sudoUid = req.env.SUDO_UID;
  if (sudoUid !== undefined && sudoUid !== '') {
    if (!NUMERIC.test(sudoUid) || Number(sudoUid) > MAX_ID) {
      return fail(`\`SUDO_UID\` is \`${sudoUid}\`, not a user id`);
    }
    if (Number(sudoUid) !== 0) {
      const sudoGid = req.env.SUDO_GID;
      const gid =
        sudoGid !== undefined && NUMERIC.test(sudoGid) && Number(sudoGid) <= MAX_ID
          ? Number(sudoGid)
          : undefined;
      const sudoUser = req.env.SUDO_USER;
      return user(
        Number(sudoUid),
        gid,
        await lookup(sudoUid),
        'sudo',
        sudoUser !== undefined && USER_NAME.test(sudoUser) ? sudoUser : undefined,
      );
    }
  }
  const nobody = await lookup(DEFAULT_SANDBOX_USER);
  if (nobody && nobody.uid !== 0) return user(nobody.uid, undefined, nobody, 'default');
  return user(65534, OVERFLOW_GID, undefined, 'default', DEFAULT_SANDBOX_USER);
}

/** `nobody (uid 65534)` or `uid 4242`, for messages. */
export function describeUser(u: SandboxUser): string {
  return u.name !== undefined ? `\`${u.name}\` (uid ${u.uid})` : `uid ${u.uid}`;
}

/** `sh -c` script: its first argument becomes `LD_PRELOAD`, the rest is the command. */
export const PRELOAD_SCRIPT = 'LD_PRELOAD=$1; export LD_PRELOAD; shift; exec "$@"';

/**
 * The shell words that start `command` with `preload` as `LD_PRELOAD` (none: `command` itself).
 * @example
 * withPreload('/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1', ['date'])
 * // ['/bin/sh', '-c', PRELOAD_SCRIPT, 'sh', '/usr/lib/…/libfaketimeMT.so.1', 'date']
 */
export function withPreload(preload: string | undefined, command: string[]): string[] {
  return preload === undefined
    ? command
    : ['/bin/sh', '-c', PRELOAD_SCRIPT, 'sh', preload, ...command];
}

/**
 * The arguments that make the rest of the command line run as `user`, unprivileged: `setpriv`,
 * then `/bin/sh -c 'exec "$@"'`. setpriv keeps root's capabilities until its own exec (they go
 * at execve, for a uid that is not 0), so its PATH search would find commands in directories
 * only root can read; the shell, already unprivileged, looks the command up as the user does.
 * With `preload`, that shell also sets it as `LD_PRELOAD` ({@link PRELOAD_SCRIPT}).
 * @example
 * [ip, 'netns', 'exec', netns, ...dropPrivilegeArgs('/usr/bin/setpriv', user), 'id', '-u']
 */
export function dropPrivilegeArgs(
  setpriv: string,
  user: { uid: number; gid: number },
  preload?: string,
): string[] {
  return [
    setpriv,
    `--reuid=${user.uid}`,
    `--regid=${user.gid}`,
    '--clear-groups',
    '--inh-caps=-all',
    '--ambient-caps=-all',
    '--bounding-set=-all',
    '--no-new-privs',
    '--',
    '/bin/sh',
    '-c',
    preload === undefined ? 'exec "$@"' : PRELOAD_SCRIPT,
    'sh',
    ...(preload === undefined ? [] : [preload]),
  ];
}

/**
 * Quotes one word for a POSIX shell (`script -c` hands its command to `sh -c`).
 * @example
 * shellQuote("it's") // `'it'\''s'`
 */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** A check made as the user: can they enter a directory, or read a file. */
export interface AccessCheck {
  kind: 'enter' | 'read';
  path: string;
}

// argv: e:PATH (can cd into PATH) or r:PATH (can read PATH); prints 1 or 0 per argument.
const PROBE =
  'for a; do p=${a#??}; case $a in e:*) cd -- "$p" 2>/dev/null && echo 1 || echo 0;; *) [ -r "$p" ] && echo 1 || echo 0;; esac; done';

/**
 * Runs `checks` as `user` (its uid and gid, no supplementary group), so that the kernel decides
 * (modes, ACLs, every directory on the way); resolves with one boolean per check.
 */
export function checkAccessAs(
  user: { uid: number; gid: number },
  checks: AccessCheck[],
): Promise<boolean[]> {
  if (checks.length === 0) return Promise.resolve([]);
  return new Promise((resolveChecks, reject) => {
    const child = spawn(
      '/bin/sh',
      ['-c', PROBE, 'sh', ...checks.map((c) => `${c.kind === 'enter' ? 'e' : 'r'}:${c.path}`)],
      {
        cwd: '/',
        uid: user.uid,
        gid: user.gid,
        env: { PATH: '/usr/bin:/bin' },
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', () => {
      clearTimeout(timer);
      const lines = out.split('\n');
      resolveChecks(checks.map((_, i) => lines[i] === '1'));
    });
  });
}

/** Where and how an unprivileged program starts. */
export interface UserPlacement {
  /** HOME: the user's own, or a temporary one ({@link removeTemporaryHome} it afterwards). */
  home: string;
  temporaryHome: boolean;
  /** Working directory: the caller's, or HOME when the user cannot enter the caller's. */
  cwd: string;
  /** The caller's working directory, when the user cannot enter it (so `cwd` is HOME). */
  movedFrom?: string;
  /** Files of the data directory the user could read (none, or something is wrong). */
  exposed: string[];
}

/** Files of a data directory that must stay unreadable to a sandboxed program. */
export const DATA_DIR_SECRETS = ['root-credentials.json', 'yunbox.db', 'tls/ca-key.pem'];

/**
 * Chooses HOME and the working directory of a program run as `user`, and checks that the data
 * directory's secrets (when `dataDir` is known) are unreadable to them. Makes a temporary HOME
 * (mode 0700, owned by the user) when the user's own cannot be entered.
 */
export async function placeUser(
  user: SandboxUser,
  options: { cwd: string; dataDir?: string },
): Promise<UserPlacement> {
  const secrets = options.dataDir ? DATA_DIR_SECRETS.map((f) => join(options.dataDir!, f)) : [];
  const checks: AccessCheck[] = [
    { kind: 'enter', path: options.cwd },
    ...(user.home ? [{ kind: 'enter' as const, path: user.home }] : []),
    ...secrets.map((path) => ({ kind: 'read' as const, path })),
  ];
  const ok = await checkAccessAs(user, checks);
  const cwdOk = ok[0] === true;
  const homeOk = user.home !== undefined && ok[1] === true;
  const exposed = secrets.filter((_, i) => ok[checks.length - secrets.length + i]);
  let home = user.home!;
  let temporaryHome = false;
  if (!homeOk) {
    home = await mkdtemp(TEMPORARY_HOME_PREFIX);
    await chown(home, user.uid, user.gid);
    temporaryHome = true;
  }
  return {
    home,
    temporaryHome,
    cwd: cwdOk ? options.cwd : home,
    ...(cwdOk ? {} : { movedFrom: options.cwd }),
    exposed,
  };
}

/**
 * Removes a temporary HOME, as its user (so that links planted inside can only reach what that
 * user could remove anyway). Nothing for any other path.
 */
export async function removeTemporaryHome(
  home: string,
  user: { uid: number; gid: number },
): Promise<void> {
  if (!home.startsWith(TEMPORARY_HOME_PREFIX) || home.includes('/', TEMPORARY_HOME_PREFIX.length))
    return;
  await new Promise<void>((resolveRm) => {
    const child = spawn('rm', ['-rf', '--', home], {
      cwd: '/',
      uid: user.uid,
      gid: user.gid,
      env: { PATH: '/usr/bin:/bin' },
      stdio: 'ignore',
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', () => resolveRm());
    child.on('close', () => {
      clearTimeout(timer);
      resolveRm();
    });
  });
}

/**
 * The environment of a program run as `user`: `env` with HOME, USER and LOGNAME set to theirs
 * (USER and LOGNAME removed when the uid has no name).
 */
export function userEnv(
  env: Record<string, string>,
  user: SandboxUser,
  home: string,
): Record<string, string> {
  const out: Record<string, string> = { ...env, HOME: home };
  delete out.USER;
  delete out.LOGNAME;
  if (user.name !== undefined) {
    out.USER = user.name;
    out.LOGNAME = user.name;
  }
  return out;
}

/** Tools the unprivileged start needs, found on this machine. */
export interface DropTools {
  setpriv: string;
  /** util-linux's `unshare`, for the program's PID namespace. */
  unshare: string;
  /** Only needed with a terminal. */
  script?: string;
  env: string;
}

/** The tools for {@link launchCommand}, or a one-line reason naming the missing package. */
export async function findDropTools(
  terminal: boolean,
  find: (name: string) => Promise<string | undefined> = findExecutable,
): Promise<{ ok: true; tools: DropTools } | { ok: false; error: string }> {
  const setpriv = await find('setpriv');
  if (!setpriv) {
    return {
      ok: false,
      error:
        '`setpriv` not found: it drops root before the program starts; install util-linux (Debian, Ubuntu: `apt-get install util-linux`), or pass `--as-root` to run the program as root',
    };
  }
  const unshare = await find('unshare');
  if (!unshare) {
    return {
      ok: false,
      error:
        '`unshare` not found: the program gets a PID namespace of its own, so that it cannot reach the processes of other sandboxes; install util-linux (Debian, Ubuntu: `apt-get install util-linux`), or pass `--as-root` to run the program as root',
    };
  }
  const env = (await find('env')) ?? '/usr/bin/env';
  if (!terminal) return { ok: true, tools: { setpriv, unshare, env } };
  const script = await find('script');
  if (!script) {
    return {
      ok: false,
      error:
        "`script` not found: on a terminal the program gets its own, so that it cannot type into yours; install util-linux's script (Debian, Ubuntu: `apt-get install bsdutils`), or run without a terminal on stdin",
    };
  }
  return { ok: true, tools: { setpriv, unshare, env, script } };
}

/** A process to spawn for a sandboxed program. */
export interface LaunchCommand {
  file: string;
  args: string[];
  /** Extra or changed variables for the spawned process (on top of the program's environment). */
  env: Record<string, string | undefined>;
  /** Start it in a new session (no controlling terminal). */
  detached: boolean;
  /** True when the caller's terminal delivers Ctrl-C and Ctrl-\ to it directly. */
  sharesTerminal: boolean;
  /**
   * Where forwarded signals go: the spawned process itself (it becomes the program), or the
   * process the sandbox's init started (`sandbox/init.ts`: `initChildSignaller`).
   */
  forwardTo: 'child' | 'init-child';
}

/**
 * How to start `command` in namespace `netns`: as root (`--as-root`: the caller's terminal
 * shared and no PID namespace, as before; root can leave any namespace anyway), or dropped to
 * `user` in a PID namespace of its own (`sandbox/init.ts`) and a session of its own, behind a
 * terminal of its own when `terminal` (stdin and stdout are terminals). `shell` is the program's
 * SHELL (script runs its command with `$SHELL -c`, so it gets /bin/sh and the program gets its
 * own back through `env`).
 * `preload` is the program's `LD_PRELOAD`, set just before it starts (never in the spawned
 * environment, which root's `ip`, `unshare`, the init and `setpriv` see).
 * `hostName` is the instance's: the program runs in a UTS namespace of its own with that host
 * name (`init.ts` {@link hostNameArgs}); as root too when `unshare` (util-linux's) is given.
 */
export function launchCommand(o: {
  ip: string;
  netns: string;
  command: string[];
  identity: SandboxIdentity;
  tools?: DropTools;
  terminal: boolean;
  shell?: string;
  preload?: string;
  hostName?: string;
  /** util-linux's `unshare`, for the host name of a program run as root. */
  unshare?: string;
}): LaunchCommand {
  const inNetns = [o.ip, 'netns', 'exec', o.netns];
  if (o.identity.root) {
    const uts =
      o.hostName && o.unshare ? [o.unshare, '--uts', '--', ...hostNameArgs(o.hostName)] : [];
    return {
      file: o.ip,
      args: inNetns.slice(1).concat(uts, withPreload(o.preload, o.command)),
      env: {},
      detached: false,
      sharesTerminal: true,
      forwardTo: 'child',
    };
  }
  if (!o.tools) throw new Error('dropping root needs setpriv');
  const inPidns = [
    ...inNetns.slice(1),
    ...pidNamespaceArgs(o.tools.unshare),
    ...hostNameArgs(o.hostName),
  ];
  const dropped = [...dropPrivilegeArgs(o.tools.setpriv, o.identity, o.preload), ...o.command];
  if (!o.terminal || !o.tools.script) {
    return {
      file: o.ip,
      args: [...inPidns, ...dropped],
      env: {},
      detached: true,
      sharesTerminal: false,
      forwardTo: 'init-child',
    };
  }
  // script runs inside, started by the init: the keys typed then reach the program alone, and
  // the terminal yunbox runs on is held by root's processes only.
  const restoreShell = o.shell !== undefined ? [`SHELL=${o.shell}`] : ['-u', 'SHELL'];
  const line = ['exec', ...[o.tools.env, ...restoreShell, ...dropped].map(shellQuote)].join(' ');
  return {
    file: o.ip,
    args: [...inPidns, o.tools.script, '--quiet', '--return', '--command', line, '/dev/null'],
    env: { SHELL: '/bin/sh' },
    detached: false,
    sharesTerminal: false,
    forwardTo: 'init-child',
  };
}

/**
 * The warning `--as-root` prints: what a program running as root in a sandbox can do.
 */
export const AS_ROOT_WARNING =
  'the program runs as root on this machine: it can read the data directory (every AccessKey secret and the STS sealing key, enough to forge any credential), enter the other sandboxes and read their credentials, and change anything on the host';
