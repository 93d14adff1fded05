/**
 * @module Credential resolution of STS tokens: role sessions, and the user and account sessions
 * the console's sign-in issues, which resolve to the same principal kind as the long-term key.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCredentialResolver } from './credentials.js';
import { newStsAccessKeyId, sealCredentials, type StsClaims } from './sts-token.js';

const key = { id: 'k1', key: randomBytes(32) };
const resolver = createCredentialResolver({
  longTermKey: async () => undefined,
  stsKey: async (id) => (id === key.id ? key : undefined),
});
const now = 1_700_000_000_000;
const claims = (extra: Partial<StsClaims> = {}): StsClaims => ({
  accessKeyId: newStsAccessKeyId(),
  accountId: '1234567890123456',
  roleId: '',
  roleName: '',
  sessionName: 'console',
  issuedAt: now,
  expiresAt: now + 3600_000,
  ...extra,
});

describe('credential resolver', () => {
  it('resolves a role session as before', async () => {
    const c = claims({ roleId: '3001', roleName: 'EcsRamRoleTest', sessionName: 'i-1' });
    const t = sealCredentials(c, key);
    const r = await resolver.resolve(t.accessKeyId, t.securityToken, now);
    expect(r.ok && r.principal).toMatchObject({
      kind: 'role-session',
      roleName: 'EcsRamRoleTest',
      sessionName: 'i-1',
    });
    expect(r.ok && r.secret).toBe(t.accessKeySecret);
  });

  it('resolves a user session to the user', async () => {
    const t = sealCredentials(
      claims({ identity: { kind: 'user', userId: '2001', userName: 'alice' } }),
      key,
    );
    const r = await resolver.resolve(t.accessKeyId, t.securityToken, now + 1000);
    expect(r).toEqual({
      ok: true,
      secret: t.accessKeySecret,
      principal: {
        kind: 'user',
        accountId: '1234567890123456',
        userId: '2001',
        userName: 'alice',
        accessKeyId: t.accessKeyId,
      },
    });
  });

  it('resolves an account session to the root account', async () => {
    const t = sealCredentials(claims({ identity: { kind: 'account' } }), key);
    const r = await resolver.resolve(t.accessKeyId, t.securityToken, now);
    expect(r.ok && r.principal).toEqual({
      kind: 'account',
      accountId: '1234567890123456',
      accessKeyId: t.accessKeyId,
    });
  });

  it('refuses an expired user session and a token of another key id', async () => {
    const t = sealCredentials(claims({ identity: { kind: 'account' } }), key);
    expect(await resolver.resolve(t.accessKeyId, t.securityToken, now + 3600_000)).toEqual({
      ok: false,
      reason: 'token-expired',
    });
    expect(await resolver.resolve(newStsAccessKeyId(), t.securityToken, now)).toEqual({
      ok: false,
      reason: 'token-mismatch',
    });
  });

  it('keeps opened tokens, yet checks expiry, the key id and the sealing key on every request', async () => {
    let current: typeof key | undefined = key;
    const r = createCredentialResolver({
      longTermKey: async () => undefined,
      stsKey: async (id) => (id === key.id ? current : undefined),
    });
    const t = sealCredentials(claims({ roleId: '3001', roleName: 'R', sessionName: 's' }), key);
    for (let i = 0; i < 3; i++) {
      const ok = await r.resolve(t.accessKeyId, t.securityToken, now);
      expect(ok.ok && ok.secret).toBe(t.accessKeySecret);
    }
    expect(await r.resolve(t.accessKeyId, t.securityToken, now + 3600_000)).toEqual({
      ok: false,
      reason: 'token-expired',
    });
    expect(await r.resolve(newStsAccessKeyId(), t.securityToken, now)).toEqual({
      ok: false,
      reason: 'token-mismatch',
    });
    // Another key under the same id (a store restored elsewhere) does not open the cached token.
    current = { id: key.id, key: randomBytes(32) };
    expect(await r.resolve(t.accessKeyId, t.securityToken, now)).toEqual({
      ok: false,
      reason: 'token-malformed',
    });
    current = undefined; // the key retired: its tokens stop at once
    expect(await r.resolve(t.accessKeyId, t.securityToken, now)).toEqual({
      ok: false,
      reason: 'token-malformed',
    });
  });

  it('stays bounded when many tokens are presented', async () => {
    const tokens = Array.from({ length: 2100 }, () => sealCredentials(claims(), key));
    for (const t of tokens)
      expect((await resolver.resolve(t.accessKeyId, t.securityToken, now)).ok).toBe(true);
    const first = tokens[0]!;
    expect((await resolver.resolve(first.accessKeyId, first.securityToken, now)).ok).toBe(true);
  });
});
