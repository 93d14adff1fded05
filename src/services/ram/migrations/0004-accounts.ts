/**
 * @module Several accounts (`yunbox account create`): `ram_accounts` gets `account_name`, unique,
 * and its `singleton` column becomes the account's ordinal: 1 is the account the server made at
 * its first start (the operator's, named `default`), each created account takes the next number.
 * The column keeps its name and its unique constraint (SQLite cannot drop a constraint without
 * rebuilding a table that every RAM table references), so no existing row changes but its name.
 */
import type { Migration } from '../../../store/migrate.js';

export const m0004Accounts: Migration = {
  name: '0004-accounts',
  async up(db) {
    await db.k.schema
      .alterTable('ram_accounts')
      .addColumn('account_name', 'text', (c) => c.notNull().defaultTo(''))
      .execute();
    await db.k
      .updateTable('ram_accounts')
      .set({ account_name: 'default' })
      .where('singleton', '=', 1)
      .execute();
    await db.k.schema
      .createIndex('ram_accounts_name')
      .on('ram_accounts')
      .column('account_name')
      .unique()
      .execute();
  },
};
