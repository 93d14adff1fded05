/**
 * @module Identifiers: request ids, entity ids, access keys and secrets, all from the CSPRNG.
 */
import { randomBytes, randomUUID } from 'node:crypto';

/** A request id as Alibaba prints them: an upper-case UUID. */
export function requestId(): string {
  return randomUUID().toUpperCase();
}

/** A numeric id of `digits` digits that does not start with 0 (RoleId, UserId, account id). */
export function numericId(digits = 16): string {
  const bytes = randomBytes(digits);
  let out = String(1 + (bytes[0]! % 9));
  for (let i = 1; i < digits; i++) out += String(bytes[i]! % 10);
  return out;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A random string over [A-Za-z0-9] (rejection sampling, no modulo bias). */
export function randomAlnum(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
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
  for (const b of randomBytes(length * 2)) {
    if (b < 252) out += alphabet[b % 36];
    if (out.length === length) break;
  }
  return prefix + out;
}
