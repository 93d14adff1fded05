/**
 * @module Object and bucket tags and symlinks (issue 18), declared as in `operations.ts` (which
 * splices them in ahead of its own: each is selected by `?tagging` or `?symlink`, which no other
 * operation uses). ListBuckets' tag filters are ListBuckets' own (handlers/tagging.ts).
 */
import * as S from './handlers/symlink.js';
import * as T from './handlers/tagging.js';
import type { OssOperation } from './operations.js';

type Verb = OssOperation['method'];

function op(
  name: string,
  level: 'bucket' | 'object',
  method: Verb,
  sub: string,
  action: string,
  handler: OssOperation['handler'],
  doc: string,
): OssOperation {
  return {
    name,
    level,
    method,
    sub: [sub],
    // The object's version; `addressedObject` (handlers/versioning.ts) resolves it.
    ...(level === 'object' ? { optional: ['versionId'], context: T.existingObjectTags } : {}),
    action,
    // With a `versionId`, also the version's action (`oss:GetObjectVersionTagging`...).
    ...(level === 'object'
      ? { versionAction: action.replace('ObjectTagging', 'ObjectVersionTagging') }
      : {}),
    bucket: 'required',
    authn: 'signature',
    handler,
    doc,
  };
}

/** The operations of this file, in selection order. */
export const TAG_OPERATIONS: readonly OssOperation[] = [
  op(
    'PutBucketTags',
    'bucket',
    'PUT',
    'tagging',
    'oss:PutBucketTagging',
    T.putBucketTags,
    'Set a bucket’s tags (up to 20)',
  ),
  op(
    'GetBucketTags',
    'bucket',
    'GET',
    'tagging',
    'oss:GetBucketTagging',
    T.getBucketTags,
    'Get a bucket’s tags',
  ),
  op(
    'DeleteBucketTags',
    'bucket',
    'DELETE',
    'tagging',
    'oss:DeleteBucketTagging',
    T.deleteBucketTags,
    'Delete a bucket’s tags (all, or the keys of `?tagging=k1,k2`)',
  ),
  {
    // Checked by the handler once the body names the tags (`oss:RequestObjectTag/<key>`).
    ...op(
      'PutObjectTagging',
      'object',
      'PUT',
      'tagging',
      'oss:PutObjectTagging',
      T.putObjectTagging,
      'Set an object’s tags (up to 10; `oss:PutObjectTagging` checked with the tags asked for)',
    ),
    action: undefined,
    versionAction: undefined,
    handlerActions: ['oss:PutObjectTagging', 'oss:PutObjectVersionTagging'],
  },
  op(
    'GetObjectTagging',
    'object',
    'GET',
    'tagging',
    'oss:GetObjectTagging',
    T.getObjectTagging,
    'Get an object’s tags',
  ),
  op(
    'DeleteObjectTagging',
    'object',
    'DELETE',
    'tagging',
    'oss:DeleteObjectTagging',
    T.deleteObjectTagging,
    'Delete an object’s tags',
  ),
  {
    ...op(
      'PutSymlink',
      'object',
      'PUT',
      'symlink',
      'oss:PutObject',
      S.putSymlink,
      'Create a symlink to another object (`oss:PutObjectTagging` too with `x-oss-tagging`)',
    ),
    acl: 'write',
    noVersionId: true,
    context: (call) => ({
      'oss:x-oss-object-acl': call.header('x-oss-object-acl'),
      'oss:x-oss-storage-class': call.header('x-oss-storage-class'),
      'oss:x-oss-forbid-overwrite': call.header('x-oss-forbid-overwrite'),
    }),
  },
  {
    ...op(
      'GetSymlink',
      'object',
      'GET',
      'symlink',
      'oss:GetObject',
      S.getSymlink,
      'Get a symlink’s target',
    ),
    acl: 'read',
  },
];
