/**
 * @module Bucket configuration operations, part 1 (issue 17), declared as in `operations.ts`
 * (which splices them in ahead of its own: each is selected by a sub-resource no other operation
 * uses): server-side encryption, Referer rules, request payment, Block Public Access (bucket and
 * account level), GetBucketStat and DescribeRegions.
 */
import * as E from './handlers/encryption.js';
import * as P from './handlers/public-access-block.js';
import * as R from './handlers/referer.js';
import * as Q from './handlers/request-payment.js';
import * as S from './handlers/stat.js';
import type { OssOperation } from './operations.js';

type Verb = OssOperation['method'];

/** A bucket-level operation selected by one sub-resource, checked as `oss:<name>`. */
export function bucketOp(
  name: string,
  method: Verb,
  sub: string,
  handler: OssOperation['handler'],
  doc: string,
): OssOperation {
  return {
    name,
    level: 'bucket',
    method,
    sub: [sub],
    action: `oss:${name}`,
    bucket: 'required',
    authn: 'signature',
    handler,
    doc,
  };
}

/** As `bucketOp`, at the account level: no bucket, and never anonymous. */
function serviceOp(...args: Parameters<typeof bucketOp>): OssOperation {
  return { ...bucketOp(...args), level: 'service', bucket: 'none', noAnonymous: true };
}

/** The operations of this file, in selection order. */
export const CONFIG_C1_OPERATIONS: readonly OssOperation[] = [
  // ---- service (account) level
  serviceOp(
    'DescribeRegions',
    'GET',
    'regions',
    S.describeRegions,
    'List the regions yunbox serves, with their endpoints',
  ),
  // The same call under the sub-resource name V1 signing knows (`regionList`).
  serviceOp(
    'DescribeRegions',
    'GET',
    'regionList',
    S.describeRegions,
    'DescribeRegions, addressed as `?regionList`',
  ),
  serviceOp(
    'PutPublicAccessBlock',
    'PUT',
    'publicAccessBlock',
    P.putPublicAccessBlock,
    'Turn Block Public Access on or off for the caller’s account',
  ),
  serviceOp(
    'GetPublicAccessBlock',
    'GET',
    'publicAccessBlock',
    P.getPublicAccessBlock,
    'Get the account’s Block Public Access',
  ),
  serviceOp(
    'DeletePublicAccessBlock',
    'DELETE',
    'publicAccessBlock',
    P.deletePublicAccessBlock,
    'Remove the account’s Block Public Access',
  ),
  // ---- bucket level
  bucketOp(
    'PutBucketEncryption',
    'PUT',
    'encryption',
    E.putBucketEncryption,
    'Set a bucket’s default server-side encryption (AES256, SM4; KMS refused: no KMS)',
  ),
  bucketOp(
    'GetBucketEncryption',
    'GET',
    'encryption',
    E.getBucketEncryption,
    'Get a bucket’s default server-side encryption',
  ),
  bucketOp(
    'DeleteBucketEncryption',
    'DELETE',
    'encryption',
    E.deleteBucketEncryption,
    'Remove a bucket’s default server-side encryption',
  ),
  bucketOp(
    'PutBucketReferer',
    'PUT',
    'referer',
    R.putBucketReferer,
    'Set a bucket’s Referer whitelist and blacklist (enforced on anonymous and presigned requests)',
  ),
  bucketOp(
    'GetBucketReferer',
    'GET',
    'referer',
    R.getBucketReferer,
    'Get a bucket’s Referer rules',
  ),
  bucketOp(
    'PutBucketRequestPayment',
    'PUT',
    'requestPayment',
    Q.putBucketRequestPayment,
    'Set who pays for requests (BucketOwner or Requester, enforced)',
  ),
  bucketOp(
    'GetBucketRequestPayment',
    'GET',
    'requestPayment',
    Q.getBucketRequestPayment,
    'Get who pays for requests',
  ),
  bucketOp(
    'PutBucketPublicAccessBlock',
    'PUT',
    'publicAccessBlock',
    P.putBucketPublicAccessBlock,
    'Turn Block Public Access on or off for a bucket',
  ),
  bucketOp(
    'GetBucketPublicAccessBlock',
    'GET',
    'publicAccessBlock',
    P.getBucketPublicAccessBlock,
    'Get a bucket’s Block Public Access',
  ),
  bucketOp(
    'DeleteBucketPublicAccessBlock',
    'DELETE',
    'publicAccessBlock',
    P.deleteBucketPublicAccessBlock,
    'Remove a bucket’s Block Public Access',
  ),
  bucketOp(
    'GetBucketStat',
    'GET',
    'stat',
    S.getBucketStat,
    'Count a bucket’s objects, bytes (per storage class) and uploads',
  ),
];
