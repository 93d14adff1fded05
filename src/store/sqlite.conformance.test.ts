import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allMigrations } from '../services/index.js';
import { runStoreConformance } from './conformance/runner.js';
import { allConformanceSuites } from './conformance/suites.js';
import { openDb } from './db.js';
import { migrate } from './migrate.js';

runStoreConformance({
  name: 'sqlite',
  suites: allConformanceSuites,
  async open() {
    const dir = await mkdtemp(join(tmpdir(), 'yunbox-conf-'));
    const file = join(dir, 'yunbox.db');
    const db = await openDb({ kind: 'sqlite', file });
    await migrate(db, allMigrations);
    return {
      db,
      // A SQLite store is one process holding its file exclusively (db.ts): the "other node"
      // is this handle, as in a deployment.
      async another() {
        return db;
      },
      async dispose() {
        await db.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
});
