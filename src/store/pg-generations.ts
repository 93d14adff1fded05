/**
 * @module Write generations on PostgreSQL: the change signal that lets each node of a cluster
 * keep the read caches of read-cache.ts and still never serve what a write acknowledged by any
 * node has changed.
 *
 * Shape:
 * - `yunbox_cache_gen (tbl, slot, n)`: for each cached table, counters that only grow. A
 *   statement-level trigger on the table adds 1 to one of them for every INSERT, UPDATE, DELETE
 *   or TRUNCATE statement, *in the writing transaction*: the bump commits with the write, or
 *   rolls back with it, and cascaded deletes bump the child table too (they run as statements).
 *   The generation of a table is the sum of its counters.
 * - A fence: `select tbl, sum(n) … group by tbl`, one round trip for every table. A cached
 *   read first waits for a fence *sent after the read was asked for* (fences are shared: every
 *   read asked for before one is sent joins it, and one is in flight at a time), then serves its
 *   entry only if the entry was loaded under the same generations; otherwise it loads the data,
 *   after the fence returned, and tags it with the fence's generations.
 *
 * Why no node serves data older than a write W to a table T that any node acknowledged:
 * 1. W's bump of T's counter commits atomically with W, and PostgreSQL makes a commit visible
 *    before COMMIT returns, so every snapshot taken after W was acknowledged, on any connection
 *    of any node, sees both. A request sent after the acknowledgement asks for its reads
 *    afterwards, and each read's fence is sent later still (whichever pooled connection runs
 *    it): the fence counts W.
 * 2. An entry is tagged with a fence that returned *before* its data was read, and statements
 *    outside transactions take a new snapshot each, so the data's snapshot is later than the
 *    tag's: it holds every write committed before the tag (and perhaps later ones).
 * 3. Counters only grow, so equal sums mean equal counters: no write to the entry's tables
 *    committed between the tag's fence and the current one. So W committed before the tag's
 *    fence, and by (2) the entry holds it; any difference reloads instead.
 * Reads inside a transaction never use the caches (they must see their own writes). A write
 * in flight or rolled back is not acknowledged, so caching around it is harmless: if it
 * commits, its bump commits too and the next fence differs.
 *
 * Triggers are installed when a cache first reads a table on a node (under a cluster-wide lock;
 * CREATE TRIGGER waits for the transactions writing the table, so none commits uncounted after
 * it, and writes that committed before are seen by every later read), and that read waits for
 * it; a table whose trigger cannot be installed is read every time, never served from a cache.
 * A migration could replace a table (and lose its trigger) under nodes already running: the
 * migrator bumps a schema generation (`*`) in its transaction; it is part of every entry's tag,
 * and a node whose fence shows a new one bypasses the cache and checks its triggers again,
 * so a swapped table is covered again before anything read from it is cached.
 *
 * Each pooled connection claims a slot of its own (a session advisory lock), so two writing
 * transactions never wait on each other's counter row (no lock queues, no deadlocks); a session
 * that claimed none (psql, another tool) uses one of a few shared slots. Rows are bounded by
 * tables × slots. Cost: one bump per write statement to a cached table; one fence per round of
 * reads (under load, one per round trip for every read of the node), instead of a query per
 * read.
 */
import { sql, type Kysely } from 'kysely';

/** The counters' table, trigger and function names. */
const GEN_TABLE = 'yunbox_cache_gen';
const BUMP_FN = 'yunbox_cache_bump';
const TRIGGER = 'yunbox_cache_gen';
/** First key of the two-key advisory locks that claim slots ('ybcg'). */
const SLOT_LOCK_SPACE = 0x79626367;
/** Slots claimed one per connection, and the shared ones beyond them for sessions without. */
const CLAIMED_SLOTS = 1024;
const SHARED_SLOTS = 64;
/** The session setting holding a connection's slot. */
const SLOT_SETTING = 'yunbox.cache_slot';

/**
 * SQL a new pooled connection runs first: claims the lowest free slot for the session's life.
 * Run as the connection's first statement (pg-pool's `connect` event), so it precedes every
 * write on it; if it fails, the connection's writes use a shared slot, which is still correct.
 */
export const CLAIM_SLOT_SQL =
  `select set_config('${SLOT_SETTING}', s::text, false) from generate_series(0, ${CLAIMED_SLOTS - 1}) s ` +
  `where pg_try_advisory_lock(${SLOT_LOCK_SPACE}, s) limit 1`;

/** The cluster-wide lock under which the counters and triggers are created. */
export const LOCK = 'yunbox:cache-generations';
/** The generation bumped by the migrator: every cache entry depends on it. */
const SCHEMA = '*';

/** Creates the counters' table if missing (under {@link LOCK}). */
async function createGenTable(k: Kysely<any>): Promise<void> {
  await sql
    .raw(
      `create table if not exists ${GEN_TABLE} (tbl text not null, slot int4 not null, ` +
        `n int8 not null, primary key (tbl, slot)) with (fillfactor = 50)`,
    )
    .execute(k);
}

/**
 * Bumps the schema generation, in the migrator's transaction (which holds {@link LOCK}) before
 * it applies anything: every cache entry of every node is stale once the migrations commit, and
 * every node checks its triggers again (a migration may have replaced a table, and its trigger).
 */
export async function bumpSchemaGeneration(k: Kysely<any>): Promise<void> {
  await createGenTable(k);
  await sql`insert into ${sql.table(GEN_TABLE)} as g (tbl, slot, n) values (${SCHEMA}, 0, 1)
            on conflict (tbl, slot) do update set n = g.n + 1`.execute(k);
}

const quoteIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** A fence not yet sent, and the reads waiting for it. */
interface Batch {
  readonly promise: Promise<ReadonlyMap<string, number> | undefined>;
  resolve(v: ReadonlyMap<string, number> | undefined): void;
}

function batch(): Batch {
  let resolve!: Batch['resolve'];
  const promise = new Promise<ReadonlyMap<string, number> | undefined>((r) => (resolve = r));
  return { promise, resolve };
}

/** The write generations of one node's pool. */
export class PgGenerations {
  readonly #k: Kysely<any>;
  readonly #withLock: <T>(name: string, fn: (k: Kysely<any>) => Promise<T>) => Promise<T>;
  /** Tables whose trigger is known to exist, with the schema generation it was seen at. */
  readonly #covered = new Map<string, number>();
  /** Installs started, by table. */
  readonly #installing = new Map<string, Promise<void>>();
  #next: Batch | undefined;
  #inFlight = false;

  constructor(
    k: Kysely<any>,
    withLock: <T>(name: string, fn: (k: Kysely<any>) => Promise<T>) => Promise<T>,
  ) {
    this.#k = k;
    this.#withLock = withLock;
  }

  /**
   * The generation of `tables` as of a fence sent after this call, or undefined when it is not
   * known (a table without its trigger, which could not be installed; the fence failed): then
   * the caller reads without the cache.
   */
  epoch(tables: readonly string[]): Promise<number | undefined> {
    let missing: Array<Promise<void>> | undefined;
    for (const t of tables) {
      if (this.#covered.has(t)) continue;
      let p = this.#installing.get(t);
      if (p === undefined) this.#installing.set(t, (p = this.#install(t)));
      (missing ??= []).push(p);
    }
    if (missing === undefined) return this.#epoch(tables);
    // The first reads of a table on this node wait for its trigger (once).
    return Promise.all(missing).then(() =>
      tables.every((t) => this.#covered.has(t)) ? this.#epoch(tables) : undefined,
    );
  }

  async #epoch(tables: readonly string[]): Promise<number | undefined> {
    const gens = await this.#fence();
    if (gens === undefined) return undefined;
    const schemaGen = gens.get(SCHEMA) ?? 0;
    let sum = schemaGen;
    for (const t of tables) {
      if (this.#covered.get(t) !== schemaGen) {
        // Migrations ran since the trigger was seen (a table may have been swapped for one
        // without it): this read bypasses the cache, the next one checks the trigger again.
        this.#covered.delete(t);
        this.#installing.delete(t);
        return undefined;
      }
      sum += gens.get(t) ?? 0;
    }
    return sum;
  }

  /** The generations from a fence sent after this call (shared with the calls around it). */
  #fence(): Promise<ReadonlyMap<string, number> | undefined> {
    if (this.#next === undefined) {
      this.#next = batch();
      // Gather the reads of this turn of the event loop; when a fence is in flight, the next is
      // sent as soon as it returns.
      if (!this.#inFlight) setImmediate(() => void this.#send());
    }
    return this.#next.promise;
  }

  async #send(): Promise<void> {
    const b = this.#next;
    if (b === undefined || this.#inFlight) return;
    this.#next = undefined;
    this.#inFlight = true;
    let gens: Map<string, number> | undefined;
    try {
      const r = await sql<{
        tbl: string;
        n: number;
      }>`select tbl, sum(n)::int8 as n from ${sql.table(GEN_TABLE)} group by tbl`.execute(this.#k);
      gens = new Map(r.rows.map((row) => [row.tbl, Number(row.n)]));
    } catch {
      gens = undefined; // the readers go to the database, and meet its error there if it persists
    } finally {
      this.#inFlight = false;
    }
    b.resolve(gens);
    if (this.#next !== undefined) void this.#send();
  }

  /** Creates the counters and `table`'s trigger if missing; marks `table` covered if it exists. */
  async #install(table: string): Promise<void> {
    try {
      const seenAt = await this.#withLock(LOCK, async (k) => {
        await createGenTable(k);
        // One statement, so one snapshot: the trigger is seen at that schema generation.
        const { rows } = await sql<{
          schema: string;
          rel: string | null;
          has: boolean;
          schema_gen: number;
        }>`select current_schema() as schema, to_regclass(${table}::text)::text as rel,
             exists (select 1 from pg_trigger where tgrelid = to_regclass(${table}::text)
                     and tgname = ${TRIGGER}) as has,
             coalesce((select sum(n) from ${sql.table(GEN_TABLE)} where tbl = ${SCHEMA}), 0)::int8
               as schema_gen`.execute(k);
        const row = rows[0]!;
        if (row.rel === null) return undefined; // no such table: never cached
        const schemaGen = Number(row.schema_gen);
        if (row.has) return schemaGen;
        const gen = `${quoteIdent(row.schema)}.${GEN_TABLE}`;
        // The schema is written into the body: a session with another search_path (psql) still
        // bumps these counters, and the plan is cached.
        await sql
          .raw(
            `create or replace function ${quoteIdent(row.schema)}.${BUMP_FN}() returns trigger ` +
              `language plpgsql as $f$ begin insert into ${gen} as g (tbl, slot, n) values ` +
              `(tg_table_name, coalesce(nullif(current_setting('${SLOT_SETTING}', true), '')::int4, ` +
              `${CLAIMED_SLOTS} + pg_backend_pid() % ${SHARED_SLOTS}), 1) ` +
              `on conflict (tbl, slot) do update set n = g.n + 1; return null; end $f$`,
          )
          .execute(k);
        await sql
          .raw(
            `create trigger ${TRIGGER} after insert or update or delete or truncate on ` +
              `${quoteIdent(table)} for each statement execute function ` +
              `${quoteIdent(row.schema)}.${BUMP_FN}()`,
          )
          .execute(k);
        return schemaGen;
      });
      if (seenAt !== undefined) this.#covered.set(table, seenAt);
    } catch {
      // Left uncovered (this read bypasses the cache); the next read of the table tries again.
      this.#installing.delete(table);
    }
  }
}
