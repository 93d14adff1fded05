/**
 * @module Retention policies (WORM, doc: InitiateBucketWorm, AbortBucketWorm, CompleteBucketWorm,
 * ExtendBucketWorm, GetBucketWorm, "Retention policies") and the one check every overwrite and
 * delete path passes to the store, {@link retention} (refused there, {@link refuseRetained}).
 *
 * A policy starts `InProgress` and protects the bucket's objects at once; unless completed
 * (`Locked`) within 24 hours on yunbox's clock it becomes void, as if never made. A locked policy
 * cannot be removed and its period only lengthened. While a policy is in effect, an object last
 * modified less than `RetentionPeriodInDays` ago cannot be overwritten or deleted: `409
 * FileImmutable`. A bucket holding objects cannot be deleted anyway (`BucketNotEmpty`), and once
 * empty it goes with its policy (doc: ExtendBucketWorm, usage notes).
 */
import { randomBytes } from 'node:crypto';
import { parseOssXml, xmlChild, xmlDocument } from '../../../protocol/oss-xml.js';
import { isStoreError } from '../../../kernel/errors.js';
import type { OssCall, OssReply } from '../context.js';
import { OssError, malformedXml, missingArgument, noSuchBucket } from '../errors.js';
import type { Bucket } from '../model.js';
import { RETAINED, type BucketWorm, type OssStore, type RetainedAfter } from '../store.js';
import { readSmallBody, unwrap } from './common.js';

const DAY_MS = 86_400_000;
/** How long an `InProgress` policy waits to be completed (doc: InitiateBucketWorm). */
export const WORM_IN_PROGRESS_MS = DAY_MS;
/** Retention period bounds, in days (1 day to 70 years; doc: InitiateBucketWorm). */
export const MIN_RETENTION_DAYS = 1;
export const MAX_RETENTION_DAYS = 25_550;
/** A WORM configuration document is a few dozen bytes. */
const MAX_BODY_BYTES = 4 * 1024;

// ---- errors (codes as ali-oss and the OSS SDKs name them; ECs where OSS documents them)

/** `404 NoSuchWORMConfiguration`: no policy in effect, or not the one named. */
export const noSuchWormConfiguration = (documented = true) =>
  new OssError('NoSuchWORMConfiguration', 404, 'The WORM Configuration does not exist.', {
    ...(documented ? { ec: '0027-00000009' } : {}),
  });

/** `403 WORMConfigurationLocked`: a locked policy cannot be removed or restarted. */
export const wormConfigurationLocked = () =>
  new OssError('WORMConfigurationLocked', 403, 'The WORM Configuration is locked.');

/** `400 InvalidWORMConfiguration`: the policy is not in the state the call needs. */
export const invalidWormConfiguration = (message: string) =>
  new OssError('InvalidWORMConfiguration', 400, message);

/** `409 FileImmutable`: the object is within its retention period (EC 0026-00000005). */
export const fileImmutable = () =>
  new OssError(
    'FileImmutable',
    409,
    'The object is protected by the bucket retention policy (WORM) and cannot be modified or deleted before its retention period ends.',
    { ec: '0026-00000005' },
  );

// ---- the policy in effect

/** True when `w` protects the bucket at `now`: locked, or in progress for under 24 hours. */
export function wormInEffect(w: BucketWorm | undefined, now: number): w is BucketWorm {
  return w !== undefined && (w.state === 'Locked' || now - w.createdAt < WORM_IN_PROGRESS_MS);
}

/** Creation time at or before which an `InProgress` policy is void. */
const voidBefore = (now: number) => now - WORM_IN_PROGRESS_MS;

/**
 * The retention in force in `bucket` at `now` (ms, yunbox's clock), as the store's writes and
 * deletes take it: the time after which a last modification keeps a version (the policy is in
 * effect and its period has not passed since), or `undefined` without a policy in effect. The
 * store refuses inside the change's own transaction, under the key's lock, so two writers racing
 * on one key cannot replace a version the other just made.
 * @example
 * await retainedAfter(store, 'logs', clock.now()) // now - 30 days, under a 30-day policy
 */
export async function retainedAfter(
  store: OssStore,
  bucket: string,
  now: number,
): Promise<RetainedAfter> {
  const w = await store.getBucketWorm(bucket);
  return wormInEffect(w, now) ? now - w.days * DAY_MS : undefined;
}

/** {@link retainedAfter} for a request: its bucket, on yunbox's clock now. */
export function retention(call: OssCall, bucket: Bucket): Promise<RetainedAfter> {
  return retainedAfter(call.deps.store, bucket.name, call.deps.clock.now());
}

/** True when a store refused a change because a version is under retention. */
export function isRetained(e: unknown): boolean {
  return isStoreError(e, 'Conflict') && e.entity === RETAINED;
}

/**
 * Runs a store change made with {@link retention}, turning the store's refusal into OSS's `409
 * FileImmutable`. Every write and delete path goes through this.
 * @example
 * await refuseRetained(store.deleteObjects(b.name, keys, await retention(call, b)));
 */
export async function refuseRetained<T>(change: Promise<T>): Promise<T> {
  try {
    return await change;
  } catch (e) {
    if (isRetained(e)) throw fileImmutable();
    throw e;
  }
}

// ---- handlers

function bucketOf(call: OssCall): Bucket {
  if (!call.bucket) throw noSuchBucket(call.bucketName ?? '');
  return call.bucket;
}

/** A new policy id: 32 upper-case hex digits, as OSS's look. */
function newWormId(): string {
  return randomBytes(16).toString('hex').toUpperCase();
}

/** `RetentionPeriodInDays` of a `<root>` document: an integer from 1 to 25550. */
async function retentionDays(call: OssCall, root: string): Promise<number> {
  const body = await readSmallBody(call, MAX_BODY_BYTES);
  const doc = unwrap(parseOssXml(body, { maxBytes: MAX_BODY_BYTES, maxElements: 8 }));
  // The Tea OSS client (@alicloud/oss20190517) sends `<RetentionPeriodInDays>` itself as the
  // document (its one-field body map becomes the root); both shapes are read.
  const node =
    doc.name === 'RetentionPeriodInDays'
      ? doc
      : doc.name === root
        ? xmlChild(doc, 'RetentionPeriodInDays')
        : undefined;
  if (node === undefined && doc.name !== root) throw malformedXml();
  if (node === undefined) {
    throw new OssError('MalformedXML', 400, malformedXml().message, { ec: '0027-00000004' });
  }
  const text = node.text.trim();
  const shown = text.slice(0, 32);
  if (!/^-?\d{1,9}$/.test(text)) {
    throw new OssError('InvalidArgument', 400, 'RetentionPeriodInDays is invalid.', {
      ec: '0027-00000005',
      fields: { ArgumentName: 'RetentionPeriodInDays', ArgumentValue: shown },
    });
  }
  const days = Number(text);
  if (days < MIN_RETENTION_DAYS || days > MAX_RETENTION_DAYS) {
    throw new OssError(
      'InvalidArgument',
      400,
      `RetentionPeriodInDays must be between ${MIN_RETENTION_DAYS} and ${MAX_RETENTION_DAYS}.`,
      {
        ec: '0027-00000002',
        fields: { ArgumentName: 'RetentionPeriodInDays', ArgumentValue: shown },
      },
    );
  }
  return days;
}

/** The refusal for a policy already in effect where none may be. */
function alreadyInEffect(w: BucketWorm): OssError {
  return w.state === 'Locked'
    ? wormConfigurationLocked()
    : invalidWormConfiguration('The WORM Configuration already exists and is in progress.');
}

/** InitiateBucketWorm (`POST /?worm`): a new `InProgress` policy; its id in `x-oss-worm-id`. */
export async function initiateBucketWorm(call: OssCall): Promise<OssReply> {
  const b = bucketOf(call);
  const days = await retentionDays(call, 'InitiateWormConfiguration');
  const now = call.deps.clock.now();
  const worm: BucketWorm = {
    bucket: b.name,
    wormId: newWormId(),
    state: 'InProgress',
    days,
    createdAt: now,
  };
  let r;
  try {
    r = await call.deps.store.initiateBucketWorm(worm, voidBefore(now));
  } catch (e) {
    if (isStoreError(e, 'NotFound')) throw noSuchBucket(b.name);
    throw e;
  }
  if (!r.ok) throw alreadyInEffect(r.existing);
  return { status: 200, headers: { 'x-oss-worm-id': worm.wormId } };
}

/** AbortBucketWorm (`DELETE /?worm`): removes a policy still in progress. */
export async function abortBucketWorm(call: OssCall): Promise<OssReply> {
  const b = bucketOf(call);
  const now = call.deps.clock.now();
  if (await call.deps.store.abortBucketWorm(b.name, voidBefore(now))) return { status: 204 };
  const w = await call.deps.store.getBucketWorm(b.name);
  if (wormInEffect(w, now) && w.state === 'Locked') throw wormConfigurationLocked();
  throw noSuchWormConfiguration();
}

/** The `wormId` query parameter. */
function wormIdArg(call: OssCall): string {
  const id = call.query.get('wormId');
  if (id === undefined || id === null || id === '') throw missingArgument('wormId');
  return id;
}

/** The refusal when policy `id` was not changed: absent, another id, or in the wrong state. */
async function whyUnchanged(
  call: OssCall,
  bucket: string,
  id: string,
  now: number,
  wrongState: (w: BucketWorm) => OssError,
): Promise<OssError> {
  const w = await call.deps.store.getBucketWorm(bucket);
  if (!wormInEffect(w, now)) return noSuchWormConfiguration();
  if (w.wormId !== id) return noSuchWormConfiguration(false);
  return wrongState(w);
}

/** CompleteBucketWorm (`POST /?wormId=…`): locks the policy in progress. */
export async function completeBucketWorm(call: OssCall): Promise<OssReply> {
  const b = bucketOf(call);
  const id = wormIdArg(call);
  const now = call.deps.clock.now();
  if (await call.deps.store.completeBucketWorm(b.name, id, voidBefore(now))) {
    return { status: 200 };
  }
  throw await whyUnchanged(call, b.name, id, now, () => wormConfigurationLocked());
}

/** ExtendBucketWorm (`POST /?wormExtend&wormId=…`): a locked policy's period, lengthened. */
export async function extendBucketWorm(call: OssCall): Promise<OssReply> {
  const b = bucketOf(call);
  const id = wormIdArg(call);
  const days = await retentionDays(call, 'ExtendWormConfiguration');
  const now = call.deps.clock.now();
  if (await call.deps.store.extendBucketWorm(b.name, id, days)) return { status: 200 };
  throw await whyUnchanged(call, b.name, id, now, (w) =>
    w.state !== 'Locked'
      ? invalidWormConfiguration('The WORM Configuration is not locked, it cannot be extended.')
      : invalidWormConfiguration(
          `The retention period can only be extended: RetentionPeriodInDays must be more than ${w.days}.`,
        ),
  );
}

/** `2020-10-15T15:50:32`: OSS's CreationDate (UTC, no fraction, no zone). */
function creationDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

/** GetBucketWorm (`GET /?worm`). */
export async function getBucketWorm(call: OssCall): Promise<OssReply> {
  const b = bucketOf(call);
  const w = await call.deps.store.getBucketWorm(b.name);
  if (!wormInEffect(w, call.deps.clock.now())) throw noSuchWormConfiguration();
  return {
    status: 200,
    headers: { 'content-type': 'application/xml' },
    body: xmlDocument('WormConfiguration', {
      WormId: w.wormId,
      State: w.state,
      RetentionPeriodInDays: String(w.days),
      CreationDate: creationDate(w.createdAt),
    }),
  };
}
