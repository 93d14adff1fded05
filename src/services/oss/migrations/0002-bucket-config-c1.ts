/**
 * @module OSS bucket configuration, part 1 (issue 17): a bucket's default server-side encryption,
 * Referer rules, request payer and Block Public Access, each a nullable column of `oss_buckets`
 * (null: not configured), and the account-level Block Public Access in `oss_account_settings`.
 * The bucket columns ride on the bucket row every request already loads, so enforcing them costs
 * no extra query.
 */
import type { Migration } from '../../../store/migrate.js';

export const m0002BucketConfigC1: Migration = {
  name: '0002-bucket-config-c1',
  async up(db) {
    const s = db.k.schema;
    // JSON documents (`BucketEncryption`, `RefererConfig`), the payer, and `'true'`/`'false'`.
    for (const column of ['encryption', 'referer', 'request_payer', 'public_access_block']) {
      await s.alterTable('oss_buckets').addColumn(column, 'text').execute();
    }
    await s
      .createTable('oss_account_settings')
      .addColumn('account_id', 'text', (c) => c.primaryKey())
      .addColumn('public_access_block', 'text')
      .execute();
  },
};
