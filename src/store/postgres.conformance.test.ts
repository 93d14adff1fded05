import { allMigrations } from '../services/index.js';
import { freshPgSchema, testPgUrl } from '../testing/server.js';
import { pgSkipReason } from '../testing/pg.js';
import { runStoreConformance } from './conformance/runner.js';
import { allConformanceSuites } from './conformance/suites.js';
import { openDb, type Db } from './db.js';
import { migrate } from './migrate.js';

const skip = await pgSkipReason();

runStoreConformance({
  name: 'postgres',
  suites: allConformanceSuites,
  ...(skip !== undefined ? { skipAll: skip } : {}),
  async open() {
    const schema = await freshPgSchema();
    const db = await openDb({ kind: 'postgres', url: testPgUrl(), schema: schema.schema });
    await migrate(db, allMigrations);
    const others: Db[] = [];
    return {
      db,
      async another() {
        const d = await openDb({ kind: 'postgres', url: testPgUrl(), schema: schema.schema });
        others.push(d);
        return d;
      },
      async dispose() {
        for (const d of others) await d.close();
        await db.close();
        await schema.drop();
      },
    };
  },
});
