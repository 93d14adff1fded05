/**
 * @module The console's API catalogue (`GET /_yunbox/console/api/catalogue`): every product the
 * gateway serves, its operations and their parameters, taken from the very declarations the server
 * parses and authorises with (`protocol/rpc-schema.ts` `ParamInfo`, `services/oss/operations.ts`),
 * so the explorer's forms check what the server checks. OSS operations declare how a request
 * selects them, not parameters; the few query, header and body fields each one reads are listed
 * here.
 */
import type { RpcProduct } from '../protocol/rpc-operation.js';
import type { ParamShape } from '../protocol/rpc-schema.js';
import { declaredChecks } from '../services/catalogue.js';
import type {
  Catalogue,
  CatalogueOperation,
  CatalogueParam,
  CatalogueProduct,
} from './web/catalogue-types.js';
import { OSS_OPERATIONS, type OssOperation } from '../services/oss/operations.js';

/** Products that have an official `@alicloud/<product><version>` Tea SDK package. */
const TEA_SDK_PRODUCTS = new Set(['Ram', 'Sts', 'Ecs', 'Vpc', 'Actiontrail']);

function rpcProduct(product: RpcProduct, region: string): CatalogueProduct {
  return {
    product: product.product,
    version: product.version,
    protocol: 'rpc',
    ...(TEA_SDK_PRODUCTS.has(product.product)
      ? {
          sdkPackage: `@alicloud/${product.product.toLowerCase()}${product.version.replaceAll('-', '')}`,
        }
      : {}),
    operations: product.operations.map((op) => {
      const params: Record<string, CatalogueParam> = {};
      for (const [name, param] of Object.entries(op.decl.params as ParamShape))
        params[name] = param.info;
      return {
        name: op.decl.name,
        doc: op.decl.doc,
        readOnly: op.decl.readOnly === true,
        ...declaredChecks(product.product, op.decl, region),
        params,
      };
    }),
  };
}

const str = (doc: string, extra: Partial<CatalogueParam> = {}): CatalogueParam => ({
  type: 'string',
  required: false,
  doc,
  ...extra,
});
const q = (doc: string, extra: Partial<CatalogueParam> = {}) => str(doc, { in: 'query', ...extra });
const hdr = (doc: string, extra: Partial<CatalogueParam> = {}) =>
  str(doc, { in: 'header', ...extra });
const body = (doc: string, required = false) => str(doc, { in: 'body', required });
const maxKeys: CatalogueParam = {
  type: 'integer',
  required: false,
  in: 'query',
  min: 1,
  max: 1000,
  doc: 'at most this many entries (100)',
};
const BUCKET_ACLS = ['private', 'public-read', 'public-read-write'];

/** Query, header and body fields the OSS operations read, by operation. */
const OSS_FIELDS: Record<string, Record<string, CatalogueParam>> = {
  ListBuckets: {
    prefix: q('only buckets whose name starts with this'),
    marker: q('start after this bucket name'),
    'max-keys': maxKeys,
  },
  PutBucket: { 'x-oss-acl': hdr('bucket ACL', { enum: BUCKET_ACLS }) },
  PutBucketAcl: { 'x-oss-acl': hdr('bucket ACL', { enum: BUCKET_ACLS, required: true }) },
  PutBucketPolicy: { body: body('bucket policy document (JSON)', true) },
  PutBucketCors: { body: body('CORSConfiguration XML', true) },
  ListObjects: {
    prefix: q('only keys starting with this'),
    delimiter: q('roll keys up to the next delimiter (`/`)'),
    marker: q('start after this key'),
    'max-keys': maxKeys,
  },
  ListObjectsV2: {
    prefix: q('only keys starting with this'),
    delimiter: q('roll keys up to the next delimiter (`/`)'),
    'continuation-token': q('NextContinuationToken of the previous page'),
    'start-after': q('start after this key'),
    'max-keys': maxKeys,
  },
  ListMultipartUploads: { prefix: q('only uploads of keys starting with this') },
  DeleteMultipleObjects: {
    body: body('Delete XML: `<Delete><Object><Key>…</Key></Object></Delete>`', true),
  },
  PutObjectAcl: {
    'x-oss-object-acl': hdr('object ACL', { enum: ['default', ...BUCKET_ACLS], required: true }),
  },
  UploadPartCopy: {
    partNumber: q('part number, 1-10000', { required: true }),
    uploadId: q('upload id of InitiateMultipartUpload', { required: true }),
    'x-oss-copy-source': hdr('`/<bucket>/<key>` to copy from', { required: true }),
  },
  UploadPart: {
    partNumber: q('part number, 1-10000', { required: true }),
    uploadId: q('upload id of InitiateMultipartUpload', { required: true }),
    body: body('the part’s bytes (text)'),
  },
  CopyObject: {
    'x-oss-copy-source': hdr('`/<bucket>/<key>` to copy from', { required: true }),
    'x-oss-forbid-overwrite': hdr('refuse to replace an existing object', {
      enum: ['true', 'false'],
    }),
  },
  PutObject: {
    body: body('the object’s content (text; upload files in the bucket view)'),
    'content-type': hdr('media type of the content'),
    'x-oss-object-acl': hdr('object ACL', { enum: ['default', ...BUCKET_ACLS] }),
    'x-oss-forbid-overwrite': hdr('refuse to replace an existing object', {
      enum: ['true', 'false'],
    }),
  },
  ListParts: { uploadId: q('upload id of InitiateMultipartUpload', { required: true }) },
  GetObject: { range: hdr('byte range, e.g. `bytes=0-99`') },
  AbortMultipartUpload: { uploadId: q('upload id of InitiateMultipartUpload', { required: true }) },
  CompleteMultipartUpload: {
    uploadId: q('upload id of InitiateMultipartUpload', { required: true }),
    body: body('CompleteMultipartUpload XML listing the parts', true),
  },
  AppendObject: {
    position: q('current length of the object (0 to create it)', { required: true }),
    body: body('the bytes to append (text)'),
  },
};

/** Sub-resources that carry a value: they are fields, not fixed query parameters. */
const VALUED_SUB = new Set(['uploadId', 'partNumber', 'position']);

function ossOperation(op: OssOperation, region: string): CatalogueOperation {
  const level = op.level === 'bucket-or-object' ? 'object' : op.level;
  const params: Record<string, CatalogueParam> = {};
  if (level !== 'service') {
    params.Bucket = str('bucket name: 3-63 lower-case letters, digits and `-`', {
      in: 'path',
      required: true,
      min: 3,
      max: 63,
      pattern: '^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$',
    });
  }
  if (level === 'object') {
    params.Key = str('object key: 1-1023 bytes, not starting with `/`', {
      in: 'path',
      required: true,
      min: 1,
      max: 1023,
    });
  }
  Object.assign(params, OSS_FIELDS[op.name] ?? {});
  const query: Array<[string, string | null]> = (op.sub ?? [])
    .filter((s) => !VALUED_SUB.has(s))
    .map((s) => [s, null]);
  if (op.name === 'ListObjectsV2') query.push(['list-type', '2']);
  return {
    name: op.name,
    doc: op.doc,
    readOnly: op.method === 'GET' || op.method === 'HEAD',
    actions: [
      ...new Set([
        ...(op.action ? [op.action] : []),
        ...(op.versionAction ? [op.versionAction] : []),
        ...(op.handlerActions ?? []),
      ]),
    ],
    resources: [
      level === 'service'
        ? `acs:oss:${region}:{AccountId}:*`
        : level === 'bucket'
          ? `acs:oss:${region}:{AccountId}:{Bucket}`
          : `acs:oss:${region}:{AccountId}:{Bucket}/{Key}`,
    ],
    authz: op.action ? 'declared' : 'handler',
    params,
    oss: { method: op.method, level, query },
  };
}

/**
 * Builds the catalogue of `products` (the gateway's RPC products) and OSS. Operations a browser
 * cannot send as declared (the CORS preflight, the HTML-form PostObject) are left out.
 * @example
 * const catalogue = buildCatalogue(services.products, 'cn-hangzhou');
 */
export function buildCatalogue(products: readonly RpcProduct[], region: string): Catalogue {
  return {
    region,
    products: [
      ...products.map((p) => rpcProduct(p, region)),
      {
        product: 'Oss',
        version: '',
        protocol: 'oss',
        operations: OSS_OPERATIONS.filter(
          // One entry per name: an alias selector (DescribeRegions' `?regionList`) is not listed.
          (o, i, all) =>
            o.authn === 'signature' &&
            o.method !== 'OPTIONS' &&
            all.findIndex((x) => x.name === o.name) === i,
        ).map((o) => ossOperation(o, region)),
      },
    ],
  };
}
