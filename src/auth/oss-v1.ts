/**
 * @module OSS signature V1 (oss.md §3): `Authorization: OSS <AccessKeyId>:<Signature>` and V1
 * presigned URLs (`OSSAccessKeyId`, `Expires`, `Signature`, `security-token`).
 *
 * Signature = base64(HMAC-SHA1(secret, StringToSign)) with
 * `VERB \n Content-MD5 \n Content-Type \n DateLine \n CanonicalizedOSSHeaders CanonicalizedResource`.
 * The date line is `x-oss-date` when present, else `Date` (ali-oss sends no `Date` at all), or the
 * absolute `Expires` of a presigned URL. The resource is `/<bucket>/<decoded key>` whatever the
 * addressing style, plus the whitelisted sub-resources of the query (ali-oss
 * lib/common/signUtils.js `buildCanonicalString`; oss2 oss2/auth.py `ProviderAuth`).
 *
 * The server never signs requests: it recomputes what the client should have signed
 * ({@link readOssV1HeaderAuth}, {@link readOssV1PresignedAuth}) and compares
 * ({@link verifyOssV1}).
 */

import { createHmac } from 'node:crypto';
import type { OssResult } from '../protocol/oss-errors.js';
import {
  OSS_V1_SUB_RESOURCES,
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

/**
 * CanonicalizedResource: `/`, `/<bucket>/` or `/<bucket>/<key>` with the key decoded (raw UTF-8,
 * not percent-encoded), then `?` and the signed sub-resources sorted by name, each `name=value`
 * with the decoded value, or bare `name` when the value is empty or absent.
 * @example
 * ossV1CanonicalResource('examplebucket', 'big/file.bin', [['uploadId', 'X'], ['partNumber', '1']])
 * // '/examplebucket/big/file.bin?partNumber=1&uploadId=X'
 */
export function ossV1CanonicalResource(
  bucket: string | undefined,
  key: string | undefined,
  query: OssRequest['query'],
): string {
  let resource = '/';
  if (bucket) resource += `${bucket}/`;
  if (key) resource += key;
  const signed = query.filter(([name]) => OSS_V1_SUB_RESOURCES.has(name));
  if (signed.length === 0) return resource;
  // Array.prototype.sort is stable: repeated names keep their received order.
  signed.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${resource}?${signed.map(([n, v]) => (v ? `${n}=${v}` : n)).join('&')}`;
}

/**
 * CanonicalizedOSSHeaders: every `x-oss-*` header as `name:value\n`, sorted by name.
 * @example
 * ossV1CanonicalHeaders({ 'x-oss-meta-a': '1', 'content-type': 'text/plain' }) // 'x-oss-meta-a:1\n'
 */
export function ossV1CanonicalHeaders(headers: OssRequest['headers']): string {
  const entries: Array<[string, string]> = [];
  for (const name of Object.keys(headers)) {
    const lower = name.toLowerCase();
    if (!lower.startsWith('x-oss-')) continue;
    const value = headerValue(headers, name);
    if (value !== undefined) entries.push([lower, value]);
  }
  return canonicalHeaderLines(entries);
}

/**
 * The V1 string to sign for a received request, given its date line (the `x-oss-date`/`Date`
 * value for header auth, the `Expires` value for a presigned URL).
 * @example
 * ossV1StringToSign(req, 'Thu, 02 Jan 2025 03:04:05 GMT')
 */
export function ossV1StringToSign(req: OssRequest, dateLine: string): string {
  return (
    `${req.method.toUpperCase()}\n` +
    `${headerValue(req.headers, 'content-md5') ?? ''}\n` +
    `${headerText(headerValue(req.headers, 'content-type') ?? '')}\n` +
    `${dateLine}\n` +
    ossV1CanonicalHeaders(req.headers) +
    ossV1CanonicalResource(req.bucket, req.key, req.query)
  );
}

/**
 * V1 signature of a string: base64(HMAC-SHA1(secret, UTF-8 bytes)).
 * @example
 * signOssV1('OtxrzxIsfpFjA7SwPzILwy8Bw21TLhquhboDYROV', stringToSign) // '26NBxoKdsyly4EDv6inkoDft/yA='
 */
export function signOssV1(secret: string, stringToSign: string): string {
  return createHmac('sha1', secret).update(stringToSign, 'utf8').digest('base64');
}

/**
 * Parse `OSS <AccessKeyId>:<Signature>`; `400 InvalidArgument` when malformed.
 * @example
 * parseOssV1Authorization('OSS LTAI5t:abc=') // { ok: true, value: { accessKeyId: 'LTAI5t', signature: 'abc=' } }
 */
export function parseOssV1Authorization(
  value: string,
): OssResult<{ accessKeyId: string; signature: string }> {
  const m = /^OSS\s+([^\s:]+):(\S+)$/.exec(value.trim());
  if (!m || m[1] === undefined || m[2] === undefined) {
    return invalidArgument('Authorization header is invalid.');
  }
  return { ok: true, value: { accessKeyId: m[1], signature: m[2] } };
}

/**
 * Read a header-signed V1 request: credentials, request time, and the string the client should
 * have signed. Fails with `InvalidArgument` (malformed header) or `AccessDenied` (no usable
 * `x-oss-date`/`Date`); never checks the signature or the clock.
 * @example
 * const auth = readOssV1HeaderAuth(req);
 * if (auth.ok && verifyOssV1(auth.value, secret)) ...
 */
export function readOssV1HeaderAuth(req: OssRequest): OssResult<OssSignedRequest> {
  const header = headerValue(req.headers, 'authorization');
  if (header === undefined) return invalidArgument('Authorization header is invalid.');
  const parsed = parseOssV1Authorization(header);
  if (!parsed.ok) return parsed;
  const dateLine = headerValue(req.headers, 'x-oss-date') ?? headerValue(req.headers, 'date');
  if (dateLine === undefined) return missingDate();
  const requestTime = parseOssDate(dateLine);
  if (requestTime === undefined) return missingDate();
  const auth: OssSignedRequest = {
    scheme: 'v1-header',
    accessKeyId: parsed.value.accessKeyId,
    signature: parsed.value.signature,
    stringToSign: ossV1StringToSign(req, dateLine),
    requestTime,
  };
  const token = headerValue(req.headers, 'x-oss-security-token');
  if (token !== undefined) auth.securityToken = token;
  return { ok: true, value: auth };
}

/**
 * Read a V1 presigned URL: `OSSAccessKeyId`, `Signature`, the absolute `Expires` (epoch seconds,
 * which replaces the date line) and the STS token from `security-token` (itself a signed
 * sub-resource). Missing or malformed parameters give `AccessDenied` with the EC the OSS docs
 * name (0002-00000067 no Expires, 0002-00000068 empty, 0002-00000070 not a number). Expiry is
 * checked separately, against the clock.
 * @example
 * readOssV1PresignedAuth(req) // { ok: true, value: { scheme: 'v1-presigned', expiresAt: ..., ... } }
 */
export function readOssV1PresignedAuth(req: OssRequest): OssResult<OssSignedRequest> {
  const accessKeyId = queryValue(req.query, 'OSSAccessKeyId');
  if (!accessKeyId) return accessDenied('OSSAccessKeyId is missing from the signed URL.');
  // A `+` the client forgot to escape arrives as a space; base64 never contains spaces.
  const signature = queryValue(req.query, 'Signature')?.replaceAll(' ', '+');
  if (!signature) return accessDenied('Signature is missing from the signed URL.');
  const expires = queryValue(req.query, 'Expires');
  if (expires === undefined) {
    return accessDenied('Expires is missing from the signed URL.', '0002-00000067');
  }
  if (!expires) return accessDenied('Expires is empty in the signed URL.', '0002-00000068');
  if (!/^\d{1,12}$/.test(expires)) {
    return accessDenied('Expires is not a valid Unix time.', '0002-00000070');
  }
  const auth: OssSignedRequest = {
    scheme: 'v1-presigned',
    accessKeyId,
    signature,
    stringToSign: ossV1StringToSign(req, expires),
    expiresAt: Number(expires) * 1000,
  };
  const token = queryValue(req.query, 'security-token');
  if (token) auth.securityToken = token;
  return { ok: true, value: auth };
}

/**
 * Check a V1 signature (header or URL) against the secret, in constant time.
 * @example
 * verifyOssV1(auth, 'DummyAccessKeySecret0123456789ab') // true
 */
export function verifyOssV1(auth: OssSignedRequest, secret: string): boolean {
  return constantTimeEqual(signOssV1(secret, auth.stringToSign), auth.signature);
}
