/**
 * @module The database handle every service store is built on: Kysely over better-sqlite3 (the
 * embedded default, a file in the data directory) or `pg` (`postgres://…`), picked at boot as
 * MinIO's iam.go picks its IAM backend. Also the one place that knows how to open a transaction.
 */
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import {
  Kysely,
  PostgresDialect,
  SqliteDialect,
  sql,
  type CompiledQuery,
  type QueryResult,
  type Transaction,
} from 'kysely';
import { postgresDialect, sqliteDialect, type DialectInfo } from './dialect.js';
import { StoreError } from '../kernel/errors.js';
import { groupCommit } from '../kernel/group-commit.js';
import { CLAIM_SLOT_SQL, PgGenerations } from './pg-generations.js';
import { namingStatements } from './pg-named.js';
import { ReadCaches, WriteCounters, writeTarget, type CacheSpec } from './read-cache.js';

/** Where the metadata lives. */
export type StoreLocation =
  | { kind: 'sqlite'; file: string /* path or ':memory:' */ }
  | { kind: 'postgres'; url: string; schema?: string };

/** A database handle, possibly bound to an open transaction. */
export interface Db {
  /** The query builder (typed per service by casting to `Kysely<ServiceTables>`). */
  readonly k: Kysely<any>;
  readonly dialect: DialectInfo;
  /** True when this handle is inside a transaction. */
  readonly inTransaction: boolean;
  /**
   * Runs `fn` in one transaction (joins the current one when already inside). Retries once on a
   * serialisation failure.
   */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` while holding a cluster-wide lock named `name` (a PostgreSQL advisory lock; a
   * process-local mutex on SQLite), inside a transaction.
   */
  withLock<T>(name: string, fn: (tx: Db) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` with relaxed durability for its writes: they survive a crash of the process but
   * may be lost on power failure (SQLite `synchronous=NORMAL`, PostgreSQL
   * `synchronous_commit=off`). Only for data whose loss is harmless, such as replay nonces.
   */
  relaxed<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  /**
   * Runs one statement with the durability of {@link relaxed}, in one round trip on PostgreSQL
   * (autocommit on a connection whose commits do not wait for the log flush); inside a
   * transaction, as part of it.
   */
  relaxedQuery<R>(query: CompiledQuery): Promise<QueryResult<R>>;
  /**
   * `load()`'s value for `key`, from this node's cache `spec` while none of its tables changed
   * (outside transactions: read-cache.ts, and pg-generations.ts for PostgreSQL); otherwise
   * `load()`. Cached values are frozen.
   */
  cached<V>(spec: CacheSpec, key: string, load: () => Promise<V>): Promise<V>;
  /** Closes the pool or file. */
  close(): Promise<void>;
}

/**
 * `pg`, loaded only for a PostgreSQL store: with SQLite (the default) it is never needed, and
 * loading it took tens of milliseconds of every start and megabytes of memory.
 */
async function loadPg(): Promise<typeof import('pg').default> {
  const pg = (await import('pg')).default;
  // int8 (bigint) columns hold millisecond timestamps and sizes: all below 2^53.
  pg.types.setTypeParser(20, (v: string) => Number(v));
  return pg;
}

class KyselyDb implements Db {
  readonly k: Kysely<any>;
  readonly dialect: DialectInfo;
  readonly inTransaction: boolean;
  readonly #root: Kysely<any>;
  readonly #wal: SqliteWal | undefined;
  readonly #caches: ReadCaches | undefined;
  /** PostgreSQL: pg's `escapeLiteral`, for the literals of {@link #pgTransaction}'s prelude. */
  readonly #pgLiteral: ((s: string) => string) | undefined;
  /** PostgreSQL: connections with `synchronous_commit = off`, for {@link relaxedQuery}. */
  readonly #relaxedK: Kysely<any> | undefined;
  #closed = false;
  constructor(
    k: Kysely<any>,
    dialect: DialectInfo,
    root: Kysely<any>,
    inTx: boolean,
    extra?: {
      wal?: SqliteWal | undefined;
      caches?: ReadCaches | undefined;
      pgLiteral?: ((s: string) => string) | undefined;
      relaxedK?: Kysely<any> | undefined;
    },
  ) {
    this.k = k;
    this.dialect = dialect;
    this.#root = root;
    this.inTransaction = inTx;
    this.#wal = extra?.wal;
    this.#caches = extra?.caches;
    this.#pgLiteral = extra?.pgLiteral;
    this.#relaxedK = extra?.relaxedK;
  }

  /** A handle on `k` sharing this one's root, WAL and caches. */
  #child(k: Kysely<any>, inTx: boolean): KyselyDb {
    return new KyselyDb(k, this.dialect, this.#root, inTx, {
      wal: this.#wal,
      caches: this.#caches,
      pgLiteral: this.#pgLiteral,
      relaxedK: this.#relaxedK,
    });
  }

  cached<V>(spec: CacheSpec, key: string, load: () => Promise<V>): Promise<V> {
    if (this.#caches === undefined || this.inTransaction) return load();
    return this.#caches.get(spec, key, load);
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    if (this.inTransaction) return fn(this);
    if (this.#wal && this.k === this.#root) return this.#groupCommitted(fn);
    for (let attempt = 0; ; attempt++) {
      try {
        // this.k: the root, or a single connection held by relaxed() (never re-acquire it).
        return await this.k
          .transaction()
          .execute((trx: Transaction<any>) => fn(this.#child(trx, true)));
      } catch (e) {
        if (attempt < 2 && this.dialect.isRetryable(e)) continue;
        throw translateDriverError(e, this.dialect);
      }
    }
  }

  /**
   * SQLite transactions commit with `synchronous=NORMAL` (no fsync on the event loop: a
   * FULL commit blocks every request for the length of a disk flush), then wait for the WAL to
   * be flushed in the thread pool, one flush shared by all commits that came meanwhile (group
   * commit). When this resolves the transaction is as durable as a FULL commit: its WAL frames
   * are on disk, and SQLite recovers them after power loss.
   */
  async #groupCommitted<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    const result = await this.#root.connection().execute(async (conn) => {
      await sql`pragma synchronous = NORMAL`.execute(conn);
      try {
        return await this.#child(conn, false).transaction(fn);
      } finally {
        await sql`pragma synchronous = FULL`.execute(conn);
      }
    });
    await this.#wal!.durable();
    return result;
  }

  async withLock<T>(name: string, fn: (tx: Db) => Promise<T>): Promise<T> {
    if (this.dialect.name === 'postgres') {
      if (this.inTransaction) {
        await sql`select pg_advisory_xact_lock(hashtext(${name}))`.execute(this.k);
        return fn(this);
      }
      // The lock is taken by the statement that opens the transaction: one round trip.
      return this.#pgTransaction(
        `select pg_advisory_xact_lock(hashtext(${this.#pgLiteral!(name)}))`,
        fn,
      );
    }
    // SQLite: the single connection is already serialised by the driver's mutex.
    return this.transaction(fn);
  }

  async relaxed<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    if (this.inTransaction) return fn(this);
    if (this.dialect.name === 'postgres') {
      // Opened and relaxed by one statement: one round trip instead of two.
      return this.#pgTransaction('set local synchronous_commit = off', fn);
    }
    // SQLite: one connection, held for the duration so nothing else runs in between.
    return this.#root.connection().execute(async (conn) => {
      await sql`pragma synchronous = NORMAL`.execute(conn);
      try {
        return await fn(this.#child(conn, false));
      } finally {
        await sql`pragma synchronous = FULL`.execute(conn);
      }
    });
  }

  relaxedQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (this.inTransaction) return this.k.executeQuery<R>(query);
    const relaxedK = this.#relaxedK;
    if (relaxedK === undefined) return this.relaxed((db) => db.k.executeQuery<R>(query));
    return (async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await relaxedK.executeQuery<R>(query);
        } catch (e) {
          // A deadlock or serialisation failure rolled the statement back: safe to run again.
          if (attempt < 2 && this.dialect.isRetryable(e)) continue;
          throw translateDriverError(e, this.dialect);
        }
      }
    })();
  }

  /**
   * A PostgreSQL transaction opened by `begin; <prelude>`, one simple-protocol query (no
   * parameters: `prelude` is constant SQL or holds literals quoted by pg's `escapeLiteral`), so a
   * transaction that must first lock or relax costs one round trip before its statements, not
   * two. Retried like {@link transaction} on a serialisation failure or deadlock.
   */
  async #pgTransaction<T>(prelude: string, fn: (tx: Db) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.k.connection().execute(async (conn) => {
          await sql.raw(`begin; ${prelude}`).execute(conn);
          let result: T;
          try {
            result = await fn(this.#child(conn, true));
          } catch (e) {
            await sql
              .raw('rollback')
              .execute(conn)
              .catch(() => {
                /* the connection is gone: the server rolled back */
              });
            throw e;
          }
          await sql.raw('commit').execute(conn);
          return result;
        });
      } catch (e) {
        if (attempt < 2 && this.dialect.isRetryable(e)) continue;
        throw translateDriverError(e, this.dialect);
      }
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#root.destroy();
    await this.#relaxedK?.destroy();
    await this.#wal?.close();
  }
}

/** The write-ahead log of a SQLite file, flushed by group commit (see `#groupCommitted`). */
class SqliteWal {
  readonly #path: string;
  #fh: Promise<FileHandle> | undefined;
  readonly durable: () => Promise<void>;
  constructor(dbFile: string) {
    this.#path = `${dbFile}-wal`;
    // The -wal file exists from the first write on and is reused, never unlinked, while the
    // database is open (SQLite deletes it only when the last connection closes).
    this.durable = groupCommit(async () => {
      if (this.#fh === undefined) {
        const fh = open(this.#path, 'r');
        this.#fh = fh;
        fh.catch(() => {
          if (this.#fh === fh) this.#fh = undefined; // opened again by the next flush
        });
        // The first time, the -wal file's directory entry too (it may have just been created).
        const dir = await open(dirname(this.#path), 'r');
        await dir.sync().finally(() => dir.close());
      }
      await (await this.#fh).datasync();
    });
  }
  async close(): Promise<void> {
    const fh = this.#fh;
    this.#fh = undefined;
    await (await fh?.catch(() => undefined))?.close();
  }
}

/** Maps driver-level failures that mean "the database is not reachable" to `Unavailable`. */
function translateDriverError(e: unknown, _dialect: DialectInfo): unknown {
  const c =
    typeof e === 'object' && e !== null && 'code' in e ? String((e as any).code) : undefined;
  if (
    c &&
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '57P01', '57P03', '08006', '08001'].includes(c)
  ) {
    return new StoreError('Unavailable', 'database', 'database unavailable: ' + c);
  }
  return e;
}

/** How many prepared statements a SQLite handle keeps (distinct SQL texts; LRU beyond). */
const STATEMENT_CACHE_SIZE = 512;

/**
 * `stmt`, counting a write to `table` each time it runs (for the read caches), before it runs:
 * a read that starts after a write of a transaction not yet committed then misses the cache.
 */
function countingWrites(
  stmt: Database.Statement,
  table: string,
  counters: WriteCounters,
): Database.Statement {
  return {
    reader: stmt.reader,
    all: (...args: unknown[]) => (counters.bump(table), stmt.all(...args)),
    run: (...args: unknown[]) => (counters.bump(table), stmt.run(...args)),
    get: (...args: unknown[]) => (counters.bump(table), stmt.get(...args)),
    iterate: (...args: unknown[]) => (counters.bump(table), stmt.iterate(...args)),
  } as unknown as Database.Statement;
}

/**
 * Wraps a better-sqlite3 handle so Kysely's per-query `prepare` reuses compiled statements:
 * preparing dominated the profile of small requests (the OSS GET hot path). Safe because
 * better-sqlite3 runs each statement to completion synchronously, one at a time. Write
 * statements count their writes in `counters`.
 */
function cachingStatements(
  raw: Database.Database,
  counters: WriteCounters,
): {
  prepare(sql: string): Database.Statement;
  close(): void;
} {
  const cache = new Map<string, Database.Statement>();
  return {
    prepare(sqlText: string) {
      let stmt = cache.get(sqlText);
      if (stmt) {
        cache.delete(sqlText);
        cache.set(sqlText, stmt);
        return stmt;
      }
      stmt = raw.prepare(sqlText);
      const table = writeTarget(sqlText);
      if (table !== null) stmt = countingWrites(stmt, table, counters);
      cache.set(sqlText, stmt);
      if (cache.size > STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      return stmt;
    },
    close() {
      cache.clear();
      raw.close();
    },
  };
}

/** The SQLite file is held by another process (another `yunbox serve` on the same data directory). */
export class DatabaseInUseError extends Error {
  constructor(file: string) {
    super(
      `the database ${file} is in use by another process (is another yunbox serving this data ` +
        'directory?); a SQLite store belongs to one process, several nodes share PostgreSQL',
    );
    this.name = 'DatabaseInUseError';
  }
}

/**
 * Opens the metadata database.
 * @example
 * const db = await openDb({ kind: 'sqlite', file: ':memory:' });
 */
export async function openDb(location: StoreLocation): Promise<Db> {
  if (location.kind === 'sqlite') {
    if (location.file !== ':memory:') {
      mkdirSync(dirname(location.file), { recursive: true, mode: 0o700 });
      // The database holds AccessKey secrets: owner-only (SQLite gives -wal/-shm the same mode).
      closeSync(openSync(location.file, 'a', 0o600));
      chmodSync(location.file, 0o600);
    }
    // timeout 0: with the file held exclusively nothing is worth waiting for (below).
    const raw = new Database(location.file, { timeout: 0 });
    try {
      // One process owns the file (a SQLite store is one node; several share PostgreSQL).
      // EXCLUSIVE before WAL: the WAL index lives in this process's memory and the file stays
      // locked while open, so no statement pays the shared-memory locks (about 5 µs each
      // here), the read caches see every write through their counters, and a second process
      // is refused at once instead of racing this one's nonce batches and caches.
      raw.pragma('locking_mode = EXCLUSIVE');
      raw.pragma('journal_mode = WAL');
    } catch (e) {
      raw.close();
      if ((e as { code?: unknown }).code === 'SQLITE_BUSY')
        throw new DatabaseInUseError(location.file);
      throw e;
    }
    // FULL: an acknowledged commit survives power loss, not only a crash of the process.
    raw.pragma('synchronous = FULL');
    raw.pragma('foreign_keys = ON');
    const counters = new WriteCounters();
    const caches = new ReadCaches((tables) => counters.epoch(tables));
    const k = new Kysely<any>({
      dialect: new SqliteDialect({ database: cachingStatements(raw, counters) }),
    });
    const wal = location.file === ':memory:' ? undefined : new SqliteWal(location.file);
    return new KyselyDb(k, sqliteDialect, k, false, { wal, caches });
  }
  const pg = await loadPg();
  const pool = new pg.Pool({
    connectionString: location.url,
    max: 10,
    ...(location.schema ? { options: `-c search_path=${location.schema}` } : {}),
  });
  pool.on('error', () => {
    /* idle client errors surface on the next query */
  });
  // Each connection claims its own slot of the write counters first (pg-generations.ts); pg
  // runs a client's queries in order, so this precedes any write on it.
  pool.on('connect', (client) => {
    client.query(CLAIM_SLOT_SQL).catch(() => {
      /* a shared slot is used instead */
    });
  });
  if (location.schema) {
    const client = await pool.connect();
    try {
      try {
        await client.query(`create schema if not exists "${location.schema.replace(/"/g, '')}"`);
      } catch (e) {
        // Two nodes starting together race inside CREATE SCHEMA IF NOT EXISTS (PostgreSQL checks
        // the catalogue before inserting): the loser sees a unique violation, and the schema exists.
        const code = (e as { code?: string }).code;
        if (code !== '23505' && code !== '42P06') throw e;
      }
    } finally {
      client.release();
    }
  }
  const k = new Kysely<any>({ dialect: new PostgresDialect({ pool: namingStatements(pool) }) });
  const pgLiteral = (v: string) => pg.escapeLiteral(v);
  // A few connections whose commits do not wait for the log flush (relaxedQuery): their writes
  // are only ever relaxed ones (nonces; small blobs and blob garbage, made durable by the
  // metadata commit that follows: postgres-blob-store.ts), so no durable write can run on them.
  const relaxedPool = new pg.Pool({
    connectionString: location.url,
    max: 3,
    options: [
      ...(location.schema ? [`-c search_path=${location.schema}`] : []),
      '-c synchronous_commit=off',
    ].join(' '),
  });
  relaxedPool.on('error', () => {
    /* idle client errors surface on the next query */
  });
  const relaxedK = new Kysely<any>({
    dialect: new PostgresDialect({ pool: namingStatements(relaxedPool) }),
  });
  const locking = new KyselyDb(k, postgresDialect, k, false, { pgLiteral });
  const generations = new PgGenerations(k, (name, fn) => locking.withLock(name, (tx) => fn(tx.k)));
  const caches = new ReadCaches((tables) => generations.epoch(tables));
  return new KyselyDb(k, postgresDialect, k, false, { caches, pgLiteral, relaxedK });
}

/** Parses `--store` / `YUNBOX_STORE`: `sqlite` (in `dataDir`), `sqlite:PATH`, or a postgres URL. */
export function parseStoreLocation(value: string | undefined, dataDir: string): StoreLocation {
  const v = (value ?? 'sqlite').trim();
  if (v === 'sqlite') return { kind: 'sqlite', file: `${dataDir}/yunbox.db` };
  if (v.startsWith('sqlite:')) return { kind: 'sqlite', file: v.slice('sqlite:'.length) };
  if (v.startsWith('postgres://') || v.startsWith('postgresql://')) {
    const u = new URL(v);
    const schema = u.searchParams.get('schema') ?? undefined;
    u.searchParams.delete('schema');
    return { kind: 'postgres', url: u.toString(), ...(schema ? { schema } : {}) };
  }
  throw new Error(`unknown store \`${v}\`: expected sqlite, sqlite:PATH or postgres://…`);
}
