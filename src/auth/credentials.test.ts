/**
 * @module Credential resolution of STS tokens: role sessions, and the user and account sessions
 * the console's sign-in issues, which resolve to the same principal kind as the long-term key and
 * last only while that key is Active and its owner exists.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCredentialResolver, type CredentialSources } from './credentials.js';
import { newStsAccessKeyId, sealCredentials, type StsClaims } from './sts-token.js';

const key = { id: 'k1', key: randomBytes(32) };
type LongTerm = NonNullable<Awaited<ReturnType<CredentialSources['longTermKey']>>>;
/** The long-term keys sessions are signed in with; tests change them. */
const longTerm = new Map<string, LongTerm>([
  [
    'LTAIalice',
    {
      secret: 's',
      active: true,
      principal: {
        kind: 'user',
        accountId: '1234567890123456',
        userId: '2001',
        userName: 'alice',
        accessKeyId: 'LTAIalice',
      },
    },
  ],
  [
    'LTAIroot',
    {
      secret: 's',
      active: true,
      principal: { kind: 'account', accountId: '1234567890123456', accessKeyId: 'LTAIroot' },
    },
  ],
]);
const resolver = createCredentialResolver({
  longTermKey: async (id) => longTerm.get(id),
  stsKey: async (id) => (id === key.id ? key : undefined),
});
const now = 1_700_000_000_000;
/** Both clocks at `t` (the system clock). */
const at = (t: number) => ({ now: t, real: t });
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
    const r = await resolver.resolve(t.accessKeyId, t.securityToken, at(now));
    expect(r.ok && r.principal).toMatchObject({
      kind: 'role-session',
      roleName: 'EcsRamRoleTest',
      sessionName: 'i-1',
    });
    expect(r.ok && r.secret).toBe(t.accessKeySecret);
  });

  it('resolves a user session to the user', async () => {
    const t = sealCredentials(
      claims({
        identity: { kind: 'user', userId: '2001', userName: 'alice', longTermKeyId: 'LTAIalice' },
      }),
      key,
    );
    const r = await resolver.resolve(t.accessKeyId, t.securityToken, at(now + 1000));
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
    const t = sealCredentials(
      claims({ identity: { kind: 'account', longTermKeyId: 'LTAIroot' } }),
      key,
    );
    const r = await resolver.resolve(t.accessKeyId, t.securityToken, at(now));
    expect(r.ok && r.principal).toEqual({
      kind: 'account',
      accountId: '1234567890123456',
      accessKeyId: t.accessKeyId,
    });
  });

  it('refuses an expired user session and a token of another key id', async () => {
    const t = sealCredentials(
      claims({ identity: { kind: 'account', longTermKeyId: 'LTAIroot' } }),
      key,
    );
    expect(await resolver.resolve(t.accessKeyId, t.securityToken, at(now + 3600_000))).toEqual({
      ok: false,
      reason: 'token-expired',
    });
    expect(await resolver.resolve(newStsAccessKeyId(), t.securityToken, at(now))).toEqual({
      ok: false,
      reason: 'token-mismatch',
    });
  });

  it('judges role sessions on yunbox’s clock and console sessions on the real one', async () => {
    const role = sealCredentials(claims({ roleId: '3001', roleName: 'R', sessionName: 's' }), key);
    const user = sealCredentials(
      claims({
        identity: { kind: 'user', userId: '2001', userName: 'alice', longTermKeyId: 'LTAIalice' },
      }),
      key,
    );
    const resolve = (t: typeof role, now: number, real: number) =>
      resolver.resolve(t.accessKeyId, t.securityToken, { now, real });
    // A manual clock moved 6 h on: the role session is over, the console session is not.
    const moved = now + 6 * 3600_000;
    expect(await resolve(role, moved, now + 1000)).toEqual({ ok: false, reason: 'token-expired' });
    expect((await resolve(user, moved, now + 1000)).ok).toBe(true);
    // An hour of real time ends the console session, whatever yunbox's clock says.
    expect(await resolve(user, now, now + 3600_000)).toEqual({
      ok: false,
      reason: 'token-expired',
    });
    expect((await resolve(role, now, now + 3600_000 - 1)).ok).toBe(true);
  });

  it('ends a session once its long-term key is disabled or deleted, or names another owner', async () => {
    const sources = new Map(longTerm);
    const r = createCredentialResolver({
      longTermKey: async (id) => sources.get(id),
      stsKey: async (id) => (id === key.id ? key : undefined),
    });
    const alice = sealCredentials(
      claims({
        identity: { kind: 'user', userId: '2001', userName: 'alice', longTermKeyId: 'LTAIalice' },
      }),
      key,
    );
    const root = sealCredentials(
      claims({ identity: { kind: 'account', longTermKeyId: 'LTAIroot' } }),
      key,
    );
    expect((await r.resolve(alice.accessKeyId, alice.securityToken, at(now))).ok).toBe(true);
    // Renamed since: the session is the key's owner as it is now.
    const renamed = structuredClone(sources.get('LTAIalice')!);
    (renamed.principal as { userName: string }).userName = 'alice2';
    sources.set('LTAIalice', renamed);
    const after = await r.resolve(alice.accessKeyId, alice.securityToken, at(now));
    expect(after.ok && after.principal).toMatchObject({ kind: 'user', userName: 'alice2' });
    sources.set('LTAIalice', { ...renamed, active: false });
    expect(await r.resolve(alice.accessKeyId, alice.securityToken, at(now))).toEqual({
      ok: false,
      reason: 'key-inactive',
    });
    sources.delete('LTAIalice');
    expect(await r.resolve(alice.accessKeyId, alice.securityToken, at(now))).toEqual({
      ok: false,
      reason: 'key-not-found',
    });
    // A key id now owned by someone else (another user, another account) is not the session's.
    sources.set('LTAIalice', {
      ...renamed,
      principal: { ...(renamed.principal as any), userId: '2002' },
    });
    expect((await r.resolve(alice.accessKeyId, alice.securityToken, at(now))).ok).toBe(false);
    sources.set('LTAIroot', {
      secret: 's',
      active: true,
      principal: { kind: 'account', accountId: '9999999999999999', accessKeyId: 'LTAIroot' },
    });
    expect((await r.resolve(root.accessKeyId, root.securityToken, at(now))).ok).toBe(false);
    sources.set('LTAIroot', sources.get('LTAIalice')!);
    expect((await r.resolve(root.accessKeyId, root.securityToken, at(now))).ok).toBe(false);
  });

  it('keeps opened tokens, yet checks expiry, the key id and the sealing key on every request', async () => {
    let current: typeof key | undefined = key;
    const r = createCredentialResolver({
      longTermKey: async () => undefined,
      stsKey: async (id) => (id === key.id ? current : undefined),
    });
    const t = sealCredentials(claims({ roleId: '3001', roleName: 'R', sessionName: 's' }), key);
    for (let i = 0; i < 3; i++) {
      const ok = await r.resolve(t.accessKeyId, t.securityToken, at(now));
      expect(ok.ok && ok.secret).toBe(t.accessKeySecret);
    }
    expect(await r.resolve(t.accessKeyId, t.securityToken, at(now + 3600_000))).toEqual({
      ok: false,
      reason: 'token-expired',
    });
    expect(await r.resolve(newStsAccessKeyId(), t.securityToken, at(now))).toEqual({
      ok: false,
      reason: 'token-mismatch',
    });
    // Another key under the same id (a store restored elsewhere) does not open the cached token.
    current = { id: key.id, key: randomBytes(32) };
    expect(await r.resolve(t.accessKeyId, t.securityToken, at(now))).toEqual({
      ok: false,
      reason: 'token-malformed',
    });
    current = undefined; // the key retired: its tokens stop at once
    expect(await r.resolve(t.accessKeyId, t.securityToken, at(now))).toEqual({
      ok: false,
      reason: 'token-malformed',
    });
  });

  it('stays bounded when many tokens are presented', async () => {
    const tokens = Array.from({ length: 2100 }, () => sealCredentials(claims(), key));
    for (const t of tokens)
      expect((await resolver.resolve(t.accessKeyId, t.securityToken, at(now))).ok).toBe(true);
    const first = tokens[0]!;
    expect((await resolver.resolve(first.accessKeyId, first.securityToken, at(now))).ok).toBe(true);
  });
});
