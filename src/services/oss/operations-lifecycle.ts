/**
 * @module Lifecycle operations (issue 18), declared as in `operations.ts` (which splices them in
 * with the other bucket configurations: each is selected by the `lifecycle` sub-resource alone).
 * RAM actions are `oss:PutBucketLifecycle`, `oss:GetBucketLifecycle`, `oss:DeleteBucketLifecycle`.
 */
import * as L from './handlers/lifecycle.js';
import { bucketOp } from './operations-config.js';
import type { OssOperation } from './operations.js';

/** The operations of this file, in selection order. */
export const LIFECYCLE_OPERATIONS: readonly OssOperation[] = [
  bucketOp(
    'PutBucketLifecycle',
    'PUT',
    'lifecycle',
    L.putBucketLifecycle,
    'Set a bucket’s lifecycle rules (expiration, transitions, multipart clean-up), applied on yunbox’s clock',
  ),
  bucketOp(
    'GetBucketLifecycle',
    'GET',
    'lifecycle',
    L.getBucketLifecycle,
    'Get a bucket’s lifecycle rules',
  ),
  bucketOp(
    'DeleteBucketLifecycle',
    'DELETE',
    'lifecycle',
    L.deleteBucketLifecycle,
    'Remove a bucket’s lifecycle rules',
  ),
];
