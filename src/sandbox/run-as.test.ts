import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  OVERFLOW_GID,
  PRELOAD_SCRIPT,
  checkAccessAs,
  dropPrivilegeArgs,
  findDropTools,
  launchCommand,
  parsePasswdLine,
  placeUser,
  removeTemporaryHome,
  resolveSandboxIdentity,
  shellQuote,
  userEnv,
  withPreload,
  type PasswdEntry,
} from './run-as.js';
import { pidNamespaceArgs } from './init.js';

const PASSWD: PasswdEntry[] = [
  { name: 'root', uid: 0, gid: 0, home: '/root' },
  { name: 'daemon', uid: 1, gid: 1, home: '/usr/sbin' },
  { name: 'dev', uid: 1000, gid: 1000, home: '/home/dev' },
  { name: 'rootgroup', uid: 1001, gid: 0, home: '/home/rg' },
  { name: 'nobody', uid: 65534, gid: 65534, home: '/nonexistent' },
];
const lookup = async (key: string) =>
  PASSWD.find((e) => (/^\d+$/.test(key) ? e.uid === Number(key) : e.name === key));
const resolve = (req: Parameters<typeof resolveSandboxIdentity>[0]) =>
  resolveSandboxIdentity(req, lookup);

const isRoot = process.platform === 'linux' && process.getuid?.() === 0;

describe('parsePasswdLine', () => {
  it('reads name, uid, gid and home', () => {
    expect(parsePasswdLine('nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin')).toEqual({
      name: 'nobody',
      uid: 65534,
      gid: 65534,
      home: '/nonexistent',
    });
  });
  it('refuses what is not an entry', () => {
    for (const line of [
      '',
      'nobody:x:65534:65534',
      ':x:1:1::/:/bin/sh',
      'a:x:one:1::/:/bin/sh',
      'a:x:1:-1::/:/bin/sh',
      'a:x:99999999999:1::/:/bin/sh',
    ]) {
      expect(parsePasswdLine(line), line).toBeUndefined();
    }
  });
});

describe('resolveSandboxIdentity', () => {
  it('defaults to nobody', async () => {
    expect(await resolve({ env: {} })).toEqual({
      ok: true,
      identity: {
        root: false,
        uid: 65534,
        gid: 65534,
        name: 'nobody',
        home: '/nonexistent',
        from: 'default',
      },
    });
  });

  it('uses 65534 when the user database has no nobody', async () => {
    const r = await resolveSandboxIdentity({ env: {} }, async () => undefined);
    expect(r).toEqual({
      ok: true,
      identity: { root: false, uid: 65534, gid: OVERFLOW_GID, name: 'nobody', from: 'default' },
    });
  });

  it('runs as the user who ran sudo, with their group', async () => {
    expect(await resolve({ env: { SUDO_UID: '1000', SUDO_GID: '1000', SUDO_USER: 'x' } })).toEqual({
      ok: true,
      identity: {
        root: false,
        uid: 1000,
        gid: 1000,
        name: 'dev',
        home: '/home/dev',
        from: 'sudo',
      },
    });
    // Unknown to the user database: SUDO_USER names it, no HOME.
    expect(await resolve({ env: { SUDO_UID: '4243', SUDO_GID: '4244', SUDO_USER: 'x' } })).toEqual({
      ok: true,
      identity: { root: false, uid: 4243, gid: 4244, name: 'x', from: 'sudo' },
    });
  });

  it('does not take sudo run by root for a user, nor trust a malformed SUDO_UID', async () => {
    const r = await resolve({ env: { SUDO_UID: '0', SUDO_GID: '0' } });
    expect(r.ok && !r.identity.root && r.identity.uid).toBe(65534);
    expect(await resolve({ env: { SUDO_UID: '10x' } })).toEqual({
      ok: false,
      error: '`SUDO_UID` is `10x`, not a user id',
      usage: false,
    });
  });

  it('--user takes a name or a uid and wins over sudo', async () => {
    const byName = await resolve({ user: 'daemon', env: { SUDO_UID: '1000' } });
    expect(byName).toMatchObject({ ok: true, identity: { uid: 1, gid: 1, from: 'user' } });
    const byUid = await resolve({ user: '1000', env: {} });
    expect(byUid).toMatchObject({ ok: true, identity: { uid: 1000, gid: 1000, name: 'dev' } });
    const unknownUid = await resolve({ user: '4242', env: {} });
    expect(unknownUid).toEqual({
      ok: true,
      identity: { root: false, uid: 4242, gid: OVERFLOW_GID, from: 'user' },
    });
  });

  it('never gives group 0 to an unprivileged user', async () => {
    for (const r of [
      await resolve({ user: 'rootgroup', env: {} }),
      await resolve({ env: { SUDO_UID: '1000', SUDO_GID: '0' } }),
    ]) {
      expect(r.ok && !r.identity.root && r.identity.gid).toBe(OVERFLOW_GID);
    }
  });

  it('refuses root without --as-root, and bad --user values', async () => {
    for (const user of ['root', '0', '000']) {
      expect(await resolve({ user, env: {} })).toEqual({
        ok: false,
        error: `\`--user ${user}\` runs the program as root: pass \`--as-root\` for that (it can then read every secret)`,
        usage: true,
      });
    }
    expect(await resolve({ user: 'nosuch', env: {} })).toEqual({
      ok: false,
      error: 'no user `nosuch` on this machine',
      usage: false,
    });
    for (const user of ['', '-x', 'a b', 'a:b', '../x', 'x'.repeat(70)]) {
      expect(await resolve({ user, env: {} })).toMatchObject({ ok: false, usage: true });
    }
    expect(await resolve({ user: '99999999999', env: {} })).toMatchObject({ ok: false });
  });

  it('--as-root is root, and not together with --user', async () => {
    expect(await resolve({ asRoot: true, env: { SUDO_UID: '1000' } })).toEqual({
      ok: true,
      identity: { root: true },
    });
    expect(await resolve({ asRoot: true, user: 'dev', env: {} })).toEqual({
      ok: false,
      error: '`--as-root` and `--user` exclude each other',
      usage: true,
    });
  });
});

describe('dropPrivilegeArgs and launchCommand', () => {
  const tools = {
    setpriv: '/usr/bin/setpriv',
    unshare: '/usr/bin/unshare',
    env: '/usr/bin/env',
    script: '/usr/bin/script',
  };
  const user = { root: false as const, uid: 65534, gid: 65534, from: 'default' as const };
  const inPidns = ['netns', 'exec', 'ybx-1-1', ...pidNamespaceArgs('/usr/bin/unshare')];

  it('drops every capability set, the groups, and new privileges', () => {
    expect(dropPrivilegeArgs('/usr/bin/setpriv', { uid: 7, gid: 8 })).toEqual([
      '/usr/bin/setpriv',
      '--reuid=7',
      '--regid=8',
      '--clear-groups',
      '--inh-caps=-all',
      '--ambient-caps=-all',
      '--bounding-set=-all',
      '--no-new-privs',
      '--',
      '/bin/sh',
      '-c',
      'exec "$@"',
      'sh',
    ]);
  });

  it('as root: ip netns exec as before, sharing the terminal, no PID namespace', () => {
    expect(
      launchCommand({
        ip: '/usr/sbin/ip',
        netns: 'ybx-1-1',
        command: ['id'],
        identity: { root: true },
        terminal: true,
      }),
    ).toEqual({
      file: '/usr/sbin/ip',
      args: ['netns', 'exec', 'ybx-1-1', 'id'],
      env: {},
      detached: false,
      sharesTerminal: true,
      forwardTo: 'child',
    });
  });

  it('without a terminal: dropped in a PID namespace of its own, in a session of its own', () => {
    expect(
      launchCommand({
        ip: '/usr/sbin/ip',
        netns: 'ybx-1-1',
        command: ['id', '-u'],
        identity: user,
        tools,
        terminal: false,
      }),
    ).toEqual({
      file: '/usr/sbin/ip',
      args: [...inPidns, ...dropPrivilegeArgs('/usr/bin/setpriv', user), 'id', '-u'],
      env: {},
      detached: true,
      sharesTerminal: false,
      forwardTo: 'init-child',
    });
  });

  it('with a terminal: script started by the init, dropped behind it, SHELL given back', () => {
    const l = launchCommand({
      ip: '/usr/sbin/ip',
      netns: 'ybx-1-1',
      command: ['sh', '-c', "echo 'hi'"],
      identity: user,
      tools,
      terminal: true,
      shell: '/bin/bash',
    });
    expect(l.file).toBe('/usr/sbin/ip');
    const at = inPidns.length;
    expect(l.args.slice(0, at)).toEqual(inPidns);
    expect(l.args.slice(at, at + 4)).toEqual([
      '/usr/bin/script',
      '--quiet',
      '--return',
      '--command',
    ]);
    expect(l.args.slice(at + 5)).toEqual(['/dev/null']);
    expect(l.env).toEqual({ SHELL: '/bin/sh' });
    expect(l.detached).toBe(false);
    expect(l.forwardTo).toBe('init-child');
    // What script's `sh -c` runs is exactly the unprivileged command line.
    const line = l.args[at + 4]!;
    const words = spawnSync('/bin/sh', ['-c', line.replace(/^exec /, "printf '%s\\n' ")], {
      encoding: 'utf8',
    }).stdout;
    expect(words.trimEnd().split('\n')).toEqual([
      '/usr/bin/env',
      'SHELL=/bin/bash',
      ...dropPrivilegeArgs('/usr/bin/setpriv', user),
      'sh',
      '-c',
      "echo 'hi'",
    ]);
    const noShell = launchCommand({
      ...l,
      ip: 'ip',
      netns: 'n',
      command: ['x'],
      identity: user,
      tools,
      terminal: true,
    });
    expect(noShell.args[at + 4]).toMatch(
      /^exec '\/usr\/bin\/env' '-u' 'SHELL' '\/usr\/bin\/setpriv' /,
    );
  });

  it('a preload is set by the last shell, for the program only, never for ip or setpriv', () => {
    const lib = '/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1';
    expect(dropPrivilegeArgs('/usr/bin/setpriv', { uid: 7, gid: 8 }, lib).slice(-5)).toEqual([
      '/bin/sh',
      '-c',
      PRELOAD_SCRIPT,
      'sh',
      lib,
    ]);
    const dropped = launchCommand({
      ip: '/usr/sbin/ip',
      netns: 'n',
      command: ['date'],
      identity: user,
      tools,
      terminal: false,
      preload: lib,
    });
    expect(dropped.args).toEqual([
      'netns',
      'exec',
      'n',
      ...pidNamespaceArgs('/usr/bin/unshare'),
      ...dropPrivilegeArgs('/usr/bin/setpriv', user, lib),
      'date',
    ]);
    expect(dropped.env).toEqual({});
    const root = launchCommand({
      ip: '/usr/sbin/ip',
      netns: 'n',
      command: ['date'],
      identity: { root: true },
      terminal: false,
      preload: lib,
    });
    expect(root.args).toEqual(['netns', 'exec', 'n', ...withPreload(lib, ['date'])]);
    expect(withPreload(undefined, ['date'])).toEqual(['date']);
    // The script exports its first argument and runs the rest as given, words intact.
    const [sh, ...args] = withPreload('/nonexistent/lib.so', [
      'sh',
      '-c',
      'printf "%s|" "$LD_PRELOAD" "$@"',
      'x',
      'a b',
      '-c',
      "'",
    ]);
    const r = spawnSync(sh!, args, { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
    expect(r.stdout).toBe("/nonexistent/lib.so|a b|-c|'|");
  });

  it('shellQuote survives a POSIX shell unchanged', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc
            .string({
              unit: fc.oneof(
                fc.constantFrom("'", '"', '\\', '$', '`', ' ', '\n', '*', '-', '!', ';', '~'),
                fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
              ),
            })
            .map((s) => s.replaceAll('\0', '')),
          { minLength: 1, maxLength: 8 },
        ),
        (words) => {
          const r = spawnSync('/bin/sh', [
            '-c',
            `printf '%s\\0' ${words.map(shellQuote).join(' ')}`,
          ]);
          expect(r.stdout.toString('utf8').split('\0').slice(0, -1)).toEqual(words);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('findDropTools', () => {
  const have =
    (...names: string[]) =>
    async (n: string) =>
      names.includes(n) ? `/usr/bin/${n}` : undefined;

  it('names the package when setpriv is missing, never falling back to root', async () => {
    expect(await findDropTools(false, have('env', 'script'))).toEqual({
      ok: false,
      error:
        '`setpriv` not found: it drops root before the program starts; install util-linux (Debian, Ubuntu: `apt-get install util-linux`), or pass `--as-root` to run the program as root',
    });
  });

  it('names the package when unshare is missing', async () => {
    expect(await findDropTools(false, have('setpriv', 'env', 'script'))).toEqual({
      ok: false,
      error:
        '`unshare` not found: the program gets a PID namespace of its own, so that it cannot reach the processes of other sandboxes; install util-linux (Debian, Ubuntu: `apt-get install util-linux`), or pass `--as-root` to run the program as root',
    });
  });

  it('needs script only with a terminal', async () => {
    expect(await findDropTools(false, have('setpriv', 'unshare', 'env'))).toEqual({
      ok: true,
      tools: { setpriv: '/usr/bin/setpriv', unshare: '/usr/bin/unshare', env: '/usr/bin/env' },
    });
    expect(await findDropTools(true, have('setpriv', 'unshare', 'env'))).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^`script` not found: .*`apt-get install bsdutils`/),
    });
  });
});

describe('userEnv', () => {
  it("sets the user's HOME, USER and LOGNAME", () => {
    const env = { HOME: '/root', USER: 'root', LOGNAME: 'root', PATH: '/bin' };
    expect(userEnv(env, { uid: 1, gid: 1, name: 'daemon', from: 'user' }, '/h')).toEqual({
      HOME: '/h',
      USER: 'daemon',
      LOGNAME: 'daemon',
      PATH: '/bin',
    });
    expect(userEnv(env, { uid: 4242, gid: 1, from: 'user' }, '/h')).toEqual({
      HOME: '/h',
      PATH: '/bin',
    });
    expect(env.HOME).toBe('/root');
  });
});

describe.skipIf(!isRoot)('checkAccessAs and placeUser (as root)', () => {
  const nobody = { uid: 65534, gid: 65534, name: 'nobody', from: 'default' as const };

  it('asks the kernel, as the user', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'yunbox-run-as-'));
    try {
      await writeFile(join(dir, 'secret'), 'x', { mode: 0o600 });
      await writeFile(join(dir, 'public'), 'x', { mode: 0o644 });
      expect(
        await checkAccessAs(nobody, [
          { kind: 'enter', path: '/' },
          { kind: 'enter', path: dir },
          { kind: 'read', path: '/etc/hostname' },
          { kind: 'read', path: join(dir, 'public') },
        ]),
      ).toEqual([true, false, true, false]);
      await chmod(dir, 0o755);
      expect(
        await checkAccessAs(nobody, [
          { kind: 'enter', path: dir },
          { kind: 'read', path: join(dir, 'public') },
          { kind: 'read', path: join(dir, 'secret') },
          { kind: 'read', path: join(dir, "no such 'file'") },
        ]),
      ).toEqual([true, true, false, false]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps what the user can enter, else makes a private HOME and removes it as the user', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'yunbox-run-as-'));
    try {
      const p = await placeUser({ ...nobody, home: '/nonexistent' }, { cwd: dir, dataDir: dir });
      expect(p.home).toMatch(/^\/tmp\/yunbox-home-\w+$/);
      expect(p).toMatchObject({ temporaryHome: true, cwd: p.home, movedFrom: dir, exposed: [] });
      const st = await stat(p.home);
      expect([st.uid, st.gid, st.mode & 0o777]).toEqual([65534, 65534, 0o700]);
      await removeTemporaryHome(p.home, nobody);
      expect(existsSync(p.home)).toBe(false);

      await chmod(dir, 0o755);
      await writeFile(join(dir, 'root-credentials.json'), '{}', { mode: 0o644 });
      const q = await placeUser({ ...nobody, home: '/' }, { cwd: dir, dataDir: dir });
      expect(q).toEqual({
        home: '/',
        temporaryHome: false,
        cwd: dir,
        exposed: [join(dir, 'root-credentials.json')],
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('removes only its own temporary homes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'yunbox-run-as-keep-'));
    try {
      await removeTemporaryHome(dir, nobody);
      await removeTemporaryHome('/tmp/yunbox-home-x/../yunbox-run-as-keep', nobody);
      expect(existsSync(dir)).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
