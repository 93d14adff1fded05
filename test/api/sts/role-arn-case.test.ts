/**
 * AssumeRole with a RoleArn in another case, as public code writes them
 * (`acs:ram::<uid>:role/aliyunlogdefaultrole` for AliyunLogDefaultRole), through
 * @alicloud/sts20150401: the role is found, the session and its ARNs carry the role's name as
 * created, a trust policy naming the caller in another case admits it, and a Deny written with the
 * role's real name still applies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';
import { $Sts, stsClient, type TestCredentials } from '../../../src/testing/sdk.js';
import { failure } from '../../../src/testing/failure.js';
import {
  createRamRole,
  createUserWithKey,
  grantCustomPolicy,
  rootOf,
  sessionCredentials,
} from '../../../src/testing/fixtures.js';

let yb: TestServer;
let alice: Awaited<ReturnType<typeof createUserWithKey>>;

beforeAll(async () => {
  yb = await startTestServer();
  alice = await createUserWithKey(yb, rootOf(yb), 'Alice', ['AliyunSTSAssumeRoleAccess']);
  await createRamRole(yb, rootOf(yb), 'AppRole', [`acs:ram::${yb.accountId}:root`]);
  // Trusts the user by an ARN written in lower case.
  await createRamRole(yb, rootOf(yb), 'AliceOnly', [`acs:ram::${yb.accountId}:user/alice`]);
});
afterAll(async () => {
  await yb?.close();
});

/** AssumeRole as `caller`, naming the role `acs:ram::<account>:role/<roleName>` as written. */
const assume = (caller: TestCredentials, roleName: string, roleSessionName: string) =>
  stsClient(yb, caller).assumeRole(
    new $Sts.AssumeRoleRequest({
      roleArn: `acs:ram::${yb.accountId}:role/${roleName}`,
      roleSessionName,
    }),
  );

describe('AssumeRole, RoleArn in another case', () => {
  it('finds the role; the session carries its name as created', async () => {
    const r = await assume(alice, 'approle', 's1');
    expect(r.body!.assumedRoleUser!.arn).toBe(`acs:ram::${yb.accountId}:role/AppRole/s1`);
    const who = await stsClient(yb, sessionCredentials(r.body!.credentials!)).getCallerIdentity();
    expect(who.body!.arn).toBe(`acs:ram::${yb.accountId}:assumed-role/AppRole/s1`);
    const upper = await assume(alice, 'APPROLE', 's2');
    expect(upper.body!.assumedRoleUser!.assumedRoleId).toBe(
      `${r.body!.assumedRoleUser!.assumedRoleId!.split(':')[0]}:s2`,
    );
  });

  it('a trust policy naming the caller in another case admits it', async () => {
    const r = await assume(alice, 'aliceonly', 'trusted');
    expect(r.body!.assumedRoleUser!.arn).toBe(`acs:ram::${yb.accountId}:role/AliceOnly/trusted`);
  });

  it('a role that does not exist in any case is still EntityNotExist.Role', async () => {
    const e = await failure(assume(alice, 'app-role', 'missing'));
    expect([e.statusCode, e.code]).toEqual([404, 'EntityNotExist.Role']);
  });

  it('a Deny on the role by its real name applies to the lower-cased ARN', async () => {
    const bob = await createUserWithKey(yb, rootOf(yb), 'bob', ['AliyunSTSAssumeRoleAccess']);
    await grantCustomPolicy(yb, rootOf(yb), 'bob', 'NoAppRole', [
      {
        Effect: 'Deny',
        Action: 'sts:AssumeRole',
        Resource: `acs:ram::${yb.accountId}:role/AppRole`,
      },
    ]);
    const e = await failure(assume(bob, 'approle', 'sneaky'));
    expect([e.statusCode, e.code]).toEqual([403, 'NoPermission']);
    expect(e.data.Message).toContain('NoAppRole');
  });
});
