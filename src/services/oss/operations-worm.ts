/**
 * @module Retention policy (WORM) operations (issue 18), declared as in `operations.ts`, which
 * splices them in ahead of its own: each is selected by sub-resources no other operation uses
 * (ExtendBucketWorm, `?wormExtend&wormId`, before CompleteBucketWorm, `?wormId`).
 */
import * as W from './handlers/worm.js';
import { bucketOp } from './operations-config.js';
import type { OssOperation } from './operations.js';

/** The operations of this file, in selection order. */
export const WORM_OPERATIONS: readonly OssOperation[] = [
  bucketOp(
    'InitiateBucketWorm',
    'POST',
    'worm',
    W.initiateBucketWorm,
    'Create a bucket’s retention policy (WORM), in progress until completed (24 hours on yunbox’s clock)',
  ),
  bucketOp(
    'AbortBucketWorm',
    'DELETE',
    'worm',
    W.abortBucketWorm,
    'Remove a retention policy that is not locked',
  ),
  {
    ...bucketOp(
      'ExtendBucketWorm',
      'POST',
      'wormExtend',
      W.extendBucketWorm,
      'Lengthen a locked retention policy’s period (`?wormExtend&wormId=`)',
    ),
    // CompleteBucketWorm's sub-resource, which this call names too.
    optional: ['wormId'],
  },
  bucketOp(
    'CompleteBucketWorm',
    'POST',
    'wormId',
    W.completeBucketWorm,
    'Lock a retention policy (`?wormId=`): objects within it cannot be overwritten or deleted',
  ),
  bucketOp(
    'GetBucketWorm',
    'GET',
    'worm',
    W.getBucketWorm,
    'Get a bucket’s retention policy (WormId, State, RetentionPeriodInDays, CreationDate)',
  ),
];
