/**
 * @module Request signing in the browser with WebCrypto (also runs in Node 20, where the unit tests
 * check it against the official SDKs' vectors): ACS3-HMAC-SHA256 for the RPC APIs, as
 * `src/auth/acs3.ts` verifies it, and OSS V4 (`OSS4-HMAC-SHA256`) header and presigned-URL
 * signatures, as `src/auth/oss-v4.ts` verifies them. No DOM, no Node built-ins.
 */

const enc = new TextEncoder();

function hex(bytes: ArrayBuffer): string {
  let out = '';
  for (const b of new Uint8Array(bytes)) out += b.toString(16).padStart(2, '0');
  return out;
}

function bytesOf(data: string | Uint8Array): Uint8Array<ArrayBuffer> {
  return typeof data === 'string' ? enc.encode(data) : new Uint8Array(data);
}

/**
 * Lower-case hex SHA-256.
 * @example
 * await sha256Hex('') // 'e3b0c442…'
 */
export async function sha256Hex(data: string | Uint8Array): Promise<string> {
  return hex(await crypto.subtle.digest('SHA-256', bytesOf(data)));
}

async function hmac(key: string | Uint8Array, data: string): Promise<ArrayBuffer> {
  const k = await crypto.subtle.importKey(
    'raw',
    bytesOf(key),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  return crypto.subtle.sign('HMAC', k, enc.encode(data));
}

/**
 * Percent-encoding as every Alibaba Cloud signer does it: UTF-8, `A-Z a-z 0-9 - _ . ~` kept, the
 * rest `%XY` upper-case (so `! ' ( ) *` are escaped too).
 * @example
 * pct("a b*") // 'a%20b%2A'
 */
export function pct(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase(),
  );
}

const byName = (a: readonly [string, string], b: readonly [string, string]) =>
  a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;

/** A request to sign with ACS3. */
export interface Acs3Input {
  method: string;
  /** Raw path (`/` for RPC). */
  path: string;
  /** Query parameters, unencoded. */
  query: ReadonlyArray<readonly [string, string]>;
  /** Headers to send by lower-case name; `host`, `content-type` and `x-acs-*` are signed. */
  headers: Readonly<Record<string, string>>;
  /** Lower-case hex SHA-256 of the body. */
  bodySha256Hex: string;
  accessKeyId: string;
  accessKeySecret: string;
}

/** What ACS3 signing produces. */
export interface Acs3Result {
  authorization: string;
  canonicalRequest: string;
  stringToSign: string;
  signature: string;
  signedHeaders: string[];
}

/**
 * Signs a request as openapi-core does: `host`, `content-type` and every `x-acs-*` header present,
 * sorted; the canonical query from decoded parameters; the body hash last.
 * @example
 * const { authorization } = await signAcs3({ method: 'POST', path: '/', query: [], headers, bodySha256Hex, accessKeyId, accessKeySecret });
 */
export async function signAcs3(input: Acs3Input): Promise<Acs3Result> {
  const headers = Object.entries(input.headers)
    .map(([n, v]): [string, string] => [n.toLowerCase(), v.trim()])
    .filter(([n]) => n === 'host' || n === 'content-type' || n.startsWith('x-acs-'))
    .sort(byName);
  const q = input.path.indexOf('?');
  const rawPath = q === -1 ? input.path : input.path.slice(0, q);
  const uri =
    rawPath === ''
      ? '/'
      : rawPath.replaceAll('+', '%20').replaceAll('*', '%2A').replaceAll('%7E', '~');
  const query = [...input.query]
    .sort(byName)
    .map(([n, v]) => `${pct(n)}=${pct(v)}`)
    .join('&');
  const canonicalRequest = [
    input.method,
    uri,
    query,
    headers.map(([n, v]) => `${n}:${v}\n`).join(''),
    headers.map(([n]) => n).join(';'),
    input.bodySha256Hex,
  ].join('\n');
  const stringToSign = `ACS3-HMAC-SHA256\n${await sha256Hex(canonicalRequest)}`;
  const signature = hex(await hmac(input.accessKeySecret, stringToSign));
  const signedHeaders = headers.map(([n]) => n);
  return {
    authorization: `ACS3-HMAC-SHA256 Credential=${input.accessKeyId},SignedHeaders=${signedHeaders.join(';')},Signature=${signature}`,
    canonicalRequest,
    stringToSign,
    signature,
    signedHeaders,
  };
}

/** STS-style credentials. */
export interface Credentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

/**
 * `yyyymmddTHHMMSSZ` of a time in ms.
 * @example
 * isoBasic(Date.UTC(2025, 0, 2, 3, 4, 5)) // '20250102T030405Z'
 */
export function isoBasic(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** The V4 canonical URI: `/<bucket>/<key>` encoded per byte, `/` kept. */
export function ossV4CanonicalUri(bucket: string | undefined, key: string | undefined): string {
  return pct(`/${bucket ? `${bucket}/` : ''}${key ?? ''}`).replaceAll('%2F', '/');
}

/** The V4 canonical query: every parameter but `x-oss-signature`, encoded, sorted. */
export function ossV4CanonicalQuery(
  query: ReadonlyArray<readonly [string, string | null]>,
): string {
  return query
    .filter(([n]) => n !== 'x-oss-signature')
    .map(([n, v]): [string, string] => [pct(n), v ? pct(v) : ''])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([n, v]) => (v ? `${n}=${v}` : n))
    .join('&');
}

/** An OSS request to sign with V4. */
export interface OssV4Input {
  method: string;
  bucket?: string;
  key?: string;
  /** Query parameters (a `null` value: a name without `=`). */
  query: ReadonlyArray<readonly [string, string | null]>;
  /** Headers to send by name; `content-type`, `content-md5` and `x-oss-*` are signed. */
  headers: Readonly<Record<string, string>>;
  credentials: Credentials;
  /** Standard region id (`cn-hangzhou`). */
  region: string;
  /** Signing time (ms), on the server's clock. */
  now: number;
}

/** What V4 signing produces. */
export interface OssV4Result {
  /** The headers to send (given ones plus `x-oss-date`, content hash, token, authorization). */
  headers: Record<string, string>;
  canonicalRequest: string;
  stringToSign: string;
  signature: string;
}

function ossCanonicalHeaders(headers: Readonly<Record<string, string>>): string {
  return Object.entries(headers)
    .map(([n, v]): [string, string] => [n.toLowerCase(), v.trim()])
    .filter(([n]) => n === 'content-type' || n === 'content-md5' || n.startsWith('x-oss-'))
    .sort(byName)
    .map(([n, v]) => `${n}:${v}\n`)
    .join('');
}

async function ossV4Signature(
  secret: string,
  date: string,
  region: string,
  stringToSign: string,
): Promise<string> {
  const kDate = await hmac(`aliyun_v4${secret}`, date);
  const kRegion = await hmac(new Uint8Array(kDate), region);
  const kProduct = await hmac(new Uint8Array(kRegion), 'oss');
  const kSigning = await hmac(new Uint8Array(kProduct), 'aliyun_v4_request');
  return hex(await hmac(new Uint8Array(kSigning), stringToSign));
}

async function ossStringToSign(timestamp: string, region: string, canonicalRequest: string) {
  return `OSS4-HMAC-SHA256\n${timestamp}\n${timestamp.slice(0, 8)}/${region}/oss/aliyun_v4_request\n${await sha256Hex(canonicalRequest)}`;
}

/**
 * Signs an OSS request with a V4 `Authorization` header (`x-oss-date` instead of `Date`, which
 * browsers cannot set; `x-oss-content-sha256: UNSIGNED-PAYLOAD`).
 * @example
 * const { headers } = await signOssV4Header({ method: 'GET', bucket: 'b', key: 'k', query: [], headers: {}, credentials, region: 'cn-hangzhou', now: Date.now() });
 */
export async function signOssV4Header(input: OssV4Input): Promise<OssV4Result> {
  const timestamp = isoBasic(input.now);
  const headers: Record<string, string> = {
    ...input.headers,
    'x-oss-date': timestamp,
    'x-oss-content-sha256': 'UNSIGNED-PAYLOAD',
    ...(input.credentials.securityToken
      ? { 'x-oss-security-token': input.credentials.securityToken }
      : {}),
  };
  const { canonicalRequest, stringToSign, signature } = await ossV4Sign(
    input,
    timestamp,
    input.query,
    headers,
  );
  headers.authorization = `OSS4-HMAC-SHA256 Credential=${input.credentials.accessKeyId}/${timestamp.slice(0, 8)}/${input.region}/oss/aliyun_v4_request,Signature=${signature}`;
  return { headers, canonicalRequest, stringToSign, signature };
}

/** The V4 canonical request of an unsigned-payload OSS request, its string to sign and signature. */
async function ossV4Sign(
  input: Pick<OssV4Input, 'method' | 'bucket' | 'key' | 'region' | 'credentials'>,
  timestamp: string,
  query: ReadonlyArray<readonly [string, string | null]>,
  headers: Record<string, string>,
): Promise<{ canonicalRequest: string; stringToSign: string; signature: string }> {
  const canonicalRequest = [
    input.method.toUpperCase(),
    ossV4CanonicalUri(input.bucket, input.key),
    ossV4CanonicalQuery(query),
    ossCanonicalHeaders(headers),
    '',
    'UNSIGNED-PAYLOAD',
  ].join('\n');
  const stringToSign = await ossStringToSign(timestamp, input.region, canonicalRequest);
  const signature = await ossV4Signature(
    input.credentials.accessKeySecret,
    timestamp.slice(0, 8),
    input.region,
    stringToSign,
  );
  return { canonicalRequest, stringToSign, signature };
}

/** What presigning produces: the query to append (signature last). */
export interface OssV4Presigned {
  query: Array<[string, string | null]>;
  canonicalRequest: string;
  stringToSign: string;
  signature: string;
}

/**
 * Presigns an OSS request (V4 URL form): `x-oss-signature-version`, `x-oss-credential`,
 * `x-oss-date`, `x-oss-expires` (seconds, 1..604800), the token, then `x-oss-signature`.
 * @example
 * const { query } = await presignOssV4({ ...input, expiresSeconds: 900 });
 */
export async function presignOssV4(
  input: Omit<OssV4Input, 'headers'> & { headers?: Record<string, string>; expiresSeconds: number },
): Promise<OssV4Presigned> {
  const timestamp = isoBasic(input.now);
  const query: Array<[string, string | null]> = [
    ...input.query.map(([n, v]): [string, string | null] => [n, v]),
    ['x-oss-signature-version', 'OSS4-HMAC-SHA256'],
    [
      'x-oss-credential',
      `${input.credentials.accessKeyId}/${timestamp.slice(0, 8)}/${input.region}/oss/aliyun_v4_request`,
    ],
    ['x-oss-date', timestamp],
    ['x-oss-expires', String(input.expiresSeconds)],
    ...(input.credentials.securityToken
      ? [['x-oss-security-token', input.credentials.securityToken] as [string, string]]
      : []),
  ];
  const { canonicalRequest, stringToSign, signature } = await ossV4Sign(
    input,
    timestamp,
    query,
    input.headers ?? {},
  );
  query.push(['x-oss-signature', signature]);
  return { query, canonicalRequest, stringToSign, signature };
}

/**
 * A query string from pairs, each part encoded with {@link pct} (`null`: the bare name).
 * @example
 * queryString([['prefix', 'a/'], ['acl', null]]) // 'prefix=a%2F&acl'
 */
export function queryString(query: ReadonlyArray<readonly [string, string | null]>): string {
  return query.map(([n, v]) => (v === null ? pct(n) : `${pct(n)}=${pct(v)}`)).join('&');
}

/**
 * The wire path of a path-style OSS request: `/<bucket>/<key>` with `/` inside the key escaped
 * as `%2F` (as oss2 sends it), so no `.`/`..` segment or double slash is rewritten on the way.
 * @example
 * ossPath('b', 'dir/a b.txt') // '/b/dir%2Fa%20b.txt'
 */
export function ossPath(bucket: string | undefined, key: string | undefined): string {
  if (!bucket) return '/';
  return `/${pct(bucket)}/${key ? pct(key).replace(/^\./, '%2E') : ''}`;
}
