import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DatabaseInUseError, openDb, type Db } from './db.js';
import { writeTarget, type CacheSpec } from './read-cache.js';

describe('writeTarget', () => {
  it.each([
    ['insert into "oss_objects" ("a") values (?)', 'oss_objects'],
    ['INSERT OR REPLACE INTO t (a) values (1)', 't'],
    ['replace into t values (1)', 't'],
    ['update "ram_roles" set "x" = ?', 'ram_roles'],
    ['delete from "Kernel_Nonces" where 1', 'kernel_nonces'],
    ['select * from t', null],
    ['  begin', null],
    ['commit', null],
    ['pragma synchronous = NORMAL', null],
    ['create table t (a text)', '*'],
    ['drop index i', '*'],
    ['with x as (select 1) insert into t select * from x', '*'],
  ])('%s → %s', (sqlText, table) => {
    expect(writeTarget(sqlText)).toBe(table);
  });
});

const SPEC: CacheSpec = { name: 'test', tables: ['t'], max: 2 };

describe('Db.cached on SQLite', () => {
  const dirs: string[] = [];
  const dbs: Db[] = [];
  afterEach(async () => {
    for (const db of dbs.splice(0)) await db.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  async function open(file?: string): Promise<{ db: Db; file: string }> {
    if (file === undefined) {
      const dir = mkdtempSync(join(tmpdir(), 'yunbox-cache-'));
      dirs.push(dir);
      file = join(dir, 'db.sqlite');
    }
    const db = await openDb({ kind: 'sqlite', file });
    dbs.push(db);
    await db.k.schema.createTable('t').ifNotExists().addColumn('v', 'integer').execute();
    await db.k.schema.createTable('u').ifNotExists().addColumn('v', 'integer').execute();
    return { db, file };
  }

  /** A cached read of the sum of `t`, counting how often it really reads. */
  function reader(db: Db) {
    let loads = 0;
    const read = () =>
      db.cached(SPEC, 'sum', async () => {
        loads++;
        const rows = await db.k.selectFrom('t').select('v').execute();
        return { sum: rows.reduce((a, r: any) => a + r.v, 0) };
      });
    return { read, loads: () => loads };
  }

  it('serves a frozen value until a table it reads from is written', async () => {
    const { db } = await open();
    const r = reader(db);
    expect(await r.read()).toEqual({ sum: 0 });
    const v = await r.read();
    expect(r.loads()).toBe(1);
    expect(Object.isFrozen(v)).toBe(true);
    await db.k.insertInto('u').values({ v: 5 }).execute();
    await r.read();
    expect(r.loads()).toBe(1); // another table
    await db.k.insertInto('t').values({ v: 5 }).execute();
    expect(await r.read()).toEqual({ sum: 5 });
    expect(r.loads()).toBe(2);
  });

  it('never serves a read inside a transaction, nor while a transaction has written', async () => {
    const { db } = await open();
    const r = reader(db);
    await r.read();
    let release!: () => void;
    const held = new Promise<void>((res) => (release = res));
    let wrote!: () => void;
    const written = new Promise<void>((res) => (wrote = res));
    const tx = db.transaction(async (t) => {
      await t.k.insertInto('t').values({ v: 7 }).execute();
      // Inside: no cache, the transaction's own write is seen.
      expect(
        await t.cached(SPEC, 'sum', async () => {
          const rows = await t.k.selectFrom('t').select('v').execute();
          return { sum: rows.length };
        }),
      ).toEqual({ sum: 1 });
      wrote();
      await held;
    });
    await written;
    // Outside, while the write is not committed: not served from the cache; the read waits
    // for the transaction and sees its result.
    const during = r.read();
    release();
    await tx;
    expect(await during).toEqual({ sum: 7 });
  });

  it('a write during the read stales what it read', async () => {
    const { db } = await open();
    let loads = 0;
    const read = () =>
      db.cached(SPEC, 'k', async () => {
        loads++;
        const rows = await db.k.selectFrom('t').select('v').execute();
        if (loads === 1) await db.k.insertInto('t').values({ v: 1 }).execute();
        return rows.length;
      });
    expect(await read()).toBe(0);
    expect(await read()).toBe(1);
    expect(loads).toBe(2);
  });

  it('refuses a second connection to the same file, so no write escapes the counters', async () => {
    const { db, file } = await open();
    await expect(openDb({ kind: 'sqlite', file })).rejects.toBeInstanceOf(DatabaseInUseError);
    // The first handle is unaffected, and the file opens again once it is closed.
    expect(await reader(db).read()).toEqual({ sum: 0 });
    await db.close();
    dbs.splice(dbs.indexOf(db), 1);
    await open(file);
  });

  it('keeps at most `max` entries', async () => {
    const { db } = await open();
    let loads = 0;
    const read = (key: string) => db.cached(SPEC, key, async () => ++loads);
    await read('a');
    await read('b');
    await read('c'); // evicts a
    await read('b');
    expect(loads).toBe(3);
    await read('a');
    expect(loads).toBe(4);
  });
});
