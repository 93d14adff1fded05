/**
 * @module "Copy as": the explorer's call as code for the official SDKs — a Tea SDK client
 * (`@alicloud/<product><version>` and its request class, or the generic `callApi` when a product
 * has no SDK), ali-oss for OSS — and as curl. SDK snippets read the AccessKey from
 * `ALIBABA_CLOUD_ACCESS_KEY_ID`/`_SECRET`, as the README's do; curl carries a fresh signature
 * (RPC) or a presigned URL (OSS), never a secret, and says when it stops working. No DOM.
 */
import type { CatalogueOperation, CatalogueProduct } from './catalogue-types.js';
import { isGiven, ossParts, type FieldValue, type FormValues } from './params.js';

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
const lit = (s: string) => JSON.stringify(s);

/** Where the page is served: `{ endpoint: 'host:port', protocol: 'http' }`. */
export interface Origin {
  host: string;
  protocol: 'http' | 'https';
}

function teaValue(info: CatalogueOperation['params'][string], v: FieldValue): string {
  if (typeof v === 'string') {
    if (info.type === 'integer') return v.trim();
    if (info.type === 'boolean') return v.trim().toLowerCase();
    return lit(v);
  }
  if (info.type === 'json-array') {
    return `JSON.stringify(${JSON.stringify((v as string[]).filter((x) => x !== ''))})`;
  }
  if (info.type === 'list') return JSON.stringify((v as string[]).filter((x) => x !== ''));
  const rows = (v as Array<Record<string, string>>).filter((r) =>
    Object.values(r).some((x) => x !== ''),
  );
  return `[${rows
    .map(
      (r) =>
        `{ ${Object.entries(r)
          .filter(([, x]) => x !== '')
          .map(([k, x]) => `${lowerFirst(k)}: ${lit(x)}`)
          .join(', ')} }`,
    )
    .join(', ')}]`;
}

/**
 * The call with the product's Tea SDK (as the README's examples), or `callApi` of
 * `@alicloud/openapi-client` for a product without one (Yunbox).
 * @example
 * teaSnippet(ramProduct, createRole, { RoleName: 'EcsRamRoleTest' }, { host: '127.0.0.1:9910', protocol: 'http' })
 */
export function teaSnippet(
  product: CatalogueProduct,
  op: CatalogueOperation,
  values: FormValues,
  origin: Origin,
): string {
  const config = `new $OpenApi.Config({
    endpoint: ${lit(origin.host)},
    protocol: ${lit(origin.protocol)},
    accessKeyId: process.env.ALIBABA_CLOUD_ACCESS_KEY_ID,
    accessKeySecret: process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
  })`;
  const given = Object.entries(op.params).filter(([n]) => isGiven(values[n]));
  if (product.sdkPackage) {
    const cls = product.product.charAt(0).toUpperCase() + product.product.slice(1).toLowerCase();
    const fields = given
      .map(([n, info]) => `    ${lowerFirst(n)}: ${teaValue(info, values[n]!)},`)
      .join('\n');
    return `import ${cls}, * as $${cls} from '${product.sdkPackage}';
import * as $OpenApi from '@alicloud/openapi-client';

const client = new ${cls}.default(
  ${config},
);
const { body } = await client.${lowerFirst(op.name)}(
  new $${cls}.${op.name}Request({${fields ? `\n${fields}\n  ` : ''}}),
);
console.log(body);
`;
  }
  const query = given
    .map(([n, info]) => {
      const v = values[n]!;
      const text =
        typeof v === 'string'
          ? lit(v)
          : info.type === 'json-array'
            ? `JSON.stringify(${JSON.stringify(v)})`
            : lit(JSON.stringify(v));
      return `      ${n}: ${text},`;
    })
    .join('\n');
  return `import * as $OpenApi from '@alicloud/openapi-client';
import * as $Util from '@alicloud/tea-util';

const client = new $OpenApi.default(
  ${config},
);
const params = new $OpenApi.Params({
  action: ${lit(op.name)},
  version: ${lit(product.version)},
  protocol: ${lit(origin.protocol.toUpperCase())},
  pathname: '/',
  method: 'POST',
  authType: 'AK',
  style: 'RPC',
  reqBodyType: 'json',
  bodyType: 'json',
});
const { body } = await client.callApi(
  params,
  new $OpenApi.OpenApiRequest({ query: {${query ? `\n${query}\n    ` : ''}} }),
  new $Util.RuntimeOptions({}),
);
console.log(body);
`;
}

/** ali-oss calls by OSS operation: the method and its arguments. */
function aliOssCall(op: CatalogueOperation, values: FormValues): string | undefined {
  const p = ossParts(op, values);
  const key = lit(p.key ?? '');
  const bucket = lit(p.bucket ?? '');
  const query: Record<string, string> = {};
  for (const [n, v] of p.query) if (v !== null && n !== 'list-type') query[n] = v;
  const q = Object.keys(query).length ? JSON.stringify(query) : '';
  const body = `Buffer.from(${lit(p.body ?? '')})`;
  const headers = Object.keys(p.headers).length ? `{ headers: ${JSON.stringify(p.headers)} }` : '';
  const args = (...a: string[]) => a.filter((x) => x !== '').join(', ');
  switch (op.name) {
    case 'ListBuckets':
      return `client.listBuckets(${q})`;
    case 'PutBucket':
      return `client.putBucket(${args(bucket, p.headers['x-oss-acl'] ? `{ acl: ${lit(p.headers['x-oss-acl'])} }` : '')})`;
    case 'DeleteBucket':
      return `client.deleteBucket(${bucket})`;
    case 'GetBucketInfo':
      return `client.getBucketInfo(${bucket})`;
    case 'GetBucketLocation':
      return `client.getBucketLocation(${bucket})`;
    case 'GetBucketAcl':
      return `client.getBucketACL(${bucket})`;
    case 'PutBucketAcl':
      return `client.putBucketACL(${bucket}, ${lit(p.headers['x-oss-acl'] ?? 'private')})`;
    case 'GetBucketPolicy':
      return `client.getBucketPolicy(${bucket})`;
    case 'PutBucketPolicy':
      return `client.putBucketPolicy(${bucket}, JSON.parse(${lit(p.body ?? '{}')}))`;
    case 'DeleteBucketPolicy':
      return `client.deleteBucketPolicy(${bucket})`;
    case 'GetBucketCors':
      return `client.getBucketCORS(${bucket})`;
    case 'DeleteBucketCors':
      return `client.deleteBucketCORS(${bucket})`;
    case 'ListObjects':
      return `client.list(${q || '{}'})`;
    case 'ListObjectsV2':
      return `client.listV2(${q || '{}'})`;
    case 'ListMultipartUploads':
      return `client.listUploads(${q || '{}'})`;
    case 'GetObject':
      return `client.get(${args(key, p.headers.range ? `null, { headers: { Range: ${lit(p.headers.range)} } }` : '')})`;
    case 'HeadObject':
      return `client.head(${key})`;
    case 'GetObjectMeta':
      return `client.getObjectMeta(${key})`;
    case 'PutObject':
      return `client.put(${args(key, body, headers)})`;
    case 'AppendObject':
      return `client.append(${key}, ${body}, { position: ${lit(query.position ?? '0')} })`;
    case 'DeleteObject':
      return `client.delete(${key})`;
    case 'CopyObject':
      return `client.copy(${key}, ${lit(p.headers['x-oss-copy-source'] ?? '')})`;
    case 'GetObjectAcl':
      return `client.getACL(${key})`;
    case 'PutObjectAcl':
      return `client.putACL(${key}, ${lit(p.headers['x-oss-object-acl'] ?? 'default')})`;
    case 'InitiateMultipartUpload':
      return `client.initMultipartUpload(${key})`;
    case 'ListParts':
      return `client.listParts(${key}, ${lit(query.uploadId ?? '')})`;
    case 'AbortMultipartUpload':
      return `client.abortMultipartUpload(${key}, ${lit(query.uploadId ?? '')})`;
    default:
      return undefined;
  }
}

/**
 * The call with ali-oss (as the README's OSS example: the gateway's address as `endpoint`), or a
 * note when ali-oss has no call of its own for the operation.
 */
export function aliOssSnippet(
  op: CatalogueOperation,
  values: FormValues,
  origin: Origin,
  region: string,
): string {
  const call = aliOssCall(op, values);
  if (!call) {
    return `// ali-oss has no call of its own for ${op.name}: use "copy as curl", or client.request(…)\n`;
  }
  const bucket =
    typeof values.Bucket === 'string' && values.Bucket ? `\n  bucket: ${lit(values.Bucket)},` : '';
  return `import OSS from 'ali-oss';

const client = new OSS({
  endpoint: ${lit(`${origin.protocol}://${origin.host}`)},
  region: ${lit(`oss-${region}`)},
  accessKeyId: process.env.ALIBABA_CLOUD_ACCESS_KEY_ID,
  accessKeySecret: process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET,${bucket}
});
const result = await ${call};
console.log(result${op.name.startsWith('Get') && op.name !== 'GetObject' ? '' : '.res.status'});
`;
}

const sh = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

/**
 * curl for a signed request (RPC: the headers and form body as signed; valid once, within 15
 * minutes of the server's clock, as the nonce cannot be reused).
 */
export function curlSigned(req: {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}): string {
  const lines = [`curl -sS -X ${req.method} ${sh(req.url)}`];
  for (const [n, v] of Object.entries(req.headers)) {
    if (n === 'host') continue;
    lines.push(`-H ${sh(`${n}: ${v}`)}`);
  }
  if (req.body !== undefined && req.body !== '') lines.push(`--data-raw ${sh(req.body)}`);
  return `# signed once: it works once (its nonce cannot be reused), within 15 minutes of the\n# server's clock\n${lines.join(' \\\n  ')}\n`;
}

/** curl for a presigned OSS URL (headers listed are the ones it was signed with). */
export function curlPresigned(
  method: string,
  url: string,
  headers: Record<string, string>,
  body: string | undefined,
  expiresSeconds: number,
): string {
  const lines = [`curl -sS -X ${method} ${sh(url)}`];
  for (const [n, v] of Object.entries(headers)) lines.push(`-H ${sh(`${n}: ${v}`)}`);
  if (body !== undefined && body !== '') lines.push(`--data-binary ${sh(body)}`);
  return `# presigned URL: it expires ${expiresSeconds} s after it was made (server clock)\n${lines.join(' \\\n  ')}\n`;
}
