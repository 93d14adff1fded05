/**
 * Console sessions live on real time, never on yunbox's clock: on a manual-clock server, a
 * session signed in to keeps working (with the Tea STS client signing with the host's time) after
 * the clock moves 6 hours and 30 days, its `Expiration` is an hour of real time after sign-in
 * (the answer's `Date` header, which the page measures its deadline from, is that hour before
 * it), and an hour of real time ends it with `InvalidSecurityToken.Expired`, whatever the clock
 * says. Role sessions stay on yunbox's clock.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { rootOf } from '../../src/testing/fixtures.js';
import { stsClient } from '../../src/testing/sdk.js';
import { startTestServer, type TestServer } from '../../src/testing/server.js';

let yb: TestServer;

beforeAll(async () => {
  yb = await startTestServer({ clock: 'manual' });
});
afterAll(async () => {
  await yb?.close();
});
afterEach(() => {
  vi.useRealTimers();
});

async function signIn() {
  const root = rootOf(yb);
  const res = await fetch(`${yb.endpoint}/_yunbox/console/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ accessKeyId: root.accessKeyId, accessKeySecret: root.accessKeySecret }),
  });
  expect(res.status).toBe(200);
  const s = (await res.json()) as Record<string, string>;
  return {
    date: res.headers.get('date'),
    expiration: s.Expiration!,
    creds: {
      accessKeyId: s.AccessKeyId!,
      accessKeySecret: s.AccessKeySecret!,
      securityToken: s.SecurityToken!,
    },
  };
}

describe('console sessions and the manual clock', () => {
  it('survive moves of the clock: they last an hour of real time', async () => {
    const before = Date.now();
    const s = await signIn();
    const exp = Date.parse(s.expiration);
    expect(exp).toBeGreaterThan(before + 3600_000 - 1000);
    expect(exp).toBeLessThanOrEqual(Date.now() + 3600_000);
    // The page's deadline: the hour measured from the answer's Date (the server's real time).
    expect(Math.abs(exp - Date.parse(s.date!) - 3600_000)).toBeLessThanOrEqual(2000);
    for (const seconds of [6 * 3600, 30 * 24 * 3600]) {
      yb.clock.advance(seconds);
      const who = await stsClient(yb, s.creds).getCallerIdentity();
      expect(who.body!.arn).toBe(`acs:ram::${yb.accountId}:root`);
    }
  });

  it('end after an hour of real time, whatever yunbox’s clock says', async () => {
    const s = await signIn();
    await stsClient(yb, s.creds).getCallerIdentity();
    // An hour of real time passes (this process's Date is the server's real clock, too).
    vi.useFakeTimers({ toFake: ['Date'], now: Date.parse(s.expiration) });
    const e = await stsClient(yb, s.creds)
      .getCallerIdentity()
      .then(
        () => undefined,
        (err: any) => err,
      );
    expect(e?.code).toBe('InvalidSecurityToken.Expired');
  });
});
