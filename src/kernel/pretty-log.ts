/**
 * @module Log lines for a person at a terminal: one short line per request
 * (`14:02:11 200 rpc CreateRole 3ms`), other messages as `time LEVEL message key=value`. The server
 * logs JSON (pino) when its output is not a terminal or with `--log-format json`; this destination
 * turns each JSON line into the short form as it is written.
 */

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/** Longest a pretty line's extra fields may get before they are cut. */
const MAX_EXTRA = 300;

function clockTime(t: unknown): string {
  const d = typeof t === 'number' ? new Date(t) : new Date();
  return [d.getHours(), d.getMinutes(), d.getSeconds()]
    .map((n) => String(n).padStart(2, '0'))
    .join(':');
}

function ms(v: unknown): string {
  return typeof v === 'number' ? `${v < 10 ? v.toFixed(1) : Math.round(v)}ms` : '';
}

/** What a request line names: the RPC action, the OSS operation and bucket, or the path. */
function requestWhat(l: Record<string, unknown>): string {
  switch (l.proto) {
    case 'rpc':
      return `${String(l.action ?? '?')}${l.version ? ` (${String(l.version)})` : ''}`;
    case 'oss':
      return [l.op ?? l.method, l.bucket].filter((v) => v !== undefined).join(' ');
    case 'metadata':
      return `${String(l.method)} ${String(l.path)}${l.instance ? ` ${String(l.instance)}` : ''}`;
    default:
      return `${String(l.method)} ${String(l.path ?? '')}`;
  }
}

/**
 * One JSON log line (pino's) as a short line for a terminal.
 * @example
 * prettyLine('{"level":30,"time":0,"msg":"request","proto":"rpc","action":"ListRoles","status":200,"ms":2.5}')
 * // '00:00:00 200 rpc  ListRoles 2.5ms\n' (local time)
 */
export function prettyLine(json: string): string {
  let l: Record<string, unknown>;
  try {
    l = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const time = clockTime(l.time);
  if (l.msg === 'request') {
    const parts = [
      time,
      String(l.status ?? '-'),
      String(l.proto ?? '').padEnd(4),
      requestWhat(l),
      l.code ? String(l.code) : '',
      ms(l.ms),
      l.aborted ? 'aborted' : '',
    ];
    return `${parts.filter((p) => p !== '').join(' ')}\n`;
  }
  const level = LEVELS[Number(l.level)] ?? String(l.level);
  const skip = new Set(['level', 'time', 'msg', 'pid', 'hostname']);
  const extra: string[] = [];
  for (const [k, v] of Object.entries(l)) {
    if (skip.has(k) || v === undefined) continue;
    if (k === 'err' && typeof v === 'object' && v !== null) {
      extra.push(`err=${JSON.stringify((v as { message?: unknown }).message ?? v)}`);
      continue;
    }
    extra.push(`${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  }
  let tail = extra.join(' ');
  if (tail.length > MAX_EXTRA) tail = `${tail.slice(0, MAX_EXTRA)}…`;
  return `${time} ${level} ${String(l.msg ?? '')}${tail ? `  ${tail}` : ''}\n`;
}

/**
 * A pino destination writing {@link prettyLine}s to `out` (default stdout).
 * @example
 * pino({}, prettyDestination())
 */
export function prettyDestination(out: { write(text: string): unknown } = process.stdout): {
  write(line: string): boolean;
} {
  return {
    write(chunk: string) {
      for (const line of chunk.split('\n')) if (line !== '') out.write(prettyLine(line));
      return true;
    },
  };
}
