/**
 * @module Signature v1 (`SignatureMethod=HMAC-SHA1`, `SignatureVersion=1.0`) for RPC requests,
 * server side (openapi.md b.2). Sent by pop-core, @alicloud/credentials and the Tea SDKs in
 * `signatureAlgorithm: 'v2'` mode; parameters may sit in the query string or the form body, and
 * every parameter except `Signature` is signed. Verification is two steps so the caller can look
 * up the secret in between: {@link parseV1} (no secret) then {@link verifyV1}.
 *
 * Only the parameters are signed: headers such as `x-acs-action` that pop-core and the Tea SDKs
 * send alongside are not, so routing must read `Action`/`Version` from the parameters. Freshness
 * (`Timestamp` within 15 minutes, `SignatureNonce` unused, openapi.md b.4) is the caller's job;
 * the parsed request exposes both.
 */

import { createHmac } from 'node:crypto';
import { pct } from './pct.js';
import {
  byName,
  collectParameters,
  constantTimeEqual,
  invalidParameter,
  missingParameter,
  signatureDoesNotMatch,
  type RpcAuthResult,
  type RpcRequest,
} from './rpc-request.js';

/** The only `SignatureMethod` accepted. */
export const V1_SIGNATURE_METHOD = 'HMAC-SHA1';
/** The only `SignatureVersion` accepted. */
export const V1_SIGNATURE_VERSION = '1.0';

/**
 * The canonicalized query string of signature v1: every parameter but `Signature`, sorted by name
 * (code-unit order), `pct(name)=pct(value)`, joined with `&`.
 *
 * Names should be unique (see `collectParameters`); equal names keep their input order.
 * @example
 * v1CanonicalizedQueryString(new Map([['Version', '2015-05-01'], ['Action', 'GetRole']]))
 * // 'Action=GetRole&Version=2015-05-01'
 */
export function v1CanonicalizedQueryString(params: Iterable<readonly [string, string]>): string {
  const signed = [...params].filter(([name]) => name !== 'Signature').sort(byName);
  return signed.map(([name, value]) => `${pct(name)}=${pct(value)}`).join('&');
}

/**
 * The v1 string to sign: `METHOD&%2F&pct(canonicalizedQueryString)`.
 * @example
 * v1StringToSign('GET', 'Action=GetRole') // 'GET&%2F&Action%3DGetRole'
 */
export function v1StringToSign(method: string, canonicalizedQueryString: string): string {
  return `${method}&${pct('/')}&${pct(canonicalizedQueryString)}`;
}

/**
 * The v1 signature of a string to sign: Base64(HMAC-SHA1(secret + `&`, stringToSign)).
 * @example
 * v1Signature(stringToSign, 'testsecret') // 'OLeaidS1JvxuMvnyHOwuJ+uX5qY=' for the doc example
 */
export function v1Signature(stringToSign: string, accessKeySecret: string): string {
  return createHmac('sha1', `${accessKeySecret}&`).update(stringToSign, 'utf8').digest('base64');
}

/** Everything signature v1 derives from a method, a parameter set and a secret. */
export interface V1Signing {
  /** Sorted, pct-encoded `name=value` pairs joined with `&`. */
  canonicalizedQueryString: string;
  /** `METHOD&%2F&...`, the input of the HMAC. */
  stringToSign: string;
  /** Base64 HMAC-SHA1. */
  signature: string;
}

/**
 * Sign a parameter set as the SDKs do (client side: the CLI and tests); `Signature`, if present,
 * is ignored.
 * @example
 * signV1('POST', [['Action', 'GetCallerIdentity'], ...common], secret).signature
 */
export function signV1(
  method: string,
  params: Iterable<readonly [string, string]>,
  accessKeySecret: string,
): V1Signing {
  const canonicalizedQueryString = v1CanonicalizedQueryString(params);
  const stringToSign = v1StringToSign(method, canonicalizedQueryString);
  return {
    canonicalizedQueryString,
    stringToSign,
    signature: v1Signature(stringToSign, accessKeySecret),
  };
}

/** A v1-signed request, parsed and canonicalised, waiting for its secret. */
export interface V1Request {
  /** `AccessKeyId` parameter (an `STS.` id for temporary credentials). */
  accessKeyId: string;
  /** `Signature` parameter as received (Base64). */
  signature: string;
  /** `SecurityToken` parameter, with STS credentials. */
  securityToken: string | undefined;
  /** `Timestamp` parameter, unchecked (freshness is the caller's). */
  timestamp: string | undefined;
  /** `SignatureNonce` parameter, unchecked (replay is the caller's). */
  nonce: string | undefined;
  /** Every signed parameter (query and body, `Signature` removed), the set handlers should read. */
  parameters: ReadonlyMap<string, string>;
  /** See {@link V1Signing}. */
  canonicalizedQueryString: string;
  /** See {@link V1Signing}; goes into the `SignatureDoesNotMatch` message. */
  stringToSign: string;
}

/**
 * Parse and canonicalise a v1-signed request; no secret needed yet.
 *
 * Fails with `InvalidParameter` on a repeated parameter, `MissingParameter` when `Signature`,
 * `AccessKeyId`, `SignatureMethod` or `SignatureVersion` is absent or empty,
 * `InvalidSignatureMethod` unless `SignatureMethod=HMAC-SHA1`, and `InvalidParameter` unless
 * `SignatureVersion=1.0`.
 * @example
 * const parsed = parseV1(req);
 * if (!parsed.ok) return fail(parsed.error);
 * const secret = await keys.secretOf(parsed.value.accessKeyId);
 * const verdict = verifyV1(parsed.value, secret);
 */
export function parseV1(req: RpcRequest): RpcAuthResult<V1Request> {
  const collected = collectParameters(req);
  if (!collected.ok) return collected;
  const params = collected.value;
  const signature = params.get('Signature');
  if (!signature) return missingParameter('Signature', 'parameter `Signature` is missing or empty');
  params.delete('Signature');
  const accessKeyId = params.get('AccessKeyId');
  if (!accessKeyId) {
    return missingParameter('AccessKeyId', 'parameter `AccessKeyId` is missing or empty');
  }
  const method = params.get('SignatureMethod');
  if (!method) {
    return missingParameter('SignatureMethod', 'parameter `SignatureMethod` is missing or empty');
  }
  if (method !== V1_SIGNATURE_METHOD) {
    return invalidParameter(
      'SignatureMethod',
      `signature method \`${method}\` is not supported, use \`${V1_SIGNATURE_METHOD}\``,
      'InvalidSignatureMethod',
    );
  }
  const version = params.get('SignatureVersion');
  if (!version) {
    return missingParameter('SignatureVersion', 'parameter `SignatureVersion` is missing or empty');
  }
  if (version !== V1_SIGNATURE_VERSION) {
    return invalidParameter(
      'SignatureVersion',
      `signature version \`${version}\` is not supported, use \`${V1_SIGNATURE_VERSION}\``,
    );
  }
  const canonicalizedQueryString = v1CanonicalizedQueryString(params);
  return {
    ok: true,
    value: {
      accessKeyId,
      signature,
      securityToken: params.get('SecurityToken'),
      timestamp: params.get('Timestamp'),
      nonce: params.get('SignatureNonce'),
      parameters: params,
      canonicalizedQueryString,
      stringToSign: v1StringToSign(req.method, canonicalizedQueryString),
    },
  };
}

/**
 * Check a parsed v1 request against the secret of its access key, in constant time.
 *
 * On mismatch the error is `SignatureDoesNotMatch` with the message
 * `Specified signature is not matched with our calculation. server string to sign is:<StringToSign>`,
 * which @alicloud/credentials parses (openapi.md b.5).
 * @example
 * const verdict = verifyV1(parsed.value, secret);
 * if (!verdict.ok) return fail(verdict.error);
 */
export function verifyV1(parsed: V1Request, accessKeySecret: string): RpcAuthResult<true> {
  const expected = v1Signature(parsed.stringToSign, accessKeySecret);
  if (constantTimeEqual(parsed.signature, expected)) return { ok: true, value: true };
  return signatureDoesNotMatch(
    parsed.stringToSign,
    `v1 signature for access key \`${parsed.accessKeyId}\` does not match`,
  );
}
