/**
 * @module Block Public Access (doc: PutPublicAccessBlock, PutBucketPublicAccessBlock and their
 * Get/Delete; "Block Public Access"), at account level (`?publicAccessBlock` on the service
 * endpoint) and bucket level. While either is on, "existing public access permissions are ignored
 * and public access permissions cannot be configured":
 *
 * - ignored: a `public-read`/`public-read-write` bucket or object ACL grants nothing, and a bucket
 *   policy statement granting anonymous callers (`Principal: *`) does not apply (`authz.ts`);
 * - refused: setting a public ACL (PutBucket, PutBucketAcl, PutObject, PutObjectAcl, CopyObject,
 *   AppendObject, InitiateMultipartUpload, PostObject) or a public bucket policy answers
 *   `AccessDenied`.
 *
 * The bucket's own setting, when present, is read from the bucket row already loaded; the
 * account's comes from a cached row, read only when a public grant is at stake.
 */
import { parseOssXml, xmlChildText, xmlDocument } from '../../../protocol/oss-xml.js';
import type { OssCall, OssDeps, OssReply } from '../context.js';
import { invalidArgument, malformedXml, noSuchBucket, publicAccessBlocked } from '../errors.js';
import type { Bucket } from '../model.js';
import { hasPublicStatement, isPublicAcl } from '../public-access.js';
import { readSmallBody, unwrap } from './common.js';

const MAX_BODY_BYTES = 4 * 1024;

/** Whether public access to `bucket` is blocked, by the bucket or by its owner's account. */
export async function publicAccessIsBlocked(deps: OssDeps, bucket: Bucket): Promise<boolean> {
  if (bucket.blockPublicAccess === true) return true;
  return (await deps.store.getAccountPublicAccessBlock(bucket.accountId)) === true;
}

/** Refuses setting a public ACL on (an object of) `bucket` while public access is blocked. */
export async function refusePublicAcl(
  deps: OssDeps,
  bucket: Bucket,
  acl: string | undefined,
): Promise<void> {
  if (!isPublicAcl(acl)) return;
  if (await publicAccessIsBlocked(deps, bucket)) throw publicAccessBlocked('acl');
}

/** Refuses a bucket policy with a public Allow statement while public access is blocked. */
export async function refusePublicPolicy(
  deps: OssDeps,
  bucket: Bucket,
  policy: string,
): Promise<void> {
  if (!hasPublicStatement(policy)) return;
  if (await publicAccessIsBlocked(deps, bucket)) throw publicAccessBlocked('policy');
}

function parseConfiguration(body: Buffer): boolean {
  const root = unwrap(parseOssXml(body, { maxBytes: MAX_BODY_BYTES, maxElements: 8 }));
  if (root.name !== 'PublicAccessBlockConfiguration') throw malformedXml();
  const text = xmlChildText(root, 'BlockPublicAccess');
  if (text === undefined) return false;
  // oss2 writes Python's `str(True)`: the value is read without regard to case.
  const t = text.trim().toLowerCase();
  if (t === 'true') return true;
  if (t === 'false') return false;
  throw invalidArgument('BlockPublicAccess must be true or false.', 'BlockPublicAccess', text);
}

function reply(block: boolean): OssReply {
  return {
    status: 200,
    headers: { 'content-type': 'application/xml' },
    body: xmlDocument('PublicAccessBlockConfiguration', { BlockPublicAccess: block }),
  };
}

function bucketOf(call: OssCall): Bucket {
  if (!call.bucket) throw noSuchBucket(call.bucketName ?? '');
  return call.bucket;
}

function accountOf(call: OssCall): string {
  // INVARIANT: service-level Block Public Access operations refuse anonymous callers.
  const p = call.info.principal;
  return p.kind === 'anonymous' ? '' : p.accountId;
}

/** PutPublicAccessBlock (account level): 200. */
export async function putPublicAccessBlock(call: OssCall): Promise<OssReply> {
  const block = parseConfiguration(await readSmallBody(call, MAX_BODY_BYTES));
  await call.deps.store.setAccountPublicAccessBlock(accountOf(call), block);
  return { status: 200 };
}

/** GetPublicAccessBlock (account level): `false` unless set. */
export async function getPublicAccessBlock(call: OssCall): Promise<OssReply> {
  return reply((await call.deps.store.getAccountPublicAccessBlock(accountOf(call))) === true);
}

/** DeletePublicAccessBlock (account level): 204. */
export async function deletePublicAccessBlock(call: OssCall): Promise<OssReply> {
  await call.deps.store.setAccountPublicAccessBlock(accountOf(call), null);
  return { status: 204 };
}

/** PutBucketPublicAccessBlock: 200. */
export async function putBucketPublicAccessBlock(call: OssCall): Promise<OssReply> {
  const b = bucketOf(call);
  const block = parseConfiguration(await readSmallBody(call, MAX_BODY_BYTES));
  await call.deps.store.updateBucket(b.name, { blockPublicAccess: block });
  return { status: 200 };
}

/** GetBucketPublicAccessBlock: the bucket's own setting (`false` unless set). */
export async function getBucketPublicAccessBlock(call: OssCall): Promise<OssReply> {
  return reply(bucketOf(call).blockPublicAccess === true);
}

/** DeleteBucketPublicAccessBlock: 204. */
export async function deleteBucketPublicAccessBlock(call: OssCall): Promise<OssReply> {
  await call.deps.store.updateBucket(bucketOf(call).name, { blockPublicAccess: null });
  return { status: 204 };
}
