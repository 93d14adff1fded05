/**
 * @module ACS3-HMAC-SHA256, the `Authorization`-header signature the Tea SDKs send by default,
 * server side (openapi.md b.3). Verification is two steps so the caller can look up the secret in
 * between: {@link parseAcs3} (parses the header, enforces what must be signed, checks the body
 * hash, builds the canonical request) then {@link verifyAcs3} (HMAC, constant-time compare).
 *
 * What must be signed. The canonical request is rebuilt from the `SignedHeaders` the client
 * lists, so anything left out of that list could be changed in transit. Every official signer
 * (openapi-core here; the Python, Go and Java Tea cores alike) signs `host`, `content-type` and
 * every `x-acs-*` header, and the V3 documentation names the same set. We therefore require
 * `host` always, `content-type` when received, and every received `x-acs-*` header; that covers
 * `x-acs-action`/`x-acs-version` (they pick the operation), `x-acs-date`,
 * `x-acs-signature-nonce`, `x-acs-security-token`, `x-acs-accesskey-id` and
 * `x-acs-content-sha256`. A gap is `IncompleteSignature`. Other headers may be signed too.
 *
 * The body: the canonical request always ends with the hash of the body actually received, and
 * when `x-acs-content-sha256` is present it must equal that hash, so a changed body cannot pass.
 * Form-body parameters are covered by that hash, not by the canonical query string. Freshness
 * (`x-acs-date` within 15 minutes, nonce unused) is the caller's job; the parsed request exposes
 * both.
 */

import { createHash, createHmac } from 'node:crypto';
import { pct } from './pct.js';
import {
  byName,
  collectParameters,
  constantTimeEqualBytes,
  headerLists,
  incompleteSignature,
  invalidParameter,
  signatureDoesNotMatch,
  type RpcAuthResult,
  type RpcRequest,
} from './rpc-request.js';

/** The only ACS3 algorithm accepted. */
export const ACS3_ALGORITHM = 'ACS3-HMAC-SHA256';

/** The parts of an `Authorization: ACS3-HMAC-SHA256 ...` header. */
export interface Acs3Authorization {
  /** Always {@link ACS3_ALGORITHM} once parsed. */
  algorithm: typeof ACS3_ALGORITHM;
  /** `Credential=`: the access key id (an `STS.` id for temporary credentials). */
  accessKeyId: string;
  /** `SignedHeaders=`: lower-case header names, in the order given (the SDKs sort them). */
  signedHeaders: string[];
  /** `Signature=`: 64 hex digits. */
  signature: string;
}

/**
 * Whether an `Authorization` value selects ACS3 (it starts with `ACS3-`), the first step of scheme
 * detection (openapi.md b): otherwise a `Signature` parameter selects v1.
 * @example
 * isAcs3Authorization(req.headers.authorization)
 */
export function isAcs3Authorization(value: string | readonly string[] | undefined): boolean {
  const first = typeof value === 'string' ? value : value?.[0];
  return first !== undefined && first.trimStart().startsWith('ACS3-');
}

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;
const HEX64 = /^[0-9a-fA-F]{64}$/;

/**
 * Parse `ACS3-HMAC-SHA256 Credential=<id>,SignedHeaders=<a;b>,Signature=<hex>`.
 *
 * Spaces around the commas are tolerated; each of the three fields must appear exactly once and
 * nothing else may. Anything malformed, a repeated `Authorization` header, or another algorithm
 * (`ACS3-HMAC-SM3`, `ACS3-RSA-SHA256` are not supported) is `IncompleteSignature`.
 * @example
 * parseAcs3Authorization('ACS3-HMAC-SHA256 Credential=LTAI...,SignedHeaders=host;x-acs-date,Signature=39...')
 */
export function parseAcs3Authorization(
  value: string | readonly string[] | undefined,
): RpcAuthResult<Acs3Authorization> {
  if (value === undefined) return incompleteSignature('the `Authorization` header is missing');
  if (typeof value !== 'string') {
    if (value.length !== 1 || value[0] === undefined) {
      return incompleteSignature('the `Authorization` header is repeated');
    }
    value = value[0];
  }
  const text = value.trim();
  const space = text.search(/\s/);
  const algorithm = space === -1 ? text : text.slice(0, space);
  if (algorithm !== ACS3_ALGORITHM) {
    return incompleteSignature(
      `signature algorithm \`${algorithm}\` is not supported, use \`${ACS3_ALGORITHM}\``,
    );
  }
  const fields = new Map<string, string>();
  for (const part of text.slice(algorithm.length).split(',')) {
    const item = part.trim();
    const eq = item.indexOf('=');
    if (eq <= 0) return incompleteSignature(`\`Authorization\` has a malformed field \`${item}\``);
    const key = item.slice(0, eq);
    if (key !== 'Credential' && key !== 'SignedHeaders' && key !== 'Signature') {
      return incompleteSignature(`\`Authorization\` has an unknown field \`${key}\``);
    }
    if (fields.has(key)) return incompleteSignature(`\`Authorization\` repeats field \`${key}\``);
    fields.set(key, item.slice(eq + 1));
  }
  const accessKeyId = fields.get('Credential');
  const signedHeaderList = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!accessKeyId || /\s/.test(accessKeyId)) {
    return incompleteSignature('`Authorization` lacks a valid `Credential`');
  }
  if (signedHeaderList === undefined || signedHeaderList === '') {
    return incompleteSignature('`Authorization` lacks `SignedHeaders`');
  }
  if (signature === undefined || !HEX64.test(signature)) {
    return incompleteSignature('`Authorization` lacks a 64-hex-digit `Signature`');
  }
  const signedHeaders = signedHeaderList.split(';');
  const seen = new Set<string>();
  for (const name of signedHeaders) {
    if (!HEADER_NAME.test(name)) {
      return incompleteSignature(`\`SignedHeaders\` has an invalid header name \`${name}\``);
    }
    if (seen.has(name)) return incompleteSignature(`\`SignedHeaders\` repeats \`${name}\``);
    seen.add(name);
  }
  return { ok: true, value: { algorithm: ACS3_ALGORITHM, accessKeyId, signedHeaders, signature } };
}

/**
 * The ACS3 canonical URI: the raw path with `+` -> `%20`, `*` -> `%2A`, `%7E` -> `~`, as
 * openapi-core does; an empty path is `/`.
 * @example
 * acs3CanonicalUri('/') // '/'
 */
export function acs3CanonicalUri(path: string): string {
  const q = path.indexOf('?');
  const raw = q === -1 ? path : path.slice(0, q);
  if (raw === '') return '/';
  return raw.replaceAll('+', '%20').replaceAll('*', '%2A').replaceAll('%7E', '~');
}

/**
 * The ACS3 canonical query string: decoded query parameters sorted by name (code-unit order),
 * `pct(name)=pct(value)`, joined with `&`; empty when there are none. Form-body parameters are not
 * part of it.
 * @example
 * acs3CanonicalQueryString([['RoleName', 'app'], ['Description', 'a b']])
 * // 'Description=a%20b&RoleName=app'
 */
export function acs3CanonicalQueryString(query: Iterable<readonly [string, string]>): string {
  return [...query]
    .sort(byName)
    .map(([name, value]) => `${pct(name)}=${pct(value)}`)
    .join('&');
}

/**
 * The canonical value of one header: each received value trimmed; several are sorted and joined
 * with `,`.
 * @example
 * acs3HeaderValue([' b ', 'a']) // 'a,b'
 */
export function acs3HeaderValue(values: readonly string[]): string {
  if (values.length === 1) return (values[0] ?? '').trim();
  return values
    .map((v) => v.trim())
    .sort()
    .join(',');
}

/** Inputs of the canonical request, all already in canonical form except the path. */
export interface Acs3CanonicalParts {
  /** HTTP method as sent. */
  method: string;
  /** Raw path (canonicalised by {@link acs3CanonicalUri}). */
  path: string;
  /** Decoded query parameters. */
  query: Iterable<readonly [string, string]>;
  /** `name` -> canonical value, in `SignedHeaders` order. */
  headers: ReadonlyArray<readonly [string, string]>;
  /** Lower-case hex SHA-256 of the body. */
  bodySha256Hex: string;
}

/**
 * The ACS3 canonical request:
 * `METHOD\nURI\nQUERY\n` + `name:value\n` per signed header + `\nSIGNED;HEADERS\nBODYHASH`.
 * @example
 * acs3CanonicalRequest({ method: 'POST', path: '/', query: [], headers: [['host', 'h']], bodySha256Hex })
 */
export function acs3CanonicalRequest(parts: Acs3CanonicalParts): string {
  const lines = parts.headers.map(([name, value]) => `${name}:${value}\n`).join('');
  const signed = parts.headers.map(([name]) => name).join(';');
  return [
    parts.method,
    acs3CanonicalUri(parts.path),
    acs3CanonicalQueryString(parts.query),
    lines,
    signed,
    parts.bodySha256Hex,
  ].join('\n');
}

/**
 * The ACS3 string to sign: `ACS3-HMAC-SHA256\n` + hex(SHA-256(canonicalRequest)).
 * @example
 * acs3StringToSign(canonicalRequest)
 */
export function acs3StringToSign(canonicalRequest: string): string {
  const hash = createHash('sha256').update(canonicalRequest, 'utf8').digest('hex');
  return `${ACS3_ALGORITHM}\n${hash}`;
}

/**
 * The ACS3 signature: lower-case hex HMAC-SHA256 keyed with the raw secret (no `&`).
 * @example
 * acs3Signature(stringToSign, secret)
 */
export function acs3Signature(stringToSign: string, accessKeySecret: string): string {
  return createHmac('sha256', accessKeySecret).update(stringToSign, 'utf8').digest('hex');
}

/** A request to sign with ACS3 on the client side. */
export interface Acs3SignInput {
  /** HTTP method to send. */
  method: string;
  /** Raw path to send (`/` for RPC). */
  path: string;
  /** Query parameters, unencoded. */
  query: Iterable<readonly [string, string]>;
  /** Headers to send, by lower-case name; `host`, `content-type` and `x-acs-*` get signed. */
  headers: Readonly<Record<string, string>>;
  /** Lower-case hex SHA-256 of the body to send (also the `x-acs-content-sha256` value). */
  bodySha256Hex: string;
  /** Access key id, for `Credential=`. */
  accessKeyId: string;
  /** Access key secret, the HMAC key. */
  accessKeySecret: string;
}

/** What ACS3 signing produces. */
export interface Acs3Signing {
  /** The `Authorization` header value. */
  authorization: string;
  /** The canonical request that was hashed. */
  canonicalRequest: string;
  /** `ACS3-HMAC-SHA256\n<hash>`, the input of the HMAC. */
  stringToSign: string;
  /** Lower-case hex HMAC-SHA256. */
  signature: string;
  /** Sorted lower-case names of the signed headers. */
  signedHeaders: string[];
}

/**
 * Sign a request as openapi-core does (client side: the CLI and tests): signs `host`,
 * `content-type` and every `x-acs-*` header present, sorted.
 * @example
 * const { authorization } = signAcs3({ method: 'POST', path: '/', query, headers, bodySha256Hex,
 *   accessKeyId, accessKeySecret });
 */
export function signAcs3(input: Acs3SignInput): Acs3Signing {
  const headers = Object.entries(input.headers)
    .map(([name, value]): [string, string] => [name.toLowerCase(), value.trim()])
    .filter(([name]) => name === 'host' || name === 'content-type' || name.startsWith('x-acs-'))
    .sort(byName);
  const canonicalRequest = acs3CanonicalRequest({
    method: input.method,
    path: input.path,
    query: input.query,
    headers,
    bodySha256Hex: input.bodySha256Hex,
  });
  const stringToSign = acs3StringToSign(canonicalRequest);
  const signature = acs3Signature(stringToSign, input.accessKeySecret);
  const signedHeaders = headers.map(([name]) => name);
  return {
    authorization: `${ACS3_ALGORITHM} Credential=${input.accessKeyId},SignedHeaders=${signedHeaders.join(';')},Signature=${signature}`,
    canonicalRequest,
    stringToSign,
    signature,
    signedHeaders,
  };
}

/** An ACS3-signed request, parsed and canonicalised, waiting for its secret. */
export interface Acs3Request {
  /** `Credential=` of the `Authorization` header. */
  accessKeyId: string;
  /** `SignedHeaders=`, in received order. */
  signedHeaders: string[];
  /** `Signature=`, as received. */
  signature: string;
  /** `x-acs-security-token`, with STS credentials (always signed). */
  securityToken: string | undefined;
  /** `x-acs-date`, unchecked (freshness is the caller's). */
  date: string | undefined;
  /** `x-acs-signature-nonce`, unchecked (replay is the caller's). */
  nonce: string | undefined;
  /** `x-acs-action` (signed when present). */
  action: string | undefined;
  /** `x-acs-version` (signed when present). */
  version: string | undefined;
  /** The canonical request rebuilt from what was received. */
  canonicalRequest: string;
  /** `ACS3-HMAC-SHA256\n<hash>`, the input of the HMAC. */
  stringToSign: string;
}

/**
 * Parse and canonicalise an ACS3-signed request; no secret needed yet.
 *
 * Fails with `IncompleteSignature` for a malformed `Authorization`, a required header left out of
 * `SignedHeaders` (see the module comment), a signed header that was not received, or an
 * `x-acs-accesskey-id` different from `Credential`; `InvalidParameter` for a repeated parameter
 * or a malformed `x-acs-content-sha256`; `SignatureDoesNotMatch` when `x-acs-content-sha256`
 * differs from the hash of the received body.
 * @example
 * const parsed = parseAcs3(req);
 * if (!parsed.ok) return fail(parsed.error);
 * const verdict = verifyAcs3(parsed.value, await keys.secretOf(parsed.value.accessKeyId));
 */
export function parseAcs3(req: RpcRequest): RpcAuthResult<Acs3Request> {
  const headers = headerLists(req.headers);
  const auth = parseAcs3Authorization(headers.get('authorization'));
  if (!auth.ok) return auth;
  const { accessKeyId, signedHeaders, signature } = auth.value;

  const collected = collectParameters(req);
  if (!collected.ok) return collected;

  const signed = new Set(signedHeaders);
  const required = ['host', ...[...headers.keys()].filter(mustBeSigned)];
  for (const name of required) {
    if (!signed.has(name)) {
      return incompleteSignature(
        `header \`${name}\` must be signed but is not in \`SignedHeaders\``,
        name,
      );
    }
  }
  const canonicalHeaders: Array<[string, string]> = [];
  for (const name of signedHeaders) {
    const values = headers.get(name);
    if (values === undefined || values.length === 0) {
      return incompleteSignature(`signed header \`${name}\` is not in the request`, name);
    }
    canonicalHeaders.push([name, acs3HeaderValue(values)]);
  }
  const single = (name: string): string | undefined => {
    const values = headers.get(name);
    return values === undefined ? undefined : acs3HeaderValue(values);
  };

  const keyHeader = single('x-acs-accesskey-id');
  if (keyHeader !== undefined && keyHeader !== accessKeyId) {
    return incompleteSignature(
      `\`x-acs-accesskey-id\` \`${keyHeader}\` differs from credential \`${accessKeyId}\``,
      'x-acs-accesskey-id',
    );
  }
  const bodyHash = req.bodySha256Hex.toLowerCase();
  const claimedHash = single('x-acs-content-sha256');
  if (claimedHash !== undefined && !HEX64.test(claimedHash)) {
    return invalidParameter(
      'x-acs-content-sha256',
      `\`x-acs-content-sha256\` \`${claimedHash}\` is not 64 hex digits`,
    );
  }

  const canonicalRequest = acs3CanonicalRequest({
    method: req.method,
    path: req.path,
    query: req.query,
    headers: canonicalHeaders,
    bodySha256Hex: bodyHash,
  });
  const stringToSign = acs3StringToSign(canonicalRequest);
  if (claimedHash !== undefined && claimedHash.toLowerCase() !== bodyHash) {
    return signatureDoesNotMatch(
      stringToSign,
      `body sha-256 \`${bodyHash}\` differs from \`x-acs-content-sha256\` \`${claimedHash}\``,
    );
  }
  return {
    ok: true,
    value: {
      accessKeyId,
      signedHeaders,
      signature,
      securityToken: single('x-acs-security-token'),
      date: single('x-acs-date'),
      nonce: single('x-acs-signature-nonce'),
      action: single('x-acs-action'),
      version: single('x-acs-version'),
      canonicalRequest,
      stringToSign,
    },
  };
}

function mustBeSigned(name: string): boolean {
  return name === 'content-type' || name.startsWith('x-acs-');
}

/**
 * Check a parsed ACS3 request against the secret of its access key, in constant time.
 *
 * On mismatch the error is `SignatureDoesNotMatch`, its message the usual prefix followed by the
 * server's string to sign; the detail carries the canonical request for the log, with the value
 * of `x-acs-security-token` redacted.
 * @example
 * const verdict = verifyAcs3(parsed.value, secret);
 * if (!verdict.ok) return fail(verdict.error);
 */
export function verifyAcs3(parsed: Acs3Request, accessKeySecret: string): RpcAuthResult<true> {
  const expected = createHmac('sha256', accessKeySecret)
    .update(parsed.stringToSign, 'utf8')
    .digest();
  const received = Buffer.from(parsed.signature, 'hex');
  if (constantTimeEqualBytes(received, expected)) return { ok: true, value: true };
  return signatureDoesNotMatch(
    parsed.stringToSign,
    `acs3 signature for access key \`${parsed.accessKeyId}\` does not match; canonical request: ${JSON.stringify(redactToken(parsed.canonicalRequest))}`,
  );
}

/** Hide the STS token in a canonical request before it goes to a log. */
function redactToken(canonicalRequest: string): string {
  return canonicalRequest.replace(/^x-acs-security-token:.*$/m, 'x-acs-security-token:<redacted>');
}
