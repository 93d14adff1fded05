/**
 * @module Archived objects and RestoreObject (`POST /<key>?restore`), on yunbox's clock.
 *
 * Archive, ColdArchive and DeepColdArchive objects are frozen: GetObject, CopyObject and
 * UploadPartCopy refuse them with `InvalidObjectState` until a restore has made a readable copy;
 * HeadObject answers, with `x-oss-restore` once a restore was asked for. A restore is one row
 * (store-sql-restore.ts) of timestamps: asked at, ready at (asked + the documented time of the
 * class and tier), expires at (ready + Days). Nothing runs in the background: every request
 * computes the state from the row and `deps.clock.now()`, so a manual clock moved forward shows
 * the copy ready at once, and later gone. The state keys on the object's storage class: a row
 * made for another class (the object transitioned since) counts as none.
 *
 * Times and limits (doc: RestoreObject; "Restore objects"): Archive 1 minute, Days 1 to 7, no
 * `JobParameters`; ColdArchive Expedited 1 hour, Standard 5 hours (2 to 5), Bulk 12 hours (5 to
 * 12), Days 1 to 365; DeepColdArchive Expedited 12 hours, Standard 48 hours, Days 1 to 365. yunbox
 * takes the upper bound of each range. Days defaults to 1, the tier to Standard. A second request
 * while the restore runs is `RestoreAlreadyInProgress` (409) unless it asks for a faster tier,
 * which speeds it up (202); once restored, a request adds its Days to the copy's life (200), up to
 * the class's longest Days from when the copy became ready.
 */
import { isStoreError } from '../../../kernel/errors.js';
import { httpDate } from '../../../protocol/oss-format.js';
import { parseOssXml, xmlChild, type XmlNode } from '../../../protocol/oss-xml.js';
import type { OssCall, OssReply } from '../context.js';
import {
  OssError,
  archiveRestoreFileStale,
  archiveRestoreNotFinished,
  invalidArgument,
  invalidObjectState,
  malformedXml,
  noSuchBucket,
  noSuchKey,
  operationNotSupported,
  restoreAlreadyInProgress,
} from '../errors.js';
import type { ObjectSummary, OssObject } from '../model.js';
import type { RestoreRecord } from '../store.js';
import { readSmallBody } from './common.js';
import { addressedObject } from './versioning.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Restore priorities, fastest first. */
export const RESTORE_TIERS = ['Expedited', 'Standard', 'Bulk'] as const;
/** A restore priority (`JobParameters/Tier`). */
export type RestoreTier = (typeof RESTORE_TIERS)[number];

/** What restoring an object of an archive class takes and allows. */
interface ArchiveClass {
  /** Time to a readable copy, per tier it accepts. */
  time: Partial<Record<RestoreTier, number>>;
  /** Largest `Days`, and the longest a copy stays readable after it became ready. */
  maxDays: number;
  /** Whether `JobParameters` may be sent (ColdArchive, DeepColdArchive). */
  tiers: boolean;
}

/** The archive classes: their objects are frozen until restored (doc: RestoreObject). */
const ARCHIVE: Readonly<Record<string, ArchiveClass>> = {
  Archive: { time: { Standard: MINUTE }, maxDays: 7, tiers: false },
  ColdArchive: {
    time: { Expedited: HOUR, Standard: 5 * HOUR, Bulk: 12 * HOUR },
    maxDays: 365,
    tiers: true,
  },
  DeepColdArchive: {
    time: { Expedited: 12 * HOUR, Standard: 48 * HOUR },
    maxDays: 365,
    tiers: true,
  },
};

/** True for Archive, ColdArchive and DeepColdArchive. */
export function isArchiveClass(storageClass: string): boolean {
  return Object.hasOwn(ARCHIVE, storageClass);
}

/** Where a restore stands at one instant. */
export type RestoreState =
  | { kind: 'frozen' }
  | { kind: 'ongoing'; record: RestoreRecord }
  | { kind: 'restored'; record: RestoreRecord };

/**
 * The state of an object of `storageClass` whose restore row is `record`, at `now`.
 * @example
 * restoreState('Archive', undefined, now) // { kind: 'frozen' }
 */
export function restoreState(
  storageClass: string,
  record: RestoreRecord | undefined,
  now: number,
): RestoreState {
  if (!record || record.storageClass !== storageClass || !isArchiveClass(storageClass)) {
    return { kind: 'frozen' };
  }
  if (now < record.readyAt) return { kind: 'ongoing', record };
  if (now < record.expiresAt) return { kind: 'restored', record };
  return { kind: 'frozen' };
}

/**
 * The `x-oss-restore` header (and `RestoreInfo` of listings) of a state; `undefined` when frozen.
 * @example
 * restoreInfo(state) // 'ongoing-request="false", expiry-date="Sun, 16 Apr 2017 08:12:33 GMT"'
 */
export function restoreInfo(state: RestoreState): string | undefined {
  if (state.kind === 'ongoing') return 'ongoing-request="true"';
  if (state.kind === 'restored') {
    return `ongoing-request="false", expiry-date="${httpDate(state.record.expiresAt)}"`;
  }
  return undefined;
}

/**
 * GetObject and HeadObject of `o`: `InvalidObjectState` for a GET of a frozen or restoring
 * archive object; otherwise the headers the reply adds (`x-oss-restore` once a restore was
 * asked for). Objects of other classes cost no query.
 */
export async function archiveGate(call: OssCall, o: OssObject): Promise<Record<string, string>> {
  if (!isArchiveClass(o.storageClass)) return {};
  const record = await call.deps.store.getRestore(o.objectId);
  const state = restoreState(o.storageClass, record, call.deps.clock.now());
  if (state.kind !== 'restored' && call.method !== 'HEAD') throw invalidObjectState();
  const info = restoreInfo(state);
  return info === undefined ? {} : { 'x-oss-restore': info };
}

/**
 * The source of CopyObject or UploadPartCopy: `InvalidObjectState` unless it is readable (not an
 * archive object, or one restored). Copying onto itself to change the class counts too.
 */
export async function refuseFrozenSource(call: OssCall, o: OssObject): Promise<void> {
  if (!isArchiveClass(o.storageClass)) return;
  const record = await call.deps.store.getRestore(o.objectId);
  if (restoreState(o.storageClass, record, call.deps.clock.now()).kind !== 'restored') {
    throw invalidObjectState();
  }
}

/**
 * Listing entries with their `restoreInfo` (archive objects with a restore asked for); one query
 * for the page, none when it holds no archive object. Entries are copied, never changed.
 */
export async function withRestoreInfo<T extends ObjectSummary>(
  call: OssCall,
  bucket: string,
  items: readonly T[],
): Promise<T[]> {
  const keys = items.filter((o) => isArchiveClass(o.storageClass)).map((o) => o.key);
  if (keys.length === 0) return [...items];
  const records = await call.deps.store.restoresAt(bucket, keys);
  const now = call.deps.clock.now();
  return items.map((o) => {
    const info = restoreInfo(restoreState(o.storageClass, records.get(o.key), now));
    return info === undefined ? o : { ...o, restoreInfo: info };
  });
}

/**
 * Versions with their `restoreInfo` (ListObjectVersions): each archive version's own restore, by
 * its row. Entries are copied, never changed.
 */
export async function versionsWithRestoreInfo<T extends ObjectSummary & { objectId: string }>(
  call: OssCall,
  items: readonly T[],
): Promise<T[]> {
  const now = call.deps.clock.now();
  const out: T[] = [];
  for (const o of items) {
    const record = isArchiveClass(o.storageClass)
      ? await call.deps.store.getRestore(o.objectId)
      : undefined;
    const info = record && restoreInfo(restoreState(o.storageClass, record, now));
    out.push(info === undefined ? o : { ...o, restoreInfo: info });
  }
  return out;
}

/** A RestoreRequest body as sent: `Days` and `Tier` unchecked, whether `JobParameters` came. */
export interface RestoreRequestBody {
  days?: string;
  jobParameters: boolean;
  tier?: string;
}

function onlyChildren(node: XmlNode, names: readonly string[]): boolean {
  const seen = new Set<string>();
  for (const c of node.children) {
    if (!names.includes(c.name) || seen.has(c.name)) return false;
    seen.add(c.name);
  }
  return true;
}

/**
 * Parses `<RestoreRequest><Days/><JobParameters><Tier/></JobParameters></RestoreRequest>` (or
 * the same under `<root>`, as the Tea OSS client sends it); an empty body is a request with
 * neither. `MalformedXML` for anything else (another root, unknown
 * or repeated elements, `JobParameters` without `Tier`).
 * @example
 * parseRestoreRequest(Buffer.from('<RestoreRequest><Days>2</Days></RestoreRequest>'))
 * // { days: '2', jobParameters: false }
 */
export function parseRestoreRequest(body: Buffer): RestoreRequestBody {
  if (body.toString('utf8').trim() === '') return { jobParameters: false };
  const parsed = parseOssXml(body);
  if (!parsed.ok) throw OssError.from(parsed);
  const root = parsed.value;
  // The Tea OSS client (@alicloud/oss20190517) sends the document under `<root>`: the official
  // client wins, so that root is taken as `RestoreRequest`.
  const rootOk = root.name === 'RestoreRequest' || root.name === 'root';
  if (!rootOk || !onlyChildren(root, ['Days', 'JobParameters'])) {
    throw malformedXml();
  }
  const days = xmlChild(root, 'Days');
  const job = xmlChild(root, 'JobParameters');
  if (days && days.children.length > 0) throw malformedXml();
  const out: RestoreRequestBody = { jobParameters: job !== undefined };
  if (days) out.days = days.text.trim();
  if (job) {
    const tier = xmlChild(job, 'Tier');
    if (!onlyChildren(job, ['Tier']) || !tier || tier.children.length > 0) throw malformedXml();
    out.tier = tier.text.trim();
  }
  return out;
}

/** Checks a request against the object's class: its Days, its tier. */
function restoreArgs(
  req: RestoreRequestBody,
  cls: ArchiveClass,
  storageClass: string,
): { days: number; tier: RestoreTier } {
  // An Archive restore takes no JobParameters (ali-oss and oss2 suites: MalformedXML).
  if (req.jobParameters && !cls.tiers) throw malformedXml();
  let days = 1;
  if (req.days !== undefined) {
    days = /^\d{1,4}$/.test(req.days) ? Number(req.days) : NaN;
    if (!(days >= 1 && days <= cls.maxDays)) {
      throw invalidArgument(
        `The restore days must be an integer between 1 and ${cls.maxDays} for ${storageClass} objects.`,
        'Days',
        req.days,
      );
    }
  }
  const tier = (req.tier ?? 'Standard') as RestoreTier;
  // A tier OSS does not know is InvalidArgument (oss2 suite: test_restore_object_with_wrong_request).
  if (cls.time[tier] === undefined) {
    throw invalidArgument(
      `The restore tier \`${req.tier ?? ''}\` is not valid for ${storageClass} objects.`,
      'Tier',
      req.tier ?? '',
    );
  }
  return { days, tier };
}

/** How many times a restore retries when another request changed the row meanwhile. */
const CAS_ATTEMPTS = 3;

/** RestoreObject (`POST /<key>?restore`). */
export async function restoreObject(call: OssCall): Promise<OssReply> {
  if (!call.bucket) throw noSuchBucket(call.bucketName ?? '');
  const req = parseRestoreRequest(await readSmallBody(call, 64 * 1024));
  const o = await addressedObject(call);
  if (!isArchiveClass(o.storageClass)) throw operationNotSupported();
  const cls = ARCHIVE[o.storageClass]!;
  const { days, tier } = restoreArgs(req, cls, o.storageClass);
  const headers: Record<string, string> = cls.tiers
    ? { 'x-oss-object-restore-priority': tier }
    : {};
  for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
    const now = call.deps.clock.now();
    const existing = await call.deps.store.getRestore(o.objectId);
    const state = restoreState(o.storageClass, existing, now);
    let next: RestoreRecord;
    let status: number;
    if (state.kind === 'frozen') {
      const readyAt = now + cls.time[tier]!;
      next = {
        objectId: o.objectId,
        storageClass: o.storageClass,
        tier,
        days,
        requestedAt: now,
        readyAt,
        expiresAt: readyAt + days * DAY,
      };
      status = 202;
    } else if (state.kind === 'ongoing') {
      const current = state.record;
      const faster =
        RESTORE_TIERS.indexOf(tier) < RESTORE_TIERS.indexOf(current.tier as RestoreTier);
      if (!cls.tiers || !faster) throw restoreAlreadyInProgress();
      // A faster tier speeds the restore up (doc: "Restore objects", restoring state).
      const readyAt = Math.min(current.readyAt, now + cls.time[tier]!);
      next = { ...current, tier, days, readyAt, expiresAt: readyAt + days * DAY };
      status = 202;
    } else {
      // Each request in the restored state adds its Days to the copy's life (doc: RestoreObject,
      // "restored within 24 hours again extends it by 24 hours, 7 times for 7 days at most").
      const current = state.record;
      const expiresAt = Math.min(
        current.expiresAt + days * DAY,
        current.readyAt + cls.maxDays * DAY,
      );
      next = { ...current, days, expiresAt };
      status = 200;
    }
    let stored;
    try {
      stored = await call.deps.store.putRestore(next, existing);
    } catch (e) {
      if (isStoreError(e, 'NotFound')) throw noSuchKey(o.key);
      throw e;
    }
    if (stored) return { status, headers };
  }
  throw restoreAlreadyInProgress();
}

/**
 * CleanRestoredObject (`POST /<key>?cleanRestoredObject`): ends the restored state of a ColdArchive
 * or DeepColdArchive object early, so it is frozen again at once (200). `ArchiveRestoreNotFinished`
 * while the restore runs, `ArchiveRestoreFileStale` when there is no restored copy (never
 * restored, expired, or cleaned already); other classes are `OperationNotSupported` (doc:
 * CleanRestoredObject names only the two cold classes).
 */
export async function cleanRestoredObject(call: OssCall): Promise<OssReply> {
  if (!call.bucket) throw noSuchBucket(call.bucketName ?? '');
  const o = await addressedObject(call);
  if (o.storageClass !== 'ColdArchive' && o.storageClass !== 'DeepColdArchive') {
    throw operationNotSupported();
  }
  for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
    const now = call.deps.clock.now();
    const existing = await call.deps.store.getRestore(o.objectId);
    const state = restoreState(o.storageClass, existing, now);
    if (state.kind === 'frozen') throw archiveRestoreFileStale();
    if (state.kind === 'ongoing') throw archiveRestoreNotFinished();
    // The copy expires now: every request from here on sees the object frozen.
    if (await call.deps.store.putRestore({ ...state.record, expiresAt: now }, existing)) {
      return { status: 200 };
    }
  }
  throw archiveRestoreFileStale();
}
