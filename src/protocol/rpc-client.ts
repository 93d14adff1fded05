/**
 * @module A minimal signed RPC client (our own, for the CLI and for tests that need to send what
 * the official SDKs never would). Signs with signature v1 or ACS3 exactly as the SDKs do; every
 * part can be overridden to build bad requests on purpose.
 */
import { createHash, randomBytes } from 'node:crypto';
import { signAcs3 } from '../auth/acs3.js';
import { pct } from '../auth/pct.js';
import { signV1 } from '../auth/rpc-v1.js';
import { isoSeconds } from '../kernel/clock.js';

/** Credentials to sign with. */
export interface RpcCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

/** One call. */
export interface RpcCall {
  endpoint: string;
  version: string;
  action: string;
  params?: Record<string, string>;
  credentials?: RpcCredentials;
  /** `v1` (default) or `acs3`. */
  signature?: 'v1' | 'acs3';
  method?: 'GET' | 'POST';
  /** v1: put the parameters in a form body (POST). */
  form?: boolean;
  /** Overrides for bad requests. */
  timestamp?: string;
  nonce?: string;
  format?: string;
  /** Called with the final parameter set (v1) before signing; return the set to sign. */
  tamperBeforeSign?: (params: Map<string, string>) => void;
  /** Called after signing (v1) with the parameters to send. */
  tamperAfterSign?: (params: Map<string, string>) => void;
  /** Extra headers (ACS3: signed; v1: not signed). */
  headers?: Record<string, string>;
  /** ACS3: headers added after signing (unsigned). */
  unsignedHeaders?: Record<string, string>;
  /** ACS3: body to send (with content-type). */
  body?: { contentType: string; data: string };
  /** ACS3: override the body hash header (after signing). */
  contentSha256?: string;
}

/** A raw response. */
export interface RpcResponse {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

function encodeQuery(params: Map<string, string>): string {
  return [...params].map(([k, v]) => `${pct(k)}=${pct(v)}`).join('&');
}

/** Sends a signed RPC call; never throws on HTTP errors (only on network failures). */
export async function rpcCall(call: RpcCall): Promise<RpcResponse> {
  const method = call.method ?? (call.signature === 'acs3' ? 'POST' : 'GET');
  const ts = call.timestamp ?? isoSeconds(Date.now());
  const nonce = call.nonce ?? randomBytes(16).toString('hex');
  const endpoint = call.endpoint.replace(/\/+$/, '');
  let url: string;
  const init: RequestInit = { method, headers: {} };
  if (call.signature === 'acs3') {
    const query = new Map(Object.entries(call.params ?? {}));
    const body = call.body?.data ?? '';
    const sha = createHash('sha256').update(body).digest('hex');
    const headers: Record<string, string> = {
      host: new URL(endpoint).host,
      'x-acs-action': call.action,
      'x-acs-version': call.version,
      'x-acs-date': ts,
      'x-acs-signature-nonce': nonce,
      'x-acs-content-sha256': sha,
      ...(call.body ? { 'content-type': call.body.contentType } : {}),
      ...(call.credentials?.securityToken
        ? {
            'x-acs-security-token': call.credentials.securityToken,
            'x-acs-accesskey-id': call.credentials.accessKeyId,
          }
        : {}),
      ...call.headers,
    };
    if (call.credentials) {
      const signed = signAcs3({
        method,
        path: '/',
        query,
        headers,
        bodySha256Hex: sha,
        accessKeyId: call.credentials.accessKeyId,
        accessKeySecret: call.credentials.accessKeySecret,
      });
      headers.authorization = signed.authorization;
    }
    if (call.contentSha256 !== undefined) headers['x-acs-content-sha256'] = call.contentSha256;
    Object.assign(headers, call.unsignedHeaders);
    delete headers.host;
    init.headers = headers;
    if (call.body) init.body = body;
    const qs = encodeQuery(query);
    url = `${endpoint}/${qs ? `?${qs}` : ''}`;
  } else {
    const params = new Map<string, string>([
      ['Action', call.action],
      ['Version', call.version],
      ['Format', call.format ?? 'JSON'],
      ['Timestamp', ts],
      ['SignatureMethod', 'HMAC-SHA1'],
      ['SignatureVersion', '1.0'],
      ['SignatureNonce', nonce],
      ...(call.credentials ? ([['AccessKeyId', call.credentials.accessKeyId]] as const) : []),
      ...(call.credentials?.securityToken
        ? ([['SecurityToken', call.credentials.securityToken]] as const)
        : []),
      ...Object.entries(call.params ?? {}),
    ]);
    call.tamperBeforeSign?.(params);
    if (call.credentials) {
      params.set('Signature', signV1(method, params, call.credentials.accessKeySecret).signature);
    }
    call.tamperAfterSign?.(params);
    init.headers = { ...call.headers };
    if (call.form || method === 'POST') {
      url = `${endpoint}/`;
      init.body = encodeQuery(params);
      (init.headers as Record<string, string>)['content-type'] =
        'application/x-www-form-urlencoded';
    } else {
      url = `${endpoint}/?${encodeQuery(params)}`;
    }
  }
  const res = await fetch(url, init);
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}
