/**
 * @module CORS (doc: PutBucketCors, "Cross-origin resource sharing"): the preflight `OPTIONS`
 * request, answered from the bucket's rules without authentication, and the
 * `Access-Control-*` headers added to actual requests that carry an `Origin` a rule allows.
 * Rules are tried in order; the first whose origin, method and headers all match decides.
 */
import { starMatch } from '../../../policy/index.js';
import type { CorsRule } from '../../../protocol/oss-xml.js';
import type { OssCall, OssReply } from '../context.js';
import { corsForbidden, noSuchBucket } from '../errors.js';
import type { Bucket } from '../model.js';
import { bucketCors } from './buckets.js';

/**
 * Whether a rule's AllowedOrigin or AllowedHeader (`*` its only wildcard) admits `value`; linear
 * in time, with no regular expression over the request's headers.
 */
function wildcard(pattern: string, value: string, caseInsensitive: boolean): boolean {
  if (caseInsensitive) return starMatch(pattern.toLowerCase(), value.toLowerCase());
  return starMatch(pattern, value);
}

/** The first rule allowing `origin`, `method` and every requested header, if any. */
export function matchCorsRule(
  rules: readonly CorsRule[],
  origin: string,
  method: string,
  headers: readonly string[] = [],
): CorsRule | undefined {
  return rules.find(
    (r) =>
      r.allowedOrigins.some((o) => wildcard(o, origin, false)) &&
      r.allowedMethods.includes(method) &&
      headers.every((h) => r.allowedHeaders.some((a) => wildcard(a, h, true))),
  );
}

function allowHeaders(rule: CorsRule, origin: string): Record<string, string> {
  const h: Record<string, string> = {
    'access-control-allow-origin': rule.allowedOrigins.includes('*') ? '*' : origin,
    'access-control-allow-methods': rule.allowedMethods.join(', '),
  };
  if (rule.exposeHeaders.length > 0) {
    h['access-control-expose-headers'] = rule.exposeHeaders.join(', ');
  }
  if (rule.maxAgeSeconds !== undefined) h['access-control-max-age'] = String(rule.maxAgeSeconds);
  return h;
}

/** Preflight (`OPTIONS`): 200 with the allowing rule's headers, else `403 AccessForbidden`. */
export async function preflight(call: OssCall): Promise<OssReply> {
  const b = call.bucket;
  if (!b) throw noSuchBucket(call.bucketName ?? '');
  const conf = bucketCors(b);
  if (!conf || conf.rules.length === 0) throw corsForbidden('disabled');
  const origin = call.header('origin');
  const method = call.header('access-control-request-method');
  if (origin === undefined || method === undefined) throw corsForbidden('denied');
  const requested = (call.header('access-control-request-headers') ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
  const rule = matchCorsRule(conf.rules, origin, method, requested);
  if (!rule) throw corsForbidden('denied');
  const headers: Record<string, string> = allowHeaders(rule, origin);
  if (requested.length > 0) headers['access-control-allow-headers'] = requested.join(', ');
  headers.vary = 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method';
  return { status: 200, headers };
}

/** `Access-Control-*` headers for an actual request with an `Origin` header, if a rule allows it. */
export function corsResponseHeaders(
  bucket: Bucket | undefined,
  origin: string | undefined,
  method: string,
): Record<string, string> | undefined {
  if (!bucket || origin === undefined || bucket.cors === undefined) return undefined;
  const conf = bucketCors(bucket);
  if (!conf) return undefined;
  const rule = matchCorsRule(conf.rules, origin, method);
  if (!rule) return undefined;
  return {
    ...allowHeaders(rule, origin),
    ...(conf.responseVary ? { vary: 'Origin' } : {}),
  };
}
