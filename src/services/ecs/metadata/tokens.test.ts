import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { issueMetadataToken, verifyMetadataToken } from './tokens.js';

const key = { id: 'k1', key: randomBytes(32) };
const other = { id: 'k2', key: randomBytes(32) };
const keys = async (id: string) => (id === 'k1' ? key : id === 'k2' ? other : undefined);
const T = Date.parse('2030-01-01T00:00:00Z');

describe('hardened-mode tokens', () => {
  it('verify for their instance until they expire', async () => {
    const t = issueMetadataToken(key, 'i-one', T + 60_000);
    expect(t).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(await verifyMetadataToken(t, 'i-one', T, keys)).toEqual({ ok: true });
    expect(await verifyMetadataToken(t, 'i-one', T + 59_999, keys)).toEqual({ ok: true });
    expect(await verifyMetadataToken(t, 'i-one', T + 60_000, keys)).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect(await verifyMetadataToken(t, 'i-two', T, keys)).toEqual({
      ok: false,
      reason: 'other-instance',
    });
  });

  it('are all different, and cannot be altered or forged', async () => {
    const a = issueMetadataToken(key, 'i-one', T + 60_000);
    expect(issueMetadataToken(key, 'i-one', T + 60_000)).not.toBe(a);
    const raw = Buffer.from(a, 'base64url');
    raw[raw.length - 20] = raw[raw.length - 20]! ^ 1;
    expect((await verifyMetadataToken(raw.toString('base64url'), 'i-one', T, keys)).ok).toBe(false);
    // The same payload under another key does not verify.
    const forged = issueMetadataToken({ id: 'k1', key: randomBytes(32) }, 'i-one', T + 60_000);
    expect(await verifyMetadataToken(forged, 'i-one', T, keys)).toEqual({
      ok: false,
      reason: 'forged',
    });
    const unknown = issueMetadataToken({ id: 'k9', key: randomBytes(32) }, 'i-one', T + 60_000);
    expect(await verifyMetadataToken(unknown, 'i-one', T, keys)).toEqual({
      ok: false,
      reason: 'unknown-key',
    });
    // Other spellings of the same bytes: a last character differing only in unused bits, or a
    // stray extra character, both of which the base64url decoder ignores.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (const c of alphabet.replace(a.slice(-1), '')) {
      expect((await verifyMetadataToken(a.slice(0, -1) + c, 'i-one', T, keys)).ok, c).toBe(false);
    }
    const whole = issueMetadataToken(key, 'i-four', T + 60_000);
    expect(whole.length % 4).toBe(0);
    expect((await verifyMetadataToken(whole + 'A', 'i-four', T, keys)).ok).toBe(false);
    for (const bad of ['', 'aaa', 'not a token!', 'A'.repeat(2000)]) {
      expect((await verifyMetadataToken(bad, 'i-one', T, keys)).ok, bad.slice(0, 10)).toBe(false);
    }
  });
});
