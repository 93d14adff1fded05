/**
 * @module The bounds of one trail event, applied by the recorder to every event before it is
 * queued, whatever produced it ({@link boundEvent}): a request can make the trail keep no more
 * than a few tens of kilobytes, however large its headers, parameters or body.
 *
 * - Every string field: control characters other than tab, line feed and carriage return become
 *   U+FFFD (no terminal escapes in `yunbox trail lookup`, no NUL PostgreSQL refuses to store),
 *   then at most {@link MAX_FIELD_BYTES} UTF-8 bytes ({@link MAX_LONG_FIELD_BYTES} for the
 *   resource ARN, its name and the decision's explanation, which quote an OSS key of up to
 *   1,023 bytes). Fields added later are covered: every string-valued key is bounded.
 * - Request parameters (and any other string-to-string record): at most {@link MAX_PARAMETERS},
 *   names cut at {@link MAX_PARAMETER_NAME_BYTES}, values and the whole set bounded by
 *   {@link PARAMETER_LIMITS}: a policy document survives in a signed request's event, a
 *   stranger's event keeps a few kilobytes.
 * - What is cut says so: a cut string ends in `…[truncated N bytes]` (N: the UTF-8 bytes
 *   removed), parameters left out are counted under the name `[truncated]`, and the event is
 *   flagged `truncated` (LookupEvents: `additionalEventData.Truncated`).
 *
 * An event's text is therefore at most {@link MAX_EVENT_BYTES} (authenticated) or
 * {@link MAX_UNAUTHENTICATED_EVENT_BYTES} bytes, before JSON escaping and the database's own
 * overhead. The cuts happen after the request's secrets are scrubbed (events.ts), so a cut never
 * leaves the first half of a secret behind.
 */
import type { TrailEvent, TrailFlag } from './model.js';

/** Most UTF-8 bytes of one string field. */
export const MAX_FIELD_BYTES = 1024;
/** Most UTF-8 bytes of the fields that quote an ARN (an OSS object ARN exceeds 1 KiB). */
export const MAX_LONG_FIELD_BYTES = 2048;
/** Fields allowed {@link MAX_LONG_FIELD_BYTES}. */
const LONG_FIELDS: ReadonlySet<string> = new Set(['resource', 'resourceName', 'decidedBy']);
/** Most parameters kept per event. */
export const MAX_PARAMETERS = 100;
/** Most UTF-8 bytes of a parameter's name. */
export const MAX_PARAMETER_NAME_BYTES = 128;

/** Bounds of request parameters: one value, and every name and value together (UTF-8 bytes). */
export const PARAMETER_LIMITS = Object.freeze({
  /** Signed requests: a policy document (6,144 characters) is kept whole. */
  authenticated: Object.freeze({ value: 8192, total: 32 * 1024 }),
  /** Anonymous and refused requests: anyone can send them, nobody signed them. */
  unauthenticated: Object.freeze({ value: 1024, total: 4 * 1024 }),
});

/** The 25 string fields of {@link TrailEvent}: 22 of 1 KiB, 3 of 2 KiB. */
const TEXT_BYTES = 22 * MAX_FIELD_BYTES + 3 * MAX_LONG_FIELD_BYTES;
/** Room for the `[truncated]` entry counting parameters left out. */
const PARAMETER_MARKER_BYTES = 128;
/** Largest text of an authenticated event (string fields and request parameters). */
export const MAX_EVENT_BYTES =
  TEXT_BYTES + PARAMETER_LIMITS.authenticated.total + PARAMETER_MARKER_BYTES;
/** Largest text of an unauthenticated event. */
export const MAX_UNAUTHENTICATED_EVENT_BYTES =
  TEXT_BYTES + PARAMETER_LIMITS.unauthenticated.total + PARAMETER_MARKER_BYTES;

/** Least room left for a value for its parameter to be kept (a marker is about 30 bytes). */
const MIN_VALUE_ROOM = 64;

/** The name under which parameters left out are counted. */
export const DROPPED_PARAMETERS = '[truncated]';

/**
 * True for events of requests nobody signed: refused before a signature held (`unknown`) or
 * anonymous. These are sampled past a rate (sampler.ts) and have their own share of the trail.
 */
export function isUnauthenticated(e: Pick<TrailEvent, 'identityType'>): boolean {
  return e.identityType === 'unknown' || e.identityType === 'anonymous';
}

/** C0 controls and DEL, except tab, line feed and carriage return (a character class: linear). */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

/**
 * True when `s` holds a character {@link CONTROL} matches. Short strings (nearly all of an
 * event's) by a loop, cheaper than starting the regular expression engine.
 */
function hasControl(s: string): boolean {
  if (s.length > 256) return CONTROL.test(s);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 ? c !== 0x09 && c !== 0x0a && c !== 0x0d : c === 0x7f) return true;
  }
  return false;
}

/** True when `s` may need bounding at `maxBytes`: possibly too long, or a control character. */
function needsBound(s: string, maxBytes: number): boolean {
  return s.length * 3 > maxBytes || hasControl(s);
}

const encoder = new TextEncoder();
let scratch = new Uint8Array(MAX_LONG_FIELD_BYTES * 4);

/** `…[truncated N bytes]` */
function marker(removed: number): string {
  return `…[truncated ${removed} bytes]`;
}

/**
 * `s` with control characters replaced and cut to `maxBytes` UTF-8 bytes (marker included) at a
 * character boundary; `undefined` when `s` is fine as it is (no copy), else the new text and
 * whether it was cut.
 */
function boundText(s: string, maxBytes: number): { text: string; cut: boolean } | undefined {
  let text = s;
  if (hasControl(text)) text = text.replace(CONTROLS, '\uFFFD');
  // A UTF-16 code unit is at most 3 UTF-8 bytes: short strings need no measuring.
  if (text.length * 3 <= maxBytes) return text === s ? undefined : { text, cut: false };
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes <= maxBytes) return text === s ? undefined : { text, cut: false };
  // The marker's digits are those of `bytes` at most (fewer bytes are removed than there are).
  const keep = Math.max(0, maxBytes - Buffer.byteLength(marker(bytes), 'utf8'));
  if (scratch.length < keep) scratch = new Uint8Array(keep);
  // encodeInto stops before a character that does not fit: never half a character.
  const { read, written } = encoder.encodeInto(text, scratch.subarray(0, keep));
  return { text: text.slice(0, read) + marker(bytes - written), cut: true };
}

/**
 * `s` bounded as a trail field is: control characters replaced, at most `maxBytes` UTF-8 bytes
 * with a `…[truncated N bytes]` marker when cut.
 * @example
 * boundString('x'.repeat(5000), 1024) // 'xxx…x…[truncated 4001 bytes]' (1,024 bytes)
 */
export function boundString(s: string, maxBytes: number = MAX_FIELD_BYTES): string {
  return boundText(s, maxBytes)?.text ?? s;
}

/**
 * A string-to-string record bounded: at most {@link MAX_PARAMETERS} entries, names and values cut,
 * `limits.total` bytes of names and values in all; `undefined` when unchanged.
 */
function boundRecord(
  record: Readonly<Record<string, unknown>>,
  limits: { value: number; total: number },
): { record: Record<string, string>; cut: boolean } | undefined {
  // The common case, checked without measuring: few short strings, no control character.
  let upper = 0;
  let count = 0;
  let fine = true;
  for (const name in record) {
    const v = record[name];
    upper += 3 * (name.length + (typeof v === 'string' ? v.length : 0));
    if (
      typeof v !== 'string' ||
      ++count > MAX_PARAMETERS ||
      upper > limits.total ||
      needsBound(name, MAX_PARAMETER_NAME_BYTES) ||
      needsBound(v, limits.value)
    ) {
      fine = false;
      break;
    }
  }
  if (fine) return undefined;
  let out: Record<string, string> | undefined;
  let cut = false;
  let total = 0;
  let n = 0;
  let left = 0;
  let leftBytes = 0;
  const keys = Object.keys(record);
  for (let i = 0; i < keys.length; i++) {
    const name = keys[i]!;
    const raw = record[name];
    const value =
      typeof raw === 'string' ? raw : raw === undefined || raw === null ? '' : String(raw);
    const k = boundText(name, MAX_PARAMETER_NAME_BYTES);
    const kept = k?.text ?? name;
    const keyBytes = Buffer.byteLength(kept, 'utf8');
    // Once the room is too small for a name and a cut value, the rest are counted, not kept.
    const room = limits.total - total - keyBytes;
    if (left > 0 || n >= MAX_PARAMETERS || room < MIN_VALUE_ROOM) {
      left++;
      leftBytes += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(value, 'utf8');
      if (out === undefined) out = copyFirst(record, keys, i);
      cut = true;
      continue;
    }
    const v = boundText(value, Math.min(limits.value, room));
    const text = v?.text ?? value;
    total += keyBytes + Buffer.byteLength(text, 'utf8');
    n++;
    if (k?.cut || v?.cut) cut = true;
    if (out === undefined && (k !== undefined || v !== undefined || typeof raw !== 'string')) {
      out = copyFirst(record, keys, i);
    }
    if (out !== undefined) out[kept] = text;
  }
  if (out === undefined) return undefined;
  if (left > 0) {
    out[DROPPED_PARAMETERS] = `${left} more parameters not kept (${leftBytes} bytes)`;
  }
  return { record: out, cut };
}

/** The first `n` entries of `record` (strings), in a new object. */
function copyFirst(
  record: Readonly<Record<string, unknown>>,
  keys: string[],
  n: number,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < n; i++) out[keys[i]!] = record[keys[i]!] as string;
  return out;
}

function isStringRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The event as the trail keeps it: every string field and every string record bounded (see the
 * module comment), flagged `truncated` when something was cut. Returns `e` itself when nothing
 * needed changing (the common case costs no copy), else a copy: `e` is never modified.
 * @example
 * boundEvent({ ...event, userAgent: 'x'.repeat(1e6) }).userAgent.endsWith('bytes]') // true
 */
export function boundEvent(e: TrailEvent): TrailEvent {
  const limits = isUnauthenticated(e)
    ? PARAMETER_LIMITS.unauthenticated
    : PARAMETER_LIMITS.authenticated;
  let out: Record<string, unknown> | undefined;
  let cut = false;
  const fields = e as unknown as Record<string, unknown>;
  for (const key in fields) {
    const v = fields[key];
    if (typeof v === 'string') {
      if (!needsBound(v, MAX_FIELD_BYTES)) continue;
      const b = boundText(v, LONG_FIELDS.has(key) ? MAX_LONG_FIELD_BYTES : MAX_FIELD_BYTES);
      if (b === undefined) continue;
      out ??= { ...e };
      out[key] = b.text;
      if (b.cut) cut = true;
    } else if (key !== 'flags' && isStringRecord(v)) {
      const b = boundRecord(v, limits);
      if (b === undefined) continue;
      out ??= { ...e };
      out[key] = b.record;
      if (b.cut) cut = true;
    }
  }
  if (out === undefined) return e;
  const bounded = out as unknown as TrailEvent;
  if (cut) bounded.flags = withFlag(e.flags, 'truncated');
  return bounded;
}

/** `flags` with `flag` added (a new array). */
export function withFlag(flags: readonly TrailFlag[] | undefined, flag: TrailFlag): TrailFlag[] {
  if (flags === undefined) return [flag];
  return flags.includes(flag) ? [...flags] : [...flags, flag];
}
