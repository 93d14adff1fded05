/**
 * Two clocks, one rule, with the official clients signing with this machine's real time (no fake
 * `Date` here): after `AdvanceClock` of 1 h, 6 h and 30 days on a manual clock, pop-core (RPC
 * signature v1), the Tea clients (ACS3) and ali-oss (V1 and V4 headers, presigned URLs made with
 * the host's time) are accepted; a credential past its expiry on yunbox's clock is refused with
 * its expiry code (`InvalidSecurityToken.Expired`, OSS `SecurityTokenExpired`), never a skew
 * error; presigned URLs and PostObject policies expire on yunbox's clock; a request stamped 20
 * minutes away from both clocks is still refused with the skew error; a nonce cannot be reused
 * in either window.
 * Runs on SQLite and, with `YUNBOX_TEST_STORE=postgres`, PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isoSeconds } from '../../../src/kernel/clock.js';
import { httpDate } from '../../../src/protocol/oss-format.js';
import { rpcCall } from '../../../src/protocol/rpc-client.js';
import { rootOf } from '../../../src/testing/fixtures.js';
import {
  $Ram,
  ossClient,
  popClient,
  ramClient,
  stsClient,
  type TestCredentials,
} from '../../../src/testing/sdk.js';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';
import { errorCode, policy, rawOss, roleSession } from '../oss/helpers.js';

const BUCKET = 'two-clocks';
const H = 3600;
const fullBucket = policy([
  {
    Effect: 'Allow',
    Action: 'oss:*',
    Resource: [`acs:oss:*:*:${BUCKET}`, `acs:oss:*:*:${BUCKET}/*`],
  },
]);

let yb: TestServer;
let root: TestCredentials;
/** A role session of 1 h taken before any move, and a presigned URL of 30 minutes. */
let old: Awaited<ReturnType<typeof roleSession>>;
let shortUrl: string;

beforeAll(async () => {
  yb = await startTestServer({ clock: 'manual' });
  root = rootOf(yb);
  const oss = ossClient(yb, root, { bucket: BUCKET });
  await oss.putBucket(BUCKET);
  await oss.put('a.txt', Buffer.from('hello'));
  old = await roleSession(yb, fullBucket);
  shortUrl = ossClient(yb, root, { bucket: BUCKET, style: 'path' }).signatureUrl('a.txt', {
    expires: 1800,
  });
  // Before any move, both work.
  await stsClient(yb, old).getCallerIdentity();
  expect((await fetch(shortUrl)).status).toBe(200);
});
afterAll(async () => {
  await yb?.close();
});

/** An error thrown by `p` (the test fails if none is). */
async function failure(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

/** Moves the clock through the signed Yunbox API, signed with this machine's time (pop-core). */
async function advance(seconds: number): Promise<string> {
  const r = await popClient(yb, root, '2026-11-01').request<{ Now: string; Mode: string }>(
    'AdvanceClock',
    { AdvanceSeconds: seconds },
    { method: 'POST' },
  );
  expect(r.Mode).toBe('manual');
  expect(Date.parse(r.Now)).toBe(yb.clock.now().getTime());
  return r.Now;
}

/** Everything a client signing with the host's time does, `moved` seconds after the start. */
async function hostTimeClientsWork(moved: number): Promise<void> {
  // RPC: pop-core (v1), Tea (ACS3), for root and a role session taken now.
  expect(
    (await popClient(yb, root, '2015-05-01').request<any>('ListRoles', {})).Roles,
  ).toBeDefined();
  const roles = await ramClient(yb, root).listRoles(new $Ram.ListRolesRequest({}));
  expect(roles.statusCode).toBe(200);
  const fresh = await roleSession(yb, fullBucket);
  const who = await stsClient(yb, fresh).getCallerIdentity();
  expect(who.body!.arn).toContain(`assumed-role/${fresh.roleName}/`);
  const viaPop = await popClient(yb, fresh, '2015-04-01').request<any>('GetCallerIdentity', {});
  expect(viaPop.Arn).toBe(who.body!.arn);

  // OSS: ali-oss, V1 and V4 in the header, root and the fresh session.
  for (const creds of [root, fresh]) {
    for (const v4 of [false, true]) {
      const c = ossClient(yb, creds, { bucket: BUCKET, v4 });
      expect((await c.get('a.txt')).content.toString()).toBe('hello');
      const key = `moved-${moved}-${v4}-${creds.accessKeyId.slice(0, 8)}.txt`;
      expect((await c.put(key, Buffer.from('x'))).res.status).toBe(200);
    }
  }
  // Presigned with the host's time, expiring on yunbox's clock: one that outlasts the move works.
  const path = ossClient(yb, fresh, { bucket: BUCKET, style: 'path' });
  const v1 = path.signatureUrl('a.txt', { expires: moved + H });
  expect(await (await fetch(v1)).text()).toBe('hello');
  const v4Url = await ossClient(yb, fresh, {
    bucket: BUCKET,
    style: 'path',
    v4: true,
  }).signatureUrlV4('GET', 7 * 24 * H, undefined, 'a.txt');
  const v4 = await fetch(v4Url);
  if (moved + 60 < 7 * 24 * H) {
    expect(v4.status).toBe(200);
  } else {
    // The longest V4 URL (7 days) made on the host's time has expired on yunbox's clock.
    expect(v4.status).toBe(403);
    expect(await v4.text()).toContain('<Message>Request has expired.</Message>');
  }
}

/** The role session of before the moves, past its expiry on yunbox's clock. */
async function oldCredentialExpired(): Promise<void> {
  const tea = await failure(stsClient(yb, old).getCallerIdentity());
  expect([tea.code, tea.statusCode]).toEqual(['InvalidSecurityToken.Expired', 400]);
  const pop = await failure(popClient(yb, old, '2015-04-01').request('GetCallerIdentity', {}));
  expect(pop.code).toBe('InvalidSecurityToken.Expired');
  for (const v4 of [false, true]) {
    const oss = await failure(ossClient(yb, old, { bucket: BUCKET, v4 }).get('a.txt'));
    expect([oss.status, oss.code]).toEqual([403, 'SecurityTokenExpired']);
  }
}

/** Requests stamped 20 minutes away from both clocks, by hand. */
async function skewRefused(): Promise<void> {
  const now = yb.clock.now().getTime();
  for (const t of [Date.now() - 20 * 60_000, now + 20 * 60_000]) {
    for (const signature of ['v1', 'acs3'] as const) {
      const r = await rpcCall({
        endpoint: yb.endpoint,
        version: '2015-05-01',
        action: 'ListRoles',
        credentials: root,
        signature,
        timestamp: isoSeconds(t),
      });
      expect([r.status, r.json.Code]).toEqual([400, 'InvalidTimeStamp.Expired']);
    }
    const oss = await rawOss(yb, { bucket: BUCKET, key: 'a.txt', creds: root, date: httpDate(t) });
    expect([oss.status, errorCode(oss)]).toEqual([403, 'RequestTimeTooSkewed']);
    // Even with the expired token, the skew is what is wrong with such a request.
    const stale = await rpcCall({
      endpoint: yb.endpoint,
      version: '2015-04-01',
      action: 'GetCallerIdentity',
      credentials: old,
      timestamp: isoSeconds(t),
    });
    expect(stale.json.Code).toBe('InvalidTimeStamp.Expired');
  }
  // Stamped with yunbox's own time (a program living on it, inside an instance): accepted.
  const own = await rawOss(yb, { bucket: BUCKET, key: 'a.txt', creds: root, date: httpDate(now) });
  expect(own.status).toBe(200);
  const rpc = await rpcCall({
    endpoint: yb.endpoint,
    version: '2015-05-01',
    action: 'ListRoles',
    credentials: root,
    signature: 'acs3',
    timestamp: isoSeconds(now),
  });
  expect(rpc.status).toBe(200);
}

describe('after the manual clock moves', () => {
  it('1 h: host-time clients work; the 1 h session and the 30-minute URL have expired', async () => {
    await advance(H);
    await hostTimeClientsWork(H);
    await oldCredentialExpired();
    const late = await fetch(shortUrl);
    expect(late.status).toBe(403);
    expect(await late.text()).toContain('<Message>Request has expired.</Message>');
    await skewRefused();
  });

  it('6 h more: the same', async () => {
    await advance(6 * H);
    await hostTimeClientsWork(7 * H);
    await oldCredentialExpired();
    await skewRefused();
  });

  it('PostObject signed with the host’s time: the policy expires on yunbox’s clock', async () => {
    const moved = yb.clock.now().getTime() - Date.now();
    expect(moved).toBeGreaterThan(6 * H * 1000);
    const fresh = await roleSession(yb, fullBucket);
    const form = (creds: TestCredentials, expiresIn: number, key: string) => {
      const now = new Date();
      const p = {
        expiration: new Date(now.getTime() + expiresIn).toISOString(),
        conditions: [{ bucket: BUCKET }, { key }],
      };
      const stamp = now
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d{3}/, '');
      const c = ossClient(yb, creds, { bucket: BUCKET });
      const f = new FormData();
      f.append('key', key);
      f.append('policy', Buffer.from(JSON.stringify(p)).toString('base64'));
      f.append('x-oss-signature-version', 'OSS4-HMAC-SHA256');
      f.append(
        'x-oss-credential',
        `${creds.accessKeyId}/${stamp.slice(0, 8)}/cn-hangzhou/oss/aliyun_v4_request`,
      );
      f.append('x-oss-date', stamp);
      f.append('x-oss-signature', c.signPostObjectPolicyV4(p, now));
      if (creds.securityToken) f.append('x-oss-security-token', creds.securityToken);
      f.append('file', new Blob([Buffer.from(key)]), 'upload.bin');
      const port = yb.address.slice(yb.address.lastIndexOf(':') + 1);
      return fetch(`http://localhost:${port}/${BUCKET}`, { method: 'POST', body: f });
    };
    const posted = await form(fresh, moved + H * 1000, 'posted.txt');
    expect(posted.status).toBe(204);
    const short = await form(fresh, H * 1000, 'short.txt');
    expect(short.status).toBe(403);
    expect(await short.text()).toContain('Policy expired.');
    const stale = await form(old, moved + H * 1000, 'stale.txt');
    expect(stale.status).toBe(403);
    expect(await stale.text()).toContain('<Code>SecurityTokenExpired</Code>');
  });

  it('30 days more: the same, and a 7-day V4 URL made now has expired', async () => {
    await advance(30 * 24 * H);
    await hostTimeClientsWork(30 * 24 * H + 7 * H);
    await oldCredentialExpired();
    await skewRefused();
  });

  it('a nonce used under one clock cannot be used again under the other', async () => {
    const call = (nonce: string, t: number, signature: 'v1' | 'acs3') =>
      rpcCall({
        endpoint: yb.endpoint,
        version: '2015-05-01',
        action: 'ListRoles',
        credentials: root,
        signature,
        nonce,
        timestamp: isoSeconds(t),
      });
    const yunbox = () => yb.clock.now().getTime();
    for (const signature of ['v1', 'acs3'] as const) {
      const a = `two-clocks-a-${signature}-${Date.now()}`;
      expect((await call(a, Date.now(), signature)).status).toBe(200);
      for (const t of [Date.now(), yunbox()]) {
        const again = await call(a, t, signature);
        expect([again.status, again.json.Code]).toEqual([400, 'SignatureNonceUsed']);
      }
      const b = `two-clocks-b-${signature}-${Date.now()}`;
      expect((await call(b, yunbox(), signature)).status).toBe(200);
      for (const t of [yunbox(), Date.now()]) {
        const again = await call(b, t, signature);
        expect([again.status, again.json.Code]).toEqual([400, 'SignatureNonceUsed']);
      }
    }
  });

  it('AssumeRole signed with the host time issues credentials on yunbox’s clock', async () => {
    const fresh = await roleSession(yb, fullBucket, { durationSeconds: 900 });
    // They last 15 minutes of yunbox's clock, however far it stands from the host's.
    yb.clock.advance(899);
    await stsClient(yb, fresh).getCallerIdentity();
    yb.clock.advance(1);
    const e = await failure(stsClient(yb, fresh).getCallerIdentity());
    expect(e.code).toBe('InvalidSecurityToken.Expired');
  });
});
