import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { newStsAccessKeyId, openToken, sealCredentials, type StsClaims } from './sts-token.js';

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

  it('is deterministic for a given iv', () => {
    const iv = randomBytes(12);
    expect(sealCredentials(claims, key, iv)).toEqual(sealCredentials(claims, key, iv));
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
