/**
 * @module The event of an OSS request ({@link ossEvent}), from the facts the OSS protocol hands
 * over. Run by the writer thread (compact.ts rebuilds the facts from the few strings the serving
 * thread copied) and by tests; it imports nothing of the request pipelines.
 */
import type { OssTrailFacts } from '../oss/index.js';
import { decisionOf, event, header, type EventFacts } from './event-common.js';
import { identityOf, keptParameters, resourceOf, scrubber, type TrailEvent } from './model.js';

/** The AccessKeyId an OSS request presented (V1/V2/V4 header or URL). */
function presentedOssKey(
  authorization: string | undefined,
  query: ReadonlyArray<readonly [string, string | null]> | undefined,
): string {
  if (authorization !== undefined) {
    const v4 = /Credential=([^/,\s]+)/.exec(authorization);
    if (v4) return v4[1]!;
    const v2 = /AccessKeyId:([^,\s]+)/.exec(authorization);
    if (v2) return v2[1]!;
    const v1 = /^\s*OSS\s+([^:\s]+):/.exec(authorization);
    if (v1) return v1[1]!;
  }
  for (const [n, v] of query ?? []) {
    if (n === 'OSSAccessKeyId' && v) return v;
    if (n === 'x-oss-credential' && v) return v.split('/')[0] ?? '';
  }
  return '';
}

/** The event of an OSS request, once answered. */
export function ossEvent(f: OssTrailFacts, defaultRegion: string, eventId: string): TrailEvent {
  const h = f.req.headers;
  const authorization = h.authorization;
  let query: Array<string | undefined> = [];
  for (const [n, v] of f.query ?? []) {
    if (
      v &&
      (n === 'security-token' ||
        n === 'x-oss-security-token' ||
        n === 'Signature' ||
        n === 'x-oss-signature')
    ) {
      query = [...query, v];
    }
  }
  const scrub = scrubber([authorization, header(h, 'x-oss-security-token'), ...query]);
  const id = identityOf(
    f.principal,
    f.principal.kind === 'anonymous' ? presentedOssKey(authorization, f.query) : '',
  );
  const region = f.region ?? defaultRegion;
  const d = decisionOf(
    f.decided,
    f.errorCode !== undefined ? { code: f.errorCode, message: f.errorMessage ?? '' } : undefined,
  );
  const r = d.resource
    ? resourceOf(d.resource)
    : f.bucket === undefined
      ? { resourceType: '', resourceName: '' }
      : f.key === undefined
        ? { resourceType: 'ACS::OSS::Bucket', resourceName: f.bucket }
        : { resourceType: 'ACS::OSS::Object', resourceName: `${f.bucket}/${f.key}` };
  const requestParameters = keptParameters(f.query ?? [], scrub);
  if (f.bucket !== undefined) requestParameters.BucketName = f.bucket;
  if (f.key !== undefined) requestParameters.ObjectName = f.key;
  const action = f.decided?.action;
  const read =
    action !== undefined
      ? /^oss:(Get|List)/.test(action)
      : f.method === 'GET' || f.method === 'HEAD' || f.method === 'OPTIONS';
  const facts: EventFacts = {
    eventId,
    eventTime: f.base.now,
    eventName: f.operation ?? f.method,
    eventType: 'ApiCall',
    eventRW: read ? 'Read' : 'Write',
    serviceName: 'Oss',
    eventSource: `oss-${region}.aliyuncs.com`,
    apiVersion: '',
    region,
    sourceIp: f.base.sourceIp,
    userAgent: scrub(h['user-agent'] ?? ''),
    requestId: f.base.requestId,
    errorCode: f.errorCode ?? '',
    errorMessage: scrub(f.errorMessage ?? ''),
  };
  return event(facts, id.accountId || f.bucketOwner || '', id, r, d, scrub, requestParameters);
}
