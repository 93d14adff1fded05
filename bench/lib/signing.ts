/**
 * @module Building correctly signed requests for the load generator, with yunbox's own signers
 * (`src/auth`), which are checked against vectors produced by the official SDKs.
 *
 * - OSS V1 (`Authorization: OSS <id>:<sig>`, oss.md §3) carries `x-oss-date` and no nonce, so a
 *   signed request may be replayed for as long as its date is within the 15-minute skew window:
 *   {@link ossV1Request} signs once and the load generator repeats it.
 * - RPC signature v1 (openapi.md b.2) carries a `SignatureNonce` that the server refuses to see
 *   twice, so every request needs its own: {@link RpcV1Signer} signs one per call (one HMAC-SHA1,
 *   a few microseconds, in the load process).
 */
import { createHash, randomBytes } from 'node:crypto';
import { ossV1StringToSign, signOssV1 } from '../../src/auth/oss-v1.js';
import { pct } from '../../src/auth/pct.js';
import { signV1 } from '../../src/auth/rpc-v1.js';
import { isoSeconds } from '../../src/kernel/clock.js';

/** An AccessKey pair, with the STS token of temporary credentials. */
export interface Credentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

/** A fully built HTTP request, serialisable (body as base64) for the load worker. */
export interface WireRequest {
  method: string;
  /** Path and query as sent. */
  path: string;
  headers: Record<string, string>;
  /** Body, base64. */
  bodyBase64?: string;
}

/** The virtual-host name ali-oss sends to an IP endpoint (oss.md §1.3). */
export function ossHost(bucket: string, region = 'oss-cn-hangzhou'): string {
  return `${bucket}.${region}.aliyuncs.com`;
}

/**
 * ali-oss's escaping of a key in the path: `encodeURIComponent`, `%2F` back to `/`, `+` as `%2B`.
 * @example
 * escapeKey('dir/a b') // 'dir/a%20b'
 */
export function escapeKey(key: string): string {
  return encodeURIComponent(key).replaceAll('%2F', '/').replaceAll('+', '%2B');
}

/** What to sign for {@link ossV1Request}. */
export interface OssRequestSpec {
  method: 'GET' | 'PUT' | 'HEAD' | 'DELETE';
  bucket: string;
  /** Object key; omit for bucket-level requests (ListObjects). */
  key?: string;
  /** Query parameters (unsigned unless sub-resources, as V1 says). */
  query?: Array<[string, string]>;
  body?: Buffer;
  contentType?: string;
  /** Send `Content-MD5` (ali-oss does for in-memory bodies). Default: when there is a body. */
  contentMd5?: boolean;
  /** Length of a body streamed separately (sets `Content-Length`). */
  contentLength?: number;
  credentials: Credentials;
  /** Signing time (default now). */
  date?: Date;
}

/**
 * A V1 header-signed OSS request as ali-oss sends it to `http://127.0.0.1:PORT` (no bucket in the
 * path, `Host: <bucket>.oss-cn-hangzhou.aliyuncs.com`, `x-oss-date`, no `Date`).
 * @example
 * ossV1Request({ method: 'GET', bucket: 'bench', key: 'obj-1k', credentials })
 */
export function ossV1Request(spec: OssRequestSpec): WireRequest {
  const date = (spec.date ?? new Date()).toUTCString();
  const headers: Record<string, string> = {
    host: ossHost(spec.bucket),
    'x-oss-date': date,
  };
  if (spec.contentType) headers['content-type'] = spec.contentType;
  if (spec.body && (spec.contentMd5 ?? true)) {
    headers['content-md5'] = createHash('md5').update(spec.body).digest('base64');
  }
  if (spec.contentLength !== undefined) headers['content-length'] = String(spec.contentLength);
  if (spec.credentials.securityToken) {
    headers['x-oss-security-token'] = spec.credentials.securityToken;
  }
  const query = spec.query ?? [];
  const stringToSign = ossV1StringToSign(
    {
      method: spec.method,
      path: `/${spec.key ? escapeKey(spec.key) : ''}`,
      query,
      headers,
      bucket: spec.bucket,
      ...(spec.key !== undefined ? { key: spec.key } : {}),
    },
    date,
  );
  headers.authorization = `OSS ${spec.credentials.accessKeyId}:${signOssV1(
    spec.credentials.accessKeySecret,
    stringToSign,
  )}`;
  const qs = query.map(([n, v]) => (v ? `${pct(n)}=${pct(v)}` : pct(n))).join('&');
  return {
    method: spec.method,
    path: `/${spec.key ? escapeKey(spec.key) : ''}${qs ? `?${qs}` : ''}`,
    headers,
    ...(spec.body ? { bodyBase64: spec.body.toString('base64') } : {}),
  };
}

/** What {@link RpcV1Signer} signs: one RPC call, repeated with fresh nonces. */
export interface RpcV1Spec {
  action: string;
  version: string;
  params: Record<string, string>;
  credentials: Credentials;
}

/**
 * Signs one RPC call with signature v1 (as pop-core sends it: GET, parameters in the query) over
 * and over, each time with a new `SignatureNonce` and the current `Timestamp`.
 * @example
 * const signer = new RpcV1Signer(spec);
 * fetch(`${endpoint}${signer.path()}`);
 */
export class RpcV1Signer {
  #spec: RpcV1Spec;
  #prefix = randomBytes(8).toString('hex');
  #counter = 0;
  #second = -1;
  #timestamp = '';

  constructor(spec: RpcV1Spec) {
    this.#spec = spec;
  }

  /** A freshly signed `/?…` path. */
  path(): string {
    const now = Date.now();
    const second = Math.floor(now / 1000);
    if (second !== this.#second) {
      this.#second = second;
      this.#timestamp = isoSeconds(now);
    }
    const c = this.#spec.credentials;
    const params: Array<[string, string]> = [
      ['Action', this.#spec.action],
      ['Version', this.#spec.version],
      ['Format', 'JSON'],
      ['Timestamp', this.#timestamp],
      ['SignatureMethod', 'HMAC-SHA1'],
      ['SignatureVersion', '1.0'],
      ['SignatureNonce', `${this.#prefix}-${(this.#counter++).toString(36)}`],
      ['AccessKeyId', c.accessKeyId],
      ...(c.securityToken ? ([['SecurityToken', c.securityToken]] as Array<[string, string]>) : []),
      ...Object.entries(this.#spec.params),
    ];
    const signed = signV1('GET', params, c.accessKeySecret);
    return `/?${signed.canonicalizedQueryString}&Signature=${pct(signed.signature)}`;
  }
}
