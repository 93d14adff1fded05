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
    try {
      await this.#db.k
        .insertInto('kernel_nonces')
        .values({ scope, nonce, expires_at: expiresAt })
        .execute();
      return true;
    } catch (e) {
      if (!this.#db.dialect.isUniqueViolation(e)) throw e;
    }
    // Recorded before: allowed again only if that record has expired (then renew it).
    const r = await this.#db.k
      .updateTable('kernel_nonces')
      .set({ expires_at: expiresAt })
      .where('scope', '=', scope)
      .where('nonce', '=', nonce)
      .where('expires_at', '<=', now)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Deletes expired records. */
  async sweep(now: number): Promise<void> {
    await this.#db.k.deleteFrom('kernel_nonces').where('expires_at', '<=', now).execute();
  }
}
