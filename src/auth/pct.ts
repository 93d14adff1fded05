/**
 * @module Percent-encoding as Alibaba Cloud's OpenAPI signers do it ("pct", openapi.md b.1), and the
 * strict `application/x-www-form-urlencoded` decoder the gateway uses for query strings and form
 * bodies. Signatures are always computed over decoded values re-encoded with {@link pct}, never
 * over the wire text: the Tea SDKs and the credentials library leave `! ' ( ) *` unescaped on
 * the wire, and pop-core does not.
 *
 * Decoding is strict: a `%` not followed by two hex digits, or percent-escaped bytes that are not
 * UTF-8, give an error result instead of a best guess (callers answer `InvalidParameter`). Every
 * official SDK encodes with `encodeURIComponent`, so a well-behaved client never trips this, and
 * rejecting keeps one wire string from meaning two parameter values.
 */

const RESERVED_BY_PCT = /[!'()*]/g;
/** The same set, unanchored and stateless: most values hold none, and testing is cheaper. */
const HAS_RESERVED_BY_PCT = /[!'()*]/;
const HEX = '0123456789ABCDEF';

/**
 * Percent-encode a string the way every Alibaba Cloud signer does (openapi.md b.1).
 *
 * UTF-8 bytes; `A-Z a-z 0-9 - _ . ~` kept; everything else `%XY` with upper-case hex, so space is
 * `%20` (never `+`) and `! ' ( ) *` are escaped. Unlike `encodeURIComponent` it never throws: a
 * lone surrogate is encoded as U+FFFD, as `Buffer.from(s, 'utf8')` would.
 * @example
 * pct("acs:oss:*:*:demo bucket") // 'acs%3Aoss%3A%2A%3A%2A%3Ademo%20bucket'
 */
export function pct(value: string): string {
  let encoded: string;
  try {
    encoded = encodeURIComponent(value);
  } catch {
    // INVARIANT: only reached for lone surrogates; encode the UTF-8 bytes one by one.
    return pctBytes(Buffer.from(value, 'utf8'));
  }
  return HAS_RESERVED_BY_PCT.test(encoded) ? encoded.replace(RESERVED_BY_PCT, escapeChar) : encoded;
}

function escapeChar(c: string): string {
  const code = c.charCodeAt(0);
  return '%' + HEX.charAt(code >> 4) + HEX.charAt(code & 15);
}

function pctBytes(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) {
    const unreserved =
      (b >= 0x30 && b <= 0x39) ||
      (b >= 0x41 && b <= 0x5a) ||
      (b >= 0x61 && b <= 0x7a) ||
      b === 0x2d ||
      b === 0x2e ||
      b === 0x5f ||
      b === 0x7e;
    out += unreserved ? String.fromCharCode(b) : '%' + HEX.charAt(b >> 4) + HEX.charAt(b & 15);
  }
  return out;
}

/** Why a form-encoded string could not be decoded. */
export type FormDecodeErrorReason = 'malformed-percent' | 'invalid-utf8';

/** A decoding failure: what went wrong and where, counted in UTF-16 code units of the input. */
export interface FormDecodeError {
  /** `malformed-percent`: `%` without two hex digits; `invalid-utf8`: escaped bytes not UTF-8. */
  reason: FormDecodeErrorReason;
  /** Offset of the offending `%` in the string given to the decoder. */
  offset: number;
  /** One-line description, lower-case, for logs and error details. */
  message: string;
}

/** Outcome of decoding one component: the text, or why it is not decodable. */
export type FormDecodeResult = { ok: true; value: string } | { ok: false; error: FormDecodeError };

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const ESCAPE_RUN = /(?:%[0-9A-Fa-f]{2})+/g;

/**
 * Decode one `application/x-www-form-urlencoded` component: `+` is a space, `%XY` a byte, and the
 * bytes must form valid UTF-8. Characters that are not escaped are taken as they are.
 *
 * Never throws; malformed input gives `{ ok: false }` (see the module comment for why this
 * decoder is strict rather than lenient).
 * @example
 * decodeFormComponent('a+b%2A%E6%B5%8B') // { ok: true, value: 'a b*测' }
 * decodeFormComponent('100%') // { ok: false, error: { reason: 'malformed-percent', offset: 3, ... } }
 */
export function decodeFormComponent(component: string): FormDecodeResult {
  const spaced = component.includes('+') ? component.replaceAll('+', ' ') : component;
  if (!spaced.includes('%')) return { ok: true, value: spaced };
  let out = '';
  let last = 0;
  for (const m of spaced.matchAll(ESCAPE_RUN)) {
    const literal = spaced.slice(last, m.index);
    const stray = literal.indexOf('%');
    if (stray !== -1) return malformed(last + stray);
    const run = m[0];
    const bytes = new Uint8Array(run.length / 3);
    for (let i = 0; i < bytes.length; i++) {
      bytes[i] = parseInt(run.slice(i * 3 + 1, i * 3 + 3), 16);
    }
    // INVARIANT: unescaped characters are whole code points, so a UTF-8 sequence cannot span
    // a literal character and each run of escapes must decode on its own.
    let text: string;
    try {
      text = fatalUtf8.decode(bytes);
    } catch {
      return { ok: false, error: decodeError('invalid-utf8', m.index) };
    }
    out += literal + text;
    last = m.index + run.length;
  }
  const tail = spaced.slice(last);
  const stray = tail.indexOf('%');
  if (stray !== -1) return malformed(last + stray);
  return { ok: true, value: out + tail };
}

function malformed(offset: number): FormDecodeResult {
  return { ok: false, error: decodeError('malformed-percent', offset) };
}

function decodeError(reason: FormDecodeErrorReason, offset: number): FormDecodeError {
  const message =
    reason === 'malformed-percent'
      ? `\`%\` at offset ${offset} is not followed by two hex digits`
      : `percent-escaped bytes at offset ${offset} are not valid utf-8`;
  return { reason, offset, message };
}

/** Outcome of parsing a whole query string or form body. */
export type FormParseResult =
  { ok: true; pairs: Array<[string, string]> } | { ok: false; error: FormDecodeError };

/**
 * Parse a query string (without the leading `?`) or a form body into decoded name/value pairs,
 * in received order, duplicates kept.
 *
 * Pairs are separated by `&`; empty segments are skipped; a segment without `=` is a name with an
 * empty value. Error offsets are relative to `raw`.
 * @example
 * parseFormEncoded('RoleName=app&Description=a%20b+c&Flag')
 * // { ok: true, pairs: [['RoleName', 'app'], ['Description', 'a b c'], ['Flag', '']] }
 */
export function parseFormEncoded(raw: string): FormParseResult {
  const pairs: Array<[string, string]> = [];
  let start = 0;
  while (start <= raw.length) {
    let end = raw.indexOf('&', start);
    if (end === -1) end = raw.length;
    if (end > start) {
      const segment = raw.slice(start, end);
      const eq = segment.indexOf('=');
      const rawName = eq === -1 ? segment : segment.slice(0, eq);
      const rawValue = eq === -1 ? '' : segment.slice(eq + 1);
      const name = decodeFormComponent(rawName);
      if (!name.ok) return shifted(name.error, start);
      const value = decodeFormComponent(rawValue);
      if (!value.ok) return shifted(value.error, start + eq + 1);
      pairs.push([name.value, value.value]);
    }
    start = end + 1;
  }
  return { ok: true, pairs };
}

function shifted(error: FormDecodeError, by: number): FormParseResult {
  return { ok: false, error: decodeError(error.reason, error.offset + by) };
}
