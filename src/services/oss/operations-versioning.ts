/**
 * @module Versioning operations (issue 18), declared as in `operations.ts` (which splices them in
 * ahead of its own: each is selected by a sub-resource no other operation uses). The `versionId`
 * of object operations is not here: each object operation that honours it declares its
 * `versionAction` in `operations.ts`, and `protocol.ts` loads the version it names.
 */
import { listingContext } from './handlers/listing.js';
import * as V from './handlers/versioning.js';
import type { OssOperation } from './operations.js';

/** The operations of this file, in selection order. */
export const VERSIONING_OPERATIONS: readonly OssOperation[] = [
  {
    name: 'PutBucketVersioning',
    level: 'bucket',
    method: 'PUT',
    sub: ['versioning'],
    action: 'oss:PutBucketVersioning',
    bucket: 'required',
    authn: 'signature',
    handler: V.putBucketVersioning,
    doc: 'Enable or suspend versioning of a bucket',
  },
  {
    name: 'GetBucketVersioning',
    level: 'bucket',
    method: 'GET',
    sub: ['versioning'],
    action: 'oss:GetBucketVersioning',
    bucket: 'required',
    authn: 'signature',
    handler: V.getBucketVersioning,
    doc: 'Get a bucket’s versioning state',
  },
  {
    name: 'ListObjectVersions',
    level: 'bucket',
    method: 'GET',
    sub: ['versions'],
    action: 'oss:ListObjectVersions',
    bucket: 'required',
    authn: 'signature',
    acl: 'read',
    context: listingContext,
    handler: V.listObjectVersions,
    doc: 'List every version and delete marker of a bucket’s objects (GetBucketVersions)',
  },
];
