/**
 * @module The console's sign-in as an attacker meets it, on real servers: every attempt (made,
 * refused, throttled) is an ActionTrail `ConsoleSignin` event read back with LookupEvents, with
 * outcome, source and the AccessKeyId presented, never the secret; the 11th attempt within a
 * minute from one address is refused (429, Retry-After) and a run of refusals is one event, not
 * one per request; a session stops working the moment its AccessKey is disabled or deleted, on
 * RPC and OSS alike, and the page treats that as the session's end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lookupAll, type Event } from '../api/trail/helpers.js';
import { createUserWithKey, rootOf } from '../../src/testing/fixtures.js';
import { $Ram, ossClient, ramClient, stsClient } from '../../src/testing/sdk.js';
import { startTestServer, type TestServer } from '../../src/testing/server.js';

let yb: TestServer;
let limited: TestServer;

beforeAll(async () => {
  [yb, limited] = await Promise.all([startTestServer(), startTestServer()]);
});
afterAll(async () => {
  await Promise.all([yb?.close(), limited?.close()]);
});

const signIn = (server: TestServer, body: unknown) =>
  fetch(`${server.endpoint}/_yunbox/console/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'sign-in-test/1.0' },
    body: JSON.stringify(body),
  });

async function session(
  server: TestServer,
  creds: { accessKeyId: string; accessKeySecret: string },
) {
  const res = await signIn(server, creds);
  expect(res.status).toBe(200);
  const s = (await res.json()) as Record<string, string>;
  return {
    accessKeyId: s.AccessKeyId!,
    accessKeySecret: s.AccessKeySecret!,
    securityToken: s.SecurityToken!,
  };
}

const signIns = (server: TestServer): Promise<Event[]> =>
  lookupAll(server, rootOf(server), [['EventName', 'ConsoleSignin']]);

describe('sign-in attempts in the audit trail', () => {
  it('records success and failure, with source and key, never the secret', async () => {
    const root = rootOf(yb);
    const user = await createUserWithKey(yb, root, 'trail-signer');
    await session(yb, root);
    await session(yb, user);
    const wrong = await signIn(yb, { accessKeyId: user.accessKeyId, accessKeySecret: 'not-it' });
    expect(wrong.status).toBe(401);
    const events = await signIns(yb);
    expect(events).toHaveLength(3);
    const [failed, asUser, asRoot] = events; // newest first
    expect(asRoot).toMatchObject({
      eventName: 'ConsoleSignin',
      eventType: 'ConsoleSignin',
      serviceName: 'AasCustomer',
      sourceIpAddress: '127.0.0.1',
      userAgent: 'sign-in-test/1.0',
      errorCode: '',
      recipientAccountId: yb.accountId,
      userIdentity: { type: 'root-account', accessKeyId: root.accessKeyId, userName: 'root' },
    });
    expect(asUser).toMatchObject({
      serviceName: 'AasSub',
      errorCode: '',
      userIdentity: { type: 'ram-user', userName: 'trail-signer', accessKeyId: user.accessKeyId },
    });
    expect(failed).toMatchObject({
      eventType: 'ConsoleSignin',
      errorCode: 'InvalidAccessKey',
      sourceIpAddress: '127.0.0.1',
      userIdentity: { type: 'unknown', accessKeyId: user.accessKeyId },
    });
    const text = JSON.stringify(events);
    for (const secret of [root.accessKeySecret, user.accessKeySecret, 'not-it']) {
      expect(text).not.toContain(secret);
    }
  });
});

describe('sessions end with their AccessKey', () => {
  it('stops a session once its key is disabled, and for good once deleted', async () => {
    const root = rootOf(yb);
    const ram = ramClient(yb, root);
    const user = await createUserWithKey(yb, root, 'revoked-signer', ['AliyunOSSReadOnlyAccess']);
    const s = await session(yb, user);
    const whoAmI = () => stsClient(yb, s).getCallerIdentity();
    const buckets = () => ossClient(yb, s).listBuckets();
    expect((await whoAmI()).body!.arn).toBe(`acs:ram::${yb.accountId}:user/revoked-signer`);
    await buckets();
    const rootSession = await session(yb, root);

    await ram.updateAccessKey(
      new $Ram.UpdateAccessKeyRequest({
        userName: 'revoked-signer',
        userAccessKeyId: user.accessKeyId,
        status: 'Inactive',
      }),
    );
    await expect(whoAmI()).rejects.toMatchObject({ code: 'InvalidAccessKeyId.Inactive' });
    await expect(buckets()).rejects.toMatchObject({ status: 403, code: 'InvalidAccessKeyId' });
    // Other sessions are not affected.
    expect((await stsClient(yb, rootSession).getCallerIdentity()).body!.arn).toBe(
      `acs:ram::${yb.accountId}:root`,
    );
    // And the key cannot sign in again while inactive.
    expect((await signIn(yb, user)).status).toBe(401);

    await ram.deleteAccessKey(
      new $Ram.DeleteAccessKeyRequest({
        userName: 'revoked-signer',
        userAccessKeyId: user.accessKeyId,
      }),
    );
    await expect(whoAmI()).rejects.toMatchObject({ code: 'InvalidAccessKeyId.NotFound' });
    await ram.detachPolicyFromUser(
      new $Ram.DetachPolicyFromUserRequest({
        policyType: 'System',
        policyName: 'AliyunOSSReadOnlyAccess',
        userName: 'revoked-signer',
      }),
    );
    await ram.deleteUser(new $Ram.DeleteUserRequest({ userName: 'revoked-signer' }));
    await expect(whoAmI()).rejects.toMatchObject({ code: 'InvalidAccessKeyId.NotFound' });
  });
});

describe('sign-in rate limit', () => {
  it('refuses the 11th attempt within a minute from one address, as one trail event', async () => {
    const root = rootOf(limited);
    for (let i = 0; i < 10; i++) {
      const res = await signIn(limited, {
        accessKeyId: root.accessKeyId,
        accessKeySecret: `x${i}`,
      });
      expect(res.status, `attempt ${i + 1}`).toBe(401);
    }
    for (const body of [root, { accessKeyId: root.accessKeyId, accessKeySecret: 'y' }, root]) {
      const res = await signIn(limited, body);
      expect(res.status).toBe(429);
      const retry = Number(res.headers.get('retry-after'));
      expect(retry).toBeGreaterThanOrEqual(1);
      expect(retry).toBeLessThanOrEqual(60);
      const j = (await res.json()) as Record<string, string>;
      expect(j.Code).toBe('Throttling.User');
      expect(j.Message).toMatch(/too many sign-in attempts/);
      // Even the right secret is not checked: a guesser learns nothing.
      expect(j.AccessKeyId).toBeUndefined();
    }
    const events = await signIns(limited);
    expect(events.map((e) => e.errorCode)).toEqual([
      'Throttling.User',
      ...Array(10).fill('InvalidAccessKey'),
    ]);
    // The server still answers everyone else's calls, and the health check.
    expect((await fetch(`${limited.endpoint}/_yunbox/health`)).status).toBe(200);
  });
});
