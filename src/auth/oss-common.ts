/**
 * @module What the OSS signature schemes share: the parsed-and-canonicalised form of a signed
 * request that every verifier produces ({@link OssSignedRequest}), constant-time comparison, the
 * V1 sub-resource list, request-date parsing, and the failures for malformed credentials,
 * skewed clocks, expired URLs and signature mismatches, worded as OSS words them (oss.md §3.4,
 * §3.5, §4.3, §8).
 */

import { timingSafeEqual } from 'node:crypto';
import { isFresh, type ClockReading } from '../kernel/clock.js';
import { ossFailure, stringToSignBytes, type OssFailure } from '../protocol/oss-errors.js';
import { isoMillis } from '../protocol/oss-format.js';

/** Which scheme carried the signature. */
export type OssAuthScheme =
  'v1-header' | 'v1-presigned' | 'v2-header' | 'v2-presigned' | 'v4-header' | 'v4-presigned';

/** V4 credential scope: `<date>/<region>/<product>/aliyun_v4_request`. */
export interface OssV4Scope {
  /** `yyyymmdd`. */
  date: string;
  /** Standard region id, e.g. `cn-hangzhou`. */
  region: string;
  /** `oss` (or `oss-cloudbox`). */
  product: string;
}

/**
 * A signed request as the server sees it: who claims to have signed, what they must have signed,
 * and the times to check. Produced without the secret; verified with it.
 */
export interface OssSignedRequest {
  /** Scheme that carried the signature. */
  scheme: OssAuthScheme;
  /** AccessKeyId the client claims. */
  accessKeyId: string;
  /** Signature as provided (base64 for V1/V2, hex for V4). */
  signature: string;
  /** STS token from `x-oss-security-token` (header) or the URL, when present. */
  securityToken?: string;
  /** The string the client should have signed, by the official rules. */
  stringToSign: string;
  /** V4 only: the canonical request hashed into `stringToSign`. */
  canonicalRequest?: string;
  /**
   * Other strings a known SDK quirk makes clients sign for the same request (ali-oss writes
   * empty query values as `name=` under V4); a match on any of them is accepted.
   */
  alternatives?: ReadonlyArray<{ stringToSign: string; canonicalRequest?: string }>;
  /** Request time in ms: `x-oss-date`/`Date` for header schemes, `x-oss-date` for V4 URLs. */
  requestTime?: number;
  /** Presigned URLs: the instant (ms) after which the URL is refused. */
  expiresAt?: number;
  /** V4 only: the credential scope. */
  scope?: OssV4Scope;
  /** V2/V4: extra signed header names (lower-case, sorted). */
  additionalHeaders?: readonly string[];
}

/**
 * Compare two strings in constant time (for their common length): `crypto.timingSafeEqual` on
 * equal-length UTF-8 buffers; different lengths compare a buffer with itself and return false.
 * @example
 * constantTimeEqual(computed, provided)
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  if (x.length !== y.length) {
    timingSafeEqual(x, x);
    return false;
  }
  return timingSafeEqual(x, y);
}

/**
 * The query parameters V1 signs ("sub-resources"): oss2 2.19.1's `_subresource_key_set`
 * (oss2/auth.py), 86 names, case-sensitive (oss.md §3.2), and `cleanRestoredObject`, which the
 * later SDKs (Go, PHP and C++ V2) sign as a sub-resource too. Everything else in the query is
 * ignored by V1.
 */
export const OSS_V1_SUB_RESOURCES: ReadonlySet<string> = new Set([
  'accessPoint',
  'accessPointPolicy',
  'acl',
  'append',
  'asyncFetch',
  'bucketArchiveDirectRead',
  'bucketInfo',
  'callback',
  'callback-var',
  'cleanRestoredObject',
  'cname',
  'comp',
  'continuation-token',
  'cors',
  'delete',
  'encryption',
  'endTime',
  'group',
  'httpsConfig',
  'inventory',
  'inventoryId',
  'lifecycle',
  'link',
  'live',
  'location',
  'logging',
  'metaQuery',
  'objectInfo',
  'objectMeta',
  'partNumber',
  'policy',
  'position',
  'publicAccessBlock',
  'qos',
  'qosInfo',
  'qosRequester',
  'redundancyTransition',
  'referer',
  'regionList',
  'replication',
  'replicationLocation',
  'replicationProgress',
  'requestPayment',
  'requesterQosInfo',
  'resourceGroup',
  'resourcePool',
  'resourcePoolBuckets',
  'resourcePoolInfo',
  'response-cache-control',
  'response-content-disposition',
  'response-content-encoding',
  'response-content-language',
  'response-content-type',
  'response-expires',
  'restore',
  'security-token',
  'sequential',
  'startTime',
  'stat',
  'status',
  'style',
  'styleName',
  'symlink',
  'tagging',
  'transferAcceleration',
  'uploadId',
  'uploads',
  'versionId',
  'versioning',
  'versions',
  'vod',
  'website',
  'worm',
  'wormExtend',
  'wormId',
  'x-oss-ac-forward-allow',
  'x-oss-ac-source-ip',
  'x-oss-ac-subnet-mask',
  'x-oss-ac-vpc-id',
  'x-oss-access-point-name',
  'x-oss-async-process',
  'x-oss-process',
  'x-oss-redundancy-transition-taskid',
  'x-oss-request-payer',
  'x-oss-target-redundancy-type',
  'x-oss-traffic-limit',
  'x-oss-write-get-object-response',
]);

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const RFC1123 =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const ISO_BASIC = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

function utc(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
): number | undefined {
  const t = Date.UTC(y, mo, d, h, mi, s);
  const back = new Date(t);
  const same =
    back.getUTCFullYear() === y &&
    back.getUTCMonth() === mo &&
    back.getUTCDate() === d &&
    back.getUTCHours() === h &&
    back.getUTCMinutes() === mi &&
    back.getUTCSeconds() === s;
  return same ? t : undefined;
}

/**
 * Parse a V4 timestamp `yyyymmddTHHMMSSZ` (UTC) to ms; `undefined` when malformed or impossible.
 * @example
 * parseIsoBasic('20250102T030405Z') // 1735787045000
 */
export function parseIsoBasic(value: string): number | undefined {
  const m = ISO_BASIC.exec(value.trim());
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return utc(y, mo - 1, d, h, mi, s);
}

/**
 * Parse a request date to ms: RFC 1123 (`Thu, 02 Jan 2025 03:04:05 GMT`, the form both SDKs send
 * in `Date`/`x-oss-date` for V1) or the V4 form `20250102T030405Z`, which OSS also accepts in
 * `x-oss-date` (doc: 0002-00000503). The weekday is not cross-checked.
 * @example
 * parseOssDate('Thu, 02 Jan 2025 03:04:05 GMT') // 1735787045000
 */
export function parseOssDate(value: string): number | undefined {
  const v = value.trim();
  const m = RFC1123.exec(v);
  if (m) {
    const [, d, mon, y, h, mi, s] = m as unknown as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    return utc(Number(y), MONTHS.indexOf(mon), Number(d), Number(h), Number(mi), Number(s));
  }
  return parseIsoBasic(v);
}

/** Largest difference OSS allows between request time and server time: 15 minutes. */
export const OSS_MAX_SKEW_MS = 15 * 60 * 1000;

/**
 * `403 AccessDenied` with OSS's wording and an optional EC.
 * @example
 * accessDenied('OSS authentication requires a valid Date.', '0002-00000503')
 */
export function accessDenied(message: string, ec?: string): OssFailure {
  return ossFailure('AccessDenied', message, ec === undefined ? {} : { ec });
}

/**
 * `400 InvalidArgument`, optionally naming the argument (`ArgumentName`/`ArgumentValue`, as in
 * doc: 0017-00000220).
 * @example
 * invalidArgument('Authorization header is invalid.', { name: 'Authorization', value: header })
 */
export function invalidArgument(
  message: string,
  options: { ec?: string; name?: string; value?: string } = {},
): OssFailure {
  const extra: { ec?: string; fields?: Record<string, string> } = {};
  if (options.ec !== undefined) extra.ec = options.ec;
  if (options.name !== undefined) {
    extra.fields = { ArgumentName: options.name, ArgumentValue: options.value ?? '' };
  }
  return ossFailure('InvalidArgument', message, extra);
}

/** The date failure every scheme shares (doc: 0002-00000503). */
export function missingDate(): OssFailure {
  return accessDenied('OSS authentication requires a valid Date.', '0002-00000503');
}

/**
 * `403 RequestTimeTooSkewed` when `requestTime` is more than `maxSkewMs` away from both yunbox's
 * clock and the host's real one (`isFresh`, kernel/clock.ts), else `undefined`.
 * @example
 * const skew = checkRequestTime(auth.requestTime, readClock(clock));
 * if (skew) return skew;
 */
export function checkRequestTime(
  requestTime: number,
  at: ClockReading,
  maxSkewMs: number = OSS_MAX_SKEW_MS,
): OssFailure | undefined {
  if (isFresh(requestTime, at, maxSkewMs)) return undefined;
  return requestTimeTooSkewed(requestTime, at.now, maxSkewMs);
}

/**
 * `403 RequestTimeTooSkewed` with the fields real OSS adds (`MaxAllowedSkewMilliseconds`,
 * `RequestTime`, `ServerTime`: yunbox's clock; github aliyun/aliyun-oss-android-sdk#167).
 * @example
 * requestTimeTooSkewed(auth.requestTime, clock.now())
 */
export function requestTimeTooSkewed(
  requestTime: number,
  now: number,
  maxSkewMs: number = OSS_MAX_SKEW_MS,
): OssFailure {
  return ossFailure(
    'RequestTimeTooSkewed',
    'The difference between the request time and the current time is too large.',
    {
      ec: '0002-00000504',
      fields: {
        MaxAllowedSkewMilliseconds: String(maxSkewMs),
        RequestTime: isoMillis(requestTime),
        ServerTime: isoMillis(now),
      },
    },
  );
}

/**
 * `403 AccessDenied` "Request has expired." with `Expires` and `ServerTime`, as real OSS answers
 * an expired presigned URL (github johnlui/AliyunOSS#20; doc: 0002-00000069).
 * @example
 * if (now > auth.expiresAt) return requestExpired(auth.expiresAt, now);
 */
export function requestExpired(expiresAt: number, now: number): OssFailure {
  return ossFailure('AccessDenied', 'Request has expired.', {
    ec: '0002-00000069',
    fields: { Expires: isoMillis(expiresAt), ServerTime: isoMillis(now) },
  });
}

/**
 * `403 InvalidAccessKeyId` with the `OSSAccessKeyId` element. `stsWithoutToken` gives the longer
 * message and EC real OSS returns for an `STS.` key sent without a token (github
 * lucky1213/aliyun_oss#19); `disabled` the wording for a deactivated key (github
 * 1Panel-dev/1Panel#12223).
 * @example
 * invalidAccessKeyId(auth.accessKeyId, { stsWithoutToken: auth.securityToken === undefined })
 */
export function invalidAccessKeyId(
  accessKeyId: string,
  options: { stsWithoutToken?: boolean; disabled?: boolean } = {},
): OssFailure {
  const fields = { OSSAccessKeyId: accessKeyId };
  if (options.disabled) {
    return ossFailure('InvalidAccessKeyId', 'The OSS Access Key Id you provided is disabled.', {
      fields,
    });
  }
  if (options.stsWithoutToken) {
    return ossFailure(
      'InvalidAccessKeyId',
      'The OSS Access Key Id you provided does not exist in our records. The Security Token may be lost to specify that it is a STS Access Id.',
      { ec: '0002-00000003', fields },
    );
  }
  return ossFailure(
    'InvalidAccessKeyId',
    'The OSS Access Key Id you provided does not exist in our records.',
    { fields },
  );
}

/**
 * `403 SecurityTokenExpired` with the `SecurityToken` element (github jxxghp/MoviePilot#6295;
 * doc: 0002-00000007).
 * @example
 * if (token.expiresAt < now) return securityTokenExpired(auth.securityToken);
 */
export function securityTokenExpired(securityToken: string): OssFailure {
  return ossFailure('SecurityTokenExpired', 'The security token you provided has expired.', {
    ec: '0002-00000007',
    fields: { SecurityToken: securityToken },
  });
}

/**
 * `403 InvalidSecurityToken`: a token that is malformed or not issued for this AccessKeyId
 * (github matrixorigin/matrixone#12445; doc: 0002-00000006).
 * @example
 * if (!token) return invalidSecurityToken();
 */
export function invalidSecurityToken(): OssFailure {
  return ossFailure('InvalidSecurityToken', 'The security token you provided is invalid.', {
    ec: '0002-00000006',
  });
}

/**
 * `403 SignatureDoesNotMatch` carrying the server's view of the string, as OSS does
 * (`OSSAccessKeyId`, `SignatureProvided`, `StringToSign`, `StringToSignBytes`; for V4 also
 * `CanonicalRequest`, which is ours: real V4 answers are not quoted anywhere we could read).
 * @example
 * if (!verifyOssSignature(auth, secret)) return signatureDoesNotMatch(auth);
 */
export function signatureDoesNotMatch(auth: OssSignedRequest): OssFailure {
  const fields: Record<string, string> = {
    OSSAccessKeyId: auth.accessKeyId,
    SignatureProvided: auth.signature,
    StringToSign: auth.stringToSign,
    StringToSignBytes: stringToSignBytes(auth.stringToSign),
  };
  if (auth.canonicalRequest !== undefined) fields.CanonicalRequest = auth.canonicalRequest;
  const ec = auth.scheme.startsWith('v4') ? '0002-00000201' : undefined;
  return ossFailure(
    'SignatureDoesNotMatch',
    'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    ec === undefined ? { fields } : { ec, fields },
  );
}

/**
 * Join `x-oss-*` (and other signed) headers as `name:value\n` lines, names lower-case, values
 * trimmed, sorted by name in byte order.
 *
 * ali-oss trims values, oss2 does not; node has already stripped edge whitespace from what it
 * received, so trimming changes nothing for real traffic (oss.md §3.1).
 */
export function canonicalHeaderLines(entries: Iterable<readonly [string, string]>): string {
  const sorted = [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  let out = '';
  for (const [name, value] of sorted) out += `${name}:${headerText(value).trim()}\n`;
  return out;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A header value as the text its bytes spell. Node hands header values over as latin1 strings
 * (one character per byte); clients that put raw UTF-8 in a header (ali-oss
 * `headerEncoding: 'latin1'`, Chinese metadata values) signed those bytes, and every string to
 * sign is hashed as UTF-8, so valid UTF-8 bytes are decoded here: hashing the text again gives
 * exactly the bytes received. Other values are returned as they are.
 * @example
 * headerText('\u00e4\u00b8\u00ad') // '中'
 * headerText('plain') // 'plain'
 */
export function headerText(value: string): string {
  let ascii = true;
  for (let i = 0; i < value.length; i++) {
    if (value.charCodeAt(i) > 0x7f) {
      ascii = false;
      break;
    }
  }
  if (ascii) return value;
  const bytes = Buffer.from(value, 'latin1');
  // A character above U+00FF did not come off the wire as one byte: leave the value alone.
  if (bytes.toString('latin1') !== value) return value;
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return value;
  }
}
