/**
 * Unit tests of the access-log writer on an in-memory store: lines wait for the end of their
 * hour on the manual clock, a buffer past 1 MiB is written early as the hour's next object (so
 * memory stays bounded and nothing is overwritten), close() writes what is left and later lines
 * are only counted, and a target bucket that is gone loses its lines with a count, not a crash.
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { PostgresBlobStore, blobMigrations } from '../../blob/postgres/postgres-blob-store.js';
import { ManualClock } from '../../kernel/clock.js';
import { openDb } from '../../store/db.js';
import { migrate } from '../../store/migrate.js';
import { AccessLogWriter, accessLogLine, logObjectKey, type AccessLogFacts } from './access-log.js';
import { ossMigrations } from './index.js';
import type { Bucket } from './model.js';
import { OssSqlStore } from './store-sql.js';

const HOUR = 3600_000;
const T0 = Date.parse('2026-03-01T10:00:00Z');

function bucket(name: string): Bucket {
  return {
    name,
    accountId: '1000000000000001',
    region: 'cn-hangzhou',
    acl: 'private',
    storageClass: 'Standard',
    redundancy: 'LRS',
    createdAt: 1,
  };
}

function facts(time: number, key: string): AccessLogFacts {
  return {
    remoteIp: '10.0.0.1',
    time,
    method: 'GET',
    uri: `/${key}`,
    status: 200,
    sentBytes: 5,
    requestMs: 1.4,
    host: 'src.oss-cn-hangzhou.aliyuncs.com',
    requestId: 'RID',
    operation: 'GetObject',
    bucket: 'src',
    key,
    requestLength: 100,
    owner: '1000000000000001',
  };
}

async function setup() {
  const db = await openDb({ kind: 'sqlite', file: ':memory:' });
  await migrate(db, [ossMigrations, blobMigrations]);
  const store = new OssSqlStore(db);
  const blobs = new PostgresBlobStore(db);
  await store.createBucket(bucket('src'), 100);
  await store.createBucket(bucket('dst'), 100);
  const clock = new ManualClock(T0 + 60_000);
  const writer = new AccessLogWriter({ store, blobs, clock, log: pino({ level: 'silent' }) });
  const read = async (key: string) => {
    const o = await store.getObject('dst', key);
    const chunks: Buffer[] = [];
    for (const s of o!.segments)
      for await (const c of await blobs.read(s.blobId)) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };
  const keys = async () =>
    (await store.listObjects('dst', { prefix: '', limit: 100 })).map((o) => o.key);
  return { db, store, clock, writer, read, keys };
}

const conf = { targetBucket: 'dst', targetPrefix: 'log/' };

describe('access-log lines and names', () => {
  it('formats OSS fields in order, quoting and escaping what a caller sends', () => {
    const line = accessLogLine({ ...facts(T0, 'a b"c'), userAgent: 'ua\u0001"x' });
    expect(line).toBe(
      '10.0.0.1 - - [01/Mar/2026:10:00:00 +0000] "GET /a b\\x22c HTTP/1.1" 200 5 1 "-" "ua\\x01\\x22x" "src.oss-cn-hangzhou.aliyuncs.com" "RID" "true" "-" "GetObject" "src" "a%20b%22c" - 1 "-" 100 "1000000000000001" - "-"',
    );
    expect(logObjectKey('p/', 'b', T0, 12)).toBe('p/b2026-03-01-10-00-00-0012');
  });
});

describe('AccessLogWriter', () => {
  it('writes an hour once the clock passes it, early past 1 MiB, and everything on close', async () => {
    const { db, clock, writer, read, keys } = await setup();
    const lines: string[] = [];
    // ~1.3 MiB of lines in one hour: one early object, the rest at the hour's end.
    for (let i = 0; lines.join('\n').length < 1.3 * 1024 * 1024; i++) {
      const f = facts(T0 + 1000, `k${i}-${'x'.repeat(400)}`);
      lines.push(accessLogLine(f));
      writer.record(bucket('src'), conf, f);
    }
    await writer.idle();
    expect(await keys()).toEqual(['log/src2026-03-01-10-00-00-0001']);
    clock.advance(HOUR / 2); // 10:31: the hour is not over
    await writer.idle();
    expect(await keys()).toHaveLength(1);
    clock.set(T0 + HOUR); // 11:00
    await writer.idle();
    const names = await keys();
    expect(names).toEqual(['log/src2026-03-01-10-00-00-0001', 'log/src2026-03-01-10-00-00-0002']);
    const text = (await read(names[0]!)) + (await read(names[1]!));
    expect(text).toBe(lines.map((l) => `${l}\n`).join(''));
    // The next hour's lines wait in memory until close.
    writer.record(bucket('src'), conf, facts(T0 + HOUR + 5, 'late'));
    await writer.close();
    expect(await keys()).toContain('log/src2026-03-01-11-00-00-0001');
    writer.record(bucket('src'), conf, facts(T0 + HOUR + 6, 'after-close'));
    expect(writer.dropped).toBe(1);
    await db.close();
  });

  it('loses the lines of a target bucket that is gone, counting them', async () => {
    const { db, clock, writer } = await setup();
    writer.record(bucket('src'), { targetBucket: 'nowhere', targetPrefix: '' }, facts(T0, 'a'));
    clock.advance(HOUR);
    await writer.idle();
    expect(writer.dropped).toBe(1);
    await writer.close();
    await db.close();
  });
});
