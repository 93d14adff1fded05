import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openToken } from '../../auth/sts-token.js';
import { nonceLedger, tokenParts, tokenPlaintext } from '../../testing/sealed-token.js';
import { StsIssuer, type StsKeyStore } from '../sts/index.js';
import {
  CREDENTIAL_LIFETIME_MS,
  ROTATION_WINDOW_MS,
  credentialWindow,
  expiredCredentialWindow,
  instanceCredential,
  type CredentialMinter,
  type CredentialRole,
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

describe('instance credential sealing', () => {
  const W = ROTATION_WINDOW_MS;
  const key = { id: 'k1', key: Buffer.alloc(32, 9) };
  /** A real issuer over one fixed sealing key, as every node of a deployment shares it. */
  function realMinter(): CredentialMinter {
    const keys = { current: async () => key } as unknown as StsKeyStore;
    return { keys, issuer: new StsIssuer(keys) };
  }
  type Attached = { instanceId: string; roleGeneration: number; attachedAt: number };
  type Case = Attached & { role: CredentialRole; policy?: string; now: number; expired: boolean };
  const mint = (sts: CredentialMinter, c: Case) =>
    instanceCredential(
      sts,
      {
        instanceId: c.instanceId,
        roleGeneration: c.roleGeneration,
        role: {
          roleName: c.role.roleName,
          attachedAt: c.attachedAt,
          ...(c.policy !== undefined ? { policy: c.policy } : {}),
        },
      },
      c.role,
      c.now,
      c.expired,
    );

  const roles: CredentialRole[] = [
    { accountId: '1000000000000001', roleId: '300000000000000001', roleName: 'app' },
    // The same name re-created (a new id), and another account's role of the same name.
    { accountId: '1000000000000001', roleId: '300000000000000002', roleName: 'app' },
    { accountId: '1000000000000002', roleId: '300000000000000001', roleName: 'app' },
    { accountId: '1000000000000001', roleId: '300000000000000003', roleName: 'other' },
  ];
  // The epoch, just around it, a role attached a second in, negative clocks, high windows, the
  // fault's own times (issuedAt 0 at 6 h 1 min; issuedAt -21658000 at 2 s, whose former index
  // was window 21658000's), and the ends of the Date range.
  const FAULT_AT_ZERO = CREDENTIAL_LIFETIME_MS + 60_000;
  const attachTimes = [0, 1000, -W, 1_893_456_000_000];
  const clockPositions = (attachedAt: number) => [
    0,
    -0,
    1,
    -1,
    1000,
    2000,
    -5 * W,
    W - 1,
    W,
    FAULT_AT_ZERO,
    FAULT_AT_ZERO + 1000,
    attachedAt,
    attachedAt + 3 * W + 17,
    attachedAt + 21_658_000 * W,
    attachedAt + 21_657_000 * W,
    1_893_456_000_000 + 123_456,
    8.64e15,
    -8.64e15,
  ];
  function* cases(): Generator<Case> {
    for (const instanceId of ['i-a', 'i-b'])
      for (const roleGeneration of [1, 2])
        for (const attachedAt of attachTimes)
          for (const role of roles)
            for (const policy of [undefined, '{"Version":"1","Statement":[]}'])
              for (const now of clockPositions(attachedAt))
                for (const expired of [false, true])
                  yield { instanceId, roleGeneration, attachedAt, role, policy, now, expired };
  }

  it('never seals two different plaintexts under one (key, nonce), nor gives them one AccessKeyId', async () => {
    const sts = realMinter();
    const ledger = nonceLedger();
    const ids = new Map<string, string>();
    const plaintexts = new Set<string>();
    let sealed = 0;
    for (const c of cases()) {
      const cred = await mint(sts, c);
      sealed++;
      ledger.add(cred.securityToken, key);
      const plaintext = tokenPlaintext(cred.securityToken, key);
      plaintexts.add(plaintext);
      const before = ids.get(cred.accessKeyId);
      if (before !== undefined) expect(plaintext, cred.accessKeyId).toBe(before);
      ids.set(cred.accessKeyId, plaintext);
      // Every one opens through the ordinary token path, with its own AccessKeyId inside.
      const o = openToken(cred.securityToken, () => key);
      expect(o.ok && o.claims.accessKeyId).toBe(cred.accessKeyId);
    }
    expect(sealed).toBe(2 * 2 * 4 * 4 * 2 * 18 * 2);
    // Many cases are the same credential (a clock before the attachment is window 0, a window
    // read twice); the rest are distinct, each with its own nonce and its own AccessKeyId.
    expect(plaintexts.size).toBeGreaterThan(1500);
    expect(ledger.size).toBe(plaintexts.size);
    expect(ids.size).toBe(plaintexts.size);
  });

  it('the same enumeration finds reuse under the former nonce derivation', () => {
    // Former scheme: nonce = HMAC(key, instance, generation, String(index), role) with
    // index = -issuedAt for the fault. Kept here only to show the check above can fail.
    const seen = new Map<string, string>();
    let reused = 0;
    for (const c of cases()) {
      const w = c.expired
        ? { index: -expiredCredentialWindow(c.now).issuedAt, ...expiredCredentialWindow(c.now) }
        : credentialWindow(c.attachedAt, c.now);
      const nonce = createHmac('sha256', key.key)
        .update(
          [
            'yunbox-ecs-instance-credential',
            'iv',
            c.instanceId,
            String(c.roleGeneration),
            String(w.index),
            c.role.roleId,
            c.role.roleName,
          ].join('\0'),
        )
        .digest('hex')
        .slice(0, 24);
      const plaintext = JSON.stringify([c.role.accountId, w.issuedAt, w.expiresAt, c.policy]);
      const before = seen.get(nonce);
      if (before !== undefined && before !== plaintext) reused++;
      seen.set(nonce, plaintext);
    }
    expect(reused).toBeGreaterThan(0);
  });

  it("gives the expired-credential fault its own credential, never a window's (the epoch case)", async () => {
    const sts = realMinter();
    const c: Case = {
      instanceId: 'i-epoch',
      roleGeneration: 1,
      attachedAt: 1000,
      role: roles[0]!,
      now: 5000,
      expired: false,
    };
    const window0 = await mint(sts, c);
    const fault = await mint(sts, { ...c, now: FAULT_AT_ZERO, expired: true });
    expect(expiredCredentialWindow(FAULT_AT_ZERO).issuedAt).toBe(0);
    expect(fault.issuedAt).toBe(0);
    expect(window0.issuedAt).toBe(1000);
    expect(fault.accessKeyId).not.toBe(window0.accessKeyId);
    expect(tokenParts(fault.securityToken).nonce).not.toEqual(
      tokenParts(window0.securityToken).nonce,
    );
  });

  it('distinct claims get distinct nonces and AccessKeyIds; equal ones the same token (fast-check)', async () => {
    const sts = realMinter();
    const caseArb: fc.Arbitrary<Case> = fc.record({
      instanceId: fc.constantFrom('i-a', 'i-b'),
      roleGeneration: fc.integer({ min: 0, max: 3 }),
      attachedAt: fc.oneof(fc.integer({ min: -3 * W, max: 3 * W }), fc.constantFrom(0, 1000)),
      role: fc.constantFrom(...roles),
      policy: fc.constantFrom(undefined, '{}'),
      now: fc.oneof(
        fc.integer({ min: -30 * W, max: 30 * W }),
        fc.constantFrom(0, FAULT_AT_ZERO, 8.64e15, -8.64e15),
      ),
      expired: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(caseArb, caseArb, async (a, b) => {
        const [ca, cb] = [await mint(sts, a), await mint(sts, b)];
        const [pa, pb] = [ca, cb].map((x) => tokenPlaintext(x.securityToken, key));
        if (pa === pb) return ca.securityToken === cb.securityToken;
        return (
          ca.accessKeyId !== cb.accessKeyId &&
          !tokenParts(ca.securityToken).nonce.equals(tokenParts(cb.securityToken).nonce)
        );
      }),
      { numRuns: 1000 },
    );
  });
});
