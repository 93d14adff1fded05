/**
 * @module Put/Get/DeleteBucketLogging (`?logging`): where a bucket's access logs go. The target
 * bucket must exist, belong to the source bucket's owner and sit in its region
 * (`InvalidTargetBucketForLogging` otherwise, as OSS's PutBucketLogging doc and its 0032-* error
 * pages say); the caller needs `oss:PutObject` on the target when it is another bucket. The log
 * objects themselves are written by `access-log.ts`.
 */
import { parseOssXml, xmlChild, xmlChildText, xmlDocument } from '../../../protocol/oss-xml.js';
import type { OssCall, OssReply } from '../context.js';
import { OssError, invalidArgument, malformedXml, noSuchBucket } from '../errors.js';
import { isValidBucketName, keyProblem, objectArn, type Bucket } from '../model.js';
import { readSmallBody } from './common.js';

/** A bucket's logging settings, as stored (JSON in `oss_buckets.logging`). */
export interface LoggingConfig {
  targetBucket: string;
  targetPrefix: string;
}

/** `400 InvalidTargetBucketForLogging`. */
export const invalidTargetBucketForLogging = (message: string, target: string) =>
  new OssError('InvalidTargetBucketForLogging', 400, message, {
    fields: { TargetBucket: target },
  });

/** Longest TargetPrefix accepted, in bytes (log keys stay far below OSS's 1023-byte limit). */
export const MAX_TARGET_PREFIX_BYTES = 512;

function bucketOf(call: OssCall): Bucket {
  if (!call.bucket) throw noSuchBucket(call.bucketName ?? '');
  return call.bucket;
}

/** The logging settings of a bucket, if any. */
export function bucketLogging(b: Bucket): LoggingConfig | undefined {
  return b.logging === undefined ? undefined : (JSON.parse(b.logging) as LoggingConfig);
}

/**
 * Reads a BucketLoggingStatus body: the settings, or `null` when it has no `LoggingEnabled`
 * (which turns logging off, as on OSS).
 */
export function parseBucketLoggingStatus(body: Buffer): LoggingConfig | null {
  const parsed = parseOssXml(body, { maxBytes: 16 * 1024 });
  if (!parsed.ok) throw OssError.from(parsed);
  if (parsed.value.name !== 'BucketLoggingStatus') throw malformedXml();
  const enabled = xmlChild(parsed.value, 'LoggingEnabled');
  if (!enabled) return null;
  const targetBucket = (xmlChildText(enabled, 'TargetBucket') ?? '').trim();
  const targetPrefix = xmlChildText(enabled, 'TargetPrefix') ?? '';
  if (targetBucket === '') {
    throw invalidTargetBucketForLogging('The target bucket for logging is empty.', targetBucket);
  }
  if (!isValidBucketName(targetBucket)) {
    throw invalidTargetBucketForLogging(
      'The target bucket for logging is not a valid bucket name.',
      targetBucket,
    );
  }
  if (
    targetPrefix.startsWith('/') ||
    targetPrefix.startsWith('\\') ||
    Buffer.byteLength(targetPrefix) > MAX_TARGET_PREFIX_BYTES ||
    (targetPrefix !== '' && keyProblem(targetPrefix) !== undefined)
  ) {
    throw invalidArgument('Invalid target prefix.', 'TargetPrefix', targetPrefix);
  }
  return { targetBucket, targetPrefix };
}

/** PutBucketLogging. */
export async function putBucketLogging(call: OssCall): Promise<OssReply> {
  const b = bucketOf(call);
  const conf = parseBucketLoggingStatus(await readSmallBody(call, 16 * 1024));
  if (conf === null) {
    await call.deps.store.updateBucket(b.name, { logging: null });
    return { status: 200 };
  }
  const target =
    conf.targetBucket === b.name ? b : await call.deps.store.getBucket(conf.targetBucket);
  if (!target) {
    throw invalidTargetBucketForLogging(
      'The target bucket for logging does not exist.',
      conf.targetBucket,
    );
  }
  if (target.accountId !== b.accountId) {
    throw invalidTargetBucketForLogging(
      'The target bucket for logging is not owned by the owner of the source bucket.',
      conf.targetBucket,
    );
  }
  if (target.region !== b.region) {
    throw invalidTargetBucketForLogging(
      'The target bucket for logging must be in the same region as the source bucket.',
      conf.targetBucket,
    );
  }
  if (target !== b) {
    await call.authz.require({
      action: 'oss:PutObject',
      resource: objectArn(target.region, target.accountId, target.name, conf.targetPrefix),
      bucket: target,
    });
  }
  await call.deps.store.updateBucket(b.name, { logging: JSON.stringify(conf) });
  return { status: 200 };
}

/** GetBucketLogging: an empty `BucketLoggingStatus` when logging is off. */
export async function getBucketLogging(call: OssCall): Promise<OssReply> {
  const conf = bucketLogging(bucketOf(call));
  return {
    status: 200,
    headers: { 'content-type': 'application/xml' },
    body: xmlDocument(
      'BucketLoggingStatus',
      conf
        ? {
            LoggingEnabled: { TargetBucket: conf.targetBucket, TargetPrefix: conf.targetPrefix },
          }
        : {},
    ),
  };
}

/** DeleteBucketLogging: 204. */
export async function deleteBucketLogging(call: OssCall): Promise<OssReply> {
  await call.deps.store.updateBucket(bucketOf(call).name, { logging: null });
  return { status: 204 };
}
