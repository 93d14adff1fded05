/**
 * @module Helpers the OSS handlers share: reading small XML bodies with a bound, streaming an
 * object body into the blob store with its Content-MD5 checked, the object headers stored from a
 * request and served back, ACL and storage-class arguments, and deleting blobs after a commit.
 */
import { BodyIncomplete, BodyTimeout, BodyTooLarge } from '../../../kernel/body.js';
import { BlobIncomplete, BlobTooLarge, type BlobInfo } from '../../../blob/blob-store.js';
import { httpDate } from '../../../protocol/oss-format.js';
import type { OssResult } from '../../../protocol/oss-errors.js';
import type { OssCall, OssDeps } from '../context.js';
import {
  OssError,
  entityTooLarge,
  incompleteBody,
  invalidArgument,
  invalidDigest,
  missingContentLength,
  operationNotSupported,
  requestTimeout,
} from '../errors.js';
import {
  BUCKET_ACLS,
  MAX_OBJECT_BYTES,
  MAX_USER_META_BYTES,
  OBJECT_ACLS,
  STORAGE_CLASSES,
  contentTypeFor,
  type BucketAcl,
  type ObjectAcl,
  type ObjectHeaders,
  type OssObject,
} from '../model.js';

/** Largest XML (or JSON policy) request body read into memory. */
export const SMALL_BODY_LIMIT = 2 * 1024 * 1024;

/**
 * The whole (small) request body; `EntityTooLarge` past `limit`, `IncompleteBody` when the
 * client stops early.
 */
export async function readSmallBody(call: OssCall, limit = SMALL_BODY_LIMIT): Promise<Buffer> {
  try {
    return await call.readAll(limit);
  } catch (e) {
    if (e instanceof BodyTooLarge) throw entityTooLarge();
    if (e instanceof BodyTimeout) throw requestTimeout();
    if (e instanceof BodyIncomplete) throw incompleteBody();
    throw e;
  }
}

/** The value of a codec result, or its failure thrown as an {@link OssError}. */
export function unwrap<T>(r: OssResult<T>): T {
  if (!r.ok) throw OssError.from(r);
  return r.value;
}

/** The Content-MD5 header as 16 bytes, `undefined` when absent; `InvalidDigest` when malformed. */
export function contentMd5(call: OssCall): Buffer | undefined {
  const v = call.header('content-md5');
  if (v === undefined) return undefined;
  const bytes = Buffer.from(v.trim(), 'base64');
  if (bytes.length !== 16 || bytes.toString('base64') !== v.trim()) throw invalidDigest(false);
  return bytes;
}

/**
 * Stream the request body into a new blob: size bounds from Content-Length (which must be given
 * unless the body is chunked), MD5 and CRC-64 computed on the way, Content-MD5 checked at the
 * end (the blob is deleted when it does not match). Resolves once the bytes are durable.
 */
export async function writeRequestBody(
  call: OssCall,
  maxBytes: number = MAX_OBJECT_BYTES,
): Promise<BlobInfo> {
  const md5 = contentMd5(call);
  const length = call.contentLength;
  if (length === undefined && !call.chunked) throw missingContentLength();
  if (length !== undefined && length > maxBytes) throw entityTooLarge();
  let info: BlobInfo;
  try {
    info = await call.deps.blobs.write(call.body, {
      maxBytes,
      ...(length !== undefined ? { expectedBytes: length } : {}),
    });
  } catch (e) {
    throw blobWriteError(e);
  }
  if (md5 !== undefined && !md5.equals(info.md5)) {
    await call.deps.blobs.delete([info.blobId]);
    throw invalidDigest(true, info.md5.toString('base64'));
  }
  return info;
}

/** The OSS error for a failed blob write (bounds, incomplete body), or the error itself. */
export function blobWriteError(e: unknown): unknown {
  if (e instanceof BlobTooLarge) return entityTooLarge();
  if (e instanceof BodyTimeout) return requestTimeout();
  if (e instanceof BlobIncomplete) return incompleteBody();
  return e;
}

/** Deletes blobs no longer referenced after a commit; a failure leaves orphans for the sweep. */
export function dropBlobs(deps: OssDeps, blobIds: readonly string[]): void {
  if (blobIds.length === 0) return;
  deps.blobCache.delete(blobIds);
  deps.blobs.delete(blobIds).catch((e) => {
    deps.log.warn({ err: e, count: blobIds.length }, 'could not delete replaced blobs');
  });
}

const STORED = [
  'cache-control',
  'content-disposition',
  'content-encoding',
  'content-language',
  'expires',
] as const;

/**
 * The headers an object keeps from the request that creates it: Content-Type (guessed from the
 * key when absent), Cache-Control, Content-Disposition, Content-Encoding, Content-Language,
 * Expires, and every `x-oss-meta-*` (names lower-cased, at most 8 KB in total).
 */
export function objectHeadersFrom(
  get: (name: string) => string | undefined,
  names: readonly string[],
  key: string,
): ObjectHeaders {
  const out: ObjectHeaders = {};
  out['content-type'] = get('content-type') || contentTypeFor(key);
  for (const name of STORED) {
    const v = get(name);
    if (v !== undefined) out[name] = v;
  }
  let metaBytes = 0;
  for (const name of names) {
    if (!name.startsWith('x-oss-meta-')) continue;
    const v = get(name) ?? '';
    metaBytes += name.length - 'x-oss-meta-'.length + Buffer.byteLength(v);
    out[name] = v;
  }
  if (metaBytes > MAX_USER_META_BYTES) {
    throw invalidArgument(
      'Your metadata headers exceed the maximum allowed metadata size.',
      'x-oss-meta-*',
      String(metaBytes),
    );
  }
  return out;
}

/** Object headers from the call's request. */
export function requestObjectHeaders(call: OssCall, key: string): ObjectHeaders {
  return objectHeadersFrom((n) => call.header(n), call.headerNames(), key);
}

/** A bucket ACL argument (`x-oss-acl`); `InvalidArgument` for anything else. */
export function bucketAclArg(value: string | undefined, name = 'x-oss-acl'): BucketAcl | undefined {
  if (value === undefined) return undefined;
  if ((BUCKET_ACLS as readonly string[]).includes(value)) return value as BucketAcl;
  throw invalidArgument('no such bucket access control exists', name, value);
}

/** An object ACL argument (`x-oss-object-acl`); `InvalidArgument` for anything else. */
export function objectAclArg(value: string | undefined): ObjectAcl | undefined {
  if (value === undefined) return undefined;
  if ((OBJECT_ACLS as readonly string[]).includes(value)) return value as ObjectAcl;
  throw invalidArgument('no such object access control exists', 'x-oss-object-acl', value);
}

/** A storage class argument; `InvalidArgument` for an unknown one. */
export function storageClassArg(
  value: string | undefined,
  name = 'x-oss-storage-class',
): string | undefined {
  if (value === undefined) return undefined;
  const found = STORAGE_CLASSES.find((s) => s.toLowerCase() === value.toLowerCase());
  if (found) return found;
  throw invalidArgument('Invalid storage class.', name, value);
}

/**
 * The storage class of a new appendable object (the request's, else the bucket's):
 * `InvalidArgument` for ColdArchive and DeepColdArchive, which appendable objects cannot have
 * (doc: AppendObject; EC 0016-00000503 names Standard, IA and Archive as the valid values).
 */
export function appendableStorageClass(value: string | undefined, bucketDefault: string): string {
  const storageClass = storageClassArg(value) ?? bucketDefault;
  if (storageClass === 'ColdArchive' || storageClass === 'DeepColdArchive') {
    throw invalidArgument(
      `Appendable objects cannot be of the ${storageClass} storage class.`,
      'x-oss-storage-class',
      storageClass,
    );
  }
  return storageClass;
}

/**
 * CompleteMultipartUpload: the class is InitiateMultipartUpload's to choose, and OSS refuses
 * `x-oss-storage-class` here (doc: "Browser.js SDK multipart upload" FAQ; ali-oss strips it from
 * its completeMultipartUpload for that reason).
 */
export function refuseStorageClassHeader(call: OssCall): void {
  if (call.header('x-oss-storage-class') !== undefined) throw operationNotSupported();
}

/** True when `x-oss-forbid-overwrite` asks not to replace an existing object. */
export function forbidOverwrite(call: OssCall): boolean {
  return (call.header('x-oss-forbid-overwrite') ?? '').toLowerCase() === 'true';
}

/** Headers of GetObject / HeadObject for an object (body headers excluded). */
export function objectReplyHeaders(o: OssObject): Record<string, string | number> {
  const h: Record<string, string | number> = {
    ...o.headers,
    etag: o.etag,
    'last-modified': httpDate(o.lastModified),
    'accept-ranges': 'bytes',
    'x-oss-object-type': o.objectType,
    'x-oss-storage-class': o.storageClass,
    'x-oss-hash-crc64ecma': o.crc64,
  };
  if (o.objectType === 'Appendable') h['x-oss-next-append-position'] = String(o.size);
  if (o.tagCount) h['x-oss-tagging-count'] = String(o.tagCount);
  return h;
}

/** A non-negative integer query or header value, or `InvalidArgument`. */
export function integerArg(
  value: string | null | undefined,
  name: string,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (!/^\d{1,16}$/.test(value) || Number(value) > max) {
    throw invalidArgument(
      `Argument \`${name}\` must be an integer between 0 and ${max}.`,
      name,
      value,
    );
  }
  return Number(value);
}
