/**
 * @module Running yunbox and scripts as a user would: `node dist/yunbox.mjs …` (what `npm start`
 * and `npx yunbox` run), with ready detection and guaranteed clean-up.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

/** Repository root. */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The built CLI. */
export const CLI = join(REPO_ROOT, 'dist', 'yunbox.mjs');

/** A spawned `yunbox serve`. */
export interface ServeProcess {
  child: ChildProcess;
  endpoint: string;
  address: string;
  tlsAddress?: string;
  stdout: () => string;
  stderr: () => string;
  /** SIGTERM, then SIGKILL after a grace period; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** How {@link spawnServe} starts the process. */
export interface SpawnOptions {
  /**
   * Descriptor limit of the server (`ulimit -n`, through `sh -c '…; exec node …'`, so the pid is
   * still the server's).
   */
  nofile?: number;
}

/** Starts `yunbox serve ARGS` and waits for its "ready" lines. */
export async function spawnServe(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 20_000,
  options: SpawnOptions = {},
): Promise<ServeProcess> {
  const argv = [CLI, 'serve', ...args];
  const [file, fileArgs] =
    options.nofile === undefined
      ? [process.execPath, argv]
      : [
          'sh',
          ['-c', 'ulimit -n "$0" && exec "$@"', String(options.nofile), process.execPath, ...argv],
        ];
  const child = spawn(file, fileArgs, {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    const [code] = (await once(child, 'exit')) as [number | null];
    clearTimeout(t);
    return code;
  };
  const started = Date.now();
  while (!/gateway\s+http:\/\/\S+/.test(err)) {
    if (child.exitCode !== null)
      throw new Error(`yunbox serve exited ${child.exitCode}: ${err}${out}`);
    if (Date.now() - started > timeoutMs) {
      await stop();
      throw new Error(`yunbox serve not ready after ${timeoutMs} ms: ${err}${out}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const endpoint = /gateway\s+(http:\/\/\S+)/.exec(err)![1]!;
  const tls = /https\s+https:\/\/(\S+)/.exec(err)?.[1];
  return {
    child,
    endpoint,
    address: endpoint.replace(/^http:\/\//, ''),
    ...(tls ? { tlsAddress: tls } : {}),
    stdout: () => out,
    stderr: () => err,
    stop,
  };
}

/** How {@link serveIn} starts a test's server (everything else: ephemeral, quiet, HTTPS off). */
export interface ServeInOptions {
  /** An ephemeral metadata listener (default: none). */
  metadata?: boolean;
  /** `--clock manual` (default: the system clock). */
  manualClock?: boolean;
  /** Root AccessKey pair to start with (default: generated, see {@link rootCredentialsIn}). */
  root?: { accessKeyId: string; accessKeySecret: string };
  /** `--log-level` (default `warn`). */
  logLevel?: string;
  /** Further flags, e.g. `--store postgres://…`. */
  args?: string[];
  /** Descriptor limit of the server (`ulimit -n`). */
  nofile?: number;
}

/**
 * `yunbox serve` with its data in `dir`, as a test wants it: gateway on an ephemeral loopback
 * port, no HTTPS, metadata only when asked for (ephemeral), warn-level logs.
 * @example
 * const server = await serveIn(dir, { manualClock: true, root: ROOT });
 */
export function serveIn(dir: string, opts: ServeInOptions = {}): Promise<ServeProcess> {
  return spawnServe(
    [
      ...['--data', dir, '--listen', '127.0.0.1:0', '--tls-listen', 'off'],
      ...['--metadata-listen', opts.metadata ? '127.0.0.1:0' : 'off'],
      ...(opts.manualClock ? ['--clock', 'manual'] : []),
      ...['--log-level', opts.logLevel ?? 'warn'],
      ...(opts.args ?? []),
    ],
    opts.root
      ? {
          YUNBOX_ROOT_ACCESS_KEY_ID: opts.root.accessKeyId,
          YUNBOX_ROOT_ACCESS_KEY_SECRET: opts.root.accessKeySecret,
        }
      : {},
    undefined,
    opts.nofile !== undefined ? { nofile: opts.nofile } : {},
  );
}

/** The generated root credentials a server wrote to `DIR/root-credentials.json`. */
export async function rootCredentialsIn(
  dir: string,
): Promise<{ accessKeyId: string; accessKeySecret: string; accountId: string }> {
  const c = JSON.parse(await readFile(join(dir, 'root-credentials.json'), 'utf8'));
  return { accessKeyId: c.AccessKeyId, accessKeySecret: c.AccessKeySecret, accountId: c.accountId };
}

/** Runs `node FILE` (or `node -e`) in `cwd`, resolving with exit code and output. */
export async function runNode(
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 30_000,
  cwd = REPO_ROOT,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, args, {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(t);
  return { code, stdout, stderr };
}
