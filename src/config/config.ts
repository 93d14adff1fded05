/**
 * @module Typed configuration, validated at boot (MinIO internal/config): every key has a flag, an
 * environment variable and help text; `startYunbox()` options override both.
 */
import { isIP } from 'node:net';

/** A `HOST:PORT` listen address. */
export interface ListenAddress {
  host: string;
  port: number;
}

/** Resolved configuration. */
export interface YunboxConfig {
  dataDir: string;
  listen: ListenAddress;
  tlsListen: ListenAddress | undefined;
  metadataListen: ListenAddress | undefined;
  /**
   * Names (or addresses) the server is reached by besides loopback and the listen addresses
   * (`--public-host`): the admin routes answer these Hosts, and the local CA may name them.
   */
  publicHosts: string[];
  store: string;
  /** Where OSS object bytes live: `fs` (DATA/blobs) or `postgres` (chunk rows in the store). */
  blobStore: 'fs' | 'postgres';
  region: string;
  clock: 'system' | 'manual';
  /** Start time of a manual clock (ms); defaults to the current time. */
  clockStart: number | undefined;
  rootAccessKeyId: string | undefined;
  rootAccessKeySecret: string | undefined;
  logLevel: string;
  /** Log lines: `json` (pino), `pretty` (one short line per request), `auto` (pretty on a terminal). */
  logFormat: 'auto' | 'json' | 'pretty';
  /** Most bytes the audit trail's events may take (estimated); past it the oldest are pruned. */
  trailMaxBytes: number;
  /** Seconds a client has to send a whole request head (and, on HTTPS, to finish the handshake). */
  headersTimeout: number;
  /** Seconds a client has to send the whole body of an RPC, admin or small OSS request. */
  requestTimeout: number;
  /** Seconds a streaming body (an object upload) may go without a byte before it is refused. */
  bodyIdleTimeout: number;
  /** Most connections open at once, over every listener. */
  maxConnections: number;
  /** Most connections open at once from one source (an address, an IPv6 /64, a sandbox). */
  maxConnectionsPerSource: number;
}

/** One configuration key: flag, environment variable, default and help. */
export interface ConfigKey {
  key: keyof YunboxConfig;
  flag: string;
  env: string;
  default: string | undefined;
  help: string;
}

/** Default gateway address. */
export const DEFAULT_LISTEN = '127.0.0.1:9910';
/** Default HTTPS gateway address. */
export const DEFAULT_TLS_LISTEN = '127.0.0.1:9911';
/** Default metadata-service address (outside sandboxes). */
export const DEFAULT_METADATA_LISTEN = '127.0.0.1:9912';

/** Every configuration key. */
export const CONFIG_KEYS: ConfigKey[] = [
  {
    key: 'dataDir',
    flag: 'data',
    env: 'YUNBOX_DATA',
    default: './.yunbox',
    help: 'data directory: SQLite database, object bytes, CA, root credentials',
  },
  {
    key: 'listen',
    flag: 'listen',
    env: 'YUNBOX_LISTEN',
    default: DEFAULT_LISTEN,
    help: 'gateway HOST:PORT (RPC APIs and OSS over HTTP)',
  },
  {
    key: 'tlsListen',
    flag: 'tls-listen',
    env: 'YUNBOX_TLS_LISTEN',
    default: DEFAULT_TLS_LISTEN,
    help: 'the same gateway over HTTPS with a certificate from the local CA (DATA/tls/ca.pem); `off` to disable',
  },
  {
    key: 'metadataListen',
    flag: 'metadata-listen',
    env: 'YUNBOX_METADATA_LISTEN',
    default: DEFAULT_METADATA_LISTEN,
    help: 'instance metadata service HOST:PORT outside sandboxes; `off` to disable',
  },
  {
    key: 'publicHosts',
    flag: 'public-host',
    env: 'YUNBOX_PUBLIC_HOST',
    default: undefined,
    help: 'NAME[,NAME…]: host names (or addresses) the server is reached by besides loopback and the listen address; /_yunbox/ answers only those Hosts',
  },
  {
    key: 'store',
    flag: 'store',
    env: 'YUNBOX_STORE',
    default: 'sqlite',
    help: 'metadata store: `sqlite` (in DATA), `sqlite:PATH` or `postgres://…`',
  },
  {
    key: 'blobStore',
    flag: 'blob-store',
    env: 'YUNBOX_BLOB_STORE',
    default: undefined,
    help: 'OSS object bytes: `fs` (files in DATA/blobs) or `postgres` (1 MiB chunk rows, for several nodes); default fs with SQLite, postgres with a PostgreSQL store',
  },
  {
    key: 'region',
    flag: 'region',
    env: 'YUNBOX_REGION',
    default: 'cn-hangzhou',
    help: 'region id served',
  },
  {
    key: 'clock',
    flag: 'clock',
    env: 'YUNBOX_CLOCK',
    default: 'system',
    help: "`system`, or `manual` (time stands still until `yunbox clock` or the Yunbox API's AdvanceClock/SetClock moves it forward)",
  },
  {
    key: 'clockStart',
    flag: 'clock-start',
    env: 'YUNBOX_CLOCK_START',
    default: undefined,
    help: 'start time of a manual clock (ISO 8601); default now',
  },
  {
    key: 'rootAccessKeyId',
    flag: 'root-access-key-id',
    env: 'YUNBOX_ROOT_ACCESS_KEY_ID',
    default: undefined,
    help: 'root AccessKey id (default: generated on first start)',
  },
  {
    key: 'rootAccessKeySecret',
    flag: 'root-access-key-secret',
    env: 'YUNBOX_ROOT_ACCESS_KEY_SECRET',
    default: undefined,
    help: 'root AccessKey secret (with the id above)',
  },
  {
    key: 'logLevel',
    flag: 'log-level',
    env: 'YUNBOX_LOG_LEVEL',
    default: 'info',
    help: 'log level: fatal, error, warn, info, debug, trace, silent',
  },
  {
    key: 'logFormat',
    flag: 'log-format',
    env: 'YUNBOX_LOG_FORMAT',
    default: 'auto',
    help: '`json` (one JSON object a line), `pretty` (one short line per request), or `auto`: pretty on a terminal, JSON otherwise',
  },
  {
    key: 'trailMaxBytes',
    flag: 'trail-max-bytes',
    env: 'YUNBOX_TRAIL_MAX_BYTES',
    default: '256MiB',
    help: 'most the audit trail keeps (bytes, or with KiB, MiB, GiB); past it the oldest events are deleted, unauthenticated ones first past a quarter of it',
  },
  {
    key: 'headersTimeout',
    flag: 'headers-timeout',
    env: 'YUNBOX_HEADERS_TIMEOUT',
    default: '30s',
    help: 'time a client has to send a request head (and finish the TLS handshake); seconds or `500ms`, `30s`, `2m`',
  },
  {
    key: 'requestTimeout',
    flag: 'request-timeout',
    env: 'YUNBOX_REQUEST_TIMEOUT',
    default: '30s',
    help: 'time a client has to send the whole body of an RPC, admin or small OSS request',
  },
  {
    key: 'bodyIdleTimeout',
    flag: 'body-idle-timeout',
    env: 'YUNBOX_BODY_IDLE_TIMEOUT',
    default: '30s',
    help: 'an object upload (or a response) that moves no byte for this long is refused with OSS `RequestTimeout`',
  },
  {
    key: 'maxConnections',
    flag: 'max-connections',
    env: 'YUNBOX_MAX_CONNECTIONS',
    default: '4096',
    help: 'connections open at once over every listener (at most half of `ulimit -n`); more are closed at once',
  },
  {
    key: 'maxConnectionsPerSource',
    flag: 'max-connections-per-source',
    env: 'YUNBOX_MAX_CONNECTIONS_PER_SOURCE',
    default: '1024',
    help: 'connections open at once from one address (an IPv6 /64, a sandbox: one each; at most half of the above); more are closed at once',
  },
];

/**
 * Parses a size: bytes, or a number with `K`/`M`/`G` (`KiB`, `MiB`, `GiB`: powers of 1024).
 * @example
 * parseSize('256MiB', 'trail max bytes') // 268435456
 */
export function parseSize(value: string, key: string): number {
  const m = /^(\d{1,15})\s*([KMG]i?B?)?$/i.exec(value.trim());
  const unit = (m?.[2] ?? '').charAt(0).toUpperCase();
  const n = m
    ? Number(m[1]) * (unit === 'K' ? 1024 : unit === 'M' ? 1024 ** 2 : unit === 'G' ? 1024 ** 3 : 1)
    : NaN;
  if (!Number.isSafeInteger(n)) {
    throw new ConfigError(
      `invalid ${key} \`${value}\`: expected bytes, or a number with KiB, MiB or GiB`,
    );
  }
  return n;
}

/** Invalid configuration. */
export class ConfigError extends Error {}

/** Most `--public-host` names. */
const MAX_PUBLIC_HOSTS = 32;
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/** Parses `--public-host`: comma-separated DNS names or IP addresses, lower-cased. */
export function parsePublicHosts(value: string | undefined): string[] {
  if (value === undefined || value.trim() === '') return [];
  const names = value.split(',').map((n) =>
    n
      .trim()
      .toLowerCase()
      .replace(/^\[(.*)\]$/, '$1'),
  );
  if (names.length > MAX_PUBLIC_HOSTS) {
    throw new ConfigError(`invalid public host list: at most ${MAX_PUBLIC_HOSTS} names`);
  }
  for (const n of names) {
    const name = n.endsWith('.') ? n.slice(0, -1) : n;
    const ok =
      isIP(name) !== 0 ||
      (name.length > 0 && name.length <= 253 && name.split('.').every((l) => LABEL.test(l)));
    if (!ok) {
      throw new ConfigError(
        `invalid public host \`${n}\`: expected a DNS name or an IP address, without port`,
      );
    }
  }
  return names;
}

/** Parses `HOST:PORT` (IPv6 hosts in brackets). */
export function parseListen(value: string, key: string): ListenAddress {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]*)):(\d{1,5})$/.exec(value.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new ConfigError(`invalid ${key} \`${value}\`: expected HOST:PORT`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

/** Longest accepted timeout (s). */
const MAX_TIMEOUT_S = 3600;

/**
 * Parses a timeout: seconds (`30`, `0.5`) or a number with `ms`, `s` or `m`; 100 ms to an hour.
 * @example
 * parseTimeout('500ms', 'headers timeout'); // 0.5
 */
export function parseTimeout(value: string, name: string): number {
  const m = /^(\d{1,7}(?:\.\d{1,3})?)(ms|s|m)?$/.exec(value.trim());
  const s = m ? Number(m[1]) * (m[2] === 'ms' ? 0.001 : m[2] === 'm' ? 60 : 1) : NaN;
  if (!(s >= 0.1 && s <= MAX_TIMEOUT_S)) {
    throw new ConfigError(
      `invalid ${name} \`${value}\`: expected seconds or a duration such as 500ms, 30s, 2m (100ms to 1h)`,
    );
  }
  return s;
}

/** Parses a positive whole number of at most `max`. */
function parseCount(value: string, name: string, max: number): number {
  const n = /^\d{1,9}$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!(n >= 1 && n <= max)) {
    throw new ConfigError(`invalid ${name} \`${value}\`: expected a whole number from 1 to ${max}`);
  }
  return n;
}

/** Raw values by key, as strings (flags, environment) or already typed (code). */
export type RawConfig = Partial<Record<keyof YunboxConfig, string | number | undefined>>;

/** Resolves configuration: `explicit` over `env` over defaults. */
export function resolveConfig(explicit: RawConfig, env: NodeJS.ProcessEnv): YunboxConfig {
  const raw = (k: ConfigKey): string | undefined => {
    const v = explicit[k.key];
    if (v !== undefined) return String(v);
    const e = env[k.env];
    if (e !== undefined && e !== '') return e;
    return k.default;
  };
  const get = (key: keyof YunboxConfig) => raw(CONFIG_KEYS.find((k) => k.key === key)!);
  const optionalListen = (key: keyof YunboxConfig, name: string) => {
    const v = get(key);
    return v === undefined || v === 'off' || v === '' ? undefined : parseListen(v, name);
  };
  const clock = get('clock');
  if (clock !== 'system' && clock !== 'manual') {
    throw new ConfigError(`invalid clock \`${clock}\`: expected system or manual`);
  }
  const region = get('region')!;
  if (!/^[a-z]{2,}(-[a-z0-9]+)+$/.test(region))
    throw new ConfigError(`invalid region \`${region}\``);
  const start = get('clockStart');
  const clockStart = start === undefined ? undefined : Date.parse(start);
  if (clockStart !== undefined && Number.isNaN(clockStart)) {
    throw new ConfigError(`invalid clock start \`${start}\`: expected ISO 8601`);
  }
  const id = get('rootAccessKeyId');
  const secret = get('rootAccessKeySecret');
  if ((id === undefined) !== (secret === undefined)) {
    throw new ConfigError(
      'set both YUNBOX_ROOT_ACCESS_KEY_ID and YUNBOX_ROOT_ACCESS_KEY_SECRET, or neither',
    );
  }
  if (id !== undefined && (!/^[A-Za-z0-9]{8,128}$/.test(id) || id.startsWith('STS'))) {
    throw new ConfigError(
      `invalid root access key id \`${id}\`: 8-128 letters and digits, not starting with STS`,
    );
  }
  if (secret !== undefined && secret.length < 16) {
    throw new ConfigError('invalid root access key secret: at least 16 characters');
  }
  const logFormat = get('logFormat');
  if (logFormat !== 'auto' && logFormat !== 'json' && logFormat !== 'pretty') {
    throw new ConfigError(`invalid log format \`${logFormat}\`: expected auto, json or pretty`);
  }
  const trailMaxBytes = parseSize(get('trailMaxBytes')!, 'trail max bytes');
  if (trailMaxBytes < 1024 * 1024) {
    throw new ConfigError(`invalid trail max bytes \`${get('trailMaxBytes')}\`: at least 1MiB`);
  }
  const store = get('store')!;
  const pgStore = /^postgres(ql)?:\/\//.test(store.trim());
  const blobStore = get('blobStore') ?? (pgStore ? 'postgres' : 'fs');
  if (blobStore !== 'fs' && blobStore !== 'postgres') {
    throw new ConfigError(`invalid blob store \`${blobStore}\`: expected fs or postgres`);
  }
  if (blobStore === 'postgres' && !pgStore) {
    throw new ConfigError(
      'the `postgres` blob store needs a PostgreSQL store (--store postgres://…)',
    );
  }
  return {
    dataDir: get('dataDir')!,
    listen: parseListen(get('listen')!, 'listen address'),
    tlsListen: optionalListen('tlsListen', 'tls listen address'),
    metadataListen: optionalListen('metadataListen', 'metadata listen address'),
    publicHosts: parsePublicHosts(get('publicHosts')),
    store,
    blobStore,
    region,
    clock,
    clockStart,
    rootAccessKeyId: id,
    rootAccessKeySecret: secret,
    logLevel: get('logLevel')!,
    logFormat,
    trailMaxBytes,
    headersTimeout: parseTimeout(get('headersTimeout')!, 'headers timeout'),
    requestTimeout: parseTimeout(get('requestTimeout')!, 'request timeout'),
    bodyIdleTimeout: parseTimeout(get('bodyIdleTimeout')!, 'body idle timeout'),
    maxConnections: parseCount(get('maxConnections')!, 'max connections', 1_000_000),
    maxConnectionsPerSource: parseCount(
      get('maxConnectionsPerSource')!,
      'max connections per source',
      1_000_000,
    ),
  };
}
