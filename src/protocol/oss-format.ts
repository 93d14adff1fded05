/**
 * @module Small wire formats of OSS responses (oss.md §7): RFC 1123 `Last-Modified`, XML
 * timestamps with exactly `.000Z`, quoted upper-case ETags (simple and multipart), and the
 * `encoding-type=url` escaping of keys and prefixes in listings.
 */

import { createHash } from 'node:crypto';

/**
 * Format a time for HTTP headers (`Last-Modified`, `Date`): RFC 1123 in GMT, two-digit day.
 *
 * oss2 parses it with a strict regex (three-letter weekday, two-digit day, literal `GMT`;
 * oss2/utils.py `_HTTP_GMT_RE`).
 * @example
 * httpDate(Date.UTC(2025, 0, 1)) // 'Wed, 01 Jan 2025 00:00:00 GMT'
 */
export function httpDate(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toUTCString();
}

/**
 * Format a time for XML elements (`LastModified`, `CreationDate`, `Initiated`): ISO 8601 UTC
 * truncated to the second with exactly `.000Z`.
 *
 * oss2 only accepts `YYYY-MM-DDTHH:MM:SS.000Z` and raises on any other fraction or none
 * (oss2/utils.py `_ISO8601_RE`, `iso8601_to_unixtime`).
 * @example
 * isoMillis(Date.UTC(2025, 0, 1, 0, 0, 0, 789)) // '2025-01-01T00:00:00.000Z'
 */
export function isoMillis(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString();
}

function toUpperHex(md5: Uint8Array | string): string {
  if (typeof md5 === 'string') {
    if (!/^[0-9A-Fa-f]{32}$/.test(md5)) throw new TypeError(`\`${md5}\` is not an md5 in hex`);
    return md5.toUpperCase();
  }
  if (md5.byteLength !== 16) throw new TypeError('an md5 digest has 16 bytes');
  return Buffer.from(md5.buffer, md5.byteOffset, md5.byteLength).toString('hex').toUpperCase();
}

/**
 * ETag of a simple object or part: the MD5 as 32 upper-case hex digits in double quotes.
 * @example
 * etagFromMd5('337b33c02f89493026843983ff272a30') // '"337B33C02F89493026843983FF272A30"'
 */
export function etagFromMd5(md5: Uint8Array | string): string {
  return `"${toUpperHex(md5)}"`;
}

/**
 * ETag of a completed multipart upload: MD5 over the concatenated binary part MD5s, upper-case,
 * then `-<part count>`, in quotes (the S3 derivation, which OSS's `"<hex>-<n>"` values follow;
 * the exact OSS rule is open in oss.md §6.15 and no SDK checks it).
 * @example
 * multipartEtag(['"3349DC700140D7F86A078484278075A9"', '"8EFDA8BE206636A695359836FE0A0E0A"'])
 */
export function multipartEtag(partMd5s: ReadonlyArray<Uint8Array | string>): string {
  const hash = createHash('md5');
  for (const md5 of partMd5s) {
    const hex = typeof md5 === 'string' ? normalizeEtag(md5) : toUpperHex(md5);
    hash.update(Buffer.from(toUpperHex(hex), 'hex'));
  }
  return `"${hash.digest('hex').toUpperCase()}-${partMd5s.length}"`;
}

/**
 * An ETag reduced for comparison: surrounding quotes and whitespace removed, upper-cased.
 *
 * CompleteMultipartUpload compares part ETags this way: ali-oss echoes what UploadPart returned,
 * oss2 strips quotes then adds its own (oss.md §6.15).
 * @example
 * normalizeEtag(' "3349dc70..." ') // '3349DC70...'
 */
export function normalizeEtag(etag: string): string {
  let t = etag.trim();
  if (t.startsWith('W/')) t = t.slice(2);
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) t = t.slice(1, -1);
  return t.trim().toUpperCase();
}

/**
 * Escape a key, prefix or marker for a listing answered with `encoding-type=url`: UTF-8 bytes
 * percent-encoded as `encodeURIComponent` does (space `%20`, never `+`; `/` as `%2F`).
 *
 * oss2 decodes with plain percent-decoding, so a `+` would stay a `+` (oss.md §6.9, §7).
 * @example
 * urlEncodeKey('a/b c+d.txt') // 'a%2Fb%20c%2Bd.txt'
 */
export function urlEncodeKey(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    // INVARIANT: only lone surrogates throw; encode their U+FFFD replacement like Buffer does.
    return encodeURIComponent(Buffer.from(value, 'utf8').toString('utf8'));
  }
}
