/**
 * @module SignatureNonce replay protection shared by every node: a nonce is recorded (per
 * AccessKeyId) for as long as its request's timestamp could still be accepted; a second use
 * within that window is refused. Uniqueness is a primary-key constraint, so two nodes cannot both
 * accept the same nonce.
 */
import type { Db } from '../store/db.js';
import type { MigrationSet } from '../store/migrate.js';

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

/** Records nonces; `use` answers false when the nonce was already used in its window. */
export class NonceStore {
  readonly #db: Db;
  #inserts = 0;
  constructor(db: Db) {
    this.#db = db;
  }

  /** Records `nonce` for `scope` until `expiresAt`; false if it is already recorded and live. */
  async use(scope: string, nonce: string, now: number, expiresAt: number): Promise<boolean> {
    if (++this.#inserts % 1000 === 0) await this.sweep(now);
    // A nonce lost to a power failure only reopens a replay window that the timestamp check
    // still bounds; relaxed durability keeps an fsync off every request.
    return this.#db.relaxed(async (db) => {
      // One statement: insert, or renew a record whose window has passed; a live record
      // (a replay) returns no row.
      const row = await db.k
        .insertInto('kernel_nonces')
        .values({ scope, nonce, expires_at: expiresAt })
        .onConflict((oc: any) =>
          oc
            .columns(['scope', 'nonce'])
            .doUpdateSet({ expires_at: expiresAt })
            .where('kernel_nonces.expires_at', '<=', now),
        )
        .returning('nonce')
        .executeTakeFirst();
      return row !== undefined;
    });
  }

  /** Deletes expired records. */
  async sweep(now: number): Promise<void> {
    await this.#db.k.deleteFrom('kernel_nonces').where('expires_at', '<=', now).execute();
  }
}
