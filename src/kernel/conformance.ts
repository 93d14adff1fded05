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
      name: 'nonces batched on one node are refused on the other, in every round (PostgreSQL)',
      async run({ db, another }) {
        if (!db.dialect.multiNode) return; // one node: the case above
        const a = new NonceStore(db);
        const b = new NonceStore(await another());
        for (let i = 0; i < 40; i++) {
          // Each node's uses of a turn go out as one batch: the shared nonce is accepted once.
          const [x, y, z, w] = await Promise.all([
            a.use('k', `n${i}`, 0, 100),
            a.use('k', `a${i}`, 0, 100),
            b.use('k', `n${i}`, 0, 100),
            b.use('k', `b${i}`, 0, 100),
          ]);
          expect([x, z].sort()).toEqual([false, true]);
          expect([y, w]).toEqual([true, true]);
          // Acknowledged on one node, then replayed on the other (in a batch with a fresh one).
          const first = i % 2 === 0 ? a : b;
          const other = i % 2 === 0 ? b : a;
          expect(await first.use('k', `r${i}`, 0, 100)).toBe(true);
          const [replay, fresh] = await Promise.all([
            other.use('k', `r${i}`, 10, 110),
            other.use('k', `f${i}`, 10, 110),
          ]);
          expect([replay, fresh]).toEqual([false, true]);
        }
        // Twice in one batch of one node: once.
        const twice = await Promise.all([a.use('k', 'd', 0, 100), a.use('k', 'd', 0, 100)]);
        expect(twice.sort()).toEqual([false, true]);
        // An expired record is taken over in a batch; a live one is not.
        const later = await Promise.all([a.use('k', 'd', 100, 200), b.use('k', 'a0', 50, 150)]);
        expect(later).toEqual([true, false]);
        // A nonce PostgreSQL cannot store fails alone, not the batch it arrived with.
        const [bad, good] = await Promise.allSettled([
          a.use('k', 'nul\u0000', 0, 100),
          a.use('k', 'good', 0, 100),
        ]);
        expect(bad.status).toBe('rejected');
        expect(good).toEqual({ status: 'fulfilled', value: true });
        await Promise.all([a.flush(), b.flush()]);
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
