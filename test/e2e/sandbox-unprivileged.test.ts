/**
 * A program in an instance sandbox is not root (issue 14, finding 2), attacked as a program would:
 * a real `yunbox serve` started by root, instances A and B each with a role, B busy in its own
 * sandbox, and `yunbox instance exec A -- …` trying to get at what it must not. It runs with a
 * non-zero uid (`nobody` by default, `--user`, the sudo caller), no capabilities, no supplementary
 * groups and no_new_privs (a setuid-root program stays unprivileged); it cannot read the data
 * directory's database, root credentials or CA key, enter B's namespace (`ip netns exec`,
 * `nsenter`, i.e. setns), or reach B's credentials (B's plain metadata address is not reachable
 * from inside); it cannot type into the terminal yunbox was started from (TIOCSTI). Root needs
 * `--as-root`, which says what it gives away. Needs root on Linux.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, copyFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEcsRole } from '../../src/testing/fixtures.js';
import {
  hostPid,
  instanceExec,
  isRootLinux,
  runningInstance,
  sandboxCheckout,
  sandboxSkipReason,
  startInstanceExec,
  type SandboxCheckout,
} from '../../src/testing/sandbox.js';
import { ossClient, type TestCredentials } from '../../src/testing/sdk.js';
import {
  CLI,
  rootCredentialsIn,
  runNode,
  serveIn,
  type ServeProcess,
} from '../../src/testing/spawn.js';

const NOBODY = 65534;
const dirs: string[] = [];

/** The fields of /proc/self/status that say who a process is and what it may do. */
const STATUS = "grep -E '^(Uid|Gid|Groups|Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs):' /proc/self/status";

function statusOf(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^(\w+):\s*(.*?)\s*$/.exec(line);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

describe.skipIf(!isRootLinux)(`programs in sandboxes run unprivileged${sandboxSkipReason}`, () => {
  let server: ServeProcess;
  let dir: string;
  let root: TestCredentials & { accountId: string };
  let a: string;
  let b: string;
  let bNetns: string;
  let bPid: string;
  let bMetadata: string;
  let busyB: ReturnType<typeof startInstanceExec>;
  /** A working directory `nobody` can enter wherever the checkout is (the CLI's, by default). */
  let checkout: SandboxCheckout;

  const exec = (
    instanceId: string,
    command: string[],
    options: Parameters<typeof instanceExec>[4] = {},
  ) => instanceExec(server, dir, instanceId, command, { cwd: checkout.dir, ...options });

  beforeAll(async () => {
    checkout = await sandboxCheckout();
    dir = await mkdtemp(join(tmpdir(), 'yunbox-unprivileged-'));
    dirs.push(dir);
    server = await serveIn(dir, { metadata: true });
    root = await rootCredentialsIn(dir);
    await createEcsRole(server, root, 'RoleA');
    await createEcsRole(server, root, 'RoleB');
    [a, b] = await Promise.all([
      runningInstance(server, root, 'RoleA'),
      runningInstance(server, root, 'RoleB'),
    ]);
    // Some data, so that the data directory holds objects too.
    const oss = ossClient(server, root, { bucket: 'unprivileged' });
    await oss.putBucket('unprivileged');
    await oss.put('secret.txt', Buffer.from('only for RoleB'));
    const url = await runNode(
      [CLI, 'instance', 'metadata-url', b, '--endpoint', server.endpoint, '--data', dir],
      {},
    );
    expect(url.stderr).toBe('');
    bMetadata = url.stdout.trim();
    expect(bMetadata).toMatch(/^http:\/\/127\.77\.\d+\.\d+:\d+$/);
    // B is busy in its own sandbox meanwhile: its namespace exists and a process runs there.
    busyB = startInstanceExec(
      server,
      dir,
      b,
      ['sh', '-c', 'ip netns identify; echo $$; exec sleep 300'],
      { cwd: checkout.dir },
    );
    const until = Date.now() + 15_000;
    while (busyB.stdout().split('\n').length < 3) {
      if (Date.now() > until) throw new Error(`B did not start: ${busyB.stderr()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    let bNsPid: string;
    [bNetns, bNsPid] = busyB.stdout().trim().split('\n') as [string, string];
    expect(bNetns).toMatch(/^ybx-[0-9a-f]{8}-\d+$/);
    // B's program runs in a PID namespace of its own: the pid it printed is its pid there.
    bPid = String(await hostPid(bNetns, Number(bNsPid)));
    expect(bPid).toMatch(/^\d+$/);
  });

  afterAll(async () => {
    if (busyB && busyB.child.exitCode === null) {
      busyB.child.kill('SIGTERM');
      await once(busyB.child, 'exit');
    }
    await server?.stop();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('runs as nobody by default, with no capability, no supplementary group and no_new_privs', async () => {
    const r = await exec(a, ['sh', '-c', `${STATUS}; echo "HOME=$HOME USER=$USER"`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const s = statusOf(r.stdout);
    expect(s).toMatchObject({
      Uid: `${NOBODY}\t${NOBODY}\t${NOBODY}\t${NOBODY}`,
      Gid: `${NOBODY}\t${NOBODY}\t${NOBODY}\t${NOBODY}`,
      Groups: '',
      CapInh: '0000000000000000',
      CapPrm: '0000000000000000',
      CapEff: '0000000000000000',
      CapBnd: '0000000000000000',
      CapAmb: '0000000000000000',
      NoNewPrivs: '1',
    });
    // nobody's own HOME (/nonexistent) does not exist: a private temporary one, gone afterwards.
    const home = /HOME=(\S+) USER=nobody/.exec(r.stdout)?.[1];
    expect(home).toMatch(/^\/tmp\/yunbox-home-\w+$/);
    expect(existsSync(home!)).toBe(false);
  });

  it('a setuid-root program inside stays unprivileged (no_new_privs)', async (ctx) => {
    const bin = await mkdtemp(join(tmpdir(), 'yunbox-setuid-'));
    dirs.push(bin);
    await chmod(bin, 0o755);
    const id = join(bin, 'id');
    await copyFile('/usr/bin/id', id);
    await chmod(id, 0o4755);
    // Outside a sandbox, nobody running it gets euid 0 (unless the file system is nosuid).
    const baseline = await new Promise<string>((resolveRun) => {
      const c = spawn(id, ['-u'], {
        uid: NOBODY,
        gid: NOBODY,
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      let out = '';
      c.stdout.on('data', (d) => (out += d));
      c.on('close', () => resolveRun(out.trim()));
    });
    if (baseline !== '0') ctx.skip(`setuid programs do not work under ${tmpdir()} here`);
    const r = await exec(a, [id, '-u']);
    expect(r.stdout.trim()).toBe(String(NOBODY));
  });

  it('cannot read the data directory: database, root credentials, CA key', async () => {
    const files = ['yunbox.db', 'root-credentials.json', 'tls/ca-key.pem'].map((f) => join(dir, f));
    for (const f of files) expect(existsSync(f), f).toBe(true);
    const r = await exec(a, [
      'sh',
      '-c',
      'for f; do if cat "$f" >/dev/null 2>&1; then echo "read $f"; else echo refused; fi; done; ls "$(dirname "$1")" >/dev/null 2>&1 && echo listed || echo unlisted',
      'sh',
      ...files,
    ]);
    expect(r.stdout.trim().split('\n')).toEqual(['refused', 'refused', 'refused', 'unlisted']);
  });

  it("cannot enter B's namespace or reach B's credentials", async () => {
    const r = await exec(a, [
      'sh',
      '-c',
      [
        `ip netns exec ${bNetns} true 2>/dev/null; echo "ip=$?"`,
        `nsenter --net=/run/netns/${bNetns} true 2>/dev/null; echo "nsenter=$?"`,
        `nsenter --target ${bPid} --net true 2>/dev/null; echo "nsenter-pid=$?"`,
        `curl -s -m 5 ${bMetadata}/latest/meta-data/ram/security-credentials/RoleB; echo "plain=$?"`,
        'curl -s http://100.100.100.200/latest/meta-data/ram/security-credentials/; echo',
        `curl -s -o /dev/null -w '%{http_code}\\n' http://100.100.100.200/latest/meta-data/ram/security-credentials/RoleB`,
      ].join('; '),
    ]);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ip=[1-9]\d*$/);
    expect(lines[1]).toMatch(/^nsenter=[1-9]\d*$/);
    expect(lines[2]).toMatch(/^nsenter-pid=[1-9]\d*$/);
    // curl 7: could not connect (127.77.x.y is the sandbox's own lo, where nothing listens).
    expect(lines[3]).toBe('plain=7');
    expect(lines.slice(4)).toEqual(['RoleA', '404']);
    // From the host, B's plain address does serve B's credentials: the refusal above is isolation.
    const host = await fetch(`${bMetadata}/latest/meta-data/ram/security-credentials/`);
    expect(await host.text()).toBe('RoleB');
  });

  it('runs as --user NAME or UID, and as the user who ran sudo (SUDO_UID, SUDO_GID)', async () => {
    // Unquoted: the Groups line's whitespace collapses; USER is unset for a uid with no name.
    const who = "echo $(id -u) $(id -g) $(grep '^Groups:' /proc/self/status) $USER";
    const daemon = await exec(a, ['sh', '-c', who], { flags: ['--user', 'daemon'] });
    expect(daemon.stdout.trim()).toBe('1 1 Groups: daemon');
    const numeric = await exec(a, ['sh', '-c', who], { flags: ['--user', '4242'] });
    expect(numeric.stdout.trim()).toBe(`4242 ${NOBODY} Groups:`);
    const sudo = await exec(a, ['sh', '-c', who], {
      env: { SUDO_UID: '4243', SUDO_GID: '4244', SUDO_USER: 'dev' },
    });
    expect(sudo.stdout.trim()).toBe('4243 4244 Groups: dev');
    // An explicit --user wins over sudo's caller; sudo run by root itself means nobody.
    const both = await exec(a, ['id', '-u'], {
      flags: ['--user', '4242'],
      env: { SUDO_UID: '4243', SUDO_GID: '4244' },
    });
    expect(both.stdout.trim()).toBe('4242');
    const rootSudo = await exec(a, ['id', '-u'], { env: { SUDO_UID: '0', SUDO_GID: '0' } });
    expect(rootSudo.stdout.trim()).toBe(String(NOBODY));
  });

  it('refuses root without --as-root; --as-root keeps uid 0 and says what it gives away', async () => {
    for (const user of ['root', '0']) {
      const r = await exec(a, ['id', '-u'], { flags: ['--user', user] });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.split('\n')[0]).toBe(
        `yunbox instance exec: \`--user ${user}\` runs the program as root: pass \`--as-root\` for that (it can then read every secret)`,
      );
    }
    const both = await exec(a, ['id', '-u'], { flags: ['--user', 'daemon', '--as-root'] });
    expect(both.code).toBe(2);
    expect(both.stderr.split('\n')[0]).toBe(
      'yunbox instance exec: `--as-root` and `--user` exclude each other',
    );
    const unknown = await exec(a, ['id', '-u'], { flags: ['--user', 'no-such-user-here'] });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe(
      'yunbox instance exec: no user `no-such-user-here` on this machine\n',
    );
    const asRoot = await exec(
      a,
      ['sh', '-c', `id -u; cat ${join(dir, 'tls/ca-key.pem')} | head -1`],
      {
        flags: ['--as-root'],
      },
    );
    expect(asRoot.stdout.split('\n').slice(0, 2)).toEqual([
      '0',
      expect.stringMatching(/^-----BEGIN /),
    ]);
    expect(asRoot.stderr).toBe(
      'yunbox instance exec: --as-root: the program runs as root on this machine: it can read the data directory (every AccessKey secret and the STS sealing key, enough to forge any credential), enter the other sandboxes and read their credentials, and change anything on the host\n',
    );
  });

  it("works in the caller's directory when it can, else in HOME, and says so", async () => {
    const open = await mkdtemp(join(tmpdir(), 'yunbox-cwd-open-'));
    const closed = await mkdtemp(join(tmpdir(), 'yunbox-cwd-closed-'));
    dirs.push(open, closed);
    await chmod(open, 0o755);
    const here = await exec(a, ['sh', '-c', 'pwd; touch "$HOME/written" && echo home-writable'], {
      cwd: open,
    });
    expect(here.stderr).toBe('');
    expect(here.stdout.trim().split('\n')).toEqual([open, 'home-writable']);
    const moved = await exec(a, ['sh', '-c', 'pwd; echo "$HOME"'], { cwd: closed });
    const [pwd, home] = moved.stdout.trim().split('\n');
    expect(pwd).toBe(home);
    expect(pwd).toMatch(/^\/tmp\/yunbox-home-\w+$/);
    expect(moved.stderr).toBe(
      `yunbox instance exec: \`nobody\` (uid ${NOBODY}) cannot enter \`${closed}\`: running in \`${pwd}\`\n`,
    );
  });

  it('looks the command up in PATH as the user, not through directories only root can read', async () => {
    const hidden = await mkdtemp(join(tmpdir(), 'yunbox-path-root-'));
    const shown = await mkdtemp(join(tmpdir(), 'yunbox-path-public-'));
    dirs.push(hidden, shown);
    await chmod(shown, 0o755);
    for (const [d, text] of [
      [hidden, 'root only'],
      [shown, 'public'],
    ] as const) {
      await writeFile(join(d, 'yunbox-probe'), `#!/bin/sh\necho ${text}\n`);
      await chmod(join(d, 'yunbox-probe'), 0o755);
    }
    const r = await exec(a, ['yunbox-probe'], {
      env: { PATH: `${hidden}:${shown}:${process.env.PATH}` },
    });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('public\n');
  });

  it("refuses to run when the data directory's secrets are readable by that user", async () => {
    const leaky = await mkdtemp(join(tmpdir(), 'yunbox-leaky-'));
    dirs.push(leaky);
    await chmod(leaky, 0o755);
    await copyFile(join(dir, 'root-credentials.json'), join(leaky, 'root-credentials.json'));
    await chmod(join(leaky, 'root-credentials.json'), 0o644);
    const r = await instanceExec(server, leaky, a, ['echo', 'ran'], { cwd: checkout.dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `yunbox instance exec: \`nobody\` (uid ${NOBODY}) could read \`${join(leaky, 'root-credentials.json')}\`: the data directory must be private to root (\`chmod 700 ${leaky}\`)\n`,
    );
    // Credentials from the environment: the data directory named is checked all the same.
    await rm(join(leaky, 'root-credentials.json'));
    await writeFile(join(leaky, 'yunbox.db'), 'not really a database', { mode: 0o644 });
    await chmod(join(leaky, 'yunbox.db'), 0o644);
    const fromEnv = await instanceExec(server, leaky, a, ['echo', 'ran'], {
      cwd: checkout.dir,
      env: {
        YUNBOX_ROOT_ACCESS_KEY_ID: root.accessKeyId,
        YUNBOX_ROOT_ACCESS_KEY_SECRET: root.accessKeySecret,
      },
    });
    expect(fromEnv.code).toBe(1);
    expect(fromEnv.stdout).toBe('');
    expect(fromEnv.stderr).toBe(
      `yunbox instance exec: \`nobody\` (uid ${NOBODY}) could read \`${join(leaky, 'yunbox.db')}\`: the data directory must be private to root (\`chmod 700 ${leaky}\`)\n`,
    );
  });

  it('cannot type into the terminal yunbox was started from (TIOCSTI)', async () => {
    const work = await mkdtemp(join(tmpdir(), 'yunbox-tty-'));
    dirs.push(work);
    await chmod(work, 0o755);
    // Types `echo PWNED` into its controlling terminal, and into whatever terminal stdout is.
    const inject = join(work, 'inject.py');
    await writeFile(
      inject,
      `import fcntl, os, termios
res = []
for name, opener in [('tty', lambda: os.open('/dev/tty', os.O_RDWR)), ('stdout', lambda: 1)]:
    try:
        fd = opener()
        for c in b'echo PWNED\\n':
            fcntl.ioctl(fd, termios.TIOCSTI, bytes([c]))
        res.append(name + ':typed')
    except OSError as e:
        res.append(name + ':' + str(e.errno))
print(' '.join(res))
`,
    );
    // A terminal that yunbox runs on, as from root's shell; afterwards, what is left in its input
    // queue is what that shell would run.
    const harness = join(work, 'harness.py');
    await writeFile(
      harness,
      `import fcntl, json, os, pty, select, subprocess, sys, termios
mode, argv = sys.argv[1], sys.argv[2:]
master, slave = pty.openpty()
def own():
    os.setsid()
    fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
stdin = slave if mode == 'tty' else subprocess.DEVNULL
p = subprocess.Popen(argv, stdin=stdin, stdout=slave, stderr=slave, preexec_fn=own)
out = b''
while True:
    r, _, _ = select.select([master], [], [], 0.1)
    if r:
        try:
            out += os.read(master, 65536)
        except OSError:
            break
    elif p.poll() is not None:
        break
attr = termios.tcgetattr(slave)
attr[3] &= ~termios.ICANON
attr[6][termios.VMIN] = 0
attr[6][termios.VTIME] = 0
termios.tcsetattr(slave, termios.TCSANOW, attr)
queued = os.read(slave, 65536)
print(json.dumps({'code': p.returncode, 'out': out.decode(errors='replace'), 'queued': queued.decode(errors='replace')}))
`,
    );
    const cli = [
      process.execPath,
      CLI,
      'instance',
      'exec',
      a,
      '--endpoint',
      server.endpoint,
      '--data',
      dir,
      '--',
      'python3',
      inject,
    ];
    const run = async (mode: 'tty' | 'null') => {
      const child = spawn('python3', [harness, mode, ...cli], {
        cwd: checkout.dir,
        env: { PATH: process.env.PATH },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      await once(child, 'close');
      return JSON.parse(out) as { code: number; out: string; queued: string };
    };
    // No terminal on stdin: no controlling terminal at all (ENXIO) and stdout's refuses (EPERM).
    const detached = await run('null');
    expect(detached.code).toBe(0);
    expect(detached.out).toContain('tty:6 stdout:1');
    expect(detached.queued).toBe('');
    // A terminal: the program gets its own, so what it types stays there.
    const own = await run('tty');
    expect(own.code).toBe(0);
    expect(own.out).toContain('tty:typed stdout:typed');
    expect(own.queued).toBe('');
  });

  it('the data directory is private: directories 0700, files 0600, only the CA certificate public', async () => {
    const wrong: string[] = [];
    const walk = async (d: string): Promise<void> => {
      for (const e of await readdir(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        const mode = (await stat(p)).mode & 0o777;
        const name = relative(dir, p);
        const want = e.isDirectory() ? 0o700 : name === 'tls/ca.pem' ? 0o644 : 0o600;
        if (mode !== want) wrong.push(`${name} ${mode.toString(8)}`);
        if (e.isDirectory()) await walk(p);
      }
    };
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    await walk(dir);
    expect(wrong).toEqual([]);
    expect(await readFile(join(dir, 'tls', 'ca.pem'), 'utf8')).toMatch(
      /^-----BEGIN CERTIFICATE-----/,
    );
  });
});
