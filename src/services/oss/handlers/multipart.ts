/**
 * @module Multipart upload (oss.md §6.13-6.17): InitiateMultipartUpload, UploadPart,
 * UploadPartCopy, CompleteMultipartUpload, AbortMultipartUpload, ListParts.
 *
 * Each part is a blob; completing an upload makes its chosen parts the object's segments in
 * order, so no byte is copied: the object's CRC-64 is the parts' CRCs combined and its ETag the
 * MD5 of the parts' MD5s with `-<count>`. Limits as OSS: part numbers 1-10000, parts up to 5 GB,
 * every part but the last at least 100 KB (checked at completion).
 */
import { createHash, randomBytes } from 'node:crypto';
import { crc64CombineParts } from '../../../blob/crc64.js';
import { readConcatenated } from '../../../blob/concat.js';
import { isStoreError } from '../../../kernel/errors.js';
import {
  isoMillis,
  multipartEtag,
  normalizeEtag,
  urlEncodeKey,
} from '../../../protocol/oss-format.js';
import {
  parseCompleteMultipartUpload,
  xmlDocument,
  type CompletePart,
} from '../../../protocol/oss-xml.js';
import type { OssCall, OssReply } from '../context.js';
import {
  entityTooSmall,
  fileAlreadyExists,
  invalidArgument,
  invalidPart,
  invalidPartOrder,
  malformedXml,
  noSuchBucket,
  noSuchUpload,
  partNotSequential,
} from '../errors.js';
import {
  MAX_OBJECT_BYTES,
  MAX_PART_NUMBER,
  MIN_PART_BYTES,
  extranetEndpoint,
  type Bucket,
  type OssObject,
  type Part,
  type Upload,
} from '../model.js';
import {
  blobWriteError,
  dropBlobs,
  integerArg,
  objectAclArg,
  readSmallBody,
  requestObjectHeaders,
  refuseStorageClassHeader,
  storageClassArg,
  unwrap,
  writeRequestBody,
} from './common.js';
import { encryptionReplyHeaders, refusePartEncryption, requestEncryption } from './encryption.js';
import { refusePublicAcl } from './public-access-block.js';
import { readableSource } from './copy.js';
import { checkPreconditions, newObjectId, writeForbidsOverwrite } from './objects.js';
import { copySourceVersionHeaders, versionHeaders, writeVersionId } from './versioning.js';
import { requestTags } from './tagging.js';
import { fileImmutable, isRetained, retention } from './worm.js';

const XML = { 'content-type': 'application/xml' };

function bucketOf(call: OssCall): Bucket {
  if (!call.bucket) throw noSuchBucket(call.bucketName ?? '');
  return call.bucket;
}

function encoder(call: OssCall): ((s: string) => string) | undefined {
  return (call.query.get('encoding-type') ?? '').toLowerCase() === 'url' ? urlEncodeKey : undefined;
}

/** The upload named by `uploadId`, which must be for this bucket and key. */
async function uploadOf(call: OssCall): Promise<Upload> {
  const id = call.query.get('uploadId') ?? '';
  const u = id === '' ? undefined : await call.deps.store.getUpload(id);
  if (!u || u.bucket !== call.bucketName || u.key !== call.key) throw noSuchUpload(id);
  return u;
}

function partNumberOf(call: OssCall): number {
  const raw = call.query.get('partNumber');
  const n = raw === null || raw === undefined ? NaN : /^\d{1,6}$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 1 && n <= MAX_PART_NUMBER)) {
    // doc: 0017-00000220
    throw invalidArgument(
      'Part number must be an integer between 1 and 10000, inclusive.',
      'PartNumber',
      raw ?? '',
    );
  }
  return n;
}

/** InitiateMultipartUpload (`POST ?uploads`). */
export async function initiateMultipartUpload(call: OssCall): Promise<OssReply> {
  const b = bucketOf(call);
  const key = call.key ?? '';
  if (writeForbidsOverwrite(call, b) && (await call.object())) throw fileAlreadyExists();
  await refusePublicAcl(call.deps, b, call.header('x-oss-object-acl'));
  const upload: Upload = {
    uploadId: randomBytes(16).toString('hex').toUpperCase(),
    bucket: b.name,
    key,
    initiated: call.info.now,
    headers: { ...requestObjectHeaders(call, key), ...requestEncryption(call, b) },
    acl: objectAclArg(call.header('x-oss-object-acl')) ?? 'default',
    storageClass: storageClassArg(call.header('x-oss-storage-class')) ?? b.storageClass,
    ...(call.query.has('sequential') ? { sequential: true } : {}),
    tags: await requestTags(call),
  };
  try {
    await call.deps.store.createUpload(upload);
  } catch (e) {
    if (isStoreError(e, 'NotFound')) throw noSuchBucket(b.name);
    throw e;
  }
  const enc = encoder(call);
  return {
    status: 200,
    headers: { ...XML, ...encryptionReplyHeaders(upload.headers) },
    body: xmlDocument('InitiateMultipartUploadResult', {
      Bucket: b.name,
      Key: enc ? enc(key) : key,
      UploadId: upload.uploadId,
      ...(enc ? { EncodingType: 'url' } : {}),
    }),
  };
}

/**
 * A sequential upload takes its parts in order: the next number, or the last one again (a
 * retry); anything else is `PartNotSequential` (oss2's test of several threads uploading).
 */
async function checkSequence(call: OssCall, upload: Upload, partNumber: number): Promise<void> {
  if (!upload.sequential) return;
  const last = await call.deps.store.lastPartNumber(upload.uploadId);
  if (partNumber !== last + 1 && partNumber !== last) throw partNotSequential();
}

/** Base64 MD5 of the parts' bytes in order (a sequential upload's Content-MD5). */
async function wholeMd5(call: OssCall, parts: readonly Part[]): Promise<string> {
  const hash = createHash('md5');
  for (const p of parts) {
    for await (const chunk of await call.deps.blobs.read(p.blobId)) hash.update(chunk as Buffer);
  }
  return hash.digest('base64');
}

async function storePart(call: OssCall, part: Part): Promise<void> {
  let replaced: string | undefined;
  try {
    replaced = await call.deps.store.putPart(part);
  } catch (e) {
    await call.deps.blobs.delete([part.blobId]).catch(() => {});
    if (isStoreError(e, 'NotFound')) throw noSuchUpload(part.uploadId);
    throw e;
  }
  if (replaced !== undefined) dropBlobs(call.deps, [replaced]);
}

/** UploadPart (`PUT ?partNumber=N&uploadId=ID`): replaces a part with the same number. */
export async function uploadPart(call: OssCall): Promise<OssReply> {
  const partNumber = partNumberOf(call);
  refusePartEncryption(call);
  const upload = await uploadOf(call);
  await checkSequence(call, upload, partNumber);
  const info = await writeRequestBody(call, MAX_OBJECT_BYTES);
  const etag = `"${info.md5.toString('hex').toUpperCase()}"`;
  await storePart(call, {
    uploadId: upload.uploadId,
    partNumber,
    blobId: info.blobId,
    size: info.size,
    etag,
    crc64: info.crc64,
    lastModified: call.deps.clock.now(),
  });
  return {
    status: 200,
    headers: {
      etag,
      'x-oss-hash-crc64ecma': info.crc64,
      'content-md5': info.md5.toString('base64'),
      ...encryptionReplyHeaders(upload.headers),
    },
  };
}

/** UploadPartCopy: a part from (a range of) another object (`x-oss-copy-source-range`). */
export async function uploadPartCopy(call: OssCall): Promise<OssReply> {
  const partNumber = partNumberOf(call);
  refusePartEncryption(call);
  const upload = await uploadOf(call);
  await checkSequence(call, upload, partNumber);
  const { bucket: srcBucket, object: src } = await readableSource(call);
  const get = (n: string) => call.header(n);
  if (checkPreconditions(get, src, 'x-oss-copy-source-') === 'not-modified') {
    return { status: 304, headers: { etag: src.etag } };
  }
  let range: { start: number; end: number } | undefined;
  const rawRange = call.header('x-oss-copy-source-range');
  if (rawRange !== undefined) {
    const m = /^bytes=(\d+)-(\d*)$/.exec(rawRange.trim());
    const start = m ? Number(m[1]) : NaN;
    const end = m && m[2] !== '' ? Number(m[2]) : src.size - 1;
    if (!m || start > end || end >= src.size) {
      throw invalidArgument(
        'The x-oss-copy-source-range is invalid.',
        'x-oss-copy-source-range',
        rawRange,
      );
    }
    range = { start, end };
  }
  const body = await readConcatenated(call.deps.blobs, src.segments, range);
  let info;
  try {
    info = await call.deps.blobs.write(body, { maxBytes: MAX_OBJECT_BYTES });
  } catch (e) {
    body.destroy();
    throw blobWriteError(e);
  }
  const now = call.deps.clock.now();
  const etag = `"${info.md5.toString('hex').toUpperCase()}"`;
  await storePart(call, {
    uploadId: upload.uploadId,
    partNumber,
    blobId: info.blobId,
    size: info.size,
    etag,
    crc64: info.crc64,
    lastModified: now,
  });
  return {
    status: 200,
    headers: {
      ...XML,
      etag,
      'x-oss-hash-crc64ecma': info.crc64,
      ...encryptionReplyHeaders(upload.headers),
      ...copySourceVersionHeaders(srcBucket, src),
    },
    body: xmlDocument('CopyPartResult', { LastModified: isoMillis(now), ETag: etag }),
  };
}

/** CompleteMultipartUpload (`POST ?uploadId=ID`), with a part list or `x-oss-complete-all: yes`. */
export async function completeMultipartUpload(call: OssCall): Promise<OssReply> {
  const b = bucketOf(call);
  const key = call.key ?? '';
  refuseStorageClassHeader(call);
  const upload = await uploadOf(call);
  const all = await call.deps.store.allParts(upload.uploadId);
  const body = await readSmallBody(call);
  let chosen: Part[];
  if ((call.header('x-oss-complete-all') ?? '').toLowerCase() === 'yes') {
    if (body.length > 0) {
      throw invalidArgument(
        'Should not speficy both complete all header and http body.',
        'x-oss-complete-all',
        'yes',
      );
    }
    chosen = all;
  } else {
    const listed: CompletePart[] = unwrap(parseCompleteMultipartUpload(body));
    if (listed.length === 0) throw malformedXml();
    const byNumber = new Map(all.map((p) => [p.partNumber, p]));
    chosen = [];
    let previous = 0;
    for (const l of listed) {
      if (l.partNumber <= previous) throw invalidPartOrder();
      previous = l.partNumber;
      const p = byNumber.get(l.partNumber);
      if (!p || normalizeEtag(p.etag) !== normalizeEtag(l.etag)) throw invalidPart(l.partNumber);
      chosen.push(p);
    }
  }
  if (chosen.length === 0) throw malformedXml();
  for (let i = 0; i < chosen.length - 1; i++) {
    if (chosen[i]!.size < MIN_PART_BYTES) throw entityTooSmall();
  }
  const etag = multipartEtag(chosen.map((p) => p.etag));
  const crc64 = crc64CombineParts(chosen);
  const size = chosen.reduce((n, p) => n + p.size, 0);
  const object: OssObject = {
    bucket: b.name,
    key,
    objectId: newObjectId(),
    versionId: writeVersionId(call, b),
    size,
    etag,
    crc64,
    objectType: 'Multipart',
    storageClass: upload.storageClass,
    lastModified: call.deps.clock.now(),
    headers: upload.sequential
      ? { ...upload.headers, 'content-md5': await wholeMd5(call, chosen) }
      : upload.headers,
    acl: upload.acl,
    ...(upload.tags ? { tags: upload.tags } : {}),
    segments: chosen.map((p) => ({
      blobId: p.blobId,
      size: p.size,
      md5: normalizeEtag(p.etag),
      crc64: p.crc64,
    })),
  };
  const held = await retention(call, b);
  let dropped: string[];
  try {
    dropped = await call.deps.store.completeUpload(upload.uploadId, object, {
      forbidOverwrite: writeForbidsOverwrite(call, b),
      ...(b.versioning ? { versioning: b.versioning } : {}),
      ...(held !== undefined ? { retainedAfter: held } : {}),
    });
  } catch (e) {
    if (isRetained(e)) throw fileImmutable();
    if (isStoreError(e, 'NotFound')) throw noSuchUpload(upload.uploadId);
    if (isStoreError(e, 'AlreadyExists')) throw fileAlreadyExists();
    throw e;
  }
  dropBlobs(call.deps, dropped);
  const enc = encoder(call);
  const shown = enc ? enc(key) : key;
  return {
    status: 200,
    headers: {
      ...XML,
      etag,
      'x-oss-hash-crc64ecma': crc64,
      ...encryptionReplyHeaders(upload.headers),
      ...versionHeaders(b, object),
    },
    body: xmlDocument('CompleteMultipartUploadResult', {
      ...(enc ? { EncodingType: 'url' } : {}),
      Location: `http://${b.name}.${extranetEndpoint(b.region)}/${urlEncodeKey(key).replace(/%2F/g, '/')}`,
      Bucket: b.name,
      Key: shown,
      ETag: etag,
    }),
  };
}

/** AbortMultipartUpload (`DELETE ?uploadId=ID`): 204. */
export async function abortMultipartUpload(call: OssCall): Promise<OssReply> {
  const upload = await uploadOf(call);
  let dropped: string[];
  try {
    dropped = await call.deps.store.abortUpload(upload.uploadId);
  } catch (e) {
    if (isStoreError(e, 'NotFound')) throw noSuchUpload(upload.uploadId);
    throw e;
  }
  dropBlobs(call.deps, dropped);
  return { status: 204 };
}

/** ListParts (`GET ?uploadId=ID`). */
export async function listParts(call: OssCall): Promise<OssReply> {
  const b = bucketOf(call);
  const upload = await uploadOf(call);
  const max = integerArg(call.query.get('max-parts'), 'max-parts', 1000) ?? 1000;
  const marker = integerArg(call.query.get('part-number-marker'), 'part-number-marker') ?? 0;
  const rows = await call.deps.store.listParts(upload.uploadId, marker, Math.max(max, 1) + 1);
  const truncated = rows.length > max;
  const parts = rows.slice(0, max);
  const enc = encoder(call);
  return {
    status: 200,
    headers: XML,
    body: xmlDocument('ListPartsResult', {
      Bucket: b.name,
      Key: enc ? enc(upload.key) : upload.key,
      UploadId: upload.uploadId,
      ...(enc ? { EncodingType: 'url' } : {}),
      StorageClass: upload.storageClass,
      PartNumberMarker: marker,
      NextPartNumberMarker: parts.length > 0 ? parts[parts.length - 1]!.partNumber : marker,
      MaxParts: max,
      IsTruncated: truncated,
      Part: parts.map((p) => ({
        PartNumber: p.partNumber,
        LastModified: isoMillis(p.lastModified),
        ETag: p.etag,
        HashCrc64ecma: p.crc64,
        Size: p.size,
      })),
    }),
  };
}
