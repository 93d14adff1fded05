/**
 * @module CopyObject and the copy source it shares with UploadPartCopy (`x-oss-copy-source:
 * /<bucket>/<key>[?versionId=<id>]`, oss.md §6.10): parsed, loaded (the version it names, if
 * any) and authorised as a read of the source (`oss:GetObject`, and `oss:GetObjectVersion` for a
 * version). With versioning, a copy onto the same key is a new version: an old version restored.
 */
import { readConcatenated } from '../../../blob/concat.js';
import { decodePathComponent } from '../../../auth/oss-request.js';
import { etagFromMd5, isoMillis } from '../../../protocol/oss-format.js';
import { xmlDocument } from '../../../protocol/oss-xml.js';
import type { OssCall, OssReply } from '../context.js';
import {
  entityTooLarge,
  fileAlreadyExists,
  invalidArgument,
  invalidBucketName,
  invalidObjectName,
  noSuchBucket,
  noSuchKey,
  noSuchVersion,
} from '../errors.js';
import {
  MAX_OBJECT_BYTES,
  isValidBucketName,
  isVersionIdShape,
  keyProblem,
  objectArn,
  type Bucket,
  type OssObject,
} from '../model.js';
import { blobWriteError, objectAclArg, requestObjectHeaders, storageClassArg } from './common.js';
import { encryptionReplyHeaders, requestEncryption, withoutEncryption } from './encryption.js';
import {
  checkPreconditions,
  commit,
  md5Hex,
  newObjectId,
  writeForbidsOverwrite,
} from './objects.js';
import { refusePublicAcl } from './public-access-block.js';
import { copySourceVersionHeaders, versionHeaders, writeVersionId } from './versioning.js';
import { refuseFrozenSource } from './restore.js';
import { copySymlink } from './symlink.js';
import { copyTagging } from './tagging.js';
import { refuseRetained, retention } from './worm.js';

function bucketOf(call: OssCall): Bucket {
  if (!call.bucket) throw noSuchBucket(call.bucketName ?? '');
  return call.bucket;
}

function keyOf(call: OssCall): string {
  // INVARIANT: object-level operations are only routed with a validated key.
  return call.key ?? '';
}

/**
 * The source of a copy: `x-oss-copy-source: /<bucket>/<url-encoded key>`, optionally
 * `?versionId=<id>` (a version of it).
 */
export function copySource(call: OssCall): { bucket: string; key: string; versionId?: string } {
  const raw = call.header('x-oss-copy-source') ?? '';
  const q = raw.indexOf('?');
  let versionId: string | undefined;
  if (q !== -1) {
    const query = raw.slice(q + 1);
    versionId = query.startsWith('versionId=') ? query.slice('versionId='.length) : undefined;
    if (versionId === undefined || !isVersionIdShape(versionId)) {
      throw invalidArgument(
        'Copy Source must mention the source bucket and key: /sourcebucket/sourcekey.',
        'x-oss-copy-source',
        raw,
      );
    }
  }
  const path = (q === -1 ? raw : raw.slice(0, q)).replace(/^\//, '');
  const slash = path.indexOf('/');
  const bucket = slash === -1 ? '' : decodePathComponent(path.slice(0, slash));
  const key = slash === -1 ? undefined : decodePathComponent(path.slice(slash + 1));
  if (bucket === undefined || key === undefined || bucket === '' || key === '') {
    throw invalidArgument(
      'Copy Source must mention the source bucket and key: /sourcebucket/sourcekey.',
      'x-oss-copy-source',
      raw,
    );
  }
  if (!isValidBucketName(bucket)) throw invalidBucketName(bucket);
  const problem = keyProblem(key);
  if (problem !== undefined) throw invalidObjectName(problem);
  return { bucket, key, ...(versionId !== undefined ? { versionId } : {}) };
}

/**
 * Loads and authorises (`oss:GetObject`, and `oss:GetObjectVersion` for a version) the source
 * of a copy; returns it, and the version id it names.
 */
export async function readableSource(
  call: OssCall,
): Promise<{ bucket: Bucket; object: OssObject; versionId?: string }> {
  const src = copySource(call);
  const bucket =
    call.bucket && src.bucket === call.bucket.name
      ? call.bucket
      : await call.deps.store.getBucket(src.bucket);
  if (!bucket) throw noSuchBucket(src.bucket);
  const found =
    src.versionId !== undefined
      ? await call.deps.store.getObjectVersion(bucket.name, src.key, src.versionId)
      : bucket.name === call.bucketName && src.key === call.key
        ? await call.object()
        : await call.deps.store.getObject(bucket.name, src.key);
  // A delete marker has nothing to copy: as a missing key.
  const object = found?.deleteMarker ? undefined : found;
  const check = (action: string) => ({
    action,
    resource: objectArn(call.info.region, bucket.accountId, bucket.name, src.key),
    bucket,
    acl: 'read' as const,
    objectAcl: async () => object?.acl,
  });
  await call.authz.require(
    src.versionId !== undefined
      ? [check('oss:GetObject'), check('oss:GetObjectVersion')]
      : [check('oss:GetObject')],
  );
  if (!found && src.versionId !== undefined) throw noSuchVersion(src.key, src.versionId);
  if (!object) throw noSuchKey(src.key);
  await refuseFrozenSource(call, object);
  return { bucket, object, ...(src.versionId !== undefined ? { versionId: src.versionId } : {}) };
}

/** CopyObject: bytes copied (streamed) unless source and destination are the same object. */
export async function copyObject(call: OssCall): Promise<OssReply> {
  const b = bucketOf(call);
  const key = keyOf(call);
  const { bucket: srcBucket, object: src } = await readableSource(call);
  const get = (n: string) => call.header(n);
  if (checkPreconditions(get, src, 'x-oss-copy-source-') === 'not-modified') {
    return { status: 304, headers: { etag: src.etag } };
  }
  if (src.objectType === 'Symlink') return copySymlink(call, src);
  const tagging = await copyTagging(call, src);
  const directive = (call.header('x-oss-metadata-directive') ?? 'COPY').toUpperCase();
  if (directive !== 'COPY' && directive !== 'REPLACE') {
    throw invalidArgument('Unknown metadata directive.', 'x-oss-metadata-directive', directive);
  }
  // The copy is encrypted as its request (or the bucket's default) says, never as its source was
  // (doc: CopyObject, x-oss-server-side-encryption).
  const headers = {
    ...(directive === 'REPLACE' ? requestObjectHeaders(call, key) : withoutEncryption(src.headers)),
    ...requestEncryption(call, b),
  };
  const acl =
    objectAclArg(call.header('x-oss-object-acl')) ??
    (src.bucket === b.name && src.key === key ? src.acl : 'default');
  const storageClass = storageClassArg(call.header('x-oss-storage-class')) ?? src.storageClass;
  await refusePublicAcl(call.deps, b, call.header('x-oss-object-acl'));
  const forbid = writeForbidsOverwrite(call, b);
  const now = call.deps.clock.now();
  const result = (o: {
    etag: string;
    crc64: string;
    lastModified: number;
    versionId?: string;
  }): OssReply => ({
    status: 200,
    headers: {
      'content-type': 'application/xml',
      etag: o.etag,
      'x-oss-hash-crc64ecma': o.crc64,
      ...encryptionReplyHeaders(headers),
      ...copySourceVersionHeaders(srcBucket, src),
      ...versionHeaders(b, o),
    },
    body: xmlDocument('CopyObjectResult', {
      ETag: o.etag,
      LastModified: isoMillis(o.lastModified),
    }),
  });
  if (src.bucket === b.name && src.key === key && b.versioning === undefined) {
    // Copying an object onto itself rewrites its metadata only (doc: CopyObject); with
    // versioning it makes a new version, as any write does (an old version restored by copy).
    if (forbid) throw fileAlreadyExists();
    // Under retention the rewrite is refused (`FileImmutable`) in the store's one statement,
    // before the tags change.
    const held = await retention(call, b);
    await refuseRetained(
      call.deps.store.updateObject(
        b.name,
        key,
        { headers, acl, storageClass, lastModified: now },
        undefined,
        held,
      ),
    );
    if (tagging.replace) await call.deps.store.putObjectTags(src.objectId, tagging.tags);
    return result({ ...src, lastModified: now });
  }
  if (src.size > MAX_OBJECT_BYTES && src.bucket !== b.name) {
    throw entityTooLarge();
  }
  if (forbid && (await call.object())) throw fileAlreadyExists();
  const body = await readConcatenated(call.deps.blobs, src.segments);
  let info;
  try {
    info = await call.deps.blobs.write(body);
  } catch (e) {
    body.destroy();
    throw blobWriteError(e);
  }
  const object: OssObject = {
    bucket: b.name,
    key,
    objectId: newObjectId(),
    versionId: writeVersionId(call, b),
    size: info.size,
    tags: tagging.tags,
    etag: src.objectType === 'Normal' ? src.etag : etagFromMd5(info.md5),
    crc64: info.crc64,
    objectType: 'Normal',
    storageClass,
    lastModified: now,
    headers,
    acl,
    segments: [{ blobId: info.blobId, size: info.size, md5: md5Hex(info.md5), crc64: info.crc64 }],
  };
  await commit(call, b, object, forbid, [info.blobId]);
  return result(object);
}
