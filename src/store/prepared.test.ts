import { describe, expect, it } from 'vitest';
import { openDb } from './db.js';
import { prepared } from './prepared.js';

describe('prepared queries', () => {
  it('compile once and run with new values, constants kept', async () => {
    const db = await openDb({ kind: 'sqlite', file: ':memory:' });
    await db.k.schema
      .createTable('t')
      .addColumn('a', 'text')
      .addColumn('b', 'integer')
      .addColumn('c', 'text')
      .execute();
    const ins = prepared((k, a: string, b: number) =>
      k.insertInto('t').values({ a, b, c: 'const' }),
    );
    const sel = prepared((k, b: number) =>
      k.selectFrom('t').selectAll().where('b', '>', b).where('c', '=', 'const').orderBy('b'),
    );
    expect(await ins.changes(db, 'x', 1)).toBe(1);
    await ins.changes(db, 'y', 2);
    await ins.changes(db, 'z', 3);
    expect((await sel.rows(db, 1)).map((r: any) => r.a)).toEqual(['y', 'z']);
    expect(await sel.first(db, 3)).toBeUndefined();
    await db.close();
  });
});
