import { describe, expect, it } from 'vitest';
import type { StsIssuer, StsKeyStore } from '../sts/index.js';
import {
  CREDENTIAL_LIFETIME_MS,
  ROTATION_WINDOW_MS,
  credentialWindow,
  instanceCredential,
  type CredentialMinter,
} from './credentials.js';

const H = 3600_000;

describe('instance credential windows', () => {
  it('rotate every 5.5 h with 6 h credentials: a 30-minute overlap', () => {
    expect(ROTATION_WINDOW_MS).toBe(5.5 * H);
    expect(CREDENTIAL_LIFETIME_MS).toBe(6 * H);
    const t0 = Date.parse('2030-01-01T00:00:00Z');
    expect(credentialWindow(t0, t0)).toEqual({ index: 0, issuedAt: t0, expiresAt: t0 + 6 * H });
    expect(credentialWindow(t0, t0 + 5.5 * H - 1).index).toBe(0);
    const w1 = credentialWindow(t0, t0 + 5.5 * H);
    expect(w1).toEqual({ index: 1, issuedAt: t0 + 5.5 * H, expiresAt: t0 + 11.5 * H });
    // Credential 0 is still valid for the first 30 minutes of window 1.
    expect(credentialWindow(t0, t0).expiresAt - w1.issuedAt).toBe(30 * 60_000);
    expect(credentialWindow(t0, t0 + 100 * H).index).toBe(18);
  });

  it('always leaves at least 30 minutes on the served credential', () => {
    const t0 = 1_000;
    for (let t = t0; t < t0 + 48 * H; t += 7 * 60_000 + 13) {
      const w = credentialWindow(t0, t);
      expect(w.issuedAt).toBeLessThanOrEqual(t);
      expect(w.expiresAt - t).toBeGreaterThan(30 * 60_000);
    }
  });

  it('never reaches back before the attachment', () => {
    expect(credentialWindow(10_000, 5_000)).toEqual({
      index: 0,
      issuedAt: 10_000,
      expiresAt: 10_000 + 6 * H,
    });
  });
});

describe('instance credentials', () => {
  /** A minter that counts how often it seals. */
  function minter(): CredentialMinter & { sealed: () => number } {
    let n = 0;
    const key = { id: 'k1', key: Buffer.alloc(32, 1) };
    return {
      keys: { current: async () => key } as unknown as StsKeyStore,
      issuer: {
        issue: async (r: { accessKeyId: string; issuedAt: number; expiresAt: number }) => {
          n++;
          return { ...r, accessKeySecret: 's', securityToken: `t${n}` };
        },
      } as unknown as StsIssuer,
      sealed: () => n,
    };
  }
  const instance = {
    instanceId: 'i-memo',
    roleGeneration: 1,
    role: { roleName: 'r', attachedAt: 0 },
  };
  const role = { accountId: '1', roleId: '2', roleName: 'r' };

  it('seals a window once, a new window, attachment or server anew, and a fault every time', async () => {
    const a = minter();
    const first = await instanceCredential(a, instance, role, 1000);
    expect(await instanceCredential(a, instance, role, 2 * H)).toBe(first);
    expect(a.sealed()).toBe(1);
    const next = await instanceCredential(a, instance, role, 6 * H);
    expect(next.accessKeyId).not.toBe(first.accessKeyId);
    await instanceCredential(a, { ...instance, roleGeneration: 2 }, role, 1000);
    expect(a.sealed()).toBe(3);
    await instanceCredential(a, instance, role, 1000, true);
    await instanceCredential(a, instance, role, 1000, true);
    expect(a.sealed()).toBe(5);
    const b = minter(); // another server in the same process: its own key material
    await instanceCredential(b, instance, role, 1000);
    expect(b.sealed()).toBe(1);
  });
});
