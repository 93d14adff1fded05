/**
 * The trail's writer thread loses nothing acknowledged on a clean shutdown: every request
 * answered before `close()` (RPC through @alicloud/pop-core, OSS through ali-oss, many in
 * flight at once) is found by LookupEvents after a restart on the same store, with nothing
 * flushed by hand. On SQLite the events live in the writer's own file beside the main one
 * (`yunbox-trail.db`); on PostgreSQL in the same schema. Events an older version kept in the
 * main SQLite file move to the writer's file at start, and LookupEvents finds them there.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allMigrations } from '../../../src/services/index.js';
import { TrailSqlStore, countTrailEvents } from '../../../src/services/trail/store-sql.js';
import { startYunbox, type Yunbox } from '../../../src/main.js';
import { openDb } from '../../../src/store/db.js';
import { migrate } from '../../../src/store/migrate.js';
import { trailEvent } from '../../../src/testing/trail.js';
import { rootOf } from '../../../src/testing/fixtures.js';
import { ossClient, popClient } from '../../../src/testing/sdk.js';
import { freshPgSchema, testStoreKind } from '../../../src/testing/server.js';
import { lookupAll } from './helpers.js';

let dataDir: string;
let store: string;
let drop: (() => Promise<void>) | undefined;

function start(): Promise<Yunbox> {
  return startYunbox({
    listen: '127.0.0.1:0',
    tlsListen: 'off',
    metadataListen: 'off',
    logLevel: 'silent',
    env: {},
    dataDir,
    store,
  });
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'yunbox-trail-durability-'));
  if (testStoreKind() === 'postgres') {
    const s = await freshPgSchema();
    store = s.url;
    drop = s.drop;
  } else store = 'sqlite';
});

afterAll(async () => {
  await drop?.();
  await rm(dataDir, { recursive: true, force: true });
});

describe('the audit trail across a clean shutdown', () => {
  it('keeps the event of every request answered before close, found after a restart', async () => {
    const first = await start();
    const answered: string[] = [];
    try {
      const root = rootOf(first);
      const ram = popClient(first, root, '2015-05-01');
      const oss = ossClient(first, root, { bucket: 'durable-trail' });
      const put = await oss.putBucket('durable-trail');
      answered.push(put.res.headers['x-oss-request-id'] as string);
      // Rounds of concurrent calls, so batches are in flight and queued when close() comes.
      for (let round = 0; round < 6; round++) {
        const calls: Array<Promise<string>> = [];
        for (let i = 0; i < 20; i++) {
          calls.push(ram.request<{ RequestId: string }>('ListUsers', {}).then((r) => r.RequestId));
          calls.push(
            oss
              .put(`k-${round}-${i}`, Buffer.from(`body ${round} ${i}`))
              .then((r: any) => r.res.headers['x-oss-request-id'] as string),
          );
        }
        answered.push(...(await Promise.all(calls)));
      }
    } finally {
      await first.close();
    }
    expect(answered.length).toBe(241);
    expect(new Set(answered).size).toBe(answered.length);

    const second = await start();
    try {
      const events = await lookupAll(second, rootOf(second));
      const recorded = new Set(events.map((e) => e.requestId as string));
      const missing = answered.filter((id) => !recorded.has(id));
      expect(missing).toEqual([]);
      if (testStoreKind() === 'sqlite') {
        // The writer's own file, beside the main one.
        expect(await readdir(dataDir)).toContain('yunbox-trail.db');
      }
    } finally {
      await second.close();
    }
  });
});

describe('events of the main SQLite file, from before the writer thread', () => {
  it.skipIf(testStoreKind() !== 'sqlite')(
    'move to the trail database at start (PostgreSQL keeps one table: nothing to move)',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'yunbox-trail-move-'));
      try {
        // A data directory as an older version left it: the events in yunbox.db.
        const main = await openDb({ kind: 'sqlite', file: join(dir, 'yunbox.db') });
        await migrate(main, allMigrations);
        const old = Array.from({ length: 1203 }, (_, i) =>
          trailEvent({
            eventId: `018F3A2B-4C5D-7000-8A1B-${String(i).padStart(12, '0')}`,
            eventTime: Date.now() - 3600_000 + i,
            requestId: `old-${i}`,
            accountId: '',
          }),
        );
        await new TrailSqlStore(main).append(old);
        await main.close();

        const yb = await startYunbox({
          listen: '127.0.0.1:0',
          tlsListen: 'off',
          metadataListen: 'off',
          logLevel: 'silent',
          env: {},
          dataDir: dir,
          store: 'sqlite',
        });
        let found: Set<string>;
        try {
          // LookupEvents shows moved events as they arrive; the move is behind the requests.
          for (;;) {
            const events = await lookupAll(yb, rootOf(yb), [['EventName', 'CreateUser']]);
            found = new Set(events.map((e) => e.requestId as string));
            if (found.size >= old.length) break;
            await new Promise((r) => setTimeout(r, 20));
          }
        } finally {
          await yb.close();
        }
        expect(old.filter((e) => !found.has(e.requestId))).toEqual([]);
        const after = await openDb({ kind: 'sqlite', file: join(dir, 'yunbox.db') });
        try {
          expect(await countTrailEvents(after)).toBe(0);
        } finally {
          await after.close();
        }
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});
