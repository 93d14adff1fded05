import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  deriveStsSecret,
  newStsAccessKeyId,
  openToken,
  sealCredentials,
  type StsClaims,
} from './sts-token.js';
import { tokenParts, tokenPlaintext } from '../testing/sealed-token.js';

const nonceOf = (token: string) => tokenParts(token).nonce;
const plaintextOf = (token: string) => tokenPlaintext(token, key);

const LEGACY_TOKEN =
  'CAISAQJrMafNyp++kPIwpx682NJpf3WkAKfBUAiVHV3uBb+pWeXpp60lcpGeZS7qYz4RWlWahFXnXF3qvbaIj/g/6gLJ' +
  'mjcJPPKF0eKwtT+G6lP/hqq/2u/P0C6azN+PA3avQemSDJfxJzC6mvm2PKltyHHYx/Z6o6/9kYjGrso9oaL2BqlJZqAg' +
  '6uwiQBDwGumAlk25Z9bCUTP2jmokGwEbeKIzN4RxAnPfuK4bpqai4Pkw8fQ3SS9uQtSmfRm4e2ns2OFO4iEVuVvFfplZ' +
  'r2OT0Q78Gy4Z5Hni9z8LldLt53+PrfQhilX5MFhA';

const key = { id: 'k1', key: randomBytes(32) };
const other = { id: 'k1', key: randomBytes(32) };
const claims: StsClaims = {
  accessKeyId: newStsAccessKeyId(),
  accountId: '1234567890123456',
  roleId: '300000000000000001',
  roleName: 'EcsRamRoleTest',
  sessionName: 'alice',
  issuedAt: 1_700_000_000_000,
  expiresAt: 1_700_003_600_000,
  policy: '{"Version":"1","Statement":[]}',
};

describe('sts token', () => {
  it('round-trips claims and derives the same secret', () => {
    const c = sealCredentials(claims, key);
    expect(c.accessKeyId.startsWith('STS.')).toBe(true);
    expect(c.securityToken.startsWith('CAIS')).toBe(true);
    const o = openToken(c.securityToken, (id) => (id === key.id ? key : undefined));
    expect(o.ok && o.claims).toEqual(claims);
  });

  it('refuses a token sealed under another key with the same id', () => {
    const c = sealCredentials(claims, other);
    expect(openToken(c.securityToken, () => key)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses an unknown key id', () => {
    const c = sealCredentials(claims, key);
    expect(openToken(c.securityToken, () => undefined)).toEqual({
      ok: false,
      reason: 'unknown-key',
    });
  });

  it('opens only the spelling it sealed', () => {
    const keys = () => key;
    // Token lengths vary with the claims; find one whose base64 ends in a partial group, so
    // that its last character carries unused bits and padding follows.
    let token = '';
    for (let n = 0; n < 3 && !token.endsWith('='); n++) {
      token = sealCredentials({ ...claims, sessionName: 'a'.repeat(5 + n) }, key).securityToken;
    }
    expect(token).toMatch(/=$/);
    expect(openToken(token, keys).ok).toBe(true);
    const body = token.replace(/=+$/, '');
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const pad = token.slice(body.length);
    const spellings = [body, ...[...alphabet].map((c) => body.slice(0, -1) + c + pad)];
    for (const t of spellings.filter((t) => t !== token)) {
      expect(openToken(t, keys), t.slice(-4)).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('seals with a random nonce unless asked for a synthetic one', () => {
    const a = sealCredentials(claims, key);
    const b = sealCredentials(claims, key);
    expect(nonceOf(a.securityToken)).not.toEqual(nonceOf(b.securityToken));
    expect(a.accessKeySecret).toBe(b.accessKeySecret);
    const s = sealCredentials(claims, key, 'synthetic');
    expect(sealCredentials(claims, key, 'synthetic')).toEqual(s);
    const o = openToken(s.securityToken, () => key);
    expect(o.ok && o.claims).toEqual(claims);
    // Another key, even under the same id, gives another nonce.
    expect(nonceOf(sealCredentials(claims, other, 'synthetic').securityToken)).not.toEqual(
      nonceOf(s.securityToken),
    );
  });

  it('gives different claims different synthetic nonces (fast-check)', () => {
    const claimsArb = fc.record(
      {
        accessKeyId: fc.constantFrom('STS.a', 'STS.b'),
        accountId: fc.constantFrom('1', '2'),
        roleId: fc.constantFrom('', '3'),
        roleName: fc.constantFrom('', 'r'),
        sessionName: fc.string({ maxLength: 3 }),
        issuedAt: fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom(-0, 8.64e15)),
        expiresAt: fc.integer({ min: -3, max: 3 }),
        policy: fc.constantFrom('{}', '{"Version":"1"}'),
        source: fc.string({ maxLength: 2 }),
        identity: fc.constantFrom(
          { kind: 'account' as const, longTermKeyId: 'LTAIa' },
          { kind: 'account' as const, longTermKeyId: 'LTAIb' },
          { kind: 'user' as const, userId: 'u', userName: 'n', longTermKeyId: 'LTAIa' },
        ),
      },
      {
        requiredKeys: [
          'accessKeyId',
          'accountId',
          'roleId',
          'roleName',
          'sessionName',
          'issuedAt',
          'expiresAt',
        ],
      },
    ) as fc.Arbitrary<StsClaims>;
    fc.assert(
      fc.property(claimsArb, claimsArb, (a, b) => {
        const ta = sealCredentials(a, key, 'synthetic');
        const tb = sealCredentials(b, key, 'synthetic');
        const pa = plaintextOf(ta.securityToken);
        const pb = plaintextOf(tb.securityToken);
        if (pa === pb) return ta.securityToken === tb.securityToken;
        return !nonceOf(ta.securityToken).equals(nonceOf(tb.securityToken));
      }),
      { numRuns: 2000 },
    );
  });

  it('opens a token sealed before synthetic nonces existed (its nonce travels with it)', () => {
    // An instance credential for 2030-01-01T00:00Z-06:00Z sealed by the former derivation (the
    // nonce an HMAC of instance, attach generation, window and role only), under this key.
    const legacyKey = { id: 'k1', key: Buffer.alloc(32, 7) };
    const o = openToken(LEGACY_TOKEN, () => legacyKey);
    expect(o.ok && o.claims).toEqual({
      accessKeyId: 'STS.xIhZ8OEyrYJLZY67U4YsefH46',
      accountId: '1234567890123456',
      roleId: '300000000000000001',
      roleName: 'EcsRamRoleTest',
      sessionName: 'i-legacy0000000000001',
      issuedAt: Date.parse('2030-01-01T00:00:00Z'),
      expiresAt: Date.parse('2030-01-01T06:00:00Z'),
      source: 'ecs:i-legacy0000000000001',
    });
    expect(deriveStsSecret(legacyKey, 'STS.xIhZ8OEyrYJLZY67U4YsefH46')).toBe(
      'HaWJwXH7dQ7D8ktUvelHF79ediwz2rTM8ChFJpIg',
    );
  });

  it('detects every single-byte alteration and never throws on garbage', () => {
    const c = sealCredentials(claims, key);
    const raw = Buffer.from(c.securityToken.slice(4), 'base64');
    fc.assert(
      fc.property(fc.nat(raw.length - 1), fc.integer({ min: 1, max: 255 }), (i, x) => {
        const t = Buffer.from(raw);
        t[i] = t[i]! ^ x;
        const o = openToken('CAIS' + t.toString('base64'), () => key);
        return !o.ok;
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.string(), (s) => {
        openToken(s, () => key);
        openToken('CAIS' + s, () => key);
        return true;
      }),
    );
  });
});

describe('sts token identity (console sessions)', () => {
  const base = { ...claims, roleId: '', roleName: '', policy: undefined };
  delete (base as Partial<StsClaims>).policy;

  it('round-trips a user identity and an account identity', () => {
    for (const identity of [
      {
        kind: 'user' as const,
        userId: '200000000000000001',
        userName: 'alice',
        longTermKeyId: 'LTAIalice0000001',
      },
      { kind: 'account' as const, longTermKeyId: 'LTAIroot00000001' },
    ]) {
      const c = sealCredentials({ ...base, identity }, key);
      const o = openToken(c.securityToken, () => key);
      expect(o.ok && o.claims.identity).toEqual(identity);
    }
  });

  it('leaves role-session tokens without an identity', () => {
    const o = openToken(sealCredentials(claims, key).securityToken, () => key);
    expect(o.ok && 'identity' in o.claims).toBe(false);
  });

  it('refuses a token whose identity field is not understood', () => {
    const c = sealCredentials(
      {
        ...base,
        identity: { kind: 'user', userId: '', userName: 'alice', longTermKeyId: 'LTAIa' },
      },
      key,
    );
    expect(openToken(c.securityToken, () => key)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses a session that does not name the key it was signed in with', () => {
    for (const identity of [
      { kind: 'account', longTermKeyId: '' },
      { kind: 'account' },
      { kind: 'user', userId: '2001', userName: 'alice' },
    ]) {
      const c = sealCredentials({ ...base, identity: identity as any }, key);
      expect(openToken(c.securityToken, () => key)).toEqual({ ok: false, reason: 'malformed' });
    }
  });
});
