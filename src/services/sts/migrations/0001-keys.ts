/**
 * @module STS key material: the AES keys that seal SecurityTokens, shared by every node through
 * the store (so any node verifies any node's credentials).
 */
import type { Migration } from '../../../store/migrate.js';

export const m0001Keys: Migration = {
  name: '0001-keys',
  async up(db) {
    await db.k.schema
      .createTable('sts_keys')
      .addColumn('key_id', 'text', (c) => c.primaryKey())
      .addColumn('key_b64', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
  },
};
