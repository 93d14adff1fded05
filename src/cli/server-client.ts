/**
 * @module How CLI commands reach a running server: `--endpoint` or `YUNBOX_ENDPOINT` (default the
 * default gateway address), plain JSON reads of its admin endpoints (health, the clock), and
 * signed calls to its own API with the root credentials (`YUNBOX_ROOT_ACCESS_KEY_ID`/`_SECRET`,
 * or the data directory's `root-credentials.json`), stamped with this machine's time (which the
 * server accepts however far its manual clock has moved) or, when asked, the server's.
 */
import { readFile } from 'node:fs/promises';
import { join as joinPath, resolve as resolvePath } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DEFAULT_LISTEN } from '../config/config.js';
import {
  ENDPOINT_FILE,
  processAlive,
  readEndpointFile,
  type EndpointInfo,
} from '../config/endpoint-file.js';
import { rpcCall } from '../protocol/rpc-client.js';
import { YUNBOX_API_VERSION } from '../services/yunbox/index.js';
import { argumentError, type ArgumentHints } from './argument-error.js';
import type { CliIo } from './command.js';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** The data directory when neither `--data` nor `YUNBOX_DATA` says (the `serve` default). */
const DEFAULT_DATA_DIR = './.yunbox';

/** The `--endpoint` option shared by commands that talk to a server. */
export const endpointOption = { endpoint: { type: 'string' as const } };

/**
 * The data directory a command means: `--data`, else `YUNBOX_DATA`, else `./.yunbox` (the
 * `serve` default), absolute.
 */
export function dataDirOf(io: CliIo, flag?: string): string {
  return resolvePath(io.cwd, flag ?? (io.env.YUNBOX_DATA || DEFAULT_DATA_DIR));
}

/**
 * The server a command talks to: `--endpoint`, else `YUNBOX_ENDPOINT`, else what the running
 * server wrote to `endpoint.json` in the data directory (`--data`, `YUNBOX_DATA`, `./.yunbox`),
 * else the default gateway address; `http://` is added when no scheme is given, trailing slashes
 * dropped.
 * @example
 * serverEndpoint('127.0.0.1:9910/', io) // 'http://127.0.0.1:9910'
 * serverEndpoint(undefined, io, '/srv/yb') // from /srv/yb/endpoint.json, e.g. 'http://127.0.0.1:19910'
 */
export function serverEndpoint(flag: string | undefined, io: CliIo, dataDir?: string): string {
  return findServer(flag, io, dataDir).endpoint;
}

// What a command found out about an address while looking for it, said when it cannot be reached.
const reachHints = new Map<string, string>();

/**
 * Why a server cannot be reached, with what is known of where its address came from.
 * @example
 * unreachable('http://127.0.0.1:9910', e) // 'cannot reach yunbox at `http://127.0.0.1:9910`: fetch failed (…)'
 */
export function unreachable(endpoint: string, e: unknown): string {
  const cause = (e as { cause?: { code?: string } }).cause?.code;
  return `cannot reach yunbox at \`${endpoint}\`: ${(e as Error).message}${cause ? ` (${cause})` : ''}${reachHints.get(endpoint) ?? ''}`;
}

/** Where {@link findServer} found the server. */
export interface FoundServer {
  endpoint: string;
  /** `--endpoint`, `YUNBOX_ENDPOINT`, the path of `endpoint.json`, or `default`. */
  source: string;
  /** What `endpoint.json` says, when the server was found through it. */
  info?: EndpointInfo;
}

/** {@link serverEndpoint}, saying where the address came from. */
export function findServer(flag: string | undefined, io: CliIo, dataDir?: string): FoundServer {
  const norm = (e: string) => e.replace(/\/+$/, '').replace(/^(?!https?:\/\/)/, 'http://');
  if (flag !== undefined) return { endpoint: norm(flag), source: '--endpoint' };
  if (io.env.YUNBOX_ENDPOINT) {
    return { endpoint: norm(io.env.YUNBOX_ENDPOINT), source: 'YUNBOX_ENDPOINT' };
  }
  const dir = dataDirOf(io, dataDir);
  const file = joinPath(dir, ENDPOINT_FILE);
  const info = readEndpointFile(dir);
  if (info) {
    if (!processAlive(info.pid)) {
      reachHints.set(
        info.endpoint,
        `; \`${file}\` was written by pid ${info.pid}, which has ended: start \`yunbox serve\``,
      );
    }
    return { endpoint: info.endpoint, source: file, info };
  }
  const endpoint = `http://${DEFAULT_LISTEN}`;
  reachHints.set(
    endpoint,
    `; no \`${file}\` says where a server runs: start \`yunbox serve\`, or give --data DIR or --endpoint URL`,
  );
  return { endpoint, source: 'default' };
}

/** The options of commands that call a server's API as root: where it is, where its data is. */
export const serverCallOptions = {
  endpoint: { type: 'string' },
  data: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsOptionsConfig;

type Parsed<O extends ParseArgsOptionsConfig> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>
>;

/**
 * Parses a command's arguments strictly. Bad options print `yunbox NAME: why` and the usage
 * (exit 2); `--help` (when among `options`) prints the usage (exit 0). `hints` add to the
 * sentences of {@link argumentError} (what an unknown option or a stray argument means here).
 */
export function parseCommandArgs<O extends ParseArgsOptionsConfig>(
  argv: string[],
  io: CliIo,
  name: string,
  usage: string,
  options: O,
  hints: Omit<ArgumentHints, 'options'> & {
    /** How many arguments the command takes, and how to name them when the count is wrong. */
    positionals?: { count: number; expected: string };
  } = {},
): Parsed<O> | { exit: number } {
  let parsed: Parsed<O>;
  const { positionals, ...argumentHints } = hints;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    io.stderr(`yunbox ${name}: ${argumentError(e, { ...argumentHints, options })}\n${usage}`);
    return { exit: 2 };
  }
  if ((parsed.values as { help?: boolean }).help) {
    io.stdout(usage);
    return { exit: 0 };
  }
  if (positionals !== undefined && parsed.positionals.length !== positionals.count) {
    io.stderr(`yunbox ${name}: expected ${positionals.expected}\n${usage}`);
    return { exit: 2 };
  }
  return parsed;
}

/** Calls an admin endpoint (same-origin JSON, as the admin guard wants); never throws. */
export async function adminRequest(
  endpoint: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ ok: true; body: unknown } | { ok: false; error: string }> {
  try {
    const res = await fetch(endpoint + path, {
      method,
      ...(body !== undefined
        ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }
        : {}),
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
    if (!res.ok) {
      const msg =
        typeof parsed === 'object' && parsed && 'error' in parsed
          ? String((parsed as { error: unknown }).error)
          : `HTTP ${res.status}`;
      return { ok: false, error: msg };
    }
    return { ok: true, body: parsed };
  } catch (e) {
    return { ok: false, error: unreachable(endpoint, e) };
  }
}

/** The `--data` option: the data directory holding `root-credentials.json`. */
export const dataOption = { data: { type: 'string' as const } };

/** Root credentials for signed calls, and where they were found. */
export interface FoundCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  /** `environment` or the path of `root-credentials.json`. */
  source: string;
}

/**
 * The root credentials a command signs with: `YUNBOX_ROOT_ACCESS_KEY_ID` and
 * `YUNBOX_ROOT_ACCESS_KEY_SECRET`, else `root-credentials.json` in the data directory (`dataDir`,
 * else `YUNBOX_DATA`, else `./.yunbox`, relative to the working directory). Never throws.
 * @example
 * const found = await findRootCredentials(io, values.data);
 * if (!found.ok) io.stderr(`yunbox instance exec: ${found.error}\n`);
 */
export async function findRootCredentials(
  io: CliIo,
  dataDir?: string,
): Promise<{ ok: true; credentials: FoundCredentials } | { ok: false; error: string }> {
  const id = io.env.YUNBOX_ROOT_ACCESS_KEY_ID;
  const secret = io.env.YUNBOX_ROOT_ACCESS_KEY_SECRET;
  if (id && secret) {
    return {
      ok: true,
      credentials: { accessKeyId: id, accessKeySecret: secret, source: 'environment' },
    };
  }
  const file = joinPath(dataDirOf(io, dataDir), 'root-credentials.json');
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    const reason =
      (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (e as Error).message;
    return {
      ok: false,
      error: `no root credentials: set YUNBOX_ROOT_ACCESS_KEY_ID and YUNBOX_ROOT_ACCESS_KEY_SECRET, or point --data at the server's data directory (\`${file}\`: ${reason})`,
    };
  }
  const c = parsed as { AccessKeyId?: unknown; AccessKeySecret?: unknown };
  if (typeof c.AccessKeyId !== 'string' || typeof c.AccessKeySecret !== 'string') {
    return { ok: false, error: `\`${file}\` has no AccessKeyId and AccessKeySecret` };
  }
  return {
    ok: true,
    credentials: { accessKeyId: c.AccessKeyId, accessKeySecret: c.AccessKeySecret, source: file },
  };
}

/** Outcome of {@link yunboxCall}. */
export type YunboxCallResult =
  { ok: true; body: Record<string, unknown> } | { ok: false; error: string; code?: string };

/**
 * The server's clock (`GET /_yunbox/clock`, unsigned and read-only): what to stamp a signed call
 * with when the server's clock is manual. Never throws.
 * @example
 * const c = await serverClock(endpoint); // { ok: true, now: '2026-01-01T00:00:00Z', mode: 'manual' }
 */
export async function serverClock(
  endpoint: string,
): Promise<{ ok: true; now: string; mode: string } | { ok: false; error: string }> {
  const r = await adminRequest(endpoint, 'GET', '/_yunbox/clock');
  if (!r.ok) return r;
  const b = r.body as { now?: unknown; mode?: unknown };
  if (typeof b.now !== 'string' || Number.isNaN(Date.parse(b.now))) {
    return { ok: false, error: `\`${endpoint}\` did not answer with its clock` };
  }
  return { ok: true, now: b.now, mode: String(b.mode) };
}

/** Options of {@link yunboxCall}. */
export interface YunboxCallOptions {
  /** The request's timestamp (ISO 8601, whole seconds; default this machine's time). */
  timestamp?: string;
}

/**
 * Calls an operation of yunbox's own API (product Yunbox, 2026-11-01), signed with ACS3 like the
 * SDKs; never throws. Errors read `Code: message`.
 * @example
 * const r = await yunboxCall(endpoint, creds, 'CreateSandbox', { InstanceId: 'i-…' });
 */
export async function yunboxCall(
  endpoint: string,
  credentials: { accessKeyId: string; accessKeySecret: string },
  action: string,
  params: Record<string, string>,
  options: YunboxCallOptions = {},
): Promise<YunboxCallResult> {
  return apiCall(endpoint, credentials, YUNBOX_API_VERSION, action, params, options);
}

/**
 * {@link yunboxCall} stamped with the server's own time (`GET /_yunbox/clock`): a manual clock may
 * be hours from this machine's, and a remote server's host clock may be off from it. Never throws.
 * @example
 * const r = await stampedYunboxCall(endpoint, creds, 'DeleteSandbox', { SandboxId });
 */
export async function stampedYunboxCall(
  endpoint: string,
  credentials: { accessKeyId: string; accessKeySecret: string },
  action: string,
  params: Record<string, string>,
): Promise<YunboxCallResult> {
  const clock = await serverClock(endpoint);
  if (!clock.ok) return clock;
  const timestamp = new Date(Date.parse(clock.now)).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return yunboxCall(endpoint, credentials, action, params, { timestamp });
}

/**
 * The one preamble of commands that call a Yunbox operation as root: finds the server
 * (`--endpoint`, `--data`) and the root credentials, calls with {@link stampedYunboxCall}, and
 * prints `yunbox NAME: why` on failure. Never throws.
 * @example
 * const r = await rootYunboxCall(io, 'clock show', values, 'DescribeClock', {});
 * if (!r.ok) return 1;
 */
export async function rootYunboxCall(
  io: CliIo,
  name: string,
  values: { endpoint?: string | undefined; data?: string | undefined },
  action: string,
  params: Record<string, string>,
): Promise<YunboxCallResult & { endpoint: string }> {
  const endpoint = serverEndpoint(values.endpoint, io, values.data);
  const found = await findRootCredentials(io, values.data);
  const r = found.ok
    ? await stampedYunboxCall(endpoint, found.credentials, action, params)
    : { ok: false as const, error: found.error };
  if (!r.ok) io.stderr(`yunbox ${name}: ${r.error}\n`);
  return { ...r, endpoint };
}

/** API versions of the products the CLI calls besides Yunbox's own. */
export const API_VERSIONS = {
  ram: '2015-05-01',
  ecs: '2014-05-26',
  vpc: '2016-04-28',
  yunbox: YUNBOX_API_VERSION,
} as const;

/**
 * Calls any RPC operation the gateway serves (RAM, ECS, VPC, Yunbox…), signed with ACS3 like the
 * SDKs; never throws. Errors read `Code: message`.
 * @example
 * const r = await apiCall(endpoint, creds, API_VERSIONS.ecs, 'DescribeInstances', { RegionId });
 */
export async function apiCall(
  endpoint: string,
  credentials: { accessKeyId: string; accessKeySecret: string },
  version: string,
  action: string,
  params: Record<string, string>,
  options: YunboxCallOptions = {},
): Promise<YunboxCallResult> {
  let res;
  try {
    res = await rpcCall({
      endpoint,
      version,
      action,
      params,
      credentials,
      signature: 'acs3',
      ...(options.timestamp !== undefined ? { timestamp: options.timestamp } : {}),
    });
  } catch (e) {
    return { ok: false, error: unreachable(endpoint, e) };
  }
  const body = (res.json ?? {}) as Record<string, unknown>;
  if (res.status >= 200 && res.status < 300 && res.json !== undefined) return { ok: true, body };
  const code = typeof body.Code === 'string' ? body.Code : undefined;
  const message = typeof body.Message === 'string' ? body.Message : res.text.slice(0, 200);
  return {
    ok: false,
    error: `${code ?? `HTTP ${res.status}`}: ${message}`,
    ...(code !== undefined ? { code } : {}),
  };
}
