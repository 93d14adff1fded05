/**
 * @module The trail's cases for the shared store conformance suite: events come back in time
 * then id order in both directions, pages follow the cursor without gaps or repeats, filters and
 * account scoping hold, two nodes append at once without conflict, pruning removes only
 * old events, and the size bounds: the totals follow every write and prune, pruning to a size
 * takes the oldest unauthenticated events first past their share and then the oldest of all, a
 * bounded slice per call, and two nodes pruning at once delete each event once.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { expect } from 'vitest';
import type { ConformanceSuite } from '../../store/conformance/runner.js';
import type { Db } from '../../store/db.js';
import { trailEvent } from '../../testing/trail.js';
import type { TrailEvent } from './model.js';
import { TrailSqlStore, countTrailEvents } from './store-sql.js';
import type { TrailQuery, TrailUsage } from './store.js';

const ACCT = '1000000000000001';

/** An event at `time` with ids of its own and a parameter beyond ASCII. */
function event(time: number, over: Partial<TrailEvent> = {}): TrailEvent {
  return trailEvent({
    eventId: randomUUID().toUpperCase(),
    eventTime: time,
    accountId: ACCT,
    userAgent: 'test',
    requestId: randomUUID().toUpperCase(),
    requestParameters: { UserName: 'alice', Note: 'ünïcode ✓' },
    ...over,
  });
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
    {
      name: 'flags round-trip; events without flags come back without',
      async run({ db }) {
        const store = new TrailSqlStore(db);
        const flagged = event(1000, { flags: ['truncated', 'sampled'] });
        const plain = event(2000);
        await store.append([flagged, plain]);
        const back = await store.lookup(all({ direction: 'forward' }));
        expect(back).toEqual([flagged, plain]);
        expect(back[1]).not.toHaveProperty('flags');
      },
    },
    {
      name: 'the totals follow every write and every prune, by age or by size',
      async run({ db }) {
        const store = new TrailSqlStore(db);
        const written = await store.append([
          ...Array.from({ length: 6 }, (_, i) => event(1000 + i)),
          ...Array.from({ length: 4 }, (_, i) => stranger(1100 + i)),
        ]);
        expect(written).toMatchObject({ events: 10, unauthenticatedEvents: 4, prunedEvents: 0 });
        expect(written.bytes).toBeGreaterThan(written.unauthenticatedBytes);
        expect(await store.usage()).toEqual(written);
        expect(await recounted(db)).toEqual(totals(written));
        expect(await store.prune(1003)).toBe(3);
        const aged = await store.usage();
        expect(aged).toMatchObject({ events: 7, unauthenticatedEvents: 4, prunedEvents: 0 });
        expect(await recounted(db)).toEqual(totals(aged));
        const step = await store.pruneToSize({ maxBytes: 0, maxUnauthenticatedBytes: 0 });
        expect(step.events).toBeGreaterThan(0);
        const pruned = await store.usage();
        expect(pruned.prunedEvents).toBe(step.events);
        expect(pruned.prunedBytes).toBe(step.bytes);
        expect(await recounted(db)).toEqual(totals(pruned));
      },
    },
    {
      name: 'pruning to a size takes the oldest unauthenticated first past their share, then the oldest of all',
      async run({ db }) {
        const store = new TrailSqlStore(db);
        // Signed events are the oldest; strangers' come later.
        await store.append(Array.from({ length: 10 }, (_, i) => event(1000 + i)));
        const signed = await store.append(Array.from({ length: 10 }, (_, i) => stranger(2000 + i)));
        const oneStranger = signed.unauthenticatedBytes / 10;
        const oneSigned = (signed.bytes - signed.unauthenticatedBytes) / 10;
        // Strangers over their share (7 fit): their 3 oldest go, no signed event does.
        let step = await store.pruneToSize({
          maxBytes: signed.bytes,
          maxUnauthenticatedBytes: 7 * oneStranger,
        });
        expect(step).toMatchObject({ events: 3, done: true });
        let times = (await store.lookup(all({ direction: 'forward' }))).map((e) => e.eventTime);
        expect(times.slice(0, 10)).toEqual(Array.from({ length: 10 }, (_, i) => 1000 + i));
        expect(times.slice(10)).toEqual(Array.from({ length: 7 }, (_, i) => 2003 + i));
        // All over the total (room for 2 fewer signed events): the oldest of all go.
        step = await store.pruneToSize({
          maxBytes: step.usage.bytes - 2 * oneSigned,
          maxUnauthenticatedBytes: signed.bytes,
        });
        expect(step).toMatchObject({ events: 2, done: true });
        times = (await store.lookup(all({ direction: 'forward' }))).map((e) => e.eventTime);
        expect(times[0]).toBe(1002);
        expect(times).toHaveLength(15);
        // Within the budget: nothing to do.
        expect(
          await store.pruneToSize({ maxBytes: 1e12, maxUnauthenticatedBytes: 1e12 }),
        ).toMatchObject({ events: 0, done: true });
        expect((await store.usage()).prunedEvents).toBe(5);
      },
    },
    {
      name: 'pruning to a size goes a bounded slice at a time',
      async run({ db }) {
        const store = new TrailSqlStore(db);
        await store.append(Array.from({ length: 30 }, (_, i) => event(1000 + i)));
        const budget = { maxBytes: 0, maxUnauthenticatedBytes: 0 };
        const first = await store.pruneToSize(budget, 8);
        expect(first).toMatchObject({ events: 8, done: false });
        let steps = 1;
        for (let s = first; !s.done; steps++) s = await store.pruneToSize(budget, 8);
        expect(steps).toBe(4);
        expect(await countTrailEvents(db)).toBe(0);
        expect(await store.usage()).toMatchObject({ events: 0, bytes: 0, prunedEvents: 30 });
      },
    },
    {
      name: 'two nodes pruning at once delete each event once and keep the totals right',
      async run({ db, another }) {
        const a = new TrailSqlStore(db);
        const b = new TrailSqlStore(await another());
        await a.append(Array.from({ length: 40 }, (_, i) => event(1000 + i)));
        const u = await a.append(Array.from({ length: 40 }, (_, i) => stranger(1000 + i)));
        const budget = {
          maxBytes: u.bytes / 2,
          maxUnauthenticatedBytes: u.unauthenticatedBytes / 4,
        };
        const prune = async (s: TrailSqlStore) => {
          let n = 0;
          for (;;) {
            const step = await s.pruneToSize(budget, 5);
            n += step.events;
            if (step.done || step.events === 0) return n;
          }
        };
        const runs = [() => prune(a), () => prune(b), () => a.prune(1005)];
        if (db.dialect.multiNode) await Promise.all(runs.map((r) => r()));
        else for (const r of runs) await r();
        const after = await a.usage();
        expect(after.bytes).toBeLessThanOrEqual(budget.maxBytes);
        expect(after.unauthenticatedBytes).toBeLessThanOrEqual(budget.maxUnauthenticatedBytes);
        expect(await recounted(db)).toEqual(totals(after));
        expect(after.events).toBe(await countTrailEvents(db));
      },
    },
  ],
};

/** An event of a request nobody signed (refused, unknown AccessKeyId). */
function stranger(time: number): TrailEvent {
  return event(time, {
    accountId: '',
    identityType: 'unknown',
    principalId: '',
    userName: '',
    accessKeyId: 'LTAInobody',
    decision: 'none',
    decidedBy: '',
    errorCode: 'InvalidAccessKeyId.NotFound',
    errorMessage: 'Specified access key is not found.',
  });
}

/** The totals counted from the rows themselves. */
async function recounted(db: Db): Promise<Record<string, number>> {
  const r = await sql<any>`select count(*) as events, coalesce(sum(bytes), 0) as bytes,
      coalesce(sum(unauthenticated), 0) as unauthenticated_events,
      coalesce(sum(bytes * unauthenticated), 0) as unauthenticated_bytes
    from trail_events`.execute(db.k);
  const c = r.rows[0];
  return {
    events: Number(c.events),
    bytes: Number(c.bytes),
    unauthenticatedEvents: Number(c.unauthenticated_events),
    unauthenticatedBytes: Number(c.unauthenticated_bytes),
  };
}

function totals(u: TrailUsage): Record<string, number> {
  return {
    events: u.events,
    bytes: u.bytes,
    unauthenticatedEvents: u.unauthenticatedEvents,
    unauthenticatedBytes: u.unauthenticatedBytes,
  };
}
