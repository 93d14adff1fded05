/**
 * @module Every OSS operation, declared once: how a request selects it (level, method,
 * sub-resources, headers), its RAM action and the condition keys of its check, what the ACLs may
 * grant when no policy does, how it authenticates, and its handler. The pipeline
 * (`protocol.ts`) reads these declarations; nothing else decides routing or authorisation.
 *
 * Selection: the first declaration whose level and method match, whose sub-resources are all in
 * the query and whose `when` holds. Order therefore goes from specific to general (UploadPartCopy
 * before UploadPart before CopyObject before PutObject).
 */
import type { AclGrant } from './authz.js';
import type { OssCall, OssReply, QueryView } from './context.js';
import * as B from './handlers/buckets.js';
import * as C from './handlers/cors.js';
import { copyObject } from './handlers/copy.js';
import * as L from './handlers/listing.js';
import * as M from './handlers/multipart.js';
import * as O from './handlers/objects.js';
import * as I from './handlers/inventory.js';
import * as G from './handlers/logging.js';
import { postObject } from './handlers/post-object.js';
import * as W from './handlers/website.js';
import { formBoundary } from './form.js';
import { methodNotAllowed } from './errors.js';
import { CONFIG_C1_OPERATIONS } from './operations-config.js';
import { VERSIONING_OPERATIONS } from './operations-versioning.js';
import { TAG_OPERATIONS } from './operations-tags.js';
import { RESTORE_OPERATIONS } from './operations-restore.js';
import { LIFECYCLE_OPERATIONS } from './operations-lifecycle.js';
import { WORM_OPERATIONS } from './operations-worm.js';
import { existingObjectTags, requestObjectTags } from './handlers/tagging.js';

/** Where an operation applies: no bucket, a bucket, or an object. */
export type OssLevel = 'service' | 'bucket' | 'object';

/** One OSS operation. */
export interface OssOperation {
  name: string;
  level: OssLevel | 'bucket-or-object';
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE' | 'OPTIONS';
  /** Sub-resources that select it (all must be present). */
  sub?: readonly string[];
  /** Further sub-resources it accepts without being selected by them (`versionId`). */
  optional?: readonly string[];
  /** Further selection (headers, query values). */
  when?: (query: QueryView, header: (name: string) => string | undefined) => boolean;
  /**
   * RAM action checked before the handler runs (on the bucket, object or service resource);
   * `undefined` when the handler checks per item (DeleteMultipleObjects) or the form
   * authenticates (PostObject).
   */
  action?: string;
  /**
   * The action also checked when the request names a `versionId` (`oss:GetObjectVersion` for
   * GetObject...), on the same resource.
   */
  versionAction?: string;
  /**
   * The call writes a new version or works on an upload, so it cannot address one: a `versionId`
   * is refused with `InvalidArgument` (as OSS refuses it on AppendObject, EC 0016-00000504),
   * never ignored.
   */
  noVersionId?: true;
  /** Actions the handler checks itself (per item, or for the form's policy), for the catalogue. */
  handlerActions?: readonly string[];
  /** `required`: NoSuchBucket when missing; `optional`: loaded if present (PutBucket). */
  bucket: 'required' | 'optional' | 'none';
  /** `signature` (header or URL, or anonymous), `form` (PostObject), `none` (CORS preflight). */
  authn: 'signature' | 'form' | 'none';
  /** Anonymous callers are refused outright ("Anonymous access is forbidden"). */
  noAnonymous?: boolean;
  /**
   * The check is made against the caller's own account, not the existing bucket's (PutBucket:
   * a name held by another account is `BucketAlreadyExists`, decided by the handler).
   */
  callerAccount?: boolean;
  /** What an ACL may grant when no policy allows. */
  acl?: AclGrant;
  /** Request-specific condition keys of the check (some read the object: a promise). */
  context?: (
    call: OssCall,
  ) => Record<string, string | undefined> | Promise<Record<string, string | undefined>>;
  handler: (call: OssCall) => Promise<OssReply>;
  doc: string;
}

const header = (name: string) => (call: OssCall) => ({ [`oss:${name}`]: call.header(name) });
const headers =
  (...names: string[]) =>
  (call: OssCall) =>
    Object.assign({}, ...names.map((n) => header(n)(call)));
/** The condition keys of writes that create an object: headers, and `oss:RequestObjectTag/*`. */
const writeContext =
  (...names: string[]) =>
  (call: OssCall) => ({ ...headers(...names)(call), ...requestObjectTags(call) });

/** Every operation, in selection order. */
export const OSS_OPERATIONS: readonly OssOperation[] = [
  // ---- bucket configuration (operations-config.ts), each selected by its own sub-resource
  ...CONFIG_C1_OPERATIONS,
  // ---- versioning (operations-versioning.ts), each selected by its own sub-resource
  ...VERSIONING_OPERATIONS,
  // ---- tags and symlinks (operations-tags.ts), selected by `?tagging` / `?symlink`
  ...TAG_OPERATIONS,
  // ---- RestoreObject (operations-restore.ts), selected by `restore`
  ...RESTORE_OPERATIONS,
  // ---- lifecycle (operations-lifecycle.ts), selected by `lifecycle`
  ...LIFECYCLE_OPERATIONS,
  // ---- retention policies (operations-worm.ts)
  ...WORM_OPERATIONS,
  // ---- service
  {
    name: 'ListBuckets',
    level: 'service',
    method: 'GET',
    optional: ['tagging'], // filters by tag (handlers/tagging.ts)
    action: 'oss:ListBuckets',
    bucket: 'none',
    authn: 'signature',
    noAnonymous: true,
    handler: B.listBuckets,
    doc: 'List the caller’s buckets',
  },
  // ---- CORS preflight, before anything that needs credentials
  {
    name: 'Options',
    level: 'bucket-or-object',
    method: 'OPTIONS',
    bucket: 'required',
    authn: 'none',
    handler: C.preflight,
    doc: 'Answer a CORS preflight request from the bucket’s rules',
  },
  // ---- bucket
  {
    name: 'PutBucketAcl',
    level: 'bucket',
    method: 'PUT',
    sub: ['acl'],
    action: 'oss:PutBucketAcl',
    bucket: 'optional', // a missing bucket is created (handlers/buckets.ts)
    authn: 'signature',
    context: header('x-oss-acl'),
    handler: B.putBucketAcl,
    doc: 'Set a bucket’s ACL',
  },
  {
    name: 'PutBucketPolicy',
    level: 'bucket',
    method: 'PUT',
    sub: ['policy'],
    action: 'oss:PutBucketPolicy',
    bucket: 'required',
    authn: 'signature',
    handler: B.putBucketPolicy,
    doc: 'Set a bucket’s policy',
  },
  {
    name: 'PutBucketCors',
    level: 'bucket',
    method: 'PUT',
    sub: ['cors'],
    action: 'oss:PutBucketCors',
    bucket: 'required',
    authn: 'signature',
    handler: B.putBucketCors,
    doc: 'Set a bucket’s CORS rules',
  },
  {
    name: 'PutBucketWebsite',
    level: 'bucket',
    method: 'PUT',
    sub: ['website'],
    action: 'oss:PutBucketWebsite',
    bucket: 'required',
    authn: 'signature',
    handler: W.putBucketWebsite,
    doc: 'Set a bucket’s static website settings',
  },
  {
    name: 'PutBucketLogging',
    level: 'bucket',
    method: 'PUT',
    sub: ['logging'],
    action: 'oss:PutBucketLogging',
    bucket: 'required',
    authn: 'signature',
    handler: G.putBucketLogging,
    doc: 'Turn a bucket’s access logging on (or off)',
  },
  {
    name: 'PutBucketInventory',
    level: 'bucket',
    method: 'PUT',
    sub: ['inventory'],
    optional: ['inventoryId'],
    action: 'oss:PutBucketInventory',
    bucket: 'required',
    authn: 'signature',
    handler: I.putBucketInventory,
    doc: 'Add or replace an inventory configuration',
  },
  {
    name: 'PutBucket',
    level: 'bucket',
    method: 'PUT',
    action: 'oss:PutBucket',
    bucket: 'optional',
    authn: 'signature',
    noAnonymous: true,
    callerAccount: true,
    context: headers('x-oss-acl', 'x-oss-storage-class'),
    handler: B.putBucket,
    doc: 'Create a bucket',
  },
  {
    name: 'GetBucketAcl',
    level: 'bucket',
    method: 'GET',
    sub: ['acl'],
    action: 'oss:GetBucketAcl',
    bucket: 'required',
    authn: 'signature',
    handler: B.getBucketAcl,
    doc: 'Get a bucket’s ACL',
  },
  {
    name: 'GetBucketInfo',
    level: 'bucket',
    method: 'GET',
    sub: ['bucketInfo'],
    action: 'oss:GetBucketInfo',
    bucket: 'required',
    authn: 'signature',
    handler: B.getBucketInfo,
    doc: 'Get a bucket’s details',
  },
  {
    name: 'GetBucketLocation',
    level: 'bucket',
    method: 'GET',
    sub: ['location'],
    action: 'oss:GetBucketLocation',
    bucket: 'required',
    authn: 'signature',
    handler: B.getBucketLocation,
    doc: 'Get a bucket’s region',
  },
  {
    name: 'GetBucketPolicy',
    level: 'bucket',
    method: 'GET',
    sub: ['policy'],
    action: 'oss:GetBucketPolicy',
    bucket: 'required',
    authn: 'signature',
    handler: B.getBucketPolicy,
    doc: 'Get a bucket’s policy',
  },
  {
    name: 'GetBucketCors',
    level: 'bucket',
    method: 'GET',
    sub: ['cors'],
    action: 'oss:GetBucketCors',
    bucket: 'required',
    authn: 'signature',
    handler: B.getBucketCors,
    doc: 'Get a bucket’s CORS rules',
  },
  {
    name: 'GetBucketWebsite',
    level: 'bucket',
    method: 'GET',
    sub: ['website'],
    action: 'oss:GetBucketWebsite',
    bucket: 'required',
    authn: 'signature',
    handler: W.getBucketWebsite,
    doc: 'Get a bucket’s static website settings',
  },
  {
    name: 'GetBucketLogging',
    level: 'bucket',
    method: 'GET',
    sub: ['logging'],
    action: 'oss:GetBucketLogging',
    bucket: 'required',
    authn: 'signature',
    handler: G.getBucketLogging,
    doc: 'Get a bucket’s access logging settings',
  },
  {
    name: 'GetBucketInventory',
    level: 'bucket',
    method: 'GET',
    sub: ['inventory', 'inventoryId'],
    action: 'oss:GetBucketInventory',
    bucket: 'required',
    authn: 'signature',
    handler: I.getBucketInventory,
    doc: 'Get an inventory configuration',
  },
  {
    name: 'ListBucketInventory',
    level: 'bucket',
    method: 'GET',
    sub: ['inventory'],
    action: 'oss:ListBucketInventory',
    bucket: 'required',
    authn: 'signature',
    handler: I.listBucketInventory,
    doc: 'List a bucket’s inventory configurations',
  },
  {
    name: 'ListLiveChannel',
    level: 'bucket',
    method: 'GET',
    sub: ['live'],
    action: 'oss:ListLiveChannel',
    bucket: 'required',
    authn: 'signature',
    handler: L.listLiveChannel,
    doc: 'List a bucket’s RTMP live channels (always none: yunbox has no RTMP ingest)',
  },
  {
    name: 'ListMultipartUploads',
    level: 'bucket',
    method: 'GET',
    sub: ['uploads'],
    action: 'oss:ListMultipartUploads',
    bucket: 'required',
    authn: 'signature',
    context: (call) => ({ 'oss:Prefix': call.query.get('prefix') ?? '' }),
    handler: L.listMultipartUploads,
    doc: 'List a bucket’s unfinished multipart uploads',
  },
  {
    name: 'ListObjectsV2',
    level: 'bucket',
    method: 'GET',
    when: (q) => q.get('list-type') === '2',
    action: 'oss:ListObjects',
    bucket: 'required',
    authn: 'signature',
    acl: 'read', // public-read(-write) buckets: anyone may list (doc: Bucket ACL)
    context: L.listingContext,
    handler: L.listObjectsV2,
    doc: 'List objects (version 2: continuation tokens)',
  },
  {
    name: 'ListObjects',
    level: 'bucket',
    method: 'GET',
    action: 'oss:ListObjects',
    bucket: 'required',
    authn: 'signature',
    acl: 'read', // public-read(-write) buckets: anyone may list (doc: Bucket ACL)
    context: L.listingContext,
    handler: L.listObjects,
    doc: 'List objects (version 1: markers)',
  },
  {
    name: 'DeleteBucketPolicy',
    level: 'bucket',
    method: 'DELETE',
    sub: ['policy'],
    action: 'oss:DeleteBucketPolicy',
    bucket: 'required',
    authn: 'signature',
    handler: B.deleteBucketPolicy,
    doc: 'Delete a bucket’s policy',
  },
  {
    name: 'DeleteBucketCors',
    level: 'bucket',
    method: 'DELETE',
    sub: ['cors'],
    action: 'oss:DeleteBucketCors',
    bucket: 'required',
    authn: 'signature',
    handler: B.deleteBucketCors,
    doc: 'Delete a bucket’s CORS rules',
  },
  {
    name: 'DeleteBucketWebsite',
    level: 'bucket',
    method: 'DELETE',
    sub: ['website'],
    action: 'oss:DeleteBucketWebsite',
    bucket: 'required',
    authn: 'signature',
    handler: W.deleteBucketWebsite,
    doc: 'Delete a bucket’s static website settings',
  },
  {
    name: 'DeleteBucketLogging',
    level: 'bucket',
    method: 'DELETE',
    sub: ['logging'],
    action: 'oss:DeleteBucketLogging',
    bucket: 'required',
    authn: 'signature',
    handler: G.deleteBucketLogging,
    doc: 'Turn a bucket’s access logging off',
  },
  {
    name: 'DeleteBucketInventory',
    level: 'bucket',
    method: 'DELETE',
    sub: ['inventory'],
    optional: ['inventoryId'],
    action: 'oss:DeleteBucketInventory',
    bucket: 'required',
    authn: 'signature',
    handler: I.deleteBucketInventory,
    doc: 'Delete an inventory configuration',
  },
  {
    name: 'DeleteBucket',
    level: 'bucket',
    method: 'DELETE',
    action: 'oss:DeleteBucket',
    bucket: 'required',
    authn: 'signature',
    handler: B.deleteBucket,
    doc: 'Delete an empty bucket',
  },
  {
    name: 'DeleteMultipleObjects',
    level: 'bucket',
    method: 'POST',
    sub: ['delete'],
    bucket: 'required',
    authn: 'signature',
    handlerActions: ['oss:DeleteObject', 'oss:DeleteObjectVersion'],
    handler: O.deleteMultipleObjects,
    doc: 'Delete up to 1000 objects or versions (`oss:DeleteObject` checked on each, and `oss:DeleteObjectVersion` on each version)',
  },
  {
    name: 'PostObject',
    level: 'bucket',
    method: 'POST',
    when: (_q, h) => formBoundary(h('content-type')) !== undefined,
    bucket: 'required',
    authn: 'form',
    handlerActions: ['oss:PutObject'],
    handler: postObject,
    doc: 'Upload an object with an HTML form and a signed policy (`oss:PutObject` checked)',
  },
  // ---- object
  {
    name: 'PutObjectAcl',
    level: 'object',
    method: 'PUT',
    sub: ['acl'],
    action: 'oss:PutObjectAcl',
    versionAction: 'oss:PutObjectVersionAcl',
    bucket: 'required',
    authn: 'signature',
    context: header('x-oss-object-acl'),
    handler: O.putObjectAcl,
    doc: 'Set an object’s ACL',
  },
  {
    name: 'UploadPartCopy',
    noVersionId: true,
    level: 'object',
    method: 'PUT',
    sub: ['partNumber', 'uploadId'],
    when: (_q, h) => h('x-oss-copy-source') !== undefined,
    action: 'oss:PutObject',
    bucket: 'required',
    authn: 'signature',
    acl: 'write',
    handler: M.uploadPartCopy,
    doc: 'Upload a part copied from another object (`oss:GetObject` on the source too)',
  },
  {
    name: 'UploadPart',
    noVersionId: true,
    level: 'object',
    method: 'PUT',
    sub: ['partNumber', 'uploadId'],
    action: 'oss:PutObject',
    bucket: 'required',
    authn: 'signature',
    acl: 'write',
    handler: M.uploadPart,
    doc: 'Upload one part of a multipart upload',
  },
  {
    name: 'CopyObject',
    noVersionId: true,
    level: 'object',
    method: 'PUT',
    when: (_q, h) => h('x-oss-copy-source') !== undefined,
    action: 'oss:PutObject',
    bucket: 'required',
    authn: 'signature',
    acl: 'write',
    context: writeContext('x-oss-object-acl', 'x-oss-storage-class', 'x-oss-forbid-overwrite'),
    handler: copyObject,
    doc: 'Copy an object (`oss:GetObject` on the source too)',
  },
  {
    name: 'PutObject',
    noVersionId: true,
    level: 'object',
    method: 'PUT',
    action: 'oss:PutObject',
    bucket: 'required',
    authn: 'signature',
    acl: 'write',
    context: writeContext('x-oss-object-acl', 'x-oss-storage-class', 'x-oss-forbid-overwrite'),
    handler: O.putObject,
    doc: 'Upload an object',
  },
  {
    name: 'GetObjectAcl',
    level: 'object',
    method: 'GET',
    sub: ['acl'],
    action: 'oss:GetObjectAcl',
    versionAction: 'oss:GetObjectVersionAcl',
    bucket: 'required',
    authn: 'signature',
    handler: O.getObjectAcl,
    doc: 'Get an object’s ACL',
  },
  {
    name: 'ListParts',
    noVersionId: true,
    level: 'object',
    method: 'GET',
    sub: ['uploadId'],
    action: 'oss:ListParts',
    bucket: 'required',
    authn: 'signature',
    handler: M.listParts,
    doc: 'List the parts of a multipart upload',
  },
  {
    name: 'GetObject',
    level: 'object',
    method: 'GET',
    action: 'oss:GetObject',
    versionAction: 'oss:GetObjectVersion',
    bucket: 'required',
    authn: 'signature',
    acl: 'read',
    context: existingObjectTags, // oss:ExistingObjectTag/<key> (handlers/tagging.ts)
    handler: O.getObject,
    doc: 'Download an object (Range, conditions, response-* overrides)',
  },
  {
    name: 'GetObjectMeta',
    level: 'object',
    method: 'HEAD',
    sub: ['objectMeta'],
    action: 'oss:GetObject',
    versionAction: 'oss:GetObjectVersion',
    bucket: 'required',
    authn: 'signature',
    acl: 'read',
    context: existingObjectTags, // oss:ExistingObjectTag/<key> (handlers/tagging.ts)
    handler: O.getObjectMeta,
    doc: 'Get an object’s basic metadata',
  },
  {
    name: 'HeadObject',
    level: 'object',
    method: 'HEAD',
    action: 'oss:GetObject',
    versionAction: 'oss:GetObjectVersion',
    bucket: 'required',
    authn: 'signature',
    acl: 'read',
    context: existingObjectTags, // oss:ExistingObjectTag/<key> (handlers/tagging.ts)
    handler: O.getObject,
    doc: 'Get an object’s headers',
  },
  {
    name: 'AbortMultipartUpload',
    noVersionId: true,
    level: 'object',
    method: 'DELETE',
    sub: ['uploadId'],
    action: 'oss:AbortMultipartUpload',
    bucket: 'required',
    authn: 'signature',
    acl: 'write',
    handler: M.abortMultipartUpload,
    doc: 'Abort a multipart upload',
  },
  {
    name: 'DeleteObject',
    level: 'object',
    method: 'DELETE',
    action: 'oss:DeleteObject',
    versionAction: 'oss:DeleteObjectVersion',
    bucket: 'required',
    authn: 'signature',
    acl: 'write',
    handler: O.deleteObject,
    doc: 'Delete an object',
  },
  {
    name: 'InitiateMultipartUpload',
    noVersionId: true,
    level: 'object',
    method: 'POST',
    sub: ['uploads'],
    action: 'oss:PutObject',
    bucket: 'required',
    authn: 'signature',
    acl: 'write',
    context: writeContext('x-oss-object-acl', 'x-oss-storage-class', 'x-oss-forbid-overwrite'),
    handler: M.initiateMultipartUpload,
    doc: 'Start a multipart upload',
  },
  {
    name: 'CompleteMultipartUpload',
    noVersionId: true,
    level: 'object',
    method: 'POST',
    sub: ['uploadId'],
    action: 'oss:PutObject',
    bucket: 'required',
    authn: 'signature',
    acl: 'write',
    handler: M.completeMultipartUpload,
    doc: 'Complete a multipart upload',
  },
  {
    name: 'AppendObject',
    noVersionId: true,
    level: 'object',
    method: 'POST',
    sub: ['append'],
    action: 'oss:PutObject',
    bucket: 'required',
    authn: 'signature',
    acl: 'write',
    context: writeContext('x-oss-object-acl', 'x-oss-storage-class'),
    handler: O.appendObject,
    doc: 'Append to an appendable object',
  },
];

const byName = (name: string): OssOperation => {
  const op = OSS_OPERATIONS.find((o) => o.name === name);
  // INVARIANT: the names below are declared above.
  if (!op) throw new Error(`no OSS operation \`${name}\``);
  return op;
};

/** The operations an anonymous request may be turned into a website request from. */
export const WEBSITE_LIST_OP = byName('ListObjects');
export const WEBSITE_GET_OP = byName('GetObject');
export const WEBSITE_HEAD_OP = byName('HeadObject');
/**
 * `HEAD /` of a bucket, which no operation serves: only an anonymous request to the virtual host
 * of a website bucket is one (HeadObject of the index document, rewritten by the protocol);
 * anything else is refused as before it was selected (405), with no check to pass first.
 */
export const WEBSITE_HEAD_BUCKET_OP: OssOperation = {
  name: 'HeadBucket',
  level: 'bucket',
  method: 'HEAD',
  bucket: 'required',
  authn: 'signature',
  handler: async () => {
    throw methodNotAllowed('HEAD');
  },
  doc: 'HEAD of a website bucket’s index document (anonymous, virtual host); otherwise 405',
};
/** GetObject and HeadObject of a website request (handlers/website.ts). */
export const WEBSITE_GET: OssOperation = { ...WEBSITE_GET_OP, handler: W.websiteGetObject };
export const WEBSITE_HEAD: OssOperation = { ...WEBSITE_HEAD_OP, handler: W.websiteGetObject };

/**
 * Sub-resources (V1-signed query names) the operations understand; a request carrying any other
 * one asks for a feature yunbox does not have and gets `NotImplemented`.
 */
export const KNOWN_SUB_RESOURCES: ReadonlySet<string> = new Set([
  ...OSS_OPERATIONS.flatMap((o) => o.sub ?? []),
  'position',
  'versionId',
  'x-oss-request-payer',
  'continuation-token',
  'security-token',
  'x-oss-traffic-limit',
  'sequential',
  'response-cache-control',
  'response-content-disposition',
  'response-content-encoding',
  'response-content-language',
  'response-content-type',
  'response-expires',
]);

/**
 * Sub-resources some operation is selected by: a request carrying one that its operation neither
 * is selected by nor accepts asks for something else (`DELETE /<key>?acl`, `PUT /<key>?uploads`),
 * and is `NotImplemented` rather than served as the plain operation (protocol.ts).
 */
export const OPERATION_SUB_RESOURCES: ReadonlySet<string> = new Set(
  OSS_OPERATIONS.flatMap((o) => o.sub ?? []),
);

/**
 * Sub-resources known only to the operations that declare them: `live` is ListLiveChannel's,
 * and the other live-channel calls (PutLiveChannel is `PUT /<channel>?live`) would otherwise
 * select PutObject; with another operation they are `NotImplemented`.
 */
export const EXCLUSIVE_SUB_RESOURCES: ReadonlySet<string> = new Set(['live']);

/** The operation a request selects, if any. */
export function selectOperation(
  level: OssLevel,
  method: string,
  query: QueryView,
  header: (name: string) => string | undefined,
): OssOperation | undefined {
  for (const op of OSS_OPERATIONS) {
    if (op.method !== method) continue;
    if (op.level !== level && !(op.level === 'bucket-or-object' && level !== 'service')) continue;
    if (op.sub && !op.sub.every((s) => query.has(s))) continue;
    if (op.when && !op.when(query, header)) continue;
    return op;
  }
  return undefined;
}
