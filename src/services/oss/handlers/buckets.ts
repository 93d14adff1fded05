/**
 * @module Service- and bucket-level operations: ListBuckets, PutBucket, GetBucketInfo,
 * GetBucketLocation, DeleteBucket, Put/GetBucketAcl, Put/Get/DeleteBucketPolicy and
 * Put/Get/DeleteBucketCors (oss.md §6.1-6.4, §6.19). XML shapes and statuses as the SDKs read them.
 */
import { isStoreError } from '../../../kernel/errors.js';
import { compilePolicy } from '../../../policy/index.js';
import { isoMillis } from '../../../protocol/oss-format.js';
import {
  parseCorsConfiguration,
  parseCreateBucketConfiguration,
  XML_PROLOG,
  xmlDocument,
  xmlElement,
  type CorsConfiguration,
} from '../../../protocol/oss-xml.js';
import type { OssCall, OssReply } from '../context.js';
import {
  OssError,
  accessDenied,
  bucketAlreadyExists,
  bucketNotEmpty,
  invalidArgument,
  invalidBucketName,
  invalidPolicyDocument,
  noSuchBucket,
  noSuchBucketPolicy,
  noSuchCorsConfiguration,
  tooManyBuckets,
} from '../errors.js';
import {
  MAX_BUCKETS_PER_ACCOUNT,
  REDUNDANCY_TYPES,
  bucketArn,
  defaultResourceGroupId,
  extranetEndpoint,
  intranetEndpoint,
  isValidBucketName,
  type Bucket,
} from '../model.js';
import { bucketAclArg, integerArg, readSmallBody, storageClassArg, unwrap } from './common.js';
import { encryptionRuleXml } from './encryption.js';
import { refusePublicAcl, refusePublicPolicy } from './public-access-block.js';
import { listBucketsPage } from './tagging.js';

const XML = { 'content-type': 'application/xml' };

function xmlReply(root: string, fields: Parameters<typeof xmlDocument>[1]): OssReply {
  return { status: 200, headers: XML, body: xmlDocument(root, fields) };
}

function owner(accountId: string) {
  return { ID: accountId, DisplayName: accountId };
}

/** The bucket, which the pipeline loaded for every bucket-level operation. */
function bucketOf(call: OssCall): Bucket {
  // INVARIANT: operations declared with `bucket: 'required'` run only once it is loaded.
  if (!call.bucket) throw noSuchBucket(call.bucketName ?? '');
  return call.bucket;
}

/** ListBuckets (GetService): the caller's buckets by name, with prefix, marker and max-keys. */
export async function listBuckets(call: OssCall): Promise<OssReply> {
  const prefix = call.query.get('prefix') ?? '';
  const marker = call.query.get('marker') ?? '';
  const max = integerArg(call.query.get('max-keys'), 'max-keys', 1000) ?? 100;
  if (max < 1) throw invalidArgument('Argument `max-keys` must be at least 1.', 'max-keys', '0');
  const account = call.info.accountId;
  // `x-oss-resource-group-id` keeps the buckets of one resource group. Every bucket is in its
  // account's default group (the ResourceGroupId GetBucketInfo shows): any other group has none.
  const group = call.header('x-oss-resource-group-id');
  const inGroup = group === undefined || group === '' || group === defaultResourceGroupId(account);
  const { buckets: rows, tagging } = inGroup
    ? await listBucketsPage(call, prefix, marker, max + 1)
    : { buckets: [], tagging: () => ({}) };
  const truncated = rows.length > max;
  const page = rows.slice(0, max);
  return xmlReply('ListAllMyBucketsResult', {
    // Prefix, Marker, MaxKeys, IsTruncated and NextMarker appear when the list is truncated
    // (doc: GetService (ListBuckets)); ali-oss and oss2 read IsTruncated/NextMarker if present.
    ...(truncated
      ? {
          Prefix: prefix,
          Marker: marker,
          MaxKeys: max,
          IsTruncated: true,
          NextMarker: page[page.length - 1]!.name,
        }
      : {}),
    Owner: owner(account),
    Buckets: {
      Bucket: page.map((b) => ({
        CreationDate: isoMillis(b.createdAt),
        ExtranetEndpoint: extranetEndpoint(b.region),
        IntranetEndpoint: intranetEndpoint(b.region),
        Location: `oss-${b.region}`,
        Name: b.name,
        Region: b.region,
        StorageClass: b.storageClass,
        ...tagging(b),
      })),
    },
  });
}

/**
 * PutBucket: creates a bucket in the region of the endpoint used (the server's region when the
 * host names none). Re-creating a bucket the caller's account owns only changes its ACL, as OSS
 * does; a name taken by another account is `BucketAlreadyExists`.
 */
export async function putBucket(call: OssCall): Promise<OssReply> {
  const name = call.bucketName ?? '';
  if (!isValidBucketName(name)) throw invalidBucketName(name);
  if (call.info.principal.kind === 'anonymous') {
    throw accessDenied('Anonymous access is forbidden for this operation.');
  }
  const acl = bucketAclArg(call.header('x-oss-acl'));
  // The account's default resource group is the only one yunbox has (model.ts): naming another
  // is refused as OSS refuses a group that does not exist (0039-00000003), never ignored.
  const group = call.header('x-oss-resource-group-id');
  if (
    group !== undefined &&
    group !== '' &&
    group !== defaultResourceGroupId(call.info.principal.accountId)
  ) {
    throw new OssError(
      'InvalidArgument',
      400,
      'The resource group id is invalid or does not exist.',
      {
        ec: '0039-00000003',
        fields: { ArgumentName: 'x-oss-resource-group-id', ArgumentValue: group.slice(0, 64) },
      },
    );
  }
  let storageClass = storageClassArg(call.header('x-oss-storage-class'));
  let redundancy: string | undefined;
  const body = await readSmallBody(call);
  if (body.length > 0) {
    const conf = unwrap(parseCreateBucketConfiguration(body));
    if (conf.storageClass !== undefined) {
      storageClass = storageClassArg(conf.storageClass, 'StorageClass');
    }
    if (conf.dataRedundancyType !== undefined) {
      if (!(REDUNDANCY_TYPES as readonly string[]).includes(conf.dataRedundancyType)) {
        throw invalidArgument(
          'Invalid data redundancy type.',
          'DataRedundancyType',
          conf.dataRedundancyType,
        );
      }
      redundancy = conf.dataRedundancyType;
    }
  }
  const existing = call.bucket ?? (await call.deps.store.getBucket(name));
  const location = { location: `/${name}` };
  if (existing) {
    if (existing.accountId !== call.info.principal.accountId) throw bucketAlreadyExists(name);
    if (acl !== undefined && acl !== existing.acl) {
      await refusePublicAcl(call.deps, existing, acl);
      await call.authz.require({
        action: 'oss:PutBucketAcl',
        resource: `acs:oss:${call.info.region}:${existing.accountId}:${name}`,
        bucket: existing,
        context: { 'oss:x-oss-acl': acl },
      });
      await call.deps.store.updateBucket(name, { acl });
    }
    return { status: 200, headers: location };
  }
  const bucket: Bucket = {
    name,
    accountId: call.info.principal.accountId,
    region: call.info.region,
    acl: acl ?? 'private',
    storageClass: storageClass ?? 'Standard',
    redundancy: redundancy ?? 'LRS',
    createdAt: call.info.now,
  };
  await refusePublicAcl(call.deps, bucket, bucket.acl);
  try {
    await call.deps.store.createBucket(bucket, MAX_BUCKETS_PER_ACCOUNT);
  } catch (e) {
    if (isStoreError(e, 'Conflict')) throw tooManyBuckets();
    if (isStoreError(e, 'AlreadyExists')) {
      const winner = await call.deps.store.getBucket(name);
      if (winner?.accountId === bucket.accountId) return { status: 200, headers: location };
      throw bucketAlreadyExists(name);
    }
    throw e;
  }
  return { status: 200, headers: location };
}

/** GetBucketInfo. */
export async function getBucketInfo(call: OssCall): Promise<OssReply> {
  const b = bucketOf(call);
  return xmlReply('BucketInfo', {
    Bucket: {
      AccessMonitor: 'Disabled',
      CreationDate: isoMillis(b.createdAt),
      CrossRegionReplication: 'Disabled',
      DataRedundancyType: b.redundancy,
      ExtranetEndpoint: extranetEndpoint(b.region),
      IntranetEndpoint: intranetEndpoint(b.region),
      Location: `oss-${b.region}`,
      Name: b.name,
      Region: b.region,
      ResourceGroupId: defaultResourceGroupId(b.accountId),
      StorageClass: b.storageClass,
      TransferAcceleration: 'Disabled',
      Owner: { DisplayName: b.accountId, ID: b.accountId },
      AccessControlList: { Grant: b.acl },
      Comment: '',
      // Only once versioning was set, as OSS shows it (ali-oss multiversion.test.js).
      ...(b.versioning ? { Versioning: b.versioning } : {}),
      ServerSideEncryptionRule: b.encryption
        ? encryptionRuleXml(b.encryption)
        : { SSEAlgorithm: 'None' },
      BucketPolicy: { LogBucket: '', LogPrefix: '' },
    },
  });
}

/** GetBucketLocation. */
export async function getBucketLocation(call: OssCall): Promise<OssReply> {
  return {
    status: 200,
    headers: XML,
    body: XML_PROLOG + xmlElement('LocationConstraint', `oss-${bucketOf(call).region}`),
  };
}

/** DeleteBucket: 204; `BucketNotEmpty` while objects or multipart uploads remain. */
export async function deleteBucket(call: OssCall): Promise<OssReply> {
  const b = bucketOf(call);
  try {
    await call.deps.store.deleteBucket(b.name);
  } catch (e) {
    if (isStoreError(e, 'Conflict')) throw bucketNotEmpty(b.name);
    if (isStoreError(e, 'NotFound')) throw noSuchBucket(b.name);
    throw e;
  }
  return { status: 204 };
}

/**
 * PutBucketAcl (`x-oss-acl`). On a bucket that does not exist it creates the bucket with that
 * ACL, as OSS does (doc: PutBucketAcl, "a new bucket is created"; ali-oss
 * test/node/bucket.test.js "should create and set acl when bucket not exists"); creating also
 * needs `oss:PutBucket`.
 */
export async function putBucketAcl(call: OssCall): Promise<OssReply> {
  const acl = bucketAclArg(call.header('x-oss-acl'));
  if (acl === undefined)
    throw invalidArgument('no such bucket access control exists', 'x-oss-acl', '');
  const b = call.bucket;
  if (!b) {
    const p = call.info.principal;
    if (p.kind === 'anonymous')
      throw accessDenied('Anonymous access is forbidden for this operation.');
    const name = call.bucketName ?? '';
    await call.authz.require({
      action: 'oss:PutBucket',
      resource: bucketArn(call.info.region, p.accountId, name),
      owner: p.accountId,
      context: { 'oss:x-oss-acl': acl },
    });
    return putBucket(call);
  }
  await refusePublicAcl(call.deps, b, acl);
  await call.deps.store.updateBucket(b.name, { acl });
  return { status: 200, headers: { location: `/${b.name}` } };
}

/** GetBucketAcl. */
export async function getBucketAcl(call: OssCall): Promise<OssReply> {
  const b = bucketOf(call);
  return xmlReply('AccessControlPolicy', {
    Owner: owner(b.accountId),
    AccessControlList: { Grant: b.acl },
  });
}

/** PutBucketPolicy: a JSON document validated by the policy engine as a bucket policy. */
export async function putBucketPolicy(call: OssCall): Promise<OssReply> {
  const b = bucketOf(call);
  const text = (await readSmallBody(call)).toString('utf8');
  const c = compilePolicy(text, 'bucket');
  if (!c.ok) {
    const d = c.diagnostics[0]!;
    throw invalidPolicyDocument(`${d.message}${d.pointer ? ` at ${d.pointer}` : ''}`);
  }
  await refusePublicPolicy(call.deps, b, text);
  await call.deps.store.updateBucket(b.name, { policy: text });
  return { status: 200 };
}

/** GetBucketPolicy: the document as stored; `NoSuchBucketPolicy` when none. */
export async function getBucketPolicy(call: OssCall): Promise<OssReply> {
  const b = bucketOf(call);
  if (b.policy === undefined) throw noSuchBucketPolicy(b.name);
  return { status: 200, headers: { 'content-type': 'application/json' }, body: b.policy };
}

/** DeleteBucketPolicy: 204. */
export async function deleteBucketPolicy(call: OssCall): Promise<OssReply> {
  await call.deps.store.updateBucket(bucketOf(call).name, { policy: null });
  return { status: 204 };
}

/** The CORS rules of a bucket, if set. */
export function bucketCors(b: Bucket): CorsConfiguration | undefined {
  return b.cors === undefined ? undefined : (JSON.parse(b.cors) as CorsConfiguration);
}

/** PutBucketCors. */
export async function putBucketCors(call: OssCall): Promise<OssReply> {
  const b = bucketOf(call);
  const conf = unwrap(parseCorsConfiguration(await readSmallBody(call)));
  for (const rule of conf.rules) {
    for (const m of rule.allowedMethods) {
      if (!['GET', 'PUT', 'DELETE', 'POST', 'HEAD'].includes(m)) {
        throw invalidArgument('Invalid CORS method.', 'AllowedMethod', m);
      }
    }
    for (const o of rule.allowedOrigins) {
      if ((o.match(/\*/g) ?? []).length > 1) {
        throw invalidArgument('Only one wildcard is allowed in an origin.', 'AllowedOrigin', o);
      }
    }
  }
  await call.deps.store.updateBucket(b.name, { cors: JSON.stringify(conf) });
  return { status: 200 };
}

/** GetBucketCors. */
export async function getBucketCors(call: OssCall): Promise<OssReply> {
  const b = bucketOf(call);
  const conf = bucketCors(b);
  if (!conf) throw noSuchCorsConfiguration(b.name);
  return xmlReply('CORSConfiguration', {
    CORSRule: conf.rules.map((r) => ({
      AllowedOrigin: r.allowedOrigins,
      AllowedMethod: r.allowedMethods,
      AllowedHeader: r.allowedHeaders,
      ExposeHeader: r.exposeHeaders,
      ...(r.maxAgeSeconds !== undefined ? { MaxAgeSeconds: r.maxAgeSeconds } : {}),
    })),
    // OSS always answers it, false when the rules were put without it (oss2
    // tests/test_bucket.py test_cors_with_response_vary, case 3).
    ResponseVary: conf.responseVary ?? false,
  });
}

/** DeleteBucketCors: 204. */
export async function deleteBucketCors(call: OssCall): Promise<OssReply> {
  await call.deps.store.updateBucket(bucketOf(call).name, { cors: null });
  return { status: 204 };
}
