/**
 * Instance attribute model: ECS's password rule (length, characters, three of four kinds), the
 * scrypt hash kept instead of the password (verifies, salted, constant-time compare), user data
 * at exactly 32 KB accepted and one byte more refused, system disk ids, and the maintenance
 * column read defensively.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ServiceError } from '../../../kernel/errors.js';
import { maintenanceFromColumn } from './columns.js';
import {
  DEFAULT_MAINTENANCE,
  MAX_CONCURRENT_HASHES,
  USER_DATA_MAX_BASE64,
  USER_DATA_MAX_BYTES,
  checkPassword,
  checkUserData,
  defaultSystemDiskSize,
  hashPassword,
  instanceIdOfDisk,
  systemDiskIdOf,
  verifyPassword,
} from './model.js';

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    if (e instanceof ServiceError) return e.code;
    throw e;
  }
  return 'ok';
};

describe('passwords', () => {
  it('accepts 8-30 characters of three kinds, from the documented set', () => {
    for (const ok of [
      'Test123456&$',
      'abcDEF12',
      'abc123!@',
      'ABC123()',
      "a1'<>,.?/~`",
      'x'.repeat(27) + 'A1!',
    ]) {
      expect(
        code(() => checkPassword(ok)),
        ok,
      ).toBe('ok');
    }
  });

  it('refuses the rest with InvalidPassword.Malformed and a reason', () => {
    const cases: Array<[string, RegExp]> = [
      ['Ab1!', /8 to 30/],
      ['Ab1!'.repeat(8), /8 to 30/],
      ['abcdefgh', /three of/],
      ['abcd1234', /three of/],
      ['Abcd 1234', /only letters/],
      ['Abcd1234é', /only letters/],
      ['Abcd\n1234', /only letters/],
    ];
    for (const [bad, why] of cases) {
      try {
        checkPassword(bad);
        throw new Error(`accepted ${bad}`);
      } catch (e) {
        expect((e as ServiceError).code, bad).toBe('InvalidPassword.Malformed');
        expect((e as ServiceError).message, bad).toMatch(why);
        expect((e as ServiceError).message).not.toContain(bad);
      }
    }
  });

  it('keeps a salted scrypt hash that verifies only the same password', async () => {
    const a = await hashPassword('Test123456&$');
    const b = await hashPassword('Test123456&$');
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('Test123456');
    expect(await verifyPassword('Test123456&$', a)).toBe(true);
    expect(await verifyPassword('Test123456&%', a)).toBe(false);
    expect(await verifyPassword('Test123456&$', 'plain')).toBe(false);
    expect(await verifyPassword('Test123456&$', a.replace('16384', '1024'))).toBe(false);
  });
});

describe('hashing many passwords at once', () => {
  it('queues beyond the bound and finishes every one', async () => {
    const passwords = Array.from({ length: 3 * MAX_CONCURRENT_HASHES }, (_, n) => `Queued-Pw${n}!`);
    const hashes = await Promise.all(passwords.map((p) => hashPassword(p)));
    const checks = await Promise.all(passwords.map((p, n) => verifyPassword(p, hashes[n]!)));
    expect(checks.every(Boolean)).toBe(true);
    expect(new Set(hashes).size).toBe(passwords.length);
  });
});

describe('user data', () => {
  it('takes 32 KB before Base64 and refuses one byte more', () => {
    const at = Buffer.alloc(USER_DATA_MAX_BYTES, 0xff).toString('base64');
    expect(at.length).toBe(USER_DATA_MAX_BASE64);
    expect(checkUserData(at).length).toBe(USER_DATA_MAX_BYTES);
    expect(
      code(() => checkUserData(Buffer.alloc(USER_DATA_MAX_BYTES + 1).toString('base64'))),
    ).toBe('InvalidUserData.SizeExceeded');
    expect(code(() => checkUserData('not base64!'))).toBe('InvalidUserData.Base64FormatInvalid');
    expect(code(() => checkUserData('abc'))).toBe('InvalidUserData.Base64FormatInvalid');
    expect(checkUserData('').length).toBe(0);
  });

  it('round-trips any bytes up to the limit', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
        const text = Buffer.from(bytes).toString('base64');
        expect(Buffer.compare(checkUserData(text), Buffer.from(bytes))).toBe(0);
      }),
    );
  });
});

describe('system disks and maintenance', () => {
  it('derives the system disk id from the instance id and back', () => {
    expect(systemDiskIdOf('i-bp67acfmxazb4ph0001')).toBe('d-bp67acfmxazb4ph0001');
    expect(instanceIdOfDisk('d-bp67acfmxazb4ph0001')).toBe('i-bp67acfmxazb4ph0001');
    expect(instanceIdOfDisk('d-')).toBeUndefined();
    expect(instanceIdOfDisk('eni-x')).toBeUndefined();
    expect(defaultSystemDiskSize(20)).toBe(40);
    expect(defaultSystemDiskSize(100)).toBe(100);
  });

  it('reads the maintenance column defensively', () => {
    expect(maintenanceFromColumn(null)).toEqual(DEFAULT_MAINTENANCE);
    expect(maintenanceFromColumn('not json')).toEqual(DEFAULT_MAINTENANCE);
    expect(
      maintenanceFromColumn(
        JSON.stringify({
          windows: [{ startTime: '02:00:00Z', endTime: '04:00:00Z' }, { startTime: 1 }],
          action: 'Stop',
          notify: true,
        }),
      ),
    ).toEqual({
      windows: [{ startTime: '02:00:00Z', endTime: '04:00:00Z' }],
      action: 'Stop',
      notify: true,
    });
    expect(maintenanceFromColumn(JSON.stringify({ action: 'Explode' })).action).toBe('AutoRecover');
  });
});
