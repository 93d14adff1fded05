/**
 * @module STS temporary credentials that any yunbox node can verify from shared key material,
 * without a per-token row: the SecurityToken is the session's claims sealed with AES-256-GCM under
 * a key from the store, and the AccessKeySecret is derived from the same key and the AccessKeyId.
 * A token cannot be forged or altered (GCM tag), and it carries its own expiry, checked against
 * yunbox's clock by the caller (console sessions: the real one, `auth/credentials.ts`).
 *
 * GCM fails badly when one key seals two plaintexts under one nonce (the XOR of the plaintexts and
 * the authentication key leak, and with it the ability to forge), so a caller never chooses the
 * nonce: it is either random (96 bits from the CSPRNG; NIST SP 800-38D 8.3 allows 2^32 seals per
 * key that way) or synthetic, an HMAC of the whole plaintext (SIV-like: the same claims give the
 * same token on every node, different claims a different nonce). The nonce travels in the token,
 * so opening does not depend on how it was chosen.
 */
import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
import { poolRandomBytes, randomAlnum } from '../kernel/ids.js';

/**
 * Whose session a token is when it is not a role's: the console's sign-in gives a RAM user or the
 * root account temporary credentials of its own identity (`src/console/session.ts`), decided by
 * that identity's own policies. `longTermKeyId` is the AccessKey signed in with: the session
 * works only while that key is Active and its owner exists (`auth/credentials.ts`).
 */
export type SessionIdentity =
  | { kind: 'user'; userId: string; userName: string; longTermKeyId: string }
  | { kind: 'account'; longTermKeyId: string };

/** What a session token says. Times in ms since the epoch. */
export interface StsClaims {
  accessKeyId: string;
  accountId: string;
  roleId: string;
  roleName: string;
  sessionName: string;
  issuedAt: number;
  expiresAt: number;
  /** Session policy JSON (AssumeRole `Policy`), if any. */
  policy?: string;
  /** What obtained it: the caller's ARN, or `ecs:<instanceId>`. */
  source?: string;
  /** AssumeRole SourceIdentity, if given. */
  sourceIdentity?: string;
  /**
   * Set for a user or account session (console sign-in): the token then stands for that identity,
   * not a role (`roleId` and `roleName` are empty). Absent in role-session tokens, so tokens sealed
   * before it existed open unchanged.
   */
  identity?: SessionIdentity;
}

/** A sealing key: 32 random bytes with an id. */
export interface StsKey {
  id: string;
  key: Buffer;
}

/** The credential triple handed to clients. */
export interface IssuedCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken: string;
}

const PREFIX = 'CAIS';
const AAD = Buffer.from('yunbox-sts-token-v1');
const VERSION = 1;
const NONCE_BYTES = 12;

/**
 * How {@link sealCredentials} chooses the GCM nonce: `random` (96 CSPRNG bits) for credentials
 * minted once (AssumeRole, console sessions); `synthetic` (an HMAC of the sealed plaintext) for
 * credentials every node must mint identically (instance credentials of a rotation window).
 */
export type NonceMode = 'random' | 'synthetic';

/** The key of synthetic nonces: its own, derived under a label no other use of `key` shares. */
function nonceKey(key: StsKey): Buffer {
  return createHmac('sha256', key.key).update('yunbox-sts-token-synthetic-nonce-v1').digest();
}

/**
 * The synthetic nonce of `plaintext` sealed with additional data `aad` under `key`: the first
 * 96 bits of HMAC-SHA256 over both (the AAD length-prefixed, so the split is unambiguous).
 * INVARIANT: a function of every byte GCM seals and authenticates, so two different plaintexts
 * share a nonce only if HMAC-SHA256 truncated to 96 bits collides (about n²/2^97 for n seals).
 */
function syntheticNonce(key: StsKey, aad: Buffer, plaintext: Buffer): Buffer {
  const aadLength = Buffer.alloc(4);
  aadLength.writeUInt32BE(aad.length);
  return createHmac('sha256', nonceKey(key))
    .update(aadLength)
    .update(aad)
    .update(plaintext)
    .digest()
    .subarray(0, NONCE_BYTES);
}

/** A fresh `STS.`-prefixed AccessKeyId. */
export function newStsAccessKeyId(): string {
  return 'STS.' + randomAlnum(25);
}

/** The AccessKeySecret of `accessKeyId` under `key` (deterministic; never stored). */
export function deriveStsSecret(key: StsKey, accessKeyId: string): string {
  return createHmac('sha256', key.key)
    .update('secret\0' + accessKeyId)
    .digest('base64')
    .replace(/[+/=]/g, '')
    .slice(0, 40);
}

/** Short field names inside the sealed payload, to keep tokens compact. */
function pack(c: StsClaims): string {
  return JSON.stringify({
    k: c.accessKeyId,
    a: c.accountId,
    r: c.roleId,
    n: c.roleName,
    s: c.sessionName,
    i: c.issuedAt,
    e: c.expiresAt,
    ...(c.policy !== undefined ? { p: c.policy } : {}),
    ...(c.source !== undefined ? { o: c.source } : {}),
    ...(c.sourceIdentity !== undefined ? { d: c.sourceIdentity } : {}),
    ...(c.identity !== undefined
      ? {
          u:
            c.identity.kind === 'user'
              ? {
                  t: 'user',
                  i: c.identity.userId,
                  n: c.identity.userName,
                  k: c.identity.longTermKeyId,
                }
              : { t: 'account', k: c.identity.longTermKeyId },
        }
      : {}),
  });
}

function unpackIdentity(u: any): SessionIdentity | undefined | false {
  if (u === undefined) return undefined;
  if (typeof u !== 'object' || u === null) return false;
  // INVARIANT: a session names the key it was signed in with; one that does not (sealed before
  // sessions ended with their key) is not understood, so it stops working.
  if (typeof u.k !== 'string' || u.k === '') return false;
  if (u.t === 'account') return { kind: 'account', longTermKeyId: u.k };
  if (u.t === 'user' && typeof u.i === 'string' && typeof u.n === 'string' && u.i && u.n) {
    return { kind: 'user', userId: u.i, userName: u.n, longTermKeyId: u.k };
  }
  return false;
}

function unpack(json: string): StsClaims | undefined {
  let o: any;
  try {
    o = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (
    typeof o !== 'object' ||
    o === null ||
    typeof o.k !== 'string' ||
    typeof o.a !== 'string' ||
    typeof o.r !== 'string' ||
    typeof o.n !== 'string' ||
    typeof o.s !== 'string' ||
    typeof o.i !== 'number' ||
    typeof o.e !== 'number'
  ) {
    return undefined;
  }
  // INVARIANT: an identity field that is present but not understood makes the token unusable,
  // never a role session.
  const identity = unpackIdentity(o.u);
  if (identity === false) return undefined;
  return {
    accessKeyId: o.k,
    accountId: o.a,
    roleId: o.r,
    roleName: o.n,
    sessionName: o.s,
    issuedAt: o.i,
    expiresAt: o.e,
    ...(typeof o.p === 'string' ? { policy: o.p } : {}),
    ...(typeof o.o === 'string' ? { source: o.o } : {}),
    ...(typeof o.d === 'string' ? { sourceIdentity: o.d } : {}),
    ...(identity !== undefined ? { identity } : {}),
  };
}

/**
 * Seals `claims` into a SecurityToken and derives the secret. With `nonce` `synthetic` the result
 * is deterministic (metadata credentials of one rotation window, minted alike on every node): the
 * same claims under the same key give the same token, different claims a different nonce.
 * @example
 * sealCredentials(claims, key); // AssumeRole: a random nonce
 * sealCredentials(claims, key, 'synthetic'); // the same token for the same claims
 */
export function sealCredentials(
  claims: StsClaims,
  key: StsKey,
  nonce: NonceMode = 'random',
): IssuedCredentials {
  const keyId = Buffer.from(key.id, 'utf8');
  if (keyId.length > 255) throw new Error('sts key id too long');
  const aad = Buffer.concat([AAD, Buffer.from([VERSION]), keyId]);
  const plaintext = Buffer.from(pack(claims), 'utf8');
  const iv =
    nonce === 'synthetic' ? syntheticNonce(key, aad, plaintext) : poolRandomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key.key, iv);
  cipher.setAAD(aad);
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const tag = cipher.getAuthTag();
  const raw = Buffer.concat([Buffer.from([VERSION, keyId.length]), keyId, iv, ct, tag]);
  return {
    accessKeyId: claims.accessKeyId,
    accessKeySecret: deriveStsSecret(key, claims.accessKeyId),
    securityToken: PREFIX + raw.toString('base64'),
  };
}

/** Why a token could not be opened. */
export type OpenFailure = 'malformed' | 'unknown-key';

/**
 * Opens a SecurityToken: `{ ok: true, claims, key }` when it was sealed by one of `keys` and not
 * altered. Expiry is not checked here (the caller compares with the clock, `auth/credentials.ts`).
 */
export function openToken(
  token: string,
  keys: (id: string) => StsKey | undefined,
): { ok: true; claims: StsClaims; key: StsKey } | { ok: false; reason: OpenFailure } {
  if (!token.startsWith(PREFIX) || token.length > 16384) return { ok: false, reason: 'malformed' };
  const b64 = token.slice(PREFIX.length);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) return { ok: false, reason: 'malformed' };
  const raw = Buffer.from(b64, 'base64');
  // INVARIANT: one token, one spelling, the one sealCredentials writes (padded base64). The
  // decoder ignores padding and the unused low bits of the last character, so other strings
  // would open to the same credential.
  if (raw.toString('base64') !== b64) return { ok: false, reason: 'malformed' };
  if (raw.length < 2 + 12 + 16 || raw[0] !== VERSION) return { ok: false, reason: 'malformed' };
  const idLen = raw[1]!;
  if (raw.length < 2 + idLen + 12 + 16) return { ok: false, reason: 'malformed' };
  const keyId = raw.subarray(2, 2 + idLen).toString('utf8');
  const key = keys(keyId);
  if (!key) return { ok: false, reason: 'unknown-key' };
  const nonce = raw.subarray(2 + idLen, 2 + idLen + 12);
  const ct = raw.subarray(2 + idLen + 12, raw.length - 16);
  const tag = raw.subarray(raw.length - 16);
  try {
    const d = createDecipheriv('aes-256-gcm', key.key, nonce);
    d.setAAD(Buffer.concat([AAD, Buffer.from([VERSION]), raw.subarray(2, 2 + idLen)]));
    d.setAuthTag(tag);
    const json = Buffer.concat([d.update(ct), d.final()]).toString('utf8');
    const claims = unpack(json);
    return claims ? { ok: true, claims, key } : { ok: false, reason: 'malformed' };
  } catch {
    return { ok: false, reason: 'malformed' };
  }
}
