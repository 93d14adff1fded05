/**
 * @module What the OSS handlers need from the metadata store (buckets, objects and the blobs that
 * make them up, multipart uploads and parts), as an interface; `store-sql.ts` implements it for
 * SQLite and PostgreSQL. Every mutation is one transaction; uniqueness (bucket names, keys, part
 * numbers) is enforced by constraints. Mutations that drop blobs return their ids, to be deleted
 * from the blob store after the commit.
 */
import type { Bucket, ObjectAcl, ObjectSummary, OssObject, Part, Upload } from './model.js';

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
}

/** Counts and sizes of a bucket's objects and uploads (GetBucketStat). */
export interface BucketStats {
  /** Per storage class: objects, bytes, and bytes billed (64 KB at least per object). */
  classes: Array<{ storageClass: string; objects: number; bytes: number; billedBytes: number }>;
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

/** Result of an append: the object after it, or the length it really has. */
export type AppendResult =
  | { ok: true; object: OssObject }
  | { ok: false; reason: 'position'; length: number }
  | { ok: false; reason: 'not-appendable' };

/** A current object as the lifecycle runner sees it. */
export interface LifecycleCandidate {
  key: string;
  objectId: string;
  size: number;
  storageClass: string;
  lastModified: number;
  objectType: string;
}

/** The OSS metadata store. */
export interface OssStore {
  /** Creates a bucket; `AlreadyExists` when the name is taken (by anyone), `Conflict` past `max` buckets for the account. */
  createBucket(bucket: Bucket, max: number): Promise<void>;
  getBucket(name: string): Promise<Bucket | undefined>;
  /** An account's buckets by name, after `marker`, starting with `prefix`. */
  listBuckets(accountId: string, prefix: string, marker: string, limit: number): Promise<Bucket[]>;
  updateBucket(name: string, patch: BucketPatch): Promise<void>;
  /** `NotFound` when absent; `Conflict` when objects or uploads remain. */
  deleteBucket(name: string): Promise<void>;

  getObject(bucket: string, key: string): Promise<OssObject | undefined>;
  /** A bucket and an object in it, in one round trip (the hot path of object requests). */
  getBucketAndObject(bucket: string, key: string): Promise<{ bucket?: Bucket; object?: OssObject }>;
  /**
   * Stores `object` under its key, replacing any previous one; returns the replaced blobs.
   * `AlreadyExists` with `forbidOverwrite` when the key exists; `NotFound` when the bucket is gone.
   */
  putObject(object: OssObject, options?: { forbidOverwrite?: boolean }): Promise<string[]>;
  /** Changes an object without touching its bytes; false when it does not exist. */
  updateObject(bucket: string, key: string, patch: ObjectPatch): Promise<boolean>;
  /**
   * Appends one segment at `position` (which must equal the current length), creating an
   * appendable object from `create` when the key is free and `position` is 0.
   */
  appendObject(
    create: OssObject,
    position: number,
    segment: { blobId: string; size: number; md5Hex: string; crc64: string },
    now: number,
  ): Promise<AppendResult>;
  /** Deletes objects; returns their blobs (missing keys are skipped). */
  deleteObjects(bucket: string, keys: readonly string[]): Promise<string[]>;
  /** Objects of a bucket in key order (UTF-8 byte order). */
  listObjects(bucket: string, range: KeyRange): Promise<ObjectSummary[]>;

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
  completeUpload(
    uploadId: string,
    object: OssObject,
    options?: { forbidOverwrite?: boolean },
  ): Promise<string[]>;
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
   * Deletes the object under `key` through the ordinary delete when it is still the version
   * `objectId`; answers the blobs to free, `undefined` when it changed or was already gone.
   */
  expireObject(bucket: string, key: string, objectId: string): Promise<string[] | undefined>;
  /** Moves version `objectId` from class `from` to `to`; false when it changed meanwhile. */
  transitionObject(
    bucket: string,
    key: string,
    objectId: string,
    from: string,
    to: string,
  ): Promise<boolean>;

  /** Which of `blobIds` some object or part still uses (for the orphan sweep). */
  referencedBlobs(blobIds: readonly string[]): Promise<Set<string>>;
}
