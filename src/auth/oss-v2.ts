/**
 * @module OSS signature V2, the `OSS2` scheme (oss.md §4.5), which oss2 sends when a client picks
 * `auth_version='v2'`: `Authorization: OSS2 AccessKeyId:<ak>[,AdditionalHeaders:<h1;h2>],Signature:<sig>`
 * or a presigned URL with `x-oss-signature-version=OSS2`, `x-oss-access-key-id`, `x-oss-expires`
 * (absolute epoch seconds), `x-oss-additional-headers` and `x-oss-signature`. ali-oss never
 * sends it.
 *
 * ```
 * StringToSign = VERB \n Content-MD5 \n Content-Type \n Date-or-Expires \n
 *                CanonicalHeaders AdditionalHeaders \n CanonicalResource
 * Signature    = base64(HMAC-SHA256(secret, StringToSign))
 * ```
 * Unlike V1, the date line is the `Date` header only (never `x-oss-date`), the resource is the
 * URI-encoded `/<bucket>/<key>` with `/` encoded too, and every query parameter is signed
 * (oss2 oss2/auth.py `ProviderAuthV2`).
 */

import { createHmac } from 'node:crypto';
import type { OssResult } from '../protocol/oss-errors.js';
import {
  accessDenied,
  canonicalHeaderLines,
  headerText,
  constantTimeEqual,
  invalidArgument,
  missingDate,
  parseOssDate,
  type OssSignedRequest,
} from './oss-common.js';
import { headerValue, queryValue, type OssRequest } from './oss-request.js';
import { pct } from './pct.js';

/**
 * Additional headers oss2 signs by default for header auth when the request carries them
 * (oss2/auth.py `_DEFAULT_ADDITIONAL_HEADERS`); informative, the list travels in the header.
 */
export const OSS2_DEFAULT_ADDITIONAL_HEADERS: readonly string[] = ['if-modified-since', 'range'];

/**
 * Canonical resource: `pct('/<bucket>/<key>')` (or `pct('/')`), then `?` and every query
 * parameter except `x-oss-signature`, both parts encoded, sorted, bare `name` when empty.
 * @example
 * ossV2CanonicalResource('examplebucket', 'v2/k.txt', []) // '%2Fexamplebucket%2Fv2%2Fk.txt'
 */
export function ossV2CanonicalResource(
  bucket: string | undefined,
  key: string | undefined,
  query: OssRequest['query'],
): string {
  const uri = pct(bucket ? `/${bucket}/${key ?? ''}` : '/');
  const pairs = query
    .filter(([name]) => name !== 'x-oss-signature')
    .map(([n, v]): [string, string] => [pct(n), v ? pct(v) : '']);
  if (pairs.length === 0) return uri;
  pairs.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return `${uri}?${pairs.map(([n, v]) => (v ? `${n}=${v}` : n)).join('&')}`;
}

/**
 * The V2 string to sign, given the date line and the additional headers (lower-case).
 * @example
 * ossV2StringToSign(req, 'Thu, 02 Jan 2025 03:04:05 GMT', [])
 */
export function ossV2StringToSign(
  req: OssRequest,
  dateLine: string,
  additionalHeaders: readonly string[],
): string {
  const wanted = new Set(additionalHeaders);
  const entries: Array<[string, string]> = [];
  for (const name of Object.keys(req.headers)) {
    const lower = name.toLowerCase();
    if (!lower.startsWith('x-oss-') && !wanted.has(lower)) continue;
    const value = headerValue(req.headers, name);
    if (value !== undefined) entries.push([lower, value]);
  }
  return (
    `${req.method.toUpperCase()}\n` +
    `${headerValue(req.headers, 'content-md5') ?? ''}\n` +
    `${headerText(headerValue(req.headers, 'content-type') ?? '')}\n` +
    `${dateLine}\n` +
    canonicalHeaderLines(entries) +
    `${[...additionalHeaders].sort().join(';')}\n` +
    ossV2CanonicalResource(req.bucket, req.key, req.query)
  );
}

/**
 * V2 signature of a string: base64(HMAC-SHA256(secret, UTF-8 bytes)).
 * @example
 * signOssV2('DummyAccessKeySecret0123456789ab', stringToSign) // 'z5S1gAOLKxr/re0/brTX+y9Uz5dJEgq3N2/HZ5SyJs8='
 */
export function signOssV2(secret: string, stringToSign: string): string {
  return createHmac('sha256', secret).update(stringToSign, 'utf8').digest('base64');
}

function additionalList(value: string | undefined): string[] {
  if (!value) return [];
  const set = new Set<string>();
  for (const n of value.split(';')) {
    const lower = n.trim().toLowerCase();
    if (lower !== '') set.add(lower);
  }
  return [...set].sort();
}

/**
 * Parse `OSS2 AccessKeyId:<ak>[,AdditionalHeaders:<h1;h2>],Signature:<sig>`; `InvalidArgument`
 * when malformed (doc: 0002-00000108 for a missing Signature).
 * @example
 * parseOssV2Authorization('OSS2 AccessKeyId:AK,Signature:abc=')
 */
export function parseOssV2Authorization(
  value: string,
): OssResult<{ accessKeyId: string; additionalHeaders: string[]; signature: string }> {
  const v = value.trim();
  if (!v.startsWith('OSS2 ')) return invalidArgument('Authorization header is invalid.');
  const fields = new Map<string, string>();
  for (const part of v.slice(5).split(',')) {
    const p = part.trim();
    const colon = p.indexOf(':');
    if (colon <= 0) return invalidArgument('Authorization header is invalid.');
    fields.set(p.slice(0, colon).trim(), p.slice(colon + 1).trim());
  }
  const accessKeyId = fields.get('AccessKeyId');
  const signature = fields.get('Signature');
  if (!accessKeyId) return invalidArgument('Authorization header is invalid.');
  if (!signature) {
    return invalidArgument('Signature is missing from the Authorization header.', {
      ec: '0002-00000108',
    });
  }
  return {
    ok: true,
    value: {
      accessKeyId,
      additionalHeaders: additionalList(fields.get('AdditionalHeaders')),
      signature,
    },
  };
}

/**
 * Read a header-signed OSS2 request. The date line and request time come from `Date`
 * (`AccessDenied` when missing or unparsable).
 * @example
 * readOssV2HeaderAuth(req) // { ok: true, value: { scheme: 'v2-header', ... } }
 */
export function readOssV2HeaderAuth(req: OssRequest): OssResult<OssSignedRequest> {
  const header = headerValue(req.headers, 'authorization');
  if (header === undefined) return invalidArgument('Authorization header is invalid.');
  const parsed = parseOssV2Authorization(header);
  if (!parsed.ok) return parsed;
  const date = headerValue(req.headers, 'date');
  if (date === undefined) return missingDate();
  const requestTime = parseOssDate(date);
  if (requestTime === undefined) return missingDate();
  const { accessKeyId, additionalHeaders, signature } = parsed.value;
  const auth: OssSignedRequest = {
    scheme: 'v2-header',
    accessKeyId,
    signature,
    stringToSign: ossV2StringToSign(req, date, additionalHeaders),
    requestTime,
    additionalHeaders,
  };
  const token = headerValue(req.headers, 'x-oss-security-token');
  if (token !== undefined) auth.securityToken = token;
  return { ok: true, value: auth };
}

/**
 * Read an OSS2 presigned URL (`x-oss-signature-version=OSS2`). `x-oss-expires` is an absolute
 * epoch second and is the date line; the STS token travels as `security-token`.
 * @example
 * readOssV2PresignedAuth(req) // { ok: true, value: { scheme: 'v2-presigned', ... } }
 */
export function readOssV2PresignedAuth(req: OssRequest): OssResult<OssSignedRequest> {
  const accessKeyId = queryValue(req.query, 'x-oss-access-key-id');
  if (!accessKeyId) return accessDenied('x-oss-access-key-id is missing from the signed URL.');
  const signature = queryValue(req.query, 'x-oss-signature')?.replaceAll(' ', '+');
  if (!signature) {
    return accessDenied('x-oss-signature is missing from the signed URL.', '0002-00000117');
  }
  const expires = queryValue(req.query, 'x-oss-expires');
  if (!expires)
    return accessDenied('x-oss-expires is missing from the signed URL.', '0002-00000067');
  if (!/^\d{1,12}$/.test(expires)) {
    return accessDenied('x-oss-expires is not a valid Unix time.', '0002-00000070');
  }
  const additionalHeaders = additionalList(
    queryValue(req.query, 'x-oss-additional-headers') ?? undefined,
  );
  const auth: OssSignedRequest = {
    scheme: 'v2-presigned',
    accessKeyId,
    signature,
    stringToSign: ossV2StringToSign(req, expires, additionalHeaders),
    expiresAt: Number(expires) * 1000,
    additionalHeaders,
  };
  const token = queryValue(req.query, 'security-token');
  if (token) auth.securityToken = token;
  return { ok: true, value: auth };
}

/**
 * Check an OSS2 signature (header or URL) against the secret, in constant time.
 * @example
 * verifyOssV2(auth, 'DummyAccessKeySecret0123456789ab') // true
 */
export function verifyOssV2(auth: OssSignedRequest, secret: string): boolean {
  return constantTimeEqual(signOssV2(secret, auth.stringToSign), auth.signature);
}
