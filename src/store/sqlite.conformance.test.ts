import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allMigrations } from '../services/index.js';
import { runStoreConformance } from './conformance/runner.js';
import { allConformanceSuites } from './conformance/suites.js';
import { openDb, type Db } from './db.js';
import { migrate } from './migrate.js';

runStoreConformance({
  name: 'sqlite',
  suites: allConformanceSuites,
  async open() {
    const dir = await mkdtemp(join(tmpdir(), 'yunbox-conf-'));
    const file = join(dir, 'yunbox.db');
    const db = await openDb({ kind: 'sqlite', file });
    await migrate(db, allMigrations);
    const others: Db[] = [];
    return {
      db,
      async another() {
        const d = await openDb({ kind: 'sqlite', file });
        others.push(d);
        return d;
      },
      async dispose() {
        for (const d of others) await d.close();
        await db.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
});
