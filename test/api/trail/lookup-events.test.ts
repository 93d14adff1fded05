/**
 * The audit trail through ActionTrail's LookupEvents (official @alicloud/pop-core RPCClient,
 * 2020-07-06): RAM calls allowed and denied (implicitly and explicitly) are recorded with the
 * principal, resource, decision and the policy engine's explanation; a refused unknown AccessKey
 * with the key it presented; OSS reads and writes of a read-only role session (ali-oss) allowed
 * and denied; filters, time range, direction and pagination; LookupEvents' own authorisation
 * and its refusals of bad input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';
import { advanceClocks, followServerClock, restoreClock } from '../../../src/testing/clock.js';
import { $Ram, ossClient, popClient, ramClient } from '../../../src/testing/sdk.js';
import {
  OSS_READ_POLICY,
  createUserWithKey,
  grantCustomPolicy,
  rootOf,
} from '../../../src/testing/fixtures.js';
import { failure } from '../../../src/testing/failure.js';
import { roleSession } from '../oss/helpers.js';
import { attributes, lookup, lookupAll } from './helpers.js';

const START = '2026-03-01T00:00:00Z';
const BUCKET = 'trail-bucket';

let yb: TestServer;
let alice: Awaited<ReturnType<typeof createUserWithKey>>;
let carol: Awaited<ReturnType<typeof createUserWithKey>>;
let reader: Awaited<ReturnType<typeof roleSession>>;

beforeAll(async () => {
  yb = await startTestServer({ clock: 'manual', clockStart: START });
  followServerClock(yb);
  const root = rootOf(yb);
  alice = await createUserWithKey(yb, root, 'alice', ['AliyunRAMReadOnlyAccess']);
  carol = await createUserWithKey(yb, root, 'carol', ['AliyunRAMFullAccess']);
  await grantCustomPolicy(yb, root, 'carol', 'no-deleting-users', [
    { Effect: 'Deny', Action: 'ram:DeleteUser', Resource: '*' },
  ]);
  reader = await roleSession(yb, OSS_READ_POLICY, { sessionName: 'trail-reader' });
  const oss = ossClient(yb, root, { bucket: BUCKET });
  await oss.putBucket(BUCKET);
  await oss.put('report.txt', Buffer.from('quarterly'));

  // One minute later: the calls the tests look for.
  advanceClocks(yb, 60);
  const asAlice = ramClient(yb, alice);
  await asAlice.listUsers(new $Ram.ListUsersRequest({}));
  await failure(asAlice.createUser(new $Ram.CreateUserRequest({ userName: 'mallory' })));
  await failure(ramClient(yb, carol).deleteUser(new $Ram.DeleteUserRequest({ userName: 'alice' })));
  await failure(
    popClient(
      yb,
      { accessKeyId: 'LTAI5tNoSuchKey0000000000', accessKeySecret: 'wrong-secret-0000' },
      '2015-05-01',
    ).request('ListUsers', {}),
  );
  const asReader = ossClient(yb, reader, { bucket: BUCKET });
  expect((await asReader.get('report.txt')).content.toString()).toBe('quarterly');
  await failure(asReader.put('report.txt', Buffer.from('tampered')));
});
afterAll(async () => {
  restoreClock();
  await yb?.close();
});

describe('what is recorded', () => {
  it('an allowed call: principal, action, resource, decision and deciding policy', async () => {
    const [e, ...more] = await lookupAll(yb, rootOf(yb), [
      ['EventName', 'ListUsers'],
      ['User', 'alice'],
    ]);
    expect(more).toEqual([]);
    expect(e).toMatchObject({
      eventName: 'ListUsers',
      eventRW: 'Read',
      eventType: 'ApiCall',
      eventVersion: '1',
      serviceName: 'Ram',
      eventSource: 'ram.aliyuncs.com',
      apiVersion: '2015-05-01',
      acsRegion: 'cn-hangzhou',
      eventTime: '2026-03-01T00:01:00Z',
      sourceIpAddress: '127.0.0.1',
      errorCode: '',
      errorMessage: '',
      userIdentity: {
        type: 'ram-user',
        accountId: yb.accountId,
        accessKeyId: alice.accessKeyId,
        userName: 'alice',
      },
      additionalEventData: {
        Decision: 'allow',
        Resource: `acs:ram::${yb.accountId}:user/*`,
      },
    });
    expect(e!.eventId).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
    expect(e!.requestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(e!.userAgent).toContain('AlibabaCloud');
    expect(e!.additionalEventData.DecidedBy).toContain('AliyunRAMReadOnlyAccess');
  });

  it('an implicitly denied call, with the explanation', async () => {
    const [e] = await lookupAll(yb, rootOf(yb), [
      ['EventName', 'CreateUser'],
      ['User', 'alice'],
    ]);
    expect(e).toMatchObject({
      eventRW: 'Write',
      errorCode: 'NoPermission',
      resourceType: 'ACS::RAM::User',
      resourceName: 'mallory',
      requestParameters: { UserName: 'mallory' },
      additionalEventData: {
        Decision: 'implicit-deny',
        Resource: `acs:ram::${yb.accountId}:user/mallory`,
      },
    });
    expect(e!.errorMessage).toContain('You are not authorized to do this action.');
    expect(e!.additionalEventData.DecidedBy).toContain('no policy allows');
    expect(e!.additionalEventData.DecidedBy).toContain('ram:CreateUser');
  });

  it('an explicitly denied call names the denying statement', async () => {
    const [e] = await lookupAll(yb, rootOf(yb), [['EventName', 'DeleteUser']]);
    expect(e).toMatchObject({
      userIdentity: { type: 'ram-user', userName: 'carol' },
      errorCode: 'NoPermission',
      additionalEventData: { Decision: 'explicit-deny' },
    });
    expect(e!.additionalEventData.DecidedBy).toContain('explicit deny');
    expect(e!.additionalEventData.DecidedBy).toContain('no-deleting-users');
  });

  it('a refused unknown AccessKey, with the key it presented and no account', async () => {
    const [e, ...more] = await lookupAll(yb, rootOf(yb), [
      ['EventAccessKeyId', 'LTAI5tNoSuchKey0000000000'],
    ]);
    expect(more).toEqual([]);
    expect(e).toMatchObject({
      eventName: 'ListUsers',
      errorCode: 'InvalidAccessKeyId.NotFound',
      userIdentity: { type: 'unknown', accessKeyId: 'LTAI5tNoSuchKey0000000000' },
      additionalEventData: { Decision: 'none', DecidedBy: '' },
    });
    expect(e!.userIdentity.accountId).toBeUndefined();
  });

  it('an OSS read allowed and a write denied for a read-only role session', async () => {
    const events = await lookupAll(yb, rootOf(yb), [
      ['ResourceName', `${BUCKET}/report.txt`],
      ['RoleName', reader.roleName],
    ]);
    expect(events.map((e) => [e.eventName, e.additionalEventData.Decision, e.errorCode])).toEqual([
      ['PutObject', 'implicit-deny', 'AccessDenied'],
      ['GetObject', 'allow', ''],
    ]);
    const [put, get] = events;
    expect(get).toMatchObject({
      serviceName: 'Oss',
      eventRW: 'Read',
      resourceType: 'ACS::OSS::Object',
      eventSource: 'oss-cn-hangzhou.aliyuncs.com',
      requestParameters: { BucketName: BUCKET, ObjectName: 'report.txt' },
      userIdentity: {
        type: 'assumed-role',
        accessKeyId: reader.accessKeyId,
        userName: `${reader.roleName}:trail-reader`,
        sessionContext: { attributes: { mfaAuthenticated: 'false' } },
      },
      additionalEventData: {
        Resource: `acs:oss:cn-hangzhou:${yb.accountId}:${BUCKET}/report.txt`,
      },
    });
    expect(get!.additionalEventData.DecidedBy).toContain(`oss-role-policy`);
    expect(put!.eventRW).toBe('Write');
    expect(put!.additionalEventData.DecidedBy).toContain('no policy allows');
    expect(put!.errorMessage).toContain('You have no right to access this object.');
  });

  it('LookupEvents itself', async () => {
    await lookup(yb, rootOf(yb), attributes([['EventName', 'NoSuchEvent']]));
    const [e] = await lookupAll(yb, rootOf(yb), [
      ['EventName', 'LookupEvents'],
      ['ServiceName', 'Actiontrail'],
    ]);
    expect(e).toMatchObject({
      eventRW: 'Read',
      eventSource: 'actiontrail.cn-hangzhou.aliyuncs.com',
      apiVersion: '2020-07-06',
      userIdentity: { type: 'root-account', userName: 'root', principalId: yb.accountId },
      additionalEventData: {
        Decision: 'allow',
        Resource: `acs:actiontrail:cn-hangzhou:${yb.accountId}:*`,
      },
    });
  });
});

describe('looking up', () => {
  it('filters by EventName, User (UserName), EventAccessKeyId, ResourceName, EventRW and more', async () => {
    const root = rootOf(yb);
    const names = async (filters: Array<[string, string]>) =>
      (await lookupAll(yb, root, filters)).map((e) => e.eventName);
    expect(await names([['UserName', 'alice']])).toEqual(['CreateUser', 'ListUsers']);
    expect(await names([['User', 'alice']])).toEqual(['CreateUser', 'ListUsers']);
    expect(await names([['EventAccessKeyId', alice.accessKeyId]])).toEqual([
      'CreateUser',
      'ListUsers',
    ]);
    expect(await names([['ResourceName', 'mallory']])).toEqual(['CreateUser']);
    expect(
      await names([
        ['ResourceType', 'ACS::RAM::User'],
        ['EventRW', 'Write'],
        ['User', 'alice'],
      ]),
    ).toEqual(['CreateUser']);
    expect(
      await names([
        ['EventRW', 'Read'],
        ['User', 'alice'],
      ]),
    ).toEqual(['ListUsers']);
    expect(await names([['Decision', 'explicit-deny']])).toEqual(['DeleteUser']);
    expect(await names([['EventName', 'listusers']])).toEqual([]);
    // The same key twice: the later one counts.
    expect(
      await names([
        ['User', 'carol'],
        ['User', 'alice'],
        ['EventRW', 'Write'],
      ]),
    ).toEqual(['CreateUser']);
    const byId = (await lookupAll(yb, root, [['User', 'alice']]))[0]!;
    expect(await names([['EventId', byId.eventId]])).toEqual([byId.eventName]);
    expect(await names([['RequestId', byId.requestId]])).toEqual([byId.eventName]);
  });

  it('a time range (whole seconds, EndTime included) and the 7-day default', async () => {
    const root = rootOf(yb);
    const during = await lookup(yb, root, {
      StartTime: '2026-03-01T00:01:00Z',
      EndTime: '2026-03-01T00:01:00Z',
      ...attributes([['User', 'alice']]),
    });
    expect(during.Events.map((e) => e.eventName)).toEqual(['CreateUser', 'ListUsers']);
    expect(during).toMatchObject({
      StartTime: '2026-03-01T00:01:00Z',
      EndTime: '2026-03-01T00:01:00Z',
    });
    const before = await lookup(yb, root, {
      StartTime: '2026-02-01T00:00:00Z',
      EndTime: '2026-03-01T00:00:59Z',
      ...attributes([['User', 'alice']]),
    });
    expect(before.Events).toEqual([]);
    const setup = await lookup(yb, root, {
      StartTime: '2026-02-01T00:00:00Z',
      EndTime: '2026-03-01T00:00:59Z',
      ...attributes([['EventName', 'CreateAccessKey']]),
    });
    expect(setup.Events).toHaveLength(3);

    advanceClocks(yb, 8 * 24 * 3600);
    const later = await lookup(yb, root, attributes([['User', 'alice']]));
    expect(later.Events).toEqual([]);
    expect(Date.parse(later.EndTime) - Date.parse(later.StartTime)).toBe(7 * 24 * 3600 * 1000);
    const old = await lookup(yb, root, {
      StartTime: START,
      ...attributes([['User', 'alice']]),
    });
    expect(old.Events).toHaveLength(2);
  });

  it('pages with NextToken, newest first or (FORWARD) oldest first', async () => {
    const root = rootOf(yb);
    const asAlice = ramClient(yb, alice);
    for (let i = 0; i < 7; i++) {
      advanceClocks(yb, 1);
      await asAlice.getUser(new $Ram.GetUserRequest({ userName: 'alice' }));
    }
    const filters = attributes([
      ['EventName', 'GetUser'],
      ['User', 'alice'],
    ]);
    const seen: string[] = [];
    const pages: number[] = [];
    let token: string | undefined;
    do {
      const page = await lookup(yb, root, {
        ...filters,
        MaxResults: 3,
        ...(token ? { NextToken: token } : {}),
      });
      pages.push(page.Events.length);
      seen.push(...page.Events.map((e) => e.eventTime));
      token = page.NextToken;
    } while (token);
    expect(pages).toEqual([3, 3, 1]);
    expect(seen).toEqual([...seen].sort().reverse());
    expect(new Set(seen).size).toBe(7);
    const forward = await lookupAll(
      yb,
      root,
      [
        ['EventName', 'GetUser'],
        ['User', 'alice'],
      ],
      { Direction: 'FORWARD' },
    );
    expect(forward.map((e) => e.eventTime)).toEqual([...seen].reverse());
    const first = await lookup(yb, root, filters);
    expect(first.Events).toHaveLength(7);
    expect(first.NextToken).toBeUndefined();
  });
});

describe('LookupEvents itself', () => {
  it('needs actiontrail:LookupEvents; AliyunActionTrailReadOnlyAccess grants it', async () => {
    const e = await failure(lookup(yb, alice));
    expect(e.code).toBe('NoPermission');
    expect(e.entry.response.statusCode).toBe(403);
    expect(e.message).toContain('actiontrail:LookupEvents');
    await ramClient(yb, rootOf(yb)).attachPolicyToUser(
      new $Ram.AttachPolicyToUserRequest({
        policyType: 'System',
        policyName: 'AliyunActionTrailReadOnlyAccess',
        userName: 'alice',
      }),
    );
    const ok = await lookup(yb, alice, {
      StartTime: START,
      ...attributes([['Decision', 'explicit-deny']]),
    });
    expect(ok.Events.map((x) => x.eventName)).toEqual(['DeleteUser']);
    const denied = await lookupAll(yb, rootOf(yb), [
      ['EventName', 'LookupEvents'],
      ['User', 'alice'],
      ['Decision', 'implicit-deny'],
    ]);
    expect(denied).toHaveLength(1);
    expect(denied[0]!.additionalEventData.DecidedBy).toContain('no policy allows');
  });

  it('refuses bad input with InvalidParameter', async () => {
    const root = rootOf(yb);
    for (const params of [
      { MaxResults: 51 },
      { MaxResults: 0 },
      { StartTime: 'yesterday' },
      { StartTime: '2026-03-02T00:00:00Z', EndTime: '2026-03-01T00:00:00Z' },
      { NextToken: 'not-a-token' },
      { Direction: 'SIDEWAYS' },
      attributes([['Colour', 'blue']]),
    ]) {
      const e = await failure(lookup(yb, root, params));
      expect(e.code, JSON.stringify(params)).toBe('InvalidParameter');
      expect(e.entry.response.statusCode).toBe(400);
    }
  });
});
