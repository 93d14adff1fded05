/**
 * @module The RPC wire codec: responses as JSON (default) or XML (`Format=XML`), errors in
 * Alibaba's shape (RequestId, HostId, Code, Message, Recommend) with their HTTP status
 * (openapi.md §a.1, §d conventions, §e).
 */
import type { ServiceError } from '../kernel/errors.js';

/** An encoded response, ready to write. */
export interface Encoded {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Response format requested by the client. */
export type RpcFormat = 'JSON' | 'XML';

/** Picks the format from the `Format` parameter (case-insensitive; JSON unless XML asked). */
export function rpcFormat(formatParam: string | undefined): RpcFormat {
  return formatParam !== undefined && formatParam.toUpperCase() === 'XML' ? 'XML' : 'JSON';
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) =>
    c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : c === '"' ? '&quot;' : '&apos;',
  );
}

/** XML form of a JSON value: arrays become repeated elements named after their key. */
function toXml(name: string, value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => toXml(name, v)).join('');
  if (value === null || value === undefined) return `<${name}/>`;
  if (typeof value === 'object') {
    let inner = '';
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) inner += toXml(k, v);
    return `<${name}>${inner}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** Encodes a successful response; `RequestId` first. */
export function encodeRpcSuccess(
  format: RpcFormat,
  action: string,
  requestId: string,
  output: Record<string, unknown>,
): Encoded {
  const body = { RequestId: requestId, ...output };
  if (format === 'XML') {
    return {
      status: 200,
      headers: { 'content-type': 'text/xml;charset=utf-8' },
      body: `<?xml version="1.0" encoding="UTF-8"?>${toXml(`${action}Response`, body)}`,
    };
  }
  return {
    status: 200,
    headers: { 'content-type': 'application/json;charset=utf-8' },
    body: JSON.stringify(body),
  };
}

/** Encodes an error; every error has a Message (the credentials library crashes without one). */
export function encodeRpcError(
  format: RpcFormat,
  err: ServiceError,
  requestId: string,
  hostId: string,
): Encoded {
  const body: Record<string, unknown> = {
    RequestId: requestId,
    HostId: hostId,
    Code: err.code,
    Message: err.message || err.code,
    Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(err.code)}`,
    ...err.fields,
  };
  const headers: Record<string, string> = { ...err.headers };
  if (format === 'XML') {
    return {
      status: err.status,
      headers: { ...headers, 'content-type': 'text/xml;charset=utf-8' },
      body: `<?xml version="1.0" encoding="UTF-8"?>${toXml('Error', body)}`,
    };
  }
  return {
    status: err.status,
    headers: { ...headers, 'content-type': 'application/json;charset=utf-8' },
    body: JSON.stringify(body),
  };
}
