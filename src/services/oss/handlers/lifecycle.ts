/**
 * @module Put/Get/DeleteBucketLifecycle (`?lifecycle`): a bucket's lifecycle rules, validated by
 * `lifecycle-rules.ts` and stored whole (a PUT replaces every rule). GetBucketLifecycle answers
 * `NoSuchLifecycle` when the bucket has none. The rules are applied on yunbox's clock by
 * `lifecycle-runner.ts`, from the first midnight UTC after they are put.
 */
import { parseOssXml, xmlDocument } from '../../../protocol/oss-xml.js';
import { isStoreError } from '../../../kernel/errors.js';
import type { OssCall, OssReply } from '../context.js';
import { noSuchBucket, noSuchLifecycle } from '../errors.js';
import { floorDay } from '../lifecycle-due.js';
import {
  ALLOW_OVERLAP_HEADER,
  parseLifecycle,
  type LifecycleRule,
  type LifecycleTag,
  type LifecycleWhen,
} from '../lifecycle-rules.js';
import type { Bucket } from '../model.js';
import { readSmallBody, unwrap } from './common.js';

/** Largest PutBucketLifecycle body: 1000 rules of generous size. */
const MAX_LIFECYCLE_BYTES = 2 * 1024 * 1024;

function bucketOf(call: OssCall): Bucket {
  if (!call.bucket) throw noSuchBucket(call.bucketName ?? '');
  return call.bucket;
}

const iso = (ms: number) => new Date(ms).toISOString();

function whenXml(w: LifecycleWhen) {
  return w.days !== undefined ? { Days: w.days } : { CreatedBeforeDate: iso(w.createdBeforeDate!) };
}

const tagXml = (t: LifecycleTag) => ({ Key: t.key, Value: t.value });

/** The `Rule` elements of GetBucketLifecycle, in OSS's element order. */
export function lifecycleXml(rules: readonly LifecycleRule[]) {
  return {
    Rule: rules.map((r) => {
      const e = r.expiration;
      const f = r.filter;
      return {
        ID: r.id,
        Prefix: r.prefix,
        Status: r.status,
        ...(e
          ? {
              Expiration: e.expiredObjectDeleteMarker
                ? { ExpiredObjectDeleteMarker: true }
                : e.date !== undefined
                  ? { Date: iso(e.date) }
                  : whenXml(e),
            }
          : {}),
        ...(r.transitions.length > 0
          ? {
              Transition: r.transitions.map((t) => ({
                ...whenXml(t),
                StorageClass: t.storageClass,
                ...(t.allowSmallFile !== undefined ? { AllowSmallFile: t.allowSmallFile } : {}),
              })),
            }
          : {}),
        ...(r.abortMultipartUpload
          ? { AbortMultipartUpload: whenXml(r.abortMultipartUpload) }
          : {}),
        ...(r.tags.length > 0 ? { Tag: r.tags.map(tagXml) } : {}),
        ...(r.noncurrentVersionExpiration
          ? {
              NoncurrentVersionExpiration: {
                NoncurrentDays: r.noncurrentVersionExpiration.noncurrentDays,
              },
            }
          : {}),
        ...(r.noncurrentVersionTransitions.length > 0
          ? {
              NoncurrentVersionTransition: r.noncurrentVersionTransitions.map((t) => ({
                NoncurrentDays: t.noncurrentDays,
                StorageClass: t.storageClass,
                ...(t.allowSmallFile !== undefined ? { AllowSmallFile: t.allowSmallFile } : {}),
              })),
            }
          : {}),
        ...(f
          ? {
              Filter: {
                ...(f.not
                  ? {
                      Not: {
                        Prefix: f.not.prefix,
                        ...(f.not.tag ? { Tag: tagXml(f.not.tag) } : {}),
                      },
                    }
                  : {}),
                ...(f.sizeGreaterThan !== undefined
                  ? { ObjectSizeGreaterThan: f.sizeGreaterThan }
                  : {}),
                ...(f.sizeLessThan !== undefined ? { ObjectSizeLessThan: f.sizeLessThan } : {}),
              },
            }
          : {}),
      };
    }),
  };
}

/** PutBucketLifecycle (`PUT /?lifecycle`): 200. */
export async function putBucketLifecycle(call: OssCall): Promise<OssReply> {
  const b = bucketOf(call);
  const body = await readSmallBody(call, MAX_LIFECYCLE_BYTES);
  const root = unwrap(parseOssXml(body, { maxBytes: MAX_LIFECYCLE_BYTES, maxElements: 60_000 }));
  const allow = call.header(ALLOW_OVERLAP_HEADER)?.trim().toLowerCase() === 'true';
  const rules = parseLifecycle(root, allow);
  try {
    // First applied at the next midnight UTC (OSS loads new rules and runs them daily).
    await call.deps.store.putLifecycle(b.name, JSON.stringify(rules), floorDay(call.info.now));
  } catch (e) {
    if (isStoreError(e, 'NotFound')) throw noSuchBucket(b.name);
    throw e;
  }
  return { status: 200 };
}

/** GetBucketLifecycle (`GET /?lifecycle`); `NoSuchLifecycle` when none. */
export async function getBucketLifecycle(call: OssCall): Promise<OssReply> {
  const b = bucketOf(call);
  const stored = await call.deps.store.getLifecycle(b.name);
  if (stored === undefined) throw noSuchLifecycle(b.name);
  const rules = JSON.parse(stored) as LifecycleRule[];
  return {
    status: 200,
    headers: { 'content-type': 'application/xml' },
    body: xmlDocument('LifecycleConfiguration', lifecycleXml(rules)),
  };
}

/** DeleteBucketLifecycle (`DELETE /?lifecycle`): 204, whether or not there were rules. */
export async function deleteBucketLifecycle(call: OssCall): Promise<OssReply> {
  await call.deps.store.deleteLifecycle(bucketOf(call).name);
  return { status: 204 };
}
