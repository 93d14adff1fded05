/**
 * @module What the OSS handlers need from the metadata store (buckets, objects and the blobs that
 * make them up, multipart uploads and parts), as an interface; `store-sql.ts` implements it for
 * SQLite and PostgreSQL. Every mutation is one transaction; uniqueness (bucket names, keys, part
 * numbers) is enforced by constraints. Mutations that drop blobs return their ids, to be deleted
 * from the blob store after the commit.
 */
import type {
  Bucket,
  ObjectAcl,
  ObjectSummary,
  OssObject,
  Part,
  Upload,
  VersioningStatus,
} from './model.js';
import type { OssTagStore } from './store-sql-tags.js';

/** Where a listing starts: after `key` (exclusive), or at `key` (inclusive). */
export interface ListLower {
  key: string;
  inclusive: boolean;
  /** Uploads only: after this upload id within `key` (with `inclusive: false`). */
  id?: string;
}

/** A bounded, ordered range of keys under a prefix. */
export interface KeyRange {
  prefix: string;
  lower?: ListLower;
  limit: number;
}

/** A bucket change. `null` removes the policy or CORS rules. */
export interface BucketPatch {
  acl?: Bucket['acl'];
  policy?: string | null;
  cors?: string | null;
  website?: string | null;
  logging?: string | null;
  encryption?: Bucket['encryption'] | null;
  referer?: Bucket['referer'] | null;
  requestPayer?: Bucket['requestPayer'] | null;
  blockPublicAccess?: boolean | null;
  versioning?: VersioningStatus;
}

/** Counts and sizes of a bucket's objects and uploads (GetBucketStat). */
export interface BucketStats {
  /** Per storage class: objects, bytes, and bytes billed (64 KB at least per object). */
  classes: Array<{ storageClass: string; objects: number; bytes: number; billedBytes: number }>;
  /** Delete markers (versioning). */
  deleteMarkers: number;
  uploads: number;
  parts: number;
  partBytes: number;
}

/** An object change that keeps its bytes (CopyObject onto itself, PutObjectAcl). */
export interface ObjectPatch {
  acl?: ObjectAcl;
  headers?: OssObject['headers'];
  storageClass?: string;
  lastModified?: number;
}

/**
 * How a write treats the versions of its key: the bucket's versioning state as the request found
 * it (`undefined`: never versioned; the key has one version, `null`, replaced in place).
 */
export interface WriteOptions {
  /**
   * `AlreadyExists` when the key has a current object (not a delete marker). Handlers do not ask
   * for it in a bucket with versioning (OSS does not honour `x-oss-forbid-overwrite` there);
   * yunbox's own writers (access logs) do.
   */
  forbidOverwrite?: boolean;
  versioning?: VersioningStatus;
  /** Retention (WORM) in force: see {@link RetainedAfter}. */
  retainedAfter?: RetainedAfter;
}

/**
 * Retention (WORM) in force for a write or delete: a time (ms, yunbox's clock); the store refuses
 * (`Conflict` with entity {@link RETAINED}), inside the change's transaction and under the key's
 * lock, to replace or remove a version (not a delete marker) last modified after it. `undefined`:
 * no policy in effect. Adding a version or a delete marker replaces nothing and passes.
 */
export type RetainedAfter = number | undefined;

/** The `entity` of the `Conflict` a store throws for a version under retention. */
export const RETAINED = 'retained';

/** One key to delete, or one version of it. */
export interface DeleteTarget {
  key: string;
  versionId?: string;
}

/** What deleting a {@link DeleteTarget} did. */
export interface DeleteOutcome {
  key: string;
  /** The version deleted, when one was named. */
  versionId?: string;
  /** A delete marker was made, or the version deleted was one. */
  deleteMarker?: boolean;
  /** The marker's version id. */
  deleteMarkerVersionId?: string;
}

/** A version as ListObjectVersions shows it. */
export interface VersionSummary extends ObjectSummary {
  /** The version's row (restore state and tags are kept by it). */
  objectId: string;
  versionId: string;
  isLatest: boolean;
  deleteMarker: boolean;
}

/**
 * A restore of an archived object version (RestoreObject), on yunbox's clock: the copy is
 * readable from `readyAt` until `expiresAt` (ms). It applies while the object is still of
 * `storageClass`.
 */
export interface RestoreRecord {
  objectId: string;
  storageClass: string;
  /** `Expedited`, `Standard` or `Bulk` (`Standard` for Archive objects). */
  tier: string;
  days: number;
  requestedAt: number;
  readyAt: number;
  expiresAt: number;
}

/** Result of an append: the object after it, or the length it really has. */
export type AppendResult =
  | { ok: true; object: OssObject }
  | { ok: false; reason: 'position'; length: number }
  | { ok: false; reason: 'not-appendable' };

/** A noncurrent version, or a current delete marker, as lifecycle's version actions see it. */
export interface NoncurrentCandidate {
  key: string;
  objectId: string;
  versionId: string;
  size: number;
  storageClass: string;
  deleteMarker: boolean;
  isLatest: boolean;
  /** The version's place among its key's (higher is newer); the page's resume point. */
  seq: number;
  /** When it stopped being current (the next newer version's last-modified); none if current. */
  noncurrentSince?: number;
  /** How many versions (markers included) the key has. */
  versions: number;
}

/** A current object as the lifecycle runner sees it. */
export interface LifecycleCandidate {
  key: string;
  objectId: string;
  size: number;
  storageClass: string;
  lastModified: number;
  objectType: string;
}

/** A bucket's retention policy (WORM), as stored. */
export interface BucketWorm {
  bucket: string;
  wormId: string;
  state: 'InProgress' | 'Locked';
  /** Retention period of objects, in days after their last modification. */
  days: number;
  /** When it was initiated (yunbox's clock, ms). */
  createdAt: number;
}

/** Result of InitiateBucketWorm: stored, or refused because a policy is in effect. */
export type InitiateWormResult = { ok: true } | { ok: false; existing: BucketWorm };

/** The OSS metadata store (tags: `store-sql-tags.ts`). */
export interface OssStore extends OssTagStore {
  /** Creates a bucket; `AlreadyExists` when the name is taken (by anyone), `Conflict` past `max` buckets for the account. */
  createBucket(bucket: Bucket, max: number): Promise<void>;
  getBucket(name: string): Promise<Bucket | undefined>;
  /** An account's buckets by name, after `marker`, starting with `prefix`. */
  listBuckets(accountId: string, prefix: string, marker: string, limit: number): Promise<Bucket[]>;
  updateBucket(name: string, patch: BucketPatch): Promise<void>;
  /** `NotFound` when absent; `Conflict` when objects or uploads remain. */
  deleteBucket(name: string): Promise<void>;

  /** The current object at a key; `undefined` when none or when it is a delete marker. */
  getObject(bucket: string, key: string): Promise<OssObject | undefined>;
  /** One version of a key (a delete marker too); `undefined` when it does not exist. */
  getObjectVersion(bucket: string, key: string, versionId: string): Promise<OssObject | undefined>;
  /**
   * A bucket and the current version at a key in it (a delete marker too), in one round trip
   * (the hot path of object requests).
   */
  getBucketAndObject(bucket: string, key: string): Promise<{ bucket?: Bucket; object?: OssObject }>;
  /**
   * Stores `object` as the current version of its key: unversioned, replacing the object; with
   * versioning, adding the version `object.versionId` (`null`: replacing the `null` one). Returns
   * the replaced blobs. `AlreadyExists` with `forbidOverwrite` when the key exists; `NotFound`
   * when the bucket is gone.
   */
  putObject(object: OssObject, options?: WriteOptions): Promise<string[]>;
  /**
   * Changes the current object (or the version `versionId`) without touching its bytes; false
   * when it does not exist (or is a delete marker).
   */
  updateObject(
    bucket: string,
    key: string,
    patch: ObjectPatch,
    versionId?: string,
    retainedAfter?: RetainedAfter,
  ): Promise<boolean>;
  /**
   * Appends one segment at `position` (which must equal the current length), creating an
   * appendable object from `create` when the key is free and `position` is 0.
   */
  appendObject(
    create: OssObject,
    position: number,
    segment: { blobId: string; size: number; md5Hex: string; crc64: string },
    now: number,
    options?: WriteOptions,
  ): Promise<AppendResult>;
  /**
   * Deletes objects of an unversioned bucket (every version of each key); returns their blobs
   * (missing keys are skipped). All or nothing: one key under retention refuses them all.
   */
  deleteObjects(
    bucket: string,
    keys: readonly string[],
    retainedAfter?: RetainedAfter,
  ): Promise<string[]>;
  /**
   * Deletes as a versioned bucket does: a target naming a version removes it for good (the next
   * newest becomes current); one without leaves a delete marker (under Suspended, in place of the
   * `null` version); unversioned, as {@link deleteObjects}. Returns what each did, and the blobs.
   * One transaction holding every key's lock: all or nothing (one version under retention refuses
   * them all).
   */
  deleteVersions(
    bucket: string,
    targets: readonly DeleteTarget[],
    versioning: VersioningStatus | undefined,
    now: number,
    retainedAfter?: RetainedAfter,
  ): Promise<{ outcomes: DeleteOutcome[]; dropped: string[] }>;
  /** Current objects of a bucket (no delete markers) in key order (UTF-8 byte order). */
  listObjects(bucket: string, range: KeyRange): Promise<ObjectSummary[]>;
  /**
   * Every version of a bucket's keys: keys in byte order, each key's versions newest first; the
   * lower bound's `id` is a version id (start after it within its key).
   */
  listVersions(bucket: string, range: KeyRange): Promise<VersionSummary[]>;

  createUpload(upload: Upload): Promise<void>;
  getUpload(uploadId: string): Promise<Upload | undefined>;
  /** Stores a part, replacing one with the same number; returns the replaced blob. `NotFound` when the upload is gone. */
  putPart(part: Part): Promise<string | undefined>;
  /** Parts of an upload by number, after `after`. */
  listParts(uploadId: string, after: number, limit: number): Promise<Part[]>;
  /** The highest part number of an upload so far (0 when it has none). */
  lastPartNumber(uploadId: string): Promise<number>;
  /** Every part of an upload, by number. */
  allParts(uploadId: string): Promise<Part[]>;
  /**
   * Ends an upload as `object` (whose segments are parts of it): removes the upload and its
   * parts, stores the object. Returns the blobs no longer used (parts left out, the replaced
   * object). `NotFound` when the upload is gone; `AlreadyExists` with `forbidOverwrite`.
   */
  completeUpload(uploadId: string, object: OssObject, options?: WriteOptions): Promise<string[]>;
  /** Removes an upload and its parts; returns their blobs. `NotFound` when it is gone. */
  abortUpload(uploadId: string): Promise<string[]>;
  /** Uploads of a bucket ordered by key, then upload id. */
  listUploads(bucket: string, range: KeyRange): Promise<Upload[]>;

  /**
   * Stores an inventory configuration (JSON) under its id, replacing one with the same id (whose
   * schedule stays); a new one's first report is due at `nextRun`. `Conflict` when the bucket
   * already has `max` others, `NotFound` when the bucket is gone.
   */
  putInventory(
    bucket: string,
    id: string,
    config: string,
    max: number,
    nextRun: number,
  ): Promise<void>;
  getInventory(bucket: string, id: string): Promise<string | undefined>;
  /** Inventory configurations of a bucket by id (byte order), after `after`. */
  listInventories(
    bucket: string,
    after: string,
    limit: number,
  ): Promise<Array<{ id: string; config: string }>>;
  /** False when there was none. */
  deleteInventory(bucket: string, id: string): Promise<boolean>;
  /** Inventory configurations whose report is due by `now`, at most `limit`. */
  dueInventories(
    now: number,
    limit: number,
  ): Promise<Array<{ bucket: string; id: string; config: string; nextRun: number }>>;
  /**
   * Moves a configuration's next report from `from` to `to`; false when another node (or a
   * change of the configuration) moved it first, so each report is made once.
   */
  claimInventoryRun(bucket: string, id: string, from: number, to: number): Promise<boolean>;
  /** Counts and sizes of a bucket's objects, uploads and parts. */
  bucketStats(bucket: string): Promise<BucketStats>;
  /** An account's Block Public Access (PutPublicAccessBlock), `undefined` when never set. */
  getAccountPublicAccessBlock(accountId: string): Promise<boolean | undefined>;
  /** Sets (or with `null` removes) an account's Block Public Access. */
  setAccountPublicAccessBlock(accountId: string, block: boolean | null): Promise<void>;

  /** The restore of an object version (by `object_id`), if any (store-sql-restore.ts). */
  getRestore(objectId: string): Promise<RestoreRecord | undefined>;
  /** The restores of the objects at `keys` of `bucket`, by key. */
  restoresAt(bucket: string, keys: readonly string[]): Promise<Map<string, RestoreRecord>>;
  /**
   * Stores `next` if the object's restore is still `expected` (`undefined`: none); false when
   * another request changed it first. `NotFound` when the object is gone.
   */
  putRestore(next: RestoreRecord, expected: RestoreRecord | undefined): Promise<boolean>;
  // ---- lifecycle (store-sql-lifecycle.ts, lifecycle-runner.ts)
  /**
   * Stores a bucket's lifecycle rules (JSON), replacing any (the sweep bookkeeping stays); a new
   * configuration is first applied at the first midnight after `sweptThrough`. `NotFound` when
   * the bucket is gone.
   */
  putLifecycle(bucket: string, rules: string, sweptThrough: number): Promise<void>;
  /** A bucket's lifecycle rules (JSON), `undefined` when none. */
  getLifecycle(bucket: string): Promise<string | undefined>;
  /** False when there were none. */
  deleteLifecycle(bucket: string): Promise<boolean>;
  /** Buckets whose rules were last applied before `boundary` (a midnight UTC), at most `limit`. */
  dueLifecycles(
    boundary: number,
    limit: number,
  ): Promise<Array<{ bucket: string; sweptThrough: number }>>;
  /**
   * Claims a bucket's sweep for `boundary` with a lease until `leaseUntil` (real ms); answers
   * the rules when claimed, `undefined` when another node holds or did it.
   */
  claimLifecycle(
    bucket: string,
    boundary: number,
    realNow: number,
    leaseUntil: number,
  ): Promise<string | undefined>;
  /** Buckets whose sweep some node holds an unexpired lease on, at most `limit`. */
  leasedLifecycles(realNow: number, limit: number): Promise<string[]>;
  /** Extends a sweep's lease, or gives it back with `null`. */
  leaseLifecycle(bucket: string, until: number | null): Promise<void>;
  /** Current objects under `prefix` after key `after`, in key order. */
  lifecycleCandidates(
    bucket: string,
    prefix: string,
    after: string | undefined,
    limit: number,
  ): Promise<LifecycleCandidate[]>;
  /**
   * Expires the current object of `key` when it is still the version `objectId`: deleted in a
   * bucket never versioned, else hidden by a delete marker made at `now`. Answers the blobs to
   * free, `undefined` when it changed, was already gone, or is under retention.
   */
  expireObject(
    bucket: string,
    key: string,
    objectId: string,
    now: number,
    retainedAfter?: RetainedAfter,
  ): Promise<string[] | undefined>;
  /**
   * Noncurrent versions and current delete markers under `prefix`, by key then newest first,
   * after `after` (a key and a version's `seq`).
   */
  noncurrentCandidates(
    bucket: string,
    prefix: string,
    after: { key: string; seq: number } | undefined,
    limit: number,
  ): Promise<NoncurrentCandidate[]>;
  /** Moves version `objectId` from class `from` to `to`; false when it changed meanwhile. */
  transitionObject(
    bucket: string,
    key: string,
    objectId: string,
    from: string,
    to: string,
  ): Promise<boolean>;
  /** A bucket's retention policy as stored (store-sql-worm.ts), void `InProgress` ones included. */
  getBucketWorm(bucket: string): Promise<BucketWorm | undefined>;
  /**
   * Stores a new `InProgress` policy unless one is in effect (returned instead); replaces a void
   * one (`InProgress` created at or before `voidBefore`). `NotFound` when the bucket is gone.
   */
  initiateBucketWorm(worm: BucketWorm, voidBefore: number): Promise<InitiateWormResult>;
  /** Removes the policy if in progress and not void; false otherwise. */
  abortBucketWorm(bucket: string, voidBefore: number): Promise<boolean>;
  /** Locks policy `wormId` if in progress and not void; false otherwise. */
  completeBucketWorm(bucket: string, wormId: string, voidBefore: number): Promise<boolean>;
  /** Lengthens locked policy `wormId` to `days` (longer only); false otherwise. */
  extendBucketWorm(bucket: string, wormId: string, days: number): Promise<boolean>;

  /** Which of `blobIds` some object or part still uses (for the orphan sweep). */
  referencedBlobs(blobIds: readonly string[]): Promise<Set<string>>;
}
