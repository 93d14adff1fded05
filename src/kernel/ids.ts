/**
 * @module Identifiers: request ids, entity ids, access keys and secrets, all from the CSPRNG.
 */
import { randomBytes, randomFillSync, randomUUID } from 'node:crypto';

// Random bytes drawn from a pooled buffer refilled 16 KiB at a time: one CSPRNG call per
// hundreds of ids instead of one per id (it showed in the profile of AssumeRole).
const POOL_SIZE = 16 * 1024;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let poolOffset = POOL_SIZE;

/** `n` bytes from the CSPRNG (via a pool; never reused). */
export function poolRandomBytes(n: number): Buffer {
  if (n > POOL_SIZE / 4) return randomBytes(n);
  if (poolOffset + n > POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const out = Buffer.from(pool.subarray(poolOffset, poolOffset + n));
  // Bytes handed out are wiped from the pool.
  pool.fill(0, poolOffset, poolOffset + n);
  poolOffset += n;
  return out;
}

/** A request id as Alibaba prints them: an upper-case UUID. */
export function requestId(): string {
  return randomUUID().toUpperCase();
}

/**
 * A numeric id of `digits` digits that does not start with 0 (account id), or that starts with
 * `lead` (RoleId, UserId).
 * @example
 * numericId(18, '3') // '3…' (a RoleId)
 */
export function numericId(digits = 16, lead?: string): string {
  const bytes = poolRandomBytes(digits);
  let out = lead ?? String(1 + (bytes[0]! % 9));
  for (let i = out.length; i < digits; i++) out += String(bytes[i]! % 10);
  return out;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A random string over [A-Za-z0-9] (rejection sampling, no modulo bias). */
export function randomAlnum(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const b of poolRandomBytes(length * 2)) {
      if (b < 248) out += ALNUM[b % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

/** A long-term AccessKey id in Alibaba's style (`LTAI` + 20 characters). */
export function accessKeyId(): string {
  return 'LTAI' + randomAlnum(20);
}

/** An AccessKey secret (30 characters, like Alibaba's). */
export function accessKeySecret(): string {
  return randomAlnum(30);
}

/** A lower-case alphanumeric id suffix for resources (`i-`, `vpc-`, `vsw-`). */
export function resourceId(prefix: string, length = 20): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  for (const b of poolRandomBytes(length * 2)) {
    if (b < 252) out += alphabet[b % 36];
    if (out.length === length) break;
  }
  return prefix + out;
}
