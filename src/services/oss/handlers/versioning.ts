/**
 * @module Versioning (doc: PutBucketVersioning, GetBucketVersioning, ListObjectVersions
 * (GetBucketVersions), "Versioning overview"): the bucket's state, the listing of every version,
 * and what the object handlers share about versions: the `versionId` a request names, which
 * version a read addresses (with OSS's answers for a missing version or a delete marker), the
 * version a write gets and the `x-oss-version-id` it answers.
 *
 * A bucket is never versioned until PutBucketVersioning, then Enabled or Suspended, never back.
 * Enabled, every write adds a version with a new id and a delete adds a delete marker; Suspended,
 * writes and deletes replace the `null` version. Objects written before versioning are `null`.
 */
import { versionsWithRestoreInfo } from './restore.js';
import { isoMillis, urlEncodeKey } from '../../../protocol/oss-format.js';
import {
  parseOssXml,
  parseVersioningConfiguration,
  xmlDocument,
} from '../../../protocol/oss-xml.js';
import type { OssCall, OssReply, QueryView } from '../context.js';
import {
  deleteMarkerNotAllowed,
  invalidArgument,
  noSuchBucket,
  noSuchKey,
  noSuchKeyDeleted,
  noSuchVersion,
} from '../errors.js';
import {
  NULL_VERSION,
  VERSIONING_STATES,
  isVersionIdShape,
  versionFor,
  type Bucket,
  type OssObject,
  type VersioningStatus,
} from '../model.js';
import type { VersionSummary } from '../store.js';
import { readSmallBody, unwrap } from './common.js';
import { encodingType, listGrouped, maxKeys } from './listing.js';

const MAX_BODY_BYTES = 4 * 1024;

function bucketOf(call: OssCall): Bucket {
  if (!call.bucket) throw noSuchBucket(call.bucketName ?? '');
  return call.bucket;
}

/**
 * The `versionId` a request names, if any; `InvalidArgument` when it is empty or cannot be a
 * version id (doc: 0012-00000201).
 */
export function versionIdArg(query: QueryView): string | undefined {
  if (!query.has('versionId')) return undefined;
  const v = query.get('versionId');
  if (v === null || v === undefined || !isVersionIdShape(v)) {
    throw invalidArgument('Invalid version id specified', 'versionId', v ?? '');
  }
  return v;
}

/** The version id a write to `b` now gets: a new one under Enabled, else `null`. */
export function writeVersionId(call: OssCall, b: Bucket): string {
  return versionFor(b.versioning, call.deps.clock.now());
}

/**
 * `x-oss-version-id` of an object of `b`: sent once the bucket has versioning (Enabled or
 * Suspended), never for a bucket that was never versioned (doc: PutObject).
 */
export function versionHeaders(b: Bucket, o: { versionId?: string }): Record<string, string> {
  return b.versioning !== undefined ? { 'x-oss-version-id': o.versionId ?? NULL_VERSION } : {};
}

/** `x-oss-copy-source-version-id` of a copy's source, once its bucket has versioning. */
export function copySourceVersionHeaders(
  srcBucket: Bucket,
  src: { versionId?: string },
): Record<string, string> {
  return srcBucket.versioning !== undefined
    ? { 'x-oss-copy-source-version-id': src.versionId ?? NULL_VERSION }
    : {};
}

/**
 * The object a read addresses: the version `versionId` names, else the current one. A missing
 * version is `NoSuchVersion`; a current delete marker `NoSuchKey` with `x-oss-delete-marker`;
 * a delete marker named by its id `MethodNotAllowed` (doc: GetObject, HeadObject).
 */
export async function addressedObject(call: OssCall): Promise<OssObject> {
  const key = call.key ?? '';
  const o = await call.version();
  if (!o) {
    throw call.versionId !== undefined ? noSuchVersion(key, call.versionId) : noSuchKey(key);
  }
  if (o.deleteMarker) {
    const id = o.versionId ?? NULL_VERSION;
    if (call.versionId !== undefined) throw deleteMarkerNotAllowed(call.method, id);
    throw noSuchKeyDeleted(key, id);
  }
  return o;
}

/** PutBucketVersioning (`PUT /?versioning`): `Enabled` or `Suspended`, never back to off. */
export async function putBucketVersioning(call: OssCall): Promise<OssReply> {
  const b = bucketOf(call);
  const body = await readSmallBody(call, MAX_BODY_BYTES);
  const limits = { maxBytes: MAX_BODY_BYTES, maxElements: 8 };
  // The Tea OSS client sends `<Status>` itself as the document; both shapes are read.
  const root = unwrap(parseOssXml(body, limits));
  const status =
    root.name === 'Status'
      ? (VERSIONING_STATES as readonly string[]).includes(root.text.trim())
        ? (root.text.trim() as VersioningStatus)
        : unwrap(parseVersioningConfiguration(body, limits))
      : unwrap(parseVersioningConfiguration(body, limits));
  await call.deps.store.updateBucket(b.name, { versioning: status });
  return { status: 200 };
}

/** GetBucketVersioning: the state, or an empty configuration for a bucket never versioned. */
export async function getBucketVersioning(call: OssCall): Promise<OssReply> {
  const b = bucketOf(call);
  return {
    status: 200,
    headers: { 'content-type': 'application/xml' },
    body: xmlDocument('VersioningConfiguration', b.versioning ? { Status: b.versioning } : {}),
  };
}

type Listed = VersionSummary & { id: string };

/**
 * ListObjectVersions (`GET /?versions`): keys in byte order, each key's versions newest first,
 * with delimiter roll-up; `key-marker` and `version-id-marker` resume after a version.
 */
export async function listObjectVersions(call: OssCall): Promise<OssReply> {
  const b = bucketOf(call);
  const q = call.query;
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const keyMarker = q.get('key-marker') ?? '';
  const versionIdMarker = q.get('version-id-marker') ?? '';
  const max = maxKeys(call, 'max-keys');
  const url = encodingType(call);
  if (versionIdMarker !== '' && keyMarker === '') {
    throw invalidArgument(
      'A version-id marker cannot be specified without a key marker.',
      'version-id-marker',
      versionIdMarker,
    );
  }
  if (versionIdMarker !== '' && !isVersionIdShape(versionIdMarker)) {
    throw invalidArgument('Invalid version id specified', 'version-id-marker', versionIdMarker);
  }
  const page = await listGrouped<Listed>(
    async (lower, limit) =>
      (
        await call.deps.store.listVersions(b.name, { prefix, ...(lower ? { lower } : {}), limit })
      ).map((v) => ({ ...v, id: v.versionId })),
    {
      prefix,
      delimiter,
      max,
      ...(keyMarker !== ''
        ? {
            after: {
              key: keyMarker,
              ...(versionIdMarker !== '' ? { id: versionIdMarker } : {}),
            },
          }
        : {}),
    },
  );
  const enc = url ? urlEncodeKey : (s: string) => s;
  const owner = { ID: b.accountId, DisplayName: b.accountId };
  const entry = (v: Listed) => ({
    Key: enc(v.key),
    VersionId: v.versionId,
    IsLatest: v.isLatest,
    LastModified: isoMillis(v.lastModified),
  });
  const body = xmlDocument('ListVersionsResult', {
    Name: b.name,
    Prefix: enc(prefix),
    KeyMarker: enc(keyMarker),
    VersionIdMarker: versionIdMarker,
    MaxKeys: max,
    Delimiter: enc(delimiter),
    ...(url ? { EncodingType: 'url' } : {}),
    IsTruncated: page.truncated,
    ...(page.next
      ? {
          NextKeyMarker: enc(page.next.key),
          NextVersionIdMarker: page.next.id ?? '',
        }
      : {}),
    DeleteMarker: page.items
      .filter((v) => v.deleteMarker)
      .map((v) => ({ ...entry(v), Owner: owner })),
    Version: (
      await versionsWithRestoreInfo(
        call,
        page.items.filter((v) => !v.deleteMarker),
      )
    ).map((v) => ({
      ...entry(v),
      ETag: v.etag,
      Type: v.objectType,
      Size: v.size,
      StorageClass: v.storageClass,
      // Archive versions being restored or restored (handlers/restore.ts), as ListObjects shows.
      ...(v.restoreInfo !== undefined ? { RestoreInfo: v.restoreInfo } : {}),
      Owner: owner,
    })),
    CommonPrefixes: page.prefixes.map((p) => ({ Prefix: enc(p) })),
  });
  return { status: 200, headers: { 'content-type': 'application/xml' }, body };
}
