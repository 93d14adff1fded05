/**
 * The clock through the signed Yunbox API (2026-11-01), with the official clients: pop-core
 * (signature v1) and the Tea OpenAPI client's `callApi` (ACS3). The root account may; a RAM user
 * is denied without a policy and allowed with one; SetClock backwards and moves under the system
 * clock are refused with their codes; each call is in the audit trail. The test's own `Date`
 * follows the server's manual clock, as a client's would.
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { followServerClock, restoreClock } from '../../../src/testing/clock.js';
import { createUserWithKey, grantCustomPolicy, rootOf } from '../../../src/testing/fixtures.js';
import { $OpenApi, popClient, type TestCredentials } from '../../../src/testing/sdk.js';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';
import { failure } from '../../../src/testing/failure.js';
import { lookupAll } from '../trail/helpers.js';

const require = createRequire(import.meta.url);
const VERSION = '2026-11-01';
const START = '2026-06-01T00:00:00Z';

let yb: TestServer;
let system: TestServer;

beforeAll(async () => {
  [yb, system] = await Promise.all([
    startTestServer({ clock: 'manual', clockStart: START }),
    startTestServer(),
  ]);
  followServerClock(yb);
});
afterAll(async () => {
  restoreClock();
  await Promise.all([yb?.close(), system?.close()]);
});

type Clock = { RequestId: string; Now: string; Mode: string };
const call = (server: TestServer, c: TestCredentials, action: string, params = {}) =>
  popClient(server, c, VERSION).request<Clock>(action, params, { method: 'POST' });

/** The server's clock moved: this process's `Date` follows, so signatures stay within skew. */
function follow(answer: Clock): Clock {
  vi.setSystemTime(Date.parse(answer.Now));
  return answer;
}

describe('the clock API', () => {
  it('lets the root account read and move a manual clock, forward only', async () => {
    const root = rootOf(yb);
    expect(await call(yb, root, 'DescribeClock')).toMatchObject({ Now: START, Mode: 'manual' });
    expect(follow(await call(yb, root, 'AdvanceClock', { AdvanceSeconds: 3600 }))).toMatchObject({
      Now: '2026-06-01T01:00:00Z',
      Mode: 'manual',
    });
    expect(yb.clock.now().toISOString()).toBe('2026-06-01T01:00:00.000Z');
    expect(follow(await call(yb, root, 'SetClock', { Now: '2026-06-02T00:00:00Z' }))).toMatchObject(
      { Now: '2026-06-02T00:00:00Z' },
    );

    const back = await failure(call(yb, root, 'SetClock', { Now: '2026-06-01T12:00:00Z' }));
    expect(back.code).toBe('InvalidNow.BeforeCurrentTime');
    expect(back.entry.response.statusCode).toBe(400);
    for (const AdvanceSeconds of [0, -60]) {
      const e = await failure(call(yb, root, 'AdvanceClock', { AdvanceSeconds }));
      expect(e.code).toBe('InvalidParameter');
    }
    const bad = await failure(call(yb, root, 'SetClock', { Now: 'next tuesday, roughly' }));
    expect(bad.code).toMatch(/^Invalid/);
    expect((await call(yb, root, 'DescribeClock')).Now).toBe('2026-06-02T00:00:00Z');
  });

  it('works with the Tea OpenAPI client (ACS3) too', async () => {
    const root = rootOf(yb);
    const OpenApi = require('@alicloud/openapi-client').default;
    const Util = require('@alicloud/tea-util');
    const client = new OpenApi(
      new $OpenApi.Config({
        endpoint: yb.address,
        protocol: 'http',
        accessKeyId: root.accessKeyId,
        accessKeySecret: root.accessKeySecret,
      }),
    );
    const params = (action: string) =>
      new $OpenApi.Params({
        action,
        version: VERSION,
        protocol: 'HTTP',
        pathname: '/',
        method: 'POST',
        authType: 'AK',
        style: 'RPC',
        reqBodyType: 'json',
        bodyType: 'json',
      });
    const r = await client.callApi(
      params('AdvanceClock'),
      new $OpenApi.OpenApiRequest({ query: { AdvanceSeconds: '60' } }),
      new Util.RuntimeOptions({}),
    );
    expect(r.body).toMatchObject({ Now: '2026-06-02T00:01:00Z', Mode: 'manual' });
    follow(r.body);
  });

  it('denies a RAM user without a policy, and allows one with it', async () => {
    const root = rootOf(yb);
    const user = await createUserWithKey(yb, root, 'clock-keeper');
    for (const action of ['DescribeClock', 'AdvanceClock']) {
      const e = await failure(call(yb, user, action, { AdvanceSeconds: 60 }));
      expect(e.code, action).toBe('Forbidden.RAM');
      expect(e.entry.response.statusCode).toBe(403);
      expect(e.message).toContain(`yunbox:${action}`);
    }
    await grantCustomPolicy(yb, root, 'clock-keeper', 'MoveTheClock', [
      {
        Effect: 'Allow',
        Action: ['yunbox:DescribeClock', 'yunbox:AdvanceClock'],
        Resource: `acs:yunbox::${yb.accountId}:clock`,
      },
    ]);
    const before = (await call(yb, user, 'DescribeClock')).Now;
    const moved = follow(await call(yb, user, 'AdvanceClock', { AdvanceSeconds: 60 }));
    expect(Date.parse(moved.Now) - Date.parse(before)).toBe(60_000);
    // SetClock was not granted.
    const e = await failure(call(yb, user, 'SetClock', { Now: '2030-01-01T00:00:00Z' }));
    expect(e.code).toBe('Forbidden.RAM');
  });

  it('records every call in the audit trail', async () => {
    const events = await lookupAll(yb, rootOf(yb), [['EventName', 'AdvanceClock']]);
    expect(events.map((e) => [e.userIdentity.type, e.errorCode])).toEqual([
      ['ram-user', ''],
      ['ram-user', 'Forbidden.RAM'],
      ['root-account', ''],
      ['root-account', 'InvalidParameter'],
      ['root-account', 'InvalidParameter'],
      ['root-account', ''],
    ]);
    expect(events[0]).toMatchObject({
      serviceName: 'Yunbox',
      eventRW: 'Write',
      additionalEventData: { Resource: `acs:yunbox::${yb.accountId}:clock`, Decision: 'allow' },
    });
  });

  it('refuses to move the system clock, naming --clock manual', async () => {
    restoreClock();
    try {
      const root = rootOf(system);
      expect((await call(system, root, 'DescribeClock')).Mode).toBe('system');
      for (const [action, params] of [
        ['AdvanceClock', { AdvanceSeconds: 60 }],
        ['SetClock', { Now: '2999-01-01T00:00:00Z' }],
      ] as const) {
        const e = await failure(call(system, root, action, params));
        expect(e.code).toBe('OperationDenied.ClockNotManual');
        expect(e.entry.response.statusCode).toBe(403);
        expect(e.message).toContain('--clock manual');
      }
    } finally {
      followServerClock(yb);
    }
  });
});
