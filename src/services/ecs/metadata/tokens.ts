/**
 * @module Security-hardening-mode tokens (`PUT /latest/api/token`): stateless, so any node can
 * verify what another issued. A token binds the instance id and its expiry (plus a random nonce)
 * and carries an HMAC under a key derived from the STS sealing key in the store; nothing is
 * stored per token.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { StsKey } from '../../../auth/sts-token.js';

const VERSION = 1;
const MAC_BYTES = 16;

/** Largest TTL a token may ask for (seconds; doc "View instance metadata"). */
export const MAX_TOKEN_TTL_SECONDS = 21_600;

function tokenKey(key: StsKey): Buffer {
  return createHmac('sha256', key.key).update('yunbox-ecs-metadata-token-v1').digest();
}

/** Issues a token for `instanceId` valid until `expiresAt` (ms, whole seconds kept). */
export function issueMetadataToken(key: StsKey, instanceId: string, expiresAt: number): string {
  const keyId = Buffer.from(key.id, 'utf8');
  const exp = Buffer.alloc(8);
  exp.writeBigUInt64BE(BigInt(Math.floor(expiresAt / 1000)));
  const payload = Buffer.concat([
    Buffer.from([VERSION, keyId.length]),
    keyId,
    exp,
    randomBytes(8),
    Buffer.from(instanceId, 'utf8'),
  ]);
  const mac = createHmac('sha256', tokenKey(key)).update(payload).digest().subarray(0, MAC_BYTES);
  return Buffer.concat([payload, mac]).toString('base64url');
}

/** Why a token was refused. */
export type TokenFailure = 'malformed' | 'unknown-key' | 'forged' | 'other-instance' | 'expired';

/**
 * Verifies a token for the instance the request came from, at `now` (ms). `keys` finds a
 * sealing key by id.
 */
export async function verifyMetadataToken(
  token: string,
  instanceId: string,
  now: number,
  keys: (id: string) => Promise<StsKey | undefined>,
): Promise<{ ok: true } | { ok: false; reason: TokenFailure }> {
  if (token.length > 1024 || !/^[A-Za-z0-9_-]+$/.test(token)) {
    return { ok: false, reason: 'malformed' };
  }
  const raw = Buffer.from(token, 'base64url');
  // INVARIANT: one token, one spelling. The decoder ignores the unused low bits of a final
  // partial character (and a stray last character), so other strings would decode to these bytes.
  if (raw.toString('base64url') !== token) return { ok: false, reason: 'malformed' };
  if (raw.length < 2 + 8 + 8 + MAC_BYTES || raw[0] !== VERSION) {
    return { ok: false, reason: 'malformed' };
  }
  const idLen = raw[1]!;
  const macAt = raw.length - MAC_BYTES;
  if (2 + idLen + 16 > macAt) return { ok: false, reason: 'malformed' };
  const key = await keys(raw.subarray(2, 2 + idLen).toString('utf8'));
  if (!key) return { ok: false, reason: 'unknown-key' };
  const payload = raw.subarray(0, macAt);
  const want = createHmac('sha256', tokenKey(key)).update(payload).digest().subarray(0, MAC_BYTES);
  if (!timingSafeEqual(want, raw.subarray(macAt))) return { ok: false, reason: 'forged' };
  const exp = Number(payload.readBigUInt64BE(2 + idLen)) * 1000;
  const boundTo = payload.subarray(2 + idLen + 16).toString('utf8');
  if (boundTo !== instanceId) return { ok: false, reason: 'other-instance' };
  if (now >= exp) return { ok: false, reason: 'expired' };
  return { ok: true };
}
