/**
 * @module Server-side encryption (doc: "Server-side encryption", PutBucketEncryption,
 * GetBucketEncryption, DeleteBucketEncryption, PutObject `x-oss-server-side-encryption`).
 *
 * An upload (PutObject, PostObject, CopyObject, AppendObject, InitiateMultipartUpload) names its
 * algorithm in `x-oss-server-side-encryption`, or gets the bucket's default; the algorithm is
 * kept with the object's headers, so every read (GetObject, HeadObject, GetObjectMeta) and every
 * write answer (PutObject, CopyObject, AppendObject, UploadPart, CompleteMultipartUpload) echoes
 * it, as OSS does. `AES256` and `SM4` are OSS-managed keys and need nothing more. yunbox has no
 * KMS: `KMS` is refused with `KmsServiceNotEnabled`, what OSS answers an account that never
 * activated KMS, whether asked per object or as a bucket default; never stored and ignored.
 *
 * yunbox keeps object bytes in its own blob store; what protects them at rest is the disk under
 * the data directory, not these headers (README, "Objects in OSS").
 */
import {
  parseOssXml,
  xmlChild,
  xmlChildText,
  xmlDocument,
  type XmlNode,
} from '../../../protocol/oss-xml.js';
import type { OssCall, OssReply } from '../context.js';
import {
  invalidArgument,
  invalidEncryptionAlgorithm,
  kmsServiceNotEnabled,
  malformedXml,
  noSuchBucket,
  noSuchServerSideEncryptionRule,
} from '../errors.js';
import {
  SSE_ALGORITHMS,
  type Bucket,
  type BucketEncryption,
  type ObjectHeaders,
  type SseAlgorithm,
} from '../model.js';
import { readSmallBody, unwrap } from './common.js';

/** Request and object header naming the algorithm. */
export const SSE_HEADER = 'x-oss-server-side-encryption';
/** The data algorithm under KMS (`SM4`); only meaningful with `KMS`. */
export const SSE_DATA_HEADER = 'x-oss-server-side-data-encryption';
/** The KMS key id; only meaningful with `KMS`. */
export const SSE_KEY_HEADER = 'x-oss-server-side-encryption-key-id';

/** Largest PutBucketEncryption body read. */
const MAX_RULE_BYTES = 16 * 1024;

function algorithmOf(value: string): SseAlgorithm {
  if (!(SSE_ALGORITHMS as readonly string[]).includes(value)) throw invalidEncryptionAlgorithm();
  return value as SseAlgorithm;
}

/**
 * The encryption headers an upload stores with its object: from the request, else the bucket's
 * default, else none. `InvalidEncryptionAlgorithmError` for an unknown algorithm,
 * `KmsServiceNotEnabled` for `KMS`, `InvalidArgument` for a KMS key or data algorithm without
 * `KMS`. Checked before any byte is read.
 * @example
 * uploadEncryption((n) => headers[n], bucket) // { 'x-oss-server-side-encryption': 'AES256' }
 */
export function uploadEncryption(
  get: (name: string) => string | undefined,
  bucket: Bucket,
): ObjectHeaders {
  const asked = get(SSE_HEADER);
  const data = get(SSE_DATA_HEADER);
  const key = get(SSE_KEY_HEADER);
  if (asked === undefined) {
    if (data !== undefined) {
      throw invalidArgument(`${SSE_DATA_HEADER} requires KMS encryption.`, SSE_DATA_HEADER, data);
    }
    if (key !== undefined) {
      throw invalidArgument(`${SSE_KEY_HEADER} requires KMS encryption.`, SSE_KEY_HEADER, key);
    }
    const byDefault = bucket.encryption?.sseAlgorithm;
    if (byDefault === undefined) return {};
    // INVARIANT: PutBucketEncryption never stores KMS; a row written otherwise is refused here.
    if (byDefault === 'KMS') throw kmsServiceNotEnabled();
    return { [SSE_HEADER]: byDefault };
  }
  const algorithm = algorithmOf(asked.trim());
  if (algorithm === 'KMS') throw kmsServiceNotEnabled();
  if (data !== undefined) {
    throw invalidArgument(`${SSE_DATA_HEADER} requires KMS encryption.`, SSE_DATA_HEADER, data);
  }
  if (key !== undefined) {
    throw invalidArgument(`${SSE_KEY_HEADER} requires KMS encryption.`, SSE_KEY_HEADER, key);
  }
  return { [SSE_HEADER]: algorithm };
}

/** The encryption headers of an upload request (see {@link uploadEncryption}). */
export function requestEncryption(call: OssCall, bucket: Bucket): ObjectHeaders {
  return uploadEncryption((n) => call.header(n), bucket);
}

/** `headers` without the encryption ones (a copy is encrypted as its request says, not its source's). */
export function withoutEncryption(headers: ObjectHeaders): ObjectHeaders {
  const out: ObjectHeaders = {};
  for (const [k, v] of Object.entries(headers)) {
    if (k !== SSE_HEADER && k !== SSE_DATA_HEADER && k !== SSE_KEY_HEADER) out[k] = v;
  }
  return out;
}

/** The encryption headers among an object's (or upload's) stored headers, for an answer. */
export function encryptionReplyHeaders(headers: ObjectHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of [SSE_HEADER, SSE_DATA_HEADER, SSE_KEY_HEADER]) {
    const v = headers[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** UploadPart refuses encryption headers: the upload's initiation chose (doc: UploadPart). */
export function refusePartEncryption(call: OssCall): void {
  for (const name of [SSE_HEADER, SSE_DATA_HEADER, SSE_KEY_HEADER]) {
    const v = call.header(name);
    if (v !== undefined) {
      throw invalidArgument(
        `${name} is set when the multipart upload is initiated, not for each part.`,
        name,
        v,
      );
    }
  }
}

function bucketOf(call: OssCall): Bucket {
  if (!call.bucket) throw noSuchBucket(call.bucketName ?? '');
  return call.bucket;
}

/** Reads a `ServerSideEncryptionRule` document (PutBucketEncryption). */
export function parseEncryptionRule(body: Uint8Array | string): BucketEncryption {
  const root = unwrap(parseOssXml(body, { maxBytes: MAX_RULE_BYTES, maxElements: 64 }));
  // The Tea OSS client (@alicloud/oss20190517) sends the inner element as the document root;
  // an official SDK's request is accepted (the SDK wins where it and the reference differ).
  const apply: XmlNode | undefined =
    root.name === 'ApplyServerSideEncryptionByDefault'
      ? root
      : root.name === 'ServerSideEncryptionRule'
        ? xmlChild(root, 'ApplyServerSideEncryptionByDefault')
        : undefined;
  const raw = apply ? xmlChildText(apply, 'SSEAlgorithm') : undefined;
  if (!apply || raw === undefined) throw malformedXml();
  const sseAlgorithm = algorithmOf(raw.trim());
  const keyId = xmlChildText(apply, 'KMSMasterKeyID')?.trim();
  const data = xmlChildText(apply, 'KMSDataEncryption')?.trim();
  if (sseAlgorithm !== 'KMS') {
    // 0005-00000204: a key id only goes with KMS (an empty element is accepted).
    if (keyId) {
      throw invalidArgument(
        'KMSMasterKeyID is not applicable if the default sse algorithm is not KMS.',
        'KMSMasterKeyID',
        keyId,
      );
    }
    if (data) {
      throw invalidArgument(
        'KMSDataEncryption is not applicable if the default sse algorithm is not KMS.',
        'KMSDataEncryption',
        data,
      );
    }
    return { sseAlgorithm };
  }
  // 0005-00000203: KMSDataEncryption is SM4 or absent. Checked before the KMS refusal, as OSS
  // validates the document before it looks at the account.
  if (data && data !== 'SM4') {
    throw invalidArgument('Invalid KMSDataEncryption.', 'KMSDataEncryption', data);
  }
  throw kmsServiceNotEnabled();
}

/** PutBucketEncryption (`PUT /?encryption`): 200. */
export async function putBucketEncryption(call: OssCall): Promise<OssReply> {
  const b = bucketOf(call);
  const rule = parseEncryptionRule(await readSmallBody(call, MAX_RULE_BYTES));
  await call.deps.store.updateBucket(b.name, { encryption: rule });
  return { status: 200 };
}

/** The `ServerSideEncryptionRule` of GetBucketEncryption and GetBucketInfo. */
export function encryptionRuleXml(e: BucketEncryption) {
  return {
    SSEAlgorithm: e.sseAlgorithm,
    ...(e.kmsMasterKeyId !== undefined ? { KMSMasterKeyID: e.kmsMasterKeyId } : {}),
    ...(e.kmsDataEncryption !== undefined ? { KMSDataEncryption: e.kmsDataEncryption } : {}),
  };
}

/** GetBucketEncryption (`GET /?encryption`); `NoSuchServerSideEncryptionRule` when none. */
export async function getBucketEncryption(call: OssCall): Promise<OssReply> {
  const b = bucketOf(call);
  if (!b.encryption) throw noSuchServerSideEncryptionRule(b.name);
  return {
    status: 200,
    headers: { 'content-type': 'application/xml' },
    body: xmlDocument('ServerSideEncryptionRule', {
      ApplyServerSideEncryptionByDefault: encryptionRuleXml(b.encryption),
    }),
  };
}

/** DeleteBucketEncryption (`DELETE /?encryption`): 204. */
export async function deleteBucketEncryption(call: OssCall): Promise<OssReply> {
  await call.deps.store.updateBucket(bucketOf(call).name, { encryption: null });
  return { status: 204 };
}
