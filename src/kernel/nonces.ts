/**
 * @module SignatureNonce replay protection shared by every node: a nonce is recorded (per
 * AccessKeyId) for as long as its request's timestamp could still be accepted; a second use
 * within that window is refused. Uniqueness is a primary-key constraint, so two nodes cannot both
 * accept the same nonce.
 *
 * A timestamp is accepted while it is fresh on yunbox's clock or on the real one
 * (`kernel/clock.ts`), so a record lives until its end has passed on both: every `now` here is
 * the earlier of the two clocks (`horizon`). While a manual clock stands behind the real one, or
 * far ahead of it, the records of requests stamped with the other clock's time wait for it to
 * catch up; only signed requests make records.
 */
import { CompiledQuery } from 'kysely';
import type { Db } from '../store/db.js';
import type { MigrationSet } from '../store/migrate.js';
import { prepared } from '../store/prepared.js';

/** Kernel migrations (tables the gateway itself owns). */
export const kernelMigrations: MigrationSet = {
  service: 'kernel',
  migrations: [
    {
      name: '0001-nonces',
      async up(db) {
        await db.k.schema
          .createTable('kernel_nonces')
          .addColumn('scope', 'text', (c) => c.notNull())
          .addColumn('nonce', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('kernel_nonces_pk', ['scope', 'nonce'])
          .execute();
        await db.k.schema
          .createIndex('kernel_nonces_expiry')
          .on('kernel_nonces')
          .column('expires_at')
          .execute();
      },
    },
  ],
};

const Q = {
  upsert: prepared((k, scope: string, nonce: string, expiresAt: number, now: number) =>
    k
      .insertInto('kernel_nonces')
      .values({ scope, nonce, expires_at: expiresAt })
      .onConflict((oc: any) =>
        oc
          .columns(['scope', 'nonce'])
          .doUpdateSet({ expires_at: expiresAt })
          .where('kernel_nonces.expires_at', '<=', now),
      )
      .returning('nonce'),
  ),
  live: prepared((k, scope: string, nonce: string, now: number) =>
    k
      .selectFrom('kernel_nonces')
      .select('nonce')
      .where('scope', '=', scope)
      .where('nonce', '=', nonce)
      .where('expires_at', '>', now),
  ),
};

/**
 * The uses of a batch, recorded by one statement (PostgreSQL): the rows it inserted, or took over
 * from an expired record, come back; a row that conflicts with a live record does not. One SQL
 * text whatever the batch's size (arrays, not a `values` list of varying length).
 */
const UPSERT_MANY =
  'insert into kernel_nonces as n (scope, nonce, expires_at) ' +
  'select * from unnest($1::text[], $2::text[], $3::int8[]) ' +
  'on conflict (scope, nonce) do update set expires_at = excluded.expires_at ' +
  'where n.expires_at <= $4 returning scope, nonce';

/** Most uses one statement records (the rest wait for the next). */
const MAX_BATCH = 500;
/** Most batches of one node in flight at once (each holds a pooled connection). */
const MAX_IN_FLIGHT = 3;

/** A use waiting for its batch's verdict (PostgreSQL). */
interface Waiting {
  scope: string;
  nonce: string;
  key: string;
  expiresAt: number;
  now: number;
  resolve(accepted: boolean): void;
  reject(e: unknown): void;
}

/**
 * Records nonces; `use` answers false when the nonce was already used in its window.
 *
 * With several nodes (PostgreSQL) the database decides between nodes: the uses that arrive
 * together (one turn of the event loop, or while the previous batch is in flight) are recorded by
 * one multi-row upsert, and each use is answered by whether its own row came back; a use of a
 * nonce already in a batch of this node is refused at once (it is a replay whichever way the
 * first one goes). With one node (SQLite, whose file only this process writes) a use is a lookup,
 * and new nonces are written in batches a few milliseconds later: a replay is still refused (the
 * pending set is checked first), and a restart still remembers every nonce older than the last
 * batch.
 */
export class NonceStore {
  readonly #db: Db;
  readonly #batchMs: number;
  #inserts = 0;
  #pending = new Map<string, { scope: string; nonce: string; expiresAt: number; now: number }>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  /** PostgreSQL: uses not yet sent, the keys of every use sent or not, the batches in flight. */
  #waiting: Waiting[] = [];
  readonly #batched = new Set<string>();
  readonly #sending = new Set<Promise<void>>();
  #scheduled = false;
  constructor(db: Db, opts: { batchMs?: number } = {}) {
    this.#db = db;
    this.#batchMs = opts.batchMs ?? 5;
  }

  /**
   * Records `nonce` for `scope` until `expiresAt`; false if it is already recorded and live at
   * `now` (the earlier of the two clocks).
   */
  async use(scope: string, nonce: string, now: number, expiresAt: number): Promise<boolean> {
    if (++this.#inserts % 1000 === 0) await this.sweep(now);
    const key = `${scope}\n${nonce}`;
    if (this.#db.dialect.multiNode) {
      if (scope.includes('\u0000') || nonce.includes('\u0000')) {
        // PostgreSQL text cannot hold NUL: such a use fails alone, never the batch around it.
        return this.#db.relaxed(
          async (db) => (await Q.upsert.first(db, scope, nonce, expiresAt, now)) !== undefined,
        );
      }
      // INVARIANT: nothing awaited between this check and the add, so two concurrent uses of one
      // nonce on this node cannot both be sent.
      if (this.#batched.has(key)) return false;
      this.#batched.add(key);
      return new Promise<boolean>((resolve, reject) => {
        this.#waiting.push({ scope, nonce, key, expiresAt, now, resolve, reject });
        this.#schedule();
      });
    }
    const live = (p: { expiresAt: number } | undefined) => p !== undefined && p.expiresAt > now;
    if (live(this.#pending.get(key))) return false;
    if ((await Q.live.first(this.#db, scope, nonce, now)) !== undefined) return false;
    // INVARIANT: nothing awaited between this check and the set, so two concurrent uses of one
    // nonce cannot both pass.
    if (live(this.#pending.get(key))) return false;
    this.#pending.set(key, { scope, nonce, expiresAt, now });
    this.#timer ??= setTimeout(() => void this.flush(), this.#batchMs);
    return true;
  }

  /** Sends the waiting uses at the end of this turn of the event loop (PostgreSQL). */
  #schedule(): void {
    if (this.#scheduled || this.#sending.size >= MAX_IN_FLIGHT) return;
    this.#scheduled = true;
    // Gathers the uses of this turn of the event loop.
    setImmediate(() => {
      this.#scheduled = false;
      this.#send();
    });
  }

  /**
   * Sends the waiting uses as one upsert (PostgreSQL); when it returns, the next batch goes if
   * more came meanwhile. Relaxed durability: a nonce lost to a power failure only reopens a
   * replay window that the timestamp check still bounds, and a synchronous commit stays off
   * every request.
   */
  #send(): void {
    if (this.#sending.size >= MAX_IN_FLIGHT || this.#waiting.length === 0) return;
    // Rows in one order on every node: two nodes' batches sharing nonces queue on each other's
    // rows instead of deadlocking.
    const batch = this.#waiting
      .splice(0, MAX_BATCH)
      .sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
    // A record is taken over only once expired at the earliest `now` of the batch: at most a
    // few milliseconds earlier than each use's own, so an expired nonce may be refused a moment
    // longer, never accepted early.
    let now = batch[0]!.now;
    for (const w of batch) now = Math.min(now, w.now);
    const run = this.#db.relaxedQuery<{ scope: string; nonce: string }>(
      CompiledQuery.raw(UPSERT_MANY, [
        batch.map((w) => w.scope),
        batch.map((w) => w.nonce),
        batch.map((w) => w.expiresAt),
        now,
      ]),
    );
    const sending = run.then(
      (r) => {
        const accepted = new Set(r.rows.map((row) => `${row.scope}\n${row.nonce}`));
        for (const w of batch) {
          this.#batched.delete(w.key);
          w.resolve(accepted.has(w.key));
        }
      },
      (e: unknown) => {
        for (const w of batch) {
          this.#batched.delete(w.key);
          w.reject(e);
        }
      },
    );
    this.#sending.add(sending);
    void sending.then(() => {
      this.#sending.delete(sending);
      if (this.#waiting.length > 0) this.#schedule();
    });
  }

  /**
   * Writes pending nonces; resolves when they are stored (single-node mode), or when the uses
   * sent so far have their verdicts (PostgreSQL).
   */
  async flush(): Promise<void> {
    if (this.#db.dialect.multiNode) {
      while (this.#sending.size > 0 || this.#waiting.length > 0) {
        this.#send();
        await Promise.race(this.#sending);
      }
      return;
    }
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#flushing;
    if (this.#pending.size === 0) return;
    const batch = [...this.#pending.values()];
    this.#flushing = this.#db
      .relaxed((db) =>
        db.transaction(async (tx) => {
          for (const p of batch) await Q.upsert.first(tx, p.scope, p.nonce, p.expiresAt, p.now);
        }),
      )
      .then(() => {
        for (const p of batch) {
          const key = `${p.scope}\n${p.nonce}`;
          if (this.#pending.get(key) === p) this.#pending.delete(key);
        }
      })
      .finally(() => {
        this.#flushing = undefined;
      });
    await this.#flushing;
  }

  /** Deletes records expired at `now` (the earlier of the two clocks). */
  async sweep(now: number): Promise<void> {
    await this.#db.k.deleteFrom('kernel_nonces').where('expires_at', '<=', now).execute();
  }
}
