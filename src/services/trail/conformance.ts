/**
 * @module The trail's cases for the shared store conformance suite: events come back in time
 * then id order in both directions, pages follow the cursor without gaps or repeats, filters and
 * account scoping hold, two nodes append at once without conflict, and pruning removes only
 * old events.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { ConformanceSuite } from '../../store/conformance/runner.js';
import type { TrailEvent } from './model.js';
import { TrailSqlStore, countTrailEvents } from './store-sql.js';
import type { TrailQuery } from './store.js';

const ACCT = '1000000000000001';

function event(time: number, over: Partial<TrailEvent> = {}): TrailEvent {
  return {
    eventId: randomUUID().toUpperCase(),
    eventTime: time,
    accountId: ACCT,
    eventName: 'CreateUser',
    eventType: 'ApiCall',
    eventRW: 'Write',
    serviceName: 'Ram',
    eventSource: 'ram.aliyuncs.com',
    apiVersion: '2015-05-01',
    region: 'cn-hangzhou',
    sourceIp: '127.0.0.1',
    userAgent: 'test',
    requestId: randomUUID().toUpperCase(),
    errorCode: '',
    errorMessage: '',
    identityType: 'root-account',
    principalId: ACCT,
    userName: 'root',
    roleName: '',
    accessKeyId: 'LTAIroot',
    resourceType: 'ACS::RAM::User',
    resourceName: 'alice',
    decision: 'allow',
    decidedBy: 'allowed: root account owns the resource',
    resource: `acs:ram::${ACCT}:user/alice`,
    instanceId: '',
    requestParameters: { UserName: 'alice', Note: 'ünïcode ✓' },
    ...over,
  };
}

const all = (over: Partial<TrailQuery> = {}): TrailQuery => ({
  accountId: ACCT,
  start: 0,
  end: Number.MAX_SAFE_INTEGER,
  filters: [],
  direction: 'backward',
  limit: 1000,
  ...over,
});

export const trailConformance: ConformanceSuite = {
  service: 'trail',
  cases: [
    {
      name: 'events round-trip and come back by time then id, both ways',
      async run({ db }) {
        const store = new TrailSqlStore(db);
        const events = [
          event(3000),
          event(1000, { sessionCreated: 500, identityType: 'assumed-role', roleName: 'r' }),
          event(2000),
          event(2000),
          event(2000),
        ];
        await store.append(events);
        const back = await store.lookup(all());
        const order = [...events].sort((a, b) =>
          a.eventTime !== b.eventTime
            ? b.eventTime - a.eventTime
            : a.eventId < b.eventId
              ? 1
              : a.eventId > b.eventId
                ? -1
                : 0,
        );
        // Ties within one millisecond are ordered by id in the database's order; the times are not.
        expect(back.map((e) => e.eventTime)).toEqual(order.map((e) => e.eventTime));
        const forward = await store.lookup(all({ direction: 'forward' }));
        expect(forward.map((e) => e.eventId)).toEqual([...back].reverse().map((e) => e.eventId));
        const one = back.find((e) => e.eventId === events[1]!.eventId);
        expect(one).toEqual(events[1]);
      },
    },
    {
      name: 'pages follow the cursor with no gap and no repeat',
      async run({ db }) {
        const store = new TrailSqlStore(db);
        const events = Array.from({ length: 23 }, (_, i) => event(1000 + Math.floor(i / 4)));
        await store.append(events);
        for (const direction of ['backward', 'forward'] as const) {
          const seen: string[] = [];
          let after: TrailQuery['after'];
          for (let page = 0; page < 10; page++) {
            const rows = await store.lookup(
              all({ direction, limit: 5, ...(after ? { after } : {}) }),
            );
            seen.push(...rows.map((e) => e.eventId));
            const last = rows[rows.length - 1];
            if (rows.length < 5 || !last) break;
            after = { time: last.eventTime, id: last.eventId };
          }
          expect(seen).toHaveLength(23);
          expect(new Set(seen).size).toBe(23);
          const full = await store.lookup(all({ direction }));
          expect(seen).toEqual(full.map((e) => e.eventId));
        }
      },
    },
    {
      name: 'time range, filters and account scoping',
      async run({ db }) {
        const store = new TrailSqlStore(db);
        await store.append([
          event(1000, { eventName: 'GetUser', eventRW: 'Read' }),
          event(2000, { userName: 'alice', identityType: 'ram-user', accessKeyId: 'LTAIalice' }),
          event(3000, { accountId: '', identityType: 'unknown', accessKeyId: 'LTAInobody' }),
          event(4000, { accountId: '2000000000000002' }),
          event(5000, { decision: 'implicit-deny', errorCode: 'NoPermission' }),
        ]);
        expect((await store.lookup(all())).map((e) => e.eventTime)).toEqual([
          5000, 3000, 2000, 1000,
        ]);
        expect(
          (await store.lookup(all({ start: 2000, end: 5000 }))).map((e) => e.eventTime),
        ).toEqual([3000, 2000]);
        const by = async (field: any, value: string) =>
          (await store.lookup(all({ filters: [{ field, value }] }))).map((e) => e.eventTime);
        expect(await by('eventRW', 'Read')).toEqual([1000]);
        expect(await by('userName', 'alice')).toEqual([2000]);
        expect(await by('accessKeyId', 'LTAInobody')).toEqual([3000]);
        expect(await by('decision', 'implicit-deny')).toEqual([5000]);
        expect(await by('eventName', 'getuser')).toEqual([]);
        expect(
          (
            await store.lookup(
              all({
                filters: [
                  { field: 'eventName', value: 'CreateUser' },
                  { field: 'errorCode', value: 'NoPermission' },
                ],
              }),
            )
          ).map((e) => e.eventTime),
        ).toEqual([5000]);
        expect(
          (await store.lookup(all({ accountId: '2000000000000002' }))).map((e) => e.eventTime),
        ).toEqual([4000, 3000]);
      },
    },
    {
      name: 'two nodes append at once; every event is kept',
      async run({ db, another }) {
        const a = new TrailSqlStore(db);
        const b = new TrailSqlStore(await another());
        const batch = (n: number) => Array.from({ length: n }, (_, i) => event(1000 + i));
        const writes = [
          () => a.append(batch(150)),
          () => b.append(batch(150)),
          () => a.append(batch(7)),
        ];
        // SQLite is one node (its handles would only block each other): one after the other.
        if (db.dialect.multiNode) await Promise.all(writes.map((w) => w()));
        else for (const w of writes) await w();
        expect(await countTrailEvents(db)).toBe(307);
        expect(await a.lookup(all({ limit: 500 }))).toHaveLength(307);
      },
    },
    {
      name: 'pruning removes only events older than the cut',
      async run({ db }) {
        const store = new TrailSqlStore(db);
        await store.append([event(1000), event(2000), event(3000)]);
        expect(await store.prune(2000)).toBe(1);
        expect((await store.lookup(all())).map((e) => e.eventTime)).toEqual([3000, 2000]);
      },
    },
  ],
};
