/**
 * @module OSS domain types (camelCase) and pure helpers: bucket and key rules, ACLs, storage
 * classes, resource ARNs, endpoint names, key ordering (UTF-8 byte order, as listings sort) and
 * the content types OSS guesses from a key's extension.
 */
import { randomBytes } from 'node:crypto';
import type { BlobSegment } from '../../blob/concat.js';

/** Bucket ACLs (oss.md §10.4). */
export const BUCKET_ACLS = ['private', 'public-read', 'public-read-write'] as const;
/** A bucket ACL. */
export type BucketAcl = (typeof BUCKET_ACLS)[number];
/** Object ACLs: a bucket ACL, or `default` (inherit the bucket's). */
export const OBJECT_ACLS = ['default', ...BUCKET_ACLS] as const;
/** An object ACL. */
export type ObjectAcl = (typeof OBJECT_ACLS)[number];

/** Storage classes OSS accepts (PutBucket, x-oss-storage-class). */
export const STORAGE_CLASSES = [
  'Standard',
  'IA',
  'Archive',
  'ColdArchive',
  'DeepColdArchive',
] as const;
/** Data redundancy types. */
export const REDUNDANCY_TYPES = ['LRS', 'ZRS'] as const;

/**
 * `Normal` (PutObject, CopyObject, PostObject), `Multipart`, `Appendable`, or `Symlink`
 * (PutSymlink: no bytes of its own, handlers/symlink.ts).
 */
export type ObjectType = 'Normal' | 'Multipart' | 'Appendable' | 'Symlink';

/** An object or bucket tag (handlers/tagging.ts has OSS's rules for each). */
export interface Tag {
  key: string;
  value: string;
}

/** Largest PutObject / PostObject / part / append body: 5 GB (oss.md §5). */
export const MAX_OBJECT_BYTES = 5 * 1024 * 1024 * 1024;
/** Smallest multipart part except the last, checked at completion: 100 KB. */
export const MIN_PART_BYTES = 100 * 1024;
/** Part numbers run from 1 to this. */
export const MAX_PART_NUMBER = 10000;
/** Buckets per account (PutBucket doc: 100 per account per region). */
export const MAX_BUCKETS_PER_ACCOUNT = 100;
/** Longest key, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1023;
/** Largest total of user metadata (`x-oss-meta-*` names and values), in bytes. */
export const MAX_USER_META_BYTES = 8 * 1024;

/** A bucket. Names are globally unique; the bucket belongs to one account. */
export interface Bucket {
  name: string;
  accountId: string;
  /** Standard region id (`cn-hangzhou`); the OSS region id is `oss-` + this. */
  region: string;
  acl: BucketAcl;
  storageClass: string;
  redundancy: string;
  createdAt: number;
  /** Bucket policy document, when set. */
  policy?: string;
  /** CORS rules as JSON (`CorsConfiguration`), when set. */
  cors?: string;
  /** Static-website settings as JSON (`WebsiteConfig`, handlers/website.ts), when set. */
  website?: string;
  /** Access-logging settings as JSON (`LoggingConfig`, handlers/logging.ts), when set. */
  logging?: string;
  /** Default server-side encryption of new objects (PutBucketEncryption), when set. */
  encryption?: BucketEncryption;
  /** Referer rules (PutBucketReferer), when set. */
  referer?: RefererConfig;
  /** `Requester` when requesters pay (PutBucketRequestPayment); absent: the owner pays. */
  requestPayer?: 'Requester';
  /** The bucket's Block Public Access (PutBucketPublicAccessBlock), when set. */
  blockPublicAccess?: boolean;
  /** Versioning (PutBucketVersioning); absent while it was never set (never back to absent). */
  versioning?: VersioningStatus;
}

/** Versioning states a bucket can be put in (PutBucketVersioning). */
export const VERSIONING_STATES = ['Enabled', 'Suspended'] as const;
/** A bucket's versioning state. */
export type VersioningStatus = (typeof VERSIONING_STATES)[number];

/** The version id of objects written while versioning is off or suspended. */
export const NULL_VERSION = 'null';

/**
 * A new version id: 32 URL-safe characters, a millisecond time then randomness (ids are opaque;
 * OSS's own are base64 too). `stamp` is the writer's clock, for ids that read in write order.
 */
export function newVersionId(stamp: number): string {
  const b = randomBytes(24);
  b.writeUIntBE(Math.max(0, Math.min(stamp, 2 ** 48 - 1)), 0, 6);
  return b.toString('base64url');
}

/** The version id a write in a bucket with this versioning state gets. */
export function versionFor(versioning: VersioningStatus | undefined, now: number): string {
  return versioning === 'Enabled' ? newVersionId(now) : NULL_VERSION;
}

/**
 * Whether `v` can be a version id at all (`null`, or base64 of either alphabet, as OSS's are):
 * anything else is refused before a lookup.
 */
export function isVersionIdShape(v: string): boolean {
  return v.length > 0 && v.length <= 256 && /^[A-Za-z0-9+/=_-]+$/.test(v);
}

/** Server-side encryption algorithms OSS knows (doc: PutBucketEncryption, PutObject). */
export const SSE_ALGORITHMS = ['AES256', 'SM4', 'KMS'] as const;
/** A server-side encryption algorithm. */
export type SseAlgorithm = (typeof SSE_ALGORITHMS)[number];

/** A bucket's default encryption (`ApplyServerSideEncryptionByDefault`). */
export interface BucketEncryption {
  sseAlgorithm: SseAlgorithm;
  kmsMasterKeyId?: string;
  kmsDataEncryption?: string;
}

/** A bucket's Referer rules (`RefererConfiguration`, doc: PutBucketReferer). */
export interface RefererConfig {
  allowEmpty: boolean;
  allowTruncateQueryString: boolean;
  truncatePath: boolean;
  allow: string[];
  deny: string[];
}

/**
 * Stored headers of an object: `content-type`, `cache-control`, `content-disposition`,
 * `content-encoding`, `content-language`, `expires` and `x-oss-meta-*` (lower-case names).
 */
export type ObjectHeaders = Record<string, string>;

/** An object as listings see it. */
export interface ObjectSummary {
  key: string;
  size: number;
  /** Quoted upper-case ETag. */
  etag: string;
  objectType: ObjectType;
  storageClass: string;
  lastModified: number;
  /** Listings only: `RestoreInfo` of an archive object being restored or restored. */
  restoreInfo?: string;
}

/** An object with everything needed to serve it. */
export interface OssObject extends ObjectSummary {
  bucket: string;
  /** Random id of this version of the object; a new write gets a new one. */
  objectId: string;
  /**
   * Version id: {@link NULL_VERSION} for objects written while versioning was off or suspended,
   * else the id minted by the write. Absent on objects not yet stored: the store settles it.
   */
  versionId?: string;
  /** A delete marker (no bytes): the latest version of a key deleted under versioning. */
  deleteMarker?: boolean;
  /** CRC-64 of the whole object, decimal. */
  crc64: string;
  headers: ObjectHeaders;
  acl: ObjectAcl;
  /** The blobs whose concatenation is the object's bytes. */
  segments: StoredSegment[];
  /** Tags written with the object (`x-oss-tagging`), in the same transaction; none if absent. */
  tags?: readonly Tag[];
  /** How many tags the object carries, as read (`x-oss-tagging-count`). */
  tagCount?: number;
}

/** One blob of an object, with its hashes (parts of a multipart object, appends). */
export interface StoredSegment extends BlobSegment {
  /** MD5 in upper-case hex. */
  md5: string;
  crc64: string;
}

/** A multipart upload in progress. */
export interface Upload {
  uploadId: string;
  bucket: string;
  key: string;
  initiated: number;
  headers: ObjectHeaders;
  acl: ObjectAcl;
  storageClass: string;
  /** Started with `?sequential`: parts in order, the object's Content-MD5 kept (OSS). */
  sequential?: boolean;
  /** Tags of `x-oss-tagging`, given to the object when the upload completes. */
  tags?: readonly Tag[];
}

/** One uploaded part. */
export interface Part {
  uploadId: string;
  partNumber: number;
  blobId: string;
  size: number;
  /** Quoted upper-case MD5. */
  etag: string;
  crc64: string;
  lastModified: number;
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

/**
 * True for a valid bucket name: 3-63 characters, lower-case letters, digits and `-`, starting and
 * ending with a letter or digit (doc: Bucket naming conventions).
 * @example
 * isValidBucketName('examplebucket') // true
 * isValidBucketName('Example_Bucket') // false
 */
export function isValidBucketName(name: string): boolean {
  return BUCKET_NAME.test(name);
}

/**
 * Why a key is not a valid object name, or `undefined`: 1-1023 bytes of UTF-8, not starting with
 * `/` or `\` (doc: Object naming conventions, 0016-00000005), and no NUL (it cannot be stored,
 * and no SDK sends it).
 * @example
 * keyProblem('dir/a.txt') // undefined
 * keyProblem('/etc/passwd') // 'starts with `/` or `\\`'
 */
export function keyProblem(key: string): string | undefined {
  if (key.length === 0) return 'empty';
  if (key.startsWith('/') || key.startsWith('\\')) return 'starts with `/` or `\\`';
  if (key.includes('\u0000')) return 'contains NUL';
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) return `longer than ${MAX_KEY_BYTES} bytes`;
  if (/[\uD800-\uDFFF]/.test(key.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ''))) {
    return 'not valid UTF-8';
  }
  return undefined;
}

/**
 * The resource group every bucket of an account is in (`ResourceGroupId` of GetBucketInfo):
 * yunbox has no Resource Manager, so each account has one group, the default, whose id is made
 * from the account id in the `rg-` form Resource Manager uses.
 * @example
 * defaultResourceGroupId('1234567890123456') // 'rg-acfm1234567890123456'
 */
export function defaultResourceGroupId(accountId: string): string {
  return `rg-acfm${accountId}`;
}

/** `acs:oss:<region>:<account>:<bucket>` */
export function bucketArn(region: string, accountId: string, bucket: string): string {
  return `acs:oss:${region}:${accountId}:${bucket}`;
}

/** `acs:oss:<region>:<account>:<bucket>/<key>` */
export function objectArn(region: string, accountId: string, bucket: string, key: string): string {
  return `acs:oss:${region}:${accountId}:${bucket}/${key}`;
}

/** `acs:oss:<region>:<account>:*` (ListBuckets). */
export function serviceArn(region: string, accountId: string): string {
  return `acs:oss:${region}:${accountId}:*`;
}

/** Public endpoint host of a region: `oss-<region>.aliyuncs.com`. */
export function extranetEndpoint(region: string): string {
  return `oss-${region}.aliyuncs.com`;
}

/** Internal endpoint host of a region: `oss-<region>-internal.aliyuncs.com`. */
export function intranetEndpoint(region: string): string {
  return `oss-${region}-internal.aliyuncs.com`;
}

/**
 * Compare two strings by the UTF-8 bytes they encode (code point order), the order OSS lists
 * keys in and the order of the key columns (`COLLATE "C"` on PostgreSQL, BINARY on SQLite).
 * JavaScript's `<` compares UTF-16 code units, which differs for characters above U+FFFF.
 * @example
 * compareKeys('\uFFFD', '\u{1F600}') // -1 (while '\uFFFD' > '\u{1F600}' in UTF-16)
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate stands for a code point above U+FFFF: larger than any BMP unit >= U+E000.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys && (xs ? y >= 0xe000 : x >= 0xe000)) return xs ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/**
 * The smallest string greater than every string that starts with `prefix` (in UTF-8 byte
 * order), or `undefined` when there is none: the last code point incremented, skipping the
 * surrogate range.
 * @example
 * prefixEnd('a/') // 'a0'
 */
export function prefixEnd(prefix: string): string | undefined {
  const cps = [...prefix];
  while (cps.length > 0) {
    const last = cps.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) {
      const next = last === 0xd7ff ? 0xe000 : last + 1;
      return cps.join('') + String.fromCodePoint(next);
    }
  }
  return undefined;
}

const MIME: Readonly<Record<string, string>> = {
  txt: 'text/plain',
  htm: 'text/html',
  html: 'text/html',
  css: 'text/css',
  csv: 'text/csv',
  xml: 'application/xml',
  js: 'application/javascript',
  mjs: 'application/javascript',
  json: 'application/json',
  pdf: 'application/pdf',
  zip: 'application/zip',
  gz: 'application/gzip',
  tar: 'application/x-tar',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  svg: 'image/svg+xml',
  ico: 'image/x-icon',
  mp3: 'audio/mpeg',
  mp4: 'video/mp4',
  webm: 'video/webm',
  wasm: 'application/wasm',
  bin: 'application/octet-stream',
};

/**
 * The Content-Type OSS gives an object uploaded without one: from the key's extension, else
 * `application/octet-stream` (doc: PutObject, "Content-Type").
 * @example
 * contentTypeFor('photos/a.JPG') // 'image/jpeg'
 */
export function contentTypeFor(key: string): string {
  const dot = key.lastIndexOf('.');
  if (dot === -1 || dot < key.lastIndexOf('/')) return 'application/octet-stream';
  return MIME[key.slice(dot + 1).toLowerCase()] ?? 'application/octet-stream';
}
