import { CompiledQuery, sql } from 'kysely';
import { expect } from 'vitest';
import { describeOnEachStore } from '../testing/each-store.js';

describeOnEachStore('relaxed and locked transactions', async (db) => {
  await sql`create table t (k text primary key)`.execute(db.k);

  await db.relaxed(async (tx) => {
    await sql`insert into t values ('a')`.execute(tx.k);
  });
  // One relaxed statement, on both stores.
  await db.relaxedQuery(CompiledQuery.raw(`insert into t values ('b')`, []));
  const keys = async () =>
    (await sql<{ k: string }>`select k from t order by k`.execute(db.k)).rows.map((r) => r.k);
  expect(await keys()).toEqual(['a', 'b']);

  if (db.dialect.name === 'postgres') {
    // On PostgreSQL a relaxed block is one transaction: its writes commit together, or not at all.
    await expect(
      db.relaxed(async (tx) => {
        await sql`insert into t values ('c')`.execute(tx.k);
        await sql`insert into t values ('a')`.execute(tx.k); // duplicate: rolls 'c' back
      }),
    ).rejects.toThrow();
    expect(await keys()).toEqual(['a', 'b']);
    // The relaxed transaction runs with synchronous_commit off; others keep the server's.
    const relaxed = await db.relaxed(
      async (tx) =>
        (await sql<{ s: string }>`select current_setting('synchronous_commit') as s`.execute(tx.k))
          .rows[0]!.s,
    );
    expect(relaxed).toBe('off');
    const one = await db.relaxedQuery<{ s: string }>(
      CompiledQuery.raw(`select current_setting('synchronous_commit') as s`, []),
    );
    expect(one.rows[0]!.s).toBe('off');
    const outside = await db.transaction(
      async (tx) =>
        (await sql<{ s: string }>`select current_setting('synchronous_commit') as s`.execute(tx.k))
          .rows[0]!.s,
    );
    expect(outside).not.toBe('off');
  }

  // Locked: two holders of one lock name (a quote in it, too) run one after the other.
  const name = `it's a "lock" \\ name`;
  const order: string[] = [];
  let release!: () => void;
  let entered!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const inside = new Promise<void>((r) => (entered = r));
  const first = db.withLock(name, async () => {
    order.push('first in');
    entered();
    await held;
    order.push('first out');
  });
  await inside;
  const second = db.withLock(name, async () => {
    order.push('second in');
  });
  // Time for the second to enter, were the lock not held (the order shows it either way).
  await new Promise((r) => setTimeout(r, 100));
  release();
  await Promise.all([first, second]);
  expect(order).toEqual(['first in', 'first out', 'second in']);

  // A locked transaction rolls back on failure and the lock is free again.
  await expect(
    db.withLock(name, async (tx) => {
      await sql`insert into t values ('d')`.execute(tx.k);
      throw new Error('no');
    }),
  ).rejects.toThrow('no');
  expect(await keys()).toEqual(['a', 'b']);
  expect(await db.withLock(name, async () => 'free')).toBe('free');
});
