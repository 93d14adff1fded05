/**
 * @module IMS schema: OIDC providers (unique per account by folded name and by issuer URL) and
 * yunbox's own OIDC issuer keys, one pair per account.
 */
import type { Migration } from '../../../store/migrate.js';

export const m0001OidcProviders: Migration = {
  name: '0001-oidc-providers',
  async up(db) {
    const s = db.k.schema;
    await s
      .createTable('ims_oidc_providers')
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('name_folded', 'text', (c) => c.notNull())
      .addColumn('issuer_url', 'text', (c) => c.notNull())
      .addColumn('client_ids', 'text', (c) => c.notNull())
      .addColumn('fingerprints', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('issuance_limit_hours', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('ims_oidc_providers_pk', ['account_id', 'name_folded'])
      .addUniqueConstraint('ims_oidc_providers_issuer', ['account_id', 'issuer_url'])
      .execute();
    await s
      .createTable('ims_issuer_keys')
      .addColumn('account_id', 'text', (c) => c.primaryKey())
      .addColumn('kid', 'text', (c) => c.notNull())
      .addColumn('private_key_pem', 'text', (c) => c.notNull())
      .addColumn('public_jwk', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
  },
};
