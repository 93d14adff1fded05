/**
 * Several accounts with the official clients (issue 20 item 4): a second account, made with the
 * Yunbox API's CreateAccount, has its own users; its user assumes a role of the first account
 * whose trust policy names it (`acs:ram::<B>:root`) with the Tea STS client, and reads a bucket
 * there with ali-oss. Refused with NoPermission when the role's trust policy does not name the
 * account, and when the user's own policies do not allow sts:AssumeRole, each explanation naming
 * the side that decided and both accounts. A bucket policy of the first account grants a user and
 * a role session of the second (by UID and `arn:sts::` ARN); others of that account stay out,
 * whatever their own policies say. Bucket names are global; the trail of each account holds its
 * own callers' events, and a cross-account AssumeRole that reached the role's trust policy is in
 * the role's account's trail too, naming the caller's account.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from '../../../src/testing/failure.js';
import {
  createAccount,
  createRamRole,
  createUserWithKey,
  grantCustomPolicy,
  rootOf,
  sessionCredentials,
} from '../../../src/testing/fixtures.js';
import {
  $Ram,
  $Sts,
  ossClient,
  ramClient,
  stsClient,
  type TestCredentials,
} from '../../../src/testing/sdk.js';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';
import { lookupAll, type Event } from '../trail/helpers.js';

let yb: TestServer;
let a: string;
let b: { accountId: string; root: TestCredentials };
let bob: TestCredentials & { userName: string };
let carol: TestCredentials & { userName: string };
const BUCKET = 'team-a-reports';
const GRANTED = 'team-a-granted';

beforeAll(async () => {
  yb = await startTestServer();
  a = yb.accountId;
  b = await createAccount(yb, rootOf(yb), 'team-b');
  const rootA = ossClient(yb, rootOf(yb));
  await rootA.putBucket(BUCKET);
  await rootA.useBucket(BUCKET);
  await rootA.put('q1.csv', Buffer.from('revenue,1\n'));
  // In A: a role the second account may assume, and one only A's own identities may.
  await createRamRole(yb, rootOf(yb), 'shared-reader', [`acs:ram::${b.accountId}:root`], {
    systemPolicies: ['AliyunOSSReadOnlyAccess'],
  });
  await createRamRole(yb, rootOf(yb), 'internal-reader', [`acs:ram::${a}:root`], {
    systemPolicies: ['AliyunOSSReadOnlyAccess'],
  });
  // In B: bob may assume roles, carol has no policy at all.
  bob = await createUserWithKey(yb, b.root, 'bob', ['AliyunSTSAssumeRoleAccess']);
  carol = await createUserWithKey(yb, b.root, 'carol');
});
afterAll(async () => {
  await yb?.close();
});

describe('a second account', () => {
  it('has its own id, root and users: the same user name lives in both accounts', async () => {
    expect(b.accountId).toMatch(/^\d{16}$/);
    expect(b.accountId).not.toBe(a);
    const who = await stsClient(yb, b.root).getCallerIdentity();
    expect(who.body).toMatchObject({ identityType: 'Account', accountId: b.accountId });
    await createUserWithKey(yb, rootOf(yb), 'bob');
    const inA = await ramClient(yb, rootOf(yb)).getUser(
      new $Ram.GetUserRequest({ userName: 'bob' }),
    );
    const inB = await ramClient(yb, b.root).getUser(new $Ram.GetUserRequest({ userName: 'bob' }));
    expect(inA.body!.user!.userId).not.toBe(inB.body!.user!.userId);
    const listed = await ramClient(yb, b.root).listUsers(new $Ram.ListUsersRequest({}));
    expect(listed.body!.users!.user!.map((u) => u.userName).sort()).toEqual(['bob', 'carol']);
    // Buckets too: B lists none of A's.
    const buckets = await ossClient(yb, b.root).listBuckets({});
    expect(buckets.buckets ?? []).toEqual([]);
  });

  it("cannot see or assume the first account's resources by default", async () => {
    const e = await failure(ossClient(yb, b.root, { bucket: BUCKET }).get('q1.csv'));
    expect(e).toMatchObject({ status: 403, code: 'AccessDenied' });
    const role = await failure(
      ramClient(yb, b.root).getRole(new $Ram.GetRoleRequest({ roleName: 'shared-reader' })),
    );
    expect(role.code).toBe('EntityNotExist.Role');
  });

  it('keeps bucket names global: a name the first account holds is taken', async () => {
    const e = await failure(ossClient(yb, b.root).putBucket(BUCKET));
    expect(e).toMatchObject({ status: 409, code: 'BucketAlreadyExists' });
  });
});

describe('cross-account roles', () => {
  it("lets a user of B assume A's role that trusts B, and read A's bucket with it", async () => {
    const r = await stsClient(yb, bob).assumeRole(
      new $Sts.AssumeRoleRequest({
        roleArn: `acs:ram::${a}:role/shared-reader`,
        roleSessionName: 'bob-from-b',
      }),
    );
    expect(r.body!.assumedRoleUser!.arn).toBe(`acs:ram::${a}:role/shared-reader/bob-from-b`);
    const session = sessionCredentials(r.body!.credentials!);
    const who = await stsClient(yb, session).getCallerIdentity();
    expect(who.body).toMatchObject({
      identityType: 'AssumedRoleUser',
      accountId: a,
      arn: `acs:ram::${a}:assumed-role/shared-reader/bob-from-b`,
    });
    const oss = ossClient(yb, session, { bucket: BUCKET });
    const listed = await oss.list({});
    expect(listed.objects.map((o: { name: string }) => o.name)).toEqual(['q1.csv']);
    expect((await oss.get('q1.csv')).content.toString()).toBe('revenue,1\n');
    // Read-only: the role's own policies still bound what the session may do.
    const put = await failure(oss.put('new.csv', Buffer.from('x')));
    expect(put).toMatchObject({ status: 403, code: 'AccessDenied' });
  });

  it("refuses when the role's trust policy does not name B, naming both accounts", async () => {
    const e = await failure(
      stsClient(yb, bob).assumeRole(
        new $Sts.AssumeRoleRequest({
          roleArn: `acs:ram::${a}:role/internal-reader`,
          roleSessionName: 'bob-from-b',
        }),
      ),
    );
    expect(e.code).toBe('NoPermission');
    expect(e.statusCode).toBe(403);
    const m = e.data.Message as string;
    expect(m).toContain('trust policy of role `internal-reader`');
    expect(m).toContain(`account \`${a}\``);
    expect(m).toContain(`acs:ram::${b.accountId}:user/bob (account \`${b.accountId}\``);
  });

  it("refuses when the user's own policies do not allow sts:AssumeRole, naming both accounts", async () => {
    const e = await failure(
      stsClient(yb, carol).assumeRole(
        new $Sts.AssumeRoleRequest({
          roleArn: `acs:ram::${a}:role/shared-reader`,
          roleSessionName: 'carol-from-b',
        }),
      ),
    );
    expect(e.code).toBe('NoPermission');
    const m = e.data.Message as string;
    expect(m).toContain('no policy allows `sts:AssumeRole`');
    expect(m).toContain(`the caller's own policies (account \`${b.accountId}\`) decide this side`);
    expect(m).toContain(`the role is in account \`${a}\``);
    expect(e.data.AccessDeniedDetail.AuthPrincipalOwnerId).toBe(b.accountId);
  });

  it("refuses when the user's own policy denies the role explicitly, though the trust allows", async () => {
    const dave = await createUserWithKey(yb, b.root, 'dave', ['AliyunSTSAssumeRoleAccess']);
    await grantCustomPolicy(yb, b.root, 'dave', 'NoTeamA', [
      { Effect: 'Deny', Action: 'sts:AssumeRole', Resource: `acs:ram::${a}:role/*` },
    ]);
    const e = await failure(
      stsClient(yb, dave).assumeRole(
        new $Sts.AssumeRoleRequest({
          roleArn: `acs:ram::${a}:role/shared-reader`,
          roleSessionName: 'dave-from-b',
        }),
      ),
    );
    expect(e.code).toBe('NoPermission');
    expect(e.data.Message).toContain('explicit deny by');
    expect(e.data.Message).toContain('NoTeamA');
  });

  it("lets a role session of B assume A's role too (role chaining across accounts)", async () => {
    await createRamRole(yb, b.root, 'b-hop', [`acs:ram::${b.accountId}:root`], {
      systemPolicies: ['AliyunSTSAssumeRoleAccess'],
    });
    const hop = await stsClient(yb, bob).assumeRole(
      new $Sts.AssumeRoleRequest({
        roleArn: `acs:ram::${b.accountId}:role/b-hop`,
        roleSessionName: 'hop',
      }),
    );
    const r = await stsClient(yb, sessionCredentials(hop.body!.credentials!)).assumeRole(
      new $Sts.AssumeRoleRequest({
        roleArn: `acs:ram::${a}:role/shared-reader`,
        roleSessionName: 'from-hop',
      }),
    );
    const oss = ossClient(yb, sessionCredentials(r.body!.credentials!), { bucket: BUCKET });
    expect((await oss.get('q1.csv')).content.toString()).toBe('revenue,1\n');
  });

  it("records the AssumeRole in the caller's trail with the other account's role as resource", async () => {
    await yb.services.trail.recorder.flush();
    const events = await lookupAll(yb, b.root, [['EventName', 'AssumeRole']]);
    const ok = events.find(
      (e) =>
        e.additionalEventData.Decision === 'allow' &&
        e.userIdentity.userName === 'bob' &&
        e.additionalEventData.Resource.endsWith(':role/shared-reader'),
    );
    expect(ok).toBeDefined();
    expect(ok!.userIdentity).toMatchObject({ accountId: b.accountId, userName: 'bob' });
    expect(ok!.additionalEventData.Resource).toBe(`acs:ram::${a}:role/shared-reader`);
    const refused = events.find((e) => e.userIdentity.userName === 'carol');
    expect(refused!.additionalEventData.DecidedBy).toContain(`account \`${a}\``);
    expect(refused!.recipientAccountId).toBe(b.accountId);
    // A's trail holds the calls its role's trust policy was asked about, naming B's caller:
    // bob's AssumeRole and the one its trust refused; not carol's, which B's own policies refused.
    const inA = (await lookupAll(yb, rootOf(yb), [['EventName', 'AssumeRole']])).filter(
      (e) => e.userIdentity.accountId === b.accountId,
    );
    const bobInA = inA.find(
      (e) =>
        e.userIdentity.userName === 'bob' &&
        e.additionalEventData.Resource === `acs:ram::${a}:role/shared-reader`,
    );
    expect(bobInA).toMatchObject({ recipientAccountId: a, eventId: expect.any(String) });
    expect(bobInA!.eventId).not.toBe(ok!.eventId);
    expect(bobInA!.userIdentity).toMatchObject({ type: 'ram-user', accountId: b.accountId });
    const trustRefusal = inA.find((e) => e.errorCode === 'NoPermission');
    expect(trustRefusal?.errorMessage).toContain('trust policy of role `internal-reader`');
    expect(inA.some((e) => e.userIdentity.userName === 'carol')).toBe(false);
    // B's trail does not hold A's own calls.
    const inB = await lookupAll(yb, b.root, []);
    expect(inB.filter((e) => e.userIdentity.accountId === a)).toEqual([]);
  });
});

describe('bucket policies granting to another account', () => {
  let bobId: string;
  let worker: Required<TestCredentials>;
  /** Request ids of bob's calls on A's bucket: allowed, refused (implicit), refused (B's Deny). */
  const bobCalls: { allowed?: string; refused?: string; denied?: string } = {};

  beforeAll(async () => {
    const ramB = ramClient(yb, b.root);
    bobId = (await ramB.getUser(new $Ram.GetUserRequest({ userName: 'bob' }))).body!.user!.userId!;
    // A role of B whose sessions A's bucket policy names by their `arn:sts::` ARN.
    await createRamRole(yb, b.root, 'b-worker', [`acs:ram::${b.accountId}:root`], {
      systemPolicies: ['AliyunOSSReadOnlyAccess'],
    });
    const s = await stsClient(yb, bob).assumeRole(
      new $Sts.AssumeRoleRequest({
        roleArn: `acs:ram::${b.accountId}:role/b-worker`,
        roleSessionName: 'nightly',
      }),
    );
    worker = sessionCredentials(s.body!.credentials!);
    const rootA = ossClient(yb, rootOf(yb));
    await rootA.putBucket(GRANTED);
    await rootA.useBucket(GRANTED);
    await rootA.put('shared/data.txt', Buffer.from('shared'));
    await rootA.put('private/data.txt', Buffer.from('private'));
    await rootA.putBucketPolicy(GRANTED, {
      Version: '1',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['oss:GetObject'],
          Principal: [bobId, `arn:sts::${b.accountId}:assumed-role/b-worker/*`],
          Resource: [`acs:oss:*:${a}:${GRANTED}/shared/*`],
        },
      ],
    });
  });

  it("allows B's user named by UID what the policy grants, and nothing else", async () => {
    const oss = ossClient(yb, bob, { bucket: GRANTED });
    const got = await oss.get('shared/data.txt');
    expect(got.content.toString()).toBe('shared');
    bobCalls.allowed = got.res.headers['x-oss-request-id'] as string;
    const refused = await failure(oss.get('private/data.txt'));
    expect(refused).toMatchObject({ status: 403, code: 'AccessDenied' });
    bobCalls.refused = refused.requestId;
    expect(await failure(oss.put('shared/new.txt', Buffer.from('x')))).toMatchObject({
      status: 403,
      code: 'AccessDenied',
    });
  });

  it("allows B's role session named by its arn:sts:: ARN", async () => {
    const oss = ossClient(yb, worker, { bucket: GRANTED });
    expect((await oss.get('shared/data.txt')).content.toString()).toBe('shared');
  });

  it("refuses B's users the policy does not name, whatever their own policies allow", async () => {
    const erin = await createUserWithKey(yb, b.root, 'erin', ['AliyunOSSFullAccess']);
    const e = await failure(ossClient(yb, erin, { bucket: GRANTED }).get('shared/data.txt'));
    expect(e).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect(
      await failure(ossClient(yb, b.root, { bucket: GRANTED }).get('shared/data.txt')),
    ).toMatchObject({
      status: 403,
      code: 'AccessDenied',
    });
  });

  it("lets B's own explicit Deny win over A's grant", async () => {
    await grantCustomPolicy(yb, b.root, 'bob', 'NoOss', [
      { Effect: 'Deny', Action: 'oss:GetObject', Resource: '*' },
    ]);
    try {
      const e = await failure(ossClient(yb, bob, { bucket: GRANTED }).get('shared/data.txt'));
      expect(e).toMatchObject({ status: 403, code: 'AccessDenied' });
      bobCalls.denied = e.requestId;
    } finally {
      await ramClient(yb, b.root).detachPolicyFromUser(
        new $Ram.DetachPolicyFromUserRequest({
          policyType: 'Custom',
          policyName: 'NoOss',
          userName: 'bob',
        }),
      );
    }
  });

  it("records B's calls on A's bucket in both accounts' trails, naming both accounts", async () => {
    await yb.services.trail.recorder.flush();
    const ids = [bobCalls.allowed, bobCalls.refused, bobCalls.denied];
    expect(ids.every((id) => typeof id === 'string' && id !== '')).toBe(true);
    const ofBob = (events: Event[]) =>
      ids.map((id) =>
        events.filter((e) => e.requestId === id && e.userIdentity.userName === 'bob'),
      );
    const inA = ofBob(await lookupAll(yb, rootOf(yb), [['EventName', 'GetObject']]));
    const inB = ofBob(await lookupAll(yb, b.root, [['EventName', 'GetObject']]));
    for (const [i, objectName] of [
      'shared/data.txt',
      'private/data.txt',
      'shared/data.txt',
    ].entries()) {
      // One event in each trail: the bucket owner's copy has its own id and names B's caller.
      expect(inA[i]).toHaveLength(1);
      expect(inB[i]).toHaveLength(1);
      const [ownerCopy, callerCopy] = [inA[i]![0]!, inB[i]![0]!];
      expect(ownerCopy).toMatchObject({ serviceName: 'Oss', recipientAccountId: a });
      expect(callerCopy).toMatchObject({ serviceName: 'Oss', recipientAccountId: b.accountId });
      for (const e of [ownerCopy, callerCopy]) {
        expect(e.userIdentity).toMatchObject({ type: 'ram-user', accountId: b.accountId });
        expect(e.requestParameters).toMatchObject({ BucketName: GRANTED, ObjectName: objectName });
      }
      expect(ownerCopy.eventId).not.toBe(callerCopy.eventId);
      const { eventId: _a, recipientAccountId: _ra, ...sameA } = ownerCopy;
      const { eventId: _b, recipientAccountId: _rb, ...sameB } = callerCopy;
      expect(sameA).toEqual(sameB);
    }
    const [allowed, refused, denied] = inA.map((events) => events[0]!);
    expect(allowed!.errorCode).toBe('');
    expect(allowed!.additionalEventData.Decision).toBe('allow');
    // Each refusal's explanation names the caller's account and the bucket owner's.
    expect(refused!.errorCode).toBe('AccessDenied');
    expect(refused!.additionalEventData.DecidedBy).toContain(`account \`${b.accountId}\``);
    expect(refused!.additionalEventData.DecidedBy).toContain(`account \`${a}\``);
    expect(denied!.errorCode).toBe('AccessDenied');
    expect(denied!.additionalEventData.DecidedBy).toContain('explicit deny by');
    expect(denied!.additionalEventData.DecidedBy).toContain('NoOss');
    expect(denied!.additionalEventData.DecidedBy).toContain(
      `RAM user \`bob\` of account \`${b.accountId}\` acts on a resource of account \`${a}\``,
    );
    // B's failed PutBucket on the name A holds acted on B's own account: not in A's trail.
    const putsInA = await lookupAll(yb, rootOf(yb), [['EventName', 'PutBucket']]);
    expect(putsInA.filter((e) => e.userIdentity.accountId === b.accountId)).toEqual([]);
  });
});
