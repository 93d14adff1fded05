/**
 * @module Named (server-side prepared) statements for the SQL a node runs again and again on
 * PostgreSQL. Kysely's pg driver sends every query unnamed, so the server parses and plans it each
 * time: on a small request (a PUT is about fifteen statements) that was much of the database's
 * CPU, which on a small machine is taken from the node itself. A statement whose text has been
 * run a few times is given a name, and pg then parses it once per connection (`Bind`/`Execute`
 * only afterwards); the server may also keep a generic plan.
 *
 * Bounds: at most {@link MAX_NAMED} texts are ever named (first come: the hot ones come first),
 * and at most {@link MAX_TRACKED} are counted on the way; so each connection holds at most
 * {@link MAX_NAMED} prepared statements. BEGIN, COMMIT and multi-statement texts stay on the
 * simple protocol.
 *
 * A migration that changes a table's columns invalidates the plans of statements on it; for a
 * `select *` PostgreSQL then refuses the statement ("cached plan must not change result type",
 * SQLSTATE 0A000). On that error the connection stops using the name (the text goes unnamed
 * from then on), so the error reaches at most one query per connection and statement; the dead
 * statement stays on the server until the connection closes (bounded as above).
 */

import type { PostgresPool, PostgresPoolClient } from 'kysely';

/** The pool as Kysely's PostgresDialect uses it. */
interface Pool {
  connect(): Promise<PoolClient>;
  end(): Promise<void>;
}

/** The subset of a pg client used here. */
interface PoolClient {
  query(config: unknown, values?: unknown): Promise<any>;
  release(destroy?: boolean): void;
}

/** Most texts ever named, and most counted. */
const MAX_NAMED = 256;
const MAX_TRACKED = 4096;
/** Uses of a text before it is named. */
const NAME_AFTER = 3;
/** SQLSTATE of "cached plan must not change result type". */
const PLAN_CHANGED = '0A000';

/**
 * Whether a query may go named: one with parameters, or a lone `select` without (the cache
 * fence); BEGIN, COMMIT and multi-statement texts stay on the simple protocol (one message).
 */
function namable(text: string, values: unknown): boolean {
  if (Array.isArray(values) && values.length > 0) return true;
  return /^\s*select\b/i.test(text) && !text.includes(';');
}

/** Texts and their uses so far, and the names given. */
class Names {
  readonly #uses = new Map<string, number>();
  readonly #names = new Map<string, string>();

  /** The name for `text`, once it has been used often enough (undefined before, or when full). */
  nameOf(text: string): string | undefined {
    const named = this.#names.get(text);
    if (named !== undefined) return named;
    if (this.#names.size >= MAX_NAMED) return undefined;
    const n = (this.#uses.get(text) ?? 0) + 1;
    if (n < NAME_AFTER) {
      if (n > 1 || this.#uses.size < MAX_TRACKED) this.#uses.set(text, n);
      return undefined;
    }
    this.#uses.delete(text);
    const name = `yb_${this.#names.size}`;
    this.#names.set(text, name);
    return name;
  }
}

/**
 * `pool`, with the statements run often sent named (see the module comment).
 * @example
 * new PostgresDialect({ pool: namingStatements(new pg.Pool({ connectionString })) })
 */
export function namingStatements(pool: Pool): PostgresPool {
  const names = new Names();
  const wrapped = new WeakMap<PoolClient, PoolClient>();
  const wrap = (client: PoolClient): PoolClient => {
    let w = wrapped.get(client);
    if (w !== undefined) return w;
    /** Names this connection no longer uses (their plan's result type changed). */
    const stale = new Set<string>();
    w = {
      query(config: unknown, values?: unknown) {
        if (typeof config !== 'string' || !namable(config, values)) {
          return client.query(config, values);
        }
        const name = names.nameOf(config);
        if (name === undefined || stale.has(name)) return client.query(config, values);
        return client.query({ name, text: config, values }).catch((e: unknown) => {
          if ((e as { code?: unknown }).code === PLAN_CHANGED) stale.add(name);
          throw e;
        });
      },
      release: (destroy?: boolean) => client.release(destroy),
    };
    wrapped.set(client, w);
    return w;
  };
  return {
    connect: async () => wrap(await pool.connect()) as unknown as PostgresPoolClient,
    end: () => pool.end(),
  };
}
