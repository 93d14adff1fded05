/**
 * @module The transport-independent view of a received OSS request that the signature verifiers
 * read (`oss-v1.ts`, `oss-v2.ts`, `oss-v4.ts`), and the addressing rule that finds its bucket and
 * key (oss.md §1.3-1.5): virtual-host style from the Host header, or path style `/<bucket>/<key>`.
 *
 * The rule has to satisfy both SDKs pointed at a local server. ali-oss with an IP endpoint sends
 * the key alone in the path and a made-up `Host: <bucket>.oss-<region>.aliyuncs.com` without a
 * port (`.oss-cn-hangzhou.aliyuncs.com`, empty first label, for ListBuckets); oss2 with an IP or
 * `localhost` endpoint sends `/<bucket>/<key>` with `/` inside the key escaped as `%2F`
 * (ali-oss lib/common/utils/createRequest.js; oss2 oss2/api.py `_determine_endpoint_type`).
 * Nothing here touches node:http: the gateway fills {@link OssRequest} from `IncomingMessage`.
 */

import { isIP } from 'node:net';
import { ossFailure, type OssResult } from '../protocol/oss-errors.js';
import { decodeFormComponent } from './pct.js';

/**
 * A received OSS request, reduced to what routing and signature verification need.
 * @example
 * const req: OssRequest = {
 *   method: 'PUT',
 *   path: '/dir/hello%20world%2B1.txt',
 *   query: [],
 *   headers: { host: 'examplebucket.oss-cn-hangzhou.aliyuncs.com', 'x-oss-date': '...' },
 *   bucket: 'examplebucket',
 *   key: 'dir/hello world+1.txt',
 * };
 */
export interface OssRequest {
  /** HTTP method as received (upper case from node:http). */
  method: string;
  /** Raw request path without the query, percent-encoded as received. */
  path: string;
  /** Decoded query parameters in received order; `null` for a name without `=`. */
  query: ReadonlyArray<readonly [string, string | null]>;
  /**
   * Headers by lower-case name, as node gives them: values are node's latin1 view of the bytes,
   * which is also what both SDKs fed their HMAC (a JS/Python string encoded as UTF-8), so they
   * are used unchanged. An array (repeated header) is folded with `, `, as node folds it.
   */
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** Bucket name; absent for service-level requests (ListBuckets). */
  bucket?: string;
  /** Decoded object key; absent for bucket- and service-level requests. */
  key?: string;
}

/** Where a request is addressed, as decided by {@link parseOssTarget}. */
export interface OssTarget {
  /** `virtual-host` when the bucket came from the Host header, else `path`. */
  addressing: 'virtual-host' | 'path';
  /** Bucket name, absent at service level. */
  bucket?: string;
  /** Decoded object key, absent at bucket and service level. */
  key?: string;
  /**
   * Standard region id (`cn-hangzhou`, as used in V4 scopes) when the host is an
   * `oss-<region>[-internal].aliyuncs.com` name; the OSS region id is `oss-` + this.
   */
  region?: string;
  /** True for `-internal` endpoint names. */
  internal?: boolean;
}

/** Options for {@link parseOssTarget}. */
export interface OssTargetOptions {
  /**
   * Host names this server answers as an OSS endpoint, besides the built-in
   * `oss-<region>[-internal].aliyuncs.com` and `localhost`: `<name>` itself is path style and
   * `<bucket>.<name>` is virtual-host style. Case-insensitive; a leading `.` is ignored.
   */
  serviceHostSuffixes?: readonly string[];
}

// ali-oss lib/common/utils/setRegion.js: `oss-<region>[-internal].aliyuncs.com`, and regions
// starting `vpc100-oss-cn-` keep the plain suffix.
const ALIYUN_OSS_HOST =
  /^(?:([^.]*)\.)?((?:vpc100-)?oss-([a-z0-9-]+?)(-internal)?)\.aliyuncs\.com$/;

/**
 * Host header without port, lower-cased, IPv6 brackets removed.
 * @example
 * hostWithoutPort('ExampleBucket.localhost:8080') // 'examplebucket.localhost'
 * hostWithoutPort('[::1]:8080') // '::1'
 */
export function hostWithoutPort(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end === -1 ? h.slice(1) : h.slice(1, end);
  }
  const colon = h.indexOf(':');
  // INVARIANT: more than one colon without brackets is a bare IPv6 literal, which has no port.
  if (colon !== -1 && h.indexOf(':', colon + 1) === -1) return h.slice(0, colon);
  return h;
}

/**
 * Percent-decode a path component: `%XY` are UTF-8 bytes, `+` stays a plus (both SDKs send
 * `%2B`, oss.md §1.5). `undefined` for malformed escapes or bytes that are not UTF-8.
 * @example
 * decodePathComponent('dir%2Fhello%20world+1.txt') // 'dir/hello world+1.txt'
 */
export function decodePathComponent(raw: string): string | undefined {
  const decoded = decodeFormComponent(raw.includes('+') ? raw.replaceAll('+', '%2B') : raw);
  return decoded.ok ? decoded.value : undefined;
}

function vhostBucket(host: string, suffixes: readonly string[]): string | null | undefined {
  // Returns the bucket label ('' for service level), null for "path style", undefined if unknown.
  for (const raw of suffixes) {
    const suffix = raw.trim().toLowerCase().replace(/^\./, '');
    if (suffix === '') continue;
    if (host === suffix) return null;
    if (host.endsWith('.' + suffix)) return host.slice(0, -suffix.length - 1);
  }
  return undefined;
}

function failPath(what: 'bucket' | 'key'): OssResult<OssTarget> {
  return what === 'bucket'
    ? ossFailure('InvalidBucketName', 'The specified bucket is not valid.')
    : ossFailure('InvalidObjectName', 'The specified object is not valid.');
}

/**
 * Decide virtual-host vs path style and extract bucket, key and region (oss.md §1.5).
 *
 * 1. Host (port removed) is an IP literal, `localhost`, an `oss-<region>.aliyuncs.com` endpoint
 *    name or one of `serviceHostSuffixes`: path style. The first path segment is the bucket, the
 *    rest, percent-decoded, the key; `/` alone is service level.
 * 2. Host is `<label>.<one of those names>`, or any other name with a dot: virtual-host style.
 *    The first label is the bucket (empty label = service level, as ali-oss sends for
 *    ListBuckets) and the whole decoded path minus its leading `/` is the key. This is also the
 *    peer emulator's rule (aliyun/oss-emulator lib/emulator/request.rb).
 * 3. Any other single-label host (`yunbox`, a container name): path style.
 *
 * Malformed escapes give `InvalidBucketName` / `InvalidObjectName` instead of a guess.
 * @example
 * parseOssTarget('examplebucket.oss-cn-hangzhou.aliyuncs.com', '/dir/a%20b.txt')
 * // { ok: true, value: { addressing: 'virtual-host', bucket: 'examplebucket',
 * //   key: 'dir/a b.txt', region: 'cn-hangzhou', internal: false } }
 * parseOssTarget('127.0.0.1:8080', '/examplebucket/dir%2Fa.txt')
 * // { ok: true, value: { addressing: 'path', bucket: 'examplebucket', key: 'dir/a.txt' } }
 */
export function parseOssTarget(
  hostHeader: string | undefined,
  rawPath: string,
  options: OssTargetOptions = {},
): OssResult<OssTarget> {
  const host = hostWithoutPort(hostHeader ?? '');
  let bucketLabel: string | null | undefined;
  let region: string | undefined;
  let internal: boolean | undefined;

  const aliyun = ALIYUN_OSS_HOST.exec(host);
  if (aliyun) {
    const name = aliyun[3] ?? '';
    if (!name.startsWith('accelerate')) region = name;
    internal = aliyun[4] !== undefined;
    bucketLabel = aliyun[1] ?? null;
  } else if (host === '' || isIP(host) !== 0) {
    bucketLabel = null;
  } else {
    bucketLabel = vhostBucket(host, [...(options.serviceHostSuffixes ?? []), 'localhost']);
    if (bucketLabel === undefined) {
      const dot = host.indexOf('.');
      bucketLabel = dot === -1 ? null : host.slice(0, dot);
    }
  }

  const path = rawPath.startsWith('/') ? rawPath.slice(1) : rawPath;
  const target: OssTarget =
    bucketLabel === null ? { addressing: 'path' } : { addressing: 'virtual-host' };
  if (bucketLabel === null) {
    const slash = path.indexOf('/');
    const rawBucket = slash === -1 ? path : path.slice(0, slash);
    const rawKey = slash === -1 ? '' : path.slice(slash + 1);
    if (rawBucket !== '') {
      const bucket = decodePathComponent(rawBucket);
      if (bucket === undefined) return failPath('bucket');
      target.bucket = bucket;
      if (rawKey !== '') {
        const key = decodePathComponent(rawKey);
        if (key === undefined) return failPath('key');
        target.key = key;
      }
    }
  } else {
    if (bucketLabel !== '') target.bucket = bucketLabel;
    if (path !== '') {
      const key = decodePathComponent(path);
      if (key === undefined) return failPath('key');
      target.key = key;
    }
  }
  if (region !== undefined) target.region = region;
  if (internal !== undefined) target.internal = internal;
  return { ok: true, value: target };
}

/**
 * Parse a raw query string (without `?`) into decoded pairs in received order.
 *
 * `+` is a space (oss2's `requests` writes spaces in values that way) and `%XY` are UTF-8 bytes;
 * a name without `=` gets `null`, `name=` gets `''`; empty segments are skipped. Malformed
 * escapes give `InvalidArgument` rather than a best guess, so one wire string never means two
 * signed values.
 * @example
 * parseOssQuery('uploads&prefix=a%2F&marker=&x=a+b')
 * // { ok: true, value: [['uploads', null], ['prefix', 'a/'], ['marker', ''], ['x', 'a b']] }
 */
export function parseOssQuery(raw: string): OssResult<Array<[string, string | null]>> {
  const pairs: Array<[string, string | null]> = [];
  for (const segment of raw.split('&')) {
    if (segment === '') continue;
    const eq = segment.indexOf('=');
    const name = decodeFormComponent(eq === -1 ? segment : segment.slice(0, eq));
    if (!name.ok) return badQuery();
    if (eq === -1) {
      pairs.push([name.value, null]);
      continue;
    }
    const value = decodeFormComponent(segment.slice(eq + 1));
    if (!value.ok) return badQuery();
    pairs.push([name.value, value.value]);
  }
  return { ok: true, value: pairs };
}

function badQuery(): OssResult<never> {
  return ossFailure('InvalidArgument', 'The query string is not correctly percent-encoded.');
}

/**
 * Split a request target (`/path?query`) into raw path and raw query. An absolute-form target
 * (`http://host/path`) is reduced to its path.
 * @example
 * splitRequestTarget('/k.txt?acl=') // { path: '/k.txt', query: 'acl=' }
 */
export function splitRequestTarget(target: string): { path: string; query: string } {
  let t = target;
  const scheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*/.exec(t);
  if (scheme) t = t.slice(scheme[0].length);
  const hash = t.indexOf('#');
  if (hash !== -1) t = t.slice(0, hash);
  const q = t.indexOf('?');
  const path = q === -1 ? t : t.slice(0, q);
  return { path: path === '' && scheme ? '/' : path, query: q === -1 ? '' : t.slice(q + 1) };
}

/** A received request as {@link buildOssRequest} returns it: the request and its addressing. */
export interface ParsedOssRequest {
  /** The request with bucket and key filled in. */
  request: OssRequest;
  /** How it was addressed, and the region named by the host, if any. */
  target: OssTarget;
}

/**
 * Build an {@link OssRequest} from what node:http gives (`req.method`, `req.url`, `req.headers`):
 * split the target, decode the query, and route with {@link parseOssTarget} on the Host header.
 * Fails with the same codes as those two.
 * @example
 * const parsed = buildOssRequest(req.method ?? 'GET', req.url ?? '/', req.headers);
 * if (!parsed.ok) return fail(parsed);
 */
export function buildOssRequest(
  method: string,
  requestTarget: string,
  headers: OssRequest['headers'],
  options: OssTargetOptions = {},
): OssResult<ParsedOssRequest> {
  const { path, query: rawQuery } = splitRequestTarget(requestTarget);
  const query = parseOssQuery(rawQuery);
  if (!query.ok) return query;
  const target = parseOssTarget(headerValue(headers, 'host'), path, options);
  if (!target.ok) return target;
  const request: OssRequest = { method, path, query: query.value, headers };
  if (target.value.bucket !== undefined) request.bucket = target.value.bucket;
  if (target.value.key !== undefined) request.key = target.value.key;
  return { ok: true, value: { request, target: target.value } };
}

/**
 * One header's value, arrays folded with `, ` (node's own folding of repeated headers).
 * @example
 * headerValue(req.headers, 'x-oss-date')
 */
export function headerValue(headers: OssRequest['headers'], name: string): string | undefined {
  const v = headers[name];
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : v.join(', ');
}

/**
 * First value of a query parameter: `undefined` when absent, `null` when present without `=`.
 * @example
 * queryValue([['acl', null]], 'acl') // null
 */
export function queryValue(query: OssRequest['query'], name: string): string | null | undefined {
  for (const [n, v] of query) if (n === name) return v;
  return undefined;
}

/** True when `name` appears in the query at all (with or without a value). */
export function hasQuery(query: OssRequest['query'], name: string): boolean {
  return query.some(([n]) => n === name);
}
