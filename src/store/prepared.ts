/**
 * @module Queries compiled once: a hot query is built with Kysely once per dialect, with sentinel
 * parameters, and later runs with real values without building or compiling again (Kysely's
 * builder and compiler were a sixth of the time of a small request). Only for queries whose SQL
 * does not depend on the values (no optional clauses, no `in` lists of varying length).
 */
import { CompiledQuery, type Compilable, type Kysely } from 'kysely';
import type { Db } from './db.js';

const SENTINEL = '\u0000yunbox-param-';

/** A compiled query, run with `run(db, ...values)`. */
export interface PreparedQuery<A extends unknown[], R> {
  /** Rows of the query for these values. */
  rows(db: Db, ...args: A): Promise<R[]>;
  /** First row, or undefined. */
  first(db: Db, ...args: A): Promise<R | undefined>;
  /** Number of rows changed (writes). */
  changes(db: Db, ...args: A): Promise<number>;
}

/**
 * Prepares `build` (which must use each argument as a parameter value only).
 * @example
 * const byId = prepared((k, id: string) => k.selectFrom('ram_roles').selectAll().where('role_id', '=', id));
 * const role = await byId.first(db, '123');
 */
export function prepared<A extends unknown[], R = any>(
  build: (k: Kysely<any>, ...args: A) => Compilable<any>,
): PreparedQuery<A, R> {
  const compiled = new Map<string, { sql: string; slots: Array<number | { value: unknown }> }>();
  const compile = (db: Db) => {
    let c = compiled.get(db.dialect.name);
    if (!c) {
      const sentinels = Array.from({ length: build.length - 1 }, (_, i) => `${SENTINEL}${i}`);
      const q = build(db.k, ...(sentinels as unknown as A)).compile();
      const slots = q.parameters.map((p) =>
        typeof p === 'string' && p.startsWith(SENTINEL)
          ? Number(p.slice(SENTINEL.length))
          : { value: p },
      );
      c = { sql: q.sql, slots };
      compiled.set(db.dialect.name, c);
    }
    return c;
  };
  const exec = async (db: Db, args: A) => {
    const c = compile(db);
    const params = c.slots.map((s) => (typeof s === 'number' ? args[s] : s.value));
    return db.k.executeQuery<R>(CompiledQuery.raw(c.sql, params));
  };
  return {
    async rows(db, ...args) {
      return (await exec(db, args)).rows;
    },
    async first(db, ...args) {
      return (await exec(db, args)).rows[0];
    },
    async changes(db, ...args) {
      const r = await exec(db, args);
      return Number(r.numAffectedRows ?? 0n);
    },
  };
}
