/**
 * @module The same checks on a fresh SQLite database and on a fresh PostgreSQL schema (skipped
 * with its reason where PostgreSQL is not reachable, a failure under `YUNBOX_REQUIRE_PG`), each
 * closed and dropped afterwards: for tests of migrations and of store code outside the
 * conformance suite.
 */
import { afterEach, describe, it } from 'vitest';
import { openDb, type Db } from '../store/db.js';
import { pgSkipReason } from './pg.js';
import { freshPgSchema, testPgUrl } from './server.js';

/**
 * Registers `checks` as two vitest cases, `sqlite` and `postgres`, under `title`.
 * @example
 * describeOnEachStore('0006-tags-everywhere on tags kept in rows', async (db) => { … });
 */
export function describeOnEachStore(title: string, checks: (db: Db) => Promise<void>): void {
  describe(title, () => {
    const cleanups: Array<() => Promise<void>> = [];
    afterEach(async () => {
      while (cleanups.length) await cleanups.pop()!();
    });

    it('sqlite', async () => {
      const db = await openDb({ kind: 'sqlite', file: ':memory:' });
      cleanups.push(() => db.close());
      await checks(db);
    });

    it('postgres', async (t) => {
      const skip = await pgSkipReason();
      if (skip !== undefined) return t.skip(skip);
      const schema = await freshPgSchema();
      cleanups.push(() => schema.drop());
      const db = await openDb({ kind: 'postgres', url: testPgUrl(), schema: schema.schema });
      cleanups.push(() => db.close());
      await checks(db);
    });
  });
}
