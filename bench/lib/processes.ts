/**
 * @module The processes a run starts on loopback, each its own OS process: `yunbox serve` (the
 * built CLI, as `npm start` runs it), the bare node:http baseline, s3rver; and what the harness
 * reads from them (RSS from `/proc/<pid>/status`). Every process is stopped by its own pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Credentials } from './signing.js';

/** Repository root. */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The built CLI (`npm run build`). */
export const CLI = join(REPO_ROOT, 'dist', 'yunbox.mjs');

/** A free loopback TCP port (bound and released; the race is acceptable on loopback). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Resident set size of a process in MB (VmRSS), or NaN when it is gone. */
export function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
export async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(t);
}

/** One HTTP request; resolves with status and body (never rejects on HTTP errors). */
export function httpRequest(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: Buffer | string } = {},
): Promise<{
  status: number;
  body: Buffer;
  headers: Record<string, string | string[] | undefined>;
}> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: init.method ?? 'GET', headers: init.headers ?? {}, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks),
            headers: res.headers,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

/** Waits until `fn` resolves true, polling every `everyMs`. */
export async function waitFor(
  fn: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
  everyMs = 20,
): Promise<void> {
  const start = Date.now();
  for (;;) {
    if (await fn().catch(() => false)) return;
    if (Date.now() - start > timeoutMs) throw new Error(`${what} not ready after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A spawned `yunbox serve`. */
export interface YunboxProcess {
  child: ChildProcess;
  pid: number;
  /** `http://127.0.0.1:PORT`. */
  endpoint: string;
  /** `127.0.0.1:PORT`. */
  address: string;
  /** Port given to `--metadata-listen` (served once the ECS work has landed). */
  metadataPort: number;
  dataDir: string;
  store: string;
  accountId: string;
  root: Credentials;
  stderr(): string;
  stop(): Promise<void>;
}

/** Options of {@link startYunbox}. */
export interface YunboxOptions {
  /** Data directory (fresh for a first start). */
  dataDir: string;
  /** `--store` (default `sqlite`). */
  store?: string;
  /** Write a `.cpuprofile` there when the process exits (`node --cpu-prof`). */
  cpuProfDir?: string;
  /** Extra flags for yunbox's `node` (`--node-flags`, for experiments). */
  nodeFlags?: string[];
  /** `--log-level` (default: yunbox's own default, `info`). */
  logLevel?: string;
  /** Where stdout (the access log) goes; default `<dataDir>/../<name>.log`. */
  logFile?: string;
}

/**
 * Starts `node dist/yunbox.mjs serve` on loopback ports (HTTPS off) and waits for its ready
 * lines; stdout (one access-log line per request at the default level) goes to a file, as it
 * would in a deployment, so that logging is part of what is measured.
 */
export async function startYunbox(opts: YunboxOptions): Promise<YunboxProcess> {
  const port = await freePort();
  const metadataPort = await freePort();
  const store = opts.store ?? 'sqlite';
  const args = [
    ...(opts.nodeFlags ?? []),
    ...(opts.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', opts.cpuProfDir] : []),
    CLI,
    'serve',
    '--data',
    opts.dataDir,
    '--listen',
    `127.0.0.1:${port}`,
    '--tls-listen',
    'off',
    '--metadata-listen',
    `127.0.0.1:${metadataPort}`,
    '--store',
    store,
    ...(opts.logLevel ? ['--log-level', opts.logLevel] : []),
  ];
  const logFd = openSync(opts.logFile ?? `${opts.dataDir}.log`, 'a');
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    stdio: ['ignore', logFd, 'pipe'],
  });
  closeSync(logFd);
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null)
          throw new Error(`yunbox serve exited ${child.exitCode}: ${err}`);
        return /gateway\s+http:\/\/\S+/.test(err);
      },
      60_000,
      'yunbox serve',
    );
  } catch (e) {
    await stopChild(child);
    throw new Error(`${(e as Error).message}\n${err}`, { cause: e });
  }
  const creds = JSON.parse(await readFile(join(opts.dataDir, 'root-credentials.json'), 'utf8')) as {
    accountId: string;
    AccessKeyId: string;
    AccessKeySecret: string;
  };
  return {
    child,
    pid: child.pid!,
    endpoint: `http://127.0.0.1:${port}`,
    address: `127.0.0.1:${port}`,
    metadataPort,
    dataDir: opts.dataDir,
    store,
    accountId: creds.accountId,
    root: { accessKeyId: creds.AccessKeyId, accessKeySecret: creds.AccessKeySecret },
    stderr: () => err,
    stop: () => stopChild(child),
  };
}

/** A spawned helper server (the baseline or s3rver). */
export interface HelperProcess {
  child: ChildProcess;
  pid: number;
  /** `http://127.0.0.1:PORT`. */
  url: string;
  stop(): Promise<void>;
}

/** Starts the bare node:http baseline (`bench/lib/baseline-server.ts`) with files in `dir`. */
export async function startBaseline(dir: string): Promise<HelperProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'bench', 'lib', 'baseline-server.ts'), '--dir', dir],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`baseline server exited ${child.exitCode}`);
      return /listening \d+/.test(out);
    },
    30_000,
    'baseline server',
  );
  const port = Number(/listening (\d+)/.exec(out)![1]);
  return { child, pid: child.pid!, url: `http://127.0.0.1:${port}`, stop: () => stopChild(child) };
}

/** Puts a fixture into the baseline: `GET path` then answers `body`. */
export async function setBaselineFixture(
  baseline: HelperProcess,
  path: string,
  body: Buffer,
  type = 'application/octet-stream',
): Promise<void> {
  const q = new URLSearchParams({ path, type });
  const r = await httpRequest(`${baseline.url}/_fixture?${q}`, { method: 'POST', body });
  if (r.status !== 204) throw new Error(`baseline fixture ${path}: ${r.status}`);
}

/** Starts s3rver (the npm fake S3, no authentication) with bucket `bucket` in `dir`. */
export async function startS3rver(dir: string, bucket: string): Promise<HelperProcess> {
  const port = await freePort();
  const bin = join(REPO_ROOT, 'node_modules', 's3rver', 'bin', 's3rver.js');
  const child = spawn(
    process.execPath,
    [
      bin,
      '-d',
      dir,
      '-a',
      '127.0.0.1',
      '-p',
      String(port),
      '--silent',
      '--configure-bucket',
      bucket,
    ],
    { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`s3rver exited ${child.exitCode}`);
      return (await httpRequest(`${url}/${bucket}/`)).status === 200;
    },
    30_000,
    's3rver',
  );
  return { child, pid: child.pid!, url, stop: () => stopChild(child) };
}
