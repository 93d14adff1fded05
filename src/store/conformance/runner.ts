/**
 * @module The one store conformance suite (Hono common.case.test.ts, MinIO
 * ExecObjectLayerTest): every service's `conformance.ts` cases run against a fresh store of each
 * dialect. `sqlite.conformance.test.ts` and `postgres.conformance.test.ts` call
 * {@link runStoreConformance} with the same bodies; a skip names the case and the reason.
 */
import { describe, it } from 'vitest';
import type { Db } from '../db.js';

/** A fresh, migrated database, and a way to open a second handle on it (another "node"). */
export interface ConformanceStore {
  db: Db;
  /**
   * Another node's handle on the same database (closed by `dispose`); on SQLite, which is one
   * process holding its file exclusively, the same handle.
   */
  another(): Promise<Db>;
  dispose(): Promise<void>;
}

/** One conformance case. */
export interface ConformanceCase {
  name: string;
  run(store: ConformanceStore): Promise<void>;
}

/** A service's cases. */
export interface ConformanceSuite {
  service: string;
  cases: ConformanceCase[];
}

/** Options of {@link runStoreConformance}. */
export interface ConformanceOptions {
  name: string;
  open(): Promise<ConformanceStore>;
  suites: ConformanceSuite[];
  /** Case names (`service: case`) to skip, with the reason. */
  skip?: Record<string, string>;
  /** Skip everything, with the reason (e.g. PostgreSQL not reachable). */
  skipAll?: string;
}

/** Registers the suite with vitest. */
export function runStoreConformance(opts: ConformanceOptions): void {
  describe(`store conformance: ${opts.name}`, () => {
    for (const suite of opts.suites) {
      describe(suite.service, () => {
        for (const c of suite.cases) {
          const id = `${suite.service}: ${c.name}`;
          const reason = opts.skipAll ?? opts.skip?.[id];
          if (reason !== undefined) {
            it.skip(`${c.name} (skipped: ${reason})`, () => {});
            continue;
          }
          it(c.name, async () => {
            const store = await opts.open();
            try {
              await c.run(store);
            } finally {
              await store.dispose();
            }
          });
        }
      });
    }
  });
}
