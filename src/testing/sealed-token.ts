/**
 * @module Taking a SecurityToken apart, for tests about its sealing (`auth/sts-token.ts`): the key
 * id and GCM nonce it carries, and, given the key, the exact plaintext it seals. Tests use them to
 * prove that no (key, nonce) pair ever seals two different plaintexts.
 */
import { createDecipheriv } from 'node:crypto';
import type { StsKey } from '../auth/sts-token.js';

/** The parts of a `CAIS…` token: version, key id, nonce, ciphertext and tag. */
export interface TokenParts {
  version: number;
  keyId: string;
  nonce: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

/**
 * Splits a SecurityToken into its parts (no checks beyond the layout).
 * @example
 * tokenParts(creds.securityToken).nonce.toString('hex') // 24 hex digits
 */
export function tokenParts(token: string): TokenParts {
  if (!token.startsWith('CAIS')) throw new Error('not a sealed sts token');
  const raw = Buffer.from(token.slice(4), 'base64');
  const idLen = raw[1]!;
  const at = 2 + idLen;
  if (raw.length < at + 12 + 16) throw new Error('sealed sts token too short');
  return {
    version: raw[0]!,
    keyId: raw.subarray(2, at).toString('utf8'),
    nonce: raw.subarray(at, at + 12),
    ciphertext: raw.subarray(at + 12, raw.length - 16),
    tag: raw.subarray(raw.length - 16),
  };
}

/** The plaintext `token` seals, opened under `key` (throws when it does not open). */
export function tokenPlaintext(token: string, key: StsKey): string {
  const p = tokenParts(token);
  const d = createDecipheriv('aes-256-gcm', key.key, p.nonce);
  d.setAAD(
    Buffer.concat([
      Buffer.from('yunbox-sts-token-v1'),
      Buffer.from([p.version]),
      Buffer.from(p.keyId, 'utf8'),
    ]),
  );
  d.setAuthTag(p.tag);
  return Buffer.concat([d.update(p.ciphertext), d.final()]).toString('utf8');
}

/**
 * A collector of sealed tokens that fails as soon as one (key, nonce) pair seals two different
 * plaintexts. `add` answers the number of distinct pairs seen so far.
 */
export function nonceLedger(): {
  add(token: string, key: StsKey): number;
  readonly size: number;
} {
  const seen = new Map<string, string>();
  return {
    add(token, key) {
      const { nonce } = tokenParts(token);
      const plaintext = tokenPlaintext(token, key);
      const id = `${key.key.toString('hex')}:${nonce.toString('hex')}`;
      const before = seen.get(id);
      if (before !== undefined && before !== plaintext) {
        throw new Error(`nonce reuse: ${id} sealed both ${before} and ${plaintext}`);
      }
      seen.set(id, plaintext);
      return seen.size;
    },
    get size() {
      return seen.size;
    },
  };
}
