/**
 * CreateAccount and ListAccounts through the signed Yunbox API (2026-11-01) with pop-core: the
 * first account's root makes an account with a 16-digit id and a root AccessKey that works at
 * once (and is answered only by CreateAccount: ListAccounts shows no key); a taken name, a bad
 * name and a missing one are refused with their codes; another account, even its root, and a RAM
 * user of the first account without a policy are refused; a user with a policy may. Each call is
 * in the first account's audit trail, and the secret is not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from '../../../src/testing/failure.js';
import {
  createAccount,
  createUserWithKey,
  grantCustomPolicy,
  rootOf,
} from '../../../src/testing/fixtures.js';
import { popClient, stsClient, type TestCredentials } from '../../../src/testing/sdk.js';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';
import { lookupAll } from '../trail/helpers.js';

const VERSION = '2026-11-01';
let yb: TestServer;

beforeAll(async () => {
  yb = await startTestServer();
});
afterAll(async () => {
  await yb?.close();
});

const call = (c: TestCredentials, action: string, params: Record<string, string> = {}) =>
  popClient(yb, c, VERSION).request<any>(action, params, { method: 'POST' });

describe('accounts', () => {
  let secret: string;

  it('creates an account whose root key works at once', async () => {
    const r = await call(rootOf(yb), 'CreateAccount', { AccountName: 'team-b' });
    expect(r.Account).toMatchObject({ AccountName: 'team-b', First: false });
    expect(r.Account.AccountId).toMatch(/^\d{16}$/);
    expect(r.Account.Arn).toBe(`acs:ram::${r.Account.AccountId}:root`);
    expect(r.RootAccessKey).toMatchObject({ Status: 'Active' });
    secret = r.RootAccessKey.AccessKeySecret;
    const who = await stsClient(yb, {
      accessKeyId: r.RootAccessKey.AccessKeyId,
      accessKeySecret: secret,
    }).getCallerIdentity();
    expect(who.body).toMatchObject({ identityType: 'Account', accountId: r.Account.AccountId });
  });

  it('lists accounts, the first first, without keys', async () => {
    const r = await call(rootOf(yb), 'ListAccounts');
    expect(r.TotalCount).toBe(2);
    expect(r.Accounts.Account.map((a: any) => [a.AccountName, a.First])).toEqual([
      ['default', true],
      ['team-b', false],
    ]);
    expect(r.Accounts.Account[0].AccountId).toBe(yb.accountId);
    expect(JSON.stringify(r)).not.toContain(secret);
  });

  it('refuses a taken, a malformed and a missing name', async () => {
    expect((await failure(call(rootOf(yb), 'CreateAccount', { AccountName: 'team-b' }))).code).toBe(
      'EntityAlreadyExists.Account',
    );
    const bad = await failure(call(rootOf(yb), 'CreateAccount', { AccountName: '-x y' }));
    expect(bad.code).toBe('InvalidAccountName.Malformed');
    expect(bad.entry.response.statusCode).toBe(400);
    expect((await failure(call(rootOf(yb), 'CreateAccount'))).code).toBe('MissingAccountName');
  });

  it("refuses another account's root, whatever it is allowed in its own account", async () => {
    const c = await createAccount(yb, rootOf(yb), 'team-c');
    for (const action of ['CreateAccount', 'ListAccounts']) {
      const e = await failure(call(c.root, action, { AccountName: 'team-d' }));
      expect(e.code).toBe('Forbidden.RAM');
      expect(e.entry.response.statusCode).toBe(403);
      expect(e.data.Message).toContain(`Only the first account \`${yb.accountId}\``);
      expect(e.data.Message).toContain(`account \`${c.accountId}\``);
    }
  });

  it('refuses a RAM user of the first account without a policy; allows one with it', async () => {
    const ops = await createUserWithKey(yb, rootOf(yb), 'ops');
    const e = await failure(call(ops, 'CreateAccount', { AccountName: 'team-e' }));
    expect(e.code).toBe('Forbidden.RAM');
    expect(e.data.Message).toContain('yunbox:CreateAccount');
    await grantCustomPolicy(yb, rootOf(yb), 'ops', 'AccountAdmin', [
      { Effect: 'Allow', Action: ['yunbox:CreateAccount', 'yunbox:ListAccounts'], Resource: '*' },
    ]);
    const r = await call(ops, 'CreateAccount', { AccountName: 'team-e' });
    expect(r.Account.AccountName).toBe('team-e');
  });

  it("records the calls in the first account's trail, never the secret", async () => {
    await yb.services.trail.recorder.flush();
    const events = await lookupAll(yb, rootOf(yb), [['EventName', 'CreateAccount']]);
    expect(events.length).toBeGreaterThanOrEqual(4);
    expect(events.some((e) => e.requestParameters.AccountName === 'team-b')).toBe(true);
    expect(JSON.stringify(events)).not.toContain(secret);
  });
});
