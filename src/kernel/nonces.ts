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
 * Records nonces; `use` answers false when the nonce was already used in its window.
 *
 * With several nodes (PostgreSQL) every use is one upsert, so the database decides between
 * nodes. With one node (SQLite, whose file only this process writes) a use is a lookup, and new
 * nonces are written in batches a few milliseconds later: a replay is still refused (the pending
 * set is checked first), and a restart still remembers every nonce older than the last batch.
 */
export class NonceStore {
  readonly #db: Db;
  readonly #batchMs: number;
  #inserts = 0;
  #pending = new Map<string, { scope: string; nonce: string; expiresAt: number; now: number }>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
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
    if (this.#db.dialect.multiNode) {
      // A nonce lost to a power failure only reopens a replay window that the timestamp check
      // still bounds; relaxed durability keeps a synchronous commit off every request.
      return this.#db.relaxed(
        async (db) => (await Q.upsert.first(db, scope, nonce, expiresAt, now)) !== undefined,
      );
    }
    const key = `${scope}\n${nonce}`;
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

  /** Writes pending nonces (single-node mode); resolves when they are stored. */
  async flush(): Promise<void> {
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
