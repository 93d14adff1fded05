/**
 * @module One entry point for the gateway's OSS authn stage: find which scheme signed a request
 * (V1, OSS2 or V4; header or URL; or none), read it into an {@link OssSignedRequest}, check its
 * times against the clock, and verify it with the secret once the AccessKeyId is resolved.
 *
 * ```ts
 * const read = readOssAuth(req, { regions: ['cn-hangzhou'] });
 * if (!read.ok) return fail(read);
 * if (read.value === 'anonymous') return anonymous();
 * const late = checkOssAuthTime(read.value, readClock(clock));
 * if (late) return fail(late);
 * const key = await lookup(read.value.accessKeyId); // InvalidAccessKeyId when unknown
 * if (!verifyOssSignature(read.value, key.secret)) return fail(signatureDoesNotMatch(read.value));
 * ```
 * Order of checks follows OSS: malformed credentials before time, time before key lookup and
 * signature (oss.md §3.4). A request's own date is fresh on either yunbox's clock or the host's
 * real one; expiry (a URL's, a token's) is judged on yunbox's clock (kernel/clock.ts).
 */

import { isAhead, type ClockReading } from '../kernel/clock.js';
import type { OssFailure, OssResult } from '../protocol/oss-errors.js';
import {
  OSS_MAX_SKEW_MS,
  checkRequestTime,
  invalidArgument,
  requestExpired,
  requestTimeTooSkewed,
  type OssAuthScheme,
  type OssSignedRequest,
} from './oss-common.js';
import { hasQuery, headerValue, queryValue, type OssRequest } from './oss-request.js';
import { readOssV1HeaderAuth, readOssV1PresignedAuth, verifyOssV1 } from './oss-v1.js';
import { readOssV2HeaderAuth, readOssV2PresignedAuth, verifyOssV2 } from './oss-v2.js';
import {
  OSS4_ALGORITHM,
  readOssV4HeaderAuth,
  readOssV4PresignedAuth,
  verifyOssV4,
  type OssV4ReadOptions,
} from './oss-v4.js';

/**
 * Which scheme a request uses, from its Authorization header or query, without validating it;
 * `anonymous` when it carries neither. An Authorization header wins over URL parameters.
 * @example
 * detectOssAuthScheme(req) // 'v4-header'
 */
export function detectOssAuthScheme(req: OssRequest): OssAuthScheme | 'anonymous' | 'unknown' {
  const header = headerValue(req.headers, 'authorization');
  if (header !== undefined) {
    const h = header.trimStart();
    if (h.startsWith(`${OSS4_ALGORITHM} `)) return 'v4-header';
    if (h.startsWith('OSS2 ')) return 'v2-header';
    if (h.startsWith('OSS ')) return 'v1-header';
    return 'unknown';
  }
  const version = queryValue(req.query, 'x-oss-signature-version');
  if (version !== undefined) {
    if (version === OSS4_ALGORITHM) return 'v4-presigned';
    if (version === 'OSS2') return 'v2-presigned';
    return 'unknown';
  }
  if (hasQuery(req.query, 'OSSAccessKeyId') || hasQuery(req.query, 'Signature')) {
    return 'v1-presigned';
  }
  return 'anonymous';
}

/**
 * Read whatever signature a request carries into an {@link OssSignedRequest}, or `'anonymous'`.
 * An unknown Authorization scheme or `x-oss-signature-version` is `InvalidArgument`
 * (EC 0002-00000066 for the URL form).
 * @example
 * const read = readOssAuth(req);
 */
export function readOssAuth(
  req: OssRequest,
  options: OssV4ReadOptions = {},
): OssResult<OssSignedRequest | 'anonymous'> {
  switch (detectOssAuthScheme(req)) {
    case 'anonymous':
      return { ok: true, value: 'anonymous' };
    case 'v1-header':
      return readOssV1HeaderAuth(req);
    case 'v1-presigned':
      return readOssV1PresignedAuth(req);
    case 'v2-header':
      return readOssV2HeaderAuth(req);
    case 'v2-presigned':
      return readOssV2PresignedAuth(req);
    case 'v4-header':
      return readOssV4HeaderAuth(req, options);
    case 'v4-presigned':
      return readOssV4PresignedAuth(req, options);
    case 'unknown':
      return headerValue(req.headers, 'authorization') !== undefined
        ? invalidArgument('Authorization header is invalid.')
        : invalidArgument('Invalid signature version.', {
            ec: '0002-00000066',
            name: 'x-oss-signature-version',
            value: queryValue(req.query, 'x-oss-signature-version') ?? '',
          });
  }
}

/**
 * Check a signed request's times at `at`: header schemes must be within `maxSkewMs` (default
 * 15 min) of yunbox's clock or of the host's real one (`RequestTimeTooSkewed`); presigned URLs
 * must not be past their expiry on yunbox's clock (`AccessDenied` "Request has expired."), and a
 * V4 URL dated more than the skew window ahead of both clocks is `RequestTimeTooSkewed` (what OSS
 * does there is open). `undefined` when fine.
 * @example
 * const late = checkOssAuthTime(auth, readClock(clock));
 */
export function checkOssAuthTime(
  auth: OssSignedRequest,
  at: ClockReading,
  maxSkewMs: number = OSS_MAX_SKEW_MS,
): OssFailure | undefined {
  if (auth.expiresAt !== undefined) {
    if (at.now > auth.expiresAt) return requestExpired(auth.expiresAt, at.now);
    if (auth.requestTime !== undefined && isAhead(auth.requestTime, at, maxSkewMs)) {
      return requestTimeTooSkewed(auth.requestTime, at.now, maxSkewMs);
    }
    return undefined;
  }
  if (auth.requestTime === undefined) return undefined;
  return checkRequestTime(auth.requestTime, at, maxSkewMs);
}

/**
 * Verify a signed request with the secret of its AccessKeyId, in constant time.
 * @example
 * verifyOssSignature(auth, secret) // true when the client signed what the server computed
 */
export function verifyOssSignature(auth: OssSignedRequest, secret: string): boolean {
  switch (auth.scheme) {
    case 'v1-header':
    case 'v1-presigned':
      return verifyOssV1(auth, secret);
    case 'v2-header':
    case 'v2-presigned':
      return verifyOssV2(auth, secret);
    case 'v4-header':
    case 'v4-presigned':
      return verifyOssV4(auth, secret);
  }
}
