/**
 * STS with the official clients: a RAM user without permission is refused; with
 * AliyunSTSAssumeRoleAccess and trusted by the role it assumes it; the credentials call
 * GetCallerIdentity and show the assumed-role ARN; after the manual clock passes their expiry they
 * are refused with InvalidSecurityToken.Expired.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';
import { advanceClocks, followServerClock, restoreClock } from '../../../src/testing/clock.js';
import { $Ram, $Sts, popClient, ramClient, stsClient } from '../../../src/testing/sdk.js';
import { failure } from '../../../src/testing/failure.js';
import {
  OSS_READ_POLICY,
  createRamRole,
  createUserWithKey,
  rootOf,
  sessionCredentials,
} from '../../../src/testing/fixtures.js';

let yb: TestServer;
let alice: Awaited<ReturnType<typeof createUserWithKey>>;
let bob: Awaited<ReturnType<typeof createUserWithKey>>;
let roleArn: string;

beforeAll(async () => {
  yb = await startTestServer({ clock: 'manual', clockStart: '2026-03-01T00:00:00Z' });
  followServerClock(yb);
  const ram = ramClient(yb, rootOf(yb));
  alice = await createUserWithKey(yb, rootOf(yb), 'alice', ['AliyunSTSAssumeRoleAccess']);
  bob = await createUserWithKey(yb, rootOf(yb), 'bob');
  await createRamRole(yb, rootOf(yb), 'reader', [`acs:ram::${yb.accountId}:root`], {
    maxSessionDuration: 7200,
  });
  await ram.createPolicy(
    new $Ram.CreatePolicyRequest({ policyName: 'read-oss', policyDocument: OSS_READ_POLICY }),
  );
  await ram.attachPolicyToRole(
    new $Ram.AttachPolicyToRoleRequest({
      policyType: 'Custom',
      policyName: 'read-oss',
      roleName: 'reader',
    }),
  );
  roleArn = `acs:ram::${yb.accountId}:role/reader`;
});
afterAll(async () => {
  restoreClock();
  await yb?.close();
});

describe('AssumeRole', () => {
  it('refuses a RAM user without sts:AssumeRole, naming why', async () => {
    const sts = stsClient(yb, bob);
    const e = await failure(
      sts.assumeRole(new $Sts.AssumeRoleRequest({ roleArn, roleSessionName: 'bob-session' })),
    );
    expect(e.code).toBe('NoPermission');
    expect(e.statusCode).toBe(403);
    expect(e.data.Message).toContain('sts:AssumeRole');
    expect(e.accessDeniedDetail?.AuthAction ?? e.data.AccessDeniedDetail.AuthAction).toBe(
      'sts:AssumeRole',
    );
  });

  it('refuses the root account', async () => {
    const e = await failure(
      stsClient(yb, rootOf(yb)).assumeRole(
        new $Sts.AssumeRoleRequest({ roleArn, roleSessionName: 'root-session' }),
      ),
    );
    expect(e.code).toBe('NoPermission');
    expect(e.data.Message).toBe('Roles may not be assumed by root accounts.');
  });

  it('lets a permitted, trusted user assume the role; the session works until it expires', async () => {
    const sts = stsClient(yb, alice);
    const r = await sts.assumeRole(
      new $Sts.AssumeRoleRequest({
        roleArn,
        roleSessionName: 'alice-session',
        durationSeconds: 900,
      }),
    );
    const c = r.body!.credentials!;
    expect(c.accessKeyId).toMatch(/^STS\./);
    expect(c.expiration).toBe('2026-03-01T00:15:00Z');
    expect(r.body!.assumedRoleUser!.arn).toBe(`${roleArn}/alice-session`);
    expect(r.body!.assumedRoleUser!.assumedRoleId).toMatch(/^\d+:alice-session$/);

    const creds = sessionCredentials(c);
    const who = await stsClient(yb, creds).getCallerIdentity();
    expect(who.body).toMatchObject({
      identityType: 'AssumedRoleUser',
      accountId: yb.accountId,
      arn: `acs:ram::${yb.accountId}:assumed-role/reader/alice-session`,
    });
    expect(who.body!.principalId).toBe(r.body!.assumedRoleUser!.assumedRoleId);

    // The same credentials through pop-core (signature v1, SecurityToken parameter).
    const viaPop = await popClient(yb, creds, '2015-04-01').request('GetCallerIdentity', {});
    expect(viaPop.Arn).toBe(who.body!.arn);

    advanceClocks(yb, 901);
    const e = await failure(stsClient(yb, creds).getCallerIdentity());
    expect(e.code).toBe('InvalidSecurityToken.Expired');
    const e2 = await failure(popClient(yb, creds, '2015-04-01').request('GetCallerIdentity', {}));
    expect(e2.code).toBe('InvalidSecurityToken.Expired');
  });

  it('refuses a tampered token and a key without its token', async () => {
    const r = await stsClient(yb, alice).assumeRole(
      new $Sts.AssumeRoleRequest({ roleArn, roleSessionName: 'tamper' }),
    );
    const c = r.body!.credentials!;
    const t = c.securityToken!;
    const tampered = t.slice(0, 20) + (t[20] === 'A' ? 'B' : 'A') + t.slice(21);
    const e = await failure(
      stsClient(yb, {
        accessKeyId: c.accessKeyId!,
        accessKeySecret: c.accessKeySecret!,
        securityToken: tampered,
      }).getCallerIdentity(),
    );
    expect(e.code).toBe('InvalidSecurityToken.Malformed');
    const e2 = await failure(
      stsClient(yb, {
        accessKeyId: c.accessKeyId!,
        accessKeySecret: c.accessKeySecret!,
      }).getCallerIdentity(),
    );
    expect(e2.code).toBe('MissingSecurityToken');
  });

  it('GetCallerIdentity for root and users', async () => {
    const root = await stsClient(yb, rootOf(yb)).getCallerIdentity();
    expect(root.body).toMatchObject({
      identityType: 'Account',
      accountId: yb.accountId,
      arn: `acs:ram::${yb.accountId}:root`,
    });
    const user = await stsClient(yb, alice).getCallerIdentity();
    expect(user.body).toMatchObject({
      identityType: 'RAMUser',
      arn: `acs:ram::${yb.accountId}:user/alice`,
    });
  });
});
