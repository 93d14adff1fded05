/**
 * @module JSON Web Tokens (RFC 7519) in compact JWS form (RFC 7515): decoding with bounds,
 * signature checks against JSON Web Keys (RS256, ES256) and RS256 signing for yunbox's own OIDC
 * issuer. Pure: no I/O, no clock (callers compare `exp`, `iat`, `nbf` with yunbox's clock).
 */
import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/** Longest token accepted (Alibaba's limit on `OIDCToken`: 20,000 characters). */
export const MAX_JWT_LENGTH = 20_000;

/** Algorithms whose signatures are checked; anything else is refused. */
export const JWT_ALGORITHMS = ['RS256', 'ES256'] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

/** A decoded, not yet verified token. */
export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  /** `base64url(header) + '.' + base64url(payload)`, what the signature covers. */
  signingInput: string;
  signature: Buffer;
}

/** Why a token cannot be decoded (the message says it in Alibaba's words where it has them). */
export interface JwtFailure {
  ok: false;
  message: string;
}

const B64URL = /^[A-Za-z0-9_-]*$/;

function b64urlDecode(part: string): Buffer | undefined {
  if (!B64URL.test(part) || part.length % 4 === 1) return undefined;
  return Buffer.from(part, 'base64url');
}

function jsonObject(buf: Buffer): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(buf.toString('utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Splits and decodes a compact token; checks shape only, never the signature.
 * @example
 * const d = decodeJwt(token); if (d.ok) console.log(d.jwt.payload.sub);
 */
export function decodeJwt(token: string): { ok: true; jwt: DecodedJwt } | JwtFailure {
  if (token.length === 0) return { ok: false, message: 'The OIDCToken can not empty.' };
  if (token.length > MAX_JWT_LENGTH) {
    return { ok: false, message: `The OIDCToken is longer than ${MAX_JWT_LENGTH} characters.` };
  }
  const parts = token.split('.');
  if (parts.length !== 3) {
    return {
      ok: false,
      message: "The number of Jwt field should be divided into 3 parts with '.' .",
    };
  }
  const [h, p, s] = parts as [string, string, string];
  const hb = b64urlDecode(h);
  const pb = b64urlDecode(p);
  const sb = b64urlDecode(s);
  if (!hb || !pb || !sb) {
    return { ok: false, message: 'Cannot decode base64 encoded response(format invalided).' };
  }
  const header = jsonObject(hb);
  const payload = jsonObject(pb);
  if (!header || !payload) {
    return { ok: false, message: 'The Jwt content is invalid that cannot be recognized.' };
  }
  const alg = header.alg;
  if (typeof alg !== 'string' || !(JWT_ALGORITHMS as readonly string[]).includes(alg)) {
    const shown = typeof alg === 'string' ? alg.slice(0, 16) : String(alg);
    return {
      ok: false,
      message: `The algorithm ${shown} that be specified in Jwt header is unknown.`,
    };
  }
  return { ok: true, jwt: { header, payload, signingInput: `${h}.${p}`, signature: sb } };
}

/** A public key from a JSON Web Key, or undefined when it is not a usable RSA or EC P-256 key. */
export function importJwk(jwk: Record<string, unknown>): KeyObject | undefined {
  if (jwk.kty !== 'RSA' && !(jwk.kty === 'EC' && jwk.crv === 'P-256')) return undefined;
  try {
    const key = createPublicKey({ key: jwk as any, format: 'jwk' });
    if (key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) {
      return undefined;
    }
    return key;
  } catch {
    return undefined;
  }
}

/** True when `jwt`'s signature verifies under `key` with the algorithm its header names. */
export function verifyJwtSignature(jwt: DecodedJwt, key: KeyObject): boolean {
  const input = Buffer.from(jwt.signingInput);
  try {
    if (jwt.header.alg === 'RS256') {
      return key.asymmetricKeyType === 'rsa' && verify('sha256', input, key, jwt.signature);
    }
    if (jwt.header.alg === 'ES256') {
      return (
        key.asymmetricKeyType === 'ec' &&
        jwt.signature.length === 64 &&
        verify('sha256', input, { key, dsaEncoding: 'ieee-p1363' }, jwt.signature)
      );
    }
  } catch {
    return false;
  }
  return false;
}

/**
 * Signs `payload` with an RSA private key (RS256) under key id `kid`.
 * @example
 * signJwtRs256({ iss, sub, aud, iat, exp }, privateKeyPem, 'k1');
 */
export function signJwtRs256(
  payload: Record<string, unknown>,
  privateKeyPem: string,
  kid: string,
): string {
  const header = { alg: 'RS256', typ: 'JWT', kid };
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  const sig = sign('sha256', Buffer.from(input), privateKeyPem);
  return `${input}.${sig.toString('base64url')}`;
}
