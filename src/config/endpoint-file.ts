/**
 * @module `DIR/endpoint.json`: where a running `yunbox serve` can be reached, written once it
 * listens and removed when it stops, so that every CLI command (and `yunbox env`) finds a server
 * on any port without being told. It holds addresses and ids only, never a secret: the
 * AccessKey stays in `root-credentials.json`.
 *
 * Mode 0600, like every file of the data directory (which is 0700 anyway): a reader must be able
 * to enter the directory, and whoever can may read `root-credentials.json` too, so 0644 would
 * give nobody anything and would break the rule that the directory's files are its owner's.
 */
import { chmod, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The file's name in the data directory. */
export const ENDPOINT_FILE = 'endpoint.json';

/** What `endpoint.json` says. */
export interface EndpointInfo {
  /** `http://host:port` of the gateway (RPC APIs and OSS). */
  endpoint: string;
  /** `https://host:port` of the HTTPS gateway, when enabled. */
  tlsEndpoint?: string;
  /** `http://host:port` of the metadata listener outside sandboxes, when started. */
  metadataEndpoint?: string;
  /** The console's page. */
  consoleUrl: string;
  accountId: string;
  region: string;
  /** The local CA certificate (for `NODE_EXTRA_CA_CERTS`), when HTTPS is enabled. */
  caCertPath?: string;
  /** Absolute data directory. */
  dataDir: string;
  /** `sqlite` or `postgres` (never the URL: it may carry a password). */
  store: string;
  /** The serving process. */
  pid: number;
  startedAt: string;
}

/**
 * Writes `DIR/endpoint.json` (mode 0600), replacing it atomically.
 * @example
 * await writeEndpointFile('/srv/yb', { endpoint: 'http://127.0.0.1:9910', … });
 */
export async function writeEndpointFile(dataDir: string, info: EndpointInfo): Promise<void> {
  const file = join(dataDir, ENDPOINT_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(info, null, 2) + '\n', { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, file);
}

/** Removes `DIR/endpoint.json` when it is still this process's (another server may own it now). */
export async function removeEndpointFile(dataDir: string, pid = process.pid): Promise<void> {
  const file = join(dataDir, ENDPOINT_FILE);
  try {
    const info = JSON.parse(await readFile(file, 'utf8')) as Partial<EndpointInfo>;
    if (info.pid === pid) await rm(file, { force: true });
  } catch {
    /* absent or unreadable: nothing of ours to remove */
  }
}

/**
 * Reads `DIR/endpoint.json` (synchronously: the CLI reads it once, before anything else);
 * `undefined` when absent, unreadable or not ours.
 * @example
 * readEndpointFile('/srv/yb')?.endpoint // 'http://127.0.0.1:19910'
 */
export function readEndpointFile(dataDir: string): EndpointInfo | undefined {
  let parsed: unknown;
  try {
    const text = readFileSync(join(dataDir, ENDPOINT_FILE), 'utf8');
    if (text.length > 64 * 1024) return undefined;
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const p = parsed as Partial<EndpointInfo>;
  if (typeof p !== 'object' || p === null || typeof p.endpoint !== 'string') return undefined;
  if (!/^https?:\/\/[^\s/]+$/.test(p.endpoint)) return undefined;
  return p as EndpointInfo;
}

/** True when process `pid` exists (it may be another user's). */
export function processAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
