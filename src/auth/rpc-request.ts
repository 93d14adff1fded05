/**
 * @module The transport-independent view of a signed RPC request that both verifiers read
 * (signature v1 in `rpc-v1.ts`, ACS3 in `acs3.ts`), the result and error shapes they return, and
 * the helpers they share: merging query and form parameters, reading headers, comparing secrets
 * in constant time. Nothing here touches node:http; the gateway fills {@link RpcRequest} from
 * `IncomingMessage` (`headersDistinct` keeps repeated headers apart) and the parsed body.
 */

import { timingSafeEqual } from 'node:crypto';

/**
 * A received RPC request, reduced to what signature verification needs.
 * @example
 * const req: RpcRequest = {
 *   method: 'POST',
 *   path: '/',
 *   query: [['RoleName', 'app']],
 *   headers: { host: 'ram.aliyuncs.com', 'x-acs-action': 'CreateRole' },
 *   bodySha256Hex: EMPTY_SHA256_HEX,
 * };
 */
export interface RpcRequest {
  /** HTTP method exactly as received (upper case from node:http). */
  method: string;
  /** Raw request path as on the wire, without the query string (`/` for RPC). */
  path: string;
  /** Decoded query parameters, in received order, duplicates kept (see `parseFormEncoded`). */
  query: ReadonlyArray<readonly [string, string]>;
  /** Received headers by lower-case name; an array when a header was repeated. */
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** Decoded `application/x-www-form-urlencoded` body parameters, if the body is a form. */
  bodyParams?: ReadonlyArray<readonly [string, string]>;
  /** Lower-case hex SHA-256 of the exact body bytes (of the empty string when there is no body). */
  bodySha256Hex: string;
}

/** Lower-case hex SHA-256 of the empty body. */
export const EMPTY_SHA256_HEX = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/**
 * Alibaba Cloud error codes a verifier can answer with (openapi.md e.3).
 *
 * `IncompleteSignature`: the signature material is malformed or leaves a required part unsigned;
 * `SignatureDoesNotMatch`: well-formed but wrong (or the body differs from its signed hash);
 * `MissingParameter` / `InvalidParameter`: a signature parameter is absent, repeated or bad;
 * `InvalidSignatureMethod`: v1 `SignatureMethod` other than `HMAC-SHA1`.
 */
export type RpcAuthErrorCode =
  | 'IncompleteSignature'
  | 'SignatureDoesNotMatch'
  | 'MissingParameter'
  | 'InvalidParameter'
  | 'InvalidSignatureMethod';

/** Why a request failed authentication: wire code and message, plus our own detail for logs. */
export interface RpcAuthError {
  /** Alibaba Cloud error code to send. */
  code: RpcAuthErrorCode;
  /** Wire message in Alibaba Cloud's wording. */
  message: string;
  /** Our diagnostic: lower-case, one line, user input in backticks. Safe to log, not secret. */
  detail: string;
  /** The parameter or header concerned, when there is one. */
  parameter?: string;
}

/** Result of a parse or verify step: a value, or the error to answer with. */
export type RpcAuthResult<T> = { ok: true; value: T } | { ok: false; error: RpcAuthError };

/** Prefix of the `SignatureDoesNotMatch` message; @alicloud/credentials parses it (openapi.md b.5). */
export const SIGNATURE_MISMATCH_PREFIX =
  'Specified signature is not matched with our calculation. server string to sign is:';

/** Build a failed {@link RpcAuthResult} for a missing parameter or header. */
export function missingParameter(name: string, detail: string): { ok: false; error: RpcAuthError } {
  return {
    ok: false,
    error: {
      code: 'MissingParameter',
      message: `The input parameter "${name}" that is mandatory for processing this request is not supplied.`,
      detail,
      parameter: name,
    },
  };
}

/** Build a failed {@link RpcAuthResult} for an invalid parameter or header. */
export function invalidParameter(
  name: string,
  detail: string,
  code: 'InvalidParameter' | 'InvalidSignatureMethod' = 'InvalidParameter',
): { ok: false; error: RpcAuthError } {
  return {
    ok: false,
    error: {
      code,
      message: `The specified parameter "${name}" is not valid.`,
      detail,
      parameter: name,
    },
  };
}

/** Build a failed {@link RpcAuthResult} with code `IncompleteSignature`. */
export function incompleteSignature(
  detail: string,
  parameter?: string,
): { ok: false; error: RpcAuthError } {
  const error: RpcAuthError = {
    code: 'IncompleteSignature',
    message: 'The request signature does not conform to Aliyun standards.',
    detail,
  };
  if (parameter !== undefined) error.parameter = parameter;
  return { ok: false, error };
}

/** Build a failed {@link RpcAuthResult} with code `SignatureDoesNotMatch` for a string to sign. */
export function signatureDoesNotMatch(
  stringToSign: string,
  detail: string,
): { ok: false; error: RpcAuthError } {
  return {
    ok: false,
    error: {
      code: 'SignatureDoesNotMatch',
      message: SIGNATURE_MISMATCH_PREFIX + stringToSign,
      detail,
    },
  };
}

/**
 * Merge query and form-body parameters into one map, rejecting any name given twice.
 *
 * A parameter may sit in the query or in the body (openapi.md a.1), but no SDK sends one name
 * twice; accepting duplicates would let the signed set and the set a handler reads disagree, so
 * a repeat, in either place or across both, is `InvalidParameter` naming it.
 * @example
 * collectParameters({ ...req, query: [['A', '1']], bodyParams: [['B', '2']] })
 * // { ok: true, value: Map { 'A' => '1', 'B' => '2' } }
 */
export function collectParameters(req: RpcRequest): RpcAuthResult<Map<string, string>> {
  const params = new Map<string, string>();
  const sources: Array<[string, ReadonlyArray<readonly [string, string]>]> = [
    ['query', req.query],
    ['body', req.bodyParams ?? []],
  ];
  for (const [where, pairs] of sources) {
    for (const [name, value] of pairs) {
      if (params.has(name)) {
        return invalidParameter(
          name,
          `parameter \`${name}\` is repeated (second time in the ${where})`,
        );
      }
      params.set(name, value);
    }
  }
  return { ok: true, value: params };
}

/**
 * The received headers keyed by lower-case name, each as a list of values (absent ones dropped).
 * @example
 * headerLists({ Host: 'a', 'x-acs-date': ['b', 'c'] }) // Map { 'host' => ['a'], 'x-acs-date' => ['b', 'c'] }
 */
export function headerLists(headers: RpcRequest['headers']): Map<string, readonly string[]> {
  const out = new Map<string, readonly string[]>();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    const values = typeof value === 'string' ? [value] : value;
    const prior = out.get(key);
    out.set(key, prior === undefined ? values : [...prior, ...values]);
  }
  return out;
}

/**
 * Compare two strings in time independent of where they differ (lengths may leak, contents not).
 * @example
 * constantTimeEqual(received, expected)
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  if (x.length !== y.length) return false;
  return timingSafeEqual(x, y);
}

/** Compare two byte strings in constant time; `false` when the lengths differ. */
export function constantTimeEqualBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}

/** Order name/value pairs by name in UTF-16 code-unit order, as JS `Array.prototype.sort` does. */
export function byName(a: readonly [string, string], b: readonly [string, string]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}
