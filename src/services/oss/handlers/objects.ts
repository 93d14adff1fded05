/**
 * @module Object operations: PutObject, GetObject, HeadObject, GetObjectMeta, DeleteObject,
 * DeleteMultipleObjects, AppendObject, Put/GetObjectAcl (CopyObject: copy.ts) (oss.md §6.5-6.10, §6.19).
 *
 * Bodies stream both ways: an upload goes through the blob store's hashing writer and is
 * committed to the metadata store only once durable; a download is a read stream over the
 * object's blobs. Replaced blobs are deleted after the commit.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { BlobNotFound } from '../../../blob/blob-store.js';
import { readSmallBlob } from '../../../blob/cache.js';
import { readConcatenated } from '../../../blob/concat.js';
import { isStoreError } from '../../../kernel/errors.js';
import {
  etagFromMd5,
  httpDate,
  normalizeEtag,
  urlEncodeKey,
} from '../../../protocol/oss-format.js';
import { parseDeleteObjects, xmlDocument } from '../../../protocol/oss-xml.js';
import type { OssCall, OssReply } from '../context.js';
import {
  fileAlreadyExists,
  invalidArgument,
  invalidDigest,
  invalidObjectName,
  invalidRange,
  noSuchBucket,
  noSuchKey,
  objectNotAppendable,
  positionNotEqualToLength,
  preconditionFailed,
} from '../errors.js';
import {
  MAX_OBJECT_BYTES,
  isVersionIdShape,
  keyProblem,
  objectArn,
  type Bucket,
  type OssObject,
} from '../model.js';
import {
  appendableStorageClass,
  dropBlobs,
  forbidOverwrite,
  integerArg,
  objectAclArg,
  objectReplyHeaders,
  readSmallBody,
  requestObjectHeaders,
  storageClassArg,
  unwrap,
  writeRequestBody,
} from './common.js';
import { encryptionReplyHeaders, requestEncryption } from './encryption.js';
import { refusePublicAcl } from './public-access-block.js';
import { addressedObject, versionHeaders, writeVersionId } from './versioning.js';
import { followSymlink } from './symlink.js';
import { requestTags } from './tagging.js';
import { archiveGate } from './restore.js';
import { fileImmutable, isRetained, refuseRetained, retention } from './worm.js';

/** A new random object id (a new one for every version written). */
export function newObjectId(): string {
  return randomBytes(16).toString('hex');
}

function bucketOf(call: OssCall): Bucket {
  if (!call.bucket) throw noSuchBucket(call.bucketName ?? '');
  return call.bucket;
}

function keyOf(call: OssCall): string {
  // INVARIANT: object-level operations are only routed with a validated key.
  return call.key ?? '';
}

/** The MD5 (upper-case hex) inside a simple ETag. */
export function md5Hex(md5: Buffer): string {
  return md5.toString('hex').toUpperCase();
}

/** PutObject. */
export async function putObject(call: OssCall): Promise<OssReply> {
  const b = bucketOf(call);
  const key = keyOf(call);
  const acl = objectAclArg(call.header('x-oss-object-acl')) ?? 'default';
  const storageClass = storageClassArg(call.header('x-oss-storage-class')) ?? b.storageClass;
  const headers = { ...requestObjectHeaders(call, key), ...requestEncryption(call, b) };
  await refusePublicAcl(call.deps, b, acl);
  const tags = await requestTags(call);
  const forbid = writeForbidsOverwrite(call, b);
  if (forbid && (await call.object())) throw fileAlreadyExists();
  const info = await writeRequestBody(call);
  const object: OssObject = {
    ...(tags ? { tags } : {}),
    bucket: b.name,
    key,
    objectId: newObjectId(),
    versionId: writeVersionId(call, b),
    size: info.size,
    etag: etagFromMd5(info.md5),
    crc64: info.crc64,
    objectType: 'Normal',
    storageClass,
    lastModified: call.deps.clock.now(),
    headers,
    acl,
    segments: [{ blobId: info.blobId, size: info.size, md5: md5Hex(info.md5), crc64: info.crc64 }],
  };
  await commit(call, b, object, forbid, [info.blobId]);
  return {
    status: 200,
    headers: {
      etag: object.etag,
      'x-oss-hash-crc64ecma': info.crc64,
      'content-md5': info.md5.toString('base64'),
      ...encryptionReplyHeaders(headers),
      ...versionHeaders(b, object),
    },
  };
}

/**
 * `x-oss-forbid-overwrite: true`, which a bucket with versioning (Enabled or Suspended) does not
 * honour: overwriting there keeps the old object as a version (doc: PutObject).
 */
export function writeForbidsOverwrite(call: OssCall, b: Bucket): boolean {
  return forbidOverwrite(call) && b.versioning === undefined;
}

/**
 * Stores `object` (refused with `FileImmutable` when it would replace a version under retention,
 * decided inside the store's transaction); on failure deletes the blobs just written (`fresh`).
 */
export async function commit(
  call: OssCall,
  b: Bucket,
  object: OssObject,
  forbid: boolean,
  fresh: string[],
) {
  let dropped: string[];
  try {
    const retainedAfter = await retention(call, b);
    dropped = await call.deps.store.putObject(object, {
      forbidOverwrite: forbid,
      ...(b.versioning ? { versioning: b.versioning } : {}),
      ...(retainedAfter !== undefined ? { retainedAfter } : {}),
    });
  } catch (e) {
    await call.deps.blobs.delete(fresh).catch(() => {});
    if (isRetained(e)) throw fileImmutable();
    if (isStoreError(e, 'AlreadyExists')) throw fileAlreadyExists();
    if (isStoreError(e, 'NotFound')) throw noSuchBucket(object.bucket);
    throw e;
  }
  dropBlobs(call.deps, dropped);
}

/** Parses `Range: bytes=a-b | a- | -n` against `size` (first range only, oss.md §6.6). */
export function parseRange(
  header: string | undefined,
  size: number,
  standard: boolean,
): { start: number; end: number } | undefined | 'unsatisfiable' {
  if (header === undefined) return undefined;
  const first = header.trim().split(',')[0]!.trim();
  const m = /^bytes=(\d*)-(\d*)$/.exec(first);
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0 || size === 0) return standard && n === 0 ? 'unsatisfiable' : undefined;
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  let end = m[2] === '' ? size - 1 : Number(m[2]);
  if (m[2] !== '' && end < start) return undefined;
  if (start >= size) return standard ? 'unsatisfiable' : undefined;
  if (end >= size) {
    // Legacy behaviour: a range past the end is ignored (whole object, 200); the standard
    // behaviour clamps it (doc: How to Obtain OSS Resources by Segmenting HTTP Range Requests).
    if (!standard) return undefined;
    end = size - 1;
  }
  return { start, end };
}

function etagList(v: string): string[] {
  return v
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
}

function matchesEtag(list: string, etag: string): boolean {
  const want = normalizeEtag(etag);
  return etagList(list).some((t) => t === '*' || normalizeEtag(t) === want);
}

/**
 * Evaluates If-Match / If-Unmodified-Since (412) and If-None-Match / If-Modified-Since (304) in
 * RFC 7232 order, with header names prefixed by `prefix` (`x-oss-copy-source-` for CopyObject).
 * The 412's `Condition` names the header without the prefix, as OSS words it (ali-oss
 * test/node/object.test.js expects `(condition: If-Match)` from a CopyObject).
 */
export function checkPreconditions(
  get: (name: string) => string | undefined,
  o: OssObject,
  prefix = '',
): 'ok' | 'not-modified' {
  const lastModified = Math.floor(o.lastModified / 1000) * 1000;
  const ifMatch = get(`${prefix}if-match`);
  if (ifMatch !== undefined) {
    if (!matchesEtag(ifMatch, o.etag)) throw preconditionFailed('If-Match');
  } else {
    const v = get(`${prefix}if-unmodified-since`);
    const t = v === undefined ? NaN : Date.parse(v);
    if (!Number.isNaN(t) && lastModified > t) throw preconditionFailed('If-Unmodified-Since');
  }
  const ifNoneMatch = get(`${prefix}if-none-match`);
  if (ifNoneMatch !== undefined) {
    if (matchesEtag(ifNoneMatch, o.etag)) return 'not-modified';
  } else {
    const v = get(`${prefix}if-modified-since`);
    const t = v === undefined ? NaN : Date.parse(v);
    if (!Number.isNaN(t) && lastModified <= t) return 'not-modified';
  }
  return 'ok';
}

const OVERRIDES: ReadonlyArray<[string, string]> = [
  ['response-content-type', 'content-type'],
  ['response-content-language', 'content-language'],
  ['response-expires', 'expires'],
  ['response-cache-control', 'cache-control'],
  ['response-content-disposition', 'content-disposition'],
  ['response-content-encoding', 'content-encoding'],
];

/** The bytes of `o` (a range of them): a buffer for a small one-blob object, else a stream. */
async function bodyOf(
  call: OssCall,
  o: OssObject,
  range: { start: number; end: number } | undefined,
): Promise<Buffer | Readable> {
  const { blobs, blobCache } = call.deps;
  if (o.segments.length === 1 && o.size <= blobCache.maxEntryBytes) {
    const all = await readSmallBlob(blobs, blobCache, o.segments[0]!.blobId);
    return range ? all.subarray(range.start, range.end + 1) : all;
  }
  return readConcatenated(blobs, o.segments, range);
}

/** Opens the object's bytes; when they vanished (replaced meanwhile), serves the new version. */
async function openObject(
  call: OssCall,
  o: OssObject,
  range: { start: number; end: number } | undefined,
): Promise<{ object: OssObject; body: Buffer | Readable }> {
  try {
    return { object: o, body: await bodyOf(call, o, range) };
  } catch (e) {
    if (!(e instanceof BlobNotFound) || call.versionId !== undefined) throw e;
    const fresh = await call.deps.store.getObject(o.bucket, o.key);
    if (!fresh) throw noSuchKey(o.key);
    await archiveGate(call, fresh); // the new version may be a frozen archive object
    if (range && fresh.size !== o.size) throw e;
    return { object: fresh, body: await bodyOf(call, fresh, range) };
  }
}

/** GetObject and HeadObject: conditional headers, Range, response-* overrides. */
export async function getObject(call: OssCall): Promise<OssReply> {
  const b = bucketOf(call);
  const o = await followSymlink(call, await addressedObject(call));
  // Archive objects: GET refused until restored; `x-oss-restore` (handlers/restore.ts).
  const restore = await archiveGate(call, o);
  const get = (n: string) => call.header(n);
  if (checkPreconditions(get, o) === 'not-modified') {
    return {
      status: 304,
      headers: {
        etag: o.etag,
        'last-modified': httpDate(o.lastModified),
        ...versionHeaders(b, o),
      },
    };
  }
  const standard = (call.header('x-oss-range-behavior') ?? '').toLowerCase() === 'standard';
  const range = parseRange(call.header('range'), o.size, standard);
  if (range === 'unsatisfiable') throw invalidRange();
  const headers = { ...objectReplyHeaders(o), ...versionHeaders(b, o), ...restore };
  for (const [param, header] of OVERRIDES) {
    const v = call.query.get(param);
    if (typeof v === 'string') headers[header] = v;
  }
  if (!range && o.objectType === 'Normal') {
    headers['content-md5'] = Buffer.from(normalizeEtag(o.etag), 'hex').toString('base64');
  }
  const status = range ? 206 : 200;
  if (range) {
    // The whole object's MD5 (a sequential upload's, a symlink target's) is not the part's.
    delete headers['content-md5'];
    headers['content-range'] = `bytes ${range.start}-${range.end}/${o.size}`;
    headers['content-length'] = range.end - range.start + 1;
  } else headers['content-length'] = o.size;
  if (call.method === 'HEAD') return { status, headers };
  const { object, body } = await openObject(call, o, range);
  if (object !== o) Object.assign(headers, objectReplyHeaders(object));
  return { status, headers, body };
}

/** GetObjectMeta (`HEAD ?objectMeta`): ETag, size, times, CRC. */
export async function getObjectMeta(call: OssCall): Promise<OssReply> {
  const o = await addressedObject(call);
  return {
    status: 200,
    headers: {
      ...versionHeaders(bucketOf(call), o),
      etag: o.etag,
      'content-length': o.size,
      'last-modified': httpDate(o.lastModified),
      'x-oss-last-access-time': httpDate(o.lastModified),
      'x-oss-hash-crc64ecma': o.crc64,
      ...encryptionReplyHeaders(o.headers),
    },
  };
}

/**
 * DeleteObject: 204, also when the key (or version) does not exist. With versioning, a delete
 * without `versionId` leaves a delete marker; with one, that version goes for good.
 */
export async function deleteObject(call: OssCall): Promise<OssReply> {
  const b = bucketOf(call);
  // Retention refuses what would remove bytes: a delete in a bucket never versioned, or of a
  // named version; a delete marker removes nothing (worm.ts). The store decides, under the lock.
  const held = await retention(call, b);
  if (call.versionId === undefined && b.versioning === undefined) {
    const gone = await refuseRetained(call.deps.store.deleteObjects(b.name, [keyOf(call)], held));
    dropBlobs(call.deps, gone);
    return { status: 204 };
  }
  const { outcomes, dropped } = await refuseRetained(
    call.deps.store.deleteVersions(
      b.name,
      [
        {
          key: keyOf(call),
          ...(call.versionId !== undefined ? { versionId: call.versionId } : {}),
        },
      ],
      b.versioning,
      call.deps.clock.now(),
      held,
    ),
  );
  dropBlobs(call.deps, dropped);
  const r = outcomes[0]!;
  const id = r.versionId ?? r.deleteMarkerVersionId;
  return {
    status: 204,
    headers: {
      ...(r.deleteMarker ? { 'x-oss-delete-marker': 'true' } : {}),
      ...(id !== undefined ? { 'x-oss-version-id': id } : {}),
    },
  };
}

/** DeleteMultipleObjects (`POST /?delete`), quiet or verbose; each key authorised. */
export async function deleteMultipleObjects(call: OssCall): Promise<OssReply> {
  const b = bucketOf(call);
  const body = await readSmallBody(call);
  const md5 = call.header('content-md5');
  if (md5 !== undefined) {
    if (createHash('md5').update(body).digest('base64') !== md5.trim()) throw invalidDigest(true);
  }
  const req = unwrap(parseDeleteObjects(body));
  const url = (call.query.get('encoding-type') ?? '').toLowerCase() === 'url';
  const keys: string[] = [];
  const versioned = new Set<string>();
  for (const o of req.objects) {
    const problem = keyProblem(o.key);
    if (problem !== undefined) throw invalidObjectName(problem);
    if (o.versionId !== undefined) {
      if (!isVersionIdShape(o.versionId)) {
        throw invalidArgument('Invalid version id specified', 'VersionId', o.versionId);
      }
      versioned.add(o.key);
    }
    keys.push(o.key);
  }
  const check = (action: string) => (key: string) => ({
    action,
    resource: objectArn(call.info.region, b.accountId, b.name, key),
    bucket: b,
    acl: 'write' as const,
  });
  await call.authz.require([
    ...[...new Set(keys)].map(check('oss:DeleteObject')),
    ...[...versioned].map(check('oss:DeleteObjectVersion')),
  ]);
  const held = await retention(call, b);
  const enc = url ? urlEncodeKey : (s: string) => s;
  let deleted;
  if (versioned.size === 0 && b.versioning === undefined) {
    dropBlobs(call.deps, await refuseRetained(call.deps.store.deleteObjects(b.name, keys, held)));
    deleted = keys.map((k) => ({ Key: enc(k) }));
  } else {
    const { outcomes, dropped } = await refuseRetained(
      call.deps.store.deleteVersions(
        b.name,
        req.objects,
        b.versioning,
        call.deps.clock.now(),
        held,
      ),
    );
    dropBlobs(call.deps, dropped);
    deleted = outcomes.map((r) => ({
      Key: enc(r.key),
      ...(r.versionId !== undefined ? { VersionId: r.versionId } : {}),
      ...(r.deleteMarker ? { DeleteMarker: true } : {}),
      ...(r.deleteMarkerVersionId !== undefined
        ? { DeleteMarkerVersionId: r.deleteMarkerVersionId }
        : {}),
    }));
  }
  return {
    status: 200,
    headers: { 'content-type': 'application/xml' },
    body: xmlDocument('DeleteResult', {
      ...(url ? { EncodingType: 'url' } : {}),
      Deleted: req.quiet ? [] : deleted,
    }),
  };
}

/** AppendObject (`POST ?append&position=N`). */
export async function appendObject(call: OssCall): Promise<OssReply> {
  const b = bucketOf(call);
  const key = keyOf(call);
  // A `versionId` was refused before (`noVersionId`): appends go to the current version only.
  const position = integerArg(call.query.get('position'), 'position');
  if (position === undefined) {
    throw invalidArgument('Argument `position` is required for append.', 'position', '');
  }
  const existing = await call.object();
  if (existing) {
    if (existing.objectType !== 'Appendable') throw objectNotAppendable();
    if (existing.size !== position) throw positionNotEqualToLength(existing.size);
  } else if (position !== 0) throw positionNotEqualToLength(0);
  // The first append chooses the encryption; later ones keep it (doc: AppendObject).
  const encryption = existing ? {} : requestEncryption(call, b);
  if (!existing) await refusePublicAcl(call.deps, b, call.header('x-oss-object-acl'));
  const held = await retention(call, b);
  const storageClass = appendableStorageClass(call.header('x-oss-storage-class'), b.storageClass);
  const room = MAX_OBJECT_BYTES - (existing?.size ?? 0);
  const info = await writeRequestBody(call, room);
  const now = call.deps.clock.now();
  const create: OssObject = {
    bucket: b.name,
    key,
    objectId: newObjectId(),
    versionId: writeVersionId(call, b),
    size: info.size,
    etag: etagFromMd5(info.md5),
    crc64: info.crc64,
    objectType: 'Appendable',
    storageClass,
    lastModified: now,
    headers: { ...requestObjectHeaders(call, key), ...encryption },
    acl: objectAclArg(call.header('x-oss-object-acl')) ?? 'default',
    segments: [],
    // Tags are the first append's, as its other settings (doc: AppendObject).
    ...(existing ? {} : { tags: await requestTags(call) }),
  };
  let r;
  try {
    r = await call.deps.store.appendObject(
      create,
      position,
      { blobId: info.blobId, size: info.size, md5Hex: md5Hex(info.md5), crc64: info.crc64 },
      now,
      {
        ...(b.versioning ? { versioning: b.versioning } : {}),
        ...(held !== undefined ? { retainedAfter: held } : {}),
      },
    );
  } catch (e) {
    await call.deps.blobs.delete([info.blobId]).catch(() => {});
    if (isRetained(e)) throw fileImmutable();
    if (isStoreError(e, 'NotFound')) throw noSuchBucket(b.name);
    throw e;
  }
  if (!r.ok) {
    await call.deps.blobs.delete([info.blobId]).catch(() => {});
    if (r.reason === 'not-appendable') throw objectNotAppendable();
    throw positionNotEqualToLength(r.length);
  }
  return {
    status: 200,
    headers: {
      etag: r.object.etag,
      'x-oss-next-append-position': String(r.object.size),
      'x-oss-hash-crc64ecma': r.object.crc64,
      // The first append chose the encryption; the stored headers say which.
      ...encryptionReplyHeaders(existing?.headers ?? create.headers),
      ...versionHeaders(b, r.object),
    },
  };
}

/** PutObjectAcl (`x-oss-object-acl`). */
export async function putObjectAcl(call: OssCall): Promise<OssReply> {
  const acl = objectAclArg(call.header('x-oss-object-acl'));
  if (acl === undefined)
    throw invalidArgument('no such object access control exists', 'x-oss-object-acl', '');
  const b = bucketOf(call);
  await refusePublicAcl(call.deps, b, acl);
  const o = await addressedObject(call);
  const ok = await call.deps.store.updateObject(b.name, keyOf(call), { acl }, o.versionId);
  if (!ok) throw noSuchKey(keyOf(call));
  return { status: 200, headers: versionHeaders(b, o) };
}

/** GetObjectAcl. */
export async function getObjectAcl(call: OssCall): Promise<OssReply> {
  const b = bucketOf(call);
  const o = await addressedObject(call);
  return {
    status: 200,
    headers: { 'content-type': 'application/xml', ...versionHeaders(b, o) },
    body: xmlDocument('AccessControlPolicy', {
      Owner: { ID: b.accountId, DisplayName: b.accountId },
      AccessControlList: { Grant: o.acl },
    }),
  };
}
