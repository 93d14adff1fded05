/**
 * @module The gateway's own cases for the shared store suite: nonces and migrations.
 */
import { expect } from 'vitest';
import type { ConformanceSuite } from '../store/conformance/runner.js';
import { migrate } from '../store/migrate.js';
import { allMigrations } from '../services/index.js';
import { NonceStore } from './nonces.js';

export const kernelConformance: ConformanceSuite = {
  service: 'kernel',
  cases: [
    {
      name: 'a nonce is accepted once per window, across nodes (or across a restart on one node)',
      async run({ db, another }) {
        const a = new NonceStore(db);
        if (db.dialect.multiNode) {
          const b = new NonceStore(await another());
          const results = await Promise.all([a.use('k', 'n1', 0, 100), b.use('k', 'n1', 0, 100)]);
          expect(results.sort()).toEqual([false, true]);
          expect(await b.use('k', 'n1', 50, 150)).toBe(false);
        } else {
          // One node: concurrent uses in one process, then a "restart" reading the same file.
          const results = await Promise.all([a.use('k', 'n1', 0, 100), a.use('k', 'n1', 0, 100)]);
          expect(results.sort()).toEqual([false, true]);
          await a.flush();
          expect(await new NonceStore(db).use('k', 'n1', 50, 150)).toBe(false);
        }
        expect(await a.use('k2', 'n1', 0, 100)).toBe(true);
        expect(await a.use('k', 'n1', 50, 150)).toBe(false);
        expect(await a.use('k', 'n1', 100, 200)).toBe(true);
        await a.flush();
        await a.sweep(1000);
        expect(await a.use('k', 'n1', 1000, 1100)).toBe(true);
        await a.flush();
      },
    },
    {
      name: 'migrations are idempotent and safe when two nodes start together',
      async run({ db, another }) {
        const db2 = await another();
        const [x, y] = await Promise.all([migrate(db, allMigrations), migrate(db2, allMigrations)]);
        expect(x).toEqual([]);
        expect(y).toEqual([]);
      },
    },
  ],
};
