/**
 * @module Symlinks (issue 18): PutSymlink and GetSymlink (`?symlink`), GET and HEAD through a
 * symlink, and CopyObject of one.
 *
 * A symlink is an object of type `Symlink` with no bytes of its own; its target key is kept in its
 * stored headers under `x-oss-symlink-target` (never served as an object header). As OSS does
 * (doc: PutSymlink, GetObject; ali-oss test/node/object.test.js):
 * - PutSymlink does not check the target: it may be missing, or another symlink;
 * - GET and HEAD follow one link: the target's bytes, size, ETag, CRC and storage class, the
 *   symlink's own metadata, `x-oss-object-type: Symlink`, and the later of the two times as
 *   `Last-Modified`; reading through a link also needs read access to the target;
 * - a missing target is `404 SymlinkTargetNotExist`; a target that is itself a symlink is
 *   `400 InvalidTargetType`;
 * - CopyObject of a symlink copies the symlink (same target), not the target's bytes.
 */
import { createHash } from 'node:crypto';
import { decodePathComponent } from '../../../auth/oss-request.js';
import { httpDate, isoMillis, normalizeEtag, urlEncodeKey } from '../../../protocol/oss-format.js';
import { xmlDocument } from '../../../protocol/oss-xml.js';
import type { OssCall, OssReply } from '../context.js';
import { fileAlreadyExists, invalidArgument, noSuchBucket } from '../errors.js';
import { invalidTargetType, notSymlink, symlinkTargetNotExist } from '../errors-tags.js';
import { keyProblem, objectArn, type Bucket, type OssObject } from '../model.js';
import { objectAclArg, requestObjectHeaders, storageClassArg } from './common.js';
import { encryptionReplyHeaders, withoutEncryption } from './encryption.js';
import { refusePublicAcl } from './public-access-block.js';
import { copyTagging, requestTags } from './tagging.js';
import { addressedObject, versionHeaders, writeVersionId } from './versioning.js';
import { commit, newObjectId, writeForbidsOverwrite } from './objects.js';

/** The request header naming the target, and the stored header keeping it. */
const TARGET = 'x-oss-symlink-target';

function bucketOf(call: OssCall): Bucket {
  if (!call.bucket) throw noSuchBucket(call.bucketName ?? '');
  return call.bucket;
}

/** The symlink's target key, as stored. */
export function symlinkTarget(o: OssObject): string {
  return o.headers[TARGET] ?? '';
}

/** A symlink object: no segments, its ETag the MD5 of its target's name. */
function symlinkObject(
  call: OssCall,
  b: Bucket,
  key: string,
  target: string,
  fields: Pick<OssObject, 'headers' | 'acl' | 'storageClass'> & { tags?: OssObject['tags'] },
): OssObject {
  const md5 = createHash('md5').update(target).digest('hex').toUpperCase();
  return {
    bucket: b.name,
    key,
    objectId: newObjectId(),
    versionId: writeVersionId(call, b),
    size: 0,
    etag: `"${md5}"`,
    crc64: '0',
    objectType: 'Symlink',
    lastModified: call.deps.clock.now(),
    segments: [],
    ...fields,
    headers: { ...fields.headers, [TARGET]: target },
  };
}

/**
 * PutSymlink (`PUT /<key>?symlink`): `x-oss-symlink-target` (URL-encoded), metadata headers,
 * `x-oss-object-acl`, `x-oss-storage-class`, `x-oss-forbid-overwrite`, `x-oss-tagging`.
 */
export async function putSymlink(call: OssCall): Promise<OssReply> {
  const b = bucketOf(call);
  const key = call.key ?? '';
  const raw = call.header(TARGET);
  if (raw === undefined || raw === '') {
    throw invalidArgument('The symlink target must be specified.', TARGET, '');
  }
  const target = decodePathComponent(raw);
  if (target === undefined || keyProblem(target) !== undefined) {
    throw invalidArgument('The symlink target is not a valid object name.', TARGET, raw);
  }
  const acl = objectAclArg(call.header('x-oss-object-acl')) ?? 'default';
  const storageClass = storageClassArg(call.header('x-oss-storage-class')) ?? b.storageClass;
  // A symlink holds no bytes, so no encryption of its own.
  const headers = withoutEncryption(requestObjectHeaders(call, key));
  await refusePublicAcl(call.deps, b, acl);
  const tags = await requestTags(call);
  const forbid = writeForbidsOverwrite(call, b);
  if (forbid && (await call.object())) throw fileAlreadyExists();
  const object = symlinkObject(call, b, key, target, {
    headers,
    acl,
    storageClass,
    ...(tags ? { tags } : {}),
  });
  await commit(call, b, object, forbid, []);
  return { status: 200, headers: { etag: object.etag, ...versionHeaders(b, object) } };
}

/** GetSymlink (`GET /<key>?symlink`): the target in `x-oss-symlink-target` (URL-encoded). */
export async function getSymlink(call: OssCall): Promise<OssReply> {
  const o = await addressedObject(call);
  if (o.objectType !== 'Symlink') throw notSymlink();
  const meta: Record<string, string> = {};
  for (const [k, v] of Object.entries(o.headers)) if (k.startsWith('x-oss-meta-')) meta[k] = v;
  return {
    status: 200,
    headers: {
      ...meta,
      'content-type': o.headers['content-type'] ?? 'application/octet-stream',
      etag: o.etag,
      'last-modified': httpDate(o.lastModified),
      [TARGET]: urlEncodeKey(symlinkTarget(o)),
    },
  };
}

/**
 * What GET and HEAD serve for `o`: `o` itself, or for a symlink its target's bytes dressed as the
 * symlink (see the module). Reading through a link needs `oss:GetObject` on the target too.
 */
export async function followSymlink(call: OssCall, o: OssObject): Promise<OssObject> {
  if (o.objectType !== 'Symlink') return o;
  const b = bucketOf(call);
  const targetKey = symlinkTarget(o);
  const target = await call.deps.store.getObject(b.name, targetKey);
  await call.authz.require({
    action: 'oss:GetObject',
    resource: objectArn(call.info.region, b.accountId, b.name, targetKey),
    bucket: b,
    acl: 'read',
    objectAcl: async () => target?.acl,
  });
  if (!target || target.deleteMarker) throw symlinkTargetNotExist(targetKey);
  if (target.objectType === 'Symlink') throw invalidTargetType();
  const own: Record<string, string> = {};
  for (const [k, v] of Object.entries(withoutEncryption(o.headers))) {
    if (k !== TARGET && k !== 'content-md5') own[k] = v;
  }
  // Content-Length, ETag, x-oss-storage-class and Content-MD5 are the target's, Last-Modified the
  // later of the two, the other headers the link's (doc: HeadObject, symbolic links).
  const md5 =
    target.objectType === 'Normal'
      ? Buffer.from(normalizeEtag(target.etag), 'hex').toString('base64')
      : target.headers['content-md5'];
  return {
    ...target,
    headers: {
      ...own,
      ...encryptionReplyHeaders(target.headers),
      ...(md5 !== undefined ? { 'content-md5': md5 } : {}),
    },
    objectType: 'Symlink',
    // The link's own version: the version headers of a GET through it are the link's.
    ...(o.versionId !== undefined ? { versionId: o.versionId } : {}),
    lastModified: Math.max(o.lastModified, target.lastModified),
    ...(o.tagCount ? { tagCount: o.tagCount } : { tagCount: 0 }),
  };
}

/**
 * CopyObject of a symlink: a new symlink to the same target (metadata by
 * `x-oss-metadata-directive`, tags by `x-oss-tagging-directive`), as OSS copies only the link.
 */
export async function copySymlink(call: OssCall, src: OssObject): Promise<OssReply> {
  const b = bucketOf(call);
  const key = call.key ?? '';
  const directive = (call.header('x-oss-metadata-directive') ?? 'COPY').toUpperCase();
  if (directive !== 'COPY' && directive !== 'REPLACE') {
    throw invalidArgument('Unknown metadata directive.', 'x-oss-metadata-directive', directive);
  }
  const headers =
    directive === 'REPLACE'
      ? withoutEncryption(requestObjectHeaders(call, key))
      : withoutEncryption(src.headers);
  const acl = objectAclArg(call.header('x-oss-object-acl')) ?? 'default';
  await refusePublicAcl(call.deps, b, acl);
  const storageClass = storageClassArg(call.header('x-oss-storage-class')) ?? src.storageClass;
  const { tags } = await copyTagging(call, src);
  const forbid = writeForbidsOverwrite(call, b);
  if (forbid && (await call.object())) throw fileAlreadyExists();
  const object = symlinkObject(call, b, key, symlinkTarget(src), {
    headers,
    acl,
    storageClass,
    tags,
  });
  await commit(call, b, object, forbid, []);
  return {
    status: 200,
    headers: { 'content-type': 'application/xml', etag: object.etag, ...versionHeaders(b, object) },
    body: xmlDocument('CopyObjectResult', {
      ETag: object.etag,
      LastModified: isoMillis(object.lastModified),
    }),
  };
}
