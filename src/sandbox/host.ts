/**
 * @module The host side of sandboxes: whether this machine can run them (Linux, root, `ip` from
 * iproute2), running `ip`, creating and deleting network namespaces, finding and killing the
 * processes inside one (by comparing `/proc/<pid>/ns/net` with the namespace, as `ip netns pids`
 * does, in one scan for all namespaces), and the files `ip netns exec` mounts over `/etc` from
 * `/etc/netns/<name>/`.
 */
import { spawn } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import {
  access,
  chmod,
  chown,
  cp,
  lstat,
  mkdir,
  readFile,
  readdir,
  readlink,
  realpath,
  rm,
  stat,
  symlink,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Where `ip netns` keeps named namespaces (bind mounts). */
export const NETNS_RUN_DIR = '/run/netns';
/** Where `ip netns exec <name>` finds files to mount over `/etc/…`. */
export const NETNS_ETC_DIR = '/etc/netns';
/** The one-line reason sandboxes cannot run on this machine. */
export const SANDBOX_NEEDS_ROOT = 'instance sandboxes need root on Linux (ip netns)';

/** Whether this machine can run sandboxes, and with which `ip`. */
export type SandboxSupport = { ok: true; ip: string } | { ok: false; reason: string };

let cached: SandboxSupport | undefined;

/**
 * Where the tools yunbox runs as root are looked for, in order: sudo's `secure_path`. The caller's
 * `PATH` is never searched: under `sudo npx`, it starts with directories the invoking user can
 * write (the project's `node_modules/.bin`), where a program in a sandbox, running as that user,
 * could plant a `setpriv` that root would run next time.
 */
export const SYSTEM_PATH: readonly string[] = [
  '/usr/local/sbin',
  '/usr/local/bin',
  '/usr/sbin',
  '/usr/bin',
  '/sbin',
  '/bin',
];

/** True when `st` is root's and nobody else may write it. */
function rootOnly(st: { uid: number; mode: number }): boolean {
  return st.uid === 0 && (st.mode & 0o022) === 0;
}

/**
 * Finds a tool that yunbox runs as root: an executable named `name` in {@link SYSTEM_PATH} (or
 * `dirs`), owned by root and writable by nobody else, in a directory of the same kind (symbolic
 * links resolved). Candidates another user could have replaced are skipped.
 * @example
 * await findExecutable('setpriv') // '/usr/bin/setpriv'
 */
export async function findExecutable(
  name: string,
  dirs: readonly string[] = SYSTEM_PATH,
): Promise<string | undefined> {
  if (name.includes('/')) return undefined;
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      await access(candidate, fsConstants.X_OK);
      const real = await realpath(candidate);
      const [file, parent] = await Promise.all([stat(real), stat(dirname(real))]);
      if (file.isFile() && rootOnly(file) && rootOnly(parent)) return candidate;
    } catch {
      /* next */
    }
  }
  return undefined;
}

/**
 * Whether sandboxes can run here: Linux, uid 0, and iproute2's `ip`. The reason names what is
 * missing, after {@link SANDBOX_NEEDS_ROOT}.
 */
export async function sandboxSupport(): Promise<SandboxSupport> {
  if (cached) return cached;
  let result: SandboxSupport;
  if (process.platform !== 'linux') {
    result = { ok: false, reason: `${SANDBOX_NEEDS_ROOT}: this is \`${process.platform}\`` };
  } else if (process.getuid?.() !== 0) {
    result = {
      ok: false,
      reason: `${SANDBOX_NEEDS_ROOT}: running as uid ${process.getuid?.() ?? 'unknown'}`,
    };
  } else {
    const ip = await findExecutable('ip');
    result = ip
      ? { ok: true, ip }
      : { ok: false, reason: `${SANDBOX_NEEDS_ROOT}: \`ip\` (iproute2) not found` };
  }
  cached = result;
  return result;
}

/** Output of a finished command. */
export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (killed after `timeoutMs`); never rejects for a non-zero exit. */
export function runCommand(
  file: string,
  args: string[],
  options: { input?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(file, args, {
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 10_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolveRun({ code, stdout, stderr });
    });
    if (options.input !== undefined) child.stdin!.end(options.input);
  });
}

async function ipOk(ip: string, args: string[], input?: string): Promise<void> {
  const r = await runCommand(ip, args, input === undefined ? {} : { input });
  if (r.code !== 0) {
    throw new Error(`\`ip ${args.join(' ')}\` failed: ${r.stderr.trim() || `exit ${r.code}`}`);
  }
}

/**
 * Creates namespace `name` with `lo` up and each address (IPv4, /32) on `lo`; nothing else, so
 * the only things reachable inside are what listens there. Removes it again on failure.
 */
export async function createNetns(ip: string, name: string, addresses: string[]): Promise<void> {
  await ipOk(ip, ['netns', 'add', name]);
  try {
    const batch = ['link set lo up', ...addresses.map((a) => `addr add ${a}/32 dev lo`)];
    await ipOk(ip, ['-n', name, '-batch', '-'], batch.join('\n') + '\n');
  } catch (e) {
    await deleteNetns(ip, name).catch(() => undefined);
    throw e;
  }
}

/** Deletes namespace `name` (nothing when it does not exist). */
export async function deleteNetns(ip: string, name: string): Promise<void> {
  const r = await runCommand(ip, ['netns', 'del', name]);
  if (r.code !== 0 && (await netnsExists(name))) {
    throw new Error(`\`ip netns del ${name}\` failed: ${r.stderr.trim() || `exit ${r.code}`}`);
  }
}

/** True when namespace `name` exists. */
export async function netnsExists(name: string): Promise<boolean> {
  try {
    await stat(join(NETNS_RUN_DIR, name));
    return true;
  } catch {
    return false;
  }
}

/** Names of every named namespace (empty when there is none). */
export async function listNetns(): Promise<string[]> {
  try {
    return await readdir(NETNS_RUN_DIR);
  } catch {
    return [];
  }
}

/** Names under `/etc/netns` (empty when there is none). */
export async function listNetnsEtc(): Promise<string[]> {
  try {
    return await readdir(NETNS_ETC_DIR);
  } catch {
    return [];
  }
}

/** The inode identifying namespace `name` (what `/proc/<pid>/ns/net` links to), if it exists. */
export async function netnsInode(name: string): Promise<number | undefined> {
  try {
    return (await stat(join(NETNS_RUN_DIR, name))).ino;
  } catch {
    return undefined;
  }
}

/** Every process by network namespace inode, from one scan of `/proc`. */
export async function processesByNetns(): Promise<Map<number, number[]>> {
  const out = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return out;
  }
  const pids = entries.filter((e) => /^\d+$/.test(e)).map(Number);
  const self = process.pid;
  await Promise.all(
    pids.map(async (pid) => {
      if (pid === self) return;
      try {
        const m = /^net:\[(\d+)\]$/.exec(await readlink(`/proc/${pid}/ns/net`));
        if (!m) return;
        const ino = Number(m[1]);
        const list = out.get(ino);
        if (list) list.push(pid);
        else out.set(ino, [pid]);
      } catch {
        /* gone, or a kernel thread */
      }
    }),
  );
  return out;
}

/** Processes inside namespace `name`. */
export async function netnsPids(name: string): Promise<number[]> {
  const ino = await netnsInode(name);
  if (ino === undefined) return [];
  return (await processesByNetns()).get(ino) ?? [];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Ends every process inside namespace `name`: SIGTERM, then SIGKILL for those still there after
 * `graceMs`. Resolves once none is left (or after a second SIGKILL wait).
 */
export async function killNetnsProcesses(name: string, graceMs = 1000): Promise<number> {
  let pids = await netnsPids(name);
  const initial = pids.length;
  if (initial === 0) return 0;
  const signal = (sig: NodeJS.Signals) => {
    for (const pid of pids) {
      try {
        process.kill(pid, sig);
      } catch {
        /* already gone */
      }
    }
  };
  signal('SIGTERM');
  for (const [sig, wait] of [
    ['SIGKILL', graceMs],
    [undefined, 2000],
  ] as const) {
    const until = Date.now() + wait;
    while (pids.length > 0 && Date.now() < until) {
      await sleep(25);
      pids = await netnsPids(name);
    }
    if (pids.length === 0) break;
    if (sig) signal(sig);
  }
  return initial;
}

/** What goes into a sandbox's `/etc`. */
export interface SandboxEtc {
  /** Resolver address for `resolv.conf`. */
  nameserver: string;
  hostName?: string;
  privateIp?: string;
  /** PEM of yunbox's CA, added to the system bundle. */
  caPem: string;
  /**
   * A copy of yunbox's CA on the host that every user can read (used when the host has no
   * `/etc/ssl`); never the data directory's, which programs inside must not be able to read.
   */
  caPath: string;
  /** OpenSSL subject hash of the CA (`openssl x509 -hash`), for a `<hash>.0` link in certs/. */
  caHash?: string;
}

/** Paths of the CA files inside the sandbox, by how programs look for them. */
export interface SandboxCaPaths {
  /** yunbox's CA alone (`NODE_EXTRA_CA_CERTS`). */
  caFile: string;
  /** The system bundle plus yunbox's CA (`SSL_CERT_FILE`, `REQUESTS_CA_BUNDLE`, `CURL_CA_BUNDLE`). */
  bundle: string;
}

/** Name of yunbox's CA inside the sandbox's `/etc/ssl/certs`. */
export const SANDBOX_CA_FILE = 'yunbox-ca.pem';

async function isSymlink(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isSymbolicLink();
  } catch {
    return false;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes `text` to `path`, readable by every user whatever the umask (sandboxed programs run
 * unprivileged).
 */
export async function writePublicFile(path: string, text: string): Promise<void> {
  await writeFile(path, text, { mode: 0o644 });
  await chmod(path, 0o644);
}

/**
 * Writes `/etc/netns/<name>/`, which `ip netns exec` mounts over the host's `/etc` entries of the
 * same names (only those the host has: a missing one would make `ip` warn on every command):
 * `resolv.conf` (the sandbox resolver), `nsswitch.conf` (host names from files, then DNS: not
 * through a host daemon such as systemd-resolved, which sees the host's network), `hosts`
 * (localhost and the instance's host name), `hostname`, and a copy of `/etc/ssl` (symlinks kept,
 * `private/` left out and empty) whose `certs/ca-certificates.crt` ends with yunbox's CA, so the
 * system bundle trusts it. Everything is readable by every user (modes set whatever the umask).
 * Answers the CA paths programs inside should use. `roots` moves `/etc` and `/etc/netns` (tests).
 */
export async function writeSandboxEtc(
  name: string,
  etc: SandboxEtc,
  roots: { etc: string; netnsEtc: string } = { etc: '/etc', netnsEtc: NETNS_ETC_DIR },
): Promise<SandboxCaPaths> {
  const hostEtc = (...parts: string[]) => join(roots.etc, ...parts);
  const dir = join(roots.netnsEtc, name);
  await mkdir(roots.netnsEtc, { recursive: true, mode: 0o755 });
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { mode: 0o755 });
  await chmod(dir, 0o755);
  const put = async (file: string, text: string) => {
    if (await exists(hostEtc(file))) await writePublicFile(join(dir, file), text);
  };
  await put(
    'resolv.conf',
    `# written by yunbox for sandbox ${name}\nnameserver ${etc.nameserver}\noptions timeout:1 attempts:2\n`,
  );
  try {
    const nsswitch = await readFile(hostEtc('nsswitch.conf'), 'utf8');
    const hosts = 'hosts: files dns';
    await put(
      'nsswitch.conf',
      /^hosts:.*$/m.test(nsswitch)
        ? nsswitch.replace(/^hosts:.*$/m, hosts)
        : `${nsswitch.replace(/\n?$/, '\n')}${hosts}\n`,
    );
  } catch {
    /* none on the host: glibc's default is files, then DNS */
  }
  const hostLine =
    etc.hostName !== undefined ? `${etc.privateIp ?? '127.0.1.1'}\t${etc.hostName}\n` : '';
  await put(
    'hosts',
    `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n${hostLine}`,
  );
  if (etc.hostName !== undefined) await put('hostname', `${etc.hostName}\n`);
  if (!(await exists(hostEtc('ssl')))) {
    // Nothing to mount over: point programs at the CA itself (nothing else is reachable inside).
    return { caFile: etc.caPath, bundle: etc.caPath };
  }
  const ssl = join(dir, 'ssl');
  const certs = join(ssl, 'certs');
  const copy = (from: string, to: string) =>
    cp(from, to, {
      recursive: true,
      verbatimSymlinks: true,
      preserveTimestamps: true,
      filter: (src) => src !== join(from, 'private'),
    });
  await copy(await realpath(hostEtc('ssl')), ssl);
  // What is changed below must be ours: a copied symlink (Fedora links certs/ and the bundle
  // into /etc/pki) would lead the writes to the host's own trust store.
  if (await isSymlink(certs)) {
    const target = await realpath(certs);
    await unlink(certs);
    await copy(target, certs);
  }
  try {
    const st = await stat(hostEtc('ssl', 'private'));
    await mkdir(join(ssl, 'private'), { mode: st.mode & 0o777 });
    await chown(join(ssl, 'private'), st.uid, st.gid);
  } catch {
    /* the host has none */
  }
  await mkdir(certs, { recursive: true, mode: 0o755 });
  await chmod(ssl, 0o755);
  await chmod(certs, 0o755);
  const ca = etc.caPem.endsWith('\n') ? etc.caPem : etc.caPem + '\n';
  await writePublicFile(join(certs, SANDBOX_CA_FILE), ca);
  const bundle = join(certs, 'ca-certificates.crt');
  let system = '';
  try {
    system = await readFile(bundle, 'utf8');
  } catch {
    /* none on the host */
  }
  await rm(bundle, { force: true });
  await writePublicFile(bundle, `${system}\n# yunbox local CA\n${ca}`);
  if (etc.caHash !== undefined && /^[0-9a-f]{8}$/.test(etc.caHash)) {
    for (let i = 0; i < 10; i++) {
      try {
        await symlink(SANDBOX_CA_FILE, join(certs, `${etc.caHash}.${i}`));
        break;
      } catch {
        /* taken: next suffix */
      }
    }
  }
  return {
    caFile: `/etc/ssl/certs/${SANDBOX_CA_FILE}`,
    bundle: '/etc/ssl/certs/ca-certificates.crt',
  };
}

/** Removes `/etc/netns/<name>/`. */
export async function removeSandboxEtc(name: string): Promise<void> {
  if (!name || name.includes('/') || name === '.' || name === '..') return;
  await rm(join(NETNS_ETC_DIR, name), { recursive: true, force: true });
}

/** The OpenSSL subject hash of a certificate file, when `openssl` is installed. */
export async function opensslSubjectHash(certPath: string): Promise<string | undefined> {
  const openssl = await findExecutable('openssl');
  if (!openssl) return undefined;
  try {
    const r = await runCommand(openssl, ['x509', '-hash', '-noout', '-in', certPath]);
    const hash = r.stdout.trim();
    return r.code === 0 && /^[0-9a-f]{8}$/.test(hash) ? hash : undefined;
  } catch {
    return undefined;
  }
}

/** Start time of process `pid` (clock ticks since boot, `/proc/<pid>/stat` field 22). */
export async function processStartTime(pid: number): Promise<string | undefined> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: split after its last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}
