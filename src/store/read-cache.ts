/**
 * @module Per-node read caches for the rows every request reads (a bucket and its object, a
 * principal's AccessKey, role and policy documents). A cached value is served only while nothing
 * it was read from can have changed since: each entry remembers the *epoch* of its tables (a
 * number that changes whenever any of them is written) taken before its data was read, and is
 * served only while the epoch is the same. Where the epoch comes from depends on the store:
 *
 * - SQLite: every write statement run through this process's connection bumps a counter of the
 *   table it writes (statements are classified once, by their SQL text, when prepared), before it
 *   runs, so a write that ran during the read, or is part of a transaction not yet committed,
 *   makes the entry stale; and no other connection can write: db.ts opens the file with
 *   `locking_mode = EXCLUSIVE`, so a second connection (another process) is refused, and the
 *   counters see every write.
 * - PostgreSQL, shared by several nodes: counters bumped by triggers in the writing transaction,
 *   read by a fence (one round trip, shared by the reads around it) before the entry is used or
 *   loaded; pg-generations.ts has the argument of why no node then serves data older than a write
 *   acknowledged by any node.
 *
 * A read inside a transaction never uses a cache (it must see its own writes). Cached values are
 * frozen: a caller that tried to change one would change it for every request.
 */

/** Which cache, over which tables, how many entries at most. */
export interface CacheSpec {
  readonly name: string;
  readonly tables: readonly string[];
  readonly max: number;
}

/** SQL statements that change no table a cache reads. */
const NOT_A_WRITE = /^\s*(?:select|begin|commit|end|rollback|savepoint|release|pragma|explain)\b/i;
/** The table a data-changing statement writes. */
const WRITE_TARGET =
  /^\s*(?:insert(?:\s+or\s+\w+)?\s+into|replace\s+into|update(?:\s+or\s+\w+)?|delete\s+from)\s+(?:"([^"]+)"|([A-Za-z_][A-Za-z0-9_]*))/i;

/**
 * What a statement's SQL writes: `null` for nothing (reads, transaction control, pragmas), a
 * table name, or `'*'` for anything else (DDL, statements not recognised), which stales every
 * cache.
 * @example
 * writeTarget('insert into "oss_objects" (…) values (…)') // 'oss_objects'
 * writeTarget('select * from oss_objects') // null
 */
export function writeTarget(sqlText: string): string | null {
  const m = WRITE_TARGET.exec(sqlText);
  if (m) return (m[1] ?? m[2]!).toLowerCase();
  if (NOT_A_WRITE.test(sqlText)) return null;
  return '*';
}

/** Counts writes per table. */
export class WriteCounters {
  readonly #byTable = new Map<string, number>();
  #all = 0;

  /** Records a write to `table` (`'*'`: any table). */
  bump(table: string): void {
    if (table === '*') this.#all++;
    else this.#byTable.set(table, (this.#byTable.get(table) ?? 0) + 1);
  }

  /** A number that changes whenever any of `tables` is written (each counter only grows). */
  epoch(tables: readonly string[]): number {
    let sum = this.#all;
    for (const t of tables) sum += this.#byTable.get(t) ?? 0;
    return sum;
  }
}

interface Entry {
  epoch: number;
  value: unknown;
}

/** Deep-freezes plain objects and arrays (what stores return). */
function freeze<T>(v: T): T {
  if (typeof v !== 'object' || v === null || Object.isFrozen(v)) return v;
  for (const x of Object.values(v)) freeze(x);
  return Object.freeze(v);
}

/**
 * The epoch of `tables` now: a number, a promise of one (PostgreSQL's fence), or undefined when
 * it is not known (then the read bypasses the cache).
 */
export type EpochSource = (
  tables: readonly string[],
) => number | Promise<number | undefined> | undefined;

/** The read caches of one store handle (one node). */
export class ReadCaches {
  readonly #epochOf: EpochSource;
  readonly #maps = new Map<string, Map<string, Entry>>();

  constructor(epochOf: EpochSource) {
    this.#epochOf = epochOf;
  }

  /** The cached value of `key` in `spec`'s cache, or `load()`'s (then cached, frozen). */
  get<V>(spec: CacheSpec, key: string, load: () => Promise<V>): Promise<V> {
    const epoch = this.#epochOf(spec.tables);
    if (typeof epoch === 'number') return this.#serve(spec, key, epoch, load);
    if (epoch === undefined) return load();
    return epoch.then((e) => (e === undefined ? load() : this.#serve(spec, key, e, load)));
  }

  /** The entry of `key` if it was loaded at `epoch`, else `load()`'s, cached at `epoch`. */
  async #serve<V>(spec: CacheSpec, key: string, epoch: number, load: () => Promise<V>): Promise<V> {
    let map = this.#maps.get(spec.name);
    if (map === undefined) this.#maps.set(spec.name, (map = new Map()));
    const hit = map.get(key);
    if (hit !== undefined && hit.epoch === epoch) {
      return hit.value as V;
    }
    const value = freeze(await load());
    map.delete(key);
    map.set(key, { epoch, value });
    if (map.size > spec.max) map.delete(map.keys().next().value!);
    return value;
  }
}
