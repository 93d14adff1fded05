/**
 * @module Test helpers for sandboxed programs on yunbox's clock: a server's clock and moving it as a
 * user does (`yunbox clock`), a Running instance under a manual clock, a program left running in a
 * sandbox that is talked to line by line over stdin, and the tutorial's Python SDK (oss2) made
 * importable for a sandbox's unprivileged user.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TUTORIAL_IMAGE, TUTORIAL_INSTANCE_TYPE, createNetwork } from './fixtures.js';
import { $Ecs, ecsClient, type TestCredentials } from './sdk.js';
import { CLI, REPO_ROOT, runNode, type ServeProcess } from './spawn.js';

/** The server's clock (`GET /_yunbox/clock`), in ms. */
export async function serverNow(server: ServeProcess): Promise<number> {
  const r = await fetch(`${server.endpoint}/_yunbox/clock`);
  const body = (await r.json()) as { now: string };
  return Date.parse(body.now);
}

/** `yunbox clock ARGS… --endpoint … --data DIR`, as a user runs it; throws when it fails. */
export async function cliClock(server: ServeProcess, dataDir: string, ...args: string[]) {
  const r = await runNode(
    [CLI, 'clock', ...args, '--endpoint', server.endpoint, '--data', dataDir],
    {},
  );
  if (r.code !== 0) throw new Error(`yunbox clock ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/**
 * A Running instance (with `roleName` attached at creation) on a server whose clock may be manual:
 * after RunInstances, the clock is moved a minute (`yunbox clock advance 1m`) when it is manual,
 * so that the instance has started whoever waits; then waits for Running.
 */
export async function runningInstanceOnClock(
  server: ServeProcess,
  dataDir: string,
  root: TestCredentials,
  roleName: string,
  region = 'cn-hangzhou',
): Promise<{ instanceId: string; attachedAt: number }> {
  const net = await createNetwork({ ...server, region }, root);
  const ecs = ecsClient(server, root);
  const attachedAt = await serverNow(server);
  const r = await ecs.runInstances(
    new $Ecs.RunInstancesRequest({
      regionId: region,
      imageId: TUTORIAL_IMAGE,
      instanceType: TUTORIAL_INSTANCE_TYPE,
      vSwitchId: net.vswitchId,
      ramRoleName: roleName,
    }),
  );
  const instanceId = r.body!.instanceIdSets!.instanceIdSet![0]!;
  const mode = (
    (await (await fetch(`${server.endpoint}/_yunbox/clock`)).json()) as { mode: string }
  ).mode;
  if (mode === 'manual') await cliClock(server, dataDir, 'advance', '1m');
  const until = Date.now() + 30_000;
  for (;;) {
    const s = await ecs.describeInstanceStatus(
      new $Ecs.DescribeInstanceStatusRequest({ regionId: region, instanceId: [instanceId] }),
    );
    if (s.body!.instanceStatuses!.instanceStatus![0]!.status === 'Running') break;
    if (Date.now() > until) throw new Error(`instance ${instanceId} not Running in time`);
    await new Promise((x) => setTimeout(x, 200));
  }
  return { instanceId, attachedAt };
}

/** A program left running in a sandbox (`yunbox instance exec`), talked to over stdin. */
export interface LineProgram {
  child: ChildProcess;
  /** Complete stdout lines so far. */
  lines(): string[];
  stderr(): string;
  /** Writes `line` to its stdin. */
  send(line: string): void;
  /** Resolves with line number `n` (0-based) once written; rejects after `timeoutMs`. */
  line(n: number, timeoutMs?: number): Promise<string>;
  /** Closes stdin and waits for the CLI to exit (SIGKILL after `timeoutMs`). */
  end(timeoutMs?: number): Promise<number | null>;
}

/**
 * `yunbox instance exec INSTANCE --endpoint … --data DIR -- COMMAND…` with stdin a pipe (the
 * program runs without a terminal), left running.
 */
export function startLineProgram(
  server: ServeProcess,
  dataDir: string,
  instanceId: string,
  command: string[],
  env: NodeJS.ProcessEnv = {},
  /** Working directory of the CLI (and so of the program): one `nobody` can enter. */
  cwd: string = REPO_ROOT,
): LineProgram {
  const child = spawn(
    process.execPath,
    [
      CLI,
      'instance',
      'exec',
      instanceId,
      '--endpoint',
      server.endpoint,
      '--data',
      dataDir,
      '--',
      ...command,
    ],
    {
      cwd,
      env: { PATH: process.env.PATH, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  child.stdin!.on('error', () => undefined);
  const lines = () => out.split('\n').slice(0, -1);
  return {
    child,
    lines,
    stderr: () => err,
    send: (line) => void child.stdin!.write(`${line}\n`),
    async line(n, timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      while (lines().length <= n) {
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new Error(`program exited (${child.exitCode ?? child.signalCode}): ${err}${out}`);
        }
        if (Date.now() > until) throw new Error(`no line ${n} after ${timeoutMs} ms: ${err}${out}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return lines()[n]!;
    },
    async end(timeoutMs = 20_000) {
      child.stdin!.end();
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
      clearTimeout(t);
      return code;
    },
  };
}

/** Makes `dir` and every file below it readable (dirs enterable) by every user. */
async function makePublic(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) await makePublic(p);
    else await chmod(p, 0o644);
  }
}

/** The Debian packages oss2 needs, by the module they provide. */
const OSS2_PYTHON_MODULES: Record<string, string> = {
  requests: 'python3-requests',
  crcmod: 'python3-crcmod',
  Cryptodome: 'python3-pycryptodome',
  six: 'python3-six',
  jmespath: 'python3-jmespath',
  cryptography: 'python3-cryptography',
};

const MIRRORS = '/work/.mirror';

/**
 * A directory from which `python3` imports oss2 (the tutorial's SDK, no reachable package
 * registry has it) and every user can read, or why there is none. `YUNBOX_OSS2_SRC` names a ready
 * one; otherwise it is made under os.tmpdir() from local bare clones of
 * aliyun/aliyun-oss-python-sdk (oss2) and aliyun/aliyun-openapi-python-sdk (aliyunsdkcore and
 * aliyunsdkkms, which oss2 imports), found under `YUNBOX_OSS2_MIRRORS` (default `/work/.mirror`),
 * with Debian's modules for the rest and a `Crypto` alias of Debian's `Cryptodome`. `remove()`
 * deletes what was made.
 */
export async function prepareOss2(): Promise<
  { ok: true; path: string; remove(): Promise<void> } | { ok: false; reason: string }
> {
  const python = spawnSync('python3', ['--version'], { encoding: 'utf8' });
  if (python.status !== 0) return { ok: false, reason: 'python3 is not installed' };
  const missing = Object.entries(OSS2_PYTHON_MODULES).filter(
    ([m]) => spawnSync('/usr/bin/python3', ['-c', `import ${m}`]).status !== 0,
  );
  if (missing.length > 0) {
    return {
      ok: false,
      reason: `Debian's ${missing.map(([, p]) => p).join(', ')} not installed`,
    };
  }
  const ready = process.env.YUNBOX_OSS2_SRC;
  if (ready) {
    return existsSync(join(ready, 'oss2', '__init__.py'))
      ? { ok: true, path: ready, remove: async () => undefined }
      : { ok: false, reason: `YUNBOX_OSS2_SRC \`${ready}\` holds no oss2/` };
  }
  const mirrors = process.env.YUNBOX_OSS2_MIRRORS ?? MIRRORS;
  const oss = join(mirrors, 'aliyun+aliyun-oss-python-sdk', 'repo');
  const openapi = join(mirrors, 'aliyun+aliyun-openapi-python-sdk', 'repo');
  for (const repo of [oss, openapi]) {
    if (!existsSync(repo)) {
      return {
        ok: false,
        reason: `no clone of the Python SDK at \`${repo}\` (or set YUNBOX_OSS2_SRC)`,
      };
    }
  }
  const dir = await mkdtemp(join(tmpdir(), 'yunbox-oss2-'));
  const extract = (repo: string, paths: string[]) => {
    const archive = spawnSync('git', ['--git-dir', repo, 'archive', 'HEAD', ...paths], {
      maxBuffer: 256 * 1024 * 1024,
    });
    if (archive.status !== 0) throw new Error(`git archive ${repo}: ${archive.stderr}`);
    const tar = spawnSync('tar', ['-x', '-C', dir], { input: archive.stdout });
    if (tar.status !== 0) throw new Error(`tar: ${tar.stderr}`);
  };
  try {
    extract(oss, ['oss2']);
    extract(openapi, [
      'aliyun-python-sdk-core/aliyunsdkcore',
      'aliyun-python-sdk-kms/aliyunsdkkms',
    ]);
    await rename(join(dir, 'aliyun-python-sdk-core', 'aliyunsdkcore'), join(dir, 'aliyunsdkcore'));
    await rename(join(dir, 'aliyun-python-sdk-kms', 'aliyunsdkkms'), join(dir, 'aliyunsdkkms'));
    await rm(join(dir, 'aliyun-python-sdk-core'), { recursive: true });
    await rm(join(dir, 'aliyun-python-sdk-kms'), { recursive: true });
    // oss2 imports `Crypto` (pycryptodome's name on PyPI); Debian installs it as `Cryptodome`.
    await mkdir(join(dir, 'Crypto'));
    await writeFile(
      join(dir, 'Crypto', '__init__.py'),
      'import sys\nimport Cryptodome\nsys.modules[__name__] = Cryptodome\n',
    );
    await makePublic(dir);
    if ((await stat(join(dir, 'oss2', '__init__.py'))).size === 0) throw new Error('empty oss2');
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    return { ok: false, reason: `cannot prepare oss2: ${(e as Error).message}` };
  }
  return { ok: true, path: dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
