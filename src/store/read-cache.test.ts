import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { freshPgSchema, testPgUrl } from '../testing/server.js';
import { pgSkipReason } from '../testing/pg.js';
import { DatabaseInUseError, openDb, type Db } from './db.js';
import { migrate, type MigrationSet } from './migrate.js';
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

const pgSkip = await pgSkipReason();

describe.skipIf(pgSkip !== undefined)('Db.cached on PostgreSQL, two nodes on one schema', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  /** Two handles (nodes) on a fresh schema with tables `t` and `u`, `c` referencing `u`. */
  async function twoNodes(): Promise<{ a: Db; b: Db; schema: string }> {
    const s = await freshPgSchema();
    cleanups.push(s.drop);
    const open = async () => {
      const db = await openDb({ kind: 'postgres', url: testPgUrl(), schema: s.schema });
      cleanups.push(() => db.close());
      return db;
    };
    const a = await open();
    const b = await open();
    await a.k.schema.createTable('t').addColumn('v', 'integer').execute();
    await a.k.schema
      .createTable('u')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .execute();
    await a.k.schema
      .createTable('c')
      .addColumn('u_id', 'integer', (c) => c.references('u.id').onDelete('cascade'))
      .execute();
    return { a, b, schema: s.schema };
  }

  function reader(db: Db, spec: CacheSpec = SPEC, table = 't') {
    let loads = 0;
    const read = () =>
      db.cached(spec, 'sum', async () => {
        loads++;
        const rows = await db.k.selectFrom(table).selectAll().execute();
        return { n: rows.length, sum: rows.reduce((x, r: any) => x + (r.v ?? 0), 0) };
      });
    return { read, loads: () => loads };
  }

  it('serves from the cache until another node writes, and then never the old value', async () => {
    const { a, b } = await twoNodes();
    const r = reader(b);
    expect(await r.read()).toEqual({ n: 0, sum: 0 });
    const v = await r.read();
    expect(r.loads()).toBe(1);
    expect(Object.isFrozen(v)).toBe(true);
    await a.k.insertInto('u').values({ id: 1 }).execute(); // another table
    await r.read();
    expect(r.loads()).toBe(1);
    for (let i = 1; i <= 50; i++) {
      await a.k.insertInto('t').values({ v: 1 }).execute();
      expect(await r.read()).toEqual({ n: i, sum: i });
      expect(await r.read()).toEqual({ n: i, sum: i });
    }
    expect(r.loads()).toBe(51); // once per write, not once per read
    await a.k.updateTable('t').set({ v: 2 }).execute();
    expect(await r.read()).toEqual({ n: 50, sum: 100 });
    await a.k.deleteFrom('t').execute();
    expect(await r.read()).toEqual({ n: 0, sum: 0 });
    await a.k.insertInto('t').values({ v: 3 }).execute();
    await sql`truncate t`.execute(a.k);
    expect(await r.read()).toEqual({ n: 0, sum: 0 });
  });

  it('sees a write committed by a transaction once it is acknowledged, not before', async () => {
    const { a, b } = await twoNodes();
    const r = reader(b);
    await r.read();
    let release!: () => void;
    const held = new Promise<void>((res) => (release = res));
    let wrote!: () => void;
    const written = new Promise<void>((res) => (wrote = res));
    const tx = a.transaction(async (t) => {
      await t.k.insertInto('t').values({ v: 7 }).execute();
      await t.k.insertInto('t').values({ v: 1 }).execute();
      wrote();
      await held;
    });
    await written;
    // Not committed: the other node reads (and caches) the old rows.
    expect(await r.read()).toEqual({ n: 0, sum: 0 });
    release();
    await tx;
    expect(await r.read()).toEqual({ n: 2, sum: 8 });
    // A rolled-back write changes nothing it could have stale-d.
    await expect(
      a.transaction(async (t) => {
        await t.k.insertInto('t').values({ v: 100 }).execute();
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await r.read()).toEqual({ n: 2, sum: 8 });
  });

  it('a write committed during the load stales what it read', async () => {
    const { a, b } = await twoNodes();
    let loads = 0;
    const read = () =>
      b.cached(SPEC, 'k', async () => {
        loads++;
        const rows = await b.k.selectFrom('t').select('v').execute();
        if (loads === 1) await a.k.insertInto('t').values({ v: 1 }).execute();
        return rows.length;
      });
    expect(await read()).toBe(0);
    expect(await read()).toBe(1);
    expect(await read()).toBe(1);
    expect(loads).toBe(2);
  });

  it('counts cascaded deletes, and writes from sessions outside the pools', async () => {
    const { a, b, schema } = await twoNodes();
    const children: CacheSpec = { name: 'children', tables: ['c'], max: 8 };
    const r = reader(b, children, 'c');
    await a.k.insertInto('u').values({ id: 1 }).execute();
    await a.k.insertInto('c').values({ u_id: 1 }).execute();
    expect((await r.read()).n).toBe(1);
    await a.k.deleteFrom('u').where('id', '=', 1).execute(); // deletes the child row too
    expect((await r.read()).n).toBe(0);

    // A plain session (no claimed slot, another search_path) writing the table.
    const t = reader(b);
    expect((await t.read()).n).toBe(0);
    const c = new pg.Client({ connectionString: testPgUrl() });
    await c.connect();
    try {
      await c.query(`insert into "${schema}".t (v) values (5)`);
    } finally {
      await c.end();
    }
    expect(await t.read()).toEqual({ n: 1, sum: 5 });
    // The pools' connections wrote through slots of their own, the plain session a shared one.
    const slots = await sql<{ slot: number }>`select slot from yunbox_cache_gen where tbl = 't'`
      .execute(a.k)
      .then((x) => x.rows.map((row) => row.slot));
    expect(slots.length).toBe(1);
    expect(slots[0]).toBeGreaterThanOrEqual(1024);
    const own = await sql<{ slot: number }>`select slot from yunbox_cache_gen where tbl = 'c'`
      .execute(a.k)
      .then((x) => x.rows.map((row) => row.slot));
    expect(own.length).toBeGreaterThan(0);
    for (const s of own) expect(s).toBeLessThan(1024);
  });

  it('checks its triggers again after another node migrated (a table swapped for a new one)', async () => {
    const { a, b } = await twoNodes();
    const r = reader(b);
    expect(await r.read()).toEqual({ n: 0, sum: 0 });
    const swap: MigrationSet = {
      service: 'test',
      migrations: [
        {
          name: '0001-swap',
          async up(db) {
            await sql`drop table t`.execute(db.k);
            await sql`create table t (v integer)`.execute(db.k);
            await sql`insert into t (v) values (9)`.execute(db.k);
          },
        },
      ],
    };
    expect(await migrate(a, [swap])).toEqual(['test/0001-swap']);
    expect(await r.read()).toEqual({ n: 1, sum: 9 });
    await a.k.insertInto('t').values({ v: 1 }).execute();
    expect(await r.read()).toEqual({ n: 2, sum: 10 });
    await a.k.insertInto('t').values({ v: 1 }).execute();
    expect(await r.read()).toEqual({ n: 3, sum: 11 });
    const loads = r.loads();
    expect(await r.read()).toEqual({ n: 3, sum: 11 });
    expect(r.loads()).toBe(loads); // cached again
  });

  it('never caches a table that does not exist, nor inside a transaction', async () => {
    const { b } = await twoNodes();
    let loads = 0;
    const ghost: CacheSpec = { name: 'ghost', tables: ['no_such_table'], max: 8 };
    for (let i = 0; i < 3; i++) await b.cached(ghost, 'k', async () => ++loads);
    expect(loads).toBe(3);
    await b.transaction(async (tx) => {
      for (let i = 0; i < 2; i++) await tx.cached(SPEC, 'k', async () => ++loads);
    });
    expect(loads).toBe(5);
  });
});
