/**
 * @module OSS signature V4, `OSS4-HMAC-SHA256` (oss.md §4): the Authorization header form and the
 * presigned-URL form (`x-oss-signature-version`, `x-oss-credential`, `x-oss-date`,
 * `x-oss-expires`, `x-oss-additional-headers`, `x-oss-security-token`, `x-oss-signature`).
 *
 * ```
 * CanonicalRequest = VERB \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n
 *                    AdditionalHeaders \n HashedPayload
 * StringToSign     = "OSS4-HMAC-SHA256" \n x-oss-date \n <date>/<region>/oss/aliyun_v4_request \n
 *                    hex(SHA256(CanonicalRequest))
 * SigningKey       = HMAC chain over "aliyun_v4"+secret, date, region, product, "aliyun_v4_request"
 * Signature        = hex(HMAC-SHA256(SigningKey, StringToSign))
 * ```
 * (ali-oss lib/common/signUtils.js `getCanonicalRequest`/`getStringToSign`/`getSignatureV4`;
 * oss2 oss2/auth.py `ProviderAuthV4`). Every malformed credential is a result value, never a
 * throw. Error codes for scope problems are open in oss.md §4.3; the ECs are the ones the OSS
 * docs give for each case.
 */

import { createHash, createHmac } from 'node:crypto';
import type { OssResult } from '../protocol/oss-errors.js';
import {
  OSS_V1_SUB_RESOURCES,
  accessDenied,
  canonicalHeaderLines,
  constantTimeEqual,
  invalidArgument,
  missingDate,
  parseIsoBasic,
  type OssSignedRequest,
  type OssV4Scope,
} from './oss-common.js';
import { headerValue, queryValue, type OssRequest } from './oss-request.js';
import { pct } from './pct.js';

/** The V4 algorithm name, in Authorization headers and `x-oss-signature-version`. */
export const OSS4_ALGORITHM = 'OSS4-HMAC-SHA256';
/** The payload hash both SDKs always send. */
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
/** Longest `x-oss-expires` OSS accepts, in seconds (7 days; doc: 0002-00000232). */
export const OSS_V4_MAX_EXPIRES_SECONDS = 604800;

/**
 * CanonicalURI: `/<bucket>/<key>` (or `/<bucket>/`, or `/`) URI-encoded per UTF-8 byte, keeping
 * `A-Z a-z 0-9 - _ . ~` and `/`. The bucket is included whatever the addressing style.
 * @example
 * ossV4CanonicalUri('examplebucket', 'dir/hello world+1.txt') // '/examplebucket/dir/hello%20world%2B1.txt'
 */
export function ossV4CanonicalUri(bucket: string | undefined, key: string | undefined): string {
  const raw = `/${bucket ? `${bucket}/` : ''}${key ?? ''}`;
  return pct(raw).replaceAll('%2F', '/');
}

/**
 * CanonicalQuery: every parameter except `x-oss-signature`, name and value URI-encoded, sorted
 * by encoded name (then value), `name=value` or bare `name` when the value is empty, joined
 * with `&`.
 *
 * With `emptyAsEquals`, empty values of parameters that are not V1 sub-resources are written
 * `name=`: ali-oss's `qs.stringify(..., { strictNullHandling: true })` does that for explicitly
 * empty query values, while it turns empty sub-resources into `null`, which come out bare
 * (oss.md §4.2 pitfall; capture: edge/GET /?prefix=&max-keys=5).
 * @example
 * ossV4CanonicalQuery([['prefix', ''], ['max-keys', '100']]) // 'max-keys=100&prefix'
 */
export function ossV4CanonicalQuery(
  query: OssRequest['query'],
  options: { emptyAsEquals?: boolean } = {},
): string {
  const pairs: Array<[string, string, boolean]> = [];
  for (const [name, value] of query) {
    if (name === 'x-oss-signature') continue;
    const equals = !!options.emptyAsEquals && !value && !OSS_V1_SUB_RESOURCES.has(name);
    pairs.push([pct(name), value ? pct(value) : '', equals]);
  }
  pairs.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([n, v, eq]) => (v ? `${n}=${v}` : eq ? `${n}=` : n)).join('&');
}

/**
 * Normalise an additional-headers list: lower-case, de-duplicated, without `content-type`,
 * `content-md5` and `x-oss-*` (signed anyway), sorted (ali-oss `fixAdditionalHeaders`; oss2 sorts
 * only by first character in its header value but fully in the canonical request).
 * @example
 * ossV4AdditionalHeaders('Range;host;x-oss-date') // ['host', 'range']
 */
export function ossV4AdditionalHeaders(list: string | readonly string[] | undefined): string[] {
  const names = typeof list === 'string' ? list.split(';') : (list ?? []);
  const set = new Set<string>();
  for (const n of names) {
    const lower = n.trim().toLowerCase();
    if (lower === '' || lower === 'content-type' || lower === 'content-md5') continue;
    if (lower.startsWith('x-oss-')) continue;
    set.add(lower);
  }
  return [...set].sort();
}

/**
 * CanonicalHeaders: `content-type`, `content-md5`, every `x-oss-*` and each additional header
 * that is present, as `name:value\n`, sorted. A listed header that was not sent is left out, as
 * oss2 does (ali-oss refuses to sign with a missing one).
 */
export function ossV4CanonicalHeaders(
  headers: OssRequest['headers'],
  additional: readonly string[],
): string {
  const wanted = new Set(additional);
  const entries: Array<[string, string]> = [];
  for (const name of Object.keys(headers)) {
    const lower = name.toLowerCase();
    const signed =
      lower === 'content-type' ||
      lower === 'content-md5' ||
      lower.startsWith('x-oss-') ||
      wanted.has(lower);
    if (!signed) continue;
    const value = headerValue(headers, name);
    if (value !== undefined) entries.push([lower, value]);
  }
  return canonicalHeaderLines(entries);
}

/**
 * The canonical request for a received request.
 * @example
 * ossV4CanonicalRequest(req, { additionalHeaders: ['range'] })
 */
export function ossV4CanonicalRequest(
  req: OssRequest,
  options: { additionalHeaders?: readonly string[]; emptyAsEquals?: boolean } = {},
): string {
  const additional = options.additionalHeaders ?? [];
  const query = options.emptyAsEquals === undefined ? {} : { emptyAsEquals: options.emptyAsEquals };
  return [
    req.method.toUpperCase(),
    ossV4CanonicalUri(req.bucket, req.key),
    ossV4CanonicalQuery(req.query, query),
    ossV4CanonicalHeaders(req.headers, additional),
    additional.join(';'),
    headerValue(req.headers, 'x-oss-content-sha256') ?? UNSIGNED_PAYLOAD,
  ].join('\n');
}

/** `<date>/<region>/<product>/aliyun_v4_request`. */
export function ossV4ScopeString(scope: OssV4Scope): string {
  return `${scope.date}/${scope.region}/${scope.product}/aliyun_v4_request`;
}

/**
 * StringToSign from the request timestamp, the scope and the canonical request.
 * @example
 * ossV4StringToSign('20250102T030405Z', { date: '20250102', region: 'cn-hangzhou', product: 'oss' }, cr)
 */
export function ossV4StringToSign(
  timestamp: string,
  scope: OssV4Scope,
  canonicalRequest: string,
): string {
  const hashed = createHash('sha256').update(canonicalRequest, 'utf8').digest('hex');
  return `${OSS4_ALGORITHM}\n${timestamp}\n${ossV4ScopeString(scope)}\n${hashed}`;
}

/**
 * Signing key: HMAC-SHA256 chain over `"aliyun_v4" + secret`, date, region, product and
 * `aliyun_v4_request`.
 */
export function ossV4SigningKey(secret: string, scope: OssV4Scope): Buffer {
  const kDate = createHmac('sha256', `aliyun_v4${secret}`).update(scope.date).digest();
  const kRegion = createHmac('sha256', kDate).update(scope.region).digest();
  const kProduct = createHmac('sha256', kRegion).update(scope.product).digest();
  return createHmac('sha256', kProduct).update('aliyun_v4_request').digest();
}

/**
 * V4 signature of a string to sign: lower-case hex HMAC-SHA256 under the signing key.
 * @example
 * signOssV4('DummyTempAccessKeySecret01234567', scope, stringToSign) // 'c1034f24...'
 */
export function signOssV4(secret: string, scope: OssV4Scope, stringToSign: string): string {
  return createHmac('sha256', ossV4SigningKey(secret, scope))
    .update(stringToSign, 'utf8')
    .digest('hex');
}

/** A parsed `x-oss-credential` / `Credential=` value. */
export interface OssV4Credential extends OssV4Scope {
  /** AccessKeyId. */
  accessKeyId: string;
}

/**
 * Parse `<AccessKeyId>/<yyyymmdd>/<region>/<product>/aliyun_v4_request`. `InvalidArgument` with
 * EC 0002-00000212 (header) / 0002-00000223 (URL) for a bad date, 0002-00000213 for any other
 * shape problem.
 * @example
 * parseOssV4Credential('AK/20250102/cn-hangzhou/oss/aliyun_v4_request', 'header')
 */
export function parseOssV4Credential(
  value: string,
  where: 'header' | 'url',
): OssResult<OssV4Credential> {
  const parts = value.split('/');
  if (parts.length !== 5) return invalidArgument('Invalid credential.', { ec: '0002-00000213' });
  const [accessKeyId, date, region, product, terminator] = parts as [
    string,
    string,
    string,
    string,
    string,
  ];
  if (accessKeyId === '' || region === '' || terminator !== 'aliyun_v4_request') {
    return invalidArgument('Invalid credential.', { ec: '0002-00000213' });
  }
  if (!/^\d{8}$/.test(date) || parseIsoBasic(`${date}T000000Z`) === undefined) {
    return invalidArgument('Invalid signing date in credential.', {
      ec: where === 'header' ? '0002-00000212' : '0002-00000223',
    });
  }
  if (product !== 'oss') {
    return invalidArgument('Invalid signing product in credential.', { ec: '0002-00000213' });
  }
  return { ok: true, value: { accessKeyId, date, region, product } };
}

/** The fields of an `OSS4-HMAC-SHA256` Authorization header. */
export interface OssV4Authorization {
  /** Parsed `Credential=`. */
  credential: OssV4Credential;
  /** `AdditionalHeaders=` normalised (see {@link ossV4AdditionalHeaders}). */
  additionalHeaders: string[];
  /** `Signature=` (64 hex digits, lower-cased). */
  signature: string;
}

/**
 * Parse `OSS4-HMAC-SHA256 Credential=...,AdditionalHeaders=...,Signature=...`. Fields may come in
 * any order and with `,` or `, ` between them (ali-oss writes `,`, oss2 `, ` with
 * AdditionalHeaders last; oss.md §4.1). `InvalidArgument` when malformed.
 * @example
 * parseOssV4Authorization('OSS4-HMAC-SHA256 Credential=AK/20250102/cn-hangzhou/oss/aliyun_v4_request,Signature=' + '0'.repeat(64))
 */
export function parseOssV4Authorization(value: string): OssResult<OssV4Authorization> {
  const v = value.trim();
  if (!v.startsWith(`${OSS4_ALGORITHM} `))
    return invalidArgument('Authorization header is invalid.');
  const fields = new Map<string, string>();
  for (const part of v.slice(OSS4_ALGORITHM.length + 1).split(',')) {
    const p = part.trim();
    if (p === '') continue;
    const eq = p.indexOf('=');
    if (eq <= 0) return invalidArgument('Authorization header is invalid.');
    const name = p.slice(0, eq).trim();
    if (fields.has(name)) return invalidArgument('Authorization header is invalid.');
    fields.set(name, p.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential');
  const signature = fields.get('Signature');
  if (credential === undefined || signature === undefined) {
    return invalidArgument('Authorization header is invalid.');
  }
  if (!/^[0-9a-fA-F]{64}$/.test(signature)) {
    return invalidArgument('Signature in the Authorization header is invalid.');
  }
  const parsed = parseOssV4Credential(credential, 'header');
  if (!parsed.ok) return parsed;
  return {
    ok: true,
    value: {
      credential: parsed.value,
      additionalHeaders: ossV4AdditionalHeaders(fields.get('AdditionalHeaders')),
      signature: signature.toLowerCase(),
    },
  };
}

/** Options for reading V4 requests. */
export interface OssV4ReadOptions {
  /**
   * Regions this server accepts in the scope (standard ids, e.g. `cn-hangzhou`); any region when
   * absent. A mismatch is `InvalidArgument` with EC 0002-00000226, header or URL: what OSS answers
   * oss2's wrong-region HEAD (oss2 tests/test_exception_ec.py), though the EC pages describe
   * 0002-00000228 for the header form.
   */
  regions?: readonly string[];
}

function regionAllowed(region: string, options: OssV4ReadOptions): boolean {
  return options.regions === undefined || options.regions.includes(region);
}

function withAlternatives(
  req: OssRequest,
  timestamp: string,
  scope: OssV4Scope,
  additionalHeaders: readonly string[],
): Pick<OssSignedRequest, 'canonicalRequest' | 'stringToSign' | 'alternatives'> {
  const canonicalRequest = ossV4CanonicalRequest(req, { additionalHeaders });
  const out: Pick<OssSignedRequest, 'canonicalRequest' | 'stringToSign' | 'alternatives'> = {
    canonicalRequest,
    stringToSign: ossV4StringToSign(timestamp, scope, canonicalRequest),
  };
  const alt = ossV4CanonicalRequest(req, { additionalHeaders, emptyAsEquals: true });
  if (alt !== canonicalRequest) {
    out.alternatives = [
      { canonicalRequest: alt, stringToSign: ossV4StringToSign(timestamp, scope, alt) },
    ];
  }
  return out;
}

/**
 * Read a header-signed V4 request: credential, scope, timestamp, and the canonical request and
 * string the client should have signed (plus the ali-oss `name=` variant when it differs).
 *
 * Failures: malformed header or credential (`InvalidArgument`), missing or malformed `x-oss-date`
 * (`AccessDenied`, EC 0002-00000503), scope date not the date of `x-oss-date` (`InvalidArgument`,
 * EC 0002-00000212), region not accepted (`InvalidArgument`, EC 0002-00000226),
 * `x-oss-content-sha256` other than `UNSIGNED-PAYLOAD` (`InvalidArgument`, EC 0002-00000214;
 * an absent header counts as `UNSIGNED-PAYLOAD`, as both SDKs compute it).
 * @example
 * const auth = readOssV4HeaderAuth(req, { regions: ['cn-hangzhou'] });
 */
export function readOssV4HeaderAuth(
  req: OssRequest,
  options: OssV4ReadOptions = {},
): OssResult<OssSignedRequest> {
  const header = headerValue(req.headers, 'authorization');
  if (header === undefined) return invalidArgument('Authorization header is invalid.');
  const parsed = parseOssV4Authorization(header);
  if (!parsed.ok) return parsed;
  const { credential, additionalHeaders, signature } = parsed.value;
  const timestamp = headerValue(req.headers, 'x-oss-date');
  if (timestamp === undefined) return missingDate();
  const requestTime = parseIsoBasic(timestamp);
  if (requestTime === undefined) return missingDate();
  if (timestamp.trim().slice(0, 8) !== credential.date) {
    return invalidArgument('The date in the credential does not match x-oss-date.', {
      ec: '0002-00000212',
    });
  }
  if (!regionAllowed(credential.region, options)) {
    return invalidArgument('Invalid signing region in Authorization header.', {
      ec: '0002-00000226',
    });
  }
  const payload = headerValue(req.headers, 'x-oss-content-sha256');
  if (payload !== undefined && payload.trim() !== UNSIGNED_PAYLOAD) {
    return invalidArgument('x-oss-content-sha256 must be UNSIGNED-PAYLOAD.', {
      ec: '0002-00000214',
      name: 'x-oss-content-sha256',
      value: payload,
    });
  }
  const scope: OssV4Scope = {
    date: credential.date,
    region: credential.region,
    product: credential.product,
  };
  const auth: OssSignedRequest = {
    scheme: 'v4-header',
    accessKeyId: credential.accessKeyId,
    signature,
    ...withAlternatives(req, timestamp.trim(), scope, additionalHeaders),
    requestTime,
    scope,
    additionalHeaders,
  };
  const token = headerValue(req.headers, 'x-oss-security-token');
  if (token !== undefined) auth.securityToken = token;
  return { ok: true, value: auth };
}

/**
 * Read a V4 presigned URL. All query parameters except `x-oss-signature` are signed; the payload
 * is `UNSIGNED-PAYLOAD`; `x-oss-expires` is relative to `x-oss-date` (unlike V1's absolute
 * `Expires`) and must be 1..604800.
 *
 * Failures: wrong `x-oss-signature-version` (`InvalidArgument`, EC 0002-00000066), missing
 * credential/date/signature (`AccessDenied`), missing `x-oss-expires` (EC 0002-00000215) or out
 * of range (EC 0002-00000232), malformed credential (see {@link parseOssV4Credential}), scope date
 * not matching `x-oss-date`, region not accepted (EC 0002-00000226).
 * @example
 * readOssV4PresignedAuth(req) // { ok: true, value: { scheme: 'v4-presigned', expiresAt: ..., ... } }
 */
export function readOssV4PresignedAuth(
  req: OssRequest,
  options: OssV4ReadOptions = {},
): OssResult<OssSignedRequest> {
  const version = queryValue(req.query, 'x-oss-signature-version');
  if (version !== OSS4_ALGORITHM) {
    return invalidArgument('Invalid signature version.', {
      ec: '0002-00000066',
      name: 'x-oss-signature-version',
      value: version ?? '',
    });
  }
  const credentialValue = queryValue(req.query, 'x-oss-credential');
  if (!credentialValue) return accessDenied('x-oss-credential is missing from the signed URL.');
  const timestamp = queryValue(req.query, 'x-oss-date');
  if (!timestamp) return accessDenied('x-oss-date is missing from the signed URL.');
  const signature = queryValue(req.query, 'x-oss-signature');
  if (!signature) return accessDenied('x-oss-signature is missing from the signed URL.');
  if (!/^[0-9a-fA-F]{64}$/.test(signature)) {
    return invalidArgument('x-oss-signature is invalid.', {
      name: 'x-oss-signature',
      value: signature,
    });
  }
  const expires = queryValue(req.query, 'x-oss-expires');
  if (!expires) {
    return accessDenied('x-oss-expires is missing from the signed URL.', '0002-00000215');
  }
  const expiresSeconds = /^\d{1,7}$/.test(expires) ? Number(expires) : NaN;
  if (!(expiresSeconds >= 1 && expiresSeconds <= OSS_V4_MAX_EXPIRES_SECONDS)) {
    return invalidArgument('x-oss-expires must be between 1 and 604800 seconds.', {
      ec: '0002-00000232',
      name: 'x-oss-expires',
      value: expires,
    });
  }
  const credential = parseOssV4Credential(credentialValue, 'url');
  if (!credential.ok) return credential;
  const requestTime = parseIsoBasic(timestamp);
  if (requestTime === undefined) return accessDenied('x-oss-date is invalid.', '0002-00000223');
  if (timestamp.slice(0, 8) !== credential.value.date) {
    return invalidArgument('The date in x-oss-credential does not match x-oss-date.', {
      ec: '0002-00000223',
    });
  }
  if (!regionAllowed(credential.value.region, options)) {
    return invalidArgument('Invalid signing region in x-oss-credential.', { ec: '0002-00000226' });
  }
  const additionalHeaders = ossV4AdditionalHeaders(
    queryValue(req.query, 'x-oss-additional-headers') ?? undefined,
  );
  const scope: OssV4Scope = {
    date: credential.value.date,
    region: credential.value.region,
    product: credential.value.product,
  };
  const auth: OssSignedRequest = {
    scheme: 'v4-presigned',
    accessKeyId: credential.value.accessKeyId,
    signature: signature.toLowerCase(),
    ...withAlternatives(req, timestamp, scope, additionalHeaders),
    requestTime,
    expiresAt: requestTime + expiresSeconds * 1000,
    scope,
    additionalHeaders,
  };
  const token = queryValue(req.query, 'x-oss-security-token');
  if (token) auth.securityToken = token;
  return { ok: true, value: auth };
}

/**
 * Check a V4 signature (header or URL) against the secret, in constant time; the ali-oss
 * `name=` variant counts too. `false` when the request carries no scope.
 * @example
 * verifyOssV4(auth, 'DummyTempAccessKeySecret01234567') // true
 */
export function verifyOssV4(auth: OssSignedRequest, secret: string): boolean {
  if (!auth.scope) return false;
  const key = ossV4SigningKey(secret, auth.scope);
  const candidates = [auth.stringToSign, ...(auth.alternatives ?? []).map((a) => a.stringToSign)];
  let match = false;
  for (const sts of candidates) {
    const computed = createHmac('sha256', key).update(sts, 'utf8').digest('hex');
    // Every candidate is compared, so timing does not reveal which one matched.
    if (constantTimeEqual(computed, auth.signature)) match = true;
  }
  return match;
}
